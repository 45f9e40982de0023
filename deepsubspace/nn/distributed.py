"""Data parallelism over torch.distributed: a rank's share of a global batch, the
differentiable all-gather of the batch's rows, and the all-reduce of gradients.

Every rank runs the same program on the same data: it takes its contiguous
share of each global batch (``torch.tensor_split`` order, so the first
``n % world_size`` ranks hold one row more), gathers the features of the
whole batch where the objective couples the rows, and sums its gradients
with the others' before the optimiser step. The losses are sums over the
batch, so the summed gradients are those of the global batch.
"""

import torch
import torch.distributed as dist


def process_group_active():
    """Whether a default torch.distributed process group is initialised."""
    return dist.is_available() and dist.is_initialized()


class _GatherRows(torch.autograd.Function):
    """Concatenate every rank's rows (rank order); the backward sums the gradients of all ranks."""

    @staticmethod
    def forward(ctx, local, sizes, rank, group):
        ctx.sizes, ctx.rank, ctx.group = sizes, rank, group
        padded = local.new_zeros((max(sizes), *local.shape[1:]))
        padded[: len(local)] = local
        parts = [torch.empty_like(padded) for _ in sizes]
        dist.all_gather(parts, padded, group=group)
        return torch.cat([part[:n] for part, n in zip(parts, sizes)])

    @staticmethod
    def backward(ctx, grad):
        # every rank's loss reads every row: the gradient of a row is the sum over ranks
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, group=ctx.group)
        start = sum(ctx.sizes[: ctx.rank])
        return grad[start: start + ctx.sizes[ctx.rank]], None, None, None


class DataParallel:
    """This process's place in a process group and the collectives that keep ranks in step.

    Parameters
    ----------
    device : torch.device
        Where the collectives' tensors live (the training device: CPU with
        gloo, CUDA with NCCL).
    group : ProcessGroup, default=None
        The default group when ``None``.
    """

    def __init__(self, device, group=None):
        self.device = device
        self.group = group
        self.rank = dist.get_rank(group)
        self.world_size = dist.get_world_size(group)

    def sizes(self, n):
        """Rows of each rank in a global batch of ``n`` rows."""
        base, extra = divmod(n, self.world_size)
        return [base + (r < extra) for r in range(self.world_size)]

    def local(self, rows):
        """This rank's contiguous share of the global batch ``rows`` (first dimension)."""
        return torch.tensor_split(rows, self.world_size)[self.rank]

    def gather(self, local, sizes):
        """All ranks' rows in rank order (rank ``r`` holds ``sizes[r]``), differentiable."""
        return _GatherRows.apply(local, list(sizes), self.rank, self.group)

    def all_reduce(self, tensor):
        """Sum ``tensor`` over the ranks, in place; returns it."""
        dist.all_reduce(tensor, group=self.group)
        return tensor

    def sum(self, values):
        """Sum a list of floats over the ranks (float64)."""
        total = torch.tensor(values, dtype=torch.float64, device=self.device)
        return self.all_reduce(total).tolist()

    def broadcast(self, tensor, src=0):
        """Overwrite ``tensor`` with rank ``src``'s, in place; returns it."""
        dist.broadcast(tensor, src, group=self.group)
        return tensor

    @torch.no_grad()
    def broadcast_module(self, module, src=0):
        """Give every rank rank ``src``'s parameters and buffers."""
        for tensor in [*module.parameters(), *module.buffers()]:
            self.broadcast(tensor.data, src)

    @torch.no_grad()
    def average_buffers(self, module):
        """Average the floating-point buffers (batch-norm running statistics) over the ranks."""
        for buffer in module.buffers():
            if buffer.is_floating_point():
                self.all_reduce(buffer).div_(self.world_size)

    @torch.no_grad()
    def all_reduce_gradients(self, params):
        """Sum the gradients of ``params`` over the ranks, in one collective.

        A parameter without gradient on every rank keeps ``grad = None`` (as a
        single process would); one with a gradient on some rank gets the sum.
        """
        params = list(params)
        if not params:
            return
        present = torch.tensor([float(p.grad is not None) for p in params], device=self.device)
        flat = torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).reshape(-1)
                          for p in params])
        self.all_reduce(present)
        self.all_reduce(flat)
        offset = 0
        for p, has_grad in zip(params, present.tolist()):
            n = p.numel()
            if has_grad:
                grad = flat[offset: offset + n].view_as(p)
                if p.grad is None:
                    p.grad = grad.clone()
                else:
                    p.grad.copy_(grad)
            offset += n

    def agree(self, ok):
        """``True`` on every rank when ``ok`` is true on every rank."""
        flag = torch.tensor([0.0 if ok else 1.0], device=self.device)
        return float(self.all_reduce(flag)) == 0.0

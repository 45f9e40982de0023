"""Batched supports with their Cholesky factors: the active sets of the LARS and OMP solvers."""

import torch

# Relative size under which a step length, a join denominator or a Cholesky
# pivot is treated as zero.
_EPS = 1e-11


class _Support:
    """Per-sample supports of a batch, packed in slots, with their Cholesky factor.

    Each sample ``b`` of the batch works on its own set of candidate points, the
    global indices ``ws[b]`` (``K`` of them). Its support occupies the slots
    ``0 .. count[b] - 1``; slot ``s`` holds the candidate position ``pos[b, s]``
    (-1 when free), its coefficient, the sign of its correlation and its row of
    ``G + rho I`` restricted to the candidates, so that ``coef @ rows`` is
    ``(G + rho I) c`` on the candidates. ``chol[b]`` is the lower Cholesky
    factor of the support's Gram matrix (identity on the free slots): a point
    entering appends one row to it, a point leaving refactors that sample.
    """

    def __init__(self, gram, ws, rho, capacity):
        b, k = ws.shape
        dev, dtype = gram.device, gram.dtype
        self.gram, self.ws = gram, ws
        self.rho = torch.as_tensor(rho, dtype=dtype, device=dev).expand(b)  # one per sample
        self.pos = torch.full((b, capacity), -1, dtype=torch.long, device=dev)
        self.rows = torch.zeros((b, capacity, k), dtype=dtype, device=dev)
        self.coef = torch.zeros((b, capacity), dtype=dtype, device=dev)
        self.sign = torch.zeros((b, capacity), dtype=dtype, device=dev)
        self.chol = torch.eye(capacity, dtype=dtype, device=dev).repeat(b, 1, 1)
        self.count = torch.zeros(b, dtype=torch.long, device=dev)

    _fields = ("ws", "rho", "pos", "rows", "coef", "sign", "chol", "count")

    @property
    def occupied(self):
        return self.pos >= 0

    def subset(self, keep):
        for name in self._fields:
            setattr(self, name, getattr(self, name)[keep])

    def add(self, batch_idx, pos, sign):
        """Append candidate ``pos[k]`` to the support of sample ``batch_idx[k]``."""
        if int(self.count[batch_idx].max()) >= self.pos.shape[1]:
            self._grow()
        slot = self.count[batch_idx]
        cand = self.ws[batch_idx]
        points = torch.gather(cand, 1, pos[:, None])
        new_rows = self.gram[points, cand]
        nb = pos.numel()
        arange = torch.arange(nb, device=pos.device)
        new_rows[arange, pos] += self.rho[batch_idx]
        self.pos[batch_idx, slot] = pos
        self.rows[batch_idx, slot] = new_rows
        self.coef[batch_idx, slot] = 0.0
        self.sign[batch_idx, slot] = sign
        self.count[batch_idx] = slot + 1
        # new row of the factor: solve L y = (Gram row of the new point), within the
        # width in use
        width = int(slot.max()) + 1
        all_rows = nb == self.pos.shape[0]
        chol = self.chol[:, :width, :width] if all_rows else self.chol[batch_idx, :width, :width]
        before = torch.arange(width, device=pos.device)[None, :] < slot[:, None]
        span = torch.arange(width, device=pos.device)[None, :]
        cross = self.rows[batch_idx[:, None], span, pos[:, None]] * before
        y = torch.linalg.solve_triangular(chol, cross[..., None], upper=False)[..., 0]
        diag = new_rows[arange, pos] - (y * y).sum(dim=1)
        floor = _EPS * new_rows[arange, pos].abs().clamp(min=1.0)
        y[arange, slot] = torch.sqrt(torch.clamp(diag, min=floor))
        self.chol[batch_idx, slot, :width] = y

    def remove(self, batch_idx, slot):
        """Remove slot ``slot[k]`` of sample ``batch_idx[k]``, keep the slots packed."""
        cap = self.pos.shape[1]
        base = torch.arange(cap, device=slot.device)[None, :].expand(slot.numel(), cap)
        perm = base + (base >= slot[:, None]).long()
        perm = perm.clamp(max=cap - 1)
        count = self.count[batch_idx] - 1
        free = base >= count[:, None]
        self.pos[batch_idx] = torch.gather(self.pos[batch_idx], 1, perm).masked_fill(free, -1)
        self.coef[batch_idx] = torch.gather(self.coef[batch_idx], 1, perm).masked_fill(free, 0.0)
        self.sign[batch_idx] = torch.gather(self.sign[batch_idx], 1, perm).masked_fill(free, 0.0)
        rows = self.rows[batch_idx]
        self.rows[batch_idx] = torch.gather(rows, 1, perm[:, :, None].expand_as(rows))
        self.count[batch_idx] = count
        width = max(int(count.max()), 1)
        self.chol[batch_idx, :width, :width] = _cholesky(self.gram_of_support(batch_idx, width))
        self.chol[batch_idx, count] = 0.0  # the freed slot: identity row
        self.chol[batch_idx, count, count] = 1.0

    def _grow(self):
        b, cap, k = self.rows.shape
        dev = self.rows.device
        self.pos = torch.cat([self.pos, self.pos.new_full((b, cap), -1)], dim=1)
        self.rows = torch.cat([self.rows, self.rows.new_zeros((b, cap, k))], dim=1)
        self.coef = torch.cat([self.coef, self.coef.new_zeros((b, cap))], dim=1)
        self.sign = torch.cat([self.sign, self.sign.new_zeros((b, cap))], dim=1)
        chol = torch.eye(2 * cap, dtype=self.chol.dtype, device=dev).repeat(b, 1, 1)
        chol[:, :cap, :cap] = self.chol
        self.chol = chol

    def gram_of_support(self, batch_idx, width):
        """Gram matrices of the supports of ``batch_idx`` on the first ``width`` slots,
        identity on the free slots."""
        pos = self.pos[batch_idx, :width]
        occ = pos >= 0
        cap = width
        span = torch.arange(width, device=pos.device)
        sub = self.rows[batch_idx[:, None, None], span[None, :, None], pos.clamp(min=0)[:, None, :]]
        both = occ[:, :, None] & occ[:, None, :]
        eye = torch.eye(cap, dtype=sub.dtype, device=sub.device)
        return torch.where(both, sub, eye)

    def solve(self, rhs):
        """``(Gram of the support)^-1 rhs`` per sample (``rhs`` zero on free slots)."""
        width = max(int(self.count.max()), 1)
        out = torch.zeros_like(rhs)
        out[:, :width] = torch.cholesky_solve(rhs[:, :width, None], self.chol[:, :width, :width])[..., 0]
        return out

    def product(self, vec):
        """``vec @ rows``: ``(G + rho I)`` applied to a slot vector, on the candidates."""
        width = max(int(self.count.max()), 1)
        return torch.bmm(vec[:, None, :width], self.rows[:, :width])[:, 0, :]

    def export(self, samples):
        """Flat ``(sample, point, coef)`` numpy arrays of the occupied slots."""
        occ = self.occupied
        points = torch.gather(self.ws, 1, self.pos.clamp(min=0))
        smp = samples[:, None].expand_as(points)
        return smp[occ].cpu().numpy(), points[occ].cpu().numpy(), self.coef[occ].cpu().numpy()


def _cholesky(matrix):
    """Batched lower Cholesky factors; near-singular matrices get a tiny diagonal shift."""
    chol, info = torch.linalg.cholesky_ex(matrix)
    if bool((info > 0).any()):
        eye = torch.eye(matrix.shape[1], dtype=matrix.dtype, device=matrix.device)
        shift = _EPS * matrix.diagonal(dim1=1, dim2=2).abs().amax(dim=1).clamp(min=1.0)
        for _ in range(8):
            bad = info > 0
            if not bool(bad.any()):
                break
            matrix = matrix + torch.where(bad, shift, 0.0)[:, None, None] * eye
            chol, info = torch.linalg.cholesky_ex(matrix)
            shift = shift * 100
    return chol

"""The self-expressive layer C (N x N, zero diagonal) with row-wise Adam.

A training step on a batch ``idx`` of n samples reads and writes only the n
rows ``C[idx]`` and their optimiser state: O(n * N) per step, never O(N^2).
"""

import torch
from torch import nn


class SelfExpression(nn.Module):
    """Self-expressive coefficients trained with a lazy (row-wise) Adam.

    Row ``i`` of ``coef`` expresses sample ``i``: ``z_hat_i = sum_j C[i, j] z_j``.
    Each row keeps its own Adam step count, so in full-batch mode this is
    exactly Adam over the whole matrix; in mini-batch mode rows outside the
    batch are left untouched (as ``torch.optim.SparseAdam`` does).

    Parameters
    ----------
    n_samples : int
    lr : float
        Adam learning rate for C.
    betas : tuple of float, default=(0.9, 0.999)
    eps : float, default=1e-8
    """

    def __init__(self, n_samples, lr, betas=(0.9, 0.999), eps=1e-8):
        super().__init__()
        self.lr = lr
        self.betas = betas
        self.eps = eps
        self.register_buffer("coef", torch.zeros(n_samples, n_samples))
        self.register_buffer("exp_avg", torch.zeros(n_samples, n_samples))
        self.register_buffer("exp_avg_sq", torch.zeros(n_samples, n_samples))
        self.register_buffer("row_steps", torch.zeros(n_samples, dtype=torch.long))

    def rows(self, idx):
        """A differentiable copy of ``C[idx]`` (the diagonal entries are zero)."""
        return self.coef[idx].requires_grad_(True)

    @staticmethod
    def express(rows, idx, bank, z):
        """``(C Z)_idx`` where Z is the bank with rows ``idx`` replaced by ``z``.

        Computed as ``rows @ bank + rows[:, idx] @ (z - bank[idx])``, so the
        bank is never copied and gradients reach ``z`` through the batch's
        own columns.
        """
        return rows @ bank + rows[:, idx] @ (z - bank[idx])

    @torch.no_grad()
    def step(self, idx, rows):
        """One Adam step on rows ``idx`` from ``rows.grad``; keeps diag(C) = 0."""
        grad = rows.grad
        diag = (torch.arange(len(idx), device=idx.device), idx)
        grad[diag] = 0.0
        beta1, beta2 = self.betas
        steps = self.row_steps[idx] + 1
        bias1 = 1 - beta1 ** steps.double()
        bias2 = 1 - beta2 ** steps.double()
        exp_avg = self.exp_avg[idx].mul_(beta1).add_(grad, alpha=1 - beta1)
        exp_avg_sq = self.exp_avg_sq[idx].mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        self.exp_avg[idx] = exp_avg
        self.exp_avg_sq[idx] = exp_avg_sq
        # rows <- rows - lr / bias1 * exp_avg / (sqrt(exp_avg_sq) / sqrt(bias2) + eps)
        denom = exp_avg_sq.sqrt_().div_(bias2.sqrt().to(grad.dtype)[:, None]).add_(self.eps)
        step_size = (self.lr / bias1).to(grad.dtype)[:, None]
        updated = rows.detach().addcdiv_(exp_avg.mul_(step_size), denom, value=-1.0)
        updated[diag] = 0.0
        self.coef[idx] = updated
        self.row_steps[idx] = steps

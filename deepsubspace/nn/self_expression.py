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


def ridge_self_expression(z, rest_gram, lam, *, return_rows=False):
    """Zero-diagonal ridge self-expression of the rows ``z`` over ``z`` and the rest of a dictionary.

    The dictionary Z is the rows ``z`` plus other rows whose Gram is
    ``rest_gram`` (h x h). Each row ``z_i`` is expressed by all the other rows::

        c_i = argmin_c ||z_i - c Z||^2 + lam ||c||^2   s.t.  c_i = 0.

    With ``M = (Z^T Z + lam I)^-1``, ``q_i = z_i M z_i^T`` and
    ``s_i = 1 / (1 - q_i)`` the solution is ``c_ij = s_i z_i M z_j^T``
    (``j != i``), so ``(C Z)_i = z_i - lam s_i z_i M``, the residual is
    ``lam^2 s_i^2 ||z_i M||^2`` and ``||c_i||^2 = s_i q_i - lam s_i^2 ||z_i M||^2``.
    ``M`` is applied through the Woodbury identity: with
    ``A = rest_gram + lam I``, ``W = A^-1 z^T`` and ``S = I_n + z W``,
    ``z M = S^-1 W^T`` and ``s_i = 1 / (S^-1)_ii``. ``A`` is factorised once
    (O(h^3), no gradient); everything that carries gradients to ``z`` is
    O(n h^2 + n^3). No N-sized quantity is formed.

    Parameters
    ----------
    z : Tensor of shape (n, h)
    rest_gram : Tensor of shape (h, h)
        Gram of the dictionary's other rows (no gradient flows into it).
    lam : float
        Ridge weight, > 0.

    Returns
    -------
    z_hat : Tensor of shape (n, h)
        ``(C Z)_i`` for every row.
    residual : Tensor of shape (n,)
        ``||z_i - (C Z)_i||^2``.
    coef_norm : Tensor of shape (n,)
        ``||c_i||^2``.
    zm, s : Tensor of shape (n, h) and (n,)
        Only with ``return_rows=True``: ``z_i M`` and ``s_i``, from which
        the rows of C are ``s_i z_i M z_j^T`` (:func:`ridge_rows`).
    """
    n, h = z.shape
    with torch.no_grad():
        eye_h = torch.eye(h, dtype=rest_gram.dtype, device=rest_gram.device)
        factor = torch.linalg.cholesky(rest_gram + lam * eye_h)
    w = torch.cholesky_solve(z.T, factor)  # A^-1 z^T, h x n
    s_mat = torch.eye(n, dtype=z.dtype, device=z.device) + z @ w
    s_inv = torch.linalg.inv(s_mat)
    zm = s_inv @ w.T  # rows z_i M
    s = 1.0 / torch.diagonal(s_inv)
    q = 1.0 - torch.diagonal(s_inv)
    zm_sq = torch.sum(zm * zm, dim=1)
    z_hat = z - (lam * s)[:, None] * zm
    terms = (z_hat, lam**2 * s**2 * zm_sq, s * q - lam * s**2 * zm_sq)
    return terms + (zm, s) if return_rows else terms


def ridge_rows(zm, s, idx, dictionary, batch=None):
    """Rows ``idx`` of the zero-diagonal ridge C over ``dictionary`` (N x h): ``s_i z_i M Z^T``.

    ``zm`` and ``s`` as returned by :func:`ridge_self_expression` (or for
    fixed features, :meth:`ClosedFormSelfExpression.fixed_rows`), where row ``i``
    of ``zm`` belongs to sample ``idx[i]`` of the dictionary; entry
    ``(i, idx[i])`` is set to zero. With ``batch`` the dictionary's rows
    ``idx`` are taken as ``batch`` (as :meth:`SelfExpression.express` does:
    the dictionary is not copied). Differentiable in ``zm``, ``s``,
    ``dictionary`` and ``batch``; O(n N h), an n x N result.
    """
    product = zm @ dictionary.T
    if batch is not None:
        product = product.index_add(1, idx, zm @ (batch - dictionary[idx]).T)
    block = s[:, None] * product
    return block.index_put((torch.arange(len(idx), device=block.device), idx), block.new_zeros(len(idx)))


class ClosedFormSelfExpression(nn.Module):
    """The exact C-step: C is the zero-diagonal ridge solution on the current bank.

    Nothing N x N exists during training: a step on batch ``idx`` with features
    ``z`` needs the bank only through its h x h Gram (kept by the
    :class:`~deepsubspace.nn.memory_bank.MemoryBank`), with the batch's rows
    replaced by ``z`` so that the encoder gets gradients through them. C itself
    is formed only on request (:meth:`coefficients`).

    Parameters
    ----------
    lam : float
        Ridge weight, > 0 (``beta / alpha`` in the estimators).
    """

    def __init__(self, lam):
        super().__init__()
        self.lam = lam

    def batch_terms(self, idx, z, bank, *, return_rows=False, rest_gram=None):
        """``(C Z)_idx``, ``||Z_idx - (C Z)_idx||^2`` and ``||C_idx||^2`` (summed over the batch).

        With ``return_rows=True`` also ``C[idx]`` (n x N, differentiable in
        ``z``: the dictionary is the bank with rows ``idx`` replaced by ``z``).
        ``rest_gram``: ``bank.gram_without(idx)`` when the caller has it already.
        """
        if rest_gram is None:
            rest_gram = bank.gram_without(idx)
        out = ridge_self_expression(z.to(torch.float64), rest_gram, self.lam,
                                    return_rows=return_rows)
        z_hat, residual, coef_norm = out[:3]
        terms = (z_hat.to(z.dtype), residual.sum().to(z.dtype), coef_norm.sum().to(z.dtype))
        if not return_rows:
            return terms
        zm, s = out[3].to(z.dtype), out[4].to(z.dtype)
        return terms + (ridge_rows(zm, s, idx, bank.features, batch=z),)

    def step(self, idx, state):
        """Nothing to update: C follows the bank."""

    def _factor(self, z):
        """Cholesky factor of ``Z^T Z + lam I`` (h x h)."""
        eye = torch.eye(z.shape[1], dtype=z.dtype, device=z.device)
        return torch.linalg.cholesky(z.T @ z + self.lam * eye)

    @staticmethod
    def _rows(z, factor, rows):
        """``C[rows]`` of the zero-diagonal C on ``z`` (float64) with ``factor`` of its Gram."""
        zm = torch.cholesky_solve(z[rows].T, factor).T
        s = 1.0 / (1.0 - torch.sum(zm * z[rows], dim=1))
        return ridge_rows(zm, s, rows, z)

    def _row_blocks(self, features, block_size):
        """Yield ``(rows, C[rows])`` of the zero-diagonal C on ``features``, block by block."""
        z = features.to(torch.float64)
        factor = self._factor(z)
        for start in range(0, len(z), block_size):
            rows = torch.arange(start, min(start + block_size, len(z)), device=z.device)
            yield rows, self._rows(z, factor, rows)

    @torch.no_grad()
    def fixed_rows(self, features):
        """A function ``idx -> C[idx]`` (float64) of the zero-diagonal C on fixed ``features``.

        The h x h factor is computed once; each call costs O(n N h) for n
        rows. The anchor of the estimators uses it for C on the inputs.
        """
        z = features.to(torch.float64)
        factor = self._factor(z)
        return lambda idx: self._rows(z, factor, idx)

    @torch.no_grad()
    def coefficients(self, features, block_size=1024):
        """Dense C (float64) on ``features``, computed in row blocks."""
        n = len(features)
        coef = torch.empty(n, n, dtype=torch.float64, device=features.device)
        for rows, block in self._row_blocks(features, block_size):
            coef[rows] = block
        return coef

    @torch.no_grad()
    def top_k_coefficients(self, features, k, block_size=1024):
        """The ``k`` entries of largest magnitude of every row of C, block by block.

        Returns ``(indices, values)``, both of shape (N, k): row ``i`` keeps
        the columns ``indices[i]`` (never ``i`` itself) of C; memory
        O(block_size * N + N k), never N x N.
        """
        n = len(features)
        k = min(k, n - 1)
        indices = torch.empty(n, k, dtype=torch.long, device=features.device)
        values = torch.empty(n, k, dtype=torch.float64, device=features.device)
        for rows, block in self._row_blocks(features, block_size):
            top = torch.topk(block.abs(), k, dim=1).indices
            indices[rows] = top
            values[rows] = torch.gather(block, 1, top)
        return indices, values

    @torch.no_grad()
    def coefficients_of_new(self, queries, features, block_size=1024):
        """Ridge coefficients of new rows over the bank, block by block.

        Row ``q`` (not a sample of the bank, so nothing is excluded) gets
        ``c = argmin ||q - c Z||^2 + lam ||c||^2 = q (Z^T Z + lam I)^-1 Z^T``.
        Yields ``(rows, C_block)`` with ``C_block`` of shape (block, N): memory
        O(block_size * N), never (queries x N) at once.
        """
        z = features.to(torch.float64)
        factor = self._factor(z)
        q = queries.to(torch.float64)
        for start in range(0, len(q), block_size):
            rows = slice(start, min(start + block_size, len(q)))
            yield rows, torch.cholesky_solve(q[rows].T, factor).T @ z.T

"""Orthogonal matching pursuit self-expression (SSC-OMP), batched with torch."""

from contextlib import nullcontext as _nullcontext

import torch

from .._device import resolve_device
from ._common import _batch_slices, _gram, _rows, _to_csr, _torch_threads
from ._support import _EPS, _Support


def _omp_batch(gram, samples, n_nonzero, tol):
    dev = gram.device
    b, n = samples.numel(), gram.shape[0]
    arange = torch.arange(b, device=dev)
    target = gram[samples]
    corr = target.clone()
    blocked = torch.zeros((b, n), dtype=torch.bool, device=dev)
    blocked[arange, samples] = True
    support = _Support(gram, torch.arange(n, device=dev).expand(b, n), 0.0, max(n_nonzero, 1))
    running = torch.ones(b, dtype=torch.bool, device=dev)
    for _ in range(n_nonzero):
        best_score, best = torch.where(blocked, -1.0, corr.abs()).max(dim=1)
        running = running & (best_score > _EPS)
        if not bool(running.any()):
            break
        rb, rp = arange[running], best[running]
        support.add(rb, rp, torch.zeros_like(rp, dtype=gram.dtype))
        blocked[rb, rp] = True
        # least squares on the selected points (rows of finished samples unchanged)
        occ = support.occupied
        rhs = torch.gather(target, 1, support.pos.clamp(min=0)) * occ
        coef = support.solve(rhs) * occ
        support.coef = torch.where(running[:, None], coef, support.coef)
        corr = target - support.product(support.coef)
        # squared residual of the unit-norm x_j at the least-squares optimum: 1 - g^T c
        residual = 1.0 - (rhs * support.coef).sum(dim=1)
        running = running & (residual > tol)
    return support.export(samples)


def _omp(gram, n_nonzero, tol):
    n = gram.shape[0]
    n_nonzero = min(n_nonzero, n - 1)
    with _torch_threads(1) if gram.device.type == "cpu" else _nullcontext():
        parts = [
            _omp_batch(gram, torch.arange(sl.start, sl.stop, device=gram.device), n_nonzero, tol)
            for sl in _batch_slices(n, 8 * n * (n_nonzero + 4))
        ]
    return _to_csr(n, *[[p[i] for p in parts] for i in range(3)])


def omp_representation(X, n_nonzero=10, tol=1e-6, *, device="cpu", normalize_input=True):
    """Self-expressive coefficients by orthogonal matching pursuit (SSC-OMP).

    For every sample ``j``, greedily selects up to ``n_nonzero`` other samples
    (each time the one most correlated with the current residual), fits
    ``x_j`` by least squares on the selection, and stops early once the
    squared residual of the unit-norm ``x_j`` falls to ``tol``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data, one sample a row.
    n_nonzero : int, default=10
        Maximum number of non-zero coefficients per sample.
    tol : float, default=1e-6
        Squared residual at which the selection stops.
    device : str, default="cpu"
        Torch device: ``"cpu"``, ``"cuda[:N]"`` or ``"auto"``.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm first.

    Returns
    -------
    coef : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Row ``j`` holds the least-squares coefficients of ``x_j`` on its
        selected samples; the diagonal is zero.
    """
    X = _rows(X, normalize_input)
    return _omp(_gram(X, resolve_device(device)), n_nonzero, tol)

"""Least squares regression (LSR) self-expression: the closed-form ridge solution."""

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from ._common import _rows, _to_csr


def _lsr_samples(Z, lam):
    """LSR through the N x N system: ``P = (Z Z^T + lam I)^-1``, ``C = I - diag(P)^-1 P``."""
    n = Z.shape[0]
    kernel = Z @ Z.T
    kernel.flat[:: n + 1] += lam
    coef = cho_solve(cho_factor(kernel, overwrite_a=True), np.eye(n, order="F"), overwrite_b=True)
    coef /= -coef.diagonal().copy()[:, None]  # P is symmetric: row i of diag(P)^-1 P
    np.fill_diagonal(coef, 0.0)
    return coef


def _lsr_features(Z, lam):
    """LSR through the D x D system: ``C[i, j] = z_i M z_j^T / (1 - z_i M z_i^T)``,
    ``M = (Z^T Z + lam I)^-1``."""
    d = Z.shape[1]
    gram = Z.T @ Z
    gram.flat[:: d + 1] += lam
    zm = cho_solve(cho_factor(gram, overwrite_a=True), Z.T).T  # rows z_i M
    zm /= (1.0 - np.einsum("ij,ij->i", zm, Z))[:, None]
    coef = zm @ Z.T  # written once, no N x N temporary
    np.fill_diagonal(coef, 0.0)
    return coef


def _least_squares(Z, lam):
    return _lsr_samples(Z, lam) if Z.shape[0] <= Z.shape[1] else _lsr_features(Z, lam)


def _top_k_rows(coef, k):
    """CSR keeping the ``k`` entries of largest magnitude of every row of the zero-diagonal ``coef``."""
    n = coef.shape[0]
    k = min(k, n - 1)
    magnitude = np.abs(coef)
    np.fill_diagonal(magnitude, -1.0)  # the diagonal is never kept, even where a row is all zero
    columns = np.argpartition(-magnitude, k - 1, axis=1)[:, :k]
    return _to_csr(n, [np.repeat(np.arange(n), k)], [columns.ravel()],
                   [np.take_along_axis(coef, columns, axis=1).ravel()])


def least_squares_representation(X, lam=0.1, *, normalize_input=True):
    """Self-expressive coefficients of least squares regression (LSR).

    For every sample ``i`` solves the ridge problem::

        min_c  ||x_i - sum_{j != i} c_j x_j||_2^2 + lam ||c||_2^2,    c_i = 0,

    in closed form for all the samples at once, through the smaller of the
    ``n_features x n_features`` and ``n_samples x n_samples`` Gram systems
    (Cholesky, float64); see :class:`LeastSquaresSubspaceClustering`.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data, one sample a row.
    lam : float, default=0.1
        Ridge weight, ``> 0``.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm first.

    Returns
    -------
    coef : ndarray of shape (n_samples, n_samples)
        Dense, float64; row ``i`` holds the coefficients of ``x_i``; the
        diagonal is zero.
    """
    if not lam > 0:
        raise ValueError(f"lam must be > 0, got {lam!r}.")
    return _least_squares(_rows(X, normalize_input), float(lam))

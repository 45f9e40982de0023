"""Classical self-expressive subspace clustering: SSC, EnSC, SSC-OMP and LSR.

Every estimator of this module follows the same three steps:

1. the rows of ``X`` are scaled to unit l2 norm;
2. a self-expressive coefficient matrix ``C`` is computed, row ``j``
   expressing sample ``j`` by the others, ``x_j ~ sum_i C[j, i] x_i`` with
   ``C[j, j] = 0``; only this step differs between the estimators;
3. the shared :func:`~deepsubspace.affinity.affinity_from_coefficients`
   (``|C| + |C|^T`` by default for the sparse ``C`` of SSC, EnSC and SSC-OMP,
   the DSC post-processing for the dense ``C`` of LSR) and
   :func:`~deepsubspace.affinity.spectral_labels` give the labels.

The elastic-net problem of EnSC (You, Li, Robinson and Vidal, CVPR 2016) for
sample ``j`` is::

    min_c  tau * ||c||_1 + (1 - tau) / 2 * ||c||_2^2 + gamma / 2 * ||x_j - X^T c||_2^2
    s.t.   c_j = 0,

and SSC (Elhamifar and Vidal, TPAMI 2013) is its ``tau = 1`` case. Both only
need the Gram matrix ``G = X X^T``: dividing by ``gamma`` the problem reads::

    min_c  lam * ||c||_1 + 1/2 * c^T (G + rho I) c - g_j^T c,   c_j = 0,
    with   lam = tau / gamma,  rho = (1 - tau) / gamma,  g_j = G[:, j].

The default solver (``algorithm="lasso_lars"``) follows the exact piecewise
linear solution path of this problem in ``lam`` (the LARS-lasso homotopy),
from ``lam = max_i |G[i, j]|`` where ``c = 0`` down to the requested value, for
a batch of samples at once (torch, CPU by default, or a GPU). At each step only
the Gram rows of the points in the current support are used and the optimality
conditions are checked over all points, so the support is an exact, oracle
guided active set: a point enters when its correlation with the residual
reaches the threshold and leaves when its coefficient crosses zero. The
solution is exact up to rounding, zeros are exact zeros, and the cost grows
with the number of non-zeros rather than with an iteration count.
"""

from ._elastic_net import elastic_net_representation
from ._estimators import (
    ElasticNetSubspaceClustering,
    LeastSquaresSubspaceClustering,
    OrthogonalMatchingPursuitSubspaceClustering,
    SparseSubspaceClustering,
)
from ._least_squares import _lsr_features, _lsr_samples, least_squares_representation  # noqa: F401
from ._omp import omp_representation

__all__ = [
    "ElasticNetSubspaceClustering",
    "LeastSquaresSubspaceClustering",
    "OrthogonalMatchingPursuitSubspaceClustering",
    "SparseSubspaceClustering",
    "elastic_net_representation",
    "least_squares_representation",
    "omp_representation",
]

"""Classical self-expressive subspace clustering: SSC, EnSC and SSC-OMP.

Every estimator of this module follows the same three steps:

1. the rows of ``X`` are scaled to unit l2 norm;
2. a self-expressive coefficient matrix ``C`` is computed, row ``j``
   expressing sample ``j`` by the others, ``x_j ~ sum_i C[j, i] x_i`` with
   ``C[j, j] = 0``; only this step differs between the estimators;
3. the shared :func:`~deepsubspace.affinity.affinity_from_coefficients`
   (``|C| + |C|^T`` by default) and
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

import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state, gen_even_slices
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .affinity import affinity_from_coefficients, spectral_labels

__all__ = [
    "ElasticNetSubspaceClustering",
    "OrthogonalMatchingPursuitSubspaceClustering",
    "SparseSubspaceClustering",
    "elastic_net_representation",
    "omp_representation",
]

# Memory budget (bytes) of the Gram rows held for one batch of samples.
_BATCH_BYTES = 256 * 2**20
# Relative size under which a step length, a join denominator or a Cholesky
# pivot is treated as zero.
_EPS = 1e-11


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #
def _resolve_device(device):
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    resolved = torch.device(device)
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available; use 'cpu' or 'auto'."
        )
    if resolved.type not in ("cpu", "cuda"):
        raise ValueError(f"Unsupported device {device!r}; expected 'cpu', 'cuda[:N]' or 'auto'.")
    return resolved


def _unit_rows(X):
    """Rows scaled to unit l2 norm in float64 (all-zero rows stay zero)."""
    return normalize(np.asarray(X, dtype=np.float64), norm="l2", axis=1)


def _to_csr(n_samples, rows, cols, vals):
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    vals = np.concatenate(vals) if vals else np.zeros(0)
    keep = (vals != 0) & (rows != cols)
    coef = sparse.csr_matrix(
        (vals[keep], (rows[keep], cols[keep])), shape=(n_samples, n_samples), dtype=np.float64
    )
    coef.sum_duplicates()
    coef.sort_indices()
    return coef


def _batches(n_samples, n_rows_per_sample, batch_size=None):
    """Slices of samples such that a batch holds about _BATCH_BYTES of Gram rows."""
    if batch_size is None:
        batch_size = _BATCH_BYTES // max(1, 8 * n_rows_per_sample * n_samples)
    batch_size = int(min(max(batch_size, 16), n_samples))
    return [slice(s, min(s + batch_size, n_samples)) for s in range(0, n_samples, batch_size)]


class _Support:
    """Per-sample supports of a batch, stored in fixed slots.

    ``points[b, s]`` is the point held by slot ``s`` of sample ``b`` (-1 when
    free) and ``rows[b, s]`` its row of ``G + rho I``, so that ``coef @ rows``
    is ``(G + rho I) c`` and the Gram matrix of the support is a gather.
    """

    def __init__(self, gram, rho, batch, capacity):
        self.gram, self.rho = gram, rho
        n = gram.shape[0]
        kw = dict(device=gram.device)
        self.points = torch.full((batch, capacity), -1, dtype=torch.long, **kw)
        self.rows = torch.zeros((batch, capacity, n), dtype=gram.dtype, **kw)
        self.coef = torch.zeros((batch, capacity), dtype=gram.dtype, **kw)

    @property
    def occupied(self):
        return self.points >= 0

    def subset(self, keep):
        self.points, self.rows, self.coef = self.points[keep], self.rows[keep], self.coef[keep]

    def add(self, batch_idx, point_idx):
        """Put ``point_idx[k]`` in a free slot of sample ``batch_idx[k]``; return the slots."""
        free = ~self.occupied[batch_idx]
        if not bool(free.any(dim=1).all()):
            self._grow()
            free = ~self.occupied[batch_idx]
        slot = torch.argmax(free.to(torch.int8), dim=1)
        self.points[batch_idx, slot] = point_idx
        new_rows = self.gram[point_idx]
        if self.rho:
            new_rows = new_rows.clone()
            new_rows[torch.arange(point_idx.numel(), device=new_rows.device), point_idx] += self.rho
        self.rows[batch_idx, slot] = new_rows
        self.coef[batch_idx, slot] = 0.0
        return slot

    def remove(self, batch_idx, slot):
        self.points[batch_idx, slot] = -1
        self.coef[batch_idx, slot] = 0.0

    def _grow(self):
        b, cap, n = self.rows.shape
        pad = cap
        self.points = torch.cat([self.points, self.points.new_full((b, pad), -1)], dim=1)
        self.rows = torch.cat([self.rows, self.rows.new_zeros((b, pad, n))], dim=1)
        self.coef = torch.cat([self.coef, self.coef.new_zeros((b, pad))], dim=1)

    def gram_of_support(self):
        """Batched Gram matrix of the supports, identity on the free slots."""
        occ = self.occupied
        cap = occ.shape[1]
        idx = self.points.clamp(min=0)
        sub = torch.gather(self.rows, 2, idx[:, None, :].expand(-1, cap, -1))
        both = occ[:, :, None] & occ[:, None, :]
        eye = torch.eye(cap, dtype=sub.dtype, device=sub.device)
        return torch.where(both, sub, eye)

    def product(self, vec):
        """``vec @ rows``: (G + rho I) applied to the slot vector ``vec``."""
        return torch.bmm(vec[:, None, :], self.rows)[:, 0, :]


def _cholesky_solve(matrix, rhs):
    """Solve batched SPD systems; near-singular ones get a tiny diagonal shift."""
    chol, info = torch.linalg.cholesky_ex(matrix)
    if bool((info > 0).any()):
        scale = matrix.diagonal(dim1=1, dim2=2).abs().amax(dim=1).clamp(min=1.0)
        shift = 1e-10 * scale
        for _ in range(6):
            bad = info > 0
            if not bool(bad.any()):
                break
            eye = torch.eye(matrix.shape[1], dtype=matrix.dtype, device=matrix.device)
            matrix = matrix + torch.where(bad, shift, 0.0)[:, None, None] * eye
            chol, info = torch.linalg.cholesky_ex(matrix)
            shift = shift * 100
    return torch.cholesky_solve(rhs[..., None], chol)[..., 0]


# --------------------------------------------------------------------------- #
# elastic net: batched LARS-lasso homotopy
# --------------------------------------------------------------------------- #
def _homotopy_batch(gram, samples, lam, rho, max_iter, tol, capacity=16):
    """Exact elastic-net solutions for the samples ``samples`` (a LongTensor).

    Returns ``(sample, points, coef)`` triples as numpy arrays and the number of
    samples that reached ``max_iter`` path steps.
    """
    dev, dtype = gram.device, gram.dtype
    n = gram.shape[0]
    b = samples.numel()
    target = gram[samples]  # g_j: right-hand sides, shape (b, n)
    corr = target.clone()  # g_j - (G + rho I) c
    blocked = torch.zeros((b, n), dtype=torch.bool, device=dev)  # self and support
    arange = torch.arange(b, device=dev)
    blocked[arange, samples] = True
    lmb = torch.where(blocked, 0.0, corr.abs()).amax(dim=1)  # current path parameter
    sign = torch.zeros((b, capacity), dtype=dtype, device=dev)
    support = _Support(gram, rho, b, capacity)
    last_drop = torch.full((b,), -1, dtype=torch.long, device=dev)
    steps = torch.zeros(b, dtype=torch.long, device=dev)
    out, n_unconverged = [], 0
    inf = torch.tensor(math.inf, dtype=dtype, device=dev)

    # first point of each path: the most correlated one
    running = lmb > lam
    first = torch.argmax(torch.where(blocked, -1.0, corr.abs()), dim=1)
    if bool(running.any()):
        rb = arange[running]
        slot = support.add(rb, first[running])
        sign = _fit_width(sign, support.points.shape[1])
        sign[rb, slot] = torch.sign(corr[rb, first[running]])
        blocked[rb, first[running]] = True

    def finish(mask):
        nonlocal n_unconverged
        if not bool(mask.any()):
            return
        pts, cf = support.points[mask], support.coef[mask]
        # optimality check: no free point may correlate above lam with the residual
        resid = target[mask] - torch.bmm(cf[:, None, :], support.rows[mask])[:, 0, :]
        excess = torch.where(blocked[mask], 0.0, resid.abs()).amax(dim=1) - lam
        n_unconverged += int((excess > tol * lam + 1e-12).sum())
        smp = samples[mask][:, None].expand_as(pts)
        occ = pts >= 0
        out.append((smp[occ].cpu().numpy(), pts[occ].cpu().numpy(), cf[occ].cpu().numpy()))

    step = 0
    while True:
        if not bool(running.any()):
            break
        # drop the finished rows once they are the majority
        if int(running.sum()) <= 0.5 * running.numel():
            finish(~running)
            keep = running
            support.subset(keep)
            sign, target, corr, blocked = sign[keep], target[keep], corr[keep], blocked[keep]
            lmb, last_drop, steps, samples = lmb[keep], last_drop[keep], steps[keep], samples[keep]
            running = running[keep]
            arange = torch.arange(running.numel(), device=dev)
        step += 1
        sign = _fit_width(sign, support.points.shape[1])
        occ = support.occupied
        if step % 16 == 0:  # remove the rounding drift of the running update
            corr = target - support.product(support.coef)
        direction = _cholesky_solve(support.gram_of_support(), sign) * occ
        velocity = support.product(direction)  # d corr / d t = -velocity
        lm = lmb[:, None]
        cand = ~blocked
        cand[arange, last_drop.clamp(min=0)] &= last_drop < 0
        den_pos, den_neg = 1.0 - velocity, 1.0 + velocity
        t_pos = torch.where(den_pos > _EPS, (lm - corr) / den_pos.clamp(min=_EPS), inf)
        t_neg = torch.where(den_neg > _EPS, (lm + corr) / den_neg.clamp(min=_EPS), inf)
        t_join_all = torch.where(cand, torch.minimum(t_pos, t_neg).clamp(min=0.0), inf)
        t_join, join_pt = t_join_all.min(dim=1)
        crossing = occ & (support.coef * direction < 0)
        t_drop_all = torch.where(crossing, -support.coef / torch.where(crossing, direction, 1.0), inf)
        t_drop, drop_slot = t_drop_all.min(dim=1)
        t_end = lmb - lam
        t = torch.minimum(torch.minimum(t_join, t_drop), t_end).clamp(min=0.0)
        t = torch.where(running, t, 0.0)
        support.coef = support.coef + t[:, None] * direction
        corr = corr - t[:, None] * velocity
        lmb = lmb - t
        steps = steps + running.long()

        ends = running & (t_end <= torch.minimum(t_join, t_drop))
        drops = running & ~ends & (t_drop < t_join)
        joins = running & ~ends & ~drops
        last_drop = torch.where(running, -1, last_drop)
        if bool(drops.any()):
            db, ds = arange[drops], drop_slot[drops]
            pts = support.points[db, ds]
            blocked[db, pts] = False
            last_drop[db] = pts
            support.remove(db, ds)
            sign[db, ds] = 0.0
        if bool(joins.any()):
            jb, jp = arange[joins], join_pt[joins]
            slot = support.add(jb, jp)
            sign = _fit_width(sign, support.points.shape[1])
            sign[jb, slot] = torch.sign(corr[jb, jp])
            blocked[jb, jp] = True
        running = running & ~ends
        running = running & (steps < max_iter)  # unfinished rows fail the final check

    finish(torch.ones(samples.numel(), dtype=torch.bool, device=dev))
    return out, n_unconverged


def _fit_width(sign, width):
    if sign.shape[1] < width:
        sign = torch.cat([sign, sign.new_zeros((sign.shape[0], width - sign.shape[1]))], dim=1)
    return sign


def _enet_lars(X, gamma, tau, *, max_iter, tol, device, n_jobs, batch_size=None):
    dev = _resolve_device(device)
    n = X.shape[0]
    gram = torch.from_numpy(X).to(dev) @ torch.from_numpy(X).to(dev).T
    lam, rho = tau / gamma, (1.0 - tau) / gamma
    slices = _batches(n, 32, batch_size)

    def run(sl):
        idx = torch.arange(sl.start, sl.stop, device=dev)
        return _homotopy_batch(gram, idx, lam, rho, max_iter, tol)

    if dev.type == "cpu" and n_jobs not in (None, 1) and len(slices) > 1:
        results = Parallel(n_jobs=n_jobs, prefer="threads")(delayed(run)(sl) for sl in slices)
    else:
        results = [run(sl) for sl in slices]
    parts = [p for res, _ in results for p in res]
    n_bad = sum(bad for _, bad in results)
    if n_bad:
        warnings.warn(
            f"The elastic-net path did not reach the requested penalty for {n_bad} sample(s) "
            f"within max_iter={max_iter} steps (or failed the optimality check at tol={tol}); "
            "increase max_iter.",
            ConvergenceWarning,
        )
    return _to_csr(n, [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts])


# --------------------------------------------------------------------------- #
# elastic net: scikit-learn coordinate descent on an oracle-guided active set
# --------------------------------------------------------------------------- #
def _enet_cd_one(X, gram, j, gamma, tau, active_support, support_size, max_iter, tol):
    n, d = X.shape
    # sklearn's ElasticNet minimises 1/(2 d) ||y - A w||^2 + a*r ||w||_1 + a*(1-r)/2 ||w||^2;
    # dividing our objective by gamma * d gives a = 1 / (gamma * d), r = tau.
    model = ElasticNet(
        alpha=1.0 / (gamma * d), l1_ratio=tau, fit_intercept=False, max_iter=max_iter,
        tol=tol, selection="cyclic",
    )
    g = gram[j]
    others = np.flatnonzero(np.arange(n) != j)
    if not active_support or others.size <= support_size:
        supp = others
    else:
        coherence = np.abs(g[others])
        supp = others[np.argpartition(-coherence, support_size - 1)[:support_size]]
    lam = tau / gamma
    coef = np.zeros(0)
    for _ in range(n):  # every pass strictly enlarges a support that stays finite
        sub_gram = np.ascontiguousarray(gram[np.ix_(supp, supp)])
        model.set_params(precompute=sub_gram)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X[supp].T, X[j])
        coef = model.coef_
        if supp.size == others.size:
            break
        nz = coef != 0
        active, coef_a = supp[nz], coef[nz]
        # oracle point: scaled residual correlations of every point
        corr = g - gram[:, active] @ coef_a
        corr[supp] = 0.0
        corr[j] = 0.0
        violators = np.flatnonzero(np.abs(corr) > lam * (1.0 + tol))
        if violators.size == 0:
            break
        room = max(support_size - active.size, 1)
        if active.size > 0.8 * support_size:
            support_size = min(int(math.ceil(1.1 * support_size)), others.size)
            room = max(support_size - active.size, 1)
        if violators.size > room:
            violators = violators[np.argpartition(-np.abs(corr[violators]), room - 1)[:room]]
        supp, coef = np.concatenate([active, violators]), coef_a
        supp = np.concatenate([active, violators])
    nz = coef != 0
    return supp[nz], coef[nz]


def _enet_cd(X, gamma, tau, *, active_support, max_iter, tol, n_jobs, support_size=100):
    n = X.shape[0]
    gram = X @ X.T

    def run(sl):
        res = []
        for j in range(sl.start, sl.stop):
            pts, cf = _enet_cd_one(X, gram, j, gamma, tau, active_support, support_size,
                                   max_iter, tol)
            res.append((np.full(pts.size, j), pts, cf))
        return res

    n_chunks = max(1, min(n, 8 * (1 if n_jobs in (None, 1) else abs(n_jobs) * 4)))
    slices = list(gen_even_slices(n, n_chunks))
    results = Parallel(n_jobs=n_jobs)(delayed(run)(sl) for sl in slices)
    parts = [p for res in results for p in res]
    return _to_csr(n, [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts])


def elastic_net_representation(
    X, gamma=50.0, tau=1.0, *, algorithm="lasso_lars", active_support=True, max_iter=1000,
    tol=1e-6, n_jobs=None, device="cpu", normalize_rows=True,
):
    """Self-expressive coefficients of the elastic-net problem of EnSC.

    For every sample ``j`` solves::

        min_c  tau ||c||_1 + (1 - tau)/2 ||c||_2^2 + gamma/2 ||x_j - sum_i c_i x_i||_2^2,
        s.t.   c_j = 0,

    and stores ``c`` as row ``j`` of the result.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Data, one sample a row.
    gamma : float, default=50.0
        Weight of the data term.
    tau : float, default=1.0
        Balance of the l1 and squared l2 penalties, in ``(0, 1]``.
    algorithm : {"lasso_lars", "lasso_cd"}, default="lasso_lars"
        ``"lasso_lars"``: exact batched LARS-lasso homotopy (torch).
        ``"lasso_cd"``: scikit-learn's :class:`~sklearn.linear_model.ElasticNet`
        per sample (coordinate descent on a precomputed Gram matrix).
    active_support : bool, default=True
        ``"lasso_cd"`` only: solve on an oracle-guided active set (start from
        the 100 most coherent points, add the points violating the optimality
        condition, repeat) instead of on all the other points. The homotopy is
        an active-set method by construction.
    max_iter : int, default=1000
        Per sample: path steps (``"lasso_lars"``) or coordinate-descent epochs
        per active-set pass (``"lasso_cd"``).
    tol : float, default=1e-6
        Relative optimality tolerance: a point outside the support violates
        optimality when ``gamma |x_i^T (x_j - X^T c)| > tau (1 + tol)``. Also
        the coordinate-descent tolerance for ``"lasso_cd"``.
    n_jobs : int, default=None
        Parallel jobs over batches of samples (threads for ``"lasso_lars"`` on
        CPU, processes for ``"lasso_cd"``).
    device : str, default="cpu"
        Torch device of ``"lasso_lars"``: ``"cpu"``, ``"cuda[:N]"`` or ``"auto"``.
    normalize_rows : bool, default=True
        Scale the rows of ``X`` to unit l2 norm first.

    Returns
    -------
    coef : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Exact zeros are not stored; the diagonal is zero.
    """
    X = _unit_rows(X) if normalize_rows else np.asarray(X, dtype=np.float64)
    if algorithm == "lasso_lars":
        return _enet_lars(X, gamma, tau, max_iter=max_iter, tol=tol, device=device, n_jobs=n_jobs)
    if algorithm == "lasso_cd":
        return _enet_cd(X, gamma, tau, active_support=active_support, max_iter=max_iter, tol=tol,
                        n_jobs=n_jobs)
    raise ValueError(f"algorithm must be 'lasso_lars' or 'lasso_cd', got {algorithm!r}.")


# --------------------------------------------------------------------------- #
# orthogonal matching pursuit (SSC-OMP)
# --------------------------------------------------------------------------- #
def _omp_batch(gram, samples, n_nonzero, tol):
    dev = gram.device
    b, n = samples.numel(), gram.shape[0]
    arange = torch.arange(b, device=dev)
    target = gram[samples]
    corr = target.clone()
    blocked = torch.zeros((b, n), dtype=torch.bool, device=dev)
    blocked[arange, samples] = True
    support = _Support(gram, 0.0, b, max(n_nonzero, 1))
    running = torch.ones(b, dtype=torch.bool, device=dev)
    for _ in range(n_nonzero):
        score = torch.where(blocked, -1.0, corr.abs())
        best_score, best = score.max(dim=1)
        running = running & (best_score > _EPS)
        if not bool(running.any()):
            break
        rb = arange[running]
        support.add(rb, best[running])
        blocked[rb, best[running]] = True
        # least squares on the support; rows of finished samples are left as they were
        coef = _cholesky_solve(support.gram_of_support(),
                               torch.where(support.occupied,
                                           torch.gather(target, 1, support.points.clamp(min=0)),
                                           0.0))
        coef = coef * support.occupied
        support.coef = torch.where(running[:, None], coef, support.coef)
        corr = target - support.product(support.coef)
        # squared residual ||x_j - X^T c||^2 = 1 - g^T c at the least-squares optimum
        residual = 1.0 - (torch.gather(target, 1, support.points.clamp(min=0))
                          * support.coef).sum(dim=1)
        running = running & (residual > tol)
    pts, cf = support.points, support.coef
    occ = pts >= 0
    smp = samples[:, None].expand_as(pts)
    return smp[occ].cpu().numpy(), pts[occ].cpu().numpy(), cf[occ].cpu().numpy()


def omp_representation(X, n_nonzero=10, tol=1e-6, *, device="cpu", normalize_rows=True):
    """Self-expressive coefficients by orthogonal matching pursuit (SSC-OMP).

    For every sample ``j``, greedily selects up to ``n_nonzero`` other samples
    (the one most correlated with the current residual, each time), fitting
    ``x_j`` by least squares on the selection, and stops early once the squared
    residual of the unit-norm ``x_j`` falls to ``tol``.

    Returns
    -------
    coef : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
    """
    X = _unit_rows(X) if normalize_rows else np.asarray(X, dtype=np.float64)
    dev = _resolve_device(device)
    n = X.shape[0]
    xt = torch.from_numpy(X).to(dev)
    gram = xt @ xt.T
    parts = [
        _omp_batch(gram, torch.arange(sl.start, sl.stop, device=dev), n_nonzero, tol)
        for sl in _batches(n, max(n_nonzero, 1))
    ]
    return _to_csr(n, [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts])

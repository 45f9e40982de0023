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
from contextlib import contextmanager
from contextlib import nullcontext as _nullcontext
from numbers import Integral, Real

import numpy as np
import torch
from joblib import Parallel, delayed, effective_n_jobs
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


@contextmanager
def _torch_threads(n_threads):
    """Temporarily set torch's intra-op thread count (process-wide).

    The solvers issue many small tensor operations; with OpenMP threads these
    collapse when the cores are shared with other processes, so they run
    single-threaded and parallelise over batches of samples instead.
    """
    previous = torch.get_num_threads()
    if previous == n_threads:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _n_workers(n_jobs):
    if n_jobs is None:
        return 1
    return max(1, effective_n_jobs(n_jobs))


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


def _batch_slices(n_items, bytes_per_item, minimum=16):
    """Slices of ``range(n_items)`` each holding about ``_BATCH_BYTES`` of work memory."""
    size = int(min(max(_BATCH_BYTES // max(1, bytes_per_item), minimum), max(n_items, 1)))
    return [slice(s, min(s + size, n_items)) for s in range(0, n_items, size)]


class _Support:
    """Per-sample supports of a batch, held in fixed slots.

    Each sample ``b`` of the batch works on its own set of candidate points, the
    global indices ``ws[b]`` (``K`` of them). Slot ``s`` holds the candidate
    position ``pos[b, s]`` (-1 when free), its coefficient, the sign of its
    correlation and its row of ``G + rho I`` restricted to the candidates, so
    that ``coef @ rows`` is ``(G + rho I) c`` on the candidates and the Gram
    matrix of the support is a gather.
    """

    def __init__(self, gram, ws, rho, capacity):
        self.gram, self.ws, self.rho = gram, ws, rho
        b, k = ws.shape
        dev, dtype = gram.device, gram.dtype
        self.pos = torch.full((b, capacity), -1, dtype=torch.long, device=dev)
        self.rows = torch.zeros((b, capacity, k), dtype=dtype, device=dev)
        self.coef = torch.zeros((b, capacity), dtype=dtype, device=dev)
        self.sign = torch.zeros((b, capacity), dtype=dtype, device=dev)

    @property
    def occupied(self):
        return self.pos >= 0

    def subset(self, keep):
        for name in ("ws", "pos", "rows", "coef", "sign"):
            setattr(self, name, getattr(self, name)[keep])

    def add(self, batch_idx, pos, sign):
        """Put candidate ``pos[k]`` in a free slot of sample ``batch_idx[k]``."""
        free = ~self.occupied[batch_idx]
        if not bool(free.any(dim=1).all()):
            self._grow()
            free = ~self.occupied[batch_idx]
        slot = torch.argmax(free.to(torch.int8), dim=1)
        cand = self.ws[batch_idx]
        points = torch.gather(cand, 1, pos[:, None])
        new_rows = self.gram[points, cand]
        if self.rho:
            new_rows[torch.arange(pos.numel(), device=pos.device), pos] += self.rho
        self.pos[batch_idx, slot] = pos
        self.rows[batch_idx, slot] = new_rows
        self.coef[batch_idx, slot] = 0.0
        self.sign[batch_idx, slot] = sign

    def remove(self, batch_idx, slot):
        self.pos[batch_idx, slot] = -1
        self.coef[batch_idx, slot] = 0.0
        self.sign[batch_idx, slot] = 0.0

    def _grow(self):
        b, cap, k = self.rows.shape
        self.pos = torch.cat([self.pos, self.pos.new_full((b, cap), -1)], dim=1)
        self.rows = torch.cat([self.rows, self.rows.new_zeros((b, cap, k))], dim=1)
        self.coef = torch.cat([self.coef, self.coef.new_zeros((b, cap))], dim=1)
        self.sign = torch.cat([self.sign, self.sign.new_zeros((b, cap))], dim=1)

    def gram_of_support(self):
        """Batched Gram matrix of the supports, identity on the free slots."""
        occ = self.occupied
        cap = occ.shape[1]
        sub = torch.gather(self.rows, 2, self.pos.clamp(min=0)[:, None, :].expand(-1, cap, -1))
        both = occ[:, :, None] & occ[:, None, :]
        eye = torch.eye(cap, dtype=sub.dtype, device=sub.device)
        return torch.where(both, sub, eye)

    def product(self, vec):
        """``vec @ rows``: ``(G + rho I)`` applied to a slot vector, on the candidates."""
        return torch.bmm(vec[:, None, :], self.rows)[:, 0, :]

    def export(self, samples):
        """Flat ``(sample, point, coef)`` numpy arrays of the occupied slots."""
        occ = self.occupied
        points = torch.gather(self.ws, 1, self.pos.clamp(min=0))
        smp = samples[:, None].expand_as(points)
        return smp[occ].cpu().numpy(), points[occ].cpu().numpy(), self.coef[occ].cpu().numpy()


def _cholesky_solve(matrix, rhs):
    """Solve batched SPD systems; near-singular ones get a tiny diagonal shift."""
    chol, info = torch.linalg.cholesky_ex(matrix)
    if bool((info > 0).any()):
        eye = torch.eye(matrix.shape[1], dtype=matrix.dtype, device=matrix.device)
        shift = 1e-10 * matrix.diagonal(dim1=1, dim2=2).abs().amax(dim=1).clamp(min=1.0)
        for _ in range(8):
            bad = info > 0
            if not bool(bad.any()):
                break
            matrix = matrix + torch.where(bad, shift, 0.0)[:, None, None] * eye
            chol, info = torch.linalg.cholesky_ex(matrix)
            shift = shift * 100
    return torch.cholesky_solve(rhs[..., None], chol)[..., 0]


# --------------------------------------------------------------------------- #
# elastic net: batched LARS-lasso homotopy on oracle-guided working sets
# --------------------------------------------------------------------------- #
def _homotopy(gram, samples, ws, valid, lam, rho, max_iter, capacity=16):
    """Exact elastic-net path for a batch of samples, each on its candidate set.

    Solves, for each ``b``, ``min lam |c|_1 + 1/2 c^T (G + rho I) c - g^T c``
    over the coefficients of the candidates ``ws[b][valid[b]]`` (the others
    fixed at 0), following the solution path from ``max |g|`` down to ``lam``.

    Returns flat ``(sample, point, coef)`` arrays and the samples whose path
    did not reach ``lam`` within ``max_iter`` steps.
    """
    dev, dtype = gram.device, gram.dtype
    b = samples.numel()
    target = gram[samples[:, None], ws]  # g restricted to the candidates
    corr = target.clone()  # g - (G + rho I) c on the candidates
    blocked = ~valid  # candidates that may not enter now: invalid ones and the support
    lmb = torch.where(blocked, 0.0, corr.abs()).amax(dim=1)  # current penalty on the path
    support = _Support(gram, ws, rho, capacity)
    last_drop = torch.full((b,), -1, dtype=torch.long, device=dev)
    steps = torch.zeros(b, dtype=torch.long, device=dev)
    inf = torch.tensor(math.inf, dtype=dtype, device=dev)
    arange = torch.arange(b, device=dev)
    parts, failed = [], []

    running = lmb > lam
    if bool(running.any()):  # the path starts with the most correlated candidate
        rb = arange[running]
        first = torch.argmax(torch.where(blocked, -1.0, corr.abs()), dim=1)[running]
        support.add(rb, first, torch.sign(corr[rb, first]))
        blocked[rb, first] = True

    def finish(mask):
        if bool(mask.any()):
            parts.append(_subset_export(support, samples, mask))
            failed.append(samples[mask & (lmb > lam * (1 + 1e-12))].cpu().numpy())

    while bool(running.any()):
        if int(running.sum()) <= running.numel() // 2:  # drop the finished rows
            finish(~running)
            keep = running
            support.subset(keep)
            target, corr, blocked, lmb = target[keep], corr[keep], blocked[keep], lmb[keep]
            last_drop, steps, samples, running = last_drop[keep], steps[keep], samples[keep], running[keep]
            arange = torch.arange(running.numel(), device=dev)
        occ = support.occupied
        if int(steps.max()) % 16 == 15:  # remove the rounding drift of the running update
            corr = target - support.product(support.coef)
        direction = _cholesky_solve(support.gram_of_support(), support.sign) * occ
        velocity = support.product(direction)  # d(corr)/dt = -velocity, d(lmb)/dt = -1
        # entering time of each free candidate: |corr - t velocity| = lmb - t
        lm = lmb[:, None]
        den = 1.0 - velocity
        t_join_all = ((lm - corr) / den).masked_fill_(den <= _EPS, math.inf)
        den = 1.0 + velocity
        t_other = ((lm + corr) / den).masked_fill_(den <= _EPS, math.inf)
        t_join_all = torch.minimum(t_join_all, t_other).clamp_(min=0.0)
        t_join_all.masked_fill_(blocked, math.inf)
        dropped = last_drop >= 0  # a point that just left may not re-enter at once
        t_join_all[arange[dropped], last_drop[dropped]] = math.inf
        t_join, join_pos = t_join_all.min(dim=1)
        # leaving time of each support point: its coefficient crosses zero
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
        joins = running & ~ends & ~drops & torch.isfinite(t_join)
        last_drop = torch.where(running, -1, last_drop)
        if bool(drops.any()):
            db, ds = arange[drops], drop_slot[drops]
            pos = support.pos[db, ds]
            blocked[db, pos] = False
            last_drop[db] = pos
            support.remove(db, ds)
        if bool(joins.any()):
            jb, jp = arange[joins], join_pos[joins]
            support.add(jb, jp, torch.sign(corr[jb, jp]))
            blocked[jb, jp] = True
        running = running & ~ends & (drops | joins) & (steps < max_iter)
    finish(torch.ones(running.numel(), dtype=torch.bool, device=dev))
    out = tuple(np.concatenate([p[i] for p in parts]) for i in range(3))
    return out, np.concatenate(failed)


def _subset_export(support, samples, mask):
    occ = support.occupied[mask]
    points = torch.gather(support.ws[mask], 1, support.pos[mask].clamp(min=0))
    smp = samples[mask][:, None].expand_as(points)
    return smp[occ].cpu().numpy(), points[occ].cpu().numpy(), support.coef[mask][occ].cpu().numpy()


def _residual_scores(gram, samples, smp, pts, cf):
    """``|g_j - G c_j|`` over all points for the samples ``samples`` (torch, dense).

    Support points get ``+inf`` (kept first) and the sample itself ``-1``.
    """
    n = gram.shape[0]
    dev = gram.device
    local = torch.full((n,), -1, dtype=torch.long)
    local[torch.as_tensor(samples)] = torch.arange(len(samples))
    rows = local[torch.as_tensor(smp)]
    cols, vals = torch.as_tensor(pts), torch.as_tensor(cf)
    coef = torch.sparse_coo_tensor(torch.stack([rows, cols]), vals, size=(len(samples), n),
                                   check_invariants=True)
    coef = coef.coalesce().to(dev)
    samples_t = torch.as_tensor(samples, device=dev)
    score = (gram[samples_t] - torch.sparse.mm(coef, gram)).abs_()
    score[rows.to(dev), cols.to(dev)] = math.inf
    score[torch.arange(len(samples), device=dev), samples_t] = -1.0
    return score


def _split(n_items, bytes_per_item, n_parts):
    """Batches of at most ``_BATCH_BYTES`` of work memory, at least ``n_parts`` of them."""
    slices = _batch_slices(n_items, bytes_per_item)
    if len(slices) < n_parts and n_items >= 2 * n_parts:
        slices = list(gen_even_slices(n_items, n_parts))
    return slices


def _enet_round(gram, samples, ws, lam, rho, tol, max_iter, grow):
    """One active-set round for a batch: exact path on the candidates, then the oracle.

    ``ws=None`` means all the points are candidates. Returns the solved
    ``(sample, point, coef)`` arrays of the samples that passed the optimality
    check over all points, the samples still to do with their next candidate
    sets, and the number of samples given up on.
    """
    dev = gram.device
    n = gram.shape[0]
    smp_t = torch.as_tensor(samples, device=dev)
    if ws is None:
        cand = torch.arange(n, device=dev).expand(smp_t.numel(), n)
        valid = cand != smp_t[:, None]
    else:
        cand = ws
        valid = torch.ones(cand.shape, dtype=torch.bool, device=dev)
    (smp, pts, cf), failed = _homotopy(gram, smp_t, cand, valid, lam, rho, max_iter)
    order = np.argsort(smp, kind="stable")
    smp, pts, cf = smp[order], pts[order], cf[order]
    # oracle: every point outside the support must satisfy |g_i - (G c)_i| <= lam
    check = np.setdiff1d(samples, failed)
    bounds = np.searchsorted(smp, check), np.searchsorted(smp, check, side="right")
    keep = np.ones(smp.size, dtype=bool)
    redo, redo_ws, n_bad = [], [], 0
    for sl in _batch_slices(len(check), 8 * n):
        rows = check[sl]
        take = np.concatenate(
            [np.arange(lo, hi) for lo, hi in zip(bounds[0][sl], bounds[1][sl])] + [[]]
        ).astype(np.int64)
        score = _residual_scores(gram, rows, smp[take], pts[take], cf[take])
        worst = torch.where(torch.isinf(score), -1.0, score).amax(dim=1)
        bad = (worst > lam * (1.0 + tol) + 1e-12).cpu().numpy()
        if not bad.any():
            continue
        if ws is None or ws.shape[1] >= n - 1:  # nothing left to add: numerical failure
            n_bad += int(bad.sum())
            continue
        keep[np.isin(smp, rows[bad])] = False
        size = ws.shape[1]
        largest = int(np.bincount(np.searchsorted(rows, smp[take]), minlength=len(rows))[bad].max())
        if grow and largest > 0.8 * size:
            size = max(size, int(math.ceil(1.1 * largest)))
        size = min(max(size, largest + 1), n - 1)
        redo.append(rows[bad])
        redo_ws.append(torch.topk(score[torch.as_tensor(bad, device=dev)], size, dim=1).indices)
    done = (smp[keep], pts[keep], cf[keep])
    return done, list(zip(redo, redo_ws)), n_bad + failed.size


def _enet_lars(X, gamma, tau, *, active_support, max_iter, tol, device, n_jobs,
               support_size=100, max_rounds=100):
    dev = _resolve_device(device)
    n = X.shape[0]
    lam, rho = tau / gamma, (1.0 - tau) / gamma
    workers = _n_workers(n_jobs) if dev.type == "cpu" else 1
    xt = torch.from_numpy(X).to(dev)
    gram = xt @ xt.T
    del xt
    full = not active_support or support_size >= n - 1
    with _torch_threads(1) if dev.type == "cpu" else _nullcontext():
        # first round: each sample's candidates are its ``support_size`` most coherent points
        if full:
            groups = [(np.arange(n), None)]
        else:
            ws = []
            for sl in _batch_slices(n, 8 * n):
                score = gram[sl].abs()
                own = torch.arange(sl.start, sl.stop, device=dev)
                score[own - sl.start, own] = -1.0
                ws.append(torch.topk(score, support_size, dim=1).indices)
            groups = [(np.arange(n), torch.cat(ws))]

        done_parts, unconverged = [], 0
        for round_ in range(max_rounds):
            tasks = []
            for samples, ws in groups:
                width = n if ws is None else ws.shape[1]
                for sl in _split(len(samples), 8 * width * 48, workers):
                    tasks.append((samples[sl], None if ws is None else ws[sl]))
            grow = round_ + 1 < max_rounds

            def run(task):
                return _enet_round(gram, task[0], task[1], lam, rho, tol, max_iter, grow)

            if workers > 1 and len(tasks) > 1:
                results = Parallel(n_jobs=workers, prefer="threads")(
                    delayed(run)(task) for task in tasks
                )
            else:
                results = [run(task) for task in tasks]
            groups = []
            for done, redo, bad in results:
                done_parts.append(done)
                groups.extend(redo)
                unconverged += bad
            if not groups:
                break
        else:
            # the last solutions of these samples were not kept: solve them on all points
            for samples, _ in groups:
                done, _, bad = _enet_round(gram, samples, None, lam, rho, tol, max_iter, False)
                done_parts.append(done)
                unconverged += bad

    if unconverged:
        warnings.warn(
            f"The elastic-net solver did not reach the optimality tolerance tol={tol} for "
            f"{unconverged} sample(s) (max_iter={max_iter} path steps); increase max_iter.",
            ConvergenceWarning,
        )
    return _to_csr(n, *[[p[i] for p in done_parts] for i in range(3)])


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
        return _enet_lars(X, gamma, tau, active_support=active_support, max_iter=max_iter,
                          tol=tol, device=device, n_jobs=n_jobs)
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
        coef = _cholesky_solve(support.gram_of_support(), rhs) * occ
        support.coef = torch.where(running[:, None], coef, support.coef)
        corr = target - support.product(support.coef)
        # squared residual of the unit-norm x_j at the least-squares optimum: 1 - g^T c
        residual = 1.0 - (rhs * support.coef).sum(dim=1)
        running = running & (residual > tol)
    return support.export(samples)


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
        for sl in _batch_slices(n, 8 * n * (max(n_nonzero, 1) + 4))
    ]
    return _to_csr(n, [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts])

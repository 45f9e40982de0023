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

import math
import warnings
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from contextlib import nullcontext as _nullcontext
from numbers import Integral, Real

import numpy as np
import torch
from joblib import Parallel, delayed, effective_n_jobs
from scipy import sparse
from scipy.linalg import cho_factor, cho_solve
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state, gen_even_slices
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from ._device import resolve_device
from .affinity import affinity_from_coefficients, spectral_labels

__all__ = [
    "ElasticNetSubspaceClustering",
    "LeastSquaresSubspaceClustering",
    "OrthogonalMatchingPursuitSubspaceClustering",
    "SparseSubspaceClustering",
    "elastic_net_representation",
    "least_squares_representation",
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


def _rows(X, normalize_input):
    """A float64 copy of ``X``, rows scaled to unit l2 norm if asked (zero rows stay zero)."""
    X = np.array(X, dtype=np.float64)
    return normalize(X, norm="l2", axis=1, copy=False) if normalize_input else X


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


# --------------------------------------------------------------------------- #
# elastic net: batched LARS-lasso homotopy on oracle-guided working sets
# --------------------------------------------------------------------------- #
def _homotopy(gram, samples, ws, valid, lam, rho, max_iter, capacity=16):
    """Exact elastic-net path for a batch of samples, each on its candidate set.

    Solves, for each ``b``, ``min lam |c|_1 + 1/2 c^T (G + rho I) c - g^T c``
    over the coefficients of the candidates ``ws[b][valid[b]]`` (the others
    fixed at 0), following the solution path from ``max |g|`` down to ``lam``.
    ``lam`` and ``rho`` hold one value per sample of the whole data set.

    Returns flat ``(sample, point, coef)`` arrays, the samples whose path did
    not reach ``lam`` within ``max_iter`` steps and the largest number of steps.
    """
    dev, dtype = gram.device, gram.dtype
    b = samples.numel()
    lam, rho = lam[samples], rho[samples]
    target = gram[samples[:, None], ws]  # g restricted to the candidates
    corr = target.clone()  # g - (G + rho I) c on the candidates
    blocked = ~valid  # candidates that may not enter now: invalid ones and the support
    lmb = torch.where(blocked, 0.0, corr.abs()).amax(dim=1)  # current penalty on the path
    support = _Support(gram, ws, rho, capacity)
    last_drop = torch.full((b,), -1, dtype=torch.long, device=dev)
    steps = torch.zeros(b, dtype=torch.long, device=dev)
    inf = torch.tensor(math.inf, dtype=dtype, device=dev)
    arange = torch.arange(b, device=dev)
    parts, failed, n_steps = [], [], [0]

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
            n_steps[0] = max(n_steps[0], int(steps[mask].max()))

    while bool(running.any()):
        if int(running.sum()) <= running.numel() // 2:  # drop the finished rows
            finish(~running)
            keep = running
            support.subset(keep)
            target, corr, blocked, lmb = target[keep], corr[keep], blocked[keep], lmb[keep]
            last_drop, steps, samples, running = last_drop[keep], steps[keep], samples[keep], running[keep]
            lam = lam[keep]
            arange = torch.arange(running.numel(), device=dev)
        occ = support.occupied
        if int(steps.max()) % 16 == 15:  # remove the rounding drift of the running update
            corr = target - support.product(support.coef)
        direction = support.solve(support.sign) * occ
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
    return out, np.concatenate(failed), n_steps[0]


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
    (smp, pts, cf), failed, n_steps = _homotopy(gram, smp_t, cand, valid, lam, rho, max_iter)
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
        bound = lam[torch.as_tensor(rows, device=dev)]
        bad = (worst > bound * (1.0 + tol) + 1e-12).cpu().numpy()
        if not bad.any():
            continue
        if ws is None or ws.shape[1] >= n - 1:  # nothing left to add: numerical failure
            n_bad += int(bad.sum())
            continue
        keep[np.isin(smp, rows[bad])] = False
        size = ws.shape[1]
        largest = int(np.bincount(np.searchsorted(rows, smp[take]), minlength=len(rows))[bad].max())
        if grow and largest > 0.5 * size:  # supports fill the candidates: double them
            size = 2 * largest
        size = min(max(size, largest + 1), n - 1)
        redo.append(rows[bad])
        redo_ws.append(torch.topk(score[torch.as_tensor(bad, device=dev)], size, dim=1).indices)
    done = (smp[keep], pts[keep], cf[keep])
    return done, list(zip(redo, redo_ws)), n_bad + failed.size, n_steps


def _enet_lars(gram, gamma, tau, *, active_support, max_iter, tol, n_jobs,
               support_size=100, max_rounds=100):
    dev = gram.device
    n = gram.shape[0]
    gamma = torch.as_tensor(gamma, dtype=gram.dtype, device=dev).expand(n)
    lam, rho = tau / gamma, (1.0 - tau) / gamma
    workers = _n_workers(n_jobs) if dev.type == "cpu" else 1
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

        done_parts, unconverged, n_iter = [], 0, 0
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
            for done, redo, bad, steps in results:
                n_iter = max(n_iter, steps)
                done_parts.append(done)
                groups.extend(redo)
                unconverged += bad
            if not groups:
                break
        else:
            # the last solutions of these samples were not kept: solve them on all points
            for samples, _ in groups:
                done, _, bad, steps = _enet_round(gram, samples, None, lam, rho, tol, max_iter,
                                                  False)
                n_iter = max(n_iter, steps)
                done_parts.append(done)
                unconverged += bad

    if unconverged:
        warnings.warn(
            f"The elastic-net solver did not reach the optimality tolerance tol={tol} for "
            f"{unconverged} sample(s) (max_iter={max_iter} path steps); increase max_iter.",
            ConvergenceWarning,
        )
    return _to_csr(n, *[[p[i] for p in done_parts] for i in range(3)]), n_iter


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
    n_iter = 0
    while True:  # every round adds points to a support that cannot grow past n - 1
        sub_gram = np.ascontiguousarray(gram[np.ix_(supp, supp)])
        model.set_params(precompute=sub_gram)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X[supp].T, X[j])
        n_iter += model.n_iter_
        nz = model.coef_ != 0
        active, coef = supp[nz], model.coef_[nz]
        if supp.size == others.size:
            return active, coef, n_iter
        # oracle: correlations of every other point with the scaled residual
        corr = g - gram[:, active] @ coef
        corr[supp] = 0.0
        corr[j] = 0.0
        violators = np.flatnonzero(np.abs(corr) > lam * (1.0 + tol))
        if violators.size == 0:
            return active, coef, n_iter
        if active.size > 0.8 * support_size:
            support_size = min(int(math.ceil(1.1 * support_size)), others.size)
        room = max(support_size - active.size, 1)
        if violators.size > room:
            violators = violators[np.argpartition(-np.abs(corr[violators]), room - 1)[:room]]
        supp = np.concatenate([active, violators])


def _enet_cd(X, gram, gamma, tau, *, active_support, max_iter, tol, n_jobs, support_size=100):
    n = X.shape[0]
    gamma = np.broadcast_to(np.asarray(gamma, dtype=np.float64), (n,))

    def run(sl):
        res = []
        for j in range(sl.start, sl.stop):
            pts, cf, n_iter = _enet_cd_one(X, gram, j, gamma[j], tau, active_support,
                                           support_size, max_iter, tol)
            res.append((np.full(pts.size, j), pts, cf, n_iter))
        return res

    slices = list(gen_even_slices(n, min(n, 4 * _n_workers(n_jobs))))
    results = Parallel(n_jobs=n_jobs)(delayed(run)(sl) for sl in slices)
    parts = [p for res in results for p in res]
    coef = _to_csr(n, [p[0] for p in parts], [p[1] for p in parts], [p[2] for p in parts])
    return coef, max(p[3] for p in parts)


def _gram(X, device):
    xt = torch.from_numpy(X).to(device)
    return xt @ xt.T


def _max_coherence(gram):
    """``max_{i != j} |G[i, j]|`` for every sample ``j`` (torch vector)."""
    n = gram.shape[0]
    best = []
    for sl in _batch_slices(n, 8 * n):
        block = gram[sl].abs()
        own = torch.arange(sl.start, sl.stop, device=gram.device)
        block[own - sl.start, own] = 0.0
        best.append(block.amax(dim=1))
    return torch.cat(best)


def _smallest_max_coherence(gram):
    """``mu = min_j max_{i != j} |G[i, j]|`` over the samples with a non-zero maximum."""
    best = _max_coherence(gram)
    best = best[best > 0]
    return float(best.min()) if best.numel() else 0.0


def _relative_gamma(gram, gamma, tau):
    """Per-sample ``gamma * tau / max_{i != j} |x_i^T x_j|`` (zero solution at ``gamma <= 1``)."""
    coherence = _max_coherence(gram).cpu().numpy()
    return gamma * tau / np.where(coherence > 0, coherence, 1.0)


def _elastic_net(X, gram, gamma, tau, *, algorithm, active_support, max_iter, tol, n_jobs,
                 gamma_relative=False):
    """``(coef, n_iter)`` for the rows ``X`` given their torch Gram matrix.

    ``gamma`` is a number, made per-sample by :func:`_relative_gamma` if ``gamma_relative``.
    """
    if gamma_relative:
        gamma = _relative_gamma(gram, gamma, tau)
    if algorithm == "lasso_lars":
        return _enet_lars(gram, gamma, tau, active_support=active_support, max_iter=max_iter,
                          tol=tol, n_jobs=n_jobs)
    if algorithm == "lasso_cd":
        return _enet_cd(X, gram.cpu().numpy(), gamma, tau, active_support=active_support,
                        max_iter=max_iter, tol=tol, n_jobs=n_jobs)
    raise ValueError(f"algorithm must be 'lasso_lars' or 'lasso_cd', got {algorithm!r}.")


def elastic_net_representation(
    X, gamma=50.0, tau=1.0, *, algorithm="lasso_lars", active_support=True, max_iter=1000,
    tol=1e-6, n_jobs=None, device="cpu", gamma_relative=False, normalize_input=True,
):
    """Self-expressive coefficients of the elastic-net problem of EnSC.

    For every sample ``j`` solves::

        min_c  tau ||c||_1 + (1 - tau)/2 ||c||_2^2 + gamma/2 ||x_j - sum_i c_i x_i||_2^2
        s.t.   c_j = 0,

    and stores ``c`` as row ``j`` of the result. See
    :class:`ElasticNetSubspaceClustering` for the parameters.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data, one sample a row.
    gamma : float, default=50.0
        Weight of the data term.
    tau : float, default=1.0
        Balance of the l1 and squared l2 penalties, in ``(0, 1]``.
    algorithm : {"lasso_lars", "lasso_cd"}, default="lasso_lars"
        Exact batched homotopy (torch) or scikit-learn coordinate descent.
    active_support : bool, default=True
        Solve on oracle-guided candidate sets rather than on all the points.
    max_iter : int, default=1000
        Path steps (``"lasso_lars"``) or coordinate-descent epochs (``"lasso_cd"``).
    tol : float, default=1e-6
        Relative tolerance of the optimality check (and of coordinate descent).
    n_jobs : int, default=None
        Parallel jobs over batches of samples.
    device : str, default="cpu"
        Torch device of ``"lasso_lars"``: ``"cpu"``, ``"cuda[:N]"`` or ``"auto"``.
    gamma_relative : bool, default=False
        Use ``gamma * tau / max_{i != j} |x_i^T x_j|`` for sample ``j``.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm first.

    Returns
    -------
    coef : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Exact zeros are not stored; the diagonal is zero.
    """
    X = _rows(X, normalize_input)
    dev = resolve_device(device) if algorithm == "lasso_lars" else torch.device("cpu")
    coef, _ = _elastic_net(X, _gram(X, dev), gamma, tau, algorithm=algorithm,
                           active_support=active_support, max_iter=max_iter, tol=tol,
                           n_jobs=n_jobs, gamma_relative=gamma_relative)
    return coef


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


# --------------------------------------------------------------------------- #
# least squares regression (LSR): closed-form ridge self-expression
# --------------------------------------------------------------------------- #
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


# --------------------------------------------------------------------------- #
# estimators
# --------------------------------------------------------------------------- #
class _BaseSelfExpressiveClustering(ClusterMixin, BaseEstimator, metaclass=ABCMeta):
    """Validation, coefficients -> affinity -> spectral labels; subclasses give the coefficients."""

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "post_processing": [None, StrOptions({"normalize_rows", "dsc"})],
        "post_processing_params": [None, dict],
        "assign_labels": [StrOptions({"kmeans", "discretize"})],
        "normalize_input": ["boolean"],
        "random_state": ["random_state"],
    }

    @abstractmethod
    def __init__(self, n_clusters=8, *, post_processing=None, post_processing_params=None,
                 assign_labels="kmeans", normalize_input=True, random_state=None):
        self.n_clusters = n_clusters
        self.post_processing = post_processing
        self.post_processing_params = post_processing_params
        self.assign_labels = assign_labels
        self.normalize_input = normalize_input
        self.random_state = random_state

    # whether _representation needs the torch Gram matrix X X^T (else it gets None)
    _uses_gram = True

    @abstractmethod
    def _representation(self, X, gram):
        """CSR (or dense) coefficients of the rows ``X`` (float64) with torch Gram ``gram``."""

    def _device(self):
        return torch.device("cpu")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the self-expressive coefficients and cluster ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. Sparse matrices are not supported.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n_samples = X.shape[0]
        if self.n_clusters > n_samples:
            raise ValueError(
                f"n_clusters={self.n_clusters} must be <= n_samples={n_samples}."
            )
        random_state = check_random_state(self.random_state)
        X = _rows(X, self.normalize_input)
        device = self._device()
        coef = self._representation(X, _gram(X, device) if self._uses_gram else None)
        self.coef_ = coef
        self.affinity_matrix_ = affinity_from_coefficients(
            coef,
            post_processing=self.post_processing,
            n_clusters=self.n_clusters,
            params=self.post_processing_params,
        )
        self.labels_ = spectral_labels(self.affinity_matrix_, self.n_clusters,
                                       assign_labels=self.assign_labels,
                                       random_state=random_state)
        return self

    @property
    def representation_matrix_(self):
        """Deprecated read-only alias of ``coef_``, removed in 0.2."""
        coef = self.coef_  # AttributeError, without a warning, when not fitted
        warnings.warn(
            "representation_matrix_ is deprecated in 0.1 and will be removed in 0.2; "
            "use coef_ instead.", FutureWarning, stacklevel=2,
        )
        return coef


class ElasticNetSubspaceClustering(_BaseSelfExpressiveClustering):
    """Elastic net subspace clustering (EnSC).

    The rows of ``X`` are first scaled to unit l2 norm (unless
    ``normalize_input=False``). Then every sample ``x_j`` is expressed by the
    others through::

        min_c  tau * ||c||_1 + (1 - tau) / 2 * ||c||_2^2 + gamma_j / 2 * ||x_j - sum_i c_i x_i||_2^2
        s.t.   c_j = 0,

    solved exactly for all the samples (see ``algorithm``). ``gamma_j`` is
    ``gamma`` as given, or with ``gamma_relative=True``
    ``gamma * tau / max_{i != j} |x_i^T x_j|`` (the convention of You et al.'s
    public code, where ``gamma=1`` is the largest value giving ``c = 0``).
    The coefficients give the affinity
    ``|C| + |C|^T`` (or the DSC affinity) and spectral clustering the labels.
    For a sample ``j``, ``c = 0`` is the solution whenever
    ``gamma * max_i |x_i^T x_j| <= tau``.

    Read more in You, Li, Robinson and Vidal, "Oracle Based Active Set Algorithm
    for Scalable Elastic Net Subspace Clustering", CVPR 2016.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    gamma : float, default=50.0
        Weight of the data term. Larger values give denser, more exact
        representations; ``tau / max_i |x_i^T x_j|`` is the value below which
        sample ``j`` gets no coefficient at all.
    gamma_relative : bool, default=False
        Scale ``gamma`` per sample by ``tau / max_{i != j} |x_i^T x_j|``, so
        that it is relative to the largest value at which sample ``j`` has no
        coefficient (``gamma > 1`` is then needed; You et al.'s ``gamma_nz``).
    tau : float, default=1.0
        Balance between the l1 and the squared l2 penalties, in ``(0, 1]``;
        ``tau=1`` is sparse subspace clustering (basis pursuit with noise).
    algorithm : {"lasso_lars", "lasso_cd"}, default="lasso_lars"
        ``"lasso_lars"``: exact LARS-lasso homotopy of the problem above, batched
        over the samples with torch (on ``device``). It follows the piecewise
        linear solution path from ``c = 0`` down to the requested penalty, one
        point entering or leaving the support per step, so zeros are exact and
        the cost grows with the number of non-zeros.
        ``"lasso_cd"``: scikit-learn's :class:`~sklearn.linear_model.ElasticNet`
        (coordinate descent on a precomputed Gram matrix) per sample, with
        ``alpha = 1 / (gamma * n_features)`` and ``l1_ratio = tau``; slower,
        kept as a reference.
    active_support : bool, default=True
        Solve every sample's problem on an oracle-guided active set: start from
        its 100 most coherent points, solve, add the points that violate the
        optimality condition ``gamma * |x_i^T (x_j - sum_k c_k x_k)| <= tau``
        (the most violating first, keeping the support), and repeat until there
        is none. The result is the solution over all the points; ``False``
        solves directly over all of them (slower, same result).
    max_iter : int, default=1000
        Per sample, the maximum number of path steps (``"lasso_lars"``) or of
        coordinate-descent epochs per active-set round (``"lasso_cd"``).
    tol : float, default=1e-6
        Relative optimality tolerance: a point outside the support is a
        violator when ``gamma * |x_i^T (x_j - sum_k c_k x_k)| > tau * (1 + tol)``.
        Also the tolerance of coordinate descent for ``"lasso_cd"``.
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        Affinity built from the coefficients: ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm (the affinity of the public EnSC/SSC code), ``"dsc"`` the
        thresholded low-rank affinity of DSC-Net. Its default threshold
        (0.2 of each column's l1 mass) was set for dense deep
        coefficients; on these sparse ones it keeps about one entry per
        column and breaks the graph, so pass ``{"threshold": 1.0}``.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"kmeans", "discretize"}, default="kmeans"
        Label assignment of the spectral step: ``"kmeans"`` clusters the
        row-normalised eigenvectors of the normalised affinity with k-means
        (as the public EnSC/SSC code), ``"discretize"`` is scikit-learn's
        discretisation (as DSC-Net's code); see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients (the public EnSC code of You et al. works on the raw
        rows).
    n_jobs : int, default=None
        Parallel jobs over batches of samples: threads for ``"lasso_lars"`` on
        CPU (torch then runs single-threaded inside each job), processes for
        ``"lasso_cd"``. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` uses all processors.
    device : str, default="cpu"
        Torch device of the ``"lasso_lars"`` solver: ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"auto"`` (a GPU when available). Computations are in
        float64 in every case.
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Self-expressive coefficients: row ``j`` expresses sample ``j``,
        ``x_j ~ sum_i C[j, i] x_i`` (on the unit-norm rows), ``C[j, j] = 0``.
        Only non-zero coefficients are stored.
    affinity_matrix_ : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        ``|C| + |C|^T`` (sparse) or, with ``post_processing="dsc"``, the dense
        DSC affinity; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.
    n_iter_ : int
        Largest number of solver iterations over the samples (path steps, or
        coordinate-descent epochs summed over the active-set rounds).

    See Also
    --------
    SparseSubspaceClustering : The ``tau = 1`` case with SSC's ``alpha / mu`` scaling.
    OrthogonalMatchingPursuitSubspaceClustering : Greedy sparse coefficients.

    Notes
    -----
    Dividing the objective by ``gamma``, only the Gram matrix ``G = X X^T``
    of the unit-norm rows is needed: ``lam ||c||_1 + 1/2 c^T (G + rho I) c -
    G[j] c`` with ``lam = tau / gamma`` and ``rho = (1 - tau) / gamma``. It is
    held in memory (``8 * n_samples**2`` bytes).

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import ElasticNetSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = ElasticNetSubspaceClustering(n_clusters=2, gamma=50, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    >>> model.coef_.shape
    (60, 60)
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "gamma_relative": ["boolean"],
        "tau": [Interval(Real, 0, 1, closed="right")],
        "algorithm": [StrOptions({"lasso_lars", "lasso_cd"})],
        "active_support": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "device": [str],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        gamma=50.0,
        gamma_relative=False,
        tau=1.0,
        algorithm="lasso_lars",
        active_support=True,
        max_iter=1000,
        tol=1e-6,
        post_processing=None,
        post_processing_params=None,
        assign_labels="kmeans",
        normalize_input=True,
        n_jobs=None,
        device="cpu",
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.gamma = gamma
        self.gamma_relative = gamma_relative
        self.tau = tau
        self.algorithm = algorithm
        self.active_support = active_support
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.device = device

    def _device(self):
        return resolve_device(self.device) if self.algorithm == "lasso_lars" else torch.device("cpu")

    def _representation(self, X, gram):
        coef, self.n_iter_ = _elastic_net(
            X, gram, self.gamma, self.tau, algorithm=self.algorithm,
            active_support=self.active_support, max_iter=self.max_iter, tol=self.tol,
            n_jobs=self.n_jobs, gamma_relative=self.gamma_relative,
        )
        return coef


class SparseSubspaceClustering(_BaseSelfExpressiveClustering):
    """Sparse subspace clustering (SSC) with noisy data (lasso form).

    The rows of ``X`` are first scaled to unit l2 norm. Then every sample
    ``x_j`` is expressed by the others through::

        min_c  ||c||_1 + lambda / 2 * ||x_j - sum_i c_i x_i||_2^2    s.t.  c_j = 0,
        lambda = alpha / mu,   mu = min_k max_{i != k} |x_i^T x_k|,

    the "alpha / mu" scaling of Elhamifar and Vidal (TPAMI 2013): ``lambda =
    mu^-1`` is the smallest data weight for which every sample gets a non-zero
    representation, so ``alpha > 1`` is the factor above it (``mu`` is taken
    over the samples that are not orthogonal to all the others). This is
    :class:`ElasticNetSubspaceClustering` with ``tau=1`` and
    ``gamma=alpha / mu``, solved by the same exact solver. The affinity is
    ``|C| + |C|^T`` (or the DSC affinity) and spectral clustering gives the
    labels.

    Read more in Elhamifar and Vidal, "Sparse Subspace Clustering: Algorithm,
    Theory, and Applications", TPAMI 2013.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    alpha : float, default=20.0
        Data-fidelity factor, ``lambda = alpha / mu``; 20 is the value of the
        reference SSC implementation and of its face-clustering experiments.
        ``alpha <= 1`` leaves some samples without coefficients.
    algorithm : {"lasso_lars", "lasso_cd"}, default="lasso_lars"
        Solver, see :class:`ElasticNetSubspaceClustering`.
    max_iter : int, default=1000
        Maximum number of path steps (or coordinate-descent epochs) per sample.
    tol : float, default=1e-6
        Relative optimality tolerance, see :class:`ElasticNetSubspaceClustering`.
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        Affinity built from the coefficients: ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm (the affinity of the public EnSC/SSC code), ``"dsc"`` the
        thresholded low-rank affinity of DSC-Net. Its default threshold
        (0.2 of each column's l1 mass) was set for dense deep
        coefficients; on these sparse ones it keeps about one entry per
        column and breaks the graph, so pass ``{"threshold": 1.0}``.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"kmeans", "discretize"}, default="kmeans"
        Label assignment of the spectral step: ``"kmeans"`` clusters the
        row-normalised eigenvectors of the normalised affinity with k-means
        (as the public EnSC/SSC code), ``"discretize"`` is scikit-learn's
        discretisation (as DSC-Net's code); see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients (the public EnSC code of You et al. works on the raw
        rows).
    n_jobs : int, default=None
        Parallel jobs over batches of samples, see
        :class:`ElasticNetSubspaceClustering`.
    device : str, default="cpu"
        Torch device of the ``"lasso_lars"`` solver: ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"auto"``.
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Self-expressive coefficients: row ``j`` expresses sample ``j``,
        ``x_j ~ sum_i C[j, i] x_i`` (on the unit-norm rows), ``C[j, j] = 0``.
        Only non-zero coefficients are stored.
    affinity_matrix_ : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        ``|C| + |C|^T`` (sparse) or, with ``post_processing="dsc"``, the dense
        DSC affinity; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.
    gamma_ : float
        The data weight used, ``alpha / mu``.
    n_iter_ : int
        Largest number of solver iterations over the samples (path steps, or
        coordinate-descent epochs summed over the active-set rounds).

    See Also
    --------
    ElasticNetSubspaceClustering : Elastic-net penalty, absolute ``gamma``.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import SparseSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = SparseSubspaceClustering(n_clusters=2, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "algorithm": [StrOptions({"lasso_lars", "lasso_cd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "device": [str],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        alpha=20.0,
        algorithm="lasso_lars",
        max_iter=1000,
        tol=1e-6,
        post_processing=None,
        post_processing_params=None,
        assign_labels="kmeans",
        normalize_input=True,
        n_jobs=None,
        device="cpu",
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.alpha = alpha
        self.algorithm = algorithm
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.device = device

    def _device(self):
        return resolve_device(self.device) if self.algorithm == "lasso_lars" else torch.device("cpu")

    def _representation(self, X, gram):
        mu = _smallest_max_coherence(gram)
        if mu == 0.0:  # every sample is orthogonal to all the others
            self.gamma_, self.n_iter_ = math.inf, 0
            return sparse.csr_matrix((X.shape[0], X.shape[0]), dtype=np.float64)
        self.gamma_ = self.alpha / mu
        coef, self.n_iter_ = _elastic_net(
            X, gram, self.gamma_, 1.0, algorithm=self.algorithm, active_support=True,
            max_iter=self.max_iter, tol=self.tol, n_jobs=self.n_jobs,
        )
        return coef


class OrthogonalMatchingPursuitSubspaceClustering(_BaseSelfExpressiveClustering):
    """Sparse subspace clustering by orthogonal matching pursuit (SSC-OMP).

    The rows of ``X`` are first scaled to unit l2 norm. For every sample
    ``x_j``, up to ``n_nonzero`` other samples are selected greedily (each time
    the one most correlated with the current residual) and ``x_j`` is fitted by
    least squares on the selection; the selection stops early once the squared
    residual ``||x_j - sum_i c_i x_i||^2`` is at most ``tol``. The affinity is
    ``|C| + |C|^T`` (or the DSC affinity) and spectral clustering gives the
    labels.

    Read more in You, Robinson and Vidal, "Scalable Sparse Subspace Clustering
    by Orthogonal Matching Pursuit", CVPR 2016.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    n_nonzero : int, default=10
        Maximum number of non-zero coefficients per sample (capped at
        ``n_samples - 1``).
    tol : float, default=1e-6
        Squared residual at which the selection stops.
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        Affinity built from the coefficients: ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm (the affinity of the public EnSC/SSC code), ``"dsc"`` the
        thresholded low-rank affinity of DSC-Net. Its default threshold
        (0.2 of each column's l1 mass) was set for dense deep
        coefficients; on these sparse ones it keeps about one entry per
        column and breaks the graph, so pass ``{"threshold": 1.0}``.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"kmeans", "discretize"}, default="kmeans"
        Label assignment of the spectral step: ``"kmeans"`` clusters the
        row-normalised eigenvectors of the normalised affinity with k-means
        (as the public EnSC/SSC code), ``"discretize"`` is scikit-learn's
        discretisation (as DSC-Net's code); see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients (the public EnSC code of You et al. works on the raw
        rows).
    device : str, default="cpu"
        Torch device: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Self-expressive coefficients: row ``j`` expresses sample ``j``,
        ``x_j ~ sum_i C[j, i] x_i`` (on the unit-norm rows), ``C[j, j] = 0``.
        Only non-zero coefficients are stored.
    affinity_matrix_ : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        ``|C| + |C|^T`` (sparse) or, with ``post_processing="dsc"``, the dense
        DSC affinity; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    SparseSubspaceClustering : Convex (l1) sparse coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import OrthogonalMatchingPursuitSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = OrthogonalMatchingPursuitSubspaceClustering(n_clusters=2, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "n_nonzero": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        n_nonzero=10,
        tol=1e-6,
        post_processing=None,
        post_processing_params=None,
        assign_labels="kmeans",
        normalize_input=True,
        device="cpu",
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.n_nonzero = n_nonzero
        self.tol = tol
        self.device = device

    def _device(self):
        return resolve_device(self.device)

    def _representation(self, X, gram):
        return _omp(gram, self.n_nonzero, self.tol)



class LeastSquaresSubspaceClustering(_BaseSelfExpressiveClustering):
    """Least squares regression subspace clustering (LSR).

    The rows of ``X`` are first scaled to unit l2 norm (unless
    ``normalize_input=False``). Then every sample ``x_i`` is expressed by the
    others through the ridge problem::

        min_c  ||x_i - sum_{j != i} c_j x_j||_2^2 + lam ||c||_2^2,    c_i = 0,

    solved in closed form (a dense ``C``). The affinity is by default DSC-Net's
    post-processing of ``C`` and spectral clustering gives the labels.

    Read more in Lu, Min, Zhao, Zhu, Huang and Yan, "Robust and Efficient
    Subspace Segmentation via Least Squares Regression", ECCV 2012; it is also
    the dense model of Ji, Salzmann and Li, "Efficient Dense Subspace
    Clustering", WACV 2014.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    lam : float, default=0.1
        Ridge weight, ``> 0``: larger values give smaller, more spread
        coefficients; see the Notes for the default.
    post_processing : {None, "normalize_rows", "dsc"}, default="dsc"
        Affinity built from the coefficients: ``"dsc"`` the thresholded
        low-rank affinity of DSC-Net, ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"discretize", "kmeans"}, default="discretize"
        Label assignment of the spectral step: scikit-learn's discretisation
        (as DSC-Net's code) or k-means on the row-normalised eigenvectors; see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients.
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : ndarray of shape (n_samples, n_samples)
        Dense self-expressive coefficients: row ``i`` expresses sample ``i``,
        ``x_i ~ sum_j C[i, j] x_j`` (on the unit-norm rows), ``C[i, i] = 0``.
    affinity_matrix_ : ndarray of shape (n_samples, n_samples)
        The affinity given to the spectral step.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    least_squares_representation : The coefficients alone.
    ElasticNetSubspaceClustering : Sparse (elastic-net) coefficients.
    SparseSubspaceClustering : Sparse (l1) coefficients.

    Notes
    -----
    With ``Z`` the unit-norm rows and ``M = (Z^T Z + lam I)^-1``, the solution
    is ``C[i, j] = z_i M z_j^T / (1 - z_i M z_i^T)`` for ``j != i``; when
    ``n_samples <= n_features`` the equal form ``C = I - diag(P)^-1 P``, ``P =
    (Z Z^T + lam I)^-1``, is used instead. Either way one Cholesky
    factorisation of the smaller Gram system is computed, in float64, and
    ``C`` (``8 * n_samples**2`` bytes) is held in memory.

    ``C`` is dense, so, as for the deep estimators of the package, the default
    affinity is the DSC post-processing with the package's one setting
    (:data:`~deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`) and the
    labels come from the discretize assignment (DSC-Net's spectral step); the
    sparse-``C`` estimators (SSC, EnSC, SSC-OMP) keep ``|C| + |C|^T`` and
    k-means.

    The default ``lam=0.1`` is a scale argument, not a tuned value: on
    unit-norm rows every diagonal entry of the Gram matrix is 1, so ``lam``
    is a tenth of one sample's energy. It was fixed before, and not chosen
    from, any clustering accuracy. With ``normalize_input=False`` it is
    relative to the squared norms of the rows.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import LeastSquaresSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = LeastSquaresSubspaceClustering(n_clusters=2, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    >>> type(model.coef_).__name__, model.coef_.shape
    ('ndarray', (60, 60))
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "lam": [Interval(Real, 0, None, closed="neither")],
    }

    _uses_gram = False

    def __init__(
        self,
        n_clusters=8,
        *,
        lam=0.1,
        post_processing="dsc",
        post_processing_params=None,
        assign_labels="discretize",
        normalize_input=True,
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.lam = lam

    def _representation(self, X, gram):
        return _least_squares(X, float(self.lam))

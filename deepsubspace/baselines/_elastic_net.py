"""Elastic-net self-expression (EnSC, and SSC as its ``tau = 1`` case).

The default solver is the exact batched LARS-lasso homotopy of
``lam ||c||_1 + 1/2 c^T (G + rho I) c - g_j^T c`` on oracle-guided working
sets (torch); scikit-learn's coordinate descent is kept as a reference. See
:mod:`deepsubspace.baselines` for the problem and the solver.
"""

import math
import warnings
from contextlib import nullcontext as _nullcontext

import numpy as np
import torch
from joblib import Parallel, delayed
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet
from sklearn.utils import gen_even_slices

from .._device import resolve_device
from ._common import _batch_slices, _gram, _n_workers, _rows, _to_csr, _torch_threads
from ._support import _EPS, _Support


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

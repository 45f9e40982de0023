"""Large-N synthetic benchmark: time split, peak memory and ARI against N.

Data: a union of 20 random linear subspaces of dimension 6 in R^60, N / 20
unit-norm points on each (seed 0; the bases are drawn once, independently of
N). Methods (parameters fixed before any run, none tuned on labels):

* ``senet``: :class:`~deepsubspace.SelfExpressiveNetwork` with its defaults
  (``n_clusters=20, random_state=0``).
* ``minibatch_dsc``: :class:`~deepsubspace.MiniBatchDSC` with
  ``self_expression="closed_form"``, ``coefficients="sparse"`` (top 50 per
  row), an MLP encoder ``60 -> 128 -> 60``, ``batch_size=256``,
  ``pretrain_epochs=10``, ``max_epochs=10``, other parameters default.
* ``ensc``: :class:`~deepsubspace.baselines.ElasticNetSubspaceClustering`
  with SENet's objective (``gamma=50``, ``tau=0.9``), affinity from
  row-normalised C, k-means assignment; only where its N x N Gram (float64)
  takes at most ``--ensc-max-gram-gib`` (default 4 GiB, N <= 23,170).

Every (method, N) runs in a fresh process (``run_resumable``): an interrupted
benchmark resumes, and the peak RSS (``VmHWM``) is that of the run alone,
data generation included. Times: training, coefficient inference, affinity
and spectral step (for MiniBatchDSC and EnSC the affinity and spectral steps
are timed by wrapping the package functions they call; their coefficient time
is the rest of ``fit``). The 1-minute load average before and after each run
is recorded: the machine is shared, and wall times grow with the load.

    python benchmarks/scale.py --sizes 10000 20000 50000 100000 --methods senet minibatch_dsc ensc
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (RESULTS, git_commit, machine, peak_rss_bytes, run_resumable,  # noqa: E402
                     write_markdown)

METHODS = ("senet", "minibatch_dsc", "ensc")
N_SUBSPACES, DIM, AMBIENT = 20, 6, 60

MINIBATCH_DSC_PARAMS = {
    "encoder": "mlp", "encoder_params": {"hidden_layer_sizes": (128,), "latent_dim": 60},
    "self_expression": "closed_form", "coefficients": "sparse", "n_nonzero": 50,
    "batch_size": 256, "pretrain_epochs": 10, "max_epochs": 10,
}
ENSC_PARAMS = {"gamma": 50.0, "tau": 0.9, "post_processing": "normalize_rows",
               "assign_labels": "kmeans"}


def union_of_subspaces(n_samples, seed=0):
    """``n_samples`` unit-norm points, equally many on each of the 20 subspaces, and labels."""
    import numpy as np

    rng = np.random.RandomState(seed)
    bases = [np.linalg.qr(rng.randn(AMBIENT, DIM))[0] for _ in range(N_SUBSPACES)]
    per = n_samples // N_SUBSPACES
    X = np.vstack([(basis @ rng.randn(DIM, per)).T for basis in bases])
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    return X, np.repeat(np.arange(N_SUBSPACES), per)


def _timed(module, name, seconds):
    """Replace ``module.name`` by a wrapper adding its wall time to ``seconds[name]``."""
    function = getattr(module, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - start

    setattr(module, name, wrapper)


def run_one(method, n_samples, threads, device="cpu"):
    import torch

    torch.set_num_threads(threads)
    from sklearn.metrics import adjusted_rand_score

    from deepsubspace import MiniBatchDSC, SelfExpressiveNetwork, _base, baselines
    from deepsubspace.baselines import _estimators

    load_before = os.getloadavg()[0]
    X, y = union_of_subspaces(n_samples)
    calls = {}
    if method == "senet":
        model = SelfExpressiveNetwork(n_clusters=N_SUBSPACES, random_state=0, device=device)
    elif method == "minibatch_dsc":
        model = MiniBatchDSC(n_clusters=N_SUBSPACES, random_state=0, device=device,
                             **MINIBATCH_DSC_PARAMS)
        _timed(_base, "affinity_from_coefficients", calls)
        _timed(_base, "spectral_labels", calls)
    else:
        model = baselines.ElasticNetSubspaceClustering(n_clusters=N_SUBSPACES, random_state=0,
                                                       **ENSC_PARAMS)
        _timed(_estimators, "affinity_from_coefficients", calls)
        _timed(_estimators, "spectral_labels", calls)
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    model.fit(X)
    total = time.perf_counter() - start
    if method == "senet":
        stages = dict(model.stage_seconds_)
    else:
        train = sum(getattr(model, "stage_seconds_", {}).values())
        affinity, spectral = calls["affinity_from_coefficients"], calls["spectral_labels"]
        stages = {"train": train, "coefficients": total - train - affinity - spectral,
                  "affinity": affinity, "spectral": spectral}
        if hasattr(model, "stage_seconds_"):
            stages["train_stages"] = dict(model.stage_seconds_)
    coef = model.coef_
    return {
        "method": method, "n_samples": n_samples, "seconds": total, "stage_seconds": stages,
        "ari": float(adjusted_rand_score(y, model.labels_)),
        "nonzeros_per_row": float(coef.nnz / n_samples),
        "peak_rss_bytes": peak_rss_bytes(), "load_before": load_before,
        "load_after": os.getloadavg()[0], "threads": torch.get_num_threads(),
        "commit": git_commit(), "machine": machine(device),
        "cuda_max_memory_allocated_bytes": (int(torch.cuda.max_memory_allocated(device))
                                            if device.startswith("cuda") else None),
        "params": model.get_params(),
    }


def markdown(results):
    lines = [
        "| method | N | training s | coefficients s | affinity s | spectral s | total s | "
        "peak RSS GiB | ARI | non-zeros / row | load (before, after) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    runs = sorted(results.values(), key=lambda r: (METHODS.index(r["method"]), r["n_samples"]))
    for r in runs:
        s = r["stage_seconds"]
        lines.append(
            f"| {r['method']} | {r['n_samples']:,} | {s['train']:.0f} | {s['coefficients']:.0f} | "
            f"{s['affinity']:.1f} | {s['spectral']:.0f} | {r['seconds']:.0f} | "
            f"{r['peak_rss_bytes'] / 2**30:.2f} | {r['ari']:.4f} | {r['nonzeros_per_row']:.1f} | "
            f"{r['load_before']:.1f}, {r['load_after']:.1f} |")
    if runs:
        m, first = runs[0]["machine"], runs[0]
        commits = sorted({r["commit"] for r in runs})
        lines += ["", f"Machine: {m['processor']}, {m['cpu_count']} CPUs (shared with other jobs: "
                      f"see the load column), {first['threads']} torch thread(s); {m['platform']}; "
                      f"versions {m['versions']}. Commit(s): {', '.join(commits)}.",
                  "Data: 20 random subspaces of dimension 6 in R^60, N / 20 unit-norm points each, "
                  "seed 0. MiniBatchDSC parameters: "
                  f"`{json.dumps(MINIBATCH_DSC_PARAMS)}`; EnSC: `{json.dumps(ENSC_PARAMS)}`; "
                  "SENet: defaults. Random state 0 everywhere; one run per cell. EnSC runs only "
                  "where its N x N Gram fits (`--ensc-max-gram-gib`, 4 GiB: N <= 23,170)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 20000, 50000, 100000])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ensc-max-gram-gib", type=float, default=4.0)
    parser.add_argument("--device", default="cpu", help="the deep methods' device (EnSC runs on CPU)")
    parser.add_argument("--output", default=os.path.join(RESULTS, "scale.json"))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        method, n_samples = args.one
        print(json.dumps(run_one(method, int(n_samples), args.threads, args.device)))
        return None
    keys, skipped = [], []
    for method in args.methods:
        for n in args.sizes:
            if method == "ensc" and 8 * n**2 > args.ensc_max_gram_gib * 2**30:
                skipped.append(f"ensc at N={n:,} (Gram {8 * n**2 / 2**30:.0f} GiB)")
                continue
            keys.append((method, n))
    if skipped:
        print("skipped (memory): " + "; ".join(skipped), flush=True)
    results = run_resumable(
        os.path.abspath(__file__), keys, args.output,
        ["--threads", str(args.threads), "--device", args.device],
        summary=lambda r: f"ARI {r['ari']:.4f}, {r['seconds']:.0f} s, "
                          f"peak RSS {r['peak_rss_bytes'] / 2**30:.2f} GiB",
        markdown=markdown)
    write_markdown(args.output, markdown(results))
    print(markdown(results))
    return results


if __name__ == "__main__":
    main()

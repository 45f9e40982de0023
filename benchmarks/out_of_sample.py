"""Out-of-sample labels: fit on half of each class's samples, ``predict`` the other half.

For COIL-100 (sorted by object and angle) the halves are alternate views of
every object (0, 10, 20, ... degrees to fit; 5, 15, 25, ... to predict). The
estimator runs with its preset for the data set (SelfExpressiveNetwork: its
defaults with ``n_clusters``), fitted on the first half only. Reports the ACC
of ``labels_`` on the fitted half, and of ``predict`` on the held-out half
twice: with the cluster-to-class matching found on the fitted half (what a
user who named the clusters from the fitted data would see) and with the
held-out half's own best matching.

    python -m benchmarks run out_of_sample_coil100
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, mean_std, peak_rss_bytes, run_resumable  # noqa: E402


def halves(target):
    """Indices of alternate samples of every class: (fitted, held out)."""
    import numpy as np

    fit, held_out = [], []
    for label in np.unique(target):
        members = np.flatnonzero(target == label)
        fit.append(members[0::2])
        held_out.append(members[1::2])
    return np.concatenate(fit), np.concatenate(held_out)


def matched_accuracy(target, labels, reference_target, reference_labels):
    """ACC of ``labels`` under the cluster -> class matching that is best on the reference."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    classes, clusters = np.unique(reference_target), np.unique(np.r_[reference_labels, labels])
    counts = np.array([[np.sum((reference_labels == k) & (reference_target == c)) for c in classes]
                       for k in clusters])
    rows, cols = linear_sum_assignment(-counts)
    mapping = {clusters[r]: classes[c] for r, c in zip(rows, cols)}
    return float(np.mean([mapping.get(k, None) == t for k, t in zip(labels, target)]))


def run_one(estimator, dataset, seed):
    import deepsubspace
    from deepsubspace import presets
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy

    data = load_dataset(dataset)
    fit, held_out = halves(data.target)
    k = len(set(data.target))
    if estimator == "SelfExpressiveNetwork":
        params = {"n_clusters": k}
    else:
        params = presets.get(estimator, dataset)
    model = getattr(deepsubspace, estimator)(**params, random_state=seed)
    start = time.perf_counter()
    model.fit(data.data[fit])
    fit_seconds = time.perf_counter() - start
    start = time.perf_counter()
    predicted = model.predict(data.data[held_out])
    predict_seconds = time.perf_counter() - start
    y_fit, y_out = data.target[fit], data.target[held_out]
    info = machine()
    return {
        "estimator": estimator, "dataset": dataset, "seed": seed,
        "n_fit": len(fit), "n_held_out": len(held_out),
        "params": {p: v for p, v in params.items() if p != "encoder_params"},
        "acc_fit": clustering_accuracy(y_fit, model.labels_),
        "acc_predict_fit_matching": matched_accuracy(y_out, predicted, y_fit, model.labels_),
        "acc_predict_own_matching": clustering_accuracy(y_out, predicted),
        "fit_seconds": fit_seconds, "predict_seconds": predict_seconds,
        "peak_rss_bytes": peak_rss_bytes(), "machine": info, "commit": info["commit"],
    }


def markdown(results):
    lines = ["| estimator | dataset | seeds | fitted / held out | ACC fitted half (labels_) "
             "| ACC held-out half (predict, fitted half's matching) | ACC held-out (own matching) "
             "| fit (s) | predict (s) | peak RSS (MiB) |", "|---|---|---|---|---|---|---|---|---|---|"]
    groups = {}
    for run in results.values():
        groups.setdefault((run["estimator"], run["dataset"]), []).append(run)
    for (estimator, dataset), runs in sorted(groups.items()):
        col = lambda key: [r[key] for r in runs]  # noqa: E731
        lines.append(f"| {estimator} | {dataset} | {len(runs)} | {runs[0]['n_fit']} / {runs[0]['n_held_out']} "
                     f"| {mean_std(col('acc_fit'))} | {mean_std(col('acc_predict_fit_matching'))} "
                     f"| {mean_std(col('acc_predict_own_matching'))} | {mean_std(col('fit_seconds'))} "
                     f"| {mean_std(col('predict_seconds'))} "
                     f"| {mean_std([r['peak_rss_bytes'] / 2**20 for r in runs])} |")
    commits = sorted({r["machine"]["commit"] for r in results.values()})
    lines += ["", f"Commits: {', '.join(commits)}; machine: {next(iter(results.values()))['machine']['processor']}, "
                  f"{next(iter(results.values()))['machine']['cpu_count']} CPUs, 1 torch thread per process."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--estimators", nargs="+", default=["MiniBatchDSC", "SelfExpressiveNetwork"])
    parser.add_argument("--datasets", nargs="+", default=["coil100"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--output", default=os.path.join(RESULTS, "out_of_sample.json"))
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        estimator, dataset, seed = args.one
        print(json.dumps(run_one(estimator, dataset, int(seed))))
        return
    keys = [(e, d, s) for e in args.estimators for d in args.datasets for s in args.seeds]
    results = run_resumable(__file__, keys, args.output, markdown=markdown,
                            summary=lambda r: f"ACC fit {r['acc_fit']:.3f}, predict "
                                              f"{r['acc_predict_fit_matching']:.3f}")
    print(markdown(results))


if __name__ == "__main__":
    main()

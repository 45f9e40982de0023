"""Classical baselines next to deep subspace clustering, on one table (the main table's shallow rows).

k-means and spectral clustering (kNN graph) on raw pixels; least-squares
(LSR), SSC and EnSC on raw pixels (their estimator defaults, one setting for
every dataset), each with the plain ``|C| + |C|^T`` affinity and with the DSC
post-processing (for LSR's dense C the package's one setting, as for the deep
models; for sparse coefficients threshold 1.0: the default threshold keeps
about one entry per column of a sparse C).
``ensc_you`` is EnSC as the public code of You et al. runs it
(github.com/ChongYou/subspace-clustering, with the ``gamma=200, tau=1`` of
its ORL setting): raw rows, ``gamma`` relative to each sample's largest
coherence, and (``+rows``) its affinity from the row-normalised C.
Every method runs with 5 seeds (for SSC/EnSC the coefficients are
deterministic and the seed is the spectral step's) in a fresh process of its
own, so that its peak memory is its own.

Only the shallow methods' rows are written here: ``report.py`` puts them beside
the deep estimators' current results in the documentation's tables (a copy of
the deep rows here would go stale when those are rerun).
Writes ``compare_baselines.json`` and ``.md`` into its results folder.

    python -m benchmarks run compare_baselines
    python benchmarks/compare_baselines.py --datasets orl --json orl.json --markdown orl.md
"""

import argparse
import json
import os
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, samples_and_target  # noqa: E402

METHODS = ["kmeans", "spectral_knn", "lsr", "lsr+dsc", "lsr+top3", "ssc", "ssc+dsc", "ensc", "ensc+dsc",
           "ensc_you", "ensc_you+rows"]
#: not run by default: the deep SelfExpressiveNetwork with its defaults, on the same pixels
EXTRA_METHODS = ["senet"]
ENSC_YOU = {"gamma": 200.0, "gamma_relative": True, "tau": 1.0, "normalize_input": False}
SPARSE_DSC_POST = {"threshold": 1.0}
POST = {"": {}, "dsc": {"post_processing": "dsc", "post_processing_params": SPARSE_DSC_POST},
        "rows": {"post_processing": "normalize_rows"}}
POST_LABEL = {"": "none (|C|+|C|^T)", "dsc": "dsc " + json.dumps(SPARSE_DSC_POST),
              "rows": "row-normalised C, then |C|+|C|^T"}
#: LSR's C is dense: its DSC post-processing is the package's one setting (the deep models' rule)
LSR_POST = {"": {"post_processing": None}, "dsc": {"post_processing": "dsc"},
            # the objects family's rule of the deep presets: C's 3 largest entries per row, plain
            "top3": {"post_processing": None, "n_nonzero": 3}}
LSR_LABEL = {"": POST_LABEL[""], "dsc": "dsc (defaults)", "top3": "top 3 per row, |C|+|C|^T"}


def _scores(target, labels):
    from deepsubspace.metrics import (
        adjusted_rand_score,
        clustering_accuracy,
        normalized_mutual_info_score,
    )

    return {"acc": clustering_accuracy(target, labels),
            "nmi": normalized_mutual_info_score(target, labels),
            "ari": adjusted_rand_score(target, labels)}


def run_method(dataset, method, seeds, n_init=1):
    """All seeds of one method on one dataset (runs in a fresh process).

    ``n_init > 1``: the self-expressive methods' labels come from the medoid of
    ``n_init`` discretisations of their affinity (``spectral_labels(n_init=...)``).
    """
    from sklearn.cluster import KMeans, SpectralClustering

    from deepsubspace.baselines import (
        ElasticNetSubspaceClustering,
        LeastSquaresSubspaceClustering,
        SparseSubspaceClustering,
    )
    from deepsubspace.affinity import spectral_labels
    X, y = samples_and_target(dataset)
    X = np.asarray(X, dtype=np.float64)
    k = len(np.unique(y))
    base, _, post = method.partition("+")
    runs = []
    for seed in seeds:
        start = time.perf_counter()
        if base == "kmeans":
            labels = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(X)
        elif base == "spectral_knn":
            labels = SpectralClustering(n_clusters=k, affinity="nearest_neighbors", n_neighbors=10,
                                        random_state=seed).fit_predict(X)
        elif base == "senet":
            from deepsubspace import SelfExpressiveNetwork

            labels = SelfExpressiveNetwork(n_clusters=k, random_state=seed).fit_predict(X)
        else:
            if base == "lsr":
                model = LeastSquaresSubspaceClustering(n_clusters=k, random_state=seed, **LSR_POST[post])
            else:
                cls = {"ssc": SparseSubspaceClustering, "ensc": ElasticNetSubspaceClustering,
                       "ensc_you": ElasticNetSubspaceClustering}[base]
                params = dict(ENSC_YOU) if base == "ensc_you" else {}
                params.update(POST[post])
                model = cls(n_clusters=k, random_state=seed, **params)
            labels = model.fit(X).labels_
            if n_init > 1:
                labels = spectral_labels(model.affinity_matrix_, k, assign_labels=model.assign_labels,
                                         n_init=n_init, random_state=seed)
        runs.append({"seed": seed, "seconds": time.perf_counter() - start, **_scores(y, labels)})
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"dataset": dataset, "method": method, "n_samples": len(y), "runs": runs, "n_init": n_init,
            "peak_rss_bytes": peak,
            "post_processing": (POST_LABEL[post] if base.startswith(("ssc", "ensc"))
                                else LSR_LABEL[post] if base == "lsr" else "n/a"),
            "params": dict(ENSC_YOU) if base == "ensc_you" else "estimator defaults"}


def markdown(rows):
    def mean_std(values):
        values = np.asarray(values, dtype=float)
        if np.all(np.isnan(values)):
            return "n/a"
        return f"{np.nanmean(values):.3f} +- {np.nanstd(values):.3f}"

    lines = ["| dataset | method | affinity | seeds | ACC | NMI | ARI | time per fit (s) | peak RSS (MiB) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for row in sorted(rows, key=lambda r: (r["dataset"], r["method"])):
        runs = row["runs"]
        lines.append(
            f"| {row['dataset']} | {row['method']} | {row['post_processing'].replace('|', '&#124;')} "
            f"| {len(runs)} "
            f"| {mean_std([r['acc'] for r in runs])} | {mean_std([r['nmi'] for r in runs])} "
            f"| {mean_std([r['ari'] for r in runs])} | {mean_std([r['seconds'] for r in runs])} "
            f"| {row['peak_rss_bytes'] / 2**20:.0f} |")
    lines += ["", "SSC/EnSC rows: spectral step assign_labels='kmeans' (their default: normalised "
                  "eigenvectors + k-means, n_init=20); LSR rows: assign_labels='discretize' "
                  "(theirs). "
                  "ensc_you: " + json.dumps(ENSC_YOU) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["orl", "coil20", "extended_yaleb"])
    parser.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS + EXTRA_METHODS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-init", type=int, default=1,
                        help="discretisations of the self-expressive methods' affinity; above 1 their "
                             "medoid gives the labels")
    parser.add_argument("--json", default=os.path.join(RESULTS, "compare_baselines.json"),
                        help="write the rows, the machine and the commit here")
    parser.add_argument("--markdown", default=os.path.join(RESULTS, "compare_baselines.md"),
                        help="write the table here")
    args = parser.parse_args(argv)

    rows = []
    context = get_context("spawn")
    for dataset in args.datasets:
        for method in args.methods:
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                row = pool.submit(run_method, dataset, method, args.seeds, args.n_init).result()
            rows.append(row)
            accs = [r["acc"] for r in row["runs"]]
            print(f"{dataset:>15} {method:<14} ACC {np.mean(accs):.3f} +- {np.std(accs):.3f} "
                  f"({np.mean([r['seconds'] for r in row['runs']]):.1f} s per fit)", flush=True)
    table = markdown(rows)
    print(table)
    os.makedirs(os.path.dirname(os.path.abspath(args.markdown)), exist_ok=True)
    with open(args.markdown, "w") as fh:
        fh.write(table)
    info = machine()
    with open(args.json, "w") as fh:
        json.dump({"machine": info, "commit": info["commit"], "rows": rows}, fh, indent=1)


if __name__ == "__main__":
    main()

"""Diagnostic: do contrastively pre-trained features hold what COIL-20 needs?

ContrastiveMiniBatchDSC's ``"deep"`` preset (3-layer conv encoder, 256-d,
1000 epochs of plain contrastive pre-training with the "objects"
augmentations) is fitted with its self-expression stages cut to a minimum
(no C-only epochs, one fine-tuning epoch), so ``embedding_`` holds the
pre-trained encoder's features of the un-augmented images. The shallow
methods of the main table then cluster those features in place of the
pixels: k-means, spectral clustering on a 10-nearest-neighbour graph, LSR with
the DSC post-processing, SSC with ``|C|+|C|^T``. The question is whether a
deep estimator on this CPU can have features on which COIL-20 clusters better
than on the pixels (best shallow method 0.796): if even the kNN graph of the
features does not, no self-expressive layer on them will. Reads labels: a
diagnostic, never a preset.

    python -m benchmarks run contrastive_features_coil20
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, run_resumable  # noqa: E402

METHODS = ("kmeans", "spectral_knn", "lsr+dsc", "ssc")


def cluster(method, features, k, seed):
    from sklearn.cluster import KMeans, SpectralClustering

    from deepsubspace.baselines import LeastSquaresSubspaceClustering, SparseSubspaceClustering

    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(features)
    if method == "spectral_knn":
        return SpectralClustering(n_clusters=k, affinity="nearest_neighbors", n_neighbors=10,
                                  random_state=seed).fit_predict(features)
    if method == "lsr+dsc":
        return LeastSquaresSubspaceClustering(n_clusters=k, random_state=seed).fit_predict(features)
    return SparseSubspaceClustering(n_clusters=k, random_state=seed).fit_predict(features)


def run_one(dataset, seed):
    import numpy as np

    from deepsubspace import ContrastiveMiniBatchDSC, presets
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy, effective_rank

    data = load_dataset(dataset)
    params = presets.get("ContrastiveMiniBatchDSC", dataset, "deep")
    params.update(pretrain_epochs=0, max_epochs=1)
    start = time.perf_counter()
    model = ContrastiveMiniBatchDSC(**params, random_state=seed).fit(data.data)
    fit_seconds = time.perf_counter() - start
    k = params["n_clusters"]
    features = model.embedding_.astype(np.float64)
    acc = {method: clustering_accuracy(data.target, cluster(method, features, k, seed))
           for method in METHODS}
    info = machine()
    return {"dataset": dataset, "seed": seed, "fit_seconds": fit_seconds, "acc": acc,
            "acc_estimator": clustering_accuracy(data.target, model.labels_),
            "effective_rank": effective_rank(features), "params": repr(params),
            "machine": info, "commit": info["commit"]}


def markdown(results):
    import numpy as np

    runs = sorted(results.values(), key=lambda r: (r["dataset"], r["seed"]))
    lines = ["| dataset | seeds | " + " | ".join(f"ACC, {m} on the features" for m in METHODS)
             + " | effective rank | fit time (s) |", "|---|---|" + "---|" * (len(METHODS) + 2)]
    for dataset in sorted({r["dataset"] for r in runs}):
        mine = [r for r in runs if r["dataset"] == dataset]
        cells = [f"{np.mean([r['acc'][m] for r in mine]):.3f} +- {np.std([r['acc'][m] for r in mine]):.3f}"
                 for m in METHODS]
        lines.append(f"| {dataset} | {len(mine)} | " + " | ".join(cells)
                     + f" | {np.mean([r['effective_rank'] for r in mine]):.1f}"
                     + f" | {np.mean([r['fit_seconds'] for r in mine]):.0f} |")
    commits = sorted({r["commit"] for r in runs})
    return "\n".join(lines) + f"\n\nDiagnostic (reads labels). Commits: {', '.join(commits)}.\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["coil20"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--output", default=os.path.join(RESULTS, "contrastive_features.json"))
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]))))
        return
    keys = [(d, s) for d in args.datasets for s in args.seeds]
    results = run_resumable(__file__, keys, args.output, markdown=markdown,
                            summary=lambda r: json.dumps({m: round(v, 3) for m, v in r["acc"].items()}))
    print(markdown(results))


if __name__ == "__main__":
    main()

"""Classical baselines next to k-means on one data set, one seed.

k-means and the package's shallow self-expressive estimators (LSR, SSC, EnSC,
SSC-OMP), each with its defaults, on the raw pixels of a benchmark (ORL by
default, from $DEEPSUBSPACE_DATA or downloaded); prints ACC, NMI and the time
of each fit. The full table (5 seeds, three data sets, the deep presets next
to them) is the benchmark ``python -m benchmarks run compare_baselines``.

    python examples/compare_baselines.py
    python examples/compare_baselines.py --dataset coil20 --seed 1
"""

import argparse
import time

from sklearn.cluster import KMeans

from deepsubspace.baselines import (
    ElasticNetSubspaceClustering,
    LeastSquaresSubspaceClustering,
    OrthogonalMatchingPursuitSubspaceClustering,
    SparseSubspaceClustering,
)
from deepsubspace.datasets import load_dataset
from deepsubspace.metrics import clustering_accuracy, normalized_mutual_info_score


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="orl", choices=["orl", "coil20", "extended_yaleb"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = load_dataset(args.dataset)
    k = len(set(data.target))
    methods = {
        "k-means": KMeans(n_clusters=k, n_init=10, random_state=args.seed),
        "LSR": LeastSquaresSubspaceClustering(n_clusters=k, random_state=args.seed),
        "SSC": SparseSubspaceClustering(n_clusters=k, random_state=args.seed),
        "EnSC": ElasticNetSubspaceClustering(n_clusters=k, random_state=args.seed),
        "SSC-OMP": OrthogonalMatchingPursuitSubspaceClustering(n_clusters=k, random_state=args.seed),
    }
    print(f"{args.dataset}: {data.data.shape[0]} images, {k} classes, seed {args.seed}")
    print(f"{'method':<9}{'ACC':>7}{'NMI':>7}{'time':>9}")
    for name, model in methods.items():
        start = time.perf_counter()
        labels = model.fit_predict(data.data)
        print(f"{name:<9}{clustering_accuracy(data.target, labels):7.3f}"
              f"{normalized_mutual_info_score(data.target, labels):7.3f}{time.perf_counter() - start:8.1f}s")


if __name__ == "__main__":
    main()

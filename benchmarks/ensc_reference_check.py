"""EnSC in You et al.'s setting against an independent scikit-learn solve.

The public EnSC code (github.com/ChongYou/subspace-clustering) expresses each
raw row x_j by the others with scikit-learn's LARS lasso,
``sparse_encode(x_j, X_-j, algorithm="lasso_lars", alpha=max_i |x_i^T x_j| / gamma)``,
then builds the affinity from the row-normalised C and assigns labels with
k-means on the normalised spectral embedding. This script does those solves
with ``sparse_encode`` (one sample at a time, no active set) and compares
them with ``ElasticNetSubspaceClustering(gamma=200, gamma_relative=True,
normalize_input=False, post_processing="normalize_rows")``: largest
coefficient difference and the ACC of both over 5 spectral seeds.

    python benchmarks/ensc_reference_check.py --dataset orl
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, save_results  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="orl")
    parser.add_argument("--gamma", type=float, default=200.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = parser.parse_args(argv)

    import numpy as np
    from scipy import sparse
    from sklearn.decomposition import sparse_encode

    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.baselines import ElasticNetSubspaceClustering
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy

    data = load_dataset(args.dataset)
    X, y = data.data.astype(np.float64), data.target
    n, k = len(X), len(np.unique(y))

    start = time.perf_counter()
    reference = np.zeros((n, n))
    for j in range(n):
        others = X.copy()
        others[j] = 0.0
        alpha = np.abs(others @ X[j]).max() / args.gamma
        reference[j] = sparse_encode(X[j:j + 1], others, algorithm="lasso_lars", alpha=alpha)[0]
    reference_seconds = time.perf_counter() - start
    affinity = affinity_from_coefficients(sparse.csr_matrix(reference), post_processing="normalize_rows")

    model = ElasticNetSubspaceClustering(n_clusters=k, gamma=args.gamma, gamma_relative=True,
                                         normalize_input=False, post_processing="normalize_rows")
    ours, reference_acc = [], []
    for seed in args.seeds:
        ours.append(clustering_accuracy(y, model.set_params(random_state=seed).fit_predict(X)))
        labels = spectral_labels(affinity, k, assign_labels="kmeans", random_state=seed)
        reference_acc.append(clustering_accuracy(y, labels))
    result = {
        "dataset": args.dataset, "gamma": args.gamma, "seeds": args.seeds,
        "max_abs_coefficient_difference": float(np.abs(model.coef_.toarray()
                                                       - reference).max()),
        "acc_package": ours, "acc_sparse_encode": reference_acc,
        "acc_package_mean_std": [float(np.mean(ours)), float(np.std(ours))],
        "acc_sparse_encode_mean_std": [float(np.mean(reference_acc)), float(np.std(reference_acc))],
        "sparse_encode_seconds": reference_seconds, "machine": machine(),
    }
    save_results(os.path.join(RESULTS, f"ensc_reference_check_{args.dataset}.json"), result)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()

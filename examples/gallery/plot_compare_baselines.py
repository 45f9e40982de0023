"""
Deep and shallow subspace clustering on one data set
====================================================

Clustering accuracy of the classical baselines (SSC, EnSC, least squares,
spectral clustering on a kNN graph, k-means) and of ``MiniBatchDSC`` on the
same digits, three seeds each, every method at its defaults or at settings
fixed before reading the labels. The bars are the means, the black ticks
the single seeds. On these small images spectral clustering on a kNN graph
scores as high as any self-expressive model, and the deep model varies
most between seeds: one data set names no winner.
"""

import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.datasets import load_digits

from deepsubspace import MiniBatchDSC
from deepsubspace.baselines import (
    ElasticNetSubspaceClustering,
    LeastSquaresSubspaceClustering,
    SparseSubspaceClustering,
)
from deepsubspace.metrics import clustering_accuracy

X, y = load_digits(return_X_y=True)
X = X / 16.0
alpha = 150.0  # 10 * mean squared norm of a sample, rounded


def methods(seed):
    """Every estimator of the comparison, seeded."""
    return {
        "k-means": KMeans(n_clusters=10, n_init=10, random_state=seed),
        "spectral, kNN graph": SpectralClustering(
            n_clusters=10, affinity="nearest_neighbors", n_neighbors=10, random_state=seed),
        "SSC": SparseSubspaceClustering(n_clusters=10, random_state=seed),
        "EnSC": ElasticNetSubspaceClustering(n_clusters=10, random_state=seed),
        "LSR, DSC post": LeastSquaresSubspaceClustering(
            n_clusters=10, post_processing="dsc", random_state=seed),
        "MiniBatchDSC": MiniBatchDSC(
            n_clusters=10, input_shape=(1, 8, 8), encoder="residual",
            encoder_params={"hidden": (16,), "kernel_size": 3, "activation": "gelu"},
            pretrain_epochs=0, batch_size=128, max_epochs=60, alpha=alpha, beta=alpha / 10,
            coding_rate=0.1, post_processing="dsc", random_state=seed),
    }


seeds = [0, 1, 2]
scores = {name: [] for name in methods(0)}
seconds = {name: 0.0 for name in methods(0)}
for seed in seeds:
    for name, estimator in methods(seed).items():
        start = time.perf_counter()
        labels = estimator.fit_predict(X)
        seconds[name] += time.perf_counter() - start
        scores[name].append(clustering_accuracy(y, labels))

for name, accs in scores.items():
    print(f"{name:<20} ACC {np.mean(accs):.3f} +- {np.std(accs):.3f} "
          f"({seconds[name] / len(seeds):.1f} s per fit)")

# %%
# The bar chart.

names = list(scores)
means = [np.mean(scores[name]) for name in names]
fig, ax = plt.subplots(figsize=(8, 4))
ax.barh(names, means, color="tab:blue")
for row, name in enumerate(names):
    ax.plot(scores[name], [row] * len(seeds), "|", color="black", markersize=12)
ax.set_xlim(0, 1)
ax.set_xlabel("clustering accuracy (digits, 3 seeds)")
ax.invert_yaxis()
fig.tight_layout()
plt.show()

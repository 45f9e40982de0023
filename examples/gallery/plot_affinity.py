"""
Affinity matrix sorted by cluster
=================================

``MiniBatchDSC`` expresses every sample as a combination of the others and
builds an affinity from those coefficients. When the samples lie on a union
of subspaces, the affinity sorted by the true clusters is block diagonal:
look for bright diagonal blocks and dark off-diagonal ones. Compare a union
of random subspaces, where the model is right, with the digits, where the
blocks are uneven and some mass lies off the diagonal.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from deepsubspace import MiniBatchDSC
from deepsubspace.metrics import adjusted_rand_score, clustering_accuracy
from deepsubspace.plotting import plot_affinity

# %%
# A union of subspaces
# --------------------
# Five random 6-dimensional subspaces of R^15, 100 unit-norm points on each.
# The estimator's defaults (a small MLP autoencoder, closed-form C, affinity
# ``|C| + |C|^T``) recover them.

rng = np.random.RandomState(0)
X_union, y_union = [], []
for k in range(5):
    basis = np.linalg.qr(rng.randn(15, 6))[0]
    points = (basis @ rng.randn(6, 100)).T
    X_union.append(points / np.linalg.norm(points, axis=1, keepdims=True))
    y_union += [k] * 100
X_union, y_union = np.vstack(X_union), np.array(y_union)

union = MiniBatchDSC(n_clusters=5, random_state=0).fit(X_union)
print(f"union of subspaces: ACC {clustering_accuracy(y_union, union.labels_):.3f}, "
      f"ARI {adjusted_rand_score(y_union, union.labels_):.3f}")

# %%
# The digits
# ----------
# The 8x8 images enter a residual encoder ``x + g(x)`` that starts at the
# identity, so training starts from the least-squares self-expression of the
# pixels. The affinity is the DSC post-processing of C (the package's rule
# for a dense C).

X, y = load_digits(return_X_y=True)
X = X / 16.0
alpha = 150.0  # 10 * mean squared norm of a sample, rounded
digits = MiniBatchDSC(
    n_clusters=10, input_shape=(1, 8, 8), encoder="residual",
    encoder_params={"hidden": (16,), "kernel_size": 3, "activation": "gelu"},
    pretrain_epochs=0, batch_size=128, max_epochs=60, alpha=alpha, beta=alpha / 10,
    coding_rate=0.1, post_processing="dsc", random_state=0,
).fit(X)
print(f"digits: ACC {clustering_accuracy(y, digits.labels_):.3f}, "
      f"ARI {adjusted_rand_score(y, digits.labels_):.3f}")

# %%
# Both affinities, rows and columns sorted by the true label. Sorting by the
# predicted ``labels_`` instead shows the blocks the spectral step saw.

fig, axes = plt.subplots(1, 3, figsize=(12, 4.2))
plot_affinity(union.affinity_matrix_, y_union, ax=axes[0])
axes[0].set_title("union of subspaces, by true label")
plot_affinity(digits.affinity_matrix_, y, ax=axes[1])
axes[1].set_title("digits, by true label")
plot_affinity(digits.affinity_matrix_, digits.labels_, ax=axes[2])
axes[2].set_title("digits, by predicted cluster")
fig.tight_layout()
plt.show()

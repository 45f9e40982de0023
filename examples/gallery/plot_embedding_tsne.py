"""
t-SNE of the learned features
=============================

``embedding_`` holds the latent features of every sample after training
(the memory bank; unit-norm rows with the closed-form C). A 2-D t-SNE of
them, coloured once by the predicted cluster and once by the true digit,
shows which digits the features separate and where the clusters disagree
with the classes: compare the two panels point by point.
"""

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.manifold import TSNE

from deepsubspace import MiniBatchDSC
from deepsubspace.metrics import clustering_accuracy

X, y = load_digits(return_X_y=True)
X = X / 16.0
alpha = 150.0  # 10 * mean squared norm of a sample, rounded
model = MiniBatchDSC(
    n_clusters=10, input_shape=(1, 8, 8), encoder="residual",
    encoder_params={"hidden": (16,), "kernel_size": 3, "activation": "gelu"},
    pretrain_epochs=0, batch_size=128, max_epochs=60, alpha=alpha, beta=alpha / 10,
    coding_rate=0.1, post_processing="dsc", random_state=0,
).fit(X)
print(f"ACC {clustering_accuracy(y, model.labels_):.3f}; embedding_ {model.embedding_.shape}")

# %%
# One t-SNE of the features, drawn twice.

xy = TSNE(n_components=2, init="pca", perplexity=30, random_state=0).fit_transform(model.embedding_)

fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, colours, title in ((axes[0], model.labels_, "coloured by predicted cluster"),
                           (axes[1], y, "coloured by true digit")):
    points = ax.scatter(xy[:, 0], xy[:, 1], c=colours, cmap="tab10", s=6)
    ax.set_title(title)
    ax.set_xticks([])
    ax.set_yticks([])
axes[1].legend(*points.legend_elements(), title="digit", loc="center left",
               bbox_to_anchor=(1.0, 0.5), fontsize="small")
fig.tight_layout()
plt.show()

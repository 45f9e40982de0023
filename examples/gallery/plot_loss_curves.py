"""
Loss curves
===========

``loss_curve_`` is the total loss of each fine-tuning epoch and
``loss_terms_`` its unweighted terms: the reconstruction (``"objective"``),
the self-expression residual ``||Z - CZ||^2``, ``||C||^2`` and the coding
rate, with ``loss = objective + alpha * self_expr + beta * reg -
coding_rate * coding_rate``. Look at which weighted term dominates and at
the trends: in this run the total loss turns upwards after about 15
epochs, as the reconstruction (near zero at the start: the residual encoder
starts at the identity) and the self-expression residual grow faster than
``||C||^2`` falls. A falling coding rate, as here, means the features spread
over fewer directions.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

from deepsubspace import MiniBatchDSC
from deepsubspace.plotting import plot_loss_curve

X, y = load_digits(return_X_y=True)
X = X / 16.0
alpha, beta, coding_rate = 150.0, 15.0, 0.1
model = MiniBatchDSC(
    n_clusters=10, input_shape=(1, 8, 8), encoder="residual",
    encoder_params={"hidden": (16,), "kernel_size": 3, "activation": "gelu"},
    pretrain_epochs=0, batch_size=128, max_epochs=60, alpha=alpha, beta=beta,
    coding_rate=coding_rate, post_processing="dsc", random_state=0,
).fit(X)
print(f"{model.n_iter_} fine-tuning epochs")
for name, values in model.loss_terms_.items():
    print(f"{name:<12} first epoch {values[0]:10.3f}   last epoch {values[-1]:10.3f}")

# %%
# The total loss (log scale) and each term times its weight; the coding rate
# enters with a minus sign, so its panel shows the reward it subtracts.

weights = {"objective": 1.0, "self_expr": alpha, "reg": beta, "coding_rate": coding_rate}
epochs = np.arange(1, model.n_iter_ + 1)
fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
plot_loss_curve(model.loss_curve_, ax=axes[0])
for name, values in model.loss_terms_.items():
    axes[1].plot(epochs, weights[name] * np.asarray(values), label=f"{weights[name]:g} x {name}")
axes[1].set_yscale("log")
axes[1].set_xlabel("fine-tuning epoch")
axes[1].set_title("weighted terms")
axes[1].legend(fontsize="small")
fig.tight_layout()
plt.show()

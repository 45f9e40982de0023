"""Figures: affinity matrix sorted by label, loss curve (matplotlib imported lazily).

The helpers draw on the axes they are given (or the current ones) and never
change matplotlib's backend.
"""

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("Plotting needs matplotlib: pip install 'deepsubspace[examples]'.") from exc
    return plt


def plot_affinity(affinity, labels, ax=None):
    """Show ``affinity`` with rows and columns sorted by ``labels``."""
    plt = _pyplot()
    ax = ax or plt.gca()
    order = np.argsort(np.asarray(labels), kind="stable")
    affinity = affinity.toarray() if hasattr(affinity, "toarray") else np.asarray(affinity)
    ax.imshow(affinity[np.ix_(order, order)], cmap="viridis", interpolation="nearest")
    ax.set_title("affinity, sorted by label")
    ax.set_xticks([])
    ax.set_yticks([])
    return ax


def plot_loss_curve(loss_curve, ax=None):
    """Total loss per fine-tuning epoch (log scale when every value is positive).

    With a coding-rate term the total loss can be zero or negative; the axis
    is then linear.
    """
    plt = _pyplot()
    ax = ax or plt.gca()
    ax.plot(np.arange(1, len(loss_curve) + 1), loss_curve)
    if np.all(np.asarray(loss_curve, dtype=float) > 0):
        ax.set_yscale("log")
    ax.set_xlabel("fine-tuning epoch")
    ax.set_ylabel("loss")
    ax.set_title("loss curve")
    return ax

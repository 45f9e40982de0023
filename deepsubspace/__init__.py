"""Deep subspace clustering for scikit-learn, with mini-batch training."""

__version__ = "0.1.0"

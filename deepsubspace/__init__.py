"""Deep subspace clustering for scikit-learn, with mini-batch training."""

from .dsc import MiniBatchDSC

__all__ = ["MiniBatchDSC"]
__version__ = "0.1.0"

"""Deep subspace clustering for scikit-learn, with mini-batch training."""

from .contrastive import ContrastiveMiniBatchDSC
from .dsc import MiniBatchDSC

__all__ = ["ContrastiveMiniBatchDSC", "MiniBatchDSC"]
__version__ = "0.1.0"

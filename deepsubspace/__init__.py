"""Deep subspace clustering for scikit-learn, with mini-batch training."""

from .contrastive import ContrastiveMiniBatchDSC
from .dsc import MiniBatchDSC
from .senet import SelfExpressiveNetwork

__all__ = ["ContrastiveMiniBatchDSC", "MiniBatchDSC", "SelfExpressiveNetwork"]
__version__ = "0.1.0"

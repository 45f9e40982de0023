"""Deep subspace clustering for scikit-learn, with mini-batch training."""

from .contrastive import ContrastiveMiniBatchDSC
from .dsc import MiniBatchDSC
from .senet import SelfExpressiveNetwork
from .structural import StructuralContrastiveDSC

__all__ = ["ContrastiveMiniBatchDSC", "MiniBatchDSC", "SelfExpressiveNetwork",
           "StructuralContrastiveDSC"]
__version__ = "0.1.0"

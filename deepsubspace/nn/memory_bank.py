"""A memory bank holding the latent features of all N samples."""

import torch
from torch import nn


class MemoryBank(nn.Module):
    """N x h feature buffer, written by index outside the autograd graph.

    Parameters
    ----------
    n_samples, n_features : int
        Shape of the bank.
    """

    def __init__(self, n_samples, n_features):
        super().__init__()
        self.register_buffer("features", torch.zeros(n_samples, n_features))
        # training step at which each row was last written (-1: never)
        self.register_buffer("written_at", torch.full((n_samples,), -1, dtype=torch.long))

    @torch.no_grad()
    def update(self, idx, z, step=0):
        """Write ``z`` (detached) into rows ``idx``; no other row changes."""
        self.features[idx] = z.detach().to(self.features.dtype).reshape(len(idx), -1)
        self.written_at[idx] = step

    def staleness(self, step):
        """Mean number of steps since each row was written."""
        return float((step - self.written_at).float().mean())

"""A memory bank holding the latent features of all N samples."""

import torch
from torch import nn


class MemoryBank(nn.Module):
    """N x h feature buffer, written by index outside the autograd graph.

    Parameters
    ----------
    n_samples, n_features : int
        Shape of the bank.
    track_gram : bool, default=False
        Also keep ``gram = features^T features`` (h x h, float64), updated
        with every write in O(n h^2) for a batch of n rows, for the
        closed-form self-expression step.
    """

    def __init__(self, n_samples, n_features, track_gram=False):
        super().__init__()
        self.register_buffer("features", torch.zeros(n_samples, n_features))
        # training step at which each row was last written (-1: never)
        self.register_buffer("written_at", torch.full((n_samples,), -1, dtype=torch.long))
        self.gram = torch.zeros(n_features, n_features, dtype=torch.float64) if track_gram else None

    def _apply(self, fn, recurse=True):
        super()._apply(fn, recurse)
        if self.gram is not None:  # follows the device of the bank, stays float64
            self.gram = self.gram.to(self.features.device)
        return self

    @torch.no_grad()
    def update(self, idx, z, step=0):
        """Write ``z`` (detached) into rows ``idx``; no other row changes."""
        new = z.detach().to(self.features.dtype).reshape(len(idx), -1)
        if self.gram is not None:
            old = self.features[idx].to(torch.float64)
            new64 = new.to(torch.float64)
            self.gram += new64.T @ new64 - old.T @ old
        self.features[idx] = new
        self.written_at[idx] = step

    @torch.no_grad()
    def gram_without(self, idx):
        """``gram`` less the rows ``idx``: the Gram of the bank's other rows (float64)."""
        old = self.features[idx].to(torch.float64)
        return self.gram - old.T @ old

    @torch.no_grad()
    def refresh_gram(self):
        """Recompute the Gram exactly (clears the rounding of incremental updates)."""
        if self.gram is not None:
            features = self.features.to(torch.float64)
            self.gram = features.T @ features

    def staleness(self, step):
        """Mean number of steps since each row was written."""
        return float((step - self.written_at).float().mean())

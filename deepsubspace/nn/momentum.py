"""A momentum (exponential-moving-average) copy of an encoder, as MoCo's key encoder."""

import copy

import torch
from torch import nn


@torch.no_grad()
def ema_update(target, source, momentum):
    """``t <- momentum * t + (1 - momentum) * s`` for every parameter pair of two modules."""
    for t, s in zip(target.parameters(), source.parameters()):
        t.mul_(momentum).add_(s.detach(), alpha=1.0 - momentum)


class MomentumEncoder(nn.Module):
    """A frozen copy of ``encoder`` that follows it by :func:`ema_update`.

    Its forward never records gradients. Buffers (batch-norm statistics) are
    its own: in training mode it normalises with batch statistics and tracks
    them, as the online encoder does.

    Parameters
    ----------
    encoder : nn.Module
        The online encoder; copied at construction.
    momentum : float in [0, 1)
        Weight of the old copy in each update; 0 makes the copy the online
        encoder after every update.
    """

    def __init__(self, encoder, momentum):
        super().__init__()
        self.momentum = momentum
        self.encoder = copy.deepcopy(encoder)
        self.encoder.requires_grad_(False)

    def update(self, online):
        ema_update(self.encoder, online, self.momentum)

    @torch.no_grad()
    def forward(self, x):
        return self.encoder(x)

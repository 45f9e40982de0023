"""Invariants of the torch core: memory bank, self-expressive layer, losses."""

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from deepsubspace.nn.losses import (
    coefficient_regularization,
    reconstruction_loss,
    self_expression_loss,
)
from deepsubspace.nn.memory_bank import MemoryBank
from deepsubspace.nn.self_expression import SelfExpression


def _batch(draw, n_samples):
    size = draw(st.integers(1, n_samples))
    perm = draw(st.permutations(list(range(n_samples))))
    return torch.tensor(perm[:size])


@st.composite
def bank_and_batch(draw):
    n_samples = draw(st.integers(2, 40))
    n_features = draw(st.integers(1, 8))
    return n_samples, n_features, _batch(draw, n_samples), draw(st.integers(0, 2**31 - 1))


@settings(max_examples=50, deadline=None)
@given(bank_and_batch())
def test_bank_update_writes_exactly_the_batch_rows(case):
    n_samples, n_features, idx, seed = case
    gen = torch.Generator().manual_seed(seed)
    bank = MemoryBank(n_samples, n_features)
    bank.update(torch.arange(n_samples), torch.randn(n_samples, n_features, generator=gen))
    before = bank.features.clone()
    z = torch.randn(len(idx), n_features, generator=gen, requires_grad=True)
    bank.update(idx, z * 2, step=7)
    assert not bank.features.requires_grad
    assert torch.equal(bank.features[idx], (z * 2).detach())
    untouched = torch.ones(n_samples, dtype=torch.bool)
    untouched[idx] = False
    assert torch.equal(bank.features[untouched], before[untouched])
    assert torch.all(bank.written_at[idx] == 7)


@settings(max_examples=40, deadline=None)
@given(bank_and_batch(), st.integers(1, 5))
def test_diagonal_of_c_stays_exactly_zero(case, n_steps):
    n_samples, n_features, _, seed = case
    gen = torch.Generator().manual_seed(seed)
    layer = SelfExpression(n_samples, lr=0.1)
    bank = torch.randn(n_samples, n_features, generator=gen)
    for _ in range(n_steps):
        idx = torch.randperm(n_samples, generator=gen)[: max(1, n_samples // 2)]
        rows = layer.rows(idx)
        z = torch.randn(len(idx), n_features, generator=gen)
        z_hat = layer.express(rows, idx, bank, z)
        (self_expression_loss(z, z_hat) + coefficient_regularization(rows)).backward()
        layer.step(idx, rows)
    assert torch.count_nonzero(layer.coef) > 0
    assert torch.all(torch.diagonal(layer.coef) == 0)


@settings(max_examples=30, deadline=None)
@given(bank_and_batch())
def test_step_touches_only_the_batch_rows_of_c_and_its_state(case):
    n_samples, n_features, idx, seed = case
    gen = torch.Generator().manual_seed(seed)
    layer = SelfExpression(n_samples, lr=0.1)
    layer.coef.copy_(torch.randn(n_samples, n_samples, generator=gen))
    layer.coef.fill_diagonal_(0)
    before = {name: buf.clone() for name, buf in layer.named_buffers()}
    rows = layer.rows(idx)
    z = torch.randn(len(idx), n_features, generator=gen)
    z_hat = layer.express(rows, idx, torch.randn(n_samples, n_features, generator=gen), z)
    self_expression_loss(z, z_hat).backward()
    layer.step(idx, rows)
    others = torch.ones(n_samples, dtype=torch.bool)
    others[idx] = False
    for name, buf in layer.named_buffers():
        assert torch.equal(buf[others], before[name][others]), name
    assert torch.all(layer.row_steps[idx] == 1)


def test_express_equals_c_times_bank_with_batch_rows_replaced():
    gen = torch.Generator().manual_seed(0)
    n_samples, n_features = 12, 3
    coef = torch.randn(n_samples, n_samples, generator=gen)
    bank = torch.randn(n_samples, n_features, generator=gen)
    idx = torch.tensor([3, 0, 7])
    z = torch.randn(3, n_features, generator=gen)
    replaced = bank.clone()
    replaced[idx] = z
    expected = coef[idx] @ replaced
    got = SelfExpression.express(coef[idx], idx, bank, z)
    torch.testing.assert_close(got, expected)


def test_row_wise_adam_matches_torch_adam_in_full_batch():
    """With every row in every step, the lazy optimiser is exactly Adam on C."""
    gen = torch.Generator().manual_seed(0)
    n_samples, n_features = 10, 4
    bank = torch.randn(n_samples, n_features, generator=gen)
    layer = SelfExpression(n_samples, lr=0.05)
    reference = torch.zeros(n_samples, n_samples, requires_grad=True)
    adam = torch.optim.Adam([reference], lr=0.05)
    mask = 1 - torch.eye(n_samples)
    idx = torch.arange(n_samples)
    for _ in range(5):
        rows = layer.rows(idx)
        self_expression_loss(bank, layer.express(rows, idx, bank, bank)).backward()
        layer.step(idx, rows)
        adam.zero_grad()
        self_expression_loss(bank, (reference * mask) @ bank).backward()
        adam.step()
        with torch.no_grad():
            reference.fill_diagonal_(0)
    torch.testing.assert_close(layer.coef, reference.detach(), rtol=1e-5, atol=1e-6)


def test_losses_against_plain_reference():
    rng = np.random.RandomState(0)
    a, b = rng.randn(5, 7), rng.randn(5, 7)
    ta, tb = torch.tensor(a), torch.tensor(b)
    assert np.isclose(float(reconstruction_loss(ta, tb)), np.sum((a - b) ** 2))
    assert np.isclose(float(self_expression_loss(ta, tb)), np.linalg.norm(a - b) ** 2)
    assert np.isclose(float(coefficient_regularization(ta)), np.linalg.norm(a, "fro") ** 2)


def test_conv_autoencoder_batch_norm_in_the_encoder_only():
    from deepsubspace.nn.encoders import conv_autoencoder

    encoder, decoder = conv_autoencoder((1, 32, 32), channels=(8, 16, 4), kernel_sizes=(3, 3, 3),
                                        batch_norm=True)
    count = lambda module: sum(isinstance(m, torch.nn.BatchNorm2d) for m in module.modules())  # noqa: E731
    assert (count(encoder), count(decoder)) == (3, 0)
    z = encoder(torch.rand(2, 1, 32, 32))
    assert z.shape == (2, 4, 4, 4)
    assert decoder(z).shape == (2, 1, 32, 32)

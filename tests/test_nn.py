"""Invariants of the torch core: memory bank, self-expressive layer, losses."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from deepsubspace.nn.encoders import residual_autoencoder
from deepsubspace.nn.losses import (
    cluster_coding_rate,
    coding_rate,
    coding_rate_of_gram,
    coding_rate_with_rows,
    coefficient_regularization,
    reconstruction_loss,
    self_expression_loss,
)
from deepsubspace.nn.memory_bank import MemoryBank
from deepsubspace.nn.momentum import MomentumEncoder
from deepsubspace.nn.self_expression import (
    ClosedFormSelfExpression,
    SelfExpression,
    ridge_self_expression,
)


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


# --------------------------------------------------------------------------- #
# closed-form (ridge) self-expression, the bank's Gram, the coding rate
# --------------------------------------------------------------------------- #
def _ridge_rows_by_loop(Z, lam):
    """Row i: ridge regression of z_i on every other row (the definition)."""
    n = len(Z)
    coef = np.zeros((n, n))
    for i in range(n):
        others = np.delete(np.arange(n), i)
        D = Z[others]
        coef[i, others] = np.linalg.solve(D @ D.T + lam * np.eye(n - 1), D @ Z[i])
    return coef


@settings(max_examples=30, deadline=None)
@given(n=st.integers(2, 30), h=st.integers(1, 12), lam=st.floats(0.01, 10.0),
       seed=st.integers(0, 2**31 - 1), data=st.data())
def test_closed_form_rows_equal_per_row_ridge_solves(n, h, lam, seed, data):
    Z = np.random.RandomState(seed).randn(n, h)
    expected = _ridge_rows_by_loop(Z, lam)
    layer = ClosedFormSelfExpression(lam)
    coef = layer.coefficients(torch.tensor(Z), block_size=data.draw(st.integers(1, n))).numpy()
    np.testing.assert_allclose(coef, expected, atol=1e-9)
    assert np.all(np.diag(coef) == 0)
    # the batch terms of any subset, from the Gram of the other rows only
    idx = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1))))
    rest = np.setdiff1d(np.arange(n), idx)
    z_hat, residual, coef_norm = ridge_self_expression(
        torch.tensor(Z[idx]), torch.tensor(Z[rest].T @ Z[rest]), lam)
    np.testing.assert_allclose(z_hat.numpy(), (expected @ Z)[idx], atol=1e-9)
    np.testing.assert_allclose(residual.numpy(), np.sum((Z - expected @ Z) ** 2, axis=1)[idx],
                               atol=1e-9)
    np.testing.assert_allclose(coef_norm.numpy(), np.sum(expected**2, axis=1)[idx], atol=1e-9)


def test_closed_form_gradient_matches_autograd_through_the_dense_solution():
    """The batch loss differentiates like the explicit N x N ridge solution."""
    gen = torch.Generator().manual_seed(0)
    Z = torch.randn(12, 4, dtype=torch.float64, generator=gen)
    idx = torch.tensor([2, 5, 7])
    lam = 0.3

    z = Z[idx].clone().requires_grad_(True)
    rest = torch.ones(12, dtype=torch.bool)
    rest[idx] = False
    _, residual, coef_norm = ridge_self_expression(z, Z[rest].T @ Z[rest], lam)
    (residual.sum() + lam * coef_norm.sum()).backward()

    z_ref = Z[idx].clone().requires_grad_(True)
    full = Z.clone().index_put((idx,), z_ref)
    eye = torch.eye(11, dtype=Z.dtype)
    total = 0.0
    for row, i in enumerate(idx.tolist()):
        others = [j for j in range(12) if j != i]
        D = full[others]
        c = torch.linalg.solve(D @ D.T + lam * eye, D @ full[i])
        total = total + torch.sum((full[i] - c @ D) ** 2) + lam * torch.sum(c**2)
    total.backward()
    torch.testing.assert_close(z.grad, z_ref.grad, atol=1e-10, rtol=1e-8)


def test_batch_rows_of_c_are_the_dense_solution_with_the_batch_in_the_bank_and_differentiate_like_it():
    gen = torch.Generator().manual_seed(1)
    Z = torch.randn(12, 4, dtype=torch.float64, generator=gen)
    idx = torch.tensor([7, 2, 5])
    lam = 0.3
    layer = ClosedFormSelfExpression(lam)
    bank = MemoryBank(12, 4, track_gram=True).double()
    bank.update(torch.arange(12), torch.randn(12, 4, dtype=torch.float64, generator=gen))
    z = Z[idx].clone().requires_grad_(True)
    *_, rows = layer.batch_terms(idx, z, bank, return_rows=True)
    full = bank.features.index_put((idx,), Z[idx])
    dense = layer.coefficients(full)
    torch.testing.assert_close(rows.detach(), dense[idx], atol=1e-10, rtol=1e-8)
    assert torch.all(rows[torch.arange(3), idx] == 0)
    target = torch.randn(3, 12, dtype=torch.float64, generator=gen)
    torch.sum((rows - target) ** 2).backward()
    # reference: the rows by per-row ridge solves on the bank with the batch written in
    z_ref = Z[idx].clone().requires_grad_(True)
    dictionary = bank.features.index_put((idx,), z_ref)
    total = 0.0
    for row, i in enumerate(idx.tolist()):
        others = [j for j in range(12) if j != i]
        D = dictionary[others]
        c = torch.linalg.solve(D @ D.T + lam * torch.eye(11, dtype=Z.dtype), D @ dictionary[i])
        full_row = torch.zeros(12, dtype=Z.dtype).index_put((torch.tensor(others),), c)
        total = total + torch.sum((full_row - target[row]) ** 2)
    total.backward()
    torch.testing.assert_close(z.grad, z_ref.grad, atol=1e-10, rtol=1e-8)
    # the same rows of fixed features, from one factor
    torch.testing.assert_close(layer.fixed_rows(full)(idx), dense[idx], atol=1e-12, rtol=1e-10)


@settings(max_examples=40, deadline=None)
@given(bank_and_batch(), st.lists(st.integers(0, 2**31 - 1), min_size=1, max_size=8))
def test_bank_gram_stays_equal_to_z_transpose_z(case, seeds):
    n_samples, n_features, _, seed = case
    gen = torch.Generator().manual_seed(seed)
    bank = MemoryBank(n_samples, n_features, track_gram=True)
    for step, batch_seed in enumerate(seeds):
        batch_gen = torch.Generator().manual_seed(batch_seed)
        size = int(torch.randint(1, n_samples + 1, (1,), generator=batch_gen))
        idx = torch.randperm(n_samples, generator=batch_gen)[:size]
        bank.update(idx, torch.randn(size, n_features, generator=gen) * 3, step)
        features = bank.features.double()
        torch.testing.assert_close(bank.gram, features.T @ features, atol=1e-9, rtol=1e-9)
    gram = bank.gram.clone()
    bank.refresh_gram()
    torch.testing.assert_close(bank.gram, gram, atol=1e-9, rtol=1e-9)


@pytest.mark.parametrize("n, h", [(5, 9), (9, 5), (6, 6)])
def test_coding_rate_is_half_the_logdet_of_the_h_by_h_form(n, h):
    z = torch.randn(n, h, dtype=torch.float64, generator=torch.Generator().manual_seed(n))
    eps = 0.1
    expected = 0.5 * torch.logdet(torch.eye(h, dtype=z.dtype) + h / (n * eps**2) * z.T @ z)
    torch.testing.assert_close(coding_rate(z, eps), expected)
    torch.testing.assert_close(coding_rate_of_gram(z.T @ z, n, h, eps), expected)
    torch.testing.assert_close(coding_rate_of_gram(z @ z.T, n, h, eps), expected)
    # spread-out features have a larger rate than collapsed ones of the same norm
    collapsed = z[:1].expand(n, h)
    assert coding_rate(collapsed) < coding_rate(z)


def test_coding_rate_with_rows_is_the_rate_of_the_whole_dictionary():
    gen = torch.Generator().manual_seed(3)
    rest = torch.randn(9, 6, dtype=torch.float64, generator=gen)
    z = torch.randn(4, 6, dtype=torch.float64, generator=gen, requires_grad=True)
    value = coding_rate_with_rows(z, rest.T @ rest, 13)
    direct = coding_rate(torch.cat([rest, z]))
    torch.testing.assert_close(value, direct)
    grad, = torch.autograd.grad(value, z)
    grad_direct, = torch.autograd.grad(direct, z)
    torch.testing.assert_close(grad, grad_direct)


def test_cluster_coding_rate_against_a_loop():
    gen = torch.Generator().manual_seed(0)
    z = torch.randn(11, 5, dtype=torch.float64, generator=gen, requires_grad=True)
    labels = torch.tensor([0, 2, 2, 0, 1, 2, 0, 0, 2, 1, 2])
    weights = torch.tensor([0.5, 0.0, 0.25, 0.7], dtype=torch.float64)  # group 1 off, 3 empty
    value = cluster_coding_rate(z, labels, weights)
    expected = 0.0
    for k, w in enumerate(weights.tolist()):
        rows = [i for i in range(len(labels)) if labels[i] == k]
        if w and rows:
            group = z[rows]
            expected = expected + w * 0.5 * torch.logdet(
                torch.eye(5, dtype=z.dtype) + 5 / (len(rows) * 0.1**2) * group.T @ group)
    torch.testing.assert_close(value, expected)
    grad, = torch.autograd.grad(value, z)
    grad_expected, = torch.autograd.grad(expected, z)
    torch.testing.assert_close(grad, grad_expected)
    assert torch.all(grad[labels == 1] == 0)  # a group of weight 0 gets no gradient
    # MCR^2: with weights n_k / n, groups on orthogonal lines reduce the rate by more than
    # the same points spread at random
    lines = torch.zeros(6, 3, dtype=torch.float64)
    lines[:2, 0], lines[2:4, 1], lines[4:, 2] = 1.0, 1.0, 1.0
    groups = torch.tensor([0, 0, 1, 1, 2, 2])
    share = torch.full((3,), 1 / 3, dtype=torch.float64)
    spread = torch.nn.functional.normalize(torch.randn(6, 3, dtype=torch.float64, generator=gen), dim=1)
    reduction = coding_rate(lines) - cluster_coding_rate(lines, groups, share)
    assert reduction > coding_rate(spread) - cluster_coding_rate(spread, groups, share)


@pytest.mark.parametrize("shape", [(7,), (2, 6, 5)])
def test_residual_autoencoder_is_the_identity_at_start(shape):
    encoder, decoder = residual_autoencoder(shape, hidden=(4,))
    x = torch.randn(3, *shape)
    torch.testing.assert_close(encoder(x), x)
    torch.testing.assert_close(decoder(x), x)
    # and it can learn: the branch's first layer receives gradients through the zero last layer
    loss = torch.sum((encoder(x) - 2 * x) ** 2)
    loss.backward()
    assert any(p.grad is not None and torch.count_nonzero(p.grad) > 0 for p in encoder.parameters())


@pytest.mark.parametrize("shape", [(7,), (1, 6, 5)])
@pytest.mark.parametrize("activation, linear", [("identity", True), ("gelu", False)])
def test_residual_encoder_with_identity_activation_is_linear(shape, activation, linear):
    torch.manual_seed(0)
    encoder, decoder = residual_autoencoder(shape, hidden=(4,), activation=activation)
    for p in encoder.parameters():  # leave the identity start: a non-zero last layer
        torch.nn.init.normal_(p, std=0.5)
    x, y = torch.randn(2, 3, *shape)
    assert torch.allclose(encoder(2 * x - 3 * y), 2 * encoder(x) - 3 * encoder(y), atol=1e-5) == linear
    assert not torch.allclose(encoder(x), x)
    assert all(p.ndim > 1 for p in decoder.parameters()) == linear  # no biases exactly when linear


@pytest.mark.parametrize("shape", [(7,), (1, 6, 5)])
@pytest.mark.parametrize("bias, homogeneous", [(False, True), (True, False)])
def test_residual_encoder_without_biases_is_positively_homogeneous(shape, bias, homogeneous):
    torch.manual_seed(0)
    encoder, decoder = residual_autoencoder(shape, hidden=(4,), activation="relu", bias=bias)
    for p in encoder.parameters():  # leave the identity start: a non-zero last layer
        torch.nn.init.normal_(p, std=0.5)
    x = torch.randn(3, *shape)
    # a darker copy of each sample has the same unit-norm features exactly when there are no biases
    assert torch.allclose(encoder(0.1 * x), 0.1 * encoder(x), atol=1e-6) == homogeneous
    assert not torch.allclose(encoder(x), x)
    assert all(p.ndim > 1 for p in decoder.parameters()) == homogeneous
    with pytest.raises(ValueError, match="bias must be True, False or None"):
        residual_autoencoder(shape, bias="no")


@pytest.mark.parametrize("momentum", [0.0, 0.5, 0.99])
def test_momentum_encoder_follows_the_ema_rule_exactly(momentum):
    torch.manual_seed(0)
    online = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
    ema = MomentumEncoder(online, momentum)
    expected = [p.detach().clone() for p in online.parameters()]
    for _ in range(3):
        with torch.no_grad():  # the online encoder moves
            for p in online.parameters():
                p.add_(torch.randn_like(p))
        ema.update(online)
        for i, p in enumerate(online.parameters()):  # loop reference, element by element
            flat_old, flat_new = expected[i].reshape(-1), p.detach().reshape(-1)
            expected[i] = torch.tensor([momentum * a + (1 - momentum) * b
                                        for a, b in zip(flat_old.tolist(), flat_new.tolist())],
                                       dtype=torch.float32).reshape(p.shape)
    for got, want in zip(ema.encoder.parameters(), expected):
        torch.testing.assert_close(got, want, rtol=1e-6, atol=1e-6)
        assert not got.requires_grad
    x = torch.randn(5, 4)
    out = ema(x)
    assert not out.requires_grad
    names = [name for name, _ in online.named_parameters()]
    torch.testing.assert_close(out, torch.func.functional_call(online, dict(zip(names, expected)), x),
                               rtol=1e-5, atol=1e-6)

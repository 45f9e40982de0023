import pickle

import numpy as np
import pytest
import torch
from conftest import union_of_subspaces
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from deepsubspace import MiniBatchDSC, SelfExpressiveNetwork
from deepsubspace.nn.losses import elastic_net_self_expression_loss
from deepsubspace.nn.query_key import QueryKeyNetwork, soft_threshold

SMALL = dict(hidden_layer_sizes=(16,), embedding_dim=8, max_epochs=30, n_nonzero=5, random_state=0)


def _train_test_split_per_subspace(n_train, n_test, n_subspaces=5, seed=0):
    """Points of the same subspaces (the conftest generator), the first n_train of each to fit."""
    X, y = union_of_subspaces(n_subspaces=n_subspaces, per_subspace=n_train + n_test, seed=seed)
    in_train = (np.arange(len(X)) % (n_train + n_test)) < n_train
    return X[in_train], y[in_train], X[~in_train], y[~in_train]


@pytest.fixture(scope="module")
def fitted_default():
    X, y = union_of_subspaces()
    return SelfExpressiveNetwork(n_clusters=5, random_state=0).fit(X), X, y


def test_soft_threshold():
    t = torch.tensor([-2.0, -0.5, 0.0, 0.3, 1.5])
    expected = np.sign(t.numpy()) * np.maximum(0.0, np.abs(t.numpy()) - 0.4)
    np.testing.assert_allclose(soft_threshold(t, torch.tensor(0.4)).numpy(), expected, atol=1e-7)


def test_coefficients_formula_and_zero_diagonal():
    torch.manual_seed(0)
    net = QueryKeyNetwork(6, (10,), 4)
    with torch.no_grad():
        net.threshold.fill_(0.2)
    x = torch.randn(9, 6)
    q, k = net.query(x), net.key(x)
    coef = net.coefficients(q, k, self_index=torch.arange(9))
    expected = 0.25 * soft_threshold(q @ k.T, 0.2)
    expected.fill_diagonal_(0.0)
    torch.testing.assert_close(coef, expected)
    assert torch.all(coef.diagonal() == 0)
    assert net.alpha == 0.25
    # the diagonal gets no gradient, the threshold does
    coef.sum().backward()
    assert net.threshold.grad is not None and torch.isfinite(net.threshold.grad)


def test_block_top_k_equals_dense():
    torch.manual_seed(1)
    net = QueryKeyNetwork(5, (12,), 6)
    with torch.no_grad():
        net.threshold.fill_(0.05)
    x = torch.randn(23, 5)
    q, key = net.query(x), net.key(x)
    dense = net.coefficients(q, key, self_index=torch.arange(23)).detach()
    k = 6
    for block_size in (1, 5, 23, 100):
        indices, values, _ = net.top_k_coefficients(q, key, k, self_index=torch.arange(23),
                                                    block_size=block_size)
        assert indices.shape == (23, k)
        assert not torch.any(indices == torch.arange(23)[:, None])  # never the sample itself
        torch.testing.assert_close(values, torch.gather(dense, 1, indices))
        for i in range(23):
            kept = dense[i, indices[i]].abs()
            others = np.setdiff1d(np.arange(23), indices[i].numpy())
            assert kept.min() >= dense[i, others].abs().max()


@pytest.mark.slow
def test_fitted_coef_top_k_of_dense(fitted_default):
    model, X, _ = fitted_default
    coef = model.coef_
    assert sparse.isspmatrix_csr(coef) and coef.shape == (len(X), len(X))
    assert np.all(coef.diagonal() == 0)
    assert np.all(np.diff(coef.indptr) <= model.n_nonzero)
    assert sparse.issparse(model.affinity_matrix_)
    net = model.network_
    with torch.no_grad():
        z = torch.as_tensor(X / np.linalg.norm(X, axis=1, keepdims=True), dtype=torch.float32)
        dense = net.coefficients(net.query(z), net.key(z), self_index=torch.arange(len(X)))
    dense = dense.numpy().astype(np.float64)
    stored = coef.toarray()
    rows, cols = coef.nonzero()
    np.testing.assert_allclose(stored[rows, cols], dense[rows, cols], rtol=1e-5, atol=1e-7)
    magnitude = np.abs(dense)
    np.fill_diagonal(magnitude, -1.0)
    kth_largest = -np.sort(-magnitude, axis=1)[:, model.n_nonzero - 1]
    # every stored entry is among the n_nonzero largest of its row; unstored non-zeros are not larger
    assert np.all(np.abs(stored[rows, cols]) >= kth_largest[rows] * (1 - 1e-5))
    unstored = magnitude * (stored == 0)
    assert np.all(unstored.max(axis=1) <= kth_largest * (1 + 1e-5) + 1e-7)


def test_loss_matches_loop_reference():
    torch.manual_seed(2)
    x = torch.randn(4, 3, dtype=torch.float64)
    atoms = torch.randn(6, 3, dtype=torch.float64)
    coef = torch.randn(4, 6, dtype=torch.float64, requires_grad=True)
    gamma, tau = 7.0, 0.3
    loss, rec, reg = elastic_net_self_expression_loss(x, coef, atoms, gamma, tau)

    ref_coef = coef.detach().clone().requires_grad_(True)
    ref_rec = 0.0
    ref_reg = 0.0
    for i in range(4):
        residual = x[i].clone()
        for j in range(6):
            residual = residual - ref_coef[i, j] * atoms[j]
            ref_reg = ref_reg + tau * abs(ref_coef[i, j]) + 0.5 * (1 - tau) * ref_coef[i, j] ** 2
        ref_rec = ref_rec + sum(residual[d] ** 2 for d in range(3))
    ref_loss = 0.5 * gamma * ref_rec + ref_reg
    torch.testing.assert_close(rec, ref_rec)
    torch.testing.assert_close(reg, ref_reg)
    torch.testing.assert_close(loss, ref_loss)
    loss.backward()
    ref_loss.backward()
    torch.testing.assert_close(coef.grad, ref_coef.grad)


@pytest.mark.slow
def test_fit_predict_union_of_subspaces(fitted_default):
    model, _, y = fitted_default
    assert adjusted_rand_score(y, model.labels_) >= 0.9
    assert model.n_iter_ == model.max_epochs == len(model.loss_curve_)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert set(model.stage_seconds_) == {"train", "coefficients", "affinity", "spectral"}


@pytest.mark.slow
def test_predict_on_training_points_agrees_with_labels(fitted_default):
    model, X, _ = fitted_default
    assert np.mean(model.predict(X) == model.labels_) >= 0.95


@pytest.mark.slow
def test_senet_out_of_sample():
    X, y, X_new, y_new = _train_test_split_per_subspace(200, 2000)
    model = SelfExpressiveNetwork(n_clusters=5, random_state=0).fit(X)
    assert adjusted_rand_score(y_new, model.predict(X_new)) >= 0.9


@pytest.mark.slow
def test_minibatch_dsc_out_of_sample():
    X, y, X_new, y_new = _train_test_split_per_subspace(200, 2000)
    model = MiniBatchDSC(n_clusters=5, random_state=0).fit(X)
    assert adjusted_rand_score(y_new, model.predict(X_new)) >= 0.85


def test_clone_pickle_pipeline():
    X, _ = union_of_subspaces(n_subspaces=3, per_subspace=40)
    model = SelfExpressiveNetwork(n_clusters=3, **SMALL).fit(X)
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "labels_")
    blob = pickle.dumps(model)
    # no dense N x N array among the fitted attributes
    assert len(blob) < 8 * len(X) ** 2
    restored = pickle.loads(blob)
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    pipe = make_pipeline(FunctionTransformer(), SelfExpressiveNetwork(n_clusters=3, **SMALL))
    np.testing.assert_array_equal(pipe.fit_predict(X), model.labels_)


def test_refit_is_repeatable():
    X, _ = union_of_subspaces(n_subspaces=3, per_subspace=40)
    a = SelfExpressiveNetwork(n_clusters=3, **SMALL).fit(X)
    b = SelfExpressiveNetwork(n_clusters=3, **SMALL).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert (a.coef_ != b.coef_).nnz == 0


def test_errors():
    X, _ = union_of_subspaces(n_subspaces=2, per_subspace=10)
    with pytest.raises(NotFittedError):
        SelfExpressiveNetwork(n_clusters=2).predict(X)
    with pytest.raises(ValueError, match="n_nonzero=25"):
        SelfExpressiveNetwork(n_clusters=2, n_nonzero=25).fit(X)
    with pytest.raises(ValueError, match="n_clusters=30"):
        SelfExpressiveNetwork(n_clusters=30, n_nonzero=5).fit(X)
    model = SelfExpressiveNetwork(n_clusters=2, **SMALL).fit(X)
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:, :5])
    with pytest.raises(ValueError):
        SelfExpressiveNetwork(n_clusters=2, tau=1.5).fit(X)


def test_failed_fit_leaves_estimator_unchanged():
    X, _ = union_of_subspaces(n_subspaces=2, per_subspace=10)
    model = SelfExpressiveNetwork(n_clusters=2, **SMALL).fit(X)
    labels = model.labels_.copy()
    model.set_params(n_nonzero=50)
    with pytest.raises(ValueError):
        model.fit(X)
    np.testing.assert_array_equal(model.labels_, labels)


def test_non_finite_loss_warns_and_keeps_last_finite_network():
    X, _ = union_of_subspaces(n_subspaces=2, per_subspace=10)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        model = SelfExpressiveNetwork(n_clusters=2, gamma=1e39, **SMALL).fit(X)
    assert model.n_iter_ == 0
    assert all(torch.all(torch.isfinite(p)) for p in model.network_.parameters())
    assert np.all(np.isfinite(model.coef_.data))


def test_no_better_than_zero_coefficients_warns():
    X, _ = union_of_subspaces(n_subspaces=2, per_subspace=10)
    params = {**SMALL, "max_epochs": 1}
    with pytest.warns(ConvergenceWarning, match="all-zero coefficients"):
        SelfExpressiveNetwork(n_clusters=2, gamma=1e-6, learning_rate=1e-12, **params).fit(X)

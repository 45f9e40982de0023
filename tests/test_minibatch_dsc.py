"""MiniBatchDSC: behaviour, equivalences, errors and scikit-learn integration."""

import functools
import pickle

import numpy as np
import pytest
import torch
from conftest import union_of_subspaces
from hypothesis import given, settings
from joblib import parallel_config
from hypothesis import strategies as st
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

from deepsubspace import ContrastiveMiniBatchDSC, MiniBatchDSC, StructuralContrastiveDSC
from deepsubspace._base import _Training
from deepsubspace.affinity import affinity_from_coefficients, relaxed_normalized_cut
from deepsubspace.baselines import LeastSquaresSubspaceClustering
from deepsubspace.metrics import adjusted_rand_score, effective_rank, fit_predict_scorer
from deepsubspace.nn.losses import coding_rate

FAST = dict(pretrain_epochs=3, max_epochs=3, batch_size=16,
            encoder_params={"hidden_layer_sizes": (16,), "latent_dim": 8})


@pytest.fixture(scope="module")
def subspaces():
    return union_of_subspaces()


@pytest.mark.slow
def test_defaults_recover_a_union_of_subspaces(subspaces):
    """5 random 6-dim subspaces in R^15: kNN spectral ~0.64 ARI, least squares ~0.98."""
    X, y = subspaces
    model = MiniBatchDSC(n_clusters=5, random_state=0).fit(X)
    assert adjusted_rand_score(y, model.labels_) >= 0.9
    assert model.n_iter_ == model.max_epochs == len(model.loss_curve_)
    assert model.loss_curve_[-1] < model.loss_curve_[0]
    assert len(model.pretrain_loss_curve_) == model.pretrain_epochs
    assert model.pretrain_loss_curve_[-1] < model.pretrain_loss_curve_[0]


def test_fitted_attributes(subspaces):
    X, _ = subspaces
    X = X[:60]
    model = MiniBatchDSC(n_clusters=3, random_state=0, **FAST).fit(X)
    n = len(X)
    assert model.coef_.shape == (n, n) and np.all(np.diag(model.coef_) == 0)
    assert model.affinity_matrix_.shape == (n, n)
    np.testing.assert_allclose(model.affinity_matrix_, model.affinity_matrix_.T)
    assert model.embedding_.shape == (n, 8)
    assert set(np.unique(model.labels_)) <= set(range(3))
    assert model.labels_.dtype.kind == "i"
    assert model.n_features_in_ == 15
    assert next(model.encoder_.parameters()).device.type == "cpu"


@pytest.mark.parametrize("self_expression, rate_reduction",
                         [("closed_form", False), ("closed_form", True), ("learned", False)])
def test_loss_terms_add_up_to_the_loss_curve(subspaces, self_expression, rate_reduction):
    X, _ = subspaces
    anchor = 0.4 if self_expression == "closed_form" else 0.0  # the anchor needs the closed form
    model = MiniBatchDSC(n_clusters=3, random_state=0, alpha=2.0, beta=0.5, coding_rate=0.3,
                         input_anchor=anchor, rate_reduction=rate_reduction,
                         self_expression=self_expression, **FAST).fit(X[:60])
    terms = {name: np.asarray(values) for name, values in model.loss_terms_.items()}
    assert all(len(values) == model.n_iter_ for values in terms.values())
    off = {"input_anchor": not anchor, "cluster_rate": not rate_reduction}
    weighted = {name: values for name, values in terms.items() if not off.get(name)}
    assert all(np.all(values >= 0) and values[-1] > 0 for values in weighted.values())
    for name in off:
        if off[name]:
            assert np.all(terms[name] == 0)
    if self_expression == "learned":
        assert terms["reg"][0] == 0  # each row of C is read before its first step
    np.testing.assert_allclose(terms["objective"] + 2.0 * terms["self_expr"] + 0.5 * terms["reg"]
                               - 0.3 * (terms["coding_rate"] - terms["cluster_rate"])
                               + anchor * terms["input_anchor"], model.loss_curve_, rtol=1e-5)


def test_bank_coding_rate_is_the_batch_rate_in_full_batch_and_differs_in_mini_batches(subspaces):
    X, _ = subspaces
    common = dict(n_clusters=3, random_state=0, coding_rate=0.3, pretrain_epochs=2, max_epochs=3)
    full = [MiniBatchDSC(**common, batch_size=None, coding_rate_scope=scope).fit(X[:60])
            for scope in ("batch", "bank")]
    np.testing.assert_allclose(full[1].loss_curve_, full[0].loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(full[1].loss_terms_["coding_rate"], full[0].loss_terms_["coding_rate"],
                               rtol=1e-5)
    mini = [MiniBatchDSC(**common, batch_size=16, coding_rate_scope=scope).fit(X[:60])
            for scope in ("batch", "bank")]
    # the bank's 60 rows span more than a batch of 16 does: a larger rate per batch
    assert np.all(np.asarray(mini[1].loss_terms_["coding_rate"])
                  > np.asarray(mini[0].loss_terms_["coding_rate"]))


def test_rate_reduction_compresses_within_the_clusters_it_finds():
    # Three 2-d subspaces of R^12 seen through an identity-start residual encoder: with the
    # coding rate alone the features spread inside each subspace; rate reduction also pulls
    # each sample towards its cluster's span, so the clusters end lower-dimensional
    # (per-cluster effective rank of the final features) for the same seed and budget.
    X, y = union_of_subspaces(n_subspaces=3, dim=2, ambient=12, per_subspace=30, seed=1)
    common = dict(n_clusters=3, encoder="residual", pretrain_epochs=0, max_epochs=30, batch_size=30,
                  learning_rate=3e-3, alpha=10.0, beta=1.0, coding_rate=3.0, random_state=0)
    spread = MiniBatchDSC(**common).fit(X)
    reduced = MiniBatchDSC(**common, rate_reduction=True).fit(X)
    assert reduced.loss_terms_["cluster_rate"][-1] > 0

    def within_rank(model):
        return np.mean([effective_rank(model.embedding_[y == k]) for k in range(3)])

    assert within_rank(reduced) < within_rank(spread)


def _bank_rate(features):
    z = torch.tensor(features, dtype=torch.float64)
    return float(coding_rate(z / torch.linalg.vector_norm(z, dim=1, keepdim=True)))


def _subspaces(noise=0.0):
    """Three 3-d subspaces of R^20, 40 samples each, plus Gaussian noise of std ``noise``."""
    rng = np.random.RandomState(0)
    bases = [np.linalg.qr(rng.randn(20, 3))[0] for _ in range(3)]
    X = np.vstack([(b @ rng.randn(3, 40)).T for b in bases])
    return X + noise * rng.randn(*X.shape) if noise else X


@pytest.mark.parametrize("self_expression", ["closed_form", "learned"])
def test_collapse_tol_stops_after_the_first_epoch_that_lowers_the_bank_coding_rate(self_expression):
    """The residual encoder starts as the identity, so the rate to keep is that of the unit-norm X."""
    X = _subspaces()
    params = dict(n_clusters=3, encoder="residual", pretrain_epochs=0, learning_rate=1e-2, alpha=100.0,
                  beta=10.0, batch_size=40, self_expression=self_expression, coef_learning_rate=1e-2,
                  random_state=0)
    stopped = MiniBatchDSC(**params, max_epochs=30, collapse_tol=0.0).fit(X)
    epochs = stopped.n_iter_
    assert 1 < epochs < 30 and len(stopped.loss_curve_) == epochs
    start = _bank_rate(X)
    before = MiniBatchDSC(**params, max_epochs=epochs - 1).fit(X)
    same = MiniBatchDSC(**params, max_epochs=epochs).fit(X)
    assert _bank_rate(before.embedding_) >= start > _bank_rate(stopped.embedding_)
    np.testing.assert_array_equal(stopped.embedding_, same.embedding_)  # the final iterate is kept
    np.testing.assert_array_equal(stopped.labels_, same.labels_)
    # a tolerance the fall never reaches does not stop it
    assert MiniBatchDSC(**params, max_epochs=epochs + 2, collapse_tol=0.99).fit(X).n_iter_ == epochs + 2


def test_cut_tol_stops_after_the_first_epoch_that_raises_the_relaxed_cut_above_its_start():
    """At the identity the residual encoder's affinity is LSR's on the same pixels: the start."""
    X = _subspaces(noise=0.3)
    params = dict(n_clusters=3, encoder="residual", pretrain_epochs=0, learning_rate=1e-2, alpha=100.0,
                  beta=10.0, batch_size=40, post_processing="dsc", random_state=0)
    start = relaxed_normalized_cut(
        LeastSquaresSubspaceClustering(n_clusters=3, lam=0.1).fit(X).affinity_matrix_, 3)
    stopped = MiniBatchDSC(**params, max_epochs=30, cut_tol=0.0).fit(X)
    epochs = stopped.n_iter_
    assert 1 < epochs < 30 and len(stopped.loss_curve_) == epochs
    cuts = [relaxed_normalized_cut(MiniBatchDSC(**params, max_epochs=e).fit(X).affinity_matrix_, 3)
            for e in range(1, epochs + 1)]
    assert max(cuts[:-1]) <= start < cuts[-1]
    same = MiniBatchDSC(**params, max_epochs=epochs).fit(X)
    np.testing.assert_array_equal(stopped.embedding_, same.embedding_)  # the final iterate is kept
    np.testing.assert_array_equal(stopped.labels_, same.labels_)
    assert MiniBatchDSC(**params, max_epochs=epochs + 2, cut_tol=0.5).fit(X).n_iter_ == epochs + 2


@pytest.mark.parametrize("rule, never_reached, noise", [("collapse_tol", 0.99, 0.0), ("cut_tol", 10.0, 0.3)])
@pytest.mark.parametrize("estimator, extra", [
    (ContrastiveMiniBatchDSC, {"pretrain_epochs": 0, "encoder_pretrain_epochs": 0}),
    (StructuralContrastiveDSC, {"pretrain_epochs": 2, "n_neighbors": 3}),
])
def test_the_stopping_rules_are_the_same_in_every_deep_estimator(estimator, extra, rule, never_reached,
                                                                  noise):
    params = dict(n_clusters=3, encoder="residual", learning_rate=1e-2, alpha=100.0, beta=10.0,
                  batch_size=40, post_processing="dsc", random_state=0, **extra)
    X = _subspaces(noise)
    stopped = estimator(**params, max_epochs=30, **{rule: 0.0}).fit(X)
    assert stopped.n_iter_ < 30
    same = estimator(**params, max_epochs=stopped.n_iter_).fit(X)
    np.testing.assert_array_equal(stopped.embedding_, same.embedding_)
    assert estimator(**params, max_epochs=3, **{rule: never_reached}).fit(X).n_iter_ == 3


@pytest.mark.parametrize("estimator, extra", [
    (MiniBatchDSC, {"pretrain_epochs": 0}),
    (ContrastiveMiniBatchDSC, {"pretrain_epochs": 0, "encoder_pretrain_epochs": 0}),
    (StructuralContrastiveDSC, {"pretrain_epochs": 2, "n_neighbors": 3}),
])
def test_input_anchor_keeps_c_near_least_squares_on_the_inputs(estimator, extra):
    """The term is ||C_b - C(X)_b||^2 with C(X) LSR's C on the same (unit-norm) inputs."""
    X = _subspaces(noise=0.3)
    lsr = LeastSquaresSubspaceClustering(n_clusters=3, lam=0.1).fit(X).coef_
    params = dict(n_clusters=3, encoder="residual", learning_rate=1e-2, alpha=100.0, beta=10.0,
                  batch_size=40, max_epochs=5, random_state=0, **extra)
    free = estimator(**params).fit(X)
    anchored = estimator(**params, input_anchor=1e4).fit(X)
    distance = [np.linalg.norm(model.coef_ - lsr) for model in (free, anchored)]
    assert distance[1] < 0.5 * distance[0]
    assert free.loss_terms_["input_anchor"] == [0.0] * 5
    assert anchored.loss_terms_["input_anchor"][-1] > 0


def test_the_objects_rule_anchored_top_k_coefficients():
    """The objects presets' combination: anchored training, C's 3 largest entries per row, plain."""
    X = _subspaces(noise=0.3)
    params = dict(n_clusters=3, encoder="residual", learning_rate=1e-2, alpha=100.0, beta=10.0,
                  batch_size=40, max_epochs=3, pretrain_epochs=0, random_state=0)
    dense = MiniBatchDSC(**params, input_anchor=1000.0).fit(X)
    model = MiniBatchDSC(**params, input_anchor=1000.0, coefficients="sparse", n_nonzero=3,
                         post_processing=None).fit(X)
    np.testing.assert_array_equal(model.embedding_, dense.embedding_)  # the rule acts after training
    assert sparse.issparse(model.coef_) and np.all(np.diff(model.coef_.indptr) == 3)
    top = np.argsort(-np.abs(dense.coef_), axis=1)[:, :3]
    np.testing.assert_array_equal(np.sort(model.coef_.indices.reshape(-1, 3), axis=1), np.sort(top, axis=1))
    np.testing.assert_allclose(model.affinity_matrix_.toarray(),
                               abs(model.coef_).toarray() + abs(model.coef_).toarray().T, rtol=1e-6)


@functools.lru_cache(maxsize=2)
def _trained_state(self_expression):
    """A fitted model and a training state whose bank is consistent with its encoder."""
    X, _ = union_of_subspaces()
    X = X[:50]
    model = MiniBatchDSC(n_clusters=3, random_state=0, alpha=2.0, beta=0.5, coding_rate=0.3,
                         self_expression=self_expression, **FAST).fit(X)
    training = _Training(torch.tensor(X / model.input_scale_, dtype=torch.float32), model.encoder_,
                         model.decoder_, None, torch.Generator(), 50)
    training.self_expression = model._new_self_expression(training, 1e-3)
    if self_expression == "learned":
        training.self_expression.coef.copy_(torch.tensor(model.coef_, dtype=torch.float32))
    return model, training


@settings(max_examples=25, deadline=None)
@given(batch_size=st.integers(1, 50), seed=st.integers(0, 2**31 - 1),
       self_expression=st.sampled_from(["closed_form", "learned"]))
def test_full_batch_and_mini_batch_give_the_same_loss_on_the_same_state(batch_size, seed,
                                                                        self_expression):
    """Summed over any partition into batches, equation (3) is the full-batch loss.

    (The coding rate is a property of each batch, not a sum over samples: it is left out.)
    """
    model, training = _trained_state(self_expression)
    full, _, _ = model._batch_loss(training, torch.arange(50), train_network=True)
    order = torch.randperm(50, generator=torch.Generator().manual_seed(seed))
    batched = [model._batch_loss(training, idx, train_network=True)[0]
               for idx in torch.split(order, batch_size)]
    for name in ("objective", "self_expr", "reg"):
        total = sum(float(terms[name].detach()) for terms in batched)
        assert total == pytest.approx(float(full[name].detach()), rel=1e-4, abs=1e-6), name


def test_closed_form_coef_is_the_ridge_solution_on_the_embedding(subspaces):
    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=3, random_state=0, alpha=2.0, beta=0.5, **FAST).fit(X[:60])
    Z = model.embedding_.astype(np.float64)
    np.testing.assert_allclose(np.linalg.norm(Z, axis=1), 1.0, rtol=1e-5)
    lam = 0.5 / 2.0
    for i in (0, 17, 59):
        others = np.delete(np.arange(60), i)
        D = Z[others]
        expected = np.linalg.solve(D @ D.T + lam * np.eye(59), D @ Z[i])
        np.testing.assert_allclose(model.coef_[i, others], expected, atol=1e-8)
    assert np.all(np.diag(model.coef_) == 0)


@pytest.mark.parametrize("encoder", ["mlp", "residual"])
def test_labels_do_not_depend_on_the_scale_of_x(subspaces, encoder):
    X, _ = subspaces
    params = dict(n_clusters=5, encoder=encoder, pretrain_epochs=3, max_epochs=3, random_state=0)
    base = MiniBatchDSC(**params).fit(X)
    for scale in (1e-3, 1e3):
        scaled = MiniBatchDSC(**params).fit(X * scale)
        assert scaled.input_scale_ == pytest.approx(base.input_scale_ * scale)
        assert adjusted_rand_score(base.labels_, scaled.labels_) > 0.99


def test_residual_encoder_starts_as_least_squares_on_the_input(subspaces):
    """With no training step the residual model's C is LSR's on the unit-norm input."""
    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=5, encoder="residual", pretrain_epochs=0, max_epochs=1,
                         learning_rate=1e-12, random_state=0).fit(X)
    U = X / np.linalg.norm(X, axis=1, keepdims=True)
    np.testing.assert_allclose(model.embedding_, U, atol=1e-5)


def test_full_batch_is_one_step_per_epoch(subspaces):
    X, _ = subspaces
    X = X[:40]
    full = MiniBatchDSC(n_clusters=2, random_state=0, **{**FAST, "batch_size": None}).fit(X)
    large = MiniBatchDSC(n_clusters=2, random_state=0, **{**FAST, "batch_size": 1000}).fit(X)
    np.testing.assert_array_equal(full.coef_, large.coef_)


def test_cpu_fits_are_repeatable_and_leave_global_rng_alone(subspaces):
    X, _ = subspaces
    X = X[:60]
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = MiniBatchDSC(n_clusters=3, random_state=7, **FAST).fit(X)
    assert torch.equal(torch.rand(1), expected_next)
    b = MiniBatchDSC(n_clusters=3, random_state=7, **FAST).fit(X)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.labels_, b.labels_)


class _RecordFineTuningOptimizer(MiniBatchDSC):
    def _train_after_bank_fill(self, training, progress):
        super()._train_after_bank_fill(training, progress)
        self.fine_tuning_optimizer_ = training.optimizer


def test_fine_tuning_starts_a_fresh_optimizer(subspaces):
    X, _ = subspaces
    X = X[:60]
    params = {**FAST, "batch_size": 20, "pretrain_epochs": 2, "max_epochs": 3,
              "learning_rate": 1e-3, "lr_scaling": "splits"}
    model = _RecordFineTuningOptimizer(n_clusters=3, random_state=0, **params).fit(X)
    optimizer = model.fine_tuning_optimizer_
    assert optimizer.param_groups[0]["lr"] == pytest.approx(1e-3 / 3)
    # Adam's step counts hold the fine-tuning steps only (3 epochs x 3 batches), not the
    # 2 x 3 pre-training steps
    steps = {int(state["step"]) for state in optimizer.state.values()}
    assert steps == {9}


def test_lr_scaling_splits_divides_the_fine_tuning_rate():
    model = MiniBatchDSC(learning_rate=1e-3, lr_scaling="splits")
    network_lr, pretrain_lr, coef_lr = model._learning_rates(n_splits=10)
    assert network_lr == pytest.approx(1e-4)
    assert (pretrain_lr, coef_lr) == (model.pretrain_learning_rate, model.coef_learning_rate)
    assert MiniBatchDSC(learning_rate=1e-3)._learning_rates(10)[0] == 1e-3


def test_conv_encoder_with_input_shape():
    rng = np.random.RandomState(0)
    X = rng.rand(20, 64).astype(np.float32)
    model = MiniBatchDSC(n_clusters=2, input_shape=(1, 8, 8), pretrain_epochs=1, max_epochs=1,
                         encoder_params={"channels": (4,), "kernel_sizes": (3,)}, random_state=0)
    model.fit(X)
    assert model.embedding_.shape == (20, 4 * 4 * 4)


def test_user_modules_are_copied_not_trained_in_place(subspaces):
    X, _ = subspaces
    encoder, decoder = torch.nn.Linear(15, 6), torch.nn.Linear(6, 15)
    before = encoder.weight.detach().clone()
    model = MiniBatchDSC(n_clusters=3, encoder=(encoder, decoder), pretrain_epochs=2, max_epochs=2,
                         random_state=0).fit(X[:40])
    assert torch.equal(encoder.weight, before)
    assert not torch.equal(model.encoder_.weight, before)


def test_user_factory(subspaces):
    X, _ = subspaces

    def factory(input_shape, width=5):
        return torch.nn.Linear(input_shape[0], width), torch.nn.Linear(width, input_shape[0])

    model = MiniBatchDSC(n_clusters=2, encoder=factory, encoder_params={"width": 3},
                         pretrain_epochs=1, max_epochs=1, random_state=0).fit(X[:30])
    assert model.embedding_.shape == (30, 3)


@pytest.mark.parametrize("params", [{}, {"self_expression": "learned"},
                                    {"post_processing": "dsc"}], ids=["closed_form", "learned", "dsc"])
def test_pickle_holds_no_dense_float64_duplicates(subspaces, params):
    X, _ = subspaces
    n = 200
    model = MiniBatchDSC(n_clusters=3, random_state=0, **FAST, **params).fit(X[:n])
    assert model.coef_.dtype == np.float32 and model.affinity_matrix_.dtype == np.float32
    network = sum(p.numel() for module in (model.encoder_, model.decoder_) for p in module.parameters())
    # C and the affinity in float32 (4 bytes an entry each), the float32 bank and
    # networks, and 100 kB for everything else; a float64 C alone is 8 n^2 bytes
    bound = 2 * 4 * n**2 + 4 * model.embedding_.size + 4 * network + 100_000
    assert len(pickle.dumps(model)) < bound < 2 * 8 * n**2


def test_stored_coefficients_and_affinity_are_the_fitted_ones_in_float32(subspaces):
    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=3, random_state=0, self_expression="learned", **FAST).fit(X[:80])
    rebuilt = affinity_from_coefficients(model.coef_)  # learned C is float32 on the network side
    np.testing.assert_array_equal(model.affinity_matrix_, rebuilt.astype(np.float32))
    top = MiniBatchDSC(n_clusters=3, random_state=0, coefficients="sparse", n_nonzero=5,
                       **FAST).fit(X[:80])
    assert sparse.isspmatrix_csr(top.affinity_matrix_) and top.affinity_matrix_.dtype == np.float32
    assert top.coef_.dtype == np.float32 and top.coef_.getnnz(axis=1).max() == 5


def test_pickle_clone_pipeline_and_grid_search(subspaces):
    X, y = subspaces
    X, y = X[:90], y[:90]
    model = MiniBatchDSC(n_clusters=2, random_state=0, **FAST).fit(X)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.labels_, model.labels_)
    with torch.no_grad():
        np.testing.assert_allclose(
            restored.encoder_(torch.tensor(X[:3], dtype=torch.float32)).numpy(),
            model.encoder_(torch.tensor(X[:3], dtype=torch.float32)).numpy())
    cloned = clone(model)
    assert not hasattr(cloned, "labels_") and cloned.get_params() == model.get_params()

    labels = make_pipeline(Normalizer(), clone(model)).fit_predict(X)
    assert labels.shape == (90,)

    everything = np.arange(len(X))
    search = GridSearchCV(MiniBatchDSC(n_clusters=2, random_state=0, **FAST),
                          {"alpha": [0.5, 2.0]}, scoring=fit_predict_scorer(adjusted_rand_score),
                          cv=[(everything, everything)], refit=False)
    search.fit(X, y)
    assert set(search.cv_results_["param_alpha"]) == {0.5, 2.0}
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.mark.slow
def test_grid_search_fans_out_through_a_joblib_backend(subspaces):
    """docs/distributed.rst: a joblib backend runs the search's fits in other processes (here
    loky's local worker processes, as dask's or ray's would on other machines)."""
    X, y = subspaces
    everything = np.arange(len(X))

    def search():
        return GridSearchCV(MiniBatchDSC(n_clusters=3, random_state=0, **FAST),
                            {"alpha": [0.5, 2.0], "beta": [0.1, 1.0]},
                            scoring=fit_predict_scorer(adjusted_rand_score),
                            cv=[(everything, everything)], refit=False, n_jobs=2)

    serial = search().set_params(n_jobs=None).fit(X, y)
    with parallel_config(backend="loky", inner_max_num_threads=1):
        fanned_out = search().fit(X, y)
    np.testing.assert_allclose(fanned_out.cv_results_["mean_test_score"],
                               serial.cv_results_["mean_test_score"], atol=1e-12)
    assert list(fanned_out.cv_results_["params"]) == list(serial.cv_results_["params"])


@pytest.mark.parametrize(
    "X, params, error, match",
    [
        (np.array([[0.0, np.nan], [1.0, 2.0], [3.0, 4.0]]), {}, ValueError, "NaN"),
        (np.array([[0.0, np.inf], [1.0, 2.0], [3.0, 4.0]]), {}, ValueError, "infinity"),
        (np.ones((1, 4)), {"n_clusters": 1}, ValueError, "minimum of 2"),
        (np.random.RandomState(0).rand(5, 4), {"n_clusters": 6}, ValueError, "n_clusters=6 must be <= n_samples=5"),
        (np.random.RandomState(0).rand(5, 16), {"input_shape": (1, 3, 5)}, ValueError, "input_shape"),
        (sparse.random(6, 4, density=0.5, format="csr"), {}, TypeError, "[Ss]parse"),
        (np.random.RandomState(0).rand(6, 4), {"encoder": "transformer"}, ValueError, "Unknown encoder 'transformer'"),
        (np.random.RandomState(0).rand(6, 4), {"device": "tpu"}, ValueError, "device"),
        (np.random.RandomState(0).rand(6, 4), {"encoder": 3}, TypeError, "encoder must be"),
        (np.random.RandomState(0).rand(6, 64), {"input_shape": (1, 8, 8), "encoder": "mlp"}, ValueError, "'mlp' encoder expects vectors"),
        (np.random.RandomState(0).rand(6, 4), {"self_expression": "lasso"}, ValueError, "self_expression"),
        (np.random.RandomState(0).rand(6, 4), {"alpha": 0.0}, ValueError, "both must be > 0"),
        (np.random.RandomState(0).rand(6, 4), {"beta": 0.0}, ValueError, "both must be > 0"),
        (np.random.RandomState(0).rand(6, 4), {"coding_rate": -1.0}, ValueError, "coding_rate"),
        (np.random.RandomState(0).rand(6, 4), {"collapse_tol": 1.0}, ValueError, "collapse_tol"),
        (np.random.RandomState(0).rand(6, 4), {"cut_tol": -0.1}, ValueError, "cut_tol"),
        (np.random.RandomState(0).rand(6, 4), {"input_anchor": -1.0}, ValueError, "input_anchor"),
        (np.random.RandomState(0).rand(6, 4), {"rate_reduction": True}, ValueError,
         "rate_reduction=True .*coding_rate > 0"),
        (np.random.RandomState(0).rand(6, 4), {"rate_reduction": "yes"}, ValueError, "rate_reduction"),
        (np.random.RandomState(0).rand(6, 4), {"coding_rate_scope": "bank", "self_expression": "learned"},
         ValueError, "coding_rate_scope='bank' .*closed_form"),
        (np.random.RandomState(0).rand(6, 4), {"coding_rate_scope": "all"}, ValueError, "coding_rate_scope"),
        (np.random.RandomState(0).rand(6, 4), {"input_anchor": 1.0, "self_expression": "learned"},
         ValueError, "input_anchor=1.0 .*closed_form"),
        (np.random.RandomState(0).rand(6, 4), {"bank_momentum": 1.0}, ValueError, "bank_momentum"),
        (np.random.RandomState(0).rand(6, 4), {"input_scaling": "l2"}, ValueError, "input_scaling"),
        (np.vstack([np.random.RandomState(0).rand(5, 4), np.zeros((1, 4))]), {"input_scaling": "rows"},
         ValueError, r"input_scaling='rows' .* 1 row\(s\) of X are zero \(first: \[5\]\)"),
        (np.random.RandomState(0).rand(6, 4), {"distributed": "yes"}, ValueError, "distributed"),
        (np.random.RandomState(0).rand(6, 4), {"n_starts": 0}, ValueError, "n_starts"),
    ],
)
def test_bad_input_gives_a_clear_error(X, params, error, match):
    model = MiniBatchDSC(**{"n_clusters": 2, **FAST, **params})
    with pytest.raises(error, match=match):
        model.fit(X)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without CUDA")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="CUDA is not available"):
        MiniBatchDSC(n_clusters=2, device="cuda", **FAST).fit(np.random.RandomState(0).rand(6, 4))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fit_matches_cpu_shapes(subspaces):
    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=3, device="cuda", random_state=0, **FAST).fit(X[:60])
    assert next(model.encoder_.parameters()).device.type == "cpu"
    assert np.all(np.diag(model.coef_) == 0)


def test_decoder_free_encoder_is_rejected_by_the_reconstruction_model(subspaces):
    X, _ = subspaces
    with pytest.raises(ValueError, match="needs a decoder"):
        MiniBatchDSC(n_clusters=2, encoder=torch.nn.Linear(15, 4)).fit(X[:20])


def test_verbose_prints_a_progress_bar(subspaces, capsys):
    X, _ = subspaces
    MiniBatchDSC(n_clusters=2, verbose=1, random_state=0, **FAST).fit(X[:30])
    err = capsys.readouterr().err
    assert "fine-tune [" in err and "self_expr=" in err and "pre-train [" in err


@pytest.mark.slow
def test_predict_labels_new_samples_from_the_same_subspaces():
    """Fit on 200 points per subspace, predict 2,000 new ones per subspace."""
    X, y = union_of_subspaces(per_subspace=2200, seed=0)
    train = np.concatenate([np.arange(k * 2200, k * 2200 + 200) for k in range(5)])
    test = np.setdiff1d(np.arange(len(X)), train)
    model = MiniBatchDSC(n_clusters=5, random_state=0).fit(X[train])
    assert adjusted_rand_score(y[train], model.labels_) >= 0.85
    assert adjusted_rand_score(y[test], model.predict(X[test])) >= 0.85
    # on the training points, predict agrees with labels_ on well-separated data
    assert adjusted_rand_score(model.labels_, model.predict(X[train])) >= 0.9


@pytest.mark.parametrize("n_nonzero", [1, 7, 10_000])
def test_predict_counts_the_largest_coefficients_only(subspaces, n_nonzero):
    """predict = argmax over clusters of the summed |c_j| of the n_nonzero largest (loop reference)."""
    import torch

    from deepsubspace.nn.self_expression import ClosedFormSelfExpression

    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=5, random_state=0, n_nonzero=n_nonzero, **FAST).fit(X[:200])
    new = X[200:260]
    with torch.no_grad():
        queries = model.encoder_(torch.tensor(new / model.input_scale_, dtype=torch.float32))
    queries = queries / queries.norm(dim=1, keepdim=True)
    bank = torch.as_tensor(model.embedding_)
    bank = bank / bank.norm(dim=1, keepdim=True)
    solver = ClosedFormSelfExpression(model.beta / model.alpha)
    coef = torch.cat([c for _, c in solver.coefficients_of_new(queries, bank)]).abs().numpy()
    expected = []
    for row in coef:
        mass = np.zeros(5)
        for j in np.argsort(-row, kind="stable")[:n_nonzero]:
            mass[model.labels_[j]] += row[j]
        expected.append(np.argmax(mass))
    np.testing.assert_array_equal(model.predict(new), expected)


def test_predict_errors(subspaces):
    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=3, random_state=0, **FAST)
    with pytest.raises(NotFittedError):
        model.predict(X)
    model.fit(X[:60])
    with pytest.raises(ValueError, match="features"):
        model.predict(X[:5, :10])
    labels = model.predict(X[60:70])
    assert labels.shape == (10,) and labels.dtype.kind == "i" and set(labels) <= {0, 1, 2}


def test_a_diverged_fit_warns(subspaces):
    X, _ = subspaces
    with pytest.warns(ConvergenceWarning, match="Training diverged"):
        MiniBatchDSC(n_clusters=3, learning_rate=1e3, random_state=0, **FAST).fit(X[:60])


def test_identical_samples_warn():
    with pytest.warns(UserWarning, match="identical"):
        MiniBatchDSC(n_clusters=2, random_state=0, **FAST).fit(np.ones((20, 4)))


def test_sparse_coefficients_keep_the_largest_entries_of_each_row(subspaces):
    X, y = subspaces
    params = dict(n_clusters=5, encoder="residual", pretrain_epochs=0, max_epochs=3, random_state=0)
    dense = MiniBatchDSC(coefficients="dense", **params).fit(X)
    assert adjusted_rand_score(y, dense.labels_) >= 0.9
    top = MiniBatchDSC(coefficients="sparse", n_nonzero=20, **params).fit(X)
    assert sparse.issparse(top.coef_) and sparse.issparse(top.affinity_matrix_)
    assert top.coef_.getnnz(axis=1).max() == 20 and top.coef_.diagonal().max() == 0
    np.testing.assert_allclose(top.embedding_, dense.embedding_)
    for i in (0, 123, 499):
        row = top.coef_[i].toarray().ravel()
        expected = np.argsort(-np.abs(dense.coef_[i]), kind="stable")[:20]
        assert set(np.flatnonzero(row)) == set(expected)
        np.testing.assert_allclose(row[expected], dense.coef_[i, expected], rtol=1e-6, atol=1e-9)
    assert adjusted_rand_score(y, top.labels_) >= 0.9


def test_sparse_coefficients_with_the_dsc_post_processing(subspaces):
    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=5, encoder="residual", pretrain_epochs=0, max_epochs=3,
                         coefficients="sparse", n_nonzero=20, post_processing="dsc",
                         random_state=0).fit(X)
    affinity = model.affinity_matrix_
    assert sparse.isspmatrix_csr(affinity)
    assert affinity.nnz <= 2 * 20 * len(X)  # each row's own 20 and those of the rows that chose it
    assert abs(affinity - affinity.T).max() == 0 and affinity.max() <= 1.0 + 1e-6
    # (its accuracy is the DSC post-processing's: d = 4 does not suit these 6-dim subspaces; the
    # sparse path equals the dense one when it keeps every entry, see test_affinity_presets.py)
    assert sorted(np.unique(model.labels_)) == list(range(5))


@pytest.mark.parametrize("params, match", [
    ({"coefficients": "sparse", "self_expression": "learned"}, "needs self_expression='closed_form'"),
])
def test_sparse_coefficients_bad_combinations(subspaces, params, match):
    with pytest.raises(ValueError, match=match):
        MiniBatchDSC(n_clusters=3, **FAST, **params).fit(subspaces[0][:40])


@pytest.mark.parametrize("stage", ["pretrain", "fine_tune", "spectral"])
def test_an_interrupted_fit_leaves_the_estimator_as_it_was(subspaces, stage, monkeypatch):
    import deepsubspace._base as base

    X, _ = subspaces
    X = X[:60]

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    targets = {"pretrain": (MiniBatchDSC, "_pretrain"),
               "fine_tune": (base.BaseMiniBatchDSC, "_self_expression_epochs"),
               "spectral": (base, "spectral_labels")}
    model = MiniBatchDSC(n_clusters=3, random_state=0, **FAST)
    with monkeypatch.context() as patch:
        patch.setattr(*targets[stage], interrupt)
        with pytest.raises(KeyboardInterrupt):
            model.fit(X)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert not [name for name in vars(model) if name.endswith("_")]
    # a refit that fails keeps the previous fit whole
    model.fit(X)
    before = {name: value for name, value in vars(model).items() if name.endswith("_")}
    with monkeypatch.context() as patch:
        patch.setattr(*targets[stage], interrupt)
        with pytest.raises(KeyboardInterrupt):
            model.set_params(alpha=3.0).fit(X[:40])
    assert set(vars(model)) >= set(before)
    assert all(vars(model)[name] is value for name, value in before.items())


@pytest.mark.parametrize("self_expression", ["closed_form", "learned"])
def test_bank_momentum_zero_is_no_momentum_and_other_values_change_the_bank(subspaces, self_expression):
    # with momentum 0 the EMA copy is the encoder after every step, so it writes the same features
    X, _ = subspaces
    params = dict(n_clusters=5, random_state=0, self_expression=self_expression, **FAST)
    plain = MiniBatchDSC(**params).fit(X)
    zero = MiniBatchDSC(**params, bank_momentum=0.0).fit(X)
    slow = MiniBatchDSC(**params, bank_momentum=0.9).fit(X)
    np.testing.assert_array_equal(zero.coef_, plain.coef_)
    np.testing.assert_array_equal(zero.embedding_, plain.embedding_)
    assert np.abs(slow.embedding_ - plain.embedding_).max() > 1e-4
    # the loss (online encoder) and the trained encoder differ only through the bank
    assert np.isfinite(slow.loss_curve_).all() and len(slow.loss_curve_) == FAST["max_epochs"]


def test_residual_encoder_bias_option_through_the_estimator():
    # images whose second half is a 10x darker copy of the first: with a bias-free ReLU branch the
    # unit-norm features of each pair are equal, so the dark copies cannot pool on their own
    rng = np.random.RandomState(0)
    bright = rng.rand(12, 36)
    X = np.vstack([bright, 0.1 * bright])
    params = dict(n_clusters=2, encoder="residual", input_shape=(1, 6, 6), self_expression="closed_form",
                  batch_size=8, max_epochs=2, pretrain_epochs=0, random_state=0)
    model = MiniBatchDSC(**params, encoder_params={"hidden": (4,), "activation": "relu", "bias": False}).fit(X)
    assert all(p.ndim > 1 for p in model.encoder_.parameters())
    with torch.no_grad():
        features = model.encoder_(torch.tensor(X, dtype=torch.float32).reshape(-1, 1, 6, 6)).reshape(24, -1)
    assert not torch.allclose(features, torch.tensor(X, dtype=torch.float32))  # the branch was trained
    features = torch.nn.functional.normalize(features, dim=1)
    torch.testing.assert_close(features[:12], features[12:], atol=1e-6, rtol=1e-5)
    with pytest.raises(ValueError, match="bias must be True, False or None"):
        MiniBatchDSC(**params, encoder_params={"bias": "no"}).fit(X)


def test_input_scaling_rows_feeds_the_network_rows_of_one_norm(subspaces):
    X, _ = subspaces
    X = X * np.random.RandomState(1).uniform(0.05, 2.0, size=(len(X), 1))  # a brightness per sample
    seen = []

    class Recording(torch.nn.Linear):
        def forward(self, x):
            seen.append(x.detach().norm(dim=1))
            return super().forward(x)

    def factory(input_shape):
        return Recording(input_shape[0], 8), torch.nn.Linear(8, input_shape[0])

    params = dict(n_clusters=5, encoder=factory, pretrain_epochs=2, max_epochs=2, batch_size=16, random_state=0)
    assert MiniBatchDSC(**params).fit(X).input_row_norm_ is None
    seen.clear()
    model = MiniBatchDSC(**params, input_scaling="rows").fit(X)
    scaled = X / np.abs(X).max()
    assert model.input_row_norm_ == pytest.approx(np.sqrt(np.mean(np.sum(scaled ** 2, axis=1))))
    norms = torch.cat(seen)
    torch.testing.assert_close(norms, torch.full_like(norms, model.input_row_norm_))
    # new samples are rescaled alike: a sample's brightness does not change its label
    np.testing.assert_array_equal(model.predict(X[:20]),
                                  model.predict(X[:20] * np.linspace(0.1, 10.0, 20)[:, None]))


@pytest.mark.parametrize("estimator, extra", [
    (MiniBatchDSC, {"pretrain_epochs": 2}),
    (ContrastiveMiniBatchDSC, {"pretrain_epochs": 0, "encoder_pretrain_epochs": 0}),
    (StructuralContrastiveDSC, {"pretrain_epochs": 2, "n_neighbors": 3}),
])
def test_several_starts_average_the_affinities_of_independent_fits(estimator, extra):
    from deepsubspace.affinity import spectral_labels
    from deepsubspace.nn.self_expression import ClosedFormSelfExpression

    X = _subspaces(noise=0.3)
    params = dict(n_clusters=3, encoder="residual", learning_rate=1e-2, alpha=100.0, beta=10.0,
                  batch_size=40, max_epochs=3, post_processing="dsc", random_state=0, **extra)
    one = estimator(**params).fit(X)
    three = estimator(**params, n_starts=3).fit(X)
    # the first start is the one-start fit, and the attributes of one network are its
    for name in ("embedding_", "loss_curve_", "n_iter_", "pretrain_loss_curve_"):
        np.testing.assert_array_equal(getattr(three, name), getattr(one, name))
    assert three.encoder_ is three.start_encoders_[0] and three.embedding_ is three.start_embeddings_[0]
    assert len(three.start_encoders_) == len(three.start_embeddings_) == 3
    # start k is the one-start fit from the random state after k draws: independent trainings
    for k in (1, 2):
        draws = np.random.RandomState(0)
        draws.randint(np.iinfo(np.int32).max, size=k)
        alone = estimator(**{**params, "random_state": draws}).fit(X)
        np.testing.assert_array_equal(three.start_embeddings_[k], alone.embedding_)
    assert not np.allclose(three.start_embeddings_[1], three.start_embeddings_[2])
    solver = ClosedFormSelfExpression(params["beta"] / params["alpha"])
    coefs = [solver.coefficients(torch.as_tensor(z)).numpy() for z in three.start_embeddings_]
    affinity = sum(affinity_from_coefficients(c, post_processing="dsc", n_clusters=3) for c in coefs) / 3
    np.testing.assert_allclose(three.coef_, sum(coefs) / 3, atol=1e-5)
    np.testing.assert_allclose(three.affinity_matrix_, affinity, atol=1e-5)
    assert np.all(np.diag(three.coef_) == 0)
    # labels_ come from the mean affinity by the one spectral step (the same draws as one start's)
    draw = np.random.RandomState(0)
    draw.randint(np.iinfo(np.int32).max, size=3)
    np.testing.assert_array_equal(three.labels_, spectral_labels(affinity, 3, random_state=draw))
    # stage_seconds_ sums the starts' wall times (not compared with one start's: timing noise)
    assert set(three.stage_seconds_) == set(one.stage_seconds_)
    assert all(seconds > 0 for seconds in three.stage_seconds_.values())


def test_predict_with_several_starts_sums_the_coefficient_mass_of_every_start(subspaces):
    from deepsubspace.nn.self_expression import ClosedFormSelfExpression

    X, _ = subspaces
    model = MiniBatchDSC(n_clusters=5, random_state=0, n_nonzero=7, n_starts=2, **FAST).fit(X[:200])
    new = X[200:260]
    solver = ClosedFormSelfExpression(model.beta / model.alpha)
    mass = np.zeros((len(new), 5))
    for encoder, bank in zip(model.start_encoders_, model.start_embeddings_):
        with torch.no_grad():
            queries = encoder(torch.tensor(new / model.input_scale_, dtype=torch.float32))
        queries = queries / queries.norm(dim=1, keepdim=True)
        bank = torch.as_tensor(bank) / torch.as_tensor(bank).norm(dim=1, keepdim=True)
        coef = torch.cat([c for _, c in solver.coefficients_of_new(queries, bank)]).abs().numpy()
        for i, row in enumerate(coef):
            for j in np.argsort(-row, kind="stable")[:7]:
                mass[i, model.labels_[j]] += row[j]
    np.testing.assert_array_equal(model.predict(new), mass.argmax(axis=1))
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(new), model.predict(new))


def test_several_starts_with_sparse_coefficients(subspaces):
    X, _ = subspaces
    params = dict(n_clusters=5, random_state=0, coefficients="sparse", n_nonzero=5, **FAST)
    one = MiniBatchDSC(**params).fit(X)
    two = MiniBatchDSC(**params, n_starts=2).fit(X)
    assert sparse.issparse(two.coef_) and sparse.issparse(two.affinity_matrix_)
    assert two.coef_.dtype == np.float32
    # each start keeps its own n_nonzero per row: the mean holds one start's entries and more
    assert one.coef_.nnz <= two.coef_.nnz <= 2 * one.coef_.nnz
    np.testing.assert_array_equal(two.embedding_, one.embedding_)

"""StructuralContrastiveDSC (DSCSC) and its structural contrastive loss."""

import functools
import math
import pickle

import numpy as np
import pytest
import torch
from conftest import union_of_subspaces
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import Normalizer

from deepsubspace import MiniBatchDSC, StructuralContrastiveDSC, presets
from deepsubspace._base import _Training
from deepsubspace.metrics import adjusted_rand_score
from deepsubspace.nn.losses import info_nce, structural_info_nce
from deepsubspace.nn.memory_bank import MemoryBank

FAST = dict(pretrain_epochs=2, max_epochs=2, batch_size=8, n_neighbors=3, projection_dim=6,
            encoder_params={"hidden_layer_sizes": (16,), "latent_dim": 6})


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def vectors():
    X, _ = union_of_subspaces(n_subspaces=3, per_subspace=16)
    return X


# --- the loss against a loop-based reference ----------------------------------


def _unit(v):
    return v / torch.sqrt(sum(v[j] * v[j] for j in range(len(v))))


def reference_structural_info_nce(anchor, positive, negatives, temperature, own, exclude, k):
    """Per anchor: sort the allowed negatives by cosine similarity, drop the first k, InfoNCE."""
    total = 0.0
    for i in range(len(anchor)):
        a, p = _unit(anchor[i]), _unit(positive[i])
        allowed = [j for j in range(len(negatives)) if j not in exclude and (own is None or j != own[i])]
        sims = {j: torch.dot(a, _unit(negatives[j])) for j in allowed}
        kept = sorted(allowed, key=lambda j: -float(sims[j].detach()))[k:]
        pos = torch.exp(torch.dot(a, p) / temperature)
        denominator = pos
        for j in kept:
            denominator = denominator + torch.exp(sims[j] / temperature)
        total = total - torch.log(pos / denominator)
    return total


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 5), m=st.integers(1, 9), h=st.integers(1, 4), k=st.integers(0, 10),
       temperature=st.floats(0.05, 2.0), with_own=st.booleans(), seed=st.integers(0, 2**16),
       data=st.data())
def test_structural_info_nce_matches_the_loop_reference_values_and_gradients(
        n, m, h, k, temperature, with_own, seed, data):
    exclude = data.draw(st.lists(st.integers(0, m - 1), unique=True, max_size=m))
    own = data.draw(st.lists(st.integers(0, m - 1), min_size=n, max_size=n)) if with_own else None
    gen = torch.Generator().manual_seed(seed)
    tensors = [torch.randn(rows, h, generator=gen, dtype=torch.float64) + 0.1 for rows in (n, n, m)]
    fast_inputs = [t.clone().requires_grad_(True) for t in tensors]
    ref_inputs = [t.clone().requires_grad_(True) for t in tensors]
    fast = structural_info_nce(*fast_inputs, temperature, n_neighbors=k,
                               own=None if own is None else torch.tensor(own),
                               exclude=torch.tensor(exclude, dtype=torch.long) if exclude else None)
    ref = reference_structural_info_nce(*ref_inputs, temperature, own, set(exclude), k)
    assert float(fast.detach()) == pytest.approx(float(ref.detach()), rel=1e-9, abs=1e-12)
    if not ref.requires_grad:  # every anchor lost every negative: a constant 0
        assert float(fast.detach()) == 0.0
        return
    fast_grads = torch.autograd.grad(fast, fast_inputs, allow_unused=True)
    ref_grads = torch.autograd.grad(ref, ref_inputs, allow_unused=True)
    for name, f, r, t in zip(("anchor", "positive", "negatives"), fast_grads, ref_grads, tensors):
        f = torch.zeros_like(t) if f is None else f
        r = torch.zeros_like(t) if r is None else r
        torch.testing.assert_close(f, r, rtol=1e-8, atol=1e-10, msg=name)


def test_zero_neighbours_is_info_nce():
    gen = torch.Generator().manual_seed(0)
    a, p, bank = (torch.randn(r, 5, generator=gen) for r in (4, 4, 11))
    exclude = torch.tensor([2, 9])
    torch.testing.assert_close(structural_info_nce(a, p, bank, 0.2, exclude=exclude),
                               info_nce(a, p, bank, 0.2, exclude=exclude))


def test_the_k_nearest_by_cosine_are_left_out_not_the_euclidean_nearest():
    anchor = torch.tensor([[1.0, 0.0]])
    positive = torch.tensor([[1.0, 0.3]])
    negatives = torch.tensor([
        [10.0, 1.0],   # cosine 0.995, far in Euclidean distance
        [0.5, 0.5],    # cosine 0.707, the second nearest in Euclidean distance
        [1.0, 0.05],   # cosine 0.9988: the nearest by both
        [-1.0, 0.2],   # cosine -0.98
        [0.0, 1.0],    # the anchor's own row
    ])
    own = torch.tensor([4])
    for k, kept in [(0, [0, 1, 2, 3]), (1, [0, 1, 3]), (2, [1, 3]), (3, [3])]:
        expected = info_nce(anchor, positive, negatives[kept], 0.5)
        actual = structural_info_nce(anchor, positive, negatives, 0.5, own=own, n_neighbors=k)
        torch.testing.assert_close(actual, expected, msg=f"k={k}")
    # with every negative left out the loss is -log 1 = 0
    assert float(structural_info_nce(anchor, positive, negatives, 0.5, own=own, n_neighbors=4)) == 0.0


def test_own_rows_are_left_out_per_anchor():
    gen = torch.Generator().manual_seed(1)
    a, p, bank = (torch.randn(r, 3, generator=gen) for r in (2, 2, 5))
    loss = structural_info_nce(a, p, bank, 0.3, own=torch.tensor([1, 3]))
    expected = (info_nce(a[:1], p[:1], bank[[0, 2, 3, 4]], 0.3)
                + info_nce(a[1:], p[1:], bank[[0, 1, 2, 4]], 0.3))
    torch.testing.assert_close(loss, expected)
    with pytest.raises(ValueError, match="n_neighbors must be >= 0"):
        structural_info_nce(a, p, bank, 0.3, n_neighbors=-1)


# --- the estimator -------------------------------------------------------------


def test_it_clusters_a_union_of_subspaces():
    """3 random 6-dim subspaces in R^15 (conftest), the defaults on a short schedule.

    Measured: ARI 0.87 / 0.90 / 1.0 for seeds 0 / 1 / 2 (15 + 15 epochs).
    """
    X, y = union_of_subspaces(n_subspaces=3, per_subspace=60)
    model = StructuralContrastiveDSC(n_clusters=3, pretrain_epochs=15, max_epochs=15,
                                     random_state=0).fit(X)
    assert adjusted_rand_score(y, model.labels_) >= 0.75
    assert model.pretrain_loss_terms_["contrast"][-1] < model.pretrain_loss_terms_["contrast"][0]
    assert model.pretrain_loss_terms_["reconstruction"][-1] < model.pretrain_loss_terms_["reconstruction"][0]
    np.testing.assert_allclose(
        np.asarray(model.pretrain_loss_terms_["reconstruction"])
        + model.contrast_weight * np.asarray(model.pretrain_loss_terms_["contrast"]),
        model.pretrain_loss_curve_, rtol=1e-5)
    assert model.n_iter_ == len(model.loss_curve_) == 15


def _offset(x):
    return x + 3.0


def test_the_bank_holds_the_features_of_the_unaugmented_samples(vectors):
    # a negligible learning rate: the networks after the fit are those that wrote the bank
    model = StructuralContrastiveDSC(n_clusters=3, random_state=0, augmentation=_offset,
                                     learning_rate=1e-12, pretrain_learning_rate=1e-12,
                                     **{**FAST, "pretrain_epochs": 1, "max_epochs": 1}).fit(vectors)
    X = torch.tensor(vectors / model.input_scale_, dtype=torch.float32)
    with torch.no_grad():
        plain = model.projection_head_(model.encoder_(X)).numpy()
        augmented = model.projection_head_(model.encoder_(_offset(X))).numpy()
    assert model.contrast_embedding_.shape == (len(vectors), 6)
    np.testing.assert_allclose(model.contrast_embedding_, plain, rtol=1e-4, atol=1e-5)
    assert np.abs(model.contrast_embedding_ - augmented).max() > 0.1


def _half(x):
    return 0.5 * x


@functools.lru_cache(maxsize=2)
def _trained_state(self_expression):
    """A fitted model and a training state whose banks are consistent with its networks."""
    X, _ = union_of_subspaces(n_subspaces=3, per_subspace=10)
    model = StructuralContrastiveDSC(n_clusters=3, random_state=0, alpha=2.0, beta=0.5,
                                     augmentation=_half, self_expression=self_expression,
                                     **FAST).fit(X)
    training = _Training(torch.tensor(X / model.input_scale_, dtype=torch.float32), model.encoder_,
                         model.decoder_, None, torch.Generator(), len(X))
    training.head, training.augment = model.projection_head_, _half
    with torch.no_grad():
        h = model.projection_head_(model.encoder_(training.X))
    training.contrast_bank = MemoryBank(*h.shape)
    training.contrast_bank.update(torch.arange(len(X)), h)
    training.self_expression = model._new_self_expression(training, 1e-3)
    if self_expression == "learned":
        training.self_expression.coef.copy_(torch.tensor(model.coef_, dtype=torch.float32))
    return model, training


@settings(max_examples=15, deadline=None)
@given(batch_size=st.integers(1, 30), seed=st.integers(0, 2**31 - 1),
       self_expression=st.sampled_from(["closed_form", "learned"]))
def test_full_batch_and_mini_batch_give_the_same_loss_on_the_same_state(batch_size, seed,
                                                                        self_expression):
    """Summed over a partition into batches, both stages' losses are the full-batch losses."""
    model, training = _trained_state(self_expression)
    n = training.n_samples
    full, _, _ = model._batch_loss(training, torch.arange(n), train_network=True)
    x = training.X
    full_pre = model._siamese_terms(training, torch.arange(n), x, model.encoder_(x),
                                    model.encoder_(x), True)
    order = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    parts = list(torch.split(order, batch_size))
    batched = [model._batch_loss(training, idx, train_network=True)[0] for idx in parts]
    for name in ("objective", "self_expr", "reg"):
        total = sum(float(terms[name].detach()) for terms in batched)
        assert total == pytest.approx(float(full[name].detach()), rel=1e-4, abs=1e-6), name
    batched_pre = [model._siamese_terms(training, idx, x[idx], model.encoder_(x[idx]),
                                        model.encoder_(x[idx]), True) for idx in parts]
    for term, name in enumerate(("reconstruction", "contrast")):
        total = sum(float(terms[term].detach()) for terms in batched_pre)
        assert total == pytest.approx(float(full_pre[term].detach()), rel=1e-4, abs=1e-6), name
    assert float(full_pre[1].detach()) > 0


@pytest.mark.parametrize("self_expression", ["closed_form", "learned"])
def test_full_batch_trains_a_nonzero_contrast_with_both_self_expressions(vectors, self_expression):
    model = StructuralContrastiveDSC(n_clusters=3, random_state=0, self_expression=self_expression,
                                     **{**FAST, "batch_size": None}).fit(vectors)
    assert all(value > 0 for value in model.pretrain_loss_terms_["contrast"])
    assert np.all(np.isfinite(model.coef_)) and np.all(np.diag(model.coef_) == 0)
    assert model.embedding_.shape == (len(vectors), 6)
    # the same model without contrast is a Siamese autoencoder: its loss is smaller
    plain = StructuralContrastiveDSC(n_clusters=3, random_state=0, self_expression=self_expression,
                                     contrast_weight=0.0, **{**FAST, "batch_size": None}).fit(vectors)
    assert plain.pretrain_loss_curve_[0] < model.pretrain_loss_curve_[0]


def test_the_residual_combination_contrasts_from_the_first_step_without_pre_training():
    """The 'residual' presets' combination: identity-start residual encoder on images, closed-form
    C, no stage 1; the structural contrast then acts in fine-tuning (the paper's equation 11)."""
    from sklearn.datasets import load_digits

    X, y = load_digits(n_class=3, return_X_y=True)
    X = X[:60] / 16.0
    params = dict(n_clusters=3, encoder="residual", encoder_params={"hidden": (4,)}, input_shape=(1, 8, 8),
                  augmentation="faces", pretrain_epochs=0, max_epochs=2, batch_size=20, n_neighbors=3,
                  projection_dim=6, alpha=100.0, beta=10.0, learning_rate=1e-2, random_state=0)
    model = StructuralContrastiveDSC(**params).fit(X)
    assert model.embedding_.shape == X.shape and model.labels_.shape == (60,)
    assert np.all(np.diag(model.coef_) == 0)
    plain = StructuralContrastiveDSC(**params, contrast_weight=0.0).fit(X)
    assert not np.allclose(model.embedding_, plain.embedding_)


def test_fits_are_repeatable(vectors):
    a = StructuralContrastiveDSC(n_clusters=3, random_state=3, **FAST).fit(vectors)
    b = StructuralContrastiveDSC(n_clusters=3, random_state=3, **FAST).fit(vectors)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.contrast_embedding_, b.contrast_embedding_)
    c = StructuralContrastiveDSC(n_clusters=3, random_state=4, **FAST).fit(vectors)
    assert not np.array_equal(a.coef_, c.coef_)


def test_clone_pickle_and_pipeline(vectors):
    model = StructuralContrastiveDSC(n_clusters=3, random_state=0, temperature=0.2, **FAST).fit(vectors)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.labels_, model.labels_)
    np.testing.assert_array_equal(restored.predict(vectors[:5]), model.predict(vectors[:5]))
    cloned = clone(model)
    assert not hasattr(cloned, "labels_")
    params = cloned.get_params()
    assert params["temperature"] == 0.2 and params["n_neighbors"] == 3
    own = {"contrast_weight", "n_neighbors", "temperature", "projection_dim", "augmentation"}
    # data parallelism and the bank's momentum encoder are not offered here (yet)
    not_offered = {"distributed", "bank_momentum"}
    assert (set(MiniBatchDSC().get_params()) - not_offered) | own == set(params)
    labels = make_pipeline(Normalizer(), clone(model)).fit_predict(vectors)
    assert labels.shape == (len(vectors),)


def test_verbose_shows_both_stages(vectors, capsys):
    StructuralContrastiveDSC(n_clusters=3, verbose=1, random_state=0, **FAST).fit(vectors[:20])
    err = capsys.readouterr().err
    assert "pre-train [" in err and "contrast=" in err and "fine-tune [" in err


@pytest.mark.parametrize("params, error, match", [
    ({"n_neighbors": 47}, ValueError, r"n_neighbors=47 leaves no negatives.*<= n_samples - 2 = 46"),
    ({"n_neighbors": -1}, ValueError, "n_neighbors"),
    ({"augmentation": lambda x: x[:, :2]}, ValueError, "augmentation must return a tensor of the shape"),
    ({"augmentation": "faces"}, ValueError, "needs images"),
    ({"temperature": 0.0}, ValueError, "temperature"),
    ({"contrast_weight": -1.0}, ValueError, "contrast_weight"),
    ({"encoder": torch.nn.Linear(15, 4)}, ValueError, "needs a decoder"),
])
def test_bad_input_gives_a_clear_error(vectors, params, error, match):
    model = StructuralContrastiveDSC(**{"n_clusters": 3, **FAST, **params})
    with pytest.raises(error, match=match):
        model.fit(vectors)


def test_the_largest_allowed_k_keeps_one_negative(vectors):
    model = StructuralContrastiveDSC(n_clusters=3, random_state=0,
                                     **{**FAST, "n_neighbors": len(vectors) - 2}).fit(vectors)
    assert all(value > 0 for value in model.pretrain_loss_terms_["contrast"])


@pytest.mark.parametrize("dataset, k, alpha, dim", [
    ("orl", 40, 5.0, 64), ("coil20", 20, 0.05, 256), ("extended_yaleb", 38, 10 ** 0.8 / 2, 128),
])
def test_presets_follow_paper_003(dataset, k, alpha, dim):
    params = presets.get("StructuralContrastiveDSC", dataset)
    assert (params["n_clusters"], params["projection_dim"]) == (k, dim)
    assert params["alpha"] == pytest.approx(alpha) and params["beta"] == 1.0
    assert (params["contrast_weight"], params["temperature"], params["learning_rate"]) == (10.0, 0.1, 1e-3)
    assert params["batch_size"] is None and params["self_expression"] == "learned"
    StructuralContrastiveDSC(**params)._validate_params()
    assert math.prod(params["input_shape"]) in (1024, 2016)

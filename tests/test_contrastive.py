"""ContrastiveMiniBatchDSC (CLBDSC), InfoNCE, augmentations and ResNet-18 weights."""

import hashlib
import math
import pickle

import numpy as np
import pytest
import torch
from conftest import union_of_subspaces
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from torchvision.transforms.v2 import functional as TF

from deepsubspace import ContrastiveMiniBatchDSC, MiniBatchDSC
from deepsubspace.nn import augment, encoders
from deepsubspace.nn.losses import info_nce

FAST = dict(pretrain_epochs=2, max_epochs=2, batch_size=8,
            encoder_params={"hidden_layer_sizes": (16,), "latent_dim": 6})
CONV = dict(input_shape=(1, 8, 8), pretrain_epochs=2, max_epochs=2, batch_size=8,
            encoder_params={"channels": (4,), "kernel_sizes": (3,)})


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    """On two shared, busy cores torch's intra-op threads mostly wait for each
    other (a tiny ResNet fit: 0.5 s with one thread, 7 s with two)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def vectors():
    X, _ = union_of_subspaces(n_subspaces=3, per_subspace=16)
    return X


@pytest.fixture(scope="module")
def images():
    return np.random.RandomState(0).rand(24, 64).astype(np.float32)


# --- InfoNCE against a loop-based reference -----------------------------------


def _unit(v):
    return v / torch.sqrt(sum(v[j] * v[j] for j in range(len(v))))


def reference_info_nce(anchor, positive, negatives, temperature, exclude=()):
    """Equation (4) with python loops over anchors and negatives (per-element ops)."""
    total = 0.0
    for i in range(len(anchor)):
        a, p = _unit(anchor[i]), _unit(positive[i])
        pos = torch.exp(torch.dot(a, p) / temperature)
        denominator = pos
        for k in range(len(negatives)):
            if k in exclude:
                continue
            denominator = denominator + torch.exp(torch.dot(a, _unit(negatives[k])) / temperature)
        total = total - torch.log(pos / denominator)
    return total


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 5), m=st.integers(0, 7), h=st.integers(1, 4),
       temperature=st.floats(0.1, 2.0), seed=st.integers(0, 2**16), data=st.data())
def test_info_nce_matches_the_loop_reference_values_and_gradients(n, m, h, temperature, seed, data):
    exclude = data.draw(st.lists(st.integers(0, m - 1), unique=True) if m else st.just([]))
    gen = torch.Generator().manual_seed(seed)
    tensors = [torch.randn(rows, h, generator=gen, dtype=torch.float64) + 0.1 for rows in (n, n, m)]
    fast_inputs = [t.clone().requires_grad_(True) for t in tensors]
    ref_inputs = [t.clone().requires_grad_(True) for t in tensors]
    index = torch.tensor(exclude, dtype=torch.long) if exclude else None
    fast = info_nce(*fast_inputs, temperature, exclude=index)
    ref = reference_info_nce(*ref_inputs, temperature, exclude=set(exclude))
    assert float(fast.detach()) == pytest.approx(float(ref.detach()), rel=1e-9, abs=1e-12)
    fast.backward()
    ref.backward()
    for name, f, r in zip(("anchor", "positive", "negatives"), fast_inputs, ref_inputs):
        expected = torch.zeros_like(r) if r.grad is None else r.grad
        actual = torch.zeros_like(f) if f.grad is None else f.grad
        torch.testing.assert_close(actual, expected, rtol=1e-8, atol=1e-10, msg=name)


@pytest.mark.parametrize("n, m, temperature", [(1, 3, 0.5), (4, 10, 0.07), (8, 1, 1.0)])
def test_info_nce_without_exclude_keeps_its_definition(n, m, temperature):
    """Unchanged behaviour without ``exclude``: the normalised-bank formula."""
    gen = torch.Generator().manual_seed(n + m)
    a, p, neg = (torch.randn(r, 5, generator=gen) for r in (n, n, m))
    an, pn, nn_ = (torch.nn.functional.normalize(t, dim=1) for t in (a, p, neg))
    logits = torch.cat([(an * pn).sum(1, keepdim=True), an @ nn_.T], dim=1) / temperature
    expected = -torch.log_softmax(logits, dim=1)[:, 0].sum()
    torch.testing.assert_close(info_nce(a, p, neg, temperature), expected)
    excluded_nothing = info_nce(a, p, neg, temperature, exclude=torch.tensor([], dtype=torch.long))
    torch.testing.assert_close(excluded_nothing, expected)


def test_info_nce_excluding_every_negative_is_zero_with_finite_gradients():
    a, p, neg = (torch.randn(r, 3, requires_grad=True) for r in (4, 4, 6))
    loss = info_nce(a, p, neg, 0.5, exclude=torch.arange(6))
    loss.backward()
    assert float(loss.detach()) == 0.0
    assert all(torch.isfinite(t.grad).all() and not t.grad.any() for t in (a, p, neg))


def test_info_nce_exclude_equals_dropping_the_rows():
    gen = torch.Generator().manual_seed(3)
    a, p, bank = (torch.randn(r, 4, generator=gen) for r in (3, 3, 9))
    idx = torch.tensor([7, 1, 4])
    keep = torch.tensor([i for i in range(9) if i not in (1, 4, 7)])
    torch.testing.assert_close(info_nce(a, p, bank, 0.3, exclude=idx),
                               info_nce(a, p, bank[keep], 0.3))


# --- augmentations ------------------------------------------------------------


def _pairwise_distinct(out):
    flat = out.flatten(1)
    return all(not torch.equal(flat[i], flat[j]) for i in range(len(flat)) for j in range(i))


@pytest.mark.parametrize("transform, shape", [
    (augment.RandomResizedCrop(), (3, 12, 10)),
    (augment.ColorJitter(0.4, 0.4, 0.4, 0.1), (3, 6, 6)),
    (augment.ColorJitter(0.4, 0.4, 0.4, 0.1), (1, 6, 6)),
    (augment.faces_augmentation(1), (1, 16, 16)),
    (augment.faces_augmentation(3), (3, 16, 16)),
    (augment.objects_augmentation(3), (3, 16, 16)),
    (augment.objects_augmentation(1), (1, 16, 16)),
    (augment.vectors_augmentation(), (20,)),
])
def test_augmentations_are_per_sample_and_shape_preserving(transform, shape):
    torch.manual_seed(0)
    one = torch.rand(1, *shape)
    batch = one.expand(12, *shape).contiguous()
    out = transform(batch)
    assert out.shape == batch.shape and out.dtype == batch.dtype
    assert _pairwise_distinct(out), "some samples got the same random draw"
    if len(shape) == 3:
        assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0
    torch.manual_seed(1)
    again = transform(batch)
    torch.manual_seed(1)
    torch.testing.assert_close(transform(batch), again, rtol=0, atol=0)


@pytest.mark.parametrize("transform", [augment.RandomHorizontalFlip(0.5), augment.RandomGrayscale(0.5)])
def test_random_choices_differ_per_sample(transform):
    torch.manual_seed(0)
    batch = torch.rand(1, 3, 5, 5).expand(32, 3, 5, 5)
    out = transform(batch)
    changed = (out != batch).flatten(1).any(dim=1)
    assert 0 < int(changed.sum()) < 32


def test_crop_of_the_whole_image_is_the_identity_and_grayscale_matches_torchvision():
    x = torch.rand(5, 3, 7, 9)
    crop = augment.RandomResizedCrop(scale=(1.0, 1.0), ratio=(9 / 7, 9 / 7))
    torch.testing.assert_close(crop(x), x, rtol=0, atol=1e-6)
    torch.testing.assert_close(augment.Grayscale()(x), TF.rgb_to_grayscale(x, num_output_channels=3))
    gray = torch.rand(4, 1, 5, 5)
    assert torch.equal(augment.Grayscale()(gray), gray)
    assert torch.equal(augment.RandomGrayscale(1.0)(gray), gray)


@pytest.mark.parametrize("name, ours, theirs", [
    ("brightness", augment.adjust_brightness, TF.adjust_brightness),
    ("contrast", augment.adjust_contrast, TF.adjust_contrast),
    ("saturation", augment.adjust_saturation, TF.adjust_saturation),
    ("hue", augment.adjust_hue, TF.adjust_hue),
])
@pytest.mark.parametrize("channels", [1, 3])
def test_per_sample_colour_ops_match_torchvision_per_image(name, ours, theirs, channels):
    torch.manual_seed(0)
    x = torch.rand(6, channels, 5, 4)
    x[0] = 0.5  # a flat gray image
    factors = (torch.tensor([-0.5, -0.1, 0.0, 0.05, 0.2, 0.5]) if name == "hue"
               else torch.tensor([0.0, 0.6, 1.0, 1.2, 1.4, 2.0]))
    expected = torch.stack([theirs(x[i], float(factors[i])) for i in range(6)])
    torch.testing.assert_close(ours(x, factors), expected, rtol=0, atol=2e-6)


def test_get_augmentation_resolves_names_and_rejects_bad_ones():
    assert isinstance(augment.get_augmentation("auto", (5,)).transforms[0], augment.GaussianNoise)
    faces = augment.get_augmentation("auto", (1, 8, 8))
    assert [type(t) for t in faces.transforms] == [augment.RandomResizedCrop, augment.RandomHorizontalFlip]
    objects = augment.get_augmentation("auto", (3, 8, 8))
    assert augment.ColorJitter in [type(t) for t in objects.transforms]
    assert augment.Grayscale in [type(t) for t in augment.get_augmentation("faces", (3, 8, 8)).transforms]
    fn = lambda x: x  # noqa: E731
    assert augment.get_augmentation(fn, (3,)) is fn
    with pytest.raises(ValueError, match="Unknown augmentation 'blur'"):
        augment.get_augmentation("blur", (1, 8, 8))
    with pytest.raises(ValueError, match="needs images"):
        augment.get_augmentation("objects", (12,))
    with pytest.raises(ValueError, match="scale"):
        augment.RandomResizedCrop(scale=(0.0, 1.0))
    with pytest.raises(ValueError, match="batch of images"):
        augment.RandomHorizontalFlip()(torch.rand(3, 4))


# --- the estimator ------------------------------------------------------------


class _RecordLastStep(ContrastiveMiniBatchDSC):
    """Records the last step's batch, features z and augmented features z+."""

    def _representation_loss(self, training, idx, x, latent, z_hat, train_network):
        outputs = []
        handle = training.encoder.register_forward_hook(
            lambda module, args, out: outputs.append(out.detach().flatten(1).clone()))
        try:
            loss = super()._representation_loss(training, idx, x, latent, z_hat, train_network)
        finally:
            handle.remove()
        self.last_step_ = (idx.clone(), latent.detach().flatten(1).clone(), outputs[-1])
        return loss


def test_bank_is_updated_with_z_not_z_plus(images):
    model = _RecordLastStep(n_clusters=2, random_state=0, **CONV).fit(images)
    idx, z, z_plus = model.last_step_
    assert not torch.allclose(z, z_plus, atol=1e-3)
    # closed-form self-expression stores the unit-norm features
    unit = torch.nn.functional.normalize(z, dim=1).numpy()
    np.testing.assert_allclose(model.embedding_[idx.numpy()], unit, rtol=1e-6, atol=1e-7)


class _SnapshotPretraining(ContrastiveMiniBatchDSC):
    """Snapshots encoder, optimiser and C around the frozen-encoder stage."""

    def _train_after_bank_fill(self, training, progress):
        assert training.bank is not None and training.self_expression is not None
        state = lambda: {k: v.clone() for k, v in training.encoder.state_dict().items()}  # noqa: E731
        before, bank_before = state(), training.bank.features.clone()
        super()._train_after_bank_fill(training, progress)
        self.frozen_ = dict(
            before=before, after=state(), bank_before=bank_before, bank_after=training.bank.features.clone(),
            grads=[p.grad for p in training.encoder.parameters()],
            optimizer_state=len(training.optimizer.state),
            coef=training.self_expression.coef.clone(), steps=training.step,
        )


def test_encoder_is_frozen_while_c_is_pretrained(images):
    # a large learning rate: any optimiser step would move every parameter
    model = _SnapshotPretraining(n_clusters=2, random_state=0, learning_rate=1e-2,
                                 self_expression="learned",
                                 **{**CONV, "pretrain_epochs": 3}).fit(images)
    frozen = model.frozen_
    for name in frozen["before"]:
        assert torch.equal(frozen["before"][name], frozen["after"][name]), name
    assert all(g is None for g in frozen["grads"])
    assert frozen["optimizer_state"] == 0
    assert frozen["steps"] == 3 * math.ceil(len(images) / 8)
    assert frozen["coef"].abs().sum() > 0  # C did learn
    torch.testing.assert_close(frozen["bank_after"], frozen["bank_before"])  # rewritten with E(X)
    # fine-tuning then trains the encoder, and only its epochs are recorded
    assert not torch.equal(model.encoder_.state_dict()["0.weight"], frozen["after"]["0.weight"])
    assert model.n_iter_ == len(model.loss_curve_) == model.max_epochs
    assert all(len(values) == model.max_epochs for values in model.loss_terms_.values())


def test_fits_are_repeatable_and_leave_global_rng_alone(images):
    torch.manual_seed(5)
    expected_next = torch.rand(1)
    torch.manual_seed(5)
    a = ContrastiveMiniBatchDSC(n_clusters=3, random_state=3, augmentation="objects", **CONV).fit(images)
    assert torch.equal(torch.rand(1), expected_next)
    b = ContrastiveMiniBatchDSC(n_clusters=3, random_state=3, augmentation="objects", **CONV).fit(images)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    np.testing.assert_array_equal(a.embedding_, b.embedding_)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    c = ContrastiveMiniBatchDSC(n_clusters=3, random_state=4, augmentation="objects", **CONV).fit(images)
    assert not np.array_equal(a.coef_, c.coef_)


def test_fewer_parameters_than_minibatch_dsc_with_the_same_conv_encoder():
    X = np.random.RandomState(0).rand(16, 3 * 16 * 16).astype(np.float32)
    params = dict(n_clusters=2, input_shape=(3, 16, 16), pretrain_epochs=1, max_epochs=1,
                  batch_size=8, random_state=0,
                  encoder_params={"channels": (8, 16), "kernel_sizes": (3, 3), "batch_norm": True})
    count = lambda module: 0 if module is None else sum(p.numel() for p in module.parameters())  # noqa: E731
    contrastive = ContrastiveMiniBatchDSC(**params).fit(X)
    reconstruction = MiniBatchDSC(**params).fit(X)
    assert contrastive.decoder_ is None
    assert count(contrastive.encoder_) == count(reconstruction.encoder_) > 0
    assert (count(contrastive.encoder_) + count(contrastive.decoder_)
            < count(reconstruction.encoder_) + count(reconstruction.decoder_))


def test_user_modules_callable_augmentation_and_dropped_decoder(vectors):
    X = vectors[:30]
    calls = []

    def noise(x):
        calls.append(x.shape)
        return x + 0.01 * torch.randn_like(x)

    encoder, decoder = torch.nn.Linear(15, 5), torch.nn.Linear(5, 15)
    before = encoder.weight.detach().clone()
    model = ContrastiveMiniBatchDSC(n_clusters=2, encoder=(encoder, decoder), augmentation=noise,
                                    **{**FAST, "encoder_params": None}, random_state=0).fit(X)
    assert torch.equal(encoder.weight, before)
    assert model.decoder_ is None and model.embedding_.shape == (30, 5)
    assert calls and all(shape[1:] == (15,) for shape in calls)


def test_resnet18_encoder_end_to_end_on_gray_images():
    X = np.random.RandomState(0).rand(12, 32 * 32).astype(np.float32)
    model = ContrastiveMiniBatchDSC(n_clusters=2, encoder="resnet18", input_shape=(1, 32, 32),
                                    pretrain_epochs=1, max_epochs=1, batch_size=6, random_state=0).fit(X)
    assert model.embedding_.shape == (12, 512) and model.decoder_ is None


def test_full_batch_has_no_negatives_and_is_refused(vectors):
    with pytest.raises(ValueError, match="needs mini-batches"):
        ContrastiveMiniBatchDSC(n_clusters=3, random_state=0,
                                **{**FAST, "batch_size": None}).fit(vectors)
    with pytest.warns(UserWarning, match="no negatives outside the batch"):
        model = ContrastiveMiniBatchDSC(n_clusters=3, random_state=0,
                                        **{**FAST, "batch_size": 1000}).fit(vectors)
    assert np.all(np.isfinite(model.coef_)) and model.labels_.shape == (len(vectors),)


def test_pickle_clone_and_params(vectors):
    model = ContrastiveMiniBatchDSC(n_clusters=2, random_state=0, temperature=0.2, **FAST).fit(vectors)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.labels_, model.labels_)
    cloned = clone(model)
    assert not hasattr(cloned, "labels_")
    params = cloned.get_params()
    assert params["temperature"] == 0.2 and params["augmentation"] == "auto"
    own = {"temperature", "augmentation", "anchor", "encoder_pretrain_epochs"}
    assert set(MiniBatchDSC().get_params()) | own == set(params)


def test_verbose_shows_the_c_pretraining_stage(vectors, capsys):
    ContrastiveMiniBatchDSC(n_clusters=2, verbose=1, random_state=0, self_expression="learned",
                            **FAST).fit(vectors[:20])
    err = capsys.readouterr().err
    assert "pre-train C [" in err and "fine-tune [" in err and "objective=" in err
    assert "pre-train encoder [" not in err
    # closed form: C is exact at every step, there is no C-only stage
    ContrastiveMiniBatchDSC(n_clusters=2, verbose=1, random_state=0, **FAST).fit(vectors[:20])
    err = capsys.readouterr().err
    assert "pre-train C [" not in err and "fine-tune [" in err
    ContrastiveMiniBatchDSC(n_clusters=2, verbose=1, random_state=0, encoder_pretrain_epochs=2,
                            **FAST).fit(vectors[:20])
    assert "pre-train encoder [" in capsys.readouterr().err


@pytest.mark.parametrize("X, params, error, match", [
    (np.random.RandomState(0).rand(10, 4), {"augmentation": "blur"}, ValueError, "augmentation"),
    (np.random.RandomState(0).rand(10, 4), {"augmentation": "faces"}, ValueError, "needs images"),
    (np.random.RandomState(0).rand(10, 4), {"augmentation": lambda x: x[:, :2]}, ValueError,
     "augmentation must return a tensor of the shape"),
    (np.random.RandomState(0).rand(10, 4), {"temperature": 0.0}, ValueError, "temperature"),
    (np.random.RandomState(0).rand(10, 4), {"encoder": "transformer"}, ValueError, "Unknown encoder"),
    (np.random.RandomState(0).rand(10, 4), {"encoder": 3}, TypeError, "encoder must be"),
    (np.random.RandomState(0).rand(10, 16), {"input_shape": (1, 3, 5)}, ValueError, "input_shape"),
])
def test_bad_input_gives_a_clear_error(X, params, error, match):
    model = ContrastiveMiniBatchDSC(**{"n_clusters": 2, **FAST, **params})
    with pytest.raises(error, match=match):
        model.fit(X)


# --- ResNet-18 ImageNet weights -----------------------------------------------


@pytest.fixture
def fake_imagenet(tmp_path, monkeypatch):
    """A random ResNet-18 state dict served by a monkeypatched download."""
    from torchvision.models import resnet18

    source = tmp_path / "published.pth"
    torch.manual_seed(0)
    torch.save(resnet18(weights=None).state_dict(), source)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    calls = []

    def fetch(url, destination):
        calls.append(url)
        with open(source, "rb") as src, open(destination, "wb") as dst:
            dst.write(src.read())

    monkeypatch.setattr(encoders, "_fetch_weights", fetch)
    monkeypatch.setattr(encoders, "RESNET18_IMAGENET_SHA256_PREFIX", digest[:8])
    return source, calls, tmp_path / "cache"


def test_imagenet_weights_are_downloaded_once_checked_and_loaded(fake_imagenet):
    source, calls, cache = fake_imagenet
    encoder, _ = encoders.resnet18_autoencoder((3, 32, 32), weights="imagenet", cache_dir=cache)
    assert calls == [encoders.RESNET18_IMAGENET_URL]
    assert (cache / "resnet18-f37072fd.pth").read_bytes() == source.read_bytes()
    state = torch.load(source, weights_only=True)
    assert torch.equal(encoder.conv1.weight, state["conv1.weight"])
    gray, _ = encoders.resnet18_autoencoder((1, 32, 32), weights="imagenet", cache_dir=cache)
    assert calls == [encoders.RESNET18_IMAGENET_URL]  # cached: no second download
    torch.testing.assert_close(gray.conv1.weight, state["conv1.weight"].sum(dim=1, keepdim=True))


def test_imagenet_weights_with_a_wrong_hash_are_rejected_and_not_cached(fake_imagenet, monkeypatch):
    _, _, cache = fake_imagenet
    monkeypatch.setattr(encoders, "RESNET18_IMAGENET_SHA256_PREFIX", "00000000")
    with pytest.raises(ValueError, match="sha256 mismatch"):
        encoders.resnet18_imagenet_weights(cache_dir=cache)
    assert list(cache.iterdir()) == []


def test_weights_are_never_downloaded_unless_asked(fake_imagenet, monkeypatch):
    _, calls, cache = fake_imagenet
    monkeypatch.setenv(encoders.WEIGHTS_CACHE_ENV, str(cache))
    encoders.resnet18_autoencoder((3, 32, 32))
    with pytest.raises(FileNotFoundError, match="not found"):
        encoders.resnet18_imagenet_weights(download=False)
    assert calls == []

    def offline(url, destination):
        raise OSError("no network")

    monkeypatch.setattr(encoders, "_fetch_weights", offline)
    with pytest.raises(FileNotFoundError, match="no network"):
        encoders.resnet18_imagenet_weights()


class _EncoderAtBankFill(ContrastiveMiniBatchDSC):
    """Records the encoder weights and C when the bank has just been filled."""

    def _train_after_bank_fill(self, training, verbose):
        self.at_fill_ = ({k: v.clone() for k, v in training.encoder.state_dict().items()},
                         training.self_expression.coef.clone(), training.step)
        super()._train_after_bank_fill(training, verbose)


def test_encoder_pretraining_learns_from_info_nce_alone(vectors):
    common = dict(n_clusters=3, random_state=0, pretrain_learning_rate=3e-3,
                  self_expression="learned", **FAST)
    paper = _EncoderAtBankFill(**common).fit(vectors)
    assert paper.pretrain_loss_curve_ == []
    pretrained = _EncoderAtBankFill(encoder_pretrain_epochs=15, **common).fit(vectors)
    assert len(pretrained.pretrain_loss_curve_) == 15
    # 48 samples, batches of 8: chance level is 48 * log(41) = 178
    assert pretrained.pretrain_loss_curve_[-1] < 0.8 * pretrained.pretrain_loss_curve_[0]
    # same seed, same initial encoder: only the pre-training stage tells them apart
    weights, pretrained_weights = paper.at_fill_[0], pretrained.at_fill_[0]
    assert any(not torch.equal(weights[k], pretrained_weights[k]) for k in weights)
    # the stage never touches C or the training step count of the C stages
    assert np.all(pretrained.at_fill_[1].numpy() == 0) and pretrained.at_fill_[2] == 0


def test_encoder_pretraining_with_a_tiny_learning_rate_keeps_the_encoder():
    X = np.random.RandomState(1).rand(24, 6)
    common = dict(n_clusters=2, random_state=0, self_expression="learned", **FAST)
    still = _EncoderAtBankFill(encoder_pretrain_epochs=2, pretrain_learning_rate=1e-12, **common).fit(X)
    moved = _EncoderAtBankFill(encoder_pretrain_epochs=2, pretrain_learning_rate=1e-2, **common).fit(X)
    initial = _EncoderAtBankFill(**common).fit(X)
    for name, value in initial.at_fill_[0].items():
        if value.is_floating_point():
            torch.testing.assert_close(still.at_fill_[0][name], value, rtol=0, atol=1e-9)
    assert any(not torch.allclose(moved.at_fill_[0][k], v) for k, v in initial.at_fill_[0].items())


def test_feature_anchor_trains_the_encoder_without_c():
    """alpha=beta=0: with anchor='feature' the encoder learns from InfoNCE alone and C stays 0;
    with the paper's anchor (C Z)_i, C = 0 gives no anchor, so no loss and no learning."""
    X = np.random.RandomState(0).rand(40, 6)
    common = dict(n_clusters=2, alpha=0.0, beta=0.0, pretrain_epochs=1, max_epochs=2,
                  batch_size=8, self_expression="learned", random_state=0)
    plain = ContrastiveMiniBatchDSC(anchor="feature", **common).fit(X)
    coupled = ContrastiveMiniBatchDSC(**common).fit(X)
    assert np.all(plain.coef_ == 0) and np.all(coupled.coef_ == 0)
    assert all(loss > 0 for loss in plain.loss_curve_)
    assert all(loss == 0 for loss in coupled.loss_curve_)
    changed = [not torch.equal(a, b) for a, b in
               zip(plain.encoder_.parameters(), coupled.encoder_.parameters())]
    assert any(changed)


def test_predict_new_samples(vectors):
    model = ContrastiveMiniBatchDSC(n_clusters=3, random_state=0, **FAST).fit(vectors)
    labels = model.predict(vectors)
    assert labels.shape == (len(vectors),) and set(labels) <= {0, 1, 2}

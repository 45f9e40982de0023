"""The shared affinity/spectral step and the presets."""

import numpy as np
import pytest
from conftest import union_of_subspaces
from scipy import sparse
from sklearn.preprocessing import normalize

from deepsubspace import ContrastiveMiniBatchDSC, MiniBatchDSC, presets
from deepsubspace.affinity import (
    affinity_from_coefficients,
    dsc_post_processing,
    spectral_labels,
    threshold_columns,
)
from deepsubspace.metrics import adjusted_rand_score


def test_threshold_keeps_the_smallest_prefix_holding_the_mass():
    coef = np.array([[0.0, 0.5], [3.0, 0.0], [1.0, 0.5], [-6.0, 0.0]])
    kept = threshold_columns(coef, 0.6)
    # column 0: |.| sorted 6, 3, 1 (total 10): 6 <= 6, 9 > 6 -> keep 6 and 3
    np.testing.assert_array_equal(kept[:, 0], [0.0, 3.0, 0.0, -6.0])
    # column 1: 0.5, 0.5 (total 1): 0.5 <= 0.6, 1.0 > 0.6 -> keep two entries
    np.testing.assert_array_equal(kept[:, 1], [0.5, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(threshold_columns(coef, 1.0), coef)


def test_plain_affinity_is_symmetric_abs_sum_dense_and_sparse():
    rng = np.random.RandomState(0)
    coef = rng.randn(6, 6)
    np.fill_diagonal(coef, 0)
    expected = np.abs(coef) + np.abs(coef).T
    np.testing.assert_allclose(affinity_from_coefficients(coef), expected)
    got = affinity_from_coefficients(sparse.csr_matrix(coef))
    assert sparse.issparse(got)
    np.testing.assert_allclose(got.toarray(), expected)


def test_normalize_rows_affinity_dense_and_sparse():
    rng = np.random.RandomState(1)
    coef = rng.randn(7, 7) * rng.uniform(0.1, 10, size=(7, 1))
    np.fill_diagonal(coef, 0)
    coef[3] = 0.0  # a sample without coefficients stays without edges of its own
    norms = np.linalg.norm(coef, axis=1, keepdims=True)
    unit = np.divide(coef, norms, out=np.zeros_like(coef), where=norms > 0)
    expected = np.abs(unit) + np.abs(unit).T
    np.testing.assert_allclose(affinity_from_coefficients(coef, post_processing="normalize_rows"),
                               expected)
    got = affinity_from_coefficients(sparse.csr_matrix(coef), post_processing="normalize_rows")
    assert sparse.issparse(got)
    np.testing.assert_allclose(got.toarray(), expected)


def test_kmeans_assignment_uses_the_normalised_eigenvectors():
    # Ng-Jordan-Weiss: rows of the top-k eigenvectors of D^-1/2 A D^-1/2, unit norm;
    # compared through E E^T, which does not depend on the basis of the eigenspace
    from deepsubspace.affinity import _normalized_eigenvectors

    rng = np.random.RandomState(2)
    affinity = np.abs(rng.randn(30, 30))
    affinity = affinity + affinity.T
    scale = 1 / np.sqrt(affinity.sum(1))
    _, vectors = np.linalg.eigh(scale[:, None] * affinity * scale[None, :])
    expected = normalize(vectors[:, -4:])
    for a in (affinity, sparse.csr_matrix(affinity)):
        for k, ref in ((4, expected), (29, normalize(vectors[:, -29:]))):
            got = _normalized_eigenvectors(a, k, np.random.RandomState(0))
            np.testing.assert_allclose(got @ got.T, ref @ ref.T, atol=1e-8)


def test_least_squares_coefficients_cluster_a_union_of_subspaces():
    X, y = union_of_subspaces()
    gram = X @ X.T
    coef = np.linalg.solve(gram + 0.05 * np.eye(len(X)), gram).T
    np.fill_diagonal(coef, 0)
    # the default post-processing assumes subspaces of dimension 4 (here 6): a bit lower
    for post, least in ((None, 0.95), ("normalize_rows", 0.95), ("dsc", 0.8)):
        affinity = affinity_from_coefficients(coef, post_processing=post, n_clusters=5)
        for assign in ("discretize", "kmeans"):
            labels = spectral_labels(affinity, 5, assign_labels=assign, random_state=0)
            assert adjusted_rand_score(y, labels) > least
    post = dsc_post_processing(coef, 5)
    assert post.max() == pytest.approx(1.0) and post.min() >= 0
    np.testing.assert_allclose(post, post.T)


def test_affinity_errors():
    with pytest.raises(ValueError, match="n_clusters"):
        affinity_from_coefficients(np.eye(3), post_processing="dsc")
    with pytest.raises(ValueError, match="Unknown post-processing parameter"):
        affinity_from_coefficients(np.eye(3), post_processing="dsc", n_clusters=2, params={"rank": 2})
    with pytest.raises(ValueError, match="post_processing"):
        affinity_from_coefficients(np.eye(3), post_processing="lrr")
    with pytest.raises(ValueError, match="assign_labels"):
        spectral_labels(np.ones((4, 4)), 2, assign_labels="cluster_qr")


def test_spectral_labels_are_contiguous_and_seeded():
    X, _ = union_of_subspaces(per_subspace=20)
    affinity = np.abs(X @ X.T)
    for assign in ("discretize", "kmeans"):
        a = spectral_labels(affinity, 5, assign_labels=assign, random_state=3)
        np.testing.assert_array_equal(
            a, spectral_labels(affinity, 5, assign_labels=assign, random_state=3))
        assert set(a) == set(range(len(set(a))))
        assert np.all(spectral_labels(affinity, 1, assign_labels=assign) == 0)


@pytest.mark.parametrize("estimator, dataset, architecture", presets.available())
def test_presets_build_valid_estimators(estimator, dataset, architecture):
    cls = {"MiniBatchDSC": MiniBatchDSC, "ContrastiveMiniBatchDSC": ContrastiveMiniBatchDSC}[estimator]
    params = presets.get(estimator, dataset, architecture)
    model = cls(**params)
    model._validate_params()
    assert model.get_params()["n_clusters"] == params["n_clusters"]
    params["alpha"] = -1  # a fresh copy each call
    assert presets.get(cls, dataset, architecture)["alpha"] > 0


@pytest.mark.parametrize("dataset, dsc_net_beta, dsc_net_pixel_max", [
    ("orl", 2.0, 255.0), ("extended_yaleb", 2.0, 255.0), ("coil20", 1.0, 1.0), ("coil100", 1.0, 1.0)])
def test_coefficient_weight_follows_the_input_scale(dataset, dsc_net_beta, dsc_net_pixel_max):
    """Loaders give pixels in [0, 1]; where DSC-Net trained on 0..255, the data terms shrink by
    255^2 and ||C||^2 does not, so its weight must shrink by the same factor. (COIL-100's
    source scale is not established; the preset assumes [0, 1].)"""
    assert presets.get("MiniBatchDSC", dataset)["beta"] == pytest.approx(dsc_net_beta / dsc_net_pixel_max**2)


def test_unknown_preset():
    with pytest.raises(ValueError, match="No preset"):
        presets.get("MiniBatchDSC", "mnist")
    with pytest.raises(ValueError, match="No preset"):
        presets.get("MiniBatchDSC", "coil20", "deep")


def test_default_architecture():
    assert presets.get("MiniBatchDSC", "orl") == presets.get("MiniBatchDSC", "orl", "dsc")
    assert presets.get("MiniBatchDSC", "orl")["encoder_params"]["channels"] == (3, 3, 5)
    assert presets.get("MiniBatchDSC", "orl", "deep")["encoder_params"]["batch_norm"]
    contrastive = "ContrastiveMiniBatchDSC"
    assert presets.get(contrastive, "orl") == presets.get(contrastive, "orl", "deep")

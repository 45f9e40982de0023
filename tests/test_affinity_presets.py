"""The shared affinity/spectral step and the presets."""

import numpy as np
import pytest
from conftest import union_of_subspaces
from scipy import sparse

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


def test_least_squares_coefficients_cluster_a_union_of_subspaces():
    X, y = union_of_subspaces()
    gram = X @ X.T
    coef = np.linalg.solve(gram + 0.05 * np.eye(len(X)), gram).T
    np.fill_diagonal(coef, 0)
    # the default post-processing assumes subspaces of dimension 4 (here 6): a bit lower
    for post, least in ((None, 0.95), ("dsc", 0.8)):
        affinity = affinity_from_coefficients(coef, post_processing=post, n_clusters=5)
        assert adjusted_rand_score(y, spectral_labels(affinity, 5, random_state=0)) > least
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


def test_spectral_labels_are_contiguous_and_seeded():
    X, _ = union_of_subspaces(per_subspace=20)
    affinity = np.abs(X @ X.T)
    a = spectral_labels(affinity, 5, random_state=3)
    np.testing.assert_array_equal(a, spectral_labels(affinity, 5, random_state=3))
    assert set(a) == set(range(len(set(a))))
    assert np.all(spectral_labels(affinity, 1) == 0)


@pytest.mark.parametrize("estimator, dataset", presets.available())
def test_presets_build_valid_estimators(estimator, dataset):
    cls = {"MiniBatchDSC": MiniBatchDSC, "ContrastiveMiniBatchDSC": ContrastiveMiniBatchDSC}[estimator]
    params = presets.get(estimator, dataset)
    model = cls(**params)
    model._validate_params()
    assert model.get_params()["n_clusters"] == params["n_clusters"]
    params["alpha"] = -1  # a fresh copy each call
    assert presets.get(cls, dataset)["alpha"] > 0


def test_unknown_preset():
    with pytest.raises(ValueError, match="No preset"):
        presets.get("MiniBatchDSC", "mnist")

"""Tests of least squares regression subspace clustering (LSR)."""

import os
from pathlib import Path

import numpy as np
import pytest
from conftest import union_of_subspaces
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsubspace.baselines import (
    LeastSquaresSubspaceClustering,
    _lsr_features,
    _lsr_samples,
    least_squares_representation,
)
from deepsubspace.datasets import DATASETS, load_dataset
from deepsubspace.metrics import clustering_accuracy


@parametrize_with_checks(
    [
        LeastSquaresSubspaceClustering(n_clusters=3, random_state=0),
        LeastSquaresSubspaceClustering(n_clusters=3, lam=1.0, post_processing=None,
                                       assign_labels="kmeans", random_state=0),
        LeastSquaresSubspaceClustering(n_clusters=3, n_nonzero=3, post_processing=None, random_state=0),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------- #
# closed form
# --------------------------------------------------------------------------- #
def _reference(X, lam, unit_rows=True):
    """Row i: ridge regression of x_i on the other samples, one solve per row."""
    Z = normalize(X) if unit_rows else X
    n = Z.shape[0]
    coef = np.zeros((n, n))
    for i in range(n):
        others = np.arange(n) != i
        A = Z[others].T  # D x (N - 1)
        coef[i, others] = np.linalg.solve(A.T @ A + lam * np.eye(n - 1), A.T @ Z[i])
    return coef


@pytest.mark.parametrize("shape", [(60, 12), (12, 60), (25, 25)], ids=["N>D", "N<D", "N=D"])
@pytest.mark.parametrize("lam", [0.1, 1e-3, 5.0])
def test_rows_are_per_row_ridge_solutions(shape, lam):
    X = np.random.default_rng(0).standard_normal(shape) * 3.0
    expected = _reference(X, lam)
    Z = normalize(X)
    for coef in (least_squares_representation(X, lam), _lsr_samples(Z, lam), _lsr_features(Z, lam)):
        assert coef.dtype == np.float64 and coef.shape == (shape[0],) * 2
        assert np.all(np.diag(coef) == 0.0)
        np.testing.assert_allclose(coef, expected, rtol=0, atol=1e-10)


def test_raw_rows_and_float32():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((30, 8)) * rng.uniform(0.2, 5.0, size=(30, 1))
    np.testing.assert_allclose(least_squares_representation(X, 0.5, normalize_input=False),
                               _reference(X, 0.5, unit_rows=False), rtol=0, atol=1e-10)
    np.testing.assert_allclose(least_squares_representation(X.astype(np.float32)),
                               least_squares_representation(X), rtol=0, atol=1e-5)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 40), d=st.integers(1, 40), lam=st.floats(1e-2, 10.0),
       seed=st.integers(0, 2**31 - 1))
def test_both_systems_agree(n, d, lam, seed):
    Z = normalize(np.random.default_rng(seed).standard_normal((n, d)))
    a, b = _lsr_samples(Z, lam), _lsr_features(Z, lam)
    assert np.all(np.diag(a) == 0.0) and np.all(np.diag(b) == 0.0)
    np.testing.assert_allclose(a, b, rtol=0, atol=1e-9 * max(1.0, np.abs(a).max()))


# --------------------------------------------------------------------------- #
# clustering
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "params",
    # the DSC rank is subspace_dim * K + 1: give it the known dimension of the data (6); the
    # package default (4) under-ranks these 6-dim subspaces (ARI 0.88-0.89 over seeds 0-4)
    [{"post_processing_params": {"subspace_dim": 6}},
     {"post_processing": None, "assign_labels": "kmeans"}],
    ids=["dsc", "plain"],
)
def test_union_of_subspaces_is_recovered(params):
    X, y = union_of_subspaces()  # 5 random 6-dim subspaces of R^15, 100 points each
    model = LeastSquaresSubspaceClustering(n_clusters=5, random_state=0, **params).fit(X)
    assert adjusted_rand_score(y, model.labels_) >= 0.9
    coef = model.coef_
    assert isinstance(coef, np.ndarray) and coef.shape == (500, 500)
    np.testing.assert_array_equal(coef, least_squares_representation(X))
    assert model.affinity_matrix_.shape == (500, 500)


@pytest.mark.parametrize("n_nonzero", [1, 3, 10, 499, 600])
def test_n_nonzero_keeps_the_largest_entries_of_each_row(n_nonzero):
    X, y = union_of_subspaces()
    dense = least_squares_representation(X)
    model = LeastSquaresSubspaceClustering(n_clusters=5, n_nonzero=n_nonzero, post_processing=None,
                                           random_state=0).fit(X)
    coef = model.coef_
    assert sparse.issparse(coef) and coef.shape == (500, 500)
    kept = min(n_nonzero, 499)
    assert np.all(np.diff(coef.indptr) == kept) and np.all(coef.diagonal() == 0.0)
    for i in (0, 123, 499):  # the kept entries are the row's, and no dropped one is larger
        row = coef.getrow(i)
        np.testing.assert_array_equal(row.toarray().ravel()[row.indices], dense[i, row.indices])
        assert i not in row.indices
        dropped = np.setdiff1d(np.delete(np.arange(500), i), row.indices)
        if dropped.size:
            assert np.abs(dense[i, dropped]).max() <= np.abs(dense[i, row.indices]).min()
    if kept == 499:
        np.testing.assert_array_equal(coef.toarray(), dense)
    if n_nonzero == 10:
        assert adjusted_rand_score(y, model.labels_) >= 0.9


# --------------------------------------------------------------------------- #
# bad input
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("n_nonzero", [0, -2, 1.5])
def test_bad_n_nonzero_rejected(n_nonzero):
    X = np.random.default_rng(0).standard_normal((10, 4))
    with pytest.raises(InvalidParameterError, match="n_nonzero"):
        LeastSquaresSubspaceClustering(n_clusters=2, n_nonzero=n_nonzero).fit(X)


@pytest.mark.parametrize("lam", [0, 0.0, -1])
def test_non_positive_lam_rejected(lam):
    X = np.random.default_rng(0).standard_normal((10, 4))
    with pytest.raises(InvalidParameterError, match="lam"):
        LeastSquaresSubspaceClustering(n_clusters=2, lam=lam).fit(X)


def test_function_rejects_non_positive_lam():
    with pytest.raises(ValueError, match="lam must be > 0"):
        least_squares_representation(np.eye(3), lam=0.0)


def test_sparse_input_rejected():
    X = sparse.random(20, 5, density=0.5, format="csr", random_state=0)
    with pytest.raises(TypeError, match="[Ss]parse"):
        LeastSquaresSubspaceClustering(n_clusters=2).fit(X)


# --------------------------------------------------------------------------- #
# real data (skipped when the files are absent); one fit each, a few seconds
# --------------------------------------------------------------------------- #
def _data_home():
    env = os.environ.get("DEEPSUBSPACE_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.mark.parametrize("name, n_clusters, min_acc", [
    pytest.param("extended_yaleb", 38, 0.95, marks=pytest.mark.slow), ("orl", 40, 0.78)])
def test_face_benchmarks(name, n_clusters, min_acc):
    home = _data_home()
    if not (home / DATASETS[name].filename).is_file():
        pytest.skip(f"{DATASETS[name].filename} not found in {home} (set DEEPSUBSPACE_DATA)")
    data = load_dataset(name, data_home=home, download=False)
    model = LeastSquaresSubspaceClustering(n_clusters=n_clusters, post_processing="dsc",
                                           random_state=0).fit(data.data)
    assert clustering_accuracy(data.target, model.labels_) >= min_acc

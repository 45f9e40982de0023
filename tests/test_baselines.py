"""Tests of the classical subspace clustering baselines (SSC, EnSC, SSC-OMP)."""

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, orthogonal_mp
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsubspace.baselines import (
    ElasticNetSubspaceClustering,
    LeastSquaresSubspaceClustering,
    OrthogonalMatchingPursuitSubspaceClustering,
    SparseSubspaceClustering,
    elastic_net_representation,
    omp_representation,
)

ESTIMATORS = [
    ElasticNetSubspaceClustering(n_clusters=3, random_state=0),
    ElasticNetSubspaceClustering(
        n_clusters=3, tau=0.9, algorithm="lasso_cd", max_iter=200, random_state=0
    ),
    ElasticNetSubspaceClustering(
        n_clusters=3, gamma=20, gamma_relative=True, normalize_input=False,
        post_processing="normalize_rows", assign_labels="discretize", random_state=0,
    ),
    SparseSubspaceClustering(n_clusters=3, random_state=0),
    OrthogonalMatchingPursuitSubspaceClustering(n_clusters=3, random_state=0),
]


def _expected_failed_checks(estimator):
    if isinstance(estimator, OrthogonalMatchingPursuitSubspaceClustering):
        return {
            "check_clustering": (
                "2-D blobs are no union of subspaces: any two points span R^2, so every "
                "OMP fit is exact with 2 points from any clusters (ARI 0.05 < 0.4)."
            )
        }
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# --------------------------------------------------------------------------- #
# solver correctness
# --------------------------------------------------------------------------- #
def _reference_coefficients(X, gamma, tau, *, unit_rows=True):
    """Row j: scikit-learn ElasticNet fitted on the other (by default unit-norm) samples.

    EnSC, sample j:   tau |c|_1 + (1 - tau)/2 |c|^2 + gamma_j/2 |x_j - A c|^2,  A = X_{-j}^T (D x N-1).
    ElasticNet:       1/(2 D) |y - A w|^2 + a r |w|_1 + a (1 - r)/2 |w|^2.
    Dividing the EnSC objective by gamma_j * D gives the ElasticNet one with
    a = 1 / (gamma_j * D) and r = tau (same minimiser). ``gamma`` is a number
    or one value per sample.
    """
    Xn = normalize(X) if unit_rows else X
    n, d = Xn.shape
    gamma = np.broadcast_to(gamma, (n,))
    coef = np.zeros((n, n))
    for j in range(n):
        others = np.arange(n) != j
        model = ElasticNet(alpha=1.0 / (gamma[j] * d), l1_ratio=tau, fit_intercept=False,
                           tol=1e-14, max_iter=200_000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(Xn[others].T, Xn[j])
        coef[j, others] = model.coef_
    return coef


def _objective(X, coef, gamma, tau):
    Xn = normalize(X)
    coef = coef.toarray() if sparse.issparse(coef) else coef
    resid = Xn - coef @ Xn
    return (tau * np.abs(coef).sum(1) + (1 - tau) / 2 * (coef**2).sum(1)
            + gamma / 2 * (resid**2).sum(1))


@settings(max_examples=12, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    gamma=st.floats(2.0, 20.0),
    tau=st.one_of(st.just(1.0), st.floats(0.5, 1.0)),
)
def test_coefficients_match_sklearn_elastic_net(seed, gamma, tau):
    X = np.random.default_rng(seed).standard_normal((30, 10))
    expected = _reference_coefficients(X, gamma, tau)
    for algorithm in ("lasso_lars", "lasso_cd"):
        coef = elastic_net_representation(X, gamma, tau, algorithm=algorithm, tol=1e-12,
                                          max_iter=100_000)
        assert sparse.isspmatrix_csr(coef) and coef.shape == (30, 30)
        assert np.all(coef.diagonal() == 0.0)
        np.testing.assert_allclose(coef.toarray(), expected, rtol=0, atol=1e-6)
    # the homotopy is exact: never worse than the reference
    lars = elastic_net_representation(X, gamma, tau)
    assert np.all(_objective(X, lars, gamma, tau) <= _objective(X, expected, gamma, tau) + 1e-10)


@pytest.mark.parametrize("tau", [1.0, 0.7])
def test_relative_gamma_matches_sklearn_per_sample(tau):
    # raw rows of very different norms: gamma_j = gamma * tau / max_{i != j} |x_i^T x_j|
    rng = np.random.default_rng(3)
    X = rng.standard_normal((25, 8)) * rng.uniform(0.2, 5.0, size=(25, 1))
    gram = X @ X.T
    np.fill_diagonal(gram, 0.0)
    gamma_j = 10.0 * tau / np.abs(gram).max(axis=1)
    expected = _reference_coefficients(X, gamma_j, tau, unit_rows=False)
    for algorithm in ("lasso_lars", "lasso_cd"):
        coef = elastic_net_representation(X, 10.0, tau, algorithm=algorithm, gamma_relative=True,
                                          normalize_input=False, tol=1e-12, max_iter=100_000)
        assert np.all(coef.diagonal() == 0.0)
        np.testing.assert_allclose(coef.toarray(), expected, rtol=0, atol=1e-6)


def test_relative_gamma_is_invariant_to_the_data_scale():
    X, _ = _union_of_subspaces(n_subspaces=3, dim=4, ambient=12, per_subspace=40, seed=4)
    X = X * np.random.default_rng(5).uniform(0.5, 2.0, size=(len(X), 1))
    for tau in (1.0, 0.8):
        small = elastic_net_representation(X, 30.0, tau, gamma_relative=True, normalize_input=False)
        large = elastic_net_representation(255.0 * X, 30.0, tau, gamma_relative=True,
                                           normalize_input=False)
        np.testing.assert_allclose(small.toarray(), large.toarray(), rtol=0, atol=1e-9)
    # below gamma = 1 every solution is zero, just above it is not
    assert elastic_net_representation(X, 0.999, gamma_relative=True).nnz == 0
    assert elastic_net_representation(X, 1.01, gamma_relative=True).nnz > 0


def _union_of_subspaces(n_subspaces=5, dim=6, ambient=15, per_subspace=100, seed=0):
    rng = np.random.default_rng(seed)
    blocks, labels = [], []
    for k in range(n_subspaces):
        basis = np.linalg.qr(rng.standard_normal((ambient, dim)))[0]
        blocks.append((basis @ rng.standard_normal((dim, per_subspace))).T)
        labels.append(np.full(per_subspace, k))
    return normalize(np.vstack(blocks)), np.concatenate(labels)


@pytest.mark.parametrize("gamma, tau", [(50.0, 1.0), (200.0, 1.0), (20.0, 0.8)])
def test_active_support_gives_the_global_solution(gamma, tau):
    # 300 points > the 100 initial candidates: the oracle rounds must be exercised
    X, _ = _union_of_subspaces(n_subspaces=3, dim=8, ambient=20, seed=1)
    X = X + 0.05 * np.random.default_rng(2).standard_normal(X.shape)
    active = elastic_net_representation(X, gamma, tau, active_support=True)
    full = elastic_net_representation(X, gamma, tau, active_support=False)
    np.testing.assert_allclose(active.toarray(), full.toarray(), rtol=0, atol=1e-9)
    if tau < 1:  # scikit-learn coordinate descent on its own oracle-guided active sets
        cd = elastic_net_representation(X, gamma, tau, algorithm="lasso_cd", tol=1e-10,
                                        max_iter=100_000)
        np.testing.assert_allclose(cd.toarray(), full.toarray(), rtol=0, atol=1e-6)
    # optimality (KKT) over all points, from the definition of the problem
    Xn = normalize(X)
    coef = active.toarray()
    grad = gamma * (Xn - coef @ Xn) @ Xn.T - (1 - tau) * coef  # = tau * subgradient of |c|_1
    np.fill_diagonal(grad, 0.0)
    on = coef != 0
    np.testing.assert_allclose(grad[on], tau * np.sign(coef[on]), atol=1e-8)
    assert np.all(np.abs(grad[~on]) <= tau * (1 + 1e-6) + 1e-9)


def test_ssc_is_ensc_with_alpha_over_mu():
    X, _ = _union_of_subspaces(n_subspaces=2, dim=3, ambient=8, per_subspace=25)
    ssc = SparseSubspaceClustering(n_clusters=2, alpha=20.0, random_state=0).fit(X)
    gram = np.abs(X @ X.T)
    np.fill_diagonal(gram, 0.0)
    mu = gram.max(axis=1).min()
    assert ssc.gamma_ == pytest.approx(20.0 / mu)
    expected = elastic_net_representation(X, 20.0 / mu, 1.0)
    np.testing.assert_allclose(ssc.coef_.toarray(), expected.toarray(),
                               atol=1e-12)
    # alpha > 1: every sample has a non-zero representation
    assert np.all(np.diff(ssc.coef_.indptr) > 0)


def test_omp_matches_sklearn_orthogonal_mp():
    rng = np.random.default_rng(0)
    X = normalize(rng.standard_normal((30, 10)))
    coef = omp_representation(X, n_nonzero=4, tol=0.0).toarray()
    for j in range(30):
        others = np.arange(30) != j
        expected = orthogonal_mp(X[others].T, X[j], n_nonzero_coefs=4)
        np.testing.assert_allclose(coef[j, others], expected, atol=1e-10)
    assert np.all(np.diag(coef) == 0.0)


def test_rows_express_samples():
    X, _ = _union_of_subspaces(n_subspaces=2, dim=3, ambient=10, per_subspace=30)
    X = X * np.random.default_rng(3).uniform(0.5, 3.0, size=(X.shape[0], 1))  # any scale
    model = ElasticNetSubspaceClustering(n_clusters=2, gamma=1e4, random_state=0).fit(X)
    coef = model.coef_
    Xn = normalize(X)
    assert np.abs(coef @ Xn - Xn).max() < 1e-2  # x_j ~ sum_i C[j, i] x_i (unit-norm rows)
    assert np.all(coef.diagonal() == 0.0)


# --------------------------------------------------------------------------- #
# clustering
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize(
    "estimator",
    [SparseSubspaceClustering(n_clusters=5, random_state=0),
     ElasticNetSubspaceClustering(n_clusters=5, random_state=0),
     ElasticNetSubspaceClustering(n_clusters=5, gamma=50.0, tau=0.9, random_state=0)],
    ids=["SSC", "EnSC", "EnSC-tau0.9"],
)
def test_union_of_subspaces_is_recovered(estimator):
    X, y = _union_of_subspaces()  # 5 random 6-dim subspaces of R^15, 100 unit-norm points each
    labels = estimator.fit_predict(X)
    assert adjusted_rand_score(y, labels) >= 0.9
    assert sparse.isspmatrix_csr(estimator.coef_)


def test_dsc_post_processing():
    X, _ = _union_of_subspaces(n_subspaces=3, dim=4, ambient=12, per_subspace=40)
    model = ElasticNetSubspaceClustering(n_clusters=3, post_processing="dsc",
                                         post_processing_params={"subspace_dim": 4},
                                         random_state=0).fit(X)
    affinity = model.affinity_matrix_
    assert isinstance(affinity, np.ndarray) and affinity.shape == (120, 120)
    np.testing.assert_allclose(affinity, affinity.T)
    assert affinity.min() >= 0
    assert set(np.unique(model.labels_)) <= {0, 1, 2}
    with pytest.raises(ValueError, match="Unknown post-processing"):
        ElasticNetSubspaceClustering(n_clusters=3, post_processing="dsc",
                                     post_processing_params={"rank": 4}).fit(X)


def test_deterministic_coefficients_and_float32():
    X, _ = _union_of_subspaces(n_subspaces=2, dim=3, ambient=8, per_subspace=25)
    a = ElasticNetSubspaceClustering(n_clusters=2, random_state=0).fit(X)
    b = ElasticNetSubspaceClustering(n_clusters=2, random_state=0, n_jobs=2).fit(
        X.astype(np.float32))
    np.testing.assert_allclose(a.coef_.toarray(),
                               b.coef_.toarray(), atol=1e-5)
    np.testing.assert_array_equal(a.labels_, b.labels_)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_gpu_matches_cpu():
    X, _ = _union_of_subspaces(n_subspaces=3, dim=5, ambient=15, per_subspace=60)
    cpu = elastic_net_representation(X, 50.0, 0.9)
    gpu = elastic_net_representation(X, 50.0, 0.9, device="cuda")
    np.testing.assert_allclose(cpu.toarray(), gpu.toarray(), atol=1e-9)


# --------------------------------------------------------------------------- #
# bad input
# --------------------------------------------------------------------------- #
ALL = [ElasticNetSubspaceClustering, SparseSubspaceClustering,
       OrthogonalMatchingPursuitSubspaceClustering]


@pytest.mark.parametrize("Estimator", ALL)
def test_nan_and_inf_rejected(Estimator):
    X = np.random.default_rng(0).standard_normal((10, 4))
    X[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        Estimator(n_clusters=2).fit(X)
    X[3, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        Estimator(n_clusters=2).fit(X)


@pytest.mark.parametrize("Estimator", ALL)
def test_one_sample_rejected(Estimator):
    with pytest.raises(ValueError, match="1 sample"):
        Estimator(n_clusters=1).fit(np.ones((1, 4)))


@pytest.mark.parametrize("Estimator", ALL)
def test_more_clusters_than_samples_rejected(Estimator):
    X = np.random.default_rng(0).standard_normal((5, 3))
    with pytest.raises(ValueError, match=r"n_clusters=8 must be <= n_samples=5"):
        Estimator().fit(X)


@pytest.mark.parametrize("Estimator", ALL)
def test_sparse_input_rejected(Estimator):
    X = sparse.random(20, 5, density=0.5, format="csr", random_state=0)
    with pytest.raises(TypeError, match="[Ss]parse"):
        Estimator(n_clusters=2).fit(X)


@pytest.mark.parametrize(
    "params",
    [{"tau": 0.0}, {"tau": 1.5}, {"gamma": 0.0}, {"algorithm": "admm"}, {"max_iter": 0},
     {"post_processing": "knn"}, {"assign_labels": "nearest"}, {"gamma_relative": "yes"},
     {"normalize_input": None}],
)
def test_invalid_parameters(params):
    X = np.random.default_rng(0).standard_normal((10, 4))
    with pytest.raises(InvalidParameterError):
        ElasticNetSubspaceClustering(n_clusters=2, **params).fit(X)


def test_unknown_device_rejected():
    X = np.random.default_rng(0).standard_normal((10, 4))
    with pytest.raises((ValueError, RuntimeError)):
        ElasticNetSubspaceClustering(n_clusters=2, device="tpu").fit(X)


@pytest.mark.parametrize("Estimator", [*ALL, LeastSquaresSubspaceClustering])
def test_representation_matrix_is_a_deprecated_alias_of_coef(Estimator):
    X, _ = _union_of_subspaces(n_subspaces=2, dim=3, ambient=10, per_subspace=15)
    model = Estimator(n_clusters=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError):
            model.representation_matrix_  # unfitted: no alias either, no warning
    model.fit(X)
    with pytest.warns(FutureWarning, match="deprecated.*use coef_"):
        alias = model.representation_matrix_
    assert alias is model.coef_
    with pytest.raises(AttributeError):
        model.representation_matrix_ = model.coef_  # read-only

"""The spectral step: one eigen-solver path, its fallbacks, and exactly n_clusters labels."""

import warnings

import numpy as np
import pytest
from conftest import union_of_subspaces
from scipy import sparse
from scipy.linalg import block_diag
from scipy.sparse.linalg import ArpackError, ArpackNoConvergence
from sklearn.cluster import SpectralClustering
from sklearn.exceptions import ConvergenceWarning

from deepsubspace import affinity as affinity_module
from deepsubspace.affinity import dsc_post_processing, relaxed_normalized_cut, spectral_labels
from deepsubspace.metrics import adjusted_rand_score

ASSIGNMENTS = ("discretize", "kmeans")


def _subspace_affinity(per_subspace=30):
    """Least-squares affinity of 5 subspaces (150 samples), and the labels."""
    X, y = union_of_subspaces(per_subspace=per_subspace)
    gram = X @ X.T
    coef = np.linalg.solve(gram + 0.05 * np.eye(len(X)), gram).T
    np.fill_diagonal(coef, 0)
    return np.abs(coef) + np.abs(coef).T, y


def _no_arpack(*args, **kwargs):
    raise ArpackNoConvergence("no convergence (test)", np.empty(0), np.empty((0, 0)))


@pytest.mark.parametrize("params", [{"threshold": 0.1, "subspace_dim": 4, "power": 2.0},
                                    {"threshold": 0.1, "subspace_dim": 8, "power": 1.0}])
def test_orl_ensc_settings_that_crashed_arpack_give_40_clusters(params):
    from deepsubspace.baselines import ElasticNetSubspaceClustering
    from deepsubspace.datasets import load_dataset

    try:
        data = load_dataset("orl", download=False)
    except FileNotFoundError:
        pytest.skip("ORL_32x32.mat not found (set DEEPSUBSPACE_DATA)")
    model = ElasticNetSubspaceClustering(n_clusters=40, post_processing="dsc",
                                         post_processing_params=params, random_state=0)
    model.fit(data.data)
    assert len(np.unique(model.labels_)) == 40
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # discretize may need the fallback
        labels = spectral_labels(model.affinity_matrix_, 40, random_state=0)
    assert len(np.unique(labels)) == 40


@pytest.mark.parametrize("assign", ASSIGNMENTS)
def test_arpack_failures_fall_back_to_lobpcg(monkeypatch, assign):
    affinity, y = _subspace_affinity()
    reference = spectral_labels(affinity, 5, assign_labels=assign, random_state=0)
    calls = {"eigsh": [], "lobpcg": 0}
    real_lobpcg = affinity_module.lobpcg

    def failing_eigsh(*args, **kwargs):
        calls["eigsh"].append(kwargs.get("ncv"))
        _no_arpack()

    def counting_lobpcg(*args, **kwargs):
        calls["lobpcg"] += 1
        return real_lobpcg(*args, **kwargs)

    monkeypatch.setattr(affinity_module, "DENSE_EIGEN_MAX_SAMPLES", 10)
    monkeypatch.setattr(affinity_module, "eigsh", failing_eigsh)
    monkeypatch.setattr(affinity_module, "lobpcg", counting_lobpcg)
    for a in (affinity, sparse.csr_matrix(affinity)):
        calls["eigsh"].clear()
        labels = spectral_labels(a, 5, assign_labels=assign, random_state=0)
        # default Krylov space, then a larger one, then LOBPCG
        assert calls["eigsh"] == [None, 64]
        assert len(np.unique(labels)) == 5
        assert adjusted_rand_score(labels, reference) > 0.95
        assert adjusted_rand_score(labels, y) > 0.95
    assert calls["lobpcg"] == 2


def test_arpack_retry_with_a_larger_krylov_space(monkeypatch):
    affinity, y = _subspace_affinity()
    real_eigsh = affinity_module.eigsh

    def eigsh_failing_once(*args, **kwargs):
        if kwargs.get("ncv") is None:
            raise ArpackError(3)
        return real_eigsh(*args, **kwargs)

    monkeypatch.setattr(affinity_module, "DENSE_EIGEN_MAX_SAMPLES", 10)
    monkeypatch.setattr(affinity_module, "eigsh", eigsh_failing_once)
    monkeypatch.setattr(affinity_module, "lobpcg", None)  # must not be reached
    labels = spectral_labels(affinity, 5, assign_labels="kmeans", random_state=0)
    assert adjusted_rand_score(labels, y) > 0.95


def test_arpack_and_dense_solvers_give_the_same_eigenspace(monkeypatch):
    scaled, _ = affinity_module._normalized_graph(_subspace_affinity()[0])
    dense = affinity_module._normalized_eigenvectors(scaled, 5, np.random.RandomState(0))
    monkeypatch.setattr(affinity_module, "DENSE_EIGEN_MAX_SAMPLES", 10)
    for matrix in (scaled, sparse.csr_matrix(scaled)):
        arpack = affinity_module._normalized_eigenvectors(matrix, 5, np.random.RandomState(0))
        np.testing.assert_allclose(arpack @ arpack.T, dense @ dense.T, atol=1e-8)


def test_dsc_post_processing_survives_an_svds_failure(monkeypatch):
    X, _ = union_of_subspaces(per_subspace=20)
    gram = X @ X.T
    coef = np.linalg.solve(gram + 0.05 * np.eye(len(X)), gram).T
    np.fill_diagonal(coef, 0)
    expected = dsc_post_processing(coef, 5)
    monkeypatch.setattr(affinity_module, "svds", _no_arpack)
    np.testing.assert_allclose(dsc_post_processing(coef, 5), expected, atol=1e-8)


def test_discretize_with_fewer_clusters_falls_back_to_kmeans(monkeypatch):
    affinity, _ = _subspace_affinity()
    kmeans = spectral_labels(affinity, 5, assign_labels="kmeans", random_state=0)
    monkeypatch.setattr(affinity_module, "discretize",
                        lambda vectors, random_state: np.arange(len(vectors)) % 3)
    with pytest.warns(ConvergenceWarning, match="found only 3 clusters for n_clusters=5"):
        labels = spectral_labels(affinity, 5, assign_labels="discretize", random_state=0)
    assert len(np.unique(labels)) == 5
    # the k-means assignment on the same eigenvectors (another point of the random stream)
    assert adjusted_rand_score(labels, kmeans) > 0.95


@pytest.mark.parametrize("to_sparse", [False, True])
def test_disconnected_graphs(to_sparse):
    convert = sparse.csr_matrix if to_sparse else np.asarray
    cliques = [np.ones((5, 5))] * 8
    truth = np.repeat(np.arange(8), 5)
    # one component per cluster: recovered exactly, no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for assign in ASSIGNMENTS:
            labels = spectral_labels(convert(block_diag(*cliques)), 8, assign_labels=assign,
                                     random_state=0)
            assert adjusted_rand_score(truth, labels) == 1.0
    # more components than clusters: discretize cannot place the samples outside the
    # embedding; k-means keeps every component whole
    with pytest.warns(ConvergenceWarning, match="zero embedding"):
        labels = spectral_labels(convert(block_diag(*cliques)), 4, random_state=0)
    assert len(np.unique(labels)) == 4
    assert all(len(np.unique(labels[truth == c])) == 1 for c in range(8))


@pytest.mark.parametrize("to_sparse", [False, True])
def test_edgeless_affinity_gives_random_labels_with_a_warning(to_sparse):
    convert = sparse.csr_matrix if to_sparse else np.asarray
    for affinity in (np.zeros((12, 12)), np.eye(12)):  # self-loops are not edges
        for assign in ASSIGNMENTS:
            with pytest.warns(UserWarning, match="no edge between distinct samples"):
                labels = spectral_labels(convert(affinity), 3, assign_labels=assign,
                                         random_state=0)
            np.testing.assert_array_equal(np.bincount(labels), [4, 4, 4])


def test_one_cluster():
    affinity, _ = _subspace_affinity(per_subspace=10)
    for a in (affinity, sparse.csr_matrix(affinity), np.zeros((4, 4))):
        for assign in ASSIGNMENTS:
            np.testing.assert_array_equal(spectral_labels(a, 1, assign_labels=assign),
                                          np.zeros(a.shape[0]))


@pytest.mark.parametrize("assign", ASSIGNMENTS)
def test_sparse_dense_and_self_loops_agree(assign):
    affinity, y = _subspace_affinity()
    labels = spectral_labels(affinity, 5, assign_labels=assign, random_state=1)
    assert adjusted_rand_score(labels, y) > 0.95
    with_loops = affinity + np.diag(np.linspace(0, 3, len(affinity)))
    for other in (sparse.csr_matrix(affinity), with_loops, sparse.csr_matrix(with_loops)):
        got = spectral_labels(other, 5, assign_labels=assign, random_state=1)
        assert adjusted_rand_score(got, labels) > 0.95


def test_discretize_matches_scikit_learn_spectral_clustering():
    affinity, y = _subspace_affinity()
    for seed in range(3):
        ours = spectral_labels(affinity, 5, assign_labels="discretize", random_state=seed)
        theirs = SpectralClustering(5, affinity="precomputed", assign_labels="discretize",
                                    random_state=seed).fit_predict(affinity)
        assert adjusted_rand_score(ours, theirs) == 1.0


def test_exactly_n_clusters_components_give_the_components_above_the_dense_limit():
    # 20 blocks of 250 samples, each a chain with a few random chords: every block is connected
    # but weakly inside, so eigenvalues just below 1 crowd the 20-fold eigenvalue 1
    from scipy import sparse
    from sklearn.metrics import adjusted_rand_score

    from deepsubspace.affinity import DENSE_EIGEN_MAX_SAMPLES, spectral_labels

    rng = np.random.RandomState(0)
    n_blocks, size = 20, 250
    assert n_blocks * size > DENSE_EIGEN_MAX_SAMPLES
    rows, cols = [], []
    for b in range(n_blocks):
        start = b * size
        rows += list(range(start, start + size - 1))
        cols += list(range(start + 1, start + size))
        chords = rng.randint(start, start + size, size=(10, 2))
        rows += chords[:, 0].tolist()
        cols += chords[:, 1].tolist()
    w = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_blocks * size,) * 2)
    affinity = w + w.T
    truth = np.repeat(np.arange(n_blocks), size)
    for assign in ("kmeans", "discretize"):
        labels = spectral_labels(affinity, n_blocks, assign_labels=assign, random_state=0)
        assert adjusted_rand_score(truth, labels) == 1.0


def test_relaxed_normalized_cut_is_k_minus_the_top_eigenvalues_of_the_normalized_graph():
    rng = np.random.RandomState(0)
    W = rng.rand(30, 30)
    W = W + W.T
    degree = W.sum(axis=1) - np.diag(W)
    S = (W - np.diag(np.diag(W))) / np.sqrt(np.outer(degree, degree))
    top = np.sort(np.linalg.eigvalsh(S))[::-1]
    for k in (1, 3, 7):
        assert relaxed_normalized_cut(W, k) == pytest.approx(k - top[:k].sum(), abs=1e-10)
        assert relaxed_normalized_cut(sparse.csr_matrix(W), k) == pytest.approx(k - top[:k].sum(),
                                                                                 abs=1e-10)


def test_relaxed_normalized_cut_of_separated_and_complete_graphs():
    blocks = sparse.block_diag([np.ones((5, 5))] * 3).toarray()
    assert relaxed_normalized_cut(blocks, 3) == pytest.approx(0.0, abs=1e-12)
    assert relaxed_normalized_cut(blocks, 2) == pytest.approx(0.0, abs=1e-12)
    # the complete graph on n vertices: eigenvalues 1 and -1 / (n - 1)
    n = 10
    assert relaxed_normalized_cut(np.ones((n, n)), 2) == pytest.approx(1 + 1 / (n - 1))
    with pytest.raises(ValueError, match="n_clusters=11"):
        relaxed_normalized_cut(np.ones((n, n)), 11)


def test_n_init_returns_the_medoid_of_the_discretisations(monkeypatch):
    """The labelling that agrees most with the others; failed starts are dropped silently."""
    affinity, _ = _subspace_affinity()
    n = affinity.shape[0]
    majority = np.arange(n) % 5
    minority = np.repeat(np.arange(5), n // 5)
    near_majority = majority.copy()
    near_majority[:10] = (near_majority[:10] + 1) % 5
    outcomes = iter([minority, near_majority, np.arange(n) % 3, majority, majority, majority])
    monkeypatch.setattr(affinity_module, "discretize", lambda vectors, random_state: next(outcomes))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        labels = spectral_labels(affinity, 5, n_init=6, random_state=0)
    np.testing.assert_array_equal(labels, majority)


def test_n_init_falls_back_to_kmeans_only_when_every_start_fails(monkeypatch):
    affinity, _ = _subspace_affinity()
    monkeypatch.setattr(affinity_module, "discretize",
                        lambda vectors, random_state: np.arange(len(vectors)) % 3)
    with pytest.warns(ConvergenceWarning, match="found only 3 clusters for n_clusters=5"):
        labels = spectral_labels(affinity, 5, n_init=4, random_state=0)
    assert len(np.unique(labels)) == 5


def test_n_init_one_is_the_single_discretisation_and_bad_values_are_errors():
    affinity, y = _subspace_affinity()
    for seed in range(3):
        np.testing.assert_array_equal(spectral_labels(affinity, 5, random_state=seed),
                                      spectral_labels(affinity, 5, n_init=1, random_state=seed))
    assert adjusted_rand_score(y, spectral_labels(affinity, 5, n_init=5, random_state=0)) > 0.9
    for bad in (0, 2.5, True, "3"):
        with pytest.raises(ValueError, match="n_init must be an integer >= 1"):
            spectral_labels(affinity, 5, n_init=bad)

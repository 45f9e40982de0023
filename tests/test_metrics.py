import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.model_selection import GridSearchCV

from deepsubspace.metrics import (
    effective_rank,
    adjusted_rand_score,
    clustering_accuracy,
    fit_predict_scorer,
    normalized_mutual_info_score,
    subspace_preserving_error,
)

labelings = st.integers(1, 40).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
        st.lists(st.integers(0, 5), min_size=n, max_size=n),
    )
)


def _brute_force_accuracy(labels_true, labels_pred):
    """Best accuracy over every one-to-one map of clusters to classes (small cases)."""
    classes, clusters = sorted(set(labels_true)), sorted(set(labels_pred))
    # pad the classes with dummies so that every cluster gets a distinct target
    targets = classes + [object() for _ in clusters]
    best = 0
    for image in itertools.permutations(targets, len(clusters)):
        mapping = dict(zip(clusters, image))
        best = max(best, sum(mapping[p] == t for t, p in zip(labels_true, labels_pred)))
    return best / len(labels_true)


@given(labelings, st.permutations(range(6)), st.permutations(range(6)))
def test_accuracy_invariant_under_renaming(pair, perm_pred, perm_true):
    labels_true, labels_pred = pair
    acc = clustering_accuracy(labels_true, labels_pred)
    renamed_pred = [perm_pred[p] for p in labels_pred]
    renamed_true = [perm_true[t] for t in labels_true]
    assert clustering_accuracy(labels_true, renamed_pred) == pytest.approx(acc)
    assert clustering_accuracy(renamed_true, labels_pred) == pytest.approx(acc)
    assert clustering_accuracy(labels_pred, labels_true) == pytest.approx(acc)  # symmetric
    assert 1 / len(labels_true) <= acc <= 1.0


@given(st.lists(st.integers(0, 9), min_size=1, max_size=60), st.permutations(range(10)))
def test_accuracy_of_relabelled_truth_is_one(labels, perm):
    assert clustering_accuracy(labels, [perm[t] for t in labels]) == 1.0
    # label names need not be integers
    assert clustering_accuracy(labels, [f"c{perm[t]}" for t in labels]) == 1.0


@settings(max_examples=60)
@given(
    st.integers(1, 9).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 3), min_size=n, max_size=n),
            st.lists(st.integers(0, 4), min_size=n, max_size=n),
        )
    )
)
def test_accuracy_matches_brute_force(pair):
    labels_true, labels_pred = pair
    assert clustering_accuracy(labels_true, labels_pred) == pytest.approx(
        _brute_force_accuracy(labels_true, labels_pred)
    )


def test_accuracy_hand_checked_example():
    labels_true = [0, 0, 0, 1, 1, 1, 2, 2]
    labels_pred = [2, 2, 1, 0, 0, 2, 1, 1]
    # best map: 2->0 (2 right), 0->1 (2 right), 1->2 (2 right): 6 of 8
    assert clustering_accuracy(labels_true, labels_pred) == 0.75


def test_accuracy_with_different_numbers_of_clusters():
    # 2 classes, 4 clusters: only 2 clusters can be matched, the others count as errors
    assert clustering_accuracy([0, 0, 0, 1, 1, 1], [0, 0, 1, 2, 2, 3]) == pytest.approx(4 / 6)
    # 3 classes, 1 cluster: the largest class is matched
    assert clustering_accuracy([0, 0, 0, 1, 1, 2], [7] * 6) == 0.5


def test_accuracy_validates_input():
    with pytest.raises(ValueError, match="same length, got 3 and 2"):
        clustering_accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="1-dimensional"):
        clustering_accuracy([[0, 1]], [[0, 1]])
    with pytest.raises(ValueError, match="empty"):
        clustering_accuracy([], [])


def test_reexports_are_scikit_learn():
    import sklearn.metrics

    assert normalized_mutual_info_score is sklearn.metrics.normalized_mutual_info_score
    assert adjusted_rand_score is sklearn.metrics.adjusted_rand_score


def _block_diagonal(sizes, rng):
    blocks = [rng.standard_normal((s, s)) for s in sizes]
    return sparse.block_diag(blocks).toarray()


@pytest.mark.parametrize("as_sparse", [False, True])
def test_sre_zero_for_block_diagonal(as_sparse):
    rng = np.random.default_rng(0)
    coef = _block_diagonal([3, 4, 2], rng)
    labels = np.repeat([0, 1, 2], [3, 4, 2])
    # the same matrix with the samples shuffled is still subspace-preserving
    perm = rng.permutation(len(labels))
    coef, labels = coef[np.ix_(perm, perm)], labels[perm]
    if as_sparse:
        coef = sparse.csr_matrix(coef)
    assert subspace_preserving_error(coef, labels) == 0.0


def test_sre_hand_computed():
    coef = np.array(
        [
            [0.0, 2.0, 1.0, 1.0],  # class a; wrong mass 2 of 4 -> 0.5
            [-3.0, 0.0, 0.0, 1.0],  # class a; wrong mass 1 of 4 -> 0.25
            [0.0, 0.0, 0.0, 0.0],  # class b; no mass -> 0
            [1.0, 1.0, -2.0, 0.0],  # class b; wrong mass 2 of 4 -> 0.5
        ]
    )
    labels = ["a", "a", "b", "b"]
    expected = (0.5 + 0.25 + 0.0 + 0.5) / 4
    assert subspace_preserving_error(coef, labels) == pytest.approx(expected)
    assert subspace_preserving_error(sparse.coo_matrix(coef), labels) == pytest.approx(expected)
    assert subspace_preserving_error(sparse.csc_array(coef), labels) == pytest.approx(expected)
    # rows express samples: the transpose is a different matrix with another SRE
    # (row 0 of coef.T: [0, -3, 0, 1] -> 1/4; row 1: [2, 0, 0, 1] -> 1/3;
    #  row 2: [1, 0, 0, -2] -> 1/3; row 3: [1, 1, 0, 0] -> 1)
    expected_t = (1 / 4 + 1 / 3 + 1 / 3 + 1) / 4
    assert subspace_preserving_error(coef.T, labels) == pytest.approx(expected_t)


def test_sre_all_wrong_is_one():
    labels = np.array([0, 1, 0, 1])
    coef = (labels[:, None] != labels[None, :]).astype(float)
    assert subspace_preserving_error(coef, labels) == 1.0


def test_sre_validates_input():
    with pytest.raises(ValueError, match="square"):
        subspace_preserving_error(np.ones((3, 2)), [0, 1, 1])
    with pytest.raises(ValueError, match="square"):
        subspace_preserving_error(np.ones((3, 3)), [0, 1])
    with pytest.raises(ValueError):
        subspace_preserving_error(np.full((2, 2), np.nan), [0, 1])


def test_fit_predict_scorer_in_grid_search():
    rng = np.random.default_rng(0)
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    y = np.repeat([0, 1, 2], 20)
    X = centers[y] + 0.1 * rng.standard_normal((len(y), 2))
    all_idx = np.arange(len(y))
    scorer = fit_predict_scorer(clustering_accuracy)
    assert "clustering_accuracy" in repr(scorer)
    search = GridSearchCV(
        KMeans(n_init=3, random_state=0),
        {"n_clusters": [2, 3, 4]},
        scoring=scorer,
        cv=[(all_idx, all_idx)],
    ).fit(X, y)
    assert search.best_params_ == {"n_clusters": 3}
    assert search.best_score_ == 1.0
    scores = search.cv_results_["mean_test_score"]
    assert scores[0] == pytest.approx(40 / 60)  # two clusters: one class unmatched
    assert scores[2] < 1.0


def test_fit_predict_scorer_passes_kwargs_and_needs_y():
    X = np.r_[np.zeros((4, 1)), np.ones((4, 1))]
    y = np.repeat([0, 1], 4)
    scorer = fit_predict_scorer(normalized_mutual_info_score, average_method="min")
    assert scorer(KMeans(2, n_init=1, random_state=0), X, y) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="ground-truth"):
        scorer(KMeans(2, n_init=1, random_state=0), X, None)
    with pytest.raises(TypeError):
        fit_predict_scorer("accuracy")


@pytest.mark.parametrize("rank", [1, 3, 7])
def test_effective_rank_of_equal_singular_values_is_the_rank(rank):
    rng = np.random.RandomState(rank)
    centred = rng.randn(40, rank)
    left, _ = np.linalg.qr(centred - centred.mean(axis=0))  # orthonormal, zero-mean columns
    right, _ = np.linalg.qr(rng.randn(12, rank))
    features = 5.0 * left @ right.T + rng.randn(1, 12)  # a common offset is centred away
    assert effective_rank(features) == pytest.approx(rank, rel=1e-6)


def test_effective_rank_of_unequal_and_degenerate_features():
    rng = np.random.RandomState(0)
    features = rng.randn(200, 5) * np.array([10.0, 1.0, 1.0, 1.0, 1.0])
    assert 1.0 < effective_rank(features) < 2.0  # one direction carries ~96% of the variance
    assert effective_rank(np.ones((4, 3))) == 0.0
    with pytest.raises(ValueError):
        effective_rank(np.array([[np.nan, 1.0], [0.0, 1.0]]))

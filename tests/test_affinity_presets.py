"""The shared affinity/spectral step and the presets."""

import numpy as np
import pytest
from conftest import union_of_subspaces
from scipy import sparse

import deepsubspace
from deepsubspace import ContrastiveMiniBatchDSC, MiniBatchDSC, SelfExpressiveNetwork, presets
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


@pytest.mark.parametrize("density", [1.0, 0.3])
def test_low_memory_dsc_post_processing_equals_the_dense_one_when_it_keeps_every_entry(density):
    rng = np.random.RandomState(2)
    coef = rng.randn(50, 50) * (rng.uniform(size=(50, 50)) < density)
    np.fill_diagonal(coef, 0)
    expected = dsc_post_processing(coef, 3, threshold=0.5, subspace_dim=2, power=3.0)
    got = dsc_post_processing(sparse.csr_matrix(coef), 3, threshold=0.5, subspace_dim=2, power=3.0,
                              n_nonzero=50)
    assert sparse.isspmatrix_csr(got)
    np.testing.assert_allclose(got.toarray(), expected, atol=1e-10)


def test_low_memory_dsc_post_processing_keeps_the_largest_similarities_of_each_row():
    rng = np.random.RandomState(3)
    coef = rng.randn(90, 90) + 4.0 * np.kron(np.eye(3), np.ones((30, 30)))  # full rank, 3 blocks
    np.fill_diagonal(coef, 0)
    dense = dsc_post_processing(coef, 3, threshold=1.0)
    got = affinity_from_coefficients(sparse.csr_matrix(coef), post_processing="dsc", n_clusters=3,
                                     params={"threshold": 1.0}, n_nonzero=7)
    one_sided = 2 * got.toarray()  # = S + S^T of the kept entries, each at most the dense value
    for i in (0, 41, 89):
        top = np.argsort(-dense[i], kind="stable")[:7]
        assert np.all(one_sided[i, top] >= dense[i, top] - 1e-12)
    # its own 7 largest and those of the rows that chose it: 2 * 90 * 7 stored entries at most
    assert got.nnz <= 2 * 90 * 7 and got.getnnz(axis=1).min() >= 7 and abs(got - got.T).max() == 0
    assert np.all(got.data <= 1.0 + 1e-12)


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
    # Ng-Jordan-Weiss: top-k eigenvectors of D^-1/2 W D^-1/2 (W: the affinity without its
    # diagonal); compared through V V^T, which does not depend on the basis of the eigenspace
    from deepsubspace.affinity import _normalized_eigenvectors, _normalized_graph

    rng = np.random.RandomState(2)
    affinity = np.abs(rng.randn(30, 30))
    affinity = affinity + affinity.T
    graph = affinity - np.diag(np.diag(affinity))
    scale = 1 / np.sqrt(graph.sum(1))
    _, vectors = np.linalg.eigh(scale[:, None] * graph * scale[None, :])
    for a in (affinity, sparse.csr_matrix(affinity)):
        scaled, root_degree = _normalized_graph(a)
        np.testing.assert_allclose(root_degree, 1 / scale)
        for k in (4, 29):
            got = _normalized_eigenvectors(scaled, k, np.random.RandomState(0))
            ref = vectors[:, -k:]
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
    cls = getattr(deepsubspace, estimator)
    params = presets.get(estimator, dataset, architecture)
    model = cls(**params)
    model._validate_params()
    assert model.get_params()["n_clusters"] == params["n_clusters"]
    weight = "gamma" if cls is SelfExpressiveNetwork else "alpha"
    params[weight] = -1  # a fresh copy each call
    assert presets.get(cls, dataset, architecture)[weight] > 0


@pytest.mark.parametrize("dataset, dsc_net_beta, dsc_net_pixel_max", [
    ("orl", 2.0, 255.0), ("extended_yaleb", 2.0, 255.0), ("coil20", 1.0, 1.0), ("coil100", 1.0, 1.0)])
def test_coefficient_weight_follows_the_input_scale(dataset, dsc_net_beta, dsc_net_pixel_max):
    """Loaders give pixels in [0, 1]; where DSC-Net trained on 0..255, the data terms shrink by
    255^2 and ||C||^2 does not, so its weight must shrink by the same factor. (COIL-100's
    source scale is not established; the preset assumes [0, 1].)"""
    assert presets.get("MiniBatchDSC", dataset, "dsc")["beta"] == pytest.approx(
        dsc_net_beta / dsc_net_pixel_max**2)


def test_unknown_preset():
    with pytest.raises(ValueError, match="No preset"):
        presets.get("MiniBatchDSC", "mnist")
    with pytest.raises(ValueError, match="No preset"):
        presets.get("MiniBatchDSC", "coil20", "deep")


def test_default_architecture():
    for estimator in ("MiniBatchDSC", "ContrastiveMiniBatchDSC"):
        for dataset in ("orl", "coil20", "extended_yaleb"):
            params = presets.get(estimator, dataset)
            assert params == presets.get(estimator, dataset, "residual")
            assert params["self_expression"] == "closed_form" and params["encoder"] == "residual"
            assert params["beta"] / params["alpha"] == pytest.approx(0.1)
            if dataset == "coil20":  # the objects family's rule (chosen on its development set)
                assert params["coefficients"] == "sparse" and params["n_nonzero"] == 3
                assert params["post_processing"] is None
                assert params["input_anchor"] == pytest.approx(100 * params["beta"])
                assert params.get("coding_rate_scope", "batch") == "batch"
            else:  # the faces' rules (chosen on the relit development set)
                assert params["post_processing"] == "dsc"
                assert params.get("coding_rate_scope", "batch") == "batch"
                # no anchor; Yale B's residual branch is bias-free ReLU (its development sets' choice),
                # except for ContrastiveMiniBatchDSC, whose own choice there is the anchored GELU branch
                structural = presets.get("StructuralContrastiveDSC", dataset, "residual")
                for chosen in (params, structural):
                    anchored = dataset == "extended_yaleb" and chosen is params and \
                        estimator == "ContrastiveMiniBatchDSC"
                    assert chosen.get("input_anchor", 0) == pytest.approx(100 * chosen["beta"] if anchored else 0)
                    branch = {"activation": "relu", "bias": False} if dataset == "extended_yaleb" \
                        and not anchored else {"activation": "gelu"}
                    assert chosen["encoder_params"] == {"hidden": (16,), "kernel_size": 3, **branch}
                    # with the bias-free branch, Yale B's rows rescaled to one norm (its sets' choice)
                    assert chosen.get("input_scaling", "max") == \
                        ("rows" if dataset == "extended_yaleb" and not anchored else "max")
                # batches of n_clusters for ORL (the posed set's choice), 128 for Yale B (the relit
                # set's), each with the residual rules' budget of about 900 optimiser steps
                assert params["batch_size"] == {"orl": 40, "extended_yaleb": 128}[dataset]
                steps = -(-{"orl": 400, "extended_yaleb": 2414}[dataset] // params["batch_size"])
                assert params["max_epochs"] == -(-900 // steps)
    assert presets.get("MiniBatchDSC", "coil100")["coefficients"] == "sparse"
    # the earlier presets keep the learned C they were run with
    assert presets.get("MiniBatchDSC", "orl", "dsc")["encoder_params"]["channels"] == (3, 3, 5)
    assert presets.get("MiniBatchDSC", "orl", "dsc")["self_expression"] == "learned"
    assert presets.get("MiniBatchDSC", "orl", "deep")["encoder_params"]["batch_norm"]
    assert presets.get("MiniBatchDSC", "coil100") == presets.get("MiniBatchDSC", "coil100", "residual")
    contrastive = "ContrastiveMiniBatchDSC"
    assert presets.get(contrastive, "coil100") == presets.get(contrastive, "coil100", "deep")
    assert presets.get(contrastive, "orl", "deep")["self_expression"] == "learned"


def test_structural_residual_preset_adds_the_paper_contrast_to_the_residual_rules():
    for dataset in ("orl", "coil20", "extended_yaleb"):
        residual = presets.get("StructuralContrastiveDSC", dataset, "residual")
        paper = presets.get("StructuralContrastiveDSC", dataset, "dsc")
        shared = presets.get("MiniBatchDSC", dataset, "residual")
        assert {name: residual[name] for name in shared} == shared
        for name in ("contrast_weight", "temperature", "n_neighbors", "projection_dim", "augmentation"):
            assert residual[name] == paper[name]
        assert residual["pretrain_epochs"] == 0
        # the paper's networks stay the default
        assert presets.get("StructuralContrastiveDSC", dataset) == paper


def test_residual_alpha_follows_its_label_free_rule():
    """alpha = 10 * mean ||x_i||^2 of X / max|X| (two digits), epochs = ceil(900 / steps)."""
    import math

    from deepsubspace.datasets import load_dataset

    for dataset in ("orl", "coil20", "extended_yaleb", "coil100"):
        try:
            X = load_dataset(dataset, download=False).data
        except FileNotFoundError:
            pytest.skip("benchmark data not available")
        params = presets.get("MiniBatchDSC", dataset)
        X = X / np.abs(X).max()
        assert params["alpha"] == pytest.approx(10 * np.mean(np.sum(X**2, axis=1)), rel=0.03)
        steps = math.ceil(len(X) / params["batch_size"])
        assert params["max_epochs"] == math.ceil(900 / steps)

def test_senet_paper_presets():
    params = presets.get("SelfExpressiveNetwork", "synthetic")
    assert params == presets.get(SelfExpressiveNetwork, "synthetic", "paper")
    assert (params["gamma"], params["tau"], params["embedding_dim"]) == (50.0, 0.9, 1024)
    assert presets.get("SelfExpressiveNetwork", "emnist")["tau"] == 1.0


def test_medoid_labels_is_the_labelling_that_agrees_most():
    from deepsubspace.affinity import medoid_labels

    a = np.array([0, 0, 1, 1, 2, 2])
    near = np.array([0, 0, 1, 1, 2, 1])
    far = np.array([0, 1, 2, 0, 1, 2])
    np.testing.assert_array_equal(medoid_labels([far, a, near, a]), a)
    np.testing.assert_array_equal(medoid_labels([far, near, a, a]), a)
    np.testing.assert_array_equal(medoid_labels([far]), far)
    with pytest.raises(ValueError, match="at least one labelling"):
        medoid_labels([])

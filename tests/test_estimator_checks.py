"""scikit-learn's own conformance checks on small, fast configurations."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from deepsubspace import (ContrastiveMiniBatchDSC, MiniBatchDSC, SelfExpressiveNetwork,
                          StructuralContrastiveDSC)

FAST = dict(pretrain_epochs=2, max_epochs=2, batch_size=8,
            encoder_params={"hidden_layer_sizes": (8,), "latent_dim": 4}, random_state=0)

# Every check passes, check_clustering included (its blobs are affine, not
# linear subspaces, yet the affinity separates them), so nothing is expected
# to fail. Estimators added here must justify each entry they list.
EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks([MiniBatchDSC(n_clusters=3, **FAST),
                          ContrastiveMiniBatchDSC(n_clusters=3, **FAST),
                          StructuralContrastiveDSC(n_clusters=3, n_neighbors=2, projection_dim=4, **FAST),
                          SelfExpressiveNetwork(n_clusters=3, hidden_layer_sizes=(8,), embedding_dim=4,
                                                max_epochs=2, n_nonzero=3, random_state=0)],
                         expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible(estimator, check):
    check(estimator)

import os
from pathlib import Path

import numpy as np
import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


@pytest.fixture(scope="session", autouse=True)
def _data_home():
    """Point DEEPSUBSPACE_DATA at ../shared/datasets unless it is already set."""
    if not os.environ.get("DEEPSUBSPACE_DATA") and SHARED_DATA.is_dir():
        os.environ["DEEPSUBSPACE_DATA"] = str(SHARED_DATA)
    yield


def union_of_subspaces(n_subspaces=5, dim=6, ambient=15, per_subspace=100, seed=0):
    """Unit-norm points drawn from random linear subspaces, with their labels."""
    rng = np.random.RandomState(seed)
    X, y = [], []
    for k in range(n_subspaces):
        basis = np.linalg.qr(rng.randn(ambient, dim))[0]
        points = (basis @ rng.randn(dim, per_subspace)).T
        X.append(points / np.linalg.norm(points, axis=1, keepdims=True))
        y += [k] * per_subspace
    return np.vstack(X), np.array(y)

"""Data-parallel training over torch.distributed (2 gloo processes on CPU) against one process."""

import os
import socket

import numpy as np
import pytest
import torch
from conftest import union_of_subspaces

from deepsubspace import ContrastiveMiniBatchDSC, MiniBatchDSC
from deepsubspace.nn.distributed import DataParallel

dist = pytest.importorskip("torch.distributed")
if not (dist.is_available() and dist.is_gloo_available()):
    pytest.skip("torch.distributed with gloo is not available", allow_module_level=True)

WORLD_SIZE = 2
ESTIMATORS = {"MiniBatchDSC": MiniBatchDSC, "ContrastiveMiniBatchDSC": ContrastiveMiniBatchDSC}
COMMON = dict(n_clusters=3, pretrain_epochs=3, max_epochs=4, batch_size=15, random_state=0)
CASES = {
    "closed_form": ("MiniBatchDSC", {"coding_rate": 0.05}),
    "rate_reduction": ("MiniBatchDSC", {"coding_rate": 0.05, "rate_reduction": True}),
    "bank_rate": ("MiniBatchDSC", {"coding_rate": 0.05, "coding_rate_scope": "bank"}),
    "learned": ("MiniBatchDSC", {"self_expression": "learned"}),
    "momentum": ("MiniBatchDSC", {"bank_momentum": 0.5}),
    "two_starts": ("MiniBatchDSC", {"n_starts": 2}),
    "contrastive": ("ContrastiveMiniBatchDSC", {"encoder_pretrain_epochs": 2}),
    "contrastive_learned": ("ContrastiveMiniBatchDSC", {"self_expression": "learned"}),
}


def _data():
    # 76 samples in batches of 15: the last global batch has one row, so rank 1 gets none
    X, _ = union_of_subspaces(n_subspaces=3, dim=3, ambient=10, per_subspace=30, seed=0)
    return X[:76]


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _worker(rank, port, out_dir, cases):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=WORLD_SIZE)
    try:
        X = _data()
        for case in cases:
            name, params = CASES[case]
            model = ESTIMATORS[name](**COMMON, **params).fit(X)
            np.savez(os.path.join(out_dir, f"{case}_{rank}.npz"), coef=model.coef_,
                     labels=model.labels_, loss=model.loss_curve_,
                     pretrain=model.pretrain_loss_curve_, embedding=model.embedding_,
                     weight=next(model.encoder_.parameters()).detach().numpy())
    finally:
        dist.destroy_process_group()


@pytest.fixture(scope="module")
def distributed_fits(tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp("ddp"))
    torch.multiprocessing.spawn(_worker, args=(_free_port(), out_dir, list(CASES)),
                                nprocs=WORLD_SIZE, join=True)
    return {case: [dict(np.load(os.path.join(out_dir, f"{case}_{rank}.npz")))
                   for rank in range(WORLD_SIZE)] for case in CASES}


@pytest.mark.parametrize("case", list(CASES))
def test_two_ranks_match_one_process(distributed_fits, case):
    # The ranks sum partial gradients of the same global batch and the gathered features are
    # those of one process, so only the float32 rounding of the sums differs (one ulp, ~6e-8
    # relative, per step); after 7 epochs the largest difference measured in C is 5e-7 of
    # max|C| and 2e-7 in the unit-norm features: tolerances 1e-5 of max|C|, 1e-6 and 1e-5
    # (losses, relative). The labels are those of one process.
    name, params = CASES[case]
    single = ESTIMATORS[name](**COMMON, **params).fit(_data())
    rank0, rank1 = distributed_fits[case]
    for key in rank0:  # every rank holds the same fitted attributes, bit for bit
        np.testing.assert_array_equal(rank0[key], rank1[key])
    scale = np.abs(single.coef_).max()
    assert scale > 1e-3  # a fit that learned a C, not zeros
    np.testing.assert_allclose(rank0["coef"], single.coef_, atol=1e-5 * scale, rtol=0)
    np.testing.assert_allclose(rank0["embedding"], single.embedding_, atol=1e-6, rtol=0)
    np.testing.assert_allclose(rank0["loss"], single.loss_curve_, rtol=1e-5)
    np.testing.assert_allclose(rank0["pretrain"], single.pretrain_loss_curve_, rtol=1e-5)
    np.testing.assert_array_equal(rank0["labels"], single.labels_)


def test_split_of_a_global_batch():
    class _Rank(DataParallel):
        def __init__(self, rank, world_size):
            self.rank, self.world_size, self.device = rank, world_size, torch.device("cpu")

    rows = torch.arange(7)
    shares = [_Rank(r, 3).local(rows) for r in range(3)]
    assert [len(s) for s in shares] == _Rank(0, 3).sizes(7) == [3, 2, 2]
    assert torch.equal(torch.cat(shares), rows)


def test_distributed_true_needs_a_process_group():
    with pytest.raises(ValueError, match="process group"):
        MiniBatchDSC(n_clusters=2, pretrain_epochs=1, max_epochs=1, distributed=True).fit(_data())

"""Data-parallel MiniBatchDSC over torch.distributed on a union of subspaces.

Every process generates the same data (numpy, fixed seed: each rank holds
all of X), joins the process group that torchrun describes (gloo on CPU,
NCCL with ``--device cuda``), and fits MiniBatchDSC: each global batch of
``--batch-size`` samples is split over the ranks, the gradients are summed
and the memory bank is the same on every rank. Rank 0 prints the adjusted
Rand index of the labels.

    python -m torch.distributed.run --standalone --nproc_per_node=2 \\
        examples/distributed_minibatch_dsc.py
"""

import argparse
import os

import numpy as np
import torch
import torch.distributed as dist

from deepsubspace import MiniBatchDSC
from deepsubspace.metrics import adjusted_rand_score


def union_of_subspaces(n_subspaces=5, dim=4, ambient=30, per_subspace=120, seed=0):
    """Unit-norm points on random linear subspaces, and their labels."""
    rng = np.random.RandomState(seed)
    X, y = [], []
    for k in range(n_subspaces):
        basis = np.linalg.qr(rng.randn(ambient, dim))[0]
        points = (basis @ rng.randn(dim, per_subspace)).T
        X.append(points / np.linalg.norm(points, axis=1, keepdims=True))
        y += [k] * per_subspace
    return np.vstack(X), np.array(y)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-size", type=int, default=64, help="the global batch")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--device", default="cpu", help="'cpu' (gloo) or 'cuda' (NCCL)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    cuda = args.device.startswith("cuda")
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
    dist.init_process_group("nccl" if cuda else "gloo")
    try:
        X, y = union_of_subspaces()
        model = MiniBatchDSC(
            n_clusters=5, batch_size=args.batch_size, pretrain_epochs=args.epochs,
            max_epochs=args.epochs, learning_rate=1e-3, alpha=10.0, beta=1.0,
            encoder_params={"hidden_layer_sizes": (64,), "latent_dim": 16},
            device=args.device, random_state=args.seed,
        ).fit(X)
        if dist.get_rank() == 0:
            print(f"world size {dist.get_world_size()}, global batch {args.batch_size}, "
                  f"{model.stage_seconds_['pretrain'] + model.stage_seconds_['fine_tune']:.1f} s")
            print(f"ARI {adjusted_rand_score(y, model.labels_):.3f}")
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()

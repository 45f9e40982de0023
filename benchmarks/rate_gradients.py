"""Label-free: how hard the coding-rate terms push each sample, batch against bank.

On the unit-norm pixels (where the residual presets start), for batches of the
preset's size drawn at random, the mean norm per batch row of the gradient
(its part tangent to the unit sphere, the part the unit-norm features feel) of

* the batch's coding rate ``R(Z_b)`` (the presets' term, ``coding_rate_scope="batch"``),
* the bank's coding rate ``R(Z)`` over all N rows (``coding_rate_scope="bank"``: the
  gradient full-batch training gives the same rows),
* MCR^2's compression ``sum_k (n_kb / n_b) R(Z_k)`` of ``rate_reduction=True``, with
  the clusters of LSR's own labels (the estimator's first clustering; no label read).

Reads no label. The data's effective rank is printed beside: a batch larger than it
is spread by ``R(Z_b)`` over more directions than the data span.

    python -m benchmarks run rate_gradients
    python benchmarks/rate_gradients.py --datasets orl extended_yaleb
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, development_set, load_data, machine, save_results, write_markdown  # noqa: E402

#: batch sizes of the residual presets (the faces' n_clusters, the objects' 32); digits as ORL's rule
BATCH = {"orl": 40, "extended_yaleb": 38, "coil20": 32, "digits": 10}


def tangent_norms(grad, z):
    return (grad - (grad * z).sum(1, keepdim=True) * z).norm(dim=1)


def run(dataset, n_batches=5):
    import numpy as np
    import torch

    from deepsubspace.baselines import LeastSquaresSubspaceClustering
    from deepsubspace.metrics import effective_rank
    from deepsubspace.nn.losses import cluster_coding_rate, coding_rate

    if dataset == "digits":
        X, _, params = development_set("digits")
        n_clusters = params["n_clusters"]
    else:
        data = load_data(dataset)
        X, n_clusters = data.data.astype(np.float64), len(np.unique(data.target))
    labels = torch.as_tensor(LeastSquaresSubspaceClustering(
        n_clusters=n_clusters, post_processing="dsc", random_state=0).fit(X).labels_)
    z = torch.tensor(X / np.linalg.norm(X, axis=1, keepdims=True), dtype=torch.float64)
    bank = z.clone().requires_grad_(True)
    bank_grad, = torch.autograd.grad(coding_rate(bank), bank)
    sizes = torch.bincount(labels, minlength=n_clusters)
    out = {"batch": [], "bank": [], "compression": []}
    generator = torch.Generator().manual_seed(0)
    for _ in range(n_batches):
        idx = torch.randperm(len(z), generator=generator)[:BATCH[dataset]]
        zb = z[idx].clone().requires_grad_(True)
        grad, = torch.autograd.grad(coding_rate(zb), zb)
        out["batch"].append(float(tangent_norms(grad, z[idx]).mean()))
        out["bank"].append(float(tangent_norms(bank_grad[idx], z[idx]).mean()))
        present, counts = torch.unique(labels[idx], return_counts=True)
        weights = torch.zeros(n_clusters, dtype=torch.float64)
        weights[present] = counts.double() / len(idx)
        zb = z[idx].clone().requires_grad_(True)
        rows = torch.nonzero(torch.isin(labels, present)).flatten()
        position = torch.full_like(labels, -1)
        position[rows] = torch.arange(len(rows))
        grad, = torch.autograd.grad(cluster_coding_rate(
            z[rows].index_put((position[idx],), zb), labels[rows], weights), zb)
        out["compression"].append(float(tangent_norms(grad, z[idx]).mean()))
    return {"dataset": dataset, "n_samples": len(z), "batch_size": BATCH[dataset],
            "effective_rank": float(effective_rank(z.numpy())), "mean_cluster_size": float(sizes.float().mean()),
            **{name: float(np.mean(values)) for name, values in out.items()}}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["digits", "orl", "coil20", "extended_yaleb"])
    parser.add_argument("--output", default=os.path.join(RESULTS, "rate_gradients.json"))
    args = parser.parse_args()
    info = machine()
    results = {"machine": info, "commit": info["commit"], "runs": {}}
    for dataset in args.datasets:
        results["runs"][dataset] = run(dataset)
        save_results(args.output, results)
    lines = ["| data | N | batch | effective rank | batch rate | bank rate | MCR^2 compression |",
             "|---|---|---|---|---|---|---|"]
    for name, r in results["runs"].items():
        lines.append(f"| {name} | {r['n_samples']} | {r['batch_size']} | {r['effective_rank']:.1f} | "
                     f"{r['batch']:.2f} | {r['bank']:.2f} | {r['compression']:.2f} |")
    lines += ["", "Mean norm per batch row of each term's gradient, tangent to the unit sphere, on the "
                  "unit-norm pixels (5 random batches; clusters from LSR's own labels). Reads no label. "
                  f"Commit: {results['commit']}."]
    write_markdown(args.output, "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

"""Diagnostic: LSR's dense C on the pixels with only its k largest entries per row kept.

For each data set, LSR (ridge 0.1, unit-norm pixels: the closed-form C-step
of the deep estimators on the pixels) gives C; for every ``k`` the ``k``
entries of largest magnitude of each row are kept (sparse C, as
``coefficients="sparse"`` keeps them),
and spectral clustering (the package's ``spectral_labels``, discretisation)
of the plain ``|C| + |C|^T`` affinity is scored with 5 spectral seeds. The
dense C with the package's one DSC post-processing setting is the reference
row (``k = all``). ``digits`` (scikit-learn's 8x8 digits) and ``coil100_group0``
.. ``coil100_group4`` (``_common.development_set``) are development sets. Reads labels: a diagnostic, not a rule (no k is chosen here).

    python -m benchmarks run lsr_top_k
    python benchmarks/lsr_top_k.py --datasets digits coil20 --ks 3 5
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    RESULTS,
    machine,
    mean_std,
    samples_and_target,
    save_results,
    write_markdown,
)


def run(dataset, ks, seeds):
    """LSR's C on the unit-norm pixels, the closed-form C-step's own dense and top-k forms."""
    import numpy as np
    import torch

    from deepsubspace._base import top_k_csr
    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.metrics import clustering_accuracy
    from deepsubspace.nn.self_expression import ClosedFormSelfExpression

    X, y = samples_and_target(dataset)
    n_clusters = len(np.unique(y))
    start = time.perf_counter()
    pixels = torch.tensor(X / np.linalg.norm(X, axis=1, keepdims=True), dtype=torch.float64)
    lsr = ClosedFormSelfExpression(0.1)  # LeastSquaresSubspaceClustering's default ridge weight
    affinities = {"all (DSC post)": affinity_from_coefficients(
        lsr.coefficients(pixels).numpy(), post_processing="dsc", n_clusters=n_clusters)}
    for k in ks:
        affinities[str(k)] = affinity_from_coefficients(top_k_csr(*lsr.top_k_coefficients(pixels, k), len(y)))
    scores = {name: [clustering_accuracy(y, spectral_labels(affinity, n_clusters, random_state=seed))
                     for seed in seeds] for name, affinity in affinities.items()}
    return {"dataset": dataset, "n_samples": len(y), "acc": scores,
            "seconds": time.perf_counter() - start}


def markdown(results, ks):
    names = ["all (DSC post)"] + [str(k) for k in ks]
    lines = ["| dataset | " + " | ".join(f"k = {name}" for name in names) + " |",
             "|---|" + "---|" * len(names)]
    for dataset, run in results["runs"].items():
        lines.append(f"| {dataset} | " + " | ".join(mean_std(run["acc"][name]) for name in names) + " |")
    m = results["machine"]
    lines += ["", f"ACC over spectral seeds (plain |C|+|C|^T for the sparse rows). Diagnostic (reads "
                  f"labels; digits and coil100_group* are development sets). Machine: {m['processor']}, {m['cpu_count']} "
                  f"CPUs, torch threads {m['torch_threads']}. Commit: {results['commit']}."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["digits", "orl", "coil20", "extended_yaleb"])
    parser.add_argument("--ks", type=int, nargs="+", default=[3, 5, 10, 20, 50])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--output", default=os.path.join(RESULTS, "lsr_top_k.json"))
    args = parser.parse_args()
    info = machine()
    results = {"machine": info, "commit": info["commit"], "runs": {}}
    for dataset in args.datasets:
        results["runs"][dataset] = run(dataset, args.ks, args.seeds)
        save_results(args.output, results)
        print(dataset, {name: round(sum(v) / len(v), 3) for name, v in results["runs"][dataset]["acc"].items()},
              flush=True)
    text = markdown(results, args.ks)
    write_markdown(args.output, text)
    print(text)


if __name__ == "__main__":
    main()

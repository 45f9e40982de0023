"""Diagnostic: ACC and label-free signals after 1, 12, ... fine-tuning epochs of a preset.

Each epoch count is a fresh fit of the preset (seed 0 by default) with
``max_epochs`` replaced (everything else as the preset), so the trajectory
shows what the fine-tuning does to the clustering that the epoch-0 features
(for the residual presets: LSR on the pixels) already give. Records the ACC
with the preset's affinity and with DSC power 8 (a post-hoc setting), the
effective rank of ``embedding_`` and the first/last epoch's loss terms.
Reads labels: a diagnostic, never a preset.

    python -m benchmarks run trajectory_yaleb
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, run_resumable  # noqa: E402


def run_one(estimator, dataset, epochs, seed):
    import deepsubspace
    from deepsubspace import presets
    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy, effective_rank

    data = load_dataset(dataset)
    params = presets.get(estimator, dataset)
    params["max_epochs"] = epochs
    model = getattr(deepsubspace, estimator)(**params, random_state=seed)
    start = time.perf_counter()
    model.fit(data.data)
    k = params["n_clusters"]
    info = machine()
    power8 = affinity_from_coefficients(model.coef_, post_processing="dsc", n_clusters=k,
                                        params={"power": 8.0})
    return {
        "estimator": estimator, "dataset": dataset, "epochs": epochs, "seed": seed,
        "fit_seconds": time.perf_counter() - start,
        "acc_preset": clustering_accuracy(data.target, model.labels_),
        "acc_dsc_power8": clustering_accuracy(data.target, spectral_labels(power8, k, random_state=seed)),
        "effective_rank": effective_rank(model.embedding_),
        "first_loss_terms": {name: values[0] for name, values in model.loss_terms_.items()},
        "last_loss_terms": {name: values[-1] for name, values in model.loss_terms_.items()},
        "machine": info, "commit": info["commit"],
    }


def markdown(results):
    lines = ["| estimator | dataset | seed | epochs | ACC (preset) | ACC (DSC power 8, post-hoc) "
             "| effective rank | self-expression residual (last epoch) | coding rate (last epoch) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for run in sorted(results.values(), key=lambda r: (r["estimator"], r["dataset"], r["seed"], r["epochs"])):
        last = run["last_loss_terms"]
        lines.append(f"| {run['estimator']} | {run['dataset']} | {run['seed']} | {run['epochs']} "
                     f"| {run['acc_preset']:.3f} | {run['acc_dsc_power8']:.3f} | {run['effective_rank']:.1f} "
                     f"| {last['self_expr']:.2f} | {last['coding_rate']:.0f} |")
    commits = sorted({r["machine"]["commit"] for r in results.values()})
    return "\n".join(lines) + f"\n\nDiagnostic (reads labels). Commits: {', '.join(commits)}.\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--estimator", default="MiniBatchDSC")
    parser.add_argument("--dataset", default="extended_yaleb")
    parser.add_argument("--epochs", type=int, nargs="+", default=[1, 12, 48])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--output", default=os.path.join(RESULTS, "trajectory.json"))
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        estimator, dataset, epochs, seed = args.one
        print(json.dumps(run_one(estimator, dataset, int(epochs), int(seed))))
        return
    keys = [(args.estimator, args.dataset, e, s) for s in args.seeds for e in args.epochs]
    results = run_resumable(__file__, keys, args.output, markdown=markdown,
                            summary=lambda r: f"ACC {r['acc_preset']:.3f}, erank {r['effective_rank']:.1f}")
    print(markdown(results))


if __name__ == "__main__":
    main()

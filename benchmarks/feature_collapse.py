"""Label-free check of MiniBatchDSC's fine-tuning for feature collapse.

For each seed, fits the preset twice: as it is (``joint``: encoder and C
trained together) and with the encoder frozen after pre-training (``frozen``:
``learning_rate=1e-12``, C learns alone for the same epochs), and records
the effective rank of the memory bank's features after fine-tuning
(:func:`deepsubspace.metrics.effective_rank`), the share of their variance
in the top 10 directions, and the final loss terms. No label is read.

    python benchmarks/feature_collapse.py --dataset orl --architecture deep --seeds 0 1 2
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import FROZEN_ENCODER, RESULTS, machine, mean_std, run_resumable  # noqa: E402

MODES = {"joint": {}, "frozen": FROZEN_ENCODER}


def run_one(dataset, architecture, mode, seed, device):
    import numpy as np

    from deepsubspace import MiniBatchDSC, presets
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import effective_rank

    params = {**presets.get("MiniBatchDSC", dataset, architecture), **MODES[mode]}
    model = MiniBatchDSC(**params, device=device, random_state=seed).fit(load_dataset(dataset).data)
    features = model.embedding_.astype(np.float64)
    variance = np.linalg.svd(features - features.mean(axis=0), compute_uv=False) ** 2
    return {"dataset": dataset, "architecture": architecture, "mode": mode, "seed": seed,
            "effective_rank": effective_rank(features), "latent_dim": features.shape[1],
            "top10_variance_share": float(variance[:10].sum() / variance.sum()),
            "pretrain_final_loss": model.pretrain_loss_curve_[-1],
            "final_loss_terms": {name: values[-1] for name, values in model.loss_terms_.items()},
            "machine": machine(device)}


def markdown(results):
    groups = {}
    for run in results.values():
        groups.setdefault((run["dataset"], run["architecture"], run["mode"]), []).append(run)
    lines = ["| dataset | architecture | fine-tuning | seeds | latent dim | effective rank "
             "| top-10 variance share | reconstruction (end of pre-training) | reconstruction (end) "
             "| self-expression (end) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for (dataset, architecture, mode), runs in sorted(groups.items()):
        col = lambda key: [r[key] for r in runs]  # noqa: E731
        term = lambda name: [r["final_loss_terms"][name] for r in runs]  # noqa: E731
        lines.append(f"| {dataset} | {architecture} | {mode} | {len(runs)} | {runs[0]['latent_dim']} "
                     f"| {mean_std(col('effective_rank'))} | {mean_std(col('top10_variance_share'))} "
                     f"| {mean_std(col('pretrain_final_loss'))} | {mean_std(term('objective'))} "
                     f"| {mean_std(term('self_expr'))} |")
    lines += ["", "Effective rank of the bank's features after fine-tuning (centred); losses are "
                  "sums over an epoch's batches, unweighted: reconstruction at the end of pre-training "
                  "is ||X - D(Z)||^2, at the end of fine-tuning ||X - D(CZ)||^2 (equation 3); "
                  "self-expression ||Z - CZ||^2. No label read."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="orl")
    parser.add_argument("--architecture", default="dsc", choices=["dsc", "deep"])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--output", default=os.path.join(RESULTS, "feature_collapse.json"))
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        dataset, architecture, mode, seed = args.one
        print(json.dumps(run_one(dataset, architecture, mode, int(seed), args.device)))
        return

    keys = [(args.dataset, args.architecture, m, s) for m in args.modes for s in args.seeds]
    results = run_resumable(__file__, keys, args.output, ["--device", args.device],
                            markdown=markdown,
                            summary=lambda r: f"effective rank {r['effective_rank']:.1f}")
    print(markdown(results))


if __name__ == "__main__":
    main()

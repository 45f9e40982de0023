"""Paper 000, Table 1: MiniBatchDSC (BDSC) against the same model in full batch.

For each dataset, both modes, 5 seeds, final iterate, presets from
``deepsubspace.presets`` (fixed before looking at labels). Each run is a fresh
process so that its peak memory is its own. Results accumulate in
``table1.json`` (resumable: finished runs are skipped) and a markdown table
``table1.md`` in its results folder (``python -m benchmarks run table1``).

    python benchmarks/table1.py --datasets orl coil20
    python benchmarks/table1.py --datasets coil100 --device cuda

``--architecture deep`` runs the deeper networks of the paper's section 4.3
instead (ORL only; ``presets.get("MiniBatchDSC", "orl", "deep")``) into
``table1_deep.json``/``.md``.
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (RESULTS, add_set_argument, load_data, machine, mean_std, overrides_of,  # noqa: E402
                     peak_rss_bytes, run_resumable)

MODES = {"minibatch": {}, "fullbatch": {"batch_size": None}}


def run_one(dataset, mode, seed, device, epochs=None, architecture="dsc", overrides=None):
    import numpy as np
    import torch

    from deepsubspace import MiniBatchDSC, presets
    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.metrics import clustering_accuracy, normalized_mutual_info_score

    data = load_data(dataset)
    params = presets.get("MiniBatchDSC", dataset, architecture)
    params.update(MODES[mode])
    params.update(overrides or {})
    if epochs is not None:  # cost measurement only: fewer epochs, same per-epoch work
        params["pretrain_epochs"], params["max_epochs"] = 1, epochs
    model = MiniBatchDSC(**params, device=device, random_state=seed)
    rss_before = peak_rss_bytes()
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats(device)
    start = time.perf_counter()
    model.fit(data.data)
    seconds = time.perf_counter() - start
    result = {
        "dataset": dataset, "mode": mode, "seed": seed, "architecture": architecture,
        "overrides": overrides or {},
        "n_samples": len(data.target),
        "params": {k: v for k, v in params.items() if k != "encoder_params"},
        "fit_seconds": seconds, "stage_seconds": model.stage_seconds_,
        "fine_tune_seconds_per_epoch": model.stage_seconds_["fine_tune"] / model.n_iter_,
        "peak_rss_bytes": peak_rss_bytes(), "rss_before_fit_bytes": rss_before,
        "final_loss": model.loss_curve_[-1],
        "final_loss_terms": {name: values[-1] for name, values in model.loss_terms_.items()},
        "pretrain_final_loss": model.pretrain_loss_curve_[-1] if model.pretrain_loss_curve_ else None,
        "acc": clustering_accuracy(data.target, model.labels_),
        "nmi": normalized_mutual_info_score(data.target, model.labels_),
    }
    if device.startswith("cuda"):
        result["cuda_max_memory_allocated_bytes"] = torch.cuda.max_memory_allocated(device)
    affinity = affinity_from_coefficients(model.coef_, post_processing="dsc",
                                          n_clusters=params["n_clusters"])
    labels = spectral_labels(affinity, params["n_clusters"], random_state=seed)
    result["acc_dsc_post"] = clustering_accuracy(data.target, labels)
    result["nmi_dsc_post"] = normalized_mutual_info_score(data.target, labels)
    result["machine"] = machine(device)
    result["diag_is_zero"] = bool(np.all(np.diag(model.coef_) == 0))
    return result


def markdown(results):
    lines = [
        "| dataset | mode | seeds | ACC | NMI | ACC (DSC post) | NMI (DSC post) | fit time (s) "
        "| fine-tune s/epoch | peak RSS (MiB) | RSS increase during fit (MiB) | torch threads |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = {}
    for run in results.values():
        groups.setdefault((run["dataset"], run["mode"]), []).append(run)
    for (dataset, mode), runs in sorted(groups.items()):
        col = lambda key: [r[key] for r in runs]  # noqa: E731
        lines.append(
            f"| {dataset} | {mode} | {len(runs)} | {mean_std(col('acc'))} | {mean_std(col('nmi'))} "
            f"| {mean_std(col('acc_dsc_post'))} | {mean_std(col('nmi_dsc_post'))} "
            f"| {mean_std(col('fit_seconds'))} | {mean_std(col('fine_tune_seconds_per_epoch'))} "
            f"| {mean_std([r['peak_rss_bytes'] / 2**20 for r in runs])} "
            f"| {mean_std([(r['peak_rss_bytes'] - r['rss_before_fit_bytes']) / 2**20 for r in runs])} "
            f"| {sorted({r['machine']['torch_threads'] for r in runs})} |"
        )
    for dataset in sorted({d for d, _ in groups}):
        mini, full = groups.get((dataset, "minibatch")), groups.get((dataset, "fullbatch"))
        if mini and full:
            def avg(runs, key):
                return sum(key(r) for r in runs) / len(runs)
            grow = lambda r: r["peak_rss_bytes"] - r["rss_before_fit_bytes"]  # noqa: E731
            epoch = lambda r: r["fine_tune_seconds_per_epoch"]  # noqa: E731
            peak = lambda r: r["peak_rss_bytes"]  # noqa: E731
            lines.append(
                f"\n{dataset} (N={mini[0]['n_samples']}), mini-batch / full-batch: "
                f"peak RSS {avg(mini, peak) / avg(full, peak):.2f}x, "
                f"RSS increase during fit {avg(mini, grow) / avg(full, grow):.2f}x "
                f"({avg(full, grow) / 2**20 - avg(mini, grow) / 2**20:.0f} MiB less), "
                f"time per fine-tuning epoch {avg(mini, epoch) / avg(full, epoch):.2f}x."
            )
    any_run = next(iter(results.values()), None)
    if any_run:
        m = any_run["machine"]
        lines += ["", f"Machine: {m['processor']}, {m['cpu_count']} CPUs, "
                      f"device {m['device']}{', ' + m['gpu'] if 'gpu' in m else ''}; "
                      f"{m['platform']}; versions {m['versions']}.",
                  "ACC/NMI: final iterate, |C|+|C|^T affinity; 'DSC post': the same C with "
                  "DSC_POST_PROCESSING_DEFAULTS (one setting for all datasets).",
                  "Wall times were taken on a 2-core machine shared with other jobs: compare "
                  "them within a row group, not across result files."]
        overrides = {json.dumps(r.get("overrides") or {}, sort_keys=True) for r in results.values()}
        if overrides != {"{}"}:
            lines.append(f"NOT the presets: a diagnostic run with overrides {sorted(overrides)}.")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["orl", "coil20"])
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--output", default=os.path.join(RESULTS, "table1.json"))
    parser.add_argument("--cost-only", type=int, metavar="EPOCHS",
                        help="measure time per fine-tuning epoch and peak memory only: 1 pre-training "
                             "epoch and EPOCHS fine-tuning epochs (accuracies are not meaningful); "
                             "writes table1_cost.json/.md unless --output is given")
    parser.add_argument("--architecture", default="dsc", choices=["dsc", "deep"],
                        help="preset architecture (default: dsc, DSC-Net's networks)")
    add_set_argument(parser)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    overrides = overrides_of(args.set)
    if args.one:
        dataset, mode, seed = args.one
        print(json.dumps(run_one(dataset, mode, int(seed), args.device, args.cost_only, args.architecture,
                                 overrides)))
        return
    if overrides and args.output == os.path.join(RESULTS, "table1.json"):
        parser.error("--set runs are not the preset's: give them their own --output file")
    if args.output == os.path.join(RESULTS, "table1.json"):
        stem = "table1" + ("_deep" if args.architecture == "deep" else "")
        args.output = os.path.join(RESULTS, stem + ("_cost" if args.cost_only else "") + ".json")
    keys = [(d, m, s) for d in args.datasets for m in args.modes for s in args.seeds]
    extra = ["--device", args.device, "--architecture", args.architecture]
    extra += ["--set", *args.set] if args.set else []
    extra += ["--cost-only", str(args.cost_only)] if args.cost_only else []

    results = run_resumable(
        __file__, keys, args.output, extra, markdown=markdown,
        summary=lambda r: f"ACC {r['acc']:.3f} (DSC post {r['acc_dsc_post']:.3f}) NMI {r['nmi']:.3f}",
    )
    print(markdown(results))


if __name__ == "__main__":
    main()

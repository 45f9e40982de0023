"""ContrastiveMiniBatchDSC (CLBDSC) at 32x32 gray, next to MiniBatchDSC.

Accuracy: the ContrastiveMiniBatchDSC preset (``presets.get(..., dataset)``,
fixed before any run), 5 seeds, final iterate. Cost: both models with the
same conv encoder (the CLBDSC preset's; MiniBatchDSC with the paper's deeper
BDSC settings of section 4.3), a few fine-tuning epochs each, for time per
epoch, peak memory and parameter count. MiniBatchDSC's accuracy with its own
DSC-Net preset is in table1.json. One fresh process per run; resumable.
Writes benchmarks/results/clbdsc_<dataset>.json and .md.

    python benchmarks/clbdsc.py --dataset orl
    python benchmarks/clbdsc.py --dataset coil20 --skip-cost
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, mean_std, peak_rss_bytes, run_resumable  # noqa: E402


def _n_parameters(*modules):
    return sum(p.numel() for m in modules if m is not None for p in m.parameters())


def run_one(dataset, kind, model_name, seed, device, cost_epochs):
    from deepsubspace import ContrastiveMiniBatchDSC, MiniBatchDSC, presets
    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy, normalized_mutual_info_score

    data = load_dataset(dataset)
    params = presets.get("ContrastiveMiniBatchDSC", dataset)
    if model_name == "MiniBatchDSC":  # the paper's deeper BDSC (section 4.3) with the same encoder
        params = {**presets.get("MiniBatchDSC", dataset), "encoder_params": params["encoder_params"],
                  "learning_rate": 1e-3, "lr_scaling": "none", "alpha": 50.0, "beta": 1.0}
    if kind == "cost":
        params.update(pretrain_epochs=1, max_epochs=cost_epochs)
        if model_name == "ContrastiveMiniBatchDSC":
            params.update(encoder_pretrain_epochs=0)
    cls = {"ContrastiveMiniBatchDSC": ContrastiveMiniBatchDSC, "MiniBatchDSC": MiniBatchDSC}[model_name]
    model = cls(**params, device=device, random_state=seed)
    rss_before = peak_rss_bytes()
    start = time.perf_counter()
    model.fit(data.data)
    result = {
        "dataset": dataset, "kind": kind, "model": model_name, "seed": seed, "fit_seconds": time.perf_counter() - start,
        "stage_seconds": model.stage_seconds_,
        "pretrain_final_loss": model.pretrain_loss_curve_[-1] if model.pretrain_loss_curve_ else None,
        "fine_tune_seconds_per_epoch": model.stage_seconds_["fine_tune"] / model.n_iter_,
        "n_parameters": _n_parameters(model.encoder_, model.decoder_),
        "peak_rss_bytes": peak_rss_bytes(), "rss_before_fit_bytes": rss_before,
        "params": {k: v for k, v in params.items() if k != "encoder_params"},
        "encoder_params": params["encoder_params"], "machine": machine(device),
    }
    if kind == "accuracy":
        k = params["n_clusters"]
        affinity = affinity_from_coefficients(model.coef_, post_processing="dsc", n_clusters=k)
        post = spectral_labels(affinity, k, random_state=seed)
        result.update(acc=clustering_accuracy(data.target, model.labels_),
                      nmi=normalized_mutual_info_score(data.target, model.labels_),
                      acc_dsc_post=clustering_accuracy(data.target, post),
                      nmi_dsc_post=normalized_mutual_info_score(data.target, post))
    return result


def markdown(results):
    runs = list(results.values())
    acc = [r for r in runs if r["kind"] == "accuracy"]
    cost = {r["model"]: r for r in runs if r["kind"] == "cost"}
    lines = []
    if acc:
        col = lambda key: [r[key] for r in acc]  # noqa: E731
        lines += ["| model | seeds | ACC | NMI | ACC (DSC post) | NMI (DSC post) | fit time (s) | peak RSS (MiB) |",
                  "|---|---|---|---|---|---|---|---|",
                  f"| ContrastiveMiniBatchDSC (preset) | {len(acc)} | {mean_std(col('acc'))} | {mean_std(col('nmi'))} "
                  f"| {mean_std(col('acc_dsc_post'))} | {mean_std(col('nmi_dsc_post'))} "
                  f"| {mean_std(col('fit_seconds'))} | {mean_std([r['peak_rss_bytes'] / 2**20 for r in acc])} |", ""]
    if len(cost) == 2:
        clb, bdsc = cost["ContrastiveMiniBatchDSC"], cost["MiniBatchDSC"]
        lines += ["Same encoder, cost per fine-tuning epoch:", "",
                  "| model | parameters | s/epoch | peak RSS (MiB) |", "|---|---|---|---|"]
        for name, r in (("ContrastiveMiniBatchDSC", clb), ("MiniBatchDSC", bdsc)):
            lines.append(f"| {name} | {r['n_parameters']} | {r['fine_tune_seconds_per_epoch']:.3f} "
                         f"| {r['peak_rss_bytes'] / 2**20:.0f} |")
        lines += ["", f"Decoder-free / with decoder: parameters "
                      f"{clb['n_parameters'] / bdsc['n_parameters']:.2f}x, time per epoch "
                      f"{clb['fine_tune_seconds_per_epoch'] / bdsc['fine_tune_seconds_per_epoch']:.2f}x."]
    if runs:
        m = runs[0]["machine"]
        lines += ["", f"Machine: {m['processor']}, {m['cpu_count']} CPUs, torch threads {m['torch_threads']}, "
                      f"device {m['device']}; versions {m['versions']}."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="orl", choices=["orl", "coil20"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--cost-epochs", type=int, default=3)
    parser.add_argument("--skip-accuracy", action="store_true", help="only the cost comparison")
    parser.add_argument("--skip-cost", action="store_true", help="only the accuracy runs")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--output", help="default: benchmarks/results/clbdsc_<dataset>.json")
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, model_name, seed = args.one
        print(json.dumps(run_one(args.dataset, kind, model_name, int(seed), args.device, args.cost_epochs)))
        return
    args.output = args.output or os.path.join(RESULTS, f"clbdsc_{args.dataset}.json")
    keys = [] if args.skip_cost else [("cost", "ContrastiveMiniBatchDSC", 0), ("cost", "MiniBatchDSC", 0)]
    if not args.skip_accuracy:
        keys += [("accuracy", "ContrastiveMiniBatchDSC", s) for s in args.seeds]

    results = run_resumable(
        __file__, keys, args.output,
        ["--dataset", args.dataset, "--device", args.device, "--cost-epochs", str(args.cost_epochs)],
        markdown=markdown,
        summary=lambda r: (f"ACC {r['acc']:.3f} NMI {r['nmi']:.3f}" if r["kind"] == "accuracy"
                           else f"{r['n_parameters']} parameters, {r['fine_tune_seconds_per_epoch']:.3f} s/epoch"),
    )
    print(markdown(results))


if __name__ == "__main__":
    main()

"""Paper 000, Figure 4 with and without a momentum encoder for the bank (COIL-20).

MiniBatchDSC on COIL-20 over a grid of global batch sizes x fine-tuning
learning rates (``lr_scaling="none"``: the rate is used as given), once with
the bank written by the online encoder (``bank_momentum=None``, the paper)
and once by an EMA copy (``bank_momentum=--momentum``); the other settings
are the preset's (``--architecture``, default ``"dsc"``: DSC-Net's network
and the learned C of the paper's section 4.2, as in its Figure 4;
``"residual"``: the package's closed-form preset, no pre-training). All
cells of one seed fine-tune the same pre-trained autoencoder: it is
pre-trained once per seed (the preset's pre-training, batch 32), cached next
to the output (``<output stem>_pretrained/``, not for the repository), and
passed as ``encoder=(encoder, decoder)`` with ``pretrain_epochs=0``.

Final iterate, the preset's affinity (``|C|+|C|^T`` for ``"dsc"``, the DSC
post-processing for ``"residual"``), fresh process per run, resumable. Writes the JSON (runs, machine, commit),
a Markdown table and a heat-map figure (mean ACC over the seeds; the panels
without momentum, with it, and their difference) next to it.

    python benchmarks/momentum_ablation.py                     # the full grid
    python benchmarks/momentum_ablation.py --batch-sizes 256 --learning-rates 1e-3 \\
        --seeds 0 --pretrain-epochs 5 --max-epochs 2 --output /tmp/momentum_smoke.json
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, git_commit, machine, peak_rss_bytes, run_resumable  # noqa: E402

BATCH_SIZES = (32, 64, 128, 256)
LEARNING_RATES = (3e-5, 6e-5, 1e-4, 3e-4, 6e-4, 1e-3)


def _params(architecture, pretrain_epochs, max_epochs):
    from deepsubspace import presets

    params = presets.get("MiniBatchDSC", "coil20", architecture)
    if pretrain_epochs is not None:
        params["pretrain_epochs"] = pretrain_epochs
    if max_epochs is not None:
        params["max_epochs"] = max_epochs
    return params


def pretrained(cache_dir, seed, params, X, device):
    """The preset's autoencoder after pre-training with ``seed`` (cached)."""
    import torch

    from deepsubspace import MiniBatchDSC

    path = os.path.join(cache_dir, f"seed{seed}_{params['pretrain_epochs']}ep.pt")
    if os.path.exists(path):
        return torch.load(path, weights_only=False), 0.0
    start = time.perf_counter()
    # one fine-tuning epoch at a rate of 1e-12 fills the bank without moving the network
    model = MiniBatchDSC(**{**params, "max_epochs": 1, "learning_rate": 1e-12, "lr_scaling": "none"},
                         device=device, random_state=seed).fit(X)
    os.makedirs(cache_dir, exist_ok=True)
    torch.save((model.encoder_, model.decoder_), path + ".partial")
    os.replace(path + ".partial", path)
    return (model.encoder_, model.decoder_), time.perf_counter() - start


def run_one(batch_size, learning_rate, momentum, seed, args):
    import torch

    from deepsubspace import MiniBatchDSC
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy, normalized_mutual_info_score

    torch.set_num_threads(args.threads)
    data = load_dataset("coil20")
    params = _params(args.architecture, args.pretrain_epochs, args.max_epochs)
    pretrain_seconds = 0.0
    if params["pretrain_epochs"] > 0:
        cache_dir = os.path.splitext(args.output)[0] + "_pretrained"
        modules, pretrain_seconds = pretrained(cache_dir, seed, params, data.data, args.device)
        params.update(encoder=modules, encoder_params=None, pretrain_epochs=0)
    params.update(batch_size=batch_size, learning_rate=learning_rate, lr_scaling="none",
                  bank_momentum=momentum)
    start = time.perf_counter()
    model = MiniBatchDSC(**params, device=args.device, random_state=seed).fit(data.data)
    return {"batch_size": batch_size, "learning_rate": learning_rate, "bank_momentum": momentum,
            "seed": seed, "architecture": args.architecture,
            "pretrain_epochs": _params(args.architecture, args.pretrain_epochs, None)["pretrain_epochs"],
            "max_epochs": params["max_epochs"], "seconds": time.perf_counter() - start,
            "pretrain_seconds": pretrain_seconds, "peak_rss_bytes": peak_rss_bytes(),
            "acc": clustering_accuracy(data.target, model.labels_),
            "nmi": normalized_mutual_info_score(data.target, model.labels_),
            "final_loss": model.loss_curve_[-1], "machine": machine(args.device),
            "commit": git_commit()}


def _momentum_key(value):
    return "none" if value is None else repr(float(value))


def _grid(results):
    """``{momentum: {(batch_size, lr): [acc, ...]}}``, and the sorted axes."""
    grid, sizes, rates = {}, set(), set()
    for run in results.values():
        cell = (run["batch_size"], run["learning_rate"])
        grid.setdefault(_momentum_key(run["bank_momentum"]), {}).setdefault(cell, []).append(run["acc"])
        sizes.add(cell[0])
        rates.add(cell[1])
    return grid, sorted(sizes), sorted(rates)


def markdown(results):
    import numpy as np

    grid, sizes, rates = _grid(results)
    lines = []
    for momentum in sorted(grid, key=lambda m: m != "none"):
        lines += [f"bank_momentum={momentum}: ACC, mean +- std over seeds", "",
                  "| batch size | " + " | ".join(f"lr {r:g}" for r in rates) + " |",
                  "|---|" + "---|" * len(rates)]
        for size in sizes:
            cells = [grid[momentum].get((size, r)) for r in rates]
            lines.append(f"| {size} | " + " | ".join(
                "" if c is None else f"{np.mean(c):.3f} +- {np.std(c):.3f} ({len(c)})" for c in cells) + " |")
        lines.append("")
    runs = list(results.values())
    if runs:
        commits = sorted({r["commit"] for r in runs})
        lines.append(f"{len(runs)} runs, final iterate, the preset's affinity; machine "
                     f"{runs[0]['machine']['platform']} ({runs[0]['machine']['torch_threads']} thread); "
                     f"commits {', '.join(commits)}; {sum(r['seconds'] for r in runs):.0f} s of "
                     f"fine-tuning fits.")
    return "\n".join(lines) + "\n"


def heat_map(results, path):
    """Mean ACC per cell: without momentum, with it, and the difference (matplotlib object API)."""
    import numpy as np
    from matplotlib.figure import Figure

    grid, sizes, rates = _grid(results)
    panels = [(f"bank_momentum={m}", grid[m]) for m in sorted(grid, key=lambda m: m != "none")]

    def mean_table(cells):
        return np.array([[np.mean(cells[(s, r)]) if (s, r) in cells else np.nan for r in rates]
                         for s in sizes])

    tables = [(title, mean_table(cells)) for title, cells in panels]
    if len(tables) == 2:
        tables.append(("difference (momentum - none)", tables[1][1] - tables[0][1]))
    fig = Figure(figsize=(4.2 * len(tables), 3.6), layout="constrained")
    for ax, (title, table) in zip(np.atleast_1d(fig.subplots(1, len(tables))), tables):
        diff = title.startswith("difference")
        limit = np.nanmax(np.abs(table)) if diff and np.isfinite(table).any() else 1.0
        image = ax.imshow(table, cmap="RdBu" if diff else "viridis",
                          vmin=-limit if diff else 0.0, vmax=limit)
        for (i, j), value in np.ndenumerate(table):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                        color="black" if diff else "white")
        ax.set_xticks(range(len(rates)), [f"{r:g}" for r in rates], rotation=45)
        ax.set_yticks(range(len(sizes)), [str(s) for s in sizes])
        ax.set_xlabel("learning rate")
        ax.set_ylabel("batch size")
        ax.set_title(title, fontsize=10)
        fig.colorbar(image, ax=ax, shrink=0.8, label="ACC" if not diff else "ACC difference")
    fig.suptitle("COIL-20, MiniBatchDSC: mean ACC over seeds")
    fig.savefig(path, dpi=120)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=list(BATCH_SIZES))
    parser.add_argument("--learning-rates", type=float, nargs="+", default=list(LEARNING_RATES))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--momentum", type=float, default=0.99,
                        help="bank_momentum of the momentum runs (every cell also runs without)")
    parser.add_argument("--architecture", default="dsc", choices=["dsc", "residual"])
    parser.add_argument("--pretrain-epochs", type=int, help="override the preset (smoke runs)")
    parser.add_argument("--max-epochs", type=int, help="override the preset (smoke runs)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per run")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--output", default=os.path.join(RESULTS, "momentum_ablation.json"))
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.one:
        size, rate, momentum, seed = args.one
        momentum = None if momentum == "none" else float(momentum)
        print(json.dumps(run_one(int(size), float(rate), momentum, int(seed), args)))
        return
    if not 0.0 <= args.momentum < 1.0:
        raise SystemExit(f"--momentum must be in [0, 1), got {args.momentum}")
    keys = [(size, repr(rate), momentum, seed) for seed in args.seeds for size in args.batch_sizes
            for rate in args.learning_rates for momentum in ("none", repr(args.momentum))]
    extra = ["--architecture", args.architecture, "--threads", str(args.threads),
             "--device", args.device, "--output", args.output]
    for flag, value in (("--pretrain-epochs", args.pretrain_epochs), ("--max-epochs", args.max_epochs)):
        if value is not None:
            extra += [flag, str(value)]
    results = run_resumable(os.path.abspath(__file__), keys, args.output, extra,
                            markdown=markdown,
                            summary=lambda r: f"ACC {r['acc']:.3f} NMI {r['nmi']:.3f}")
    print(markdown(results))
    figure = os.path.splitext(args.output)[0] + ".png"
    try:
        heat_map(results, figure)
    except ModuleNotFoundError as exc:  # matplotlib is the optional "examples" extra
        print(f"saved {args.output}; no figure ({exc}: pip install 'deepsubspace[examples]' and rerun, "
              "the runs are kept)")
    else:
        print(f"saved {args.output} and {figure}")


if __name__ == "__main__":
    main()

"""StructuralContrastiveDSC (DSCSC, paper 003) with its presets, and the k ablation of its Figure 3.

For each data set, seed and ``n_neighbors`` (default: the preset's), one fresh
process fits ``deepsubspace.presets.get("StructuralContrastiveDSC", dataset)``
(fixed before any label was read; full batch as the paper, except the
``"residual"`` presets, which train on the mini-batches of their rules) through
``benchmarks/wellposed.py``'s ``run_one`` and records, per seed: ACC and NMI of
the preset's affinity (``acc_dsc_post``: DSC post-processing with the
package's one setting; on COIL-20 the ``"closed_form"`` preset's top-3 sparse
C, plain), of the plain ``|C| + |C|^T`` (``acc``, the paper's
protocol), wall time per stage, peak RSS, the effective rank of
``embedding_``, the machine (torch threads) and the commit, beside the
paper's ACC. Results accumulate (resumable) in
``benchmarks/results/structural.json`` and ``.md``.

    python benchmarks/structural.py --datasets orl --seeds 0
    python benchmarks/structural.py --datasets orl --seeds 0 --n-neighbors 0 10 20
    python benchmarks/structural.py --architecture residual --n-starts 3 --datasets extended_yaleb
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, add_jobs_argument, mean_std, run_resumable  # noqa: E402
from wellposed import run_one  # noqa: E402

ESTIMATOR = "StructuralContrastiveDSC"
#: ACC of DSCSC in paper 003 (Tables 2 and 3)
PAPER_ACC = {"orl": 0.9075, "extended_yaleb": 0.9864, "coil20": 0.9788}
#: ``--budget dsc_net``: DSC-Net's (pre-training, fine-tuning) epochs, which paper 003's networks
#: come with and its presets cut to about 10 minutes per fit on the 2-core CPU (presets.py)
DSC_NET_EPOCHS = {"orl": (1000, 700), "coil20": (1000, 40), "extended_yaleb": (1000, 1000)}


def preset_neighbors(dataset):
    from deepsubspace import presets

    return presets.get(ESTIMATOR, dataset)["n_neighbors"]


def run(dataset, seed, n_neighbors, device, architecture="dsc", coding_rate_divisor=None, budget="preset",
        n_starts=1):
    from deepsubspace import presets

    overrides = {**presets.get(ESTIMATOR, dataset, architecture), "n_neighbors": n_neighbors}
    label = architecture
    if budget == "dsc_net":
        overrides["pretrain_epochs"], overrides["max_epochs"] = DSC_NET_EPOCHS[dataset]
        label = f"{architecture}, DSC-Net's epochs"
    if coding_rate_divisor:  # a variant of the preset: the residual presets' coding-rate rule
        overrides["coding_rate"] = overrides["alpha"] / coding_rate_divisor
        label = f"{architecture}, coding_rate = alpha / {coding_rate_divisor:g}"
    if n_starts > 1:  # the affinities of n_starts fits averaged (the estimator's n_starts)
        overrides["n_starts"] = n_starts
        label = f"{label}, {n_starts} starts"
    mode = "minibatch" if architecture == "residual" else "fullbatch"
    result = run_one(ESTIMATOR, dataset, mode, seed, device, overrides=overrides)
    result["n_neighbors"] = n_neighbors
    result["architecture"] = label
    result["paper_acc"] = PAPER_ACC.get(dataset)
    return result


def markdown(results):
    lines = [
        "| preset | dataset | k | seeds | ACC (the preset's affinity) | ACC (plain, paper's protocol) "
        "| NMI (DSC post) | paper ACC | effective rank | fit time (s) | peak RSS (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = {}
    for r in results.values():
        groups.setdefault((r.get("architecture", "dsc"), r["dataset"], r["n_neighbors"]), []).append(r)
    for (architecture, dataset, k), runs in sorted(groups.items()):
        col = lambda key: [r[key] for r in runs]  # noqa: E731
        lines.append(
            f"| {architecture} | {dataset} | {k} | {','.join(str(r['seed']) for r in runs)} "
            f"| {mean_std(col('acc_dsc_post'))} | {mean_std(col('acc')) if all('acc' in r for r in runs) else 'n/a'} "
            f"| {mean_std(col('nmi_dsc_post'))} "
            f"| {runs[0]['paper_acc']} | {mean_std(col('effective_rank'))} | {mean_std(col('fit_seconds'))} "
            f"| {mean_std([r['peak_rss_bytes'] / 2**20 for r in runs])} |")
    any_run = next(iter(results.values()), None)
    if any_run:
        m = any_run["machine"]
        threads = sorted({r["machine"]["torch_threads"] for r in results.values()})
        commits = ", ".join(sorted({r["commit"] for r in results.values()}))
        lines += ["", f"Machine: {m['processor']}, {m['cpu_count']} CPUs, device {m['device']}, torch "
                      f"threads {threads}; versions {m['versions']}. Commits: {commits}.",
                  "Final iterate, presets of deepsubspace.presets (StructuralContrastiveDSC, architecture as "
                  "in the first column): 'dsc' and 'closed_form' full batch with reduced CPU epoch "
                  "budgets (see the presets' docstring), 'residual' on the mini-batches of its rules."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["orl", "coil20", "extended_yaleb"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-neighbors", type=int, nargs="+", default=None,
                        help="k values (default: each preset's); the paper's Figure 3 varies k on ORL")
    parser.add_argument("--architecture", default="dsc", choices=["dsc", "closed_form", "residual"],
                        help="the preset family (default: the paper's learned C)")
    parser.add_argument("--coding-rate-divisor", type=float, default=None,
                        help="a variant: coding_rate = alpha / this (the residual presets use 30)")
    parser.add_argument("--budget", default="preset", choices=["preset", "dsc_net"],
                        help="epochs: the preset's (cut for the CPU) or DSC-Net's (a GPU's budget; "
                             "not for the residual presets, which have no pre-training stage)")
    parser.add_argument("--n-starts", type=int, default=1,
                        help="starts whose affinities are averaged (the estimator's n_starts)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--output", default=os.path.join(RESULTS, "structural.json"))
    add_jobs_argument(parser)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.budget == "dsc_net" and args.architecture == "residual":
        parser.error("--budget dsc_net applies to the 'dsc' and 'closed_form' presets")
    if args.one:
        dataset, seed, k = args.one
        print(json.dumps(run(dataset, int(seed), int(k), args.device, args.architecture,
                             args.coding_rate_divisor, args.budget, args.n_starts)))
        return None
    keys = [(d, s, k) for d in args.datasets
            for k in (args.n_neighbors or [preset_neighbors(d)]) for s in args.seeds]
    results = run_resumable(
        os.path.abspath(__file__), keys, args.output,
        ["--device", args.device, "--architecture", args.architecture, "--budget", args.budget]
        + (["--coding-rate-divisor", str(args.coding_rate_divisor)] if args.coding_rate_divisor else [])
        + (["--n-starts", str(args.n_starts)] if args.n_starts > 1 else []),
        markdown=markdown, jobs=args.jobs,
        summary=lambda r: f"ACC {r['acc_dsc_post']:.3f} (plain {r.get('acc', float('nan')):.3f}; "
                          f"paper {r['paper_acc']})",
    )
    print(markdown(results))
    return results


if __name__ == "__main__":
    main()

"""Paper 000, Table 3: two-step baselines against the joint models.

* ``ae+ssc``: MiniBatchDSC's preset autoencoder after pre-training only (one
  fine-tuning epoch at a learning rate of 1e-12 fills the bank without moving
  the encoder), then SSC (estimator defaults) on those features.
* ``deepae+ssc``: the same with the deeper autoencoder of the paper's
  section 4.3 (``presets.get("MiniBatchDSC", dataset, "deep")``; ORL only),
  the two-step counterpart of the paper's Table 3 BDSC row.
* ``cl+ssc``: the ContrastiveMiniBatchDSC preset trained as plain contrastive
  learning (``anchor="feature"``, ``alpha=beta=0``, no C-only stage, no
  encoder pre-training stage, ``max_epochs`` at the fine-tuning rate), then
  SSC on its features.
* ``clpre+ssc``: the ContrastiveMiniBatchDSC preset's encoder after its
  contrastive pre-training stage only (``encoder_pretrain_epochs``; filled
  into the bank as ``ae+ssc``), then SSC: the two-step counterpart of the
  joint model, which starts from that encoder.
* The joint models' rows are read from the results of the experiments
  ``table1`` and ``table1_deep`` (MiniBatchDSC, mini-batch mode) and
  ``clbdsc_<dataset>`` (ContrastiveMiniBatchDSC) when present.

5 seeds, final iterate, fresh process per run, resumable. Writes
table3_ablation.json and .md into its results folder.

    python -m benchmarks run table3_ablation
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    FROZEN_ENCODER, RESULTS, load_results, machine, mean_std, peak_rss_bytes, result_file, run_resumable,
)

METHODS = ("ae+ssc", "deepae+ssc", "cl+ssc", "clpre+ssc")


def run_one(dataset, method, seed, device):
    from deepsubspace import ContrastiveMiniBatchDSC, MiniBatchDSC, presets
    from deepsubspace.baselines import SparseSubspaceClustering
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy, normalized_mutual_info_score

    data = load_dataset(dataset)
    k = len(set(data.target))
    start = time.perf_counter()
    if method in ("ae+ssc", "deepae+ssc"):
        architecture = "deep" if method == "deepae+ssc" else "dsc"
        params = {**presets.get("MiniBatchDSC", dataset, architecture),
                  "max_epochs": 1, **FROZEN_ENCODER}
        features = MiniBatchDSC(**params, device=device, random_state=seed).fit(data.data).embedding_
    else:
        params = presets.get("ContrastiveMiniBatchDSC", dataset)
        if method == "clpre+ssc":
            params.update(pretrain_epochs=0, max_epochs=1, **FROZEN_ENCODER)
        else:
            params.update(anchor="feature", alpha=0.0, beta=0.0, encoder_pretrain_epochs=0, pretrain_epochs=0)
        model = ContrastiveMiniBatchDSC(**params, device=device, random_state=seed)
        features = model.fit(data.data).embedding_
    labels = SparseSubspaceClustering(n_clusters=k, random_state=seed).fit_predict(features)
    return {"dataset": dataset, "method": method, "seed": seed,
            "seconds": time.perf_counter() - start, "peak_rss_bytes": peak_rss_bytes(),
            "acc": clustering_accuracy(data.target, labels),
            "nmi": normalized_mutual_info_score(data.target, labels),
            "machine": machine(device)}


def joint_rows():
    rows = {}
    for name, method in (("table1", "MiniBatchDSC (joint)"),
                         ("table1_deep", "MiniBatchDSC deep (joint)")):
        for run in load_results(result_file(name, name + ".json")).values():
            if run["mode"] == "minibatch":
                rows.setdefault((run["dataset"], method), []).append(run)
    for dataset in ("orl", "coil20"):
        for run in load_results(result_file(f"clbdsc_{dataset}", f"clbdsc_{dataset}.json")).values():
            if run["kind"] == "accuracy":
                rows.setdefault((dataset, "ContrastiveMiniBatchDSC (joint)"), []).append(run)
    return rows


def markdown(results):
    groups = {}
    for run in results.values():
        groups.setdefault((run["dataset"], run["method"]), []).append(run)
    groups.update(joint_rows())
    lines = ["| dataset | method | seeds | ACC | NMI |", "|---|---|---|---|---|"]
    for (dataset, method), runs in sorted(groups.items()):
        lines.append(f"| {dataset} | {method} | {len(runs)} | {mean_std([r['acc'] for r in runs])} "
                     f"| {mean_std([r['nmi'] for r in runs])} |")
    lines += ["", "All rows: final iterate, |C|+|C|^T affinity, presets fixed before any run; "
                  "machine in the JSON files. Spectral step: SSC's default assign_labels='kmeans' "
                  "for the two-step rows, 'discretize' (the deep models' default) for the joint rows."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["orl", "coil20"])
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--output", default=os.path.join(RESULTS, "table3_ablation.json"))
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        dataset, method, seed = args.one
        print(json.dumps(run_one(dataset, method, int(seed), args.device)))
        return

    from deepsubspace import presets

    keys = [(d, m, s) for d in args.datasets for m in args.methods for s in args.seeds
            if m != "deepae+ssc" or ("MiniBatchDSC", d, "deep") in presets.available()]
    results = run_resumable(__file__, keys, args.output, ["--device", args.device],
                            markdown=markdown,
                            summary=lambda r: f"ACC {r['acc']:.3f} NMI {r['nmi']:.3f}")
    print(markdown(results))


if __name__ == "__main__":
    main()

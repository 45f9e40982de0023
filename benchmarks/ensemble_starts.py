"""Diagnostic: several starts of a deep fit, their affinities averaged before one spectral step.

For every kept fit of the given ``wellposed.py`` result files (its ``embedding_``
is in ``benchmarks/cache``) the dense closed-form C is rebuilt from the
embedding and turned into the package's one DSC post-processing affinity.
For every combination of ``--size`` fits (different seeds: different network
initialisations and batch orders) the affinities are averaged and clustered
once (discretize, the combination's smallest seed): the labels an estimator
with ``--size`` starts and an averaged affinity would give. Each fit on its own
is scored the same way, so the two columns differ only by the averaging, and
gives the size of its largest cluster (``largest_cluster``), a label-free
statistic of the start. Reads labels: a diagnostic, it chooses nothing.

    python -m benchmarks run ensemble_starts_yaleb
    python benchmarks/ensemble_starts.py --fits diagnostic_yaleb_seeds_5_14/diagnostic_yaleb_seeds_5_14.json \\
        --output out.json
"""

import argparse
import itertools
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    RESULTS_ROOT,
    coefficients_of_fit,
    load_results,
    machine,
    mean_std,
    samples_and_target,
    save_results,
    write_markdown,
)


def ensemble_labels(affinities, n_clusters, seeds):
    """The labels of the mean of ``affinities[seed]`` over ``seeds`` by the spectral step
    (discretize, random_state the smallest seed)."""
    from deepsubspace.affinity import spectral_labels

    affinity = sum(affinities[seed] for seed in seeds) / len(seeds)
    return spectral_labels(affinity, n_clusters, random_state=min(seeds))


def single_labels(affinities, n_clusters):
    """``{seed: labels}`` of each affinity clustered on its own (:func:`ensemble_labels`)."""
    return {seed: ensemble_labels(affinities, n_clusters, (seed,)) for seed in sorted(affinities)}


def ensemble_accuracies(affinities, target, n_clusters, size, singles=None):
    """``({seed: ACC}, {combination: ACC})``: each affinity of ``affinities`` ({seed: affinity})
    clustered on its own (``singles``, from :func:`single_labels` when None), and the mean of
    every ``size`` of them (:func:`ensemble_labels`)."""
    from deepsubspace.metrics import clustering_accuracy

    singles = single_labels(affinities, n_clusters) if singles is None else singles
    single = {seed: clustering_accuracy(target, labels) for seed, labels in singles.items()}
    combined = {seeds: clustering_accuracy(target, ensemble_labels(affinities, n_clusters, seeds))
                for seeds in itertools.combinations(sorted(affinities), size)}
    return single, combined


def largest_clusters(singles):
    """``{seed: size of the largest cluster}`` of each fit's own labels (:func:`single_labels`): a
    label-free statistic of a start (on Extended Yale B a start that pools the darkest images
    makes one cluster of about 200 where the 38 people have about 64 images each)."""
    import numpy as np

    return {seed: int(np.bincount(labels).max()) for seed, labels in singles.items()}


def affinity_of_fit(run):
    from deepsubspace.affinity import affinity_from_coefficients

    return affinity_from_coefficients(coefficients_of_fit(run), post_processing="dsc",
                                      n_clusters=run["params"]["n_clusters"])


def markdown(result):
    single, combined = list(result["single"].values()), [c["acc"] for c in result["combinations"]]
    return (f"| {result['dataset']}, {result['estimator']} | fits | ACC | below 0.95 |\n|---|---|---|---|\n"
            f"| one start | {len(single)} | {mean_std(single)} | {sum(a < 0.95 for a in single)} |\n"
            f"| {result['size']} starts, affinities averaged | {len(combined)} combinations | "
            f"{mean_std(combined)} | {sum(a < 0.95 for a in combined)} |\n\n"
            + ("Largest cluster of each fit alone (seed: size, ACC): " + ", ".join(
                f"{seed}: {size}, {result['single'][seed]:.3f}" for seed, size in result["largest_cluster"].items())
               + ".\n\n" if "largest_cluster" in result else "")
            + f"Seeds {', '.join(result['single'])}; commit {result['commit']}; machine "
            f"{result['machine']['processor']}, {result['machine']['cpu_count']} CPUs.\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fits", required=True, nargs="+",
                        help="wellposed.py result files with embedding_file (paths, or EXPERIMENT/FILE.json)")
    parser.add_argument("--dataset", help="only the fits on this data set (a file may hold several)")
    parser.add_argument("--size", type=int, default=3)
    parser.add_argument("--output", required=True)
    args = parser.parse_args(argv)
    runs = {}
    for fits in args.fits:
        path = fits if os.path.exists(fits) else os.path.join(RESULTS_ROOT, fits)
        for run in load_results(path).values():
            if args.dataset is None or run["dataset"] == args.dataset:
                if run["seed"] in runs:
                    raise SystemExit(f"{fits}: a second fit at seed {run['seed']} (one per seed)")
                runs[run["seed"]] = run
    if len({(run["estimator"], run["dataset"]) for run in runs.values()}) != 1:
        raise SystemExit(f"{args.fits}: expected the fits of one estimator on one data set "
                         "(choose one with --dataset)")
    if len(runs) < args.size:
        raise SystemExit(f"{args.fits} holds {len(runs)} fits, fewer than --size {args.size}")
    run = next(iter(runs.values()))
    target = samples_and_target(run["dataset"])[1]
    affinities = {seed: affinity_of_fit(r) for seed, r in runs.items()}
    singles = single_labels(affinities, run["params"]["n_clusters"])
    single, combined = ensemble_accuracies(affinities, target, run["params"]["n_clusters"], args.size, singles)
    largest = largest_clusters(singles)
    info = machine()
    result = {"estimator": run["estimator"], "dataset": run["dataset"], "size": args.size,
              "fits": args.fits, "single": {str(seed): acc for seed, acc in single.items()},
              "largest_cluster": {str(seed): size for seed, size in largest.items()},
              "combinations": [{"seeds": list(seeds), "acc": acc} for seeds, acc in combined.items()],
              "machine": info, "commit": info["commit"]}
    save_results(args.output, result)
    write_markdown(args.output, markdown(result))
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()

"""Post-processing rules scored on kept fits: the package's one DSC setting against the grid medoid.

For every deep fit of the given ``wellposed.py`` result files (their ``embedding_``
is kept in ``benchmarks/cache``) the dense closed-form C is rebuilt from the
embedding, and for each of their data sets LSR's C on the pixels is computed
(``LeastSquaresSubspaceClustering`` defaults, 5 spectral seeds). Each C is
scored under two rules, both with the discretize assignment and the run's seed
(where a discretisation finds fewer than ``n_clusters`` clusters, the package's
documented k-means fallback labels it; its warning is silenced here, since the
grid's extreme settings trigger it often):

* ``one``: the DSC post-processing with the package's one setting
  (``DSC_POST_PROCESSING_DEFAULTS``: threshold 0.2, subspace dimension 4,
  power 2), one discretisation;
* ``grid_medoid``: the DSC post-processing at each of the 27 settings of
  :data:`GRID` (the one setting and its neighbours on the oracle's grid),
  one discretisation each; the labels are their medoid, the labelling with the
  largest summed adjusted Rand index with the other 26
  (``deepsubspace.affinity.medoid_labels``);
* ``grid_coassociation``: the same 27 labellings, and the labels of the spectral step
  (discretize, the run's seed) on their co-association matrix, the fraction of the
  labellings that put two samples together (Strehl and Ghosh's CSPA consensus, with
  the package's spectral step as the graph partitioner). Added on 2026-12-07 after the
  medoid was rejected; a row scored before it gets it from its kept labellings.

Every grid labelling of every C is kept in ``benchmarks/cache`` (the row's
``labellings_file``: int16, seeds x settings x samples), so that another
consensus of them needs no spectral step. Both rules draw every discretisation
from the run's seed itself; the fit drew its own from the same seed after one
draw for the network's seed, so ``one`` equals the fit's ``acc_dsc_post``
(``reproduces_fit``) where the discretisation's start does not matter, and is
another draw of the same rule where it does. ``acc_grid`` is the ACC of every
grid labelling (how the settings fare one by one, the oracle's view on this
neighbourhood; neither rule reads it).
Rows accumulate (resumable) in ``--output``; a ``.md`` beside it sums them up.

    python -m benchmarks run consensus_post_dev
    python benchmarks/consensus_post.py --fits consensus_post_dev_fits/yaleb_like.json --output out.json
"""

import argparse
import functools
import itertools
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    CACHE,
    RESULTS_ROOT,
    add_jobs_argument,
    coefficients_of_fit,
    git_commit,
    load_results,
    machine,
    mean_std,
    samples_and_target,
    save_results,
    write_markdown,
)

#: threshold x subspace dimension x power: the one setting (0.2, 4, 2) and its neighbours on
#: postprocessing_oracle's grid, fixed on 2026-12-07 (consensus_post_dev_fits) before any run
GRID = tuple(itertools.product((0.1, 0.2, 0.5), (3, 4, 6), (1.0, 2.0, 3.5)))
RULES = ("one", "grid_medoid", "grid_coassociation")
LSR_SEEDS = (0, 1, 2, 3, 4)


def _discretized(affinity, n_clusters, seed):
    """The spectral step's discretize labels, its documented fallback to k-means silenced
    (the grid's extreme settings and the co-association graphs trigger it often)."""
    from deepsubspace.affinity import spectral_labels
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return spectral_labels(affinity, n_clusters, assign_labels="discretize", random_state=seed)


@functools.lru_cache(maxsize=None)
def _target(dataset):
    """The labels of ``dataset``, built once per process (development sets are rendered)."""
    return samples_and_target(dataset)[1]


def coassociation_labels(labellings, n_clusters, random_state):
    """Labels of the spectral step on the co-association matrix of ``labellings``
    (n_labellings, n_samples): entry (i, j) is the fraction of them with i and j together."""
    import numpy as np

    labellings = np.asarray(labellings, dtype=np.int64)
    n_labels = labellings.max() + 1
    indicators = np.zeros((labellings.shape[1], len(labellings) * n_labels))
    for index, labels in enumerate(labellings):
        indicators[np.arange(labellings.shape[1]), index * n_labels + labels] = 1.0
    return _discretized(indicators @ indicators.T / len(labellings), n_clusters, random_state)


def consensus_scores(labellings, target, n_clusters, seeds, rules=RULES[1:]):
    """``{rule: [ACC per seed]}`` of the consensus ``rules`` of the grid ``labellings``
    (seeds x settings x samples, as :func:`score_rules` returns them)."""
    from deepsubspace.affinity import medoid_labels
    from deepsubspace.metrics import clustering_accuracy

    consensus = {"grid_medoid": lambda per_seed, seed: medoid_labels(per_seed),
                 "grid_coassociation": lambda per_seed, seed: coassociation_labels(per_seed, n_clusters, seed)}
    return {rule: [clustering_accuracy(target, consensus[rule](per_seed, seed))
                   for per_seed, seed in zip(labellings, seeds)] for rule in rules}


def score_rules(coef, target, n_clusters, seeds):
    """``({rule: [ACC per seed]}, acc_grid, labellings)`` of ``coef`` under :data:`RULES`
    (affinities computed once); ``labellings[s, g]`` are the labels of seed ``seeds[s]`` at
    ``GRID[g]`` and ``acc_grid[s][g]`` their ACC."""
    import numpy as np

    from deepsubspace.affinity import (
        DSC_POST_PROCESSING_DEFAULTS,
        affinity_from_coefficients,
    )
    from deepsubspace.metrics import clustering_accuracy

    one = GRID.index(tuple(DSC_POST_PROCESSING_DEFAULTS[k] for k in ("threshold", "subspace_dim", "power")))
    labellings = {seed: [] for seed in seeds}
    for setting in GRID:
        affinity = affinity_from_coefficients(
            coef, post_processing="dsc", n_clusters=n_clusters,
            params=dict(zip(("threshold", "subspace_dim", "power"), setting)))
        for seed in seeds:
            labellings[seed].append(_discretized(affinity, n_clusters, seed))
    acc_grid = [[clustering_accuracy(target, labels) for labels in labellings[seed]] for seed in seeds]
    labellings = np.array([labellings[seed] for seed in seeds], dtype=np.int16)
    scores = {"one": [per_seed[one] for per_seed in acc_grid],
              **consensus_scores(labellings, target, n_clusters, seeds)}
    return scores, acc_grid, labellings


def deep_row(run):
    target = _target(run["dataset"])
    params = run["params"]
    coef = coefficients_of_fit(run)
    start = time.perf_counter()
    scores, acc_grid, labellings = score_rules(coef, target, params["n_clusters"], [run["seed"]])
    return labellings, {"method": run["estimator"], "dataset": run["dataset"], "seeds": [run["seed"]],
            "acc": scores, "acc_grid": acc_grid,
            "reproduces_fit": abs(scores["one"][0] - run["acc_dsc_post"]) < 1e-12,
            "fit_acc_dsc_post": run["acc_dsc_post"], "fit_commit": run["commit"],
            "scoring_seconds": time.perf_counter() - start}


def lsr_row(dataset):
    import numpy as np

    from deepsubspace.baselines import LeastSquaresSubspaceClustering

    X, target = samples_and_target(dataset)
    X = np.asarray(X, dtype=np.float64)
    n_clusters = len(np.unique(target))
    start = time.perf_counter()
    coef = LeastSquaresSubspaceClustering(n_clusters=n_clusters).fit(X).coef_
    scores, acc_grid, labellings = score_rules(coef, target, n_clusters, list(LSR_SEEDS))
    return labellings, {"method": "LSR", "dataset": dataset, "seeds": list(LSR_SEEDS), "acc": scores,
            "acc_grid": acc_grid,
            "scoring_seconds": time.perf_counter() - start}


def score_row(key, run):
    """The row of ``key``: LSR on a data set's pixels (``run`` None) or a kept deep fit."""
    import numpy as np

    labellings, row = deep_row(run) if run is not None else lsr_row(key.split("/", 1)[1])
    row.update(commit=git_commit(), machine=machine())
    # every grid labelling, so that another consensus of them needs no spectral step again
    row["labellings_file"] = f"labellings_{key.replace('/', '_')}_{row['commit'][:12]}.npy"
    os.makedirs(CACHE, exist_ok=True)
    np.save(os.path.join(CACHE, row["labellings_file"]), labellings)
    return row


def add_missing_rules(key, row):
    """``row`` with the consensus rules it lacks, computed from its kept grid labellings
    (their commits in ``rule_commits``)."""
    import numpy as np

    missing = [rule for rule in RULES if rule not in row["acc"]]
    path = os.path.join(CACHE, row.get("labellings_file", ""))
    if not row.get("labellings_file") or not os.path.exists(path):
        raise SystemExit(f"{key} lacks {missing} and its grid labellings are not in {CACHE}: "
                         "delete the row to rescore it")
    target = _target(row["dataset"])
    n_clusters = len(np.unique(target))
    row["acc"].update(consensus_scores(np.load(path), target, n_clusters, row["seeds"], missing))
    row.setdefault("rule_commits", {}).update({rule: git_commit() for rule in missing})
    return row


def markdown(rows):
    lines = ["| data set | method | seeds | ACC, one setting | ACC, grid medoid | medoid minus one "
             "| ACC, grid co-association | co-association minus one "
             "| ACC over the 27 settings: mean (lowest) |",
             "|---|---|---|---|---|---|---|---|---|"]
    groups = {}
    for row in rows.values():
        groups.setdefault((row["dataset"], row["method"]), []).append(row)
    for (dataset, method), group in sorted(groups.items()):
        acc = {rule: [a for row in group for a in row["acc"].get(rule, [])] for rule in RULES}
        diff = {rule: [c - o for c, o in zip(acc[rule], acc["one"])] for rule in RULES[1:]}
        grid = [a for row in group for per_seed in row["acc_grid"] for a in per_seed]
        spread = f"{sum(grid) / len(grid):.3f} ({min(grid):.3f})"
        lines.append(f"| {dataset} | {method} | {sum(len(r['seeds']) for r in group)} "
                     f"| {mean_std(acc['one'])} "
                     + "".join(f"| {mean_std(acc[rule])} | {mean_std(diff[rule])} " if acc[rule] else "| n/a | n/a "
                               for rule in RULES[1:])
                     + f"| {spread} |")
    deep = [row for row in rows.values() if "reproduces_fit" in row]
    if deep:
        lines += ["", f"The one setting reproduces the fit's own ACC in {sum(r['reproduces_fit'] for r in deep)} "
                      f"of {len(deep)} deep fits."]
    any_row = next(iter(rows.values()), None)
    if any_row:
        lines += [f"Commits: {', '.join(sorted({r['commit'] for r in rows.values()}))}; machine "
                  f"{any_row['machine']['processor']}, {any_row['machine']['cpu_count']} CPUs."]
        later = sorted({(rule, commit) for r in rows.values() for rule, commit in r.get("rule_commits", {}).items()})
        if later:
            lines += ["Scored later from the kept labellings: "
                      + ", ".join(f"{rule} at {commit}" for rule, commit in later) + "."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fits", nargs="+", required=True,
                        help="wellposed.py result files with embedding_file (a path, or one relative to "
                             "benchmarks/results: EXPERIMENT/FILE.json)")
    parser.add_argument("--output", required=True)
    add_jobs_argument(parser)
    args = parser.parse_args(argv)
    rows = load_results(args.output)
    paths = [path if os.path.exists(path) else os.path.join(RESULTS_ROOT, path) for path in args.fits]
    runs = {key: run for path in paths for key, run in load_results(path).items()}
    if not runs:
        raise SystemExit(f"no fits in {args.fits}")
    todo = [("LSR/" + d, None) for d in sorted({run["dataset"] for run in runs.values()})]
    todo += [(key, run) for key, run in sorted(runs.items())]
    incomplete = [key for key, row in rows.items() if set(RULES) - set(row["acc"])]
    todo = [(key, run) for key, run in todo if key not in rows]
    for key, run in todo:
        if run is not None and "embedding_file" not in run:
            raise SystemExit(f"{key} kept no embedding_ (fitted before benchmarks/cache existed): refit it")
    with ProcessPoolExecutor(max(1, args.jobs)) as pool:
        futures = {pool.submit(add_missing_rules, key, rows[key]): key for key in incomplete}
        futures.update({pool.submit(score_row, key, run): key for key, run in todo})
        for done in as_completed(futures):
            key, row = futures[done], done.result()
            rows[key] = row
            save_results(args.output, rows)
            write_markdown(args.output, markdown(rows))
            print(f"{key}: " + ", ".join(f"{rule} {mean_std(row['acc'][rule])}" for rule in RULES)
                  + f" ({row['scoring_seconds']:.0f} s)", flush=True)
    print(markdown(rows))
    return rows


if __name__ == "__main__":
    main()

"""Diagnostic: how much the spectral step's seed moves ACC, and whether a label-free pick helps.

For one affinity (the package's one DSC post-processing setting) the spectral
step is repeated with ``--restarts`` seeds of its own (eigen-solver start and
label assignment), for both assignments. Each labelling is scored with ACC and
with the normalised cut of the affinity, ``sum_k cut(A_k, rest) / vol(A_k)``,
the objective spectral clustering relaxes (label-free). The question: is the
gap between a deep fit and LSR on the pixels (Extended Yale B 0.943 after one
epoch against 0.966) in the features, or in the spectral step's sensitivity,
and would picking the labelling of smallest normalised cut (label-free) close
it? Reads labels: a diagnostic.

For ``"discretize"`` it also records two rules over the same starts: the
labelling that best fits the discretisation's own objective (Yu and Shi:
the largest ``sum of singular values of Y^T V`` over the row-normalised
embedding V, which scikit-learn's ``discretize`` maximises from each start),
and the medoid of ``--restarts`` discretisations of one embedding
(``spectral_labels(n_init=restarts)``).

Where the errors are: for every discretised labelling, the size of
its largest cluster and the share of its misassigned samples (under ACC's
matching) that lie among the darkest quarter of the data (the smallest pixel
l2 norms, read before the rows are scaled to unit norm). ``--datasets`` may
also name a development set of ``_common.development_set`` (the deep sources
then fit MiniBatchDSC with the rules it gives the set).

Sources of C: ``lsr`` (LSR on the unit-norm pixels, ridge 0.1), ``epoch1``
(the residual preset of ``--estimator``, MiniBatchDSC by default, after one
fine-tuning epoch, model seed ``seed``), ``preset`` (the whole preset; with
``--set NAME=VALUE``, the preset with those overrides, a variant); for
these ``acc_estimator`` is the ACC of the fit's own ``labels_`` (its spectral
step draws from the model's random stream: the figure the main table records
for that seed).

    python -m benchmarks run spectral_restarts
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (RESULTS, add_jobs_argument, add_set_argument, development_set, load_data,  # noqa: E402
                     machine, overrides_of, run_resumable, write_markdown)

SOURCES = ("lsr", "epoch1", "preset")


def normalized_cut(affinity, labels):
    """``sum_k cut(A_k, V \\ A_k) / vol(A_k)`` of ``labels`` on ``affinity`` (diagonal ignored)."""
    import numpy as np
    from scipy import sparse

    W = sparse.csr_matrix(affinity, dtype=np.float64)
    W = W - sparse.diags(W.diagonal())
    n_clusters = int(labels.max()) + 1
    H = sparse.csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)),
                          shape=(len(labels), n_clusters))
    degree = np.asarray(W.sum(axis=1)).ravel()
    volume = H.T @ degree
    within = (H.T @ (W @ H)).diagonal()
    return float(np.sum((volume - within) / np.maximum(volume, np.finfo(float).tiny)))


def discretization_fit(embedding, labels):
    """Yu and Shi's objective of ``labels`` on ``embedding`` (scikit-learn's scaling); larger is better."""
    import numpy as np
    from scipy.linalg import svdvals

    n = len(embedding)
    v = embedding / np.linalg.norm(embedding, axis=0) * np.sqrt(n)
    v = v / np.linalg.norm(v, axis=1, keepdims=True)
    indicator = np.eye(int(labels.max()) + 1)[labels]
    return float(svdvals(indicator.T @ v).sum())


def discretize_rules(affinity, k, target, restarts):
    """ACC of every start of the discretisation of one embedding, of its best objective and of the medoid."""
    import numpy as np
    from sklearn.cluster._spectral import discretize

    from deepsubspace.affinity import _normalized_eigenvectors, _normalized_graph, spectral_labels
    from deepsubspace.metrics import clustering_accuracy

    scaled, root_degree = _normalized_graph(affinity)
    vectors = _normalized_eigenvectors(scaled, k, np.random.RandomState(0))
    embedding = vectors[:, ::-1] / root_degree[:, None]
    accs, fits = [], []
    for restart in range(restarts):
        labels = discretize(embedding, random_state=np.random.RandomState(restart))
        accs.append(clustering_accuracy(target, labels))
        fits.append(discretization_fit(embedding, labels))
    medoid = spectral_labels(affinity, k, n_init=restarts, random_state=0)
    return {"acc": accs, "objective": fits, "acc_best_objective": accs[int(np.argmax(fits))],
            "acc_medoid": clustering_accuracy(target, medoid)}


def error_anatomy(target, labels, dark):
    """The largest cluster's size and the share of misassigned samples in ``dark`` (a mask)."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    from sklearn.metrics.cluster import contingency_matrix

    _, target_index = np.unique(target, return_inverse=True)
    clusters, label_index = np.unique(labels, return_inverse=True)
    counts = contingency_matrix(target_index, label_index)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    matched = np.full(len(clusters), -1)
    matched[cols] = rows
    wrong = matched[label_index] != target_index
    return {"largest": int(np.bincount(label_index).max()),
            "dark_error_share": float(dark[wrong].mean()) if wrong.any() else float("nan")}


def run_one(dataset, source, seed, restarts, estimator="MiniBatchDSC", overrides=None):
    import numpy as np

    import deepsubspace
    from deepsubspace import presets
    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.baselines import LeastSquaresSubspaceClustering
    from deepsubspace.datasets import DATASETS
    from deepsubspace.metrics import clustering_accuracy

    if dataset in DATASETS:
        data = load_data(dataset)
        X, target, params = data.data, data.target, presets.get(estimator, dataset)
    elif source == "lsr" or estimator == "MiniBatchDSC":
        X, target, params = development_set(dataset)
    else:
        raise SystemExit(f"{dataset!r} is a development set: it has MiniBatchDSC's rules only")
    k = params["n_clusters"]
    norms = np.linalg.norm(X, axis=1)
    dark = norms <= np.quantile(norms, 0.25)
    result = {"dataset": dataset, "source": source, "seed": seed, "estimator": estimator}
    if overrides and source != "lsr":
        params.update(overrides)
        result["overrides"] = overrides
    start = time.perf_counter()
    if source == "lsr":
        coef = LeastSquaresSubspaceClustering(n_clusters=k).fit(X).coef_
    else:
        if source == "epoch1":
            params["max_epochs"] = 1
        model = getattr(deepsubspace, estimator)(**params, random_state=seed).fit(X)
        coef, result["acc_estimator"] = model.coef_, clustering_accuracy(target, model.labels_)
        result["anatomy_estimator"] = error_anatomy(target, model.labels_, dark)
    result["fit_seconds"] = time.perf_counter() - start
    affinity = affinity_from_coefficients(coef, post_processing="dsc", n_clusters=k)
    for assign in ("discretize", "kmeans"):
        accs, cuts, anatomies = [], [], []
        for restart in range(restarts):
            labels = spectral_labels(affinity, k, assign_labels=assign, random_state=restart)
            accs.append(clustering_accuracy(target, labels))
            cuts.append(normalized_cut(affinity, labels))
            if assign == "discretize":
                anatomies.append(error_anatomy(target, labels, dark))
        best = int(np.argmin(cuts))
        result[assign] = {"acc": accs, "ncut": cuts, "acc_min_ncut": accs[best],
                          "acc_seed_as_model": accs[seed % restarts]}
        if anatomies:
            result[assign]["anatomy"] = anatomies
    result["discretize_starts"] = discretize_rules(affinity, k, target, restarts)
    info = machine()
    result.update(machine=info, commit=info["commit"])
    return result


def source_label(run):
    """``run``'s source of C, with its preset overrides if any."""
    overrides = run.get("overrides")
    return run["source"] + (" (" + ", ".join(f"{k}={v}" for k, v in sorted(overrides.items())) + ")"
                            if overrides else "")


def starts(run, assign):
    """The discretisation-rule cells and the fit's own ACC of a row (blank where not recorded)."""
    import numpy as np

    rules = run.get("discretize_starts")
    own = f" {run['acc_estimator']:.3f} |" if "acc_estimator" in run and assign == "discretize" else " |"
    if assign != "discretize" or rules is None:
        return "| | |" + own
    return (f"{np.mean(rules['acc']):.3f} ({min(rules['acc']):.3f}-{max(rules['acc']):.3f}) "
            f"| {rules['acc_best_objective']:.3f} | {rules['acc_medoid']:.3f} |" + own)


def markdown(results):
    import numpy as np

    lines = ["| dataset | C from | model seed | assignment | ACC over spectral seeds (mean, min-max) "
             "| ACC of the smallest normalised cut | corr(ncut, ACC) | discretisation starts of one "
             "embedding: ACC (mean, min-max) | ACC of the best discretisation objective | ACC of the medoid "
             "| ACC of the fit's own labels |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in sorted(results.values(), key=lambda r: (r["dataset"], SOURCES.index(r["source"]), r["seed"])):
        for assign in ("discretize", "kmeans"):
            a = r[assign]
            corr = np.corrcoef(a["ncut"], a["acc"])[0, 1] if np.std(a["acc"]) > 0 else float("nan")
            lines.append(f"| {r['dataset']} | {source_label(r)} | {r['seed']} | {assign} "
                         f"| {np.mean(a['acc']):.3f} ({min(a['acc']):.3f}-{max(a['acc']):.3f}) "
                         f"| {a['acc_min_ncut']:.3f} | {corr:+.2f} | {starts(r, assign)}")
    commits = sorted({r["commit"] for r in results.values()})
    return ("\n".join(lines) + anatomy_markdown(results)
            + f"\n\nDiagnostic (reads labels). Commits: {', '.join(commits)}.\n")


def anatomy_markdown(results):
    """Where the errors of the discretised labellings are (rows that recorded it), or ``""``."""
    import numpy as np

    def cell(acc, anatomy):
        return f"{acc:.3f} / {anatomy['largest']} / {anatomy['dark_error_share']:.2f}"

    lines = ["", "", "Where the errors are (discretize; ACC / largest cluster / share of the misassigned "
             "samples among the darkest quarter of the data):", "",
             "| dataset | C from | model seed | best spectral seed | worst spectral seed "
             "| the fit's own labels |",
             "|---|---|---|---|---|---|"]
    rows = [r for r in results.values() if "anatomy" in r["discretize"]]
    for r in sorted(rows, key=lambda r: (r["dataset"], SOURCES.index(r["source"]), r["seed"])):
        accs, anatomies = r["discretize"]["acc"], r["discretize"]["anatomy"]
        best, worst = int(np.argmax(accs)), int(np.argmin(accs))
        own = cell(r["acc_estimator"], r["anatomy_estimator"]) if "anatomy_estimator" in r else ""
        lines.append(f"| {r['dataset']} | {source_label(r)} | {r['seed']} "
                     f"| {cell(accs[best], anatomies[best])} | {cell(accs[worst], anatomies[worst])} | {own} |")
    return "\n".join(lines) if rows else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["extended_yaleb", "orl", "coil20"])
    parser.add_argument("--sources", nargs="+", default=["lsr", "epoch1"], choices=SOURCES)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4],
                        help="model seeds (lsr: seed 0 only; it has no model seed)")
    parser.add_argument("--restarts", type=int, default=10)
    parser.add_argument("--estimator", default="MiniBatchDSC",
                        choices=["MiniBatchDSC", "ContrastiveMiniBatchDSC"],
                        help="the deep estimator of the epoch1 and preset sources")
    parser.add_argument("--output", default=os.path.join(RESULTS, "spectral_restarts.json"))
    add_jobs_argument(parser)
    add_set_argument(parser)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        dataset, source, seed = args.one
        print(json.dumps(run_one(dataset, source, int(seed), args.restarts, args.estimator,
                                 overrides_of(args.set))))
        return
    if args.set and args.output == parser.get_default("output"):
        parser.error("--set runs are not the preset's: give them their own --output file")
    keys = [(d, s, seed) for d in args.datasets for s in args.sources
            for seed in (args.seeds[:1] if s == "lsr" else args.seeds)]
    results = run_resumable(__file__, keys, args.output,
                            ["--restarts", str(args.restarts), "--estimator", args.estimator]
                            + (["--set", *args.set] if args.set else []),
                            markdown=markdown, jobs=args.jobs,
                            summary=lambda r: f"discretize min-ncut ACC {r['discretize']['acc_min_ncut']:.3f}")
    write_markdown(args.output, markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()

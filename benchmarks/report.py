"""Regenerate the results tables of the README and the docs from the result files.

Reads the results of the experiments ``wellposed_minibatchdsc`` and
``wellposed_contrastiveminibatchdsc`` (the deep presets), ``compare_baselines``
(shallow baselines on the same pixels) and ``step_cost_closed_form``, each in
``benchmarks/results/<experiment>/``; writes ``docs/generated/results_tables.rst``
and replaces the block between the ``results-table`` markers of README.rst.
No figure is typed by hand.

    python benchmarks/report.py
"""

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
ROOT = os.path.dirname(HERE)
DATASETS = [("orl", "ORL"), ("coil20", "COIL-20"), ("extended_yaleb", "Extended Yale B")]
#: shallow rows, each under its own post-processing rule (dense C: DSC post; sparse C: plain)
SHALLOW = [("lsr+dsc", "LSR (least squares), DSC post"), ("ssc", "SSC, ``|C|+|C|^T``"),
           ("ensc", "EnSC, ``|C|+|C|^T``"), ("spectral_knn", "spectral clustering, kNN graph"),
           ("kmeans", "k-means")]
DEEP = [("minibatchdsc", "MiniBatchDSC"), ("contrastiveminibatchdsc", "ContrastiveMiniBatchDSC")]
START, END = ".. results-table-start", ".. results-table-end"


def _load(experiment, name=None):
    """The result file ``name`` (default ``<experiment>.json``) of ``experiment``, or None."""
    path = os.path.join(RESULTS, experiment, name or experiment + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as fh:
        return json.load(fh)


def _fmt(values):
    if not values:
        return "not run"
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3f} +- {values.std():.3f} ({len(values)})"


def _table(header, rows):
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append("   * - " + row[0])
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines) + "\n"


def collect():
    shallow = {}
    baselines = _load("compare_baselines")
    for row in (baselines or {}).get("rows", []):
        if "source" not in row:
            shallow[(row["dataset"], row["method"])] = [r["acc"] for r in row["runs"]]
    deep = {}
    for stem, _ in DEEP:
        for run in (_load(f"wellposed_{stem}") or {}).values():
            key = (stem, run["dataset"], run["mode"])
            deep.setdefault(key, []).append(run)
    return shallow, deep


def main_table(shallow, deep):
    header = ["method (raw pixels for the shallow rows)"] + [label for _, label in DATASETS]
    rows = []
    for stem, label in DEEP:
        for mode in ("minibatch", "fullbatch"):
            if not any((stem, d, mode) in deep for d, _ in DATASETS):
                continue
            cells = [_fmt([r["acc_dsc_post"] for r in deep.get((stem, d, mode), [])]) for d, _ in DATASETS]
            rows.append([f"{label} preset ({'mini-batch' if mode == 'minibatch' else 'full batch'})"]
                        + cells)
    for method, label in SHALLOW:
        rows.append([label] + [_fmt(shallow.get((d, method))) for d, _ in DATASETS])
    best, best_value = [], {}
    for d, _ in DATASETS:
        means = {m: np.mean(shallow[(d, m)]) for m, _ in SHALLOW if (d, m) in shallow}
        if means:
            best_value[d] = max(means.values())
        best.append(f"{max(means.values()):.3f} ({max(means, key=means.get)})" if means else "n/a")
    rows.append(["best shallow method"] + best)
    for stem, label in DEEP:
        cells = []
        for d, _ in DATASETS:
            runs = deep.get((stem, d, "minibatch"), [])
            cells.append(f"{np.mean([r['acc_dsc_post'] for r in runs]) - best_value[d]:+.3f}"
                         if runs and d in best_value else "n/a")
        rows.append([f"{label} preset (mini-batch) minus best shallow"] + cells)
    return _table(header, rows)


def detail_table(deep):
    header = ["estimator", "data", "mode", "ACC (DSC post, preset)", "ACC (plain ``|C|+|C|^T``)",
              "published protocol (label-tuned post)", "effective rank (pixels)", "fit time (s)",
              "peak RSS (MiB)", "commit"]
    rows = []
    for (stem, dataset, mode), runs in sorted(deep.items()):
        rows.append([
            dict(DEEP)[stem], dict(DATASETS)[dataset], mode,
            _fmt([r["acc_dsc_post"] for r in runs]), _fmt([r["acc"] for r in runs]),
            _fmt([r["acc_published"] for r in runs]),
            f"{np.mean([r['effective_rank'] for r in runs]):.1f} ({runs[0]['effective_rank_pixels']:.1f})",
            f"{np.mean([r['fit_seconds'] for r in runs]):.0f}",
            f"{np.mean([r['peak_rss_bytes'] for r in runs]) / 2**20:.0f}",
            ", ".join(sorted({r["commit"][:7] for r in runs})),
        ])
    return _table(header, rows)


def step_table():
    cost = _load("step_cost_closed_form")
    if not cost:
        return ""
    header = ["N", "time per step (ms)", "peak RSS (MiB)", "self-expression state (MiB)",
              "one N x N float32 matrix (MiB)"]
    rows = [[f"{r['n_samples']:,}", f"{1e3 * r['step_seconds']:.2f}", f"{r['peak_rss_bytes'] / 2**20:.0f}",
             f"{r['c_and_adam_state_bytes'] / 2**20:.2f}", f"{r['one_n_by_n_matrix_bytes'] / 2**20:,.0f}"]
            for r in cost["runs"]]
    return _table(header, rows)


def main():
    shallow, deep = collect()
    table = main_table(shallow, deep)
    generated = os.path.join(ROOT, "docs", "generated")
    os.makedirs(generated, exist_ok=True)
    with open(os.path.join(generated, "results_tables.rst"), "w") as fh:
        fh.write(".. generated by benchmarks/report.py from benchmarks/results: do not edit\n\n")
        fh.write("Main table: ACC, mean +- std (number of seeds), final iterate\n"
                 "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n" + table + "\n")
        if deep:
            fh.write("Deep presets in detail\n~~~~~~~~~~~~~~~~~~~~~~\n\n" + detail_table(deep) + "\n")
        steps = step_table()
        if steps:
            fh.write("Cost of one closed-form training step (batch 128, latent 32, 1 thread)\n"
                     "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n\n"
                     + steps)
    readme = os.path.join(ROOT, "README.rst")
    with open(readme) as fh:
        text = fh.read()
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        with open(readme, "w") as fh:
            fh.write(head + START + "\n\n" + table + "\n" + END + tail)
    print(table)


if __name__ == "__main__":
    main()

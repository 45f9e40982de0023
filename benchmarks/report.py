"""Regenerate the results tables of the README and the docs from the result files.

Reads the results of the experiments ``wellposed_minibatchdsc`` and
``wellposed_contrastiveminibatchdsc`` (the deep presets), ``structural``
(StructuralContrastiveDSC), ``compare_baselines`` (shallow baselines on the
same pixels), the COIL-100 experiments, ``out_of_sample_coil100``, ``scale``
and ``step_cost_closed_form``, each in ``benchmarks/results/<experiment>/``; writes ``docs/generated/results_tables.rst``
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


def structural_runs():
    """StructuralContrastiveDSC preset runs (its default k only) by dataset."""
    runs = {}
    for run in (_load("structural") or {}).values():
        runs.setdefault(run["dataset"], []).append(run)
    return runs


def main_table(shallow, deep):
    header = ["method (raw pixels for the shallow rows)"] + [label for _, label in DATASETS]
    rows = []
    structural = structural_runs()
    for stem, label in DEEP:
        for mode in ("minibatch", "fullbatch"):
            if not any((stem, d, mode) in deep for d, _ in DATASETS):
                continue
            cells = [_fmt([r["acc_dsc_post"] for r in deep.get((stem, d, mode), [])]) for d, _ in DATASETS]
            rows.append([f"{label} preset ({'mini-batch' if mode == 'minibatch' else 'full batch'})"]
                        + cells)
    if structural:
        rows.append(["StructuralContrastiveDSC preset (paper 003, full batch)"]
                    + [_fmt([r["acc_dsc_post"] for r in structural.get(d, [])]) for d, _ in DATASETS])
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
    if structural:
        rows.append(["StructuralContrastiveDSC preset minus best shallow"] + [
            f"{np.mean([r['acc_dsc_post'] for r in structural[d]]) - best_value[d]:+.3f}"
            if structural.get(d) and d in best_value else "n/a" for d, _ in DATASETS])
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


def coil100_table():
    """COIL-100 (32x32 gray): deep rows beside the shallow ones, with and without the DSC post."""
    rows = []
    deep = list((_load("coil100_minibatchdsc", "wellposed_minibatchdsc.json") or {}).values())
    if deep:
        rows.append(["MiniBatchDSC preset (mini-batch)", _fmt([r["acc_dsc_post"] for r in deep]),
                     _fmt([r["acc"] for r in deep]), f"{np.mean([r['fit_seconds'] for r in deep]):.0f}"])
    for experiment in ("coil100_senet", "coil100_baselines"):
        for row in (_load(experiment, "compare_baselines.json") or {}).get("rows", []):
            label = {"senet": "SelfExpressiveNetwork (defaults)"}.get(row["method"], row["method"])
            accs = _fmt([r["acc"] for r in row["runs"]])
            dsc = row["method"].endswith("+dsc")
            rows.append([label, accs if dsc else "", "" if dsc else accs,
                         f"{np.mean([r['seconds'] for r in row['runs']]):.0f}"])
    if not rows:
        return ""
    return _table(["method", "ACC, DSC post", "ACC, plain (``|C|+|C|^T``; kNN: its graph)",
                   "time per fit (s)"], rows)


def out_of_sample_table():
    runs = list((_load("out_of_sample_coil100", "out_of_sample.json") or {}).values())
    if not runs:
        return ""
    rows = []
    for estimator in sorted({r["estimator"] for r in runs}):
        mine = [r for r in runs if r["estimator"] == estimator]
        rows.append([estimator, f"{mine[0]['n_fit']:,} / {mine[0]['n_held_out']:,}",
                     _fmt([r["acc_fit"] for r in mine]), _fmt([r["acc_predict_fit_matching"] for r in mine]),
                     _fmt([r["acc_predict_own_matching"] for r in mine])])
    return _table(["estimator", "fitted / held out", "ACC fitted half (``labels_``)",
                   "ACC held-out half (``predict``, fitted half's matching)",
                   "ACC held-out half (own matching)"], rows)


def scale_table():
    runs = _load("scale") or {}
    if not runs:
        return ""
    sizes = sorted({r["n_samples"] for r in runs.values()})
    labels = {"senet": "SelfExpressiveNetwork", "minibatch_dsc": "MiniBatchDSC (sparse C)", "ensc": "EnSC"}
    rows = []
    for method, label in labels.items():
        cells = []
        for n in sizes:
            run = runs.get(f"{method}/{n}")
            cells.append("not run (memory)" if run is None else
                         f"ARI {run['ari']:.3f}, {run['seconds']:.0f} s, {run['peak_rss_bytes'] / 2**30:.1f} GiB")
        rows.append([label] + cells)
    return _table(["method"] + [f"N = {n:,}" for n in sizes], rows)


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
        for title, table_text in (
                ("COIL-100, 32x32 grayscale, N = 7,168 (5 seeds where run)", coil100_table()),
                ("COIL-100 out of sample: fit on alternate views of every object, predict the others",
                 out_of_sample_table()),
                ("Scale: 20 subspaces of dimension 6 in R^60, one seed, 1 thread", scale_table())):
            if table_text:
                fh.write(title + "\n" + "~" * len(title) + "\n\n" + table_text + "\n")
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

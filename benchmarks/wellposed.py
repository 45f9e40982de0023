"""The well-posed presets (closed-form C, residual encoder) of both deep estimators.

For each estimator, data set, mode and seed (5 seeds, final iterate, presets
``deepsubspace.presets.get(estimator, dataset)`` fixed before any label was
read), one fresh process fits the preset and scores its C four ways:

* ``acc_dsc_post``: the preset's affinity (DSC post-processing with the
  package's one setting, ``DSC_POST_PROCESSING_DEFAULTS``) -- the headline;
* ``acc_dsc_post_medoid``: the same affinity, labels from the medoid of 20
  random starts of the discretisation (``spectral_labels(n_init=20)``);
* ``acc``: plain ``|C| + |C|^T``;
* ``acc_published``: DSC-Net's own per-dataset post-processing settings
  from its public code (tuned with labels by its authors; a separate column
  for comparison with papers, never a result of this package).

Each fit's ``embedding_`` is kept in ``benchmarks/cache`` (``_common.save_embedding``; its name
is the result's ``embedding_file``), so that its C can be scored again without refitting. It
also records the effective rank of ``embedding_`` against that of the
unit-norm pixels (feature collapse, label-free), wall time per stage, peak
RSS, the torch thread count and the commit. Results accumulate (resumable)
in ``wellposed_<estimator>.json`` and ``.md`` in its results folder.

For closed-form models, ``acc_top_k`` scores C keeping only its k largest
entries per row (k = 3, 5, 10; ``coefficients="sparse"``) with the plain
affinity, and ``acc_dense_dsc_post`` the dense C with the one DSC setting
(the faces' rule; the headline itself for the dense presets).

``--datasets digits``, ``coil100_group0`` .. ``coil100_group4``,
``coil100_orl_shape``, ``coil100_yaleb_shape``, ``coil100_relit``,
``coil100_posed``, ``coil100_shadowed`` and ``coil100_dark`` are the development sets
(``_common.development_set``: scikit-learn's 8x8 digits, five disjoint 20-object groups of
COIL-100 and sets made like the benchmarks from COIL-100, with the ``--estimator``'s residual
rules of the ORL, COIL-20 or Extended Yale B preset); a mode ``input_anchor=F`` is the preset with
``input_anchor = F * beta``, a mode ``batch_per_cluster=R`` the preset with
batches of ``R * n_clusters`` samples (and about 900 steps), a mode
``coding_rate=F``, ``learning_rate=F`` or ``max_epochs=F`` the preset with that weight, rate
or number of epochs (rounded) times F, and a mode ``n_starts=N`` the preset with N starts whose
affinities are averaged (only ``acc_dsc_post``, NMI and the medoid column are scored then: the
other columns need one C; with a dense closed-form C each start is also scored alone,
``acc_starts``, and the starts' embeddings are kept stacked, ``start_embeddings_file``).

    python -m benchmarks run wellposed_minibatchdsc
    python benchmarks/wellposed.py --estimator MiniBatchDSC
    python benchmarks/wellposed.py --datasets digits --modes minibatch input_anchor=100
    python benchmarks/wellposed.py --estimator ContrastiveMiniBatchDSC --modes minibatch
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    DEVELOPMENT_SETS,
    RESULTS,
    add_jobs_argument,
    development_set,
    estimator_params,
    git_commit,
    machine,
    mean_std,
    peak_rss_bytes,
    published_is_comparable,
    residual_epochs,
    run_resumable,
    save_embedding,
)

#: "collapse_stop": the preset with the label-free stopping rule ``collapse_tol=0`` (stop after the
#: first epoch that lowers the bank's coding rate), fixed before any run with it
#: "linear_branch" (a diagnostic, chosen after the Yale B trajectory): the preset's residual branch
#: without its activation, so that the encoder is linear and cannot fold the union of subspaces
#: (a mode's ``encoder_params`` update the preset's)
#: "rate_reduction": the preset's coding-rate term as MCR^2 over the estimator's own clusters
#: (``rate_reduction=True``, same weight), fixed before any run with it
#: "bank_rate": the preset's coding rate taken over the whole memory bank (batch rows current,
#: ``coding_rate_scope="bank"``), the gradient full-batch training gives; fixed before any run with it
#: "batch_rate": the batch's coding rate (``coding_rate_scope="batch"``), the faces' rule before 2026-12-02
#: "fullbatch" keeps the preset's epochs, so it takes one step per epoch (ORL 90 steps, COIL-20 20,
#: Extended Yale B 48); "fullbatch_steps" (below) applies the residual rules' ~900 optimiser steps
#: "homogeneous_branch" (found after the Yale B error anatomy; Extended Yale B's preset since
#: yaleb_branch_rules, a diagnostic elsewhere): the residual branch with ReLU and no biases, so that
#: a sample's unit-norm features do not depend on its brightness; "gelu_branch": the GELU branch with
#: biases (the other presets' branch; Extended Yale B's until yaleb_branch_rules); "row_scaling": the
#: network's inputs rescaled to one row norm (``input_scaling="rows"``), so that the reconstruction
#: terms weigh every sample alike rather than by ||x_i||^2
MODES = {"minibatch": {}, "fullbatch": {"batch_size": None}, "collapse_stop": {"collapse_tol": 0.0},
         "linear_branch": {"encoder_params": {"activation": "identity"}},
         "homogeneous_branch": {"encoder_params": {"activation": "relu", "bias": False}},
         "gelu_branch": {"encoder_params": {"activation": "gelu", "bias": True}},
         "row_scaling": {"input_scaling": "rows"},
         "rate_reduction": {"rate_reduction": True}, "bank_rate": {"coding_rate_scope": "bank"},
         "batch_rate": {"coding_rate_scope": "batch"}}
#: a mode "input_anchor=F" is the preset with ``input_anchor = F * beta`` (the weight of
#: ||C_b - C(X)_b||^2, the distance of C to least squares on the inputs, relative to ||C_b||^2's)
ANCHOR_MODE = "input_anchor="
#: a mode "batch_per_cluster=R" is the preset with batches of R * n_clusters samples and the
#: residual rules' budget of about 900 optimiser steps, ``max_epochs = ceil(900 / steps)``
BATCH_MODE = "batch_per_cluster="
#: full batch with the residual rules' budget of about 900 optimiser steps (900 epochs)
FULLBATCH_STEPS = "fullbatch_steps"


#: a mode "coding_rate=F" / "learning_rate=F" / "max_epochs=F" is the preset with its coding-rate
#: weight / its learning rate / its number of epochs (rounded) multiplied by F
SCALE_MODES = ("coding_rate=", "learning_rate=", "max_epochs=")


#: a mode "n_starts=N" is the preset with N starts whose affinities are averaged (``n_starts``); the
#: columns that need one C (plain, published, dense C, top-k) are left out of such a run, the medoid
#: column discretises the averaged affinity, and the starts' features are kept stacked
STARTS_MODE = "n_starts="


#: modes joined by this apply together, left to right ("batch_per_cluster=1+rate_reduction")
JOIN = "+"


def mode_params(mode, params, n_samples):
    """The preset overrides of ``mode`` (a key of :data:`MODES`, ``input_anchor=F`` or
    ``batch_per_cluster=R``, or such modes joined by ``+``) for a data set of ``n_samples``."""
    if JOIN in mode:
        overrides = {}
        for part in mode.split(JOIN):
            overrides.update(mode_params(part, {**params, **overrides}, n_samples))
        return overrides
    if mode.startswith(STARTS_MODE):
        return {"n_starts": int(mode[len(STARTS_MODE):])}
    if mode.startswith(ANCHOR_MODE):
        return {"input_anchor": float(mode[len(ANCHOR_MODE):]) * params["beta"]}
    for scaled in SCALE_MODES:
        if mode.startswith(scaled):
            name = scaled[:-1]
            value = float(mode[len(scaled):]) * params[name]
            return {name: max(1, round(value)) if isinstance(params[name], int) else value}
    if mode.startswith(BATCH_MODE):
        batch = max(1, round(float(mode[len(BATCH_MODE):]) * params["n_clusters"]))
        return {"batch_size": batch, "max_epochs": residual_epochs(n_samples, batch)}
    if mode == FULLBATCH_STEPS:
        return {"batch_size": None, "max_epochs": residual_epochs(n_samples, n_samples)}
    if mode not in MODES:
        raise SystemExit(f"unknown mode {mode!r}: expected one of {sorted(MODES)}, {FULLBATCH_STEPS}, "
                         f"{ANCHOR_MODE}F, {BATCH_MODE}R, {STARTS_MODE}N, "
                         + ", ".join(f"{scaled}F" for scaled in SCALE_MODES))
    overrides = dict(MODES[mode])
    if "encoder_params" in overrides:
        overrides["encoder_params"] = {**params["encoder_params"], **overrides["encoder_params"]}
    return overrides


#: random starts of the discretisation whose medoid gives the ``acc_dsc_post_medoid`` column
MEDOID_STARTS = 20
#: ``acc_top_k``: C (closed form) keeping its k largest entries per row, as
#: ``coefficients="sparse", n_nonzero=k`` keeps them, with the plain affinity
TOP_KS = (3, 5, 10)
#: DSC-Net's public per-dataset post-processing (threshold, subspace_dim, power), label-tuned
PUBLISHED_POST = {
    "extended_yaleb": {"threshold": 0.1, "subspace_dim": 10, "power": 3.5},
    "orl": {"threshold": 0.2, "subspace_dim": 3, "power": 1.0},
    "coil20": {"threshold": 0.04, "subspace_dim": 12, "power": 8.0},
}


def run_one(estimator, dataset, mode, seed, device, overrides=None):
    """Fit ``presets.get(estimator, dataset)`` (with ``MODES[mode]`` and ``overrides``) and score it."""
    import numpy as np
    import torch
    from scipy import sparse

    import deepsubspace
    from deepsubspace import presets
    from deepsubspace._base import top_k_csr
    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.datasets import load_dataset
    from deepsubspace.metrics import clustering_accuracy, effective_rank, normalized_mutual_info_score
    from deepsubspace.nn.self_expression import ClosedFormSelfExpression

    if dataset in DEVELOPMENT_SETS:  # presets.py's residual rules on a development set
        X, target, params = development_set(dataset, estimator)
    else:
        data = load_dataset(dataset)
        X, target, params = data.data, data.target, presets.get(estimator, dataset)
    params.update(mode_params(mode, params, len(X)))
    params.update(overrides or {})
    model = getattr(deepsubspace, estimator)(**params, device=device, random_state=seed)
    rss_before = peak_rss_bytes()
    start = time.perf_counter()
    model.fit(X)
    seconds = time.perf_counter() - start
    k = params["n_clusters"]
    pixels = X / np.linalg.norm(X, axis=1, keepdims=True)
    result = {
        "estimator": estimator, "dataset": dataset, "mode": mode, "seed": seed,
        "n_samples": len(target), "params": json.loads(json.dumps(params)),
        "estimator_params": estimator_params(model),
        "fit_seconds": seconds, "stage_seconds": model.stage_seconds_, "n_iter": model.n_iter_,
        "fine_tune_seconds_per_epoch": model.stage_seconds_["fine_tune"] / model.n_iter_,
        "peak_rss_bytes": peak_rss_bytes(), "rss_before_fit_bytes": rss_before,
        "final_loss_terms": {name: values[-1] for name, values in model.loss_terms_.items()},
        "first_loss_terms": {name: values[0] for name, values in model.loss_terms_.items()},
        "effective_rank": effective_rank(model.embedding_),
        "effective_rank_pixels": effective_rank(pixels),
        "feature_change": float(np.linalg.norm(model.embedding_ - pixels) / np.linalg.norm(pixels))
        if model.embedding_.shape == pixels.shape else None,
        "acc_dsc_post": clustering_accuracy(target, model.labels_),
        "nmi_dsc_post": normalized_mutual_info_score(target, model.labels_),
        "machine": machine(device), "commit": git_commit(),
    }
    if torch.device(device).type == "cuda":
        result["cuda_max_memory_allocated_bytes"] = int(torch.cuda.max_memory_allocated(device))
    if model.n_starts > 1:  # the estimator's own affinity is the mean of the starts'
        labels = spectral_labels(model.affinity_matrix_.astype(np.float64), k,
                                 assign_labels=params["assign_labels"], n_init=MEDOID_STARTS,
                                 random_state=seed)
        result["acc_dsc_post_medoid"] = clustering_accuracy(target, labels)
        if params["self_expression"] == "closed_form" and not sparse.issparse(model.coef_):
            # each start alone under the same spectral step, and every start's features kept
            solver = ClosedFormSelfExpression(params["beta"] / params["alpha"])
            result["acc_starts"] = [clustering_accuracy(target, spectral_labels(
                affinity_from_coefficients(solver.coefficients(torch.as_tensor(z)).numpy(),
                                           post_processing=params["post_processing"], n_clusters=k,
                                           params=params.get("post_processing_params")),
                k, assign_labels=params["assign_labels"], random_state=seed)) for z in model.start_embeddings_]
            result["start_embeddings_file"] = save_embedding(np.stack(model.start_embeddings_), result)
        return result
    result["embedding_file"] = save_embedding(model.embedding_, result)
    closed_form = params["self_expression"] == "closed_form"
    if closed_form:  # the dense C once: the faces' rule and the published protocol need it
        solver = ClosedFormSelfExpression(params["beta"] / params["alpha"])
        bank = torch.as_tensor(model.embedding_)
        dense = solver.coefficients(bank).numpy() if sparse.issparse(model.coef_) else model.coef_
    columns = [("", None, None)]
    if dataset in PUBLISHED_POST:  # (none published for COIL-100 at 32x32)
        columns.append(("_published", "dsc", PUBLISHED_POST[dataset]))
    for column, post, extra in columns:
        coef = model.coef_
        if column == "_published" and sparse.issparse(coef):  # DSC-Net's post-processing is for a dense C
            coef = dense
            result["published_from_dense_c"] = True
        affinity = affinity_from_coefficients(coef, post_processing=post, n_clusters=k,
                                              params=extra)
        labels = spectral_labels(affinity, k, assign_labels=params["assign_labels"], random_state=seed)
        result["acc" + column] = clustering_accuracy(target, labels)
        result["nmi" + column] = normalized_mutual_info_score(target, labels)
    # the preset's affinity, labels from the medoid of MEDOID_STARTS discretisations
    affinity = affinity_from_coefficients(model.coef_, post_processing=params["post_processing"],
                                          n_clusters=k, params=params.get("post_processing_params"))
    labels = spectral_labels(affinity, k, assign_labels=params["assign_labels"], n_init=MEDOID_STARTS,
                             random_state=seed)
    result["acc_dsc_post_medoid"] = clustering_accuracy(target, labels)
    if closed_form:  # the faces' rule (dense C, the one DSC setting); C's top k per row, plain
        labels = spectral_labels(affinity_from_coefficients(dense, post_processing="dsc", n_clusters=k), k,
                                 assign_labels=params["assign_labels"], random_state=seed)
        result["acc_dense_dsc_post"] = clustering_accuracy(target, labels)
        result["acc_top_k"] = {}
        for n_nonzero in TOP_KS:
            affinity = affinity_from_coefficients(
                top_k_csr(*solver.top_k_coefficients(bank, n_nonzero), len(bank)))
            labels = spectral_labels(affinity, k, assign_labels=params["assign_labels"], random_state=seed)
            result["acc_top_k"][str(n_nonzero)] = clustering_accuracy(target, labels)
    return result


def published(runs):
    """The published-protocol cell: "n/a" where none is published or not comparable."""
    if "acc_published" not in runs[0] or not all(map(published_is_comparable, runs)):
        return "n/a"
    return mean_std([r["acc_published"] for r in runs])


def top_k(runs):
    """The ``acc_top_k`` cell of a group of runs ("n/a" when a run has none)."""
    if not all("acc_top_k" in r for r in runs):
        return "n/a"
    return " / ".join(mean_std([r["acc_top_k"][str(n)] for r in runs]) for n in TOP_KS)


def markdown(results):
    lines = [
        "| estimator | dataset | mode | seeds | ACC (the preset's affinity) | ACC (the same, medoid "
        "of 20 discretisations) | ACC (plain) "
        "| ACC (top-k of C, plain; k = " + " / ".join(map(str, TOP_KS)) + ") | ACC (dense C, DSC post) "
        "| NMI (DSC post) | published protocol: ACC (label-tuned post) | effective rank "
        "(pixels) | fit time (s) | s/epoch | peak RSS (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = {}
    for run in results.values():
        groups.setdefault((run["estimator"], run["dataset"], run["mode"]), []).append(run)
    for (estimator, dataset, mode), runs in sorted(groups.items()):
        col = lambda key: [r[key] for r in runs]  # noqa: E731
        lines.append(
            f"| {estimator} | {dataset} | {mode} | {len(runs)} | {mean_std(col('acc_dsc_post'))} "
            f"| {mean_std(col('acc_dsc_post_medoid')) if all('acc_dsc_post_medoid' in r for r in runs) else 'n/a'} "
            f"| {mean_std(col('acc')) if all('acc' in r for r in runs) else 'n/a'} | {top_k(runs)} "
            f"| {mean_std(col('acc_dense_dsc_post')) if all('acc_dense_dsc_post' in r for r in runs) else 'n/a'} "
            f"| {mean_std(col('nmi_dsc_post'))} | {published(runs)} "
            f"| {mean_std(col('effective_rank'))} ({runs[0]['effective_rank_pixels']:.1f}) "
            f"| {mean_std(col('fit_seconds'))} | {mean_std(col('fine_tune_seconds_per_epoch'))} "
            f"| {mean_std([r['peak_rss_bytes'] / 2**20 for r in runs])} |"
        )
    any_run = next(iter(results.values()), None)
    if any_run:
        m = any_run["machine"]
        commits = sorted({r["commit"] for r in results.values()})
        lines += ["", f"Machine: {m['processor']}, {m['cpu_count']} CPUs, device {m['device']}, "
                      f"torch threads {sorted({r['machine']['torch_threads'] for r in results.values()})}; "
                      f"{m['platform']}; versions {m['versions']}. Commits: {', '.join(commits)}.",
                  "Final iterate, presets of deepsubspace.presets (architecture 'residual'). "
                  "'published protocol': the same C with DSC-Net's per-dataset post-processing "
                  "from its public code, tuned with labels by its authors (not this package's result)."]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--estimator", default="MiniBatchDSC",
                        choices=["MiniBatchDSC", "ContrastiveMiniBatchDSC"])
    parser.add_argument("--datasets", nargs="+", default=["orl", "coil20", "extended_yaleb"])
    parser.add_argument("--modes", nargs="+", default=["minibatch"],
                        help=f"of {sorted(MODES)}, {ANCHOR_MODE}F (input_anchor = F * beta), "
                             f"{BATCH_MODE}R (batches of R * n_clusters), {STARTS_MODE}N (N starts) or "
                             + ", ".join(f"{scaled}F" for scaled in SCALE_MODES) + " (times F)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--output", default=None)
    add_jobs_argument(parser)
    parser.add_argument("--one", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        estimator, dataset, mode, seed = args.one
        print(json.dumps(run_one(estimator, dataset, mode, int(seed), args.device)))
        return
    output = args.output or os.path.join(RESULTS, f"wellposed_{args.estimator.lower()}.json")
    keys = [(args.estimator, d, m, s) for m in args.modes for d in args.datasets for s in args.seeds]
    results = run_resumable(
        __file__, keys, output, ["--device", args.device], markdown=markdown, jobs=args.jobs,
        summary=lambda r: f"ACC {r['acc_dsc_post']:.3f} (plain {r.get('acc', float('nan')):.3f}, published "
                          f"{r.get('acc_published', float('nan')):.3f})",
    )
    print(markdown(results))


if __name__ == "__main__":
    main()

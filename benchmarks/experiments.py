"""Every benchmark experiment, declared once: name -> script, arguments, status.

``python -m benchmarks run NAME`` runs the script once per argument list with
its results directed to ``benchmarks/results/NAME/`` and writes
``manifest.json`` there (script, arguments, commit, machine, status).
Registering a new script is one entry of :data:`EXPERIMENTS`.

Statuses:

* ``current``: figures the package reports now (``report.py`` reads some);
* ``diagnostic``: a disclosed side experiment (label-free checks, post-hoc or
  not-the-preset runs), never a headline figure;
* ``oracle``: uses the test labels to pick settings: NOT an accuracy of a method;
* ``history``: the superseded learned-C presets (``docs/history.rst``).

In an argument, ``{results}`` stands for the experiment's results folder.
"""

from dataclasses import dataclass
from typing import Tuple

STATUSES = ("current", "diagnostic", "oracle", "history")
#: the objects family's development set (``_common.development_set``)
OBJECT_DEV = tuple(f"coil100_group{g}" for g in range(5))


@dataclass(frozen=True)
class Experiment:
    """One experiment: ``script`` (in ``benchmarks/``) run once per argument list of ``runs``."""

    script: str
    runs: Tuple[Tuple[str, ...], ...] = ((),)
    status: str = "current"
    about: str = ""


def _table1_set(datasets, overrides, name, architecture="dsc"):
    """A table1.py run with preset overrides (``--set``) into its own file."""
    return (("--datasets", *datasets, "--modes", "minibatch", "--architecture", architecture,
             "--set", *overrides, "--output", "{results}/" + name + ".json"),)


def _shallow_baselines(dataset, name):
    """A compare_baselines.py run of the shallow methods on ``dataset`` into ``name``.json / .md."""
    return (("--datasets", dataset, "--methods", "kmeans", "spectral_knn", "lsr", "lsr+dsc", "ssc", "ensc",
             "--json", "{results}/" + name + ".json", "--markdown", "{results}/" + name + ".md"),)


def _digits_against_the_faces_rule(candidate, name):
    """A wellposed.py run on the digits development set: the faces' rules (batches of
    n_clusters) without and with the mode ``candidate``, into ``name``.json."""
    return (("--datasets", "digits", "--modes", "batch_per_cluster=1", f"batch_per_cluster=1+{candidate}",
             "--output", "{results}/" + name + ".json"),)


EXPERIMENTS = {
    # --- current -------------------------------------------------------------------------
    "wellposed_minibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--modes", "minibatch", "fullbatch"),),
        about="MiniBatchDSC residual presets, ORL / COIL-20 / Extended Yale B, 5 seeds (main table)"),
    "wellposed_contrastiveminibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "ContrastiveMiniBatchDSC"),),
        about="ContrastiveMiniBatchDSC residual presets, 5 seeds (main table)"),
    # fixed on 2026-12-07 before its run, with ORL's 90-step full-batch figure (0.787) known: the
    # residual rules' ~900 optimiser steps, which the "fullbatch" mode does not apply (90 steps)
    "wellposed_fullbatch_steps_minibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "orl", "--modes", "fullbatch_steps",
                          "--jobs", "2"),),
        about="MiniBatchDSC residual presets full batch at the rules' ~900 optimiser steps (900 epochs), "
              "5 seeds; ORL only here (COIL-20 and Extended Yale B would take about 1 h and 5 h per fit "
              "on this CPU: wellposed_fullbatch_steps_gpu)"),
    "wellposed_fullbatch_steps_gpu": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "extended_yaleb", "coil20",
                          "--modes", "fullbatch_steps", "--device", "cuda", "--jobs", "5"),),
        about="the same on COIL-20 and Extended Yale B on a GPU (benchmarks/gpu.sh "
              "wellposed_fullbatch_steps_gpu; not run yet: no GPU lent)"),
    "wellposed_collapse_stop_minibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--modes", "collapse_stop"),),
        about="MiniBatchDSC residual presets with the label-free stop collapse_tol=0, 5 seeds"),
    "wellposed_collapse_stop_contrastiveminibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "ContrastiveMiniBatchDSC", "--modes", "collapse_stop"),),
        about="ContrastiveMiniBatchDSC residual presets with the label-free stop collapse_tol=0, 5 seeds"),
    "wellposed_input_anchor_minibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--modes", "input_anchor=100"),),
        about="MiniBatchDSC residual presets with input_anchor = 100 * beta (fixed on the digits "
              "development set, input_anchor_digits, before any benchmark label was read with it), 5 seeds"),
    "wellposed_input_anchor_medoid_minibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--modes", "input_anchor=100"),),
        about="as wellposed_input_anchor_minibatchdsc (rerun at the commit that adds the column "
              "acc_dsc_post_medoid: labels from the medoid of 20 discretisations), 5 seeds"),
    "compare_baselines_medoid": Experiment(
        "compare_baselines.py", (("--methods", "lsr+dsc", "ssc", "ensc", "--n-init", "20",
                                  "--json", "{results}/compare_baselines_medoid.json",
                                  "--markdown", "{results}/compare_baselines_medoid.md"),),
        about="the self-expressive shallow rows with labels from the medoid of 20 discretisations, "
              "5 seeds"),
    "compare_baselines_lsr_top3": Experiment(
        "compare_baselines.py", (("--methods", "lsr+top3", "--json", "{results}/compare_baselines_lsr_top3.json",
                                  "--markdown", "{results}/compare_baselines_lsr_top3.md"),),
        about="LSR with the objects family's rule of the deep presets (C's 3 largest entries per row, "
              "plain affinity) on ORL, COIL-20, Extended Yale B, 5 seeds (main table)"),
    "compare_baselines": Experiment(
        "compare_baselines.py", about="shallow baselines on raw pixels, 5 seeds (main table)"),
    "scale": Experiment(
        "scale.py", (("--sizes", "10000", "20000", "50000", "100000"),),
        about="SENet, MiniBatchDSC (sparse C) and EnSC against N = 10k .. 100k: time split, "
              "peak RSS, ARI (20 subspaces of dim 6 in R^60)"),
    "senet_synthetic": Experiment(
        "senet_synthetic.py", about="paper 004 Table 1: SENet vs EnSC on 5 subspaces of dim 6 "
                                    "in R^9 (L, SRE, CONN, ACC; train and test)"),
    "step_cost_closed_form": Experiment(
        "step_cost.py", about="time and memory of one closed-form step, N = 1,000 .. 64,000"),
    "ensc_speed": Experiment(
        "ensc_speed.py", (("--threads", "1"),), about="EnSC coefficient step, COIL-20 and COIL-100"),
    "scale_gpu": Experiment(
        "scale.py", (("--sizes", "100000", "--methods", "senet", "minibatch_dsc", "--device", "cuda"),),
        about="the scale benchmark's largest N on a GPU (benchmarks/gpu.sh; not run yet: no GPU lent)"),
    "structural_dsc_net_budget_gpu": Experiment(
        "structural.py", (("--budget", "dsc_net", "--datasets", "extended_yaleb", "coil20", "orl",
                           "--device", "cuda", "--jobs", "8"),),
        about="StructuralContrastiveDSC 'dsc' presets (paper 003) at DSC-Net's epochs (1000 pre-training; "
              "fine-tuning ORL 700, COIL-20 40, Extended Yale B 1000), 5 seeds, on a GPU "
              "(benchmarks/gpu.sh structural_dsc_net_budget_gpu; not run yet: no GPU lent)"),
    "table1_coil100_gpu": Experiment(
        "table1.py", (("--datasets", "coil100", "--modes", "minibatch", "fullbatch", "--seeds", "0", "1",
                       "2", "--device", "cuda"),),
        about="paper 000 Table 1 on COIL-100 (32x32 gray), mini-batch vs full batch: CUDA peak memory "
              "and time per epoch (benchmarks/gpu.sh; not run yet: no GPU lent)"),
    "clbdsc_coil100": Experiment(
        "clbdsc.py", (("--dataset", "coil100"),),
        about="paper 000 section 4.3: ResNet-18 CLBDSC on COIL-100, 128x128 RGB (GPU; not run yet: "
              "its decoded data, 171 MB compressed, is over a device's 64 MiB carry limit)"),
    "coil100_minibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "coil100"),),
        about="MiniBatchDSC residual preset on COIL-100 (32x32 gray, N = 7,168), 5 seeds"),
    "coil100_baselines": Experiment(
        "compare_baselines.py", (("--datasets", "coil100", "--methods", "spectral_knn", "lsr",
                                  "lsr+dsc", "ssc", "ensc"),),
        about="shallow baselines on COIL-100 raw pixels (32x32 gray), 5 spectral seeds"),
    "coil100_lsr_top3": Experiment(
        "compare_baselines.py", (("--datasets", "coil100", "--methods", "lsr+top3"),),
        about="LSR with the objects family's rule (C's 3 largest entries per row, plain) on COIL-100 "
              "raw pixels (32x32 gray; COIL-100 is the objects' development set), 5 spectral seeds"),
    "coil100_senet": Experiment(
        "compare_baselines.py", (("--datasets", "coil100", "--methods", "senet"),),
        about="SelfExpressiveNetwork (defaults) on COIL-100 raw pixels (32x32 gray), 5 seeds"),
    "out_of_sample_coil100": Experiment(
        "out_of_sample.py", about="fit on alternate views of every COIL-100 object, predict the others "
                                  "(MiniBatchDSC preset, SelfExpressiveNetwork defaults), 3 seeds"),
    "structural": Experiment(
        "structural.py", about="StructuralContrastiveDSC paper-003 presets (learned C), ORL / COIL-20 / "
                                "Extended Yale B, 5 seeds"),
    "structural_k_ablation": Experiment(
        "structural.py", (("--datasets", "orl", "--seeds", "0", "1", "2", "--n-neighbors", "0", "10", "20"),),
        about="paper 003 Figure 3: the number of excluded neighbours k on ORL (3 seeds)"),
    "structural_closed_form": Experiment(
        "structural.py", (("--architecture", "closed_form"),),
        about="StructuralContrastiveDSC 'closed_form' presets (paper 003 networks, closed-form C), "
              "ORL / COIL-20 / Extended Yale B, 5 seeds"),
    "structural_residual": Experiment(
        "structural.py", (("--architecture", "residual"),),
        about="StructuralContrastiveDSC 'residual' presets (the residual presets' rules with paper 003's "
              "structural contrast), ORL / COIL-20 / Extended Yale B, 5 seeds"),
    "momentum_ablation": Experiment(
        "momentum_ablation.py", about="paper 000 Figure 4 on COIL-20: batch size x learning rate, "
                                      "with and without bank_momentum, 3 seeds (~2 CPU-hours)"),
    # --- diagnostic ----------------------------------------------------------------------
    "diagnostic_linear_branch": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--modes", "linear_branch"),), "diagnostic",
        "MiniBatchDSC residual presets with a linear residual branch (activation 'identity'), 5 seeds"),
    "spectral_restarts": Experiment(
        "spectral_restarts.py", ((), ("--sources", "preset", "--datasets", "extended_yaleb", "coil20",
                                      "--seeds", "0", "1")),
        about="ACC over 10 spectral seeds and the ACC of the smallest normalised cut: LSR on the "
              "pixels, MiniBatchDSC after one epoch (5 seeds) and after the preset (2 seeds)",
        status="diagnostic"),
    "spectral_medoid_yaleb": Experiment(
        "spectral_restarts.py", (("--datasets", "extended_yaleb", "--sources", "lsr", "epoch1", "--seeds",
                                  "1", "3", "4", "--restarts", "20"),),
        about="Extended Yale B: 20 starts of the discretisation of one embedding (LSR on the pixels; "
              "MiniBatchDSC after one epoch, the model seeds that hit the 0.93 mode): ACC of each, of "
              "the best discretisation objective and of their medoid", status="diagnostic"),
    "spectral_restarts_anchored_yaleb": Experiment(
        "spectral_restarts.py", (("--datasets", "extended_yaleb", "--sources", "lsr", "preset", "--restarts",
                                  "20", "--jobs", "2"),),
        about="Extended Yale B, the anchored MiniBatchDSC preset (5 model seeds) and LSR on the pixels: "
              "ACC over 20 spectral seeds each, so that the table's 5-draw gap is set against each "
              "C's mean over the discretisation's modes", status="diagnostic"),
    "spectral_restarts_anchored_yaleb_contrastive": Experiment(
        "spectral_restarts.py", (("--datasets", "extended_yaleb", "--sources", "preset", "--estimator",
                                  "ContrastiveMiniBatchDSC", "--restarts", "20", "--jobs", "2"),),
        about="The same for the anchored ContrastiveMiniBatchDSC Yale B preset (5 model seeds)",
        status="diagnostic"),
    "spectral_anatomy_yaleb": Experiment(
        "spectral_restarts.py", (("--datasets", "extended_yaleb", "--sources", "lsr", "preset", "--seeds", "0",
                                  "1", "--restarts", "20", "--jobs", "2"),
                                 ("--datasets", "coil100_shadowed", "--sources", "lsr", "--restarts", "20")),
        about="Where the Extended Yale B errors are, in the 0.97 and the 0.93 mode: largest cluster and the "
              "share of misassigned samples among the darkest quarter (LSR on the pixels; the anchored "
              "MiniBatchDSC preset, model seeds 0 and 1, the table's 0.97 and 0.93 draws); LSR on the "
              "shadowed development set, whether it has the same anatomy", status="diagnostic"),
    "spectral_anatomy_yaleb_unanchored": Experiment(
        "spectral_restarts.py", (("--datasets", "extended_yaleb", "--sources", "preset", "--seeds", "0", "1",
                                  "--restarts", "20", "--jobs", "2", "--set", "input_anchor=0",
                                  "--output", "{results}/spectral_restarts_unanchored.json"),),
        about="The same anatomy for the Yale B preset without its anchor (the rule before 2026-12-07, "
              "0.894): does deep training place the darkest images better or worse than the pixels' C?",
        status="diagnostic"),
    "spectral_anatomy_shadowed_unanchored": Experiment(
        "spectral_restarts.py", (("--datasets", "coil100_shadowed", "--sources", "preset", "--seeds", "0", "1",
                                  "--restarts", "20", "--jobs", "2", "--set", "input_anchor=0",
                                  "--output", "{results}/spectral_restarts_unanchored.json"),),
        about="The same on the shadowed development set (MiniBatchDSC with Yale B's rules there, no "
              "anchor; it scored 0.831 against LSR's 0.921): does the set reproduce the dark-image "
              "cluster of the unanchored Yale B fits?", status="diagnostic"),
    # chosen after the anatomy runs above (so a diagnostic): a residual branch without biases and
    # with ReLU is positively homogeneous, so a dark image's unit-norm features equal a bright copy's
    "spectral_anatomy_homogeneous": Experiment(
        "spectral_restarts.py", tuple(
            ("--datasets", dataset, "--sources", "preset", "--seeds", "0", "1", "--restarts", "20",
             "--jobs", "2", "--set", "input_anchor=0",
             'encoder_params={"hidden": [16], "kernel_size": 3, "activation": "relu", "bias": false}',
             "--output", "{results}/spectral_restarts_" + dataset + ".json")
            for dataset in ("extended_yaleb", "coil100_shadowed")),
        about="The unanchored Yale B rule (and the shadowed set's) with a bias-free ReLU residual branch, "
              "whose unit-norm features do not depend on a sample's brightness: does the darkest images' "
              "cluster go, and what ACC is left?", status="diagnostic"),
    "spectral_anatomy_homogeneous_seeds": Experiment(
        "spectral_restarts.py", (("--datasets", "extended_yaleb", "--sources", "preset", "--seeds", "2", "3", "4",
                                  "--restarts", "20", "--jobs", "2", "--set", "input_anchor=0",
                                  'encoder_params={"hidden": [16], "kernel_size": 3, "activation": "relu", '
                                  '"bias": false}',
                                  "--output", "{results}/spectral_restarts_extended_yaleb.json"),),
        about="spectral_anatomy_homogeneous's Yale B run for model seeds 2-4 (its seeds 0 and 1 scored 0.924 "
              "and 0.972 averaged over 20 spectral seeds): how often does a fit escape the dark cluster?",
        status="diagnostic"),
    "diagnostic_homogeneous_branch_orl": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "orl", "--modes", "homogeneous_branch",
                          "--jobs", "2"),), "diagnostic",
        "MiniBatchDSC's ORL preset with the bias-free ReLU residual branch (spectral_anatomy_homogeneous's "
        "encoder; ORL has no anchor): does ORL keep its gain over LSR with it? 5 seeds"),
    # the objects family's development set (fixed before it was run): the candidate that scores
    # best here over the 5 groups becomes COIL-20's affinity rule and anchor weight
    "objects_dev_minibatchdsc": Experiment(
        "wellposed.py", (("--datasets", *OBJECT_DEV, "--modes", "minibatch", "input_anchor=100",
                          "--seeds", "0", "--output", "{results}/objects_dev_minibatchdsc.json"),),
        "diagnostic", "development set of the objects family (five 20-object groups of COIL-100, COIL-20's "
                      "rules): MiniBatchDSC with input_anchor 0 and 100 x beta, one seed per group; C scored "
                      "dense with DSC post and as its top k = 3, 5, 10 entries per row, plain"),
    "objects_dev_baselines": Experiment(
        "compare_baselines.py", (("--datasets", *OBJECT_DEV, "--methods", "kmeans", "spectral_knn", "lsr",
                                  "lsr+dsc", "ssc", "ensc", "--json", "{results}/objects_dev_baselines.json",
                                  "--markdown", "{results}/objects_dev_baselines.md"),),
        "diagnostic", "shallow baselines on the objects family's development set, 5 seeds"),
    "objects_dev_lsr_top_k": Experiment(
        "lsr_top_k.py", (("--datasets", *OBJECT_DEV, "--ks", "3", "5", "10",
                          "--output", "{results}/objects_dev_lsr_top_k.json"),),
        "diagnostic", "LSR's pixel C with its k largest entries per row on the objects family's "
                      "development set, 5 spectral seeds"),
    "lsr_top_k": Experiment(
        "lsr_top_k.py", about="LSR's pixel C with only its k largest entries per row (k = 3 .. 50), plain "
                              "affinity, 5 spectral seeds; digits (development set), ORL, COIL-20, "
                              "Extended Yale B", status="diagnostic"),
    "epoch_signals_digits": Experiment(
        "epoch_signals.py", (("--datasets", "digits", "--seeds", "0", "1", "2", "3", "4"),), "diagnostic",
        "label-free spectral signals after every fine-tuning epoch, development set (8x8 digits), "
        "MiniBatchDSC residual rules, 5 seeds"),
    "epoch_signals_orl_coil20": Experiment(
        "epoch_signals.py", (("--datasets", "orl", "coil20", "--seeds", "0", "1", "2", "3", "4"),),
        "diagnostic", "label-free spectral signals after every fine-tuning epoch and the "
        "relaxed-cut stopping rule fixed on digits: MiniBatchDSC residual presets, 5 seeds"),
    "epoch_signals_yaleb": Experiment(
        "epoch_signals.py", (("--datasets", "extended_yaleb", "--seeds", "0", "1", "2", "3", "4"),),
        "diagnostic", "as epoch_signals_orl_coil20, Extended Yale B"),
    "input_anchor_digits": Experiment(
        "wellposed.py", (("--datasets", "digits", "--modes", "minibatch", *(f"input_anchor={f}" for f in
                          ("1", "10", "100", "1000", "10000")), "--output", "{results}/input_anchor_digits.json"),),
        "diagnostic", "development set (8x8 digits): the MiniBatchDSC residual rules with input_anchor = "
        "F * beta, F = 0 .. 10^4, 5 seeds; chooses F before any benchmark label is read with it"),
    "batch_rule_digits": Experiment(
        "wellposed.py", (("--datasets", "digits", "--modes", "minibatch", "batch_per_cluster=1",
                          "--output", "{results}/batch_rule_digits.json"),),
        "diagnostic", "development set (8x8 digits): MiniBatchDSC residual rules with batches of 32 "
        "(the rule) or of n_clusters samples (about 900 steps both), 5 seeds; registered before "
        "running: batches of n_clusters become the faces family's rule if their mean ACC beats the "
        "current rule's by more than 0.005"),
    "rate_reduction_digits": Experiment(
        "wellposed.py", _digits_against_the_faces_rule("rate_reduction", "rate_reduction_digits"),
        "diagnostic", "development set (8x8 digits) at the faces' rules (MiniBatchDSC residual rules, batches "
        "of n_clusters, about 900 steps), without and with rate_reduction=True (the coding-rate term as "
        "MCR^2 over the estimator's own clusters, same weight), 5 seeds; registered before running: "
        "rate_reduction becomes the faces family's rule (ORL, Extended Yale B; both residual presets, "
        "and through them StructuralContrastiveDSC's 'residual') if its mean ACC beats the rule's by "
        "more than 0.005"),
    "rate_reduction_objects_dev": Experiment(
        "wellposed.py", (("--datasets", *OBJECT_DEV, "--modes", "minibatch", "rate_reduction",
                          "--seeds", "0", "--output", "{results}/rate_reduction_objects_dev.json"),),
        "diagnostic", "development set of the objects family (five 20-object groups of COIL-100 with "
        "COIL-20's preset, its top-3 rule included), without and with rate_reduction=True, one seed per "
        "group; registered before running: rate_reduction becomes the objects family's rule (COIL-20, "
        "COIL-100; both residual presets) if its mean ACC over the groups beats the rule's by more "
        "than 0.005. Found on 2026-12-07: both arms ran with COIL-20's anchor copied as is (19,000), "
        "146-194 x each group's beta instead of 100 x (residual_rules now keeps the multiple)"),
    "wellposed_rate_reduction_minibatchdsc": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--modes", "rate_reduction"),),
        "diagnostic", "MiniBatchDSC residual presets with rate_reduction=True, ORL / COIL-20 / Extended "
        "Yale B, 5 seeds; registered with the two development-set decisions above, before any of "
        "the three data sets' labels was read with it: a family's rows become its preset's "
        "figures where its development set adopts the rule, and stay a disclosed variant where "
        "it does not"),
    "rate_gradients": Experiment(
        "rate_gradients.py", status="diagnostic",
        about="label-free: per-row gradient of the batch coding rate, the bank's coding rate and "
              "MCR^2's compression on the unit-norm pixels, at the presets' batch sizes"),
    "bank_rate_digits": Experiment(
        "wellposed.py", _digits_against_the_faces_rule("bank_rate", "bank_rate_digits"),
        "diagnostic", "development set (8x8 digits) at the faces' rules, the coding rate over the batch "
        "(the rule) or over the bank (coding_rate_scope='bank'), 5 seeds; registered before running: "
        "the bank's rate becomes the faces family's rule (ORL, Extended Yale B; both residual "
        "presets and StructuralContrastiveDSC's 'residual') if its mean ACC beats the rule's by more "
        "than 0.005"),
    "faces_shaped_coding_rate": Experiment(
        "wellposed.py", (("--datasets", "coil100_orl_shape", "--modes", "minibatch", "batch_rate",
                          "--output", "{results}/faces_shaped_coding_rate.json"),),
        "diagnostic", "COIL-100 objects shaped like ORL (40 x 10 views, 32x32: N < h), the ORL preset's "
        "rules with the bank's coding rate (the rule) and the batch's, 5 seeds. Registered after ORL "
        "had lost with the bank's rate, so it changes no preset: it asks whether a development set "
        "with ORL's geometry would have told what the digits set did not"),
    "faces_shaped_dev_baselines": Experiment(
        "compare_baselines.py", (("--datasets", "coil100_orl_shape", "coil100_yaleb_shape", "--methods",
                                  "lsr+dsc", "spectral_knn", "--json", "{results}/faces_shaped_dev_baselines.json",
                                  "--markdown", "{results}/faces_shaped_dev_baselines.md"),),
        "diagnostic", "LSR (DSC post) and the kNN graph on the faces-shaped development sets, 5 seeds"),
    "relit_dev_baselines": Experiment(
        "compare_baselines.py", _shallow_baselines("coil100_relit", "relit_dev_baselines"),
        "diagnostic", "shallow baselines on the relit development set (38 COIL-100 objects, one pose, "
        "64 lightings, 48x42: made like Extended Yale B), 5 seeds. Disclosed: the set's make (one "
        "ellipsoid for all objects, each albedo averaged with the mean albedo, a Phong highlight of "
        "0.1) was picked among 15 variants, before any deep run on it, as the one whose LSR, LSR+DSC, "
        "SSC and kNN figures (seed 0) came closest to Extended Yale B's known 0.699 / 0.966 / 0.639 / "
        "0.218 (largest difference 0.158, plain LSR); the first make (each object's own rounded "
        "silhouette, no highlight) was far too easy (SSC 1.000, kNN 0.788)"),
    "relit_faces_rules": Experiment(
        "wellposed.py", (("--datasets", "coil100_relit", "--modes", "minibatch", "batch_rate",
                          "batch_per_cluster=3.37+batch_rate", "input_anchor=100", "--seeds", "0", "1",
                          "--output", "{results}/relit_faces_rules.json"),),
        "diagnostic", "the relit development set at Extended Yale B's preset rules: the faces' rule "
        "(the bank's coding rate, batches of n_clusters), the batch's coding rate, the batch's rate at "
        "the paper's batches of 128, and input_anchor = 100 * beta; seeds 0 and 1. Registered on "
        "2026-12-02 before any run on this set: the candidate with the highest mean ACC (DSC post) "
        "becomes the faces family's rule (ORL, Extended Yale B; both residual presets and "
        "StructuralContrastiveDSC's 'residual') if it beats the faces' rule by more than 0.005. "
        "Disclosed: the candidates are the faces' earlier rules and the anchor, whose Yale B scores "
        "(0.713, 0.894, 0.944 against the rule's 0.707) are known. Outcome: batches of 128 with the "
        "batch's rate won (0.994 against 0.795) and became the faces' rule; since then the mode "
        "'minibatch' of this set means that rule (the run recorded each run's parameters)"),
    "posed_dev_baselines": Experiment(
        "compare_baselines.py", _shallow_baselines("coil100_posed", "posed_dev_baselines"),
        "diagnostic", "shallow baselines on the posed development set (40 COIL-100 objects, ten images "
        "each under a near-frontal light in a slightly varied pose, 32x32: made like ORL), 5 seeds. "
        "Disclosed: the set's make (light range, pose range, albedo mix) was picked among 9 variants, "
        "before any deep run on it, as the one whose LSR, LSR+DSC, SSC and kNN figures (seed 0: 0.743 / "
        "0.810 / 0.795 / 0.657) came closest to ORL's known 0.745 / 0.798 / 0.738 / 0.640"),
    "posed_orl_rules": Experiment(
        "wellposed.py", (("--datasets", "coil100_posed", "--modes", "minibatch", "batch_per_cluster=0.8",
                          "batch_per_cluster=1", "--seeds", "0", "1",
                          "--output", "{results}/posed_orl_rules.json"),),
        "diagnostic", "the posed development set at ORL's preset rules: the batches of 128 in force, "
        "the paper's ORL batches of 32 (0.8 * n_clusters) and batches of n_clusters (40), all with the "
        "batch's coding rate; seeds 0 and 1. Registered on 2026-12-02 before any deep run on this set: "
        "the candidate with the highest mean ACC (DSC post) becomes ORL's batch size (both residual "
        "presets and StructuralContrastiveDSC's 'residual') if it beats the batches of 128 by more "
        "than 0.005; Extended Yale B keeps its batches of 128 (chosen on the relit set). Disclosed: "
        "ORL's MiniBatchDSC figures of batches of 128 (0.730) and of the paper's 32 with the batch's "
        "rate (0.849, with a coding-rate weight chosen on ORL's labels) are known. Outcome: batches of "
        "n_clusters won (0.877; the paper's 32 0.869, batches of 128 0.787 against the set's LSR+DSC "
        "0.809) and became ORL's batch size"),
    "shadowed_dev_baselines": Experiment(
        "compare_baselines.py", _shallow_baselines("coil100_shadowed", "shadowed_dev_baselines"),
        "diagnostic", "shallow baselines on the shadowed development set (the relit set's 38 COIL-100 "
        "objects and albedos on the ellipsoid raised by a common nose-like bump and each object's own "
        "relief, 64 lights over azimuth +-120 and elevation -40..85 degrees, cast shadows, 48x42: made "
        "like Extended Yale B), 5 seeds. Disclosed: the make (relief, bump, light range) was picked "
        "among 15 variants on 2026-12-07, before any deep run on it, as the one whose LSR, LSR+DSC, SSC "
        "and kNN figures (seed 0: 0.715 / 0.921 / 0.574 / 0.153) came closest to Extended Yale B's "
        "known 0.699 / 0.966 / 0.639 / 0.218 (largest difference 0.065)"),
    "shadowed_yaleb_rules": Experiment(
        "wellposed.py", (("--datasets", "coil100_shadowed", "--modes", "minibatch", "input_anchor=100",
                          "coding_rate=0.3", "coding_rate=3", "learning_rate=0.1", "--seeds", "0", "1",
                          "--jobs", "2", "--output", "{results}/shadowed_yaleb_rules.json"),),
        "diagnostic", "the shadowed development set at Extended Yale B's preset rules (MiniBatchDSC, "
        "seeds 0 and 1): the rule in force (the batch's coding rate on batches of 128, 48 epochs), "
        "input_anchor = 100 * beta, the coding-rate weight times 0.3 and times 3, the learning rate "
        "times 0.1. Registered on 2026-12-07 before any deep run on this set: if the rule in force "
        "scores below the set's LSR+DSC (5-seed mean of shadowed_dev_baselines), the set reproduces "
        "Yale B's loss and the candidate with the highest mean ACC (DSC post) becomes Extended Yale B's "
        "rule (both residual presets and StructuralContrastiveDSC's 'residual') if it beats the rule in "
        "force by more than 0.005; if the rule in force does not lose to LSR there, the set chooses "
        "nothing. Disclosed: Yale B's figures of the rule in force (0.894) and of the anchor (0.944) "
        "are known, those of the other three are not; the coding-rate candidates were motivated by a "
        "label-free reading (on Yale B the preset's features spread to effective rank 27.7 against "
        "the pixels' 16.7, and the weight alpha / 30 was chosen with ORL's labels). Outcome: the set "
        "reproduces Yale B's loss (the rule in force 0.831 against LSR+DSC 0.921); the anchor won "
        "(0.924; coding rate x0.3 0.797, x3 0.831, learning rate x0.1 0.847) and became Extended "
        "Yale B's rule"),
    "yaleb_branch_rules": Experiment(
        "wellposed.py", (("--datasets", "coil100_relit", "--modes", "input_anchor=100",
                          "homogeneous_branch+input_anchor=0", "homogeneous_branch+input_anchor=100",
                          "--seeds", "0", "1", "--jobs", "2", "--output", "{results}/yaleb_branch_rules.json"),
                         ("--datasets", "coil100_shadowed", "--modes", "homogeneous_branch+input_anchor=100",
                          "--seeds", "0", "1", "--jobs", "2", "--output", "{results}/yaleb_branch_rules.json")),
        "diagnostic", "Extended Yale B's rule chosen on both development sets made like it (relit, "
        "shadowed; MiniBatchDSC at Yale B's rules, seeds 0 and 1) among: the rule in force (the GELU "
        "residual branch with biases and input_anchor = 100 * beta), the bias-free ReLU branch without "
        "the anchor (homogeneous_branch+input_anchor=0), and with it (homogeneous_branch+input_anchor=100). "
        "Registered on 2026-12-07 before any run of this experiment. The shadowed set's figures of the "
        "first two are taken from shadowed_yaleb_rules (0.924) and spectral_anatomy_homogeneous (own "
        "labels, 0.923 / 0.931) at the same rules and seeds; the relit set's earlier anchor figure "
        "(0.953) was at other batch rules and is rerun here. Rule: a candidate's margin on a set is its "
        "mean ACC (DSC post) minus the set's LSR+DSC (relit 0.954, shadowed 0.921: relit_dev_baselines, "
        "shadowed_dev_baselines); the candidate with the largest smaller margin over the two sets becomes "
        "Extended Yale B's rule (both residual presets and StructuralContrastiveDSC's 'residual') if that "
        "margin beats the rule in force's by more than 0.005. Disclosed: the bias-free branch was found "
        "by reading Yale B's labels (spectral_anatomy_yaleb: the errors are the darkest images) and its "
        "Yale B figure without the anchor is known (0.962 +- 0.022, 5 seeds; the rule in force 0.945 +- "
        "0.019); the anchored bias-free branch has not been run on Yale B; neither set reproduces Yale B's "
        "pooling of its darkest images (spectral_anatomy_shadowed_unanchored). Outcome (relit / shadowed): "
        "the rule in force 0.953 / 0.924 (margin -0.001), the bias-free branch 0.994 / 0.927 (+0.006), "
        "the anchored bias-free branch 0.953 / 0.924 (-0.001); the bias-free branch without the anchor "
        "won by 0.007 and is Extended Yale B's rule since 2026-12-07"),
    "contrastive_yaleb_branch_rules": Experiment(
        "wellposed.py", (("--estimator", "ContrastiveMiniBatchDSC", "--datasets", "coil100_relit",
                          "coil100_shadowed", "--modes", "minibatch", "gelu_branch+input_anchor=100",
                          "--seeds", "0", "1", "--jobs", "2", "--output",
                          "{results}/contrastive_yaleb_branch_rules.json"),),
        "diagnostic", "ContrastiveMiniBatchDSC's Extended Yale B rule chosen on its own (yaleb_branch_rules "
        "chose with MiniBatchDSC and applied the choice to both residual presets): both development sets "
        "made like Yale B (relit, shadowed) with the contrastive preset's rules (augmentation 'faces', "
        "temperature 0.5, no encoder pre-training; development_set(name, estimator)), seeds 0 and 1, "
        "between (b) the rule in force, the bias-free ReLU branch without the anchor (mode minibatch), "
        "and (a) the rule before it, the GELU branch with biases and input_anchor = 100 * beta "
        "(gelu_branch+input_anchor=100). Registered on 2026-12-07 before any run of this experiment. "
        "Rule (yaleb_branch_rules'): a candidate's margin on a set is its mean ACC (DSC post) minus the "
        "set's LSR+DSC (relit 0.954, shadowed 0.921); (a) becomes the contrastive preset's Yale B rule "
        "if its smaller margin over the two sets beats (b)'s by more than 0.005, otherwise (b) stays. "
        "MiniBatchDSC and StructuralContrastiveDSC keep (b) either way. Disclosed: both candidates' Yale B "
        "figures for this estimator are known ((b) 0.926 +- 0.034, (a) 0.950 +- 0.020, 5 seeds), so "
        "the outcome is read against a known preference for (a). Outcome (relit / shadowed): (b) 0.996 / 0.856 "
        "(smaller margin -0.065), (a) 0.953 / 0.925 (-0.001); (a) won by 0.064 and is the contrastive "
        "preset's Extended Yale B rule since 2026-12-07"),
    "yaleb_row_scaling_rules": Experiment(
        "wellposed.py", (("--datasets", "coil100_relit", "coil100_shadowed", "--modes", "row_scaling",
                          "--seeds", "0", "1", "--jobs", "2", "--output",
                          "{results}/yaleb_row_scaling_rules.json"),),
        "diagnostic", "Extended Yale B's rule plus input_scaling='rows' (the network's inputs rescaled to one "
        "row norm, the root-mean-square norm), chosen on both development sets made like Yale B (relit, "
        "shadowed; MiniBatchDSC at Yale B's rules, seeds 0 and 1). The reconstruction terms weigh sample i "
        "by ||x_i||^2, so Yale B's darkest images (norm down to 0.0036 x the median) are held to their "
        "pixels by almost nothing; with the bias-free branch in force the unit-norm features, C and the "
        "coding rate do not change, only those weights. Registered on 2026-12-07 before any run of this "
        "experiment and before any Yale B run with it. Against the rule in force (the bias-free ReLU "
        "branch, no anchor: relit 0.994 from yaleb_branch_rules, shadowed 0.927 from "
        "spectral_anatomy_homogeneous, the same rules and seeds). Rule: it becomes Extended Yale B's rule "
        "for MiniBatchDSC and StructuralContrastiveDSC 'residual' if on each set its mean ACC (DSC post) "
        "is no more than 0.005 below the rule in force's (non-inferiority: neither set pools its darkest "
        "images as Yale B does, so neither can show the gain it is meant for), otherwise it stays a "
        "diagnostic. ContrastiveMiniBatchDSC has no reconstruction term and is not concerned. Disclosed: "
        "the mechanism was read off Yale B's labels (its errors are its darkest images, "
        "spectral_anatomy_yaleb), and the non-inferiority form was chosen because the sets cannot show it. "
        "Outcome: relit 0.995 (in force 0.994), shadowed 0.926 (0.927): non-inferior on both, so "
        "input_scaling='rows' is Extended Yale B's rule for both since 2026-12-07"),
    "dark_dev_baselines": Experiment(
        "compare_baselines.py", _shallow_baselines("coil100_dark", "dark_dev_baselines"),
        "diagnostic", "shallow baselines on the dark development set (the shadowed set without ambient "
        "light, quantised to 8 bits: made like Extended Yale B's near-black images), 5 seeds. Its "
        "ambient (0 of 0, 0.01, 0.02, 0.03) was the closest to Yale B's row-norm quantiles 0-25% (no "
        "label read). Disclosed: LSR+DSC seed 0 was looked at for every ambient before the choice (0.826, "
        "0.827, 0.861, 0.914; the shadowed set 0.921, Yale B 0.966): the set is harder than Yale B for "
        "LSR, and LSR pools on it too (largest cluster 119 of 64)"),
    "dark_yaleb_rules": Experiment(
        "wellposed.py", (("--datasets", "coil100_dark", "--modes", "minibatch", "input_anchor=100",
                          "learning_rate=0.1", "coding_rate=3", "--seeds", "0", "1", "--jobs", "2",
                          "--output", "{results}/dark_yaleb_rules.json"),),
        "diagnostic", "the dark development set at Extended Yale B's preset rules (MiniBatchDSC, seeds 0 "
        "and 1): the rule in force (bias-free ReLU branch, input_scaling='rows', no anchor), "
        "input_anchor = 100 * beta, the learning rate times 0.1, the coding-rate weight times 3. "
        "Registered on 2026-12-07 before any deep run on this set, and run in two steps: the rule in "
        "force first; only if it scores below the set's LSR+DSC (5-seed mean of dark_dev_baselines) "
        "does the set reproduce Yale B's loss, and then the candidates run and the one with the highest "
        "mean ACC (DSC post) becomes Extended Yale B's rule (MiniBatchDSC and StructuralContrastiveDSC "
        "'residual') if it beats the rule in force by more than 0.005; otherwise the set chooses "
        "nothing. Disclosed: with the GELU branch the anchor's and the rule then in force's Yale B "
        "figures were known (0.944, 0.894); the three candidates' Yale B figures at today's rules are "
        "not. Outcome: the rule in force scored 0.884 +- 0.004 (seeds 0, 1) against the set's LSR+DSC "
        "0.826, so the set does not reproduce Yale B's loss: it chose nothing and the candidates were "
        "not run"),
    "diagnostic_yaleb_levers": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "extended_yaleb", "--modes",
                          "input_anchor=100", "learning_rate=0.1", "coding_rate=3", "coding_rate=0",
                          "--seeds", "0", "3", "--jobs", "2"),),
        "diagnostic", "post-hoc, reads Yale B's labels, never a preset: which lever moves the two model "
        "seeds whose Yale B fits lose to LSR (0 and 3 of the table's 0.927 / 0.955 / 0.982 / 0.943 / "
        "0.984) -- the anchor (input_anchor = 100 * beta), the learning rate times 0.1, the coding-rate "
        "weight times 3, no coding rate. None of the three development sets made like Yale B (relit, "
        "shadowed, dark) reproduces its loss, so they cannot choose among these; this maps where the "
        "lever is for a set that does. Outcome (seeds 0 / 3): the anchor 0.968 / 0.969, the learning "
        "rate x 0.1 0.966 / 0.932, the coding rate x 3 0.898 / 0.894, no coding rate 0.550 / 0.547 "
        "(collapsed, effective rank 8.1); the first two keep the pixels' features (effective rank "
        "16.8) and so least squares' C"),
    "diagnostic_yaleb_seeds_5_14": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "extended_yaleb", "--modes",
                          "minibatch", "--seeds", *map(str, range(5, 15)), "--jobs", "2",
                          "--output", "{results}/diagnostic_yaleb_seeds_5_14.json"),),
        "diagnostic", "Extended Yale B's minimum at more seeds of the protocol's own random design: "
        "MiniBatchDSC's preset (the seed drives the network, the batch order and the discretisation) "
        "at seeds 5-14, and LSR+DSC (the seed drives the discretisation) at the same seeds "
        "(diagnostic_yaleb_seeds_5_14_lsr), so that with the table's seeds 0-4 each has 15. The "
        "table's 5-seed gap (0.958 against 0.966) is smaller than the deep row's standard error "
        "(0.022 / sqrt(5)), and 20 spectral seeds of LSR's C average 0.960 where its seeds 0-4 give "
        "0.966. Registered on 2026-12-07 before its run; it changes no preset and no table figure "
        "(the protocol's figure stays the 5-seed mean): it says whether the 5-seed miss is a draw "
        "or a loss in expectation. Outcome: seeds 5-14 0.968 +- 0.020 (LSR 0.961 +- 0.015); over all "
        "15 seeds 0.965 +- 0.021 against LSR's 0.962 +- 0.013, level within one standard error "
        "(0.007); 4 seeds of 15 (0, 3, 7, 11) pool the darkest images (0.926-0.943, medoid of 20 "
        "discretisations 0.927-0.940), the other 11 score 0.955-0.985"),
    "diagnostic_yaleb_seeds_5_14_structural": Experiment(
        "structural.py", (("--architecture", "residual", "--datasets", "extended_yaleb", "--seeds",
                           *map(str, range(5, 15)), "--jobs", "2",
                           "--output", "{results}/structural.json"),),
        "diagnostic", "the same for StructuralContrastiveDSC's 'residual' Yale B preset (0.961 +- 0.027 at "
        "seeds 0-4); registered on 2026-12-07 after MiniBatchDSC's first four fits at seeds 5-14 were "
        "seen (0.984, 0.980, 0.938, 0.985), before any of this one's. Outcome: seeds 5-14 0.969 +- "
        "0.022; over 15 seeds 0.966 +- 0.024 against LSR's 0.962; its 4 seeds below 0.95 are "
        "MiniBatchDSC's (0, 3, 7, 11)"),
    "ensemble_starts_yaleb": Experiment(
        "ensemble_starts.py", (("--fits", "diagnostic_yaleb_seeds_5_14/diagnostic_yaleb_seeds_5_14.json",
                                "--size", "3", "--output", "{results}/minibatchdsc.json"),),
        "diagnostic", "post-hoc, reads Yale B's labels, never a preset: MiniBatchDSC's Extended Yale B fits "
        "at seeds 5-14 (diagnostic_yaleb_seeds_5_14, two of which pool the darkest images), their DSC "
        "affinities averaged three at a time (all 120 combinations) before one spectral step, against "
        "each fit alone: whether several starts of the network remove the pooling, and at what cost "
        "(3x the fit). Registered on 2026-12-08 after an exploratory look at four such triples "
        "(0.981, 0.940, 0.981, 0.981; the 0.940 held two pooling fits). Outcome: 3 starts 0.979 +- "
        "0.009 over the 120 triples (7 below 0.95: 5 of the 8 holding both pooling fits, 2 of the 56 "
        "holding one), one start 0.971 "
        "+- 0.020; triples without a pooling fit 0.983, with one 0.978, with both 0.957"),
    "ensemble_starts_dev": Experiment(
        "ensemble_starts.py",
        (("--fits", "consensus_post_dev_fits/posed_digits.json", "--dataset", "coil100_posed", "--size", "3",
          "--output", "{results}/posed.json"),
         ("--fits", "consensus_post_dev_fits/posed_digits.json", "--dataset", "digits", "--size", "3",
          "--output", "{results}/digits.json"),
         ("--fits", "consensus_post_dev_fits/yaleb_like.json", "--dataset", "coil100_relit", "--size", "2",
          "--output", "{results}/relit.json"),
         ("--fits", "consensus_post_dev_fits/yaleb_like.json", "--dataset", "coil100_shadowed", "--size",
          "2", "--output", "{results}/shadowed.json"),
         ("--fits", "consensus_post_dev_fits/yaleb_like.json", "--dataset", "coil100_dark", "--size", "2",
          "--output", "{results}/dark.json")),
        "diagnostic", "several starts on the five development sets of the dense C: MiniBatchDSC's kept "
        "fits of consensus_post_dev_fits (posed, digits: seeds 0-4, all 10 triples; relit, shadowed, "
        "dark: seeds 0, 1, the one pair), DSC affinities averaged before one spectral step, against "
        "each fit alone. Registered on 2026-12-08 before any run, with the rule: the deep presets "
        "may take several starts (n_starts=3, every data set) only if over the five sets the mean "
        "change (combinations' mean ACC minus the single fits' mean ACC) is >= 0 and no set loses "
        "more than 0.01; otherwise the option stays a user's choice. Disclosed: the option was "
        "proposed after ensemble_starts_yaleb, which read Extended Yale B's labels, so even a pass "
        "here leaves its adoption as a preset to the planners; the single fits' figures of these "
        "sets are known (consensus_post_dev_fits), their averages are not. Outcome (one start -> "
        "averaged): posed 0.866 -> 0.871 (+0.004), digits 0.582 -> 0.577 (-0.005), relit 0.995 -> "
        "0.995 (+0.000), shadowed 0.926 -> 0.929 (+0.003), dark 0.884 -> 0.911 (+0.027): mean "
        "+0.006, no set below -0.01, so the rule passes (a first run was marked +dirty by an edit "
        "of the package during it and was rerun at a clean commit, with identical figures)"),
    "n_starts_benchmarks": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "extended_yaleb", "coil20", "orl",
                          "--modes", "n_starts=3", "--jobs", "2", "--output", "{results}/minibatchdsc.json"),),
        "diagnostic", "MiniBatchDSC's residual presets with three starts whose affinities are averaged "
        "(n_starts=3) on Extended Yale B, COIL-20 and ORL, seeds 0-4 (the first start of each is the "
        "main table's fit): the candidate of ensemble_starts_dev, not a preset until the planners "
        "say so. Registered on 2026-12-08 before any run of the estimator option and after "
        "ensemble_starts_dev (whose rule it passed: mean change +0.006 over the five development "
        "sets, worst set digits -0.005). Disclosed: the option comes from ensemble_starts_yaleb, a "
        "post-hoc look at Extended Yale B's labels (seeds 5-14, triples 0.979 +- 0.009); its figures "
        "on COIL-20 and ORL are not known. Outcome (5 seeds, three starts / the main table's one "
        "start): Extended Yale B 0.958 +- 0.016 / 0.958 +- 0.022 (seeds 0.946, 0.947, 0.979, 0.941, "
        "0.976 against 0.927, 0.955, 0.982, 0.943, 0.984), COIL-20 0.829 +- 0.000 / 0.829, ORL "
        "0.834 +- 0.003 / 0.836: no gain on any benchmark, and Extended Yale B stays below LSR+DSC's "
        "0.966, so three starts are not proposed as a preset. About 1,440 s per Extended Yale B "
        "fit (three starts), 240 s for COIL-20 and ORL, two fits sharing the cores"),
    "n_starts_yaleb_starts": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "extended_yaleb", "--modes", "n_starts=3",
                          "--seeds", "0", "1", "--jobs", "2", "--output", "{results}/minibatchdsc.json"),),
        "diagnostic", "reads labels: n_starts_benchmarks' Extended Yale B fits at seeds 0 and 1 refitted "
        "with each start scored alone (acc_starts) and the starts' features kept, to tell whether "
        "the averaged affinity (0.946 and 0.947 there, against the one-start 0.927 and 0.955) is "
        "held down by further pooling starts or by the averaging itself. Registered on 2026-12-08 "
        "after n_starts_benchmarks' first Extended Yale B figures, before its run. Outcome: the "
        "averaged figures reproduce (0.946, 0.947); the starts alone score 0.927, 0.937, 0.981 (seed "
        "0: two of three pool) and 0.975, 0.931, 0.978 (seed 1: one pools, and the average of two "
        "good starts and one pooling start is 0.947, the bottom of the post-hoc range 0.947-0.984). "
        "Both: further starts pool (2 of these 4), and one pooling start can hold the average "
        "down"),
    "start_balance_yaleb": Experiment(
        "ensemble_starts.py", (("--fits", "consensus_post_fits/minibatchdsc.json",
                                "diagnostic_yaleb_seeds_5_14/diagnostic_yaleb_seeds_5_14.json",
                                "--dataset", "extended_yaleb", "--size", "1",
                                "--output", "{results}/minibatchdsc.json"),),
        "diagnostic", "reads labels to check a label-free statistic: the largest cluster of each of "
        "MiniBatchDSC's fifteen one-start Extended Yale B fits (seeds 0-14, the spectral step "
        "with the seed), against its ACC. Registered on 2026-12-08 after an exploratory script "
        "showed it separating the four pooling seeds (largest cluster 189-236) from the other "
        "eleven (67-90), and the four further starts of n_starts_yaleb_starts likewise (pooling "
        "208 and 220, others 70 and 72): a candidate signal for choosing a start, not yet a rule. "
        "Outcome: the same separation; largest cluster 189-236 for seeds 0, 3, 7, 11 (ACC "
        "0.927-0.943), 67-90 for the other eleven (0.975-0.986); the 38 people have about 64 "
        "images each"),
    "n_starts_structural": Experiment(
        "structural.py", (("--architecture", "residual", "--n-starts", "3", "--datasets", "extended_yaleb",
                           "coil20", "orl", "--jobs", "2", "--output", "{results}/structural.json"),),
        "diagnostic", "StructuralContrastiveDSC's 'residual' presets with n_starts=3 on the three "
        "benchmarks, seeds 0-4: n_starts_benchmarks for the other estimator whose Extended Yale B "
        "minimum is missed (its pooling seeds are MiniBatchDSC's). Registered on 2026-12-08 with "
        "n_starts_benchmarks' disclosures, before any run; about 3 x 600 s per Extended Yale B "
        "seed with two fits sharing the cores (about 2.5 hours in all), not run yet; after "
        "n_starts_benchmarks and n_starts_yaleb_starts (no gain; averaging does not outvote a "
        "pooling start) it is low priority"),
    "ensemble_starts_yaleb_structural": Experiment(
        "ensemble_starts.py", (("--fits", "diagnostic_yaleb_seeds_5_14_structural/structural.json",
                                "--size", "3", "--output", "{results}/structural.json"),),
        "diagnostic", "post-hoc, reads Yale B's labels, never a preset: ensemble_starts_yaleb for "
        "StructuralContrastiveDSC's 'residual' fits at seeds 5-14 (two of which pool), all 120 "
        "triples; registered on 2026-12-08 before its run, while n_starts_structural (the estimator "
        "option on seeds 0-4) waits for CPU time. Outcome: 3 starts 0.978 +- 0.012 over the 120 "
        "triples (13 below 0.95), one start 0.969 +- 0.022, as for MiniBatchDSC"),
    "diagnostic_yaleb_seeds_5_14_lsr": Experiment(
        "compare_baselines.py", (("--datasets", "extended_yaleb", "--methods", "lsr+dsc", "--seeds",
                                  *map(str, range(5, 15)), "--json", "{results}/lsr.json",
                                  "--markdown", "{results}/lsr.md"),),
        "diagnostic", "LSR+DSC on Extended Yale B at seeds 5-14 (see diagnostic_yaleb_seeds_5_14)"),
    "posed_orl_aim_rules": Experiment(
        "wellposed.py", (("--datasets", "coil100_posed", "--modes", "minibatch", "max_epochs=2",
                          "learning_rate=3", "coding_rate=3", "coding_rate=0.3", "--seeds", "0", "1",
                          "--jobs", "2", "--output", "{results}/posed_orl_aim_rules.json"),),
        "diagnostic", "towards ORL's aim (0.86; MiniBatchDSC scores 0.836): the posed development set at "
        "ORL's preset rules (MiniBatchDSC, seeds 0 and 1): the rule in force (rerun at this commit), "
        "twice the optimiser steps (180 epochs), the learning rate times 3, the coding-rate weight "
        "times 3 and times 0.3. Registered on 2026-12-07 before any run of this experiment: the "
        "candidate with the highest mean ACC (DSC post) becomes ORL's rule (MiniBatchDSC and "
        "StructuralContrastiveDSC 'residual'; ContrastiveMiniBatchDSC keeps its own) if it beats the "
        "rule in force by more than 0.005. Disclosed: none of the candidates' ORL figures at today's "
        "rules is known; at an earlier rule (epoch_signals_orl_coil20) ORL's ACC rose until the last "
        "epoch, and the coding-rate weight alpha / 30 was once chosen with ORL's labels. Outcome: the "
        "rule in force 0.877 (LSR+DSC 0.809), twice the steps 0.860, the learning rate x 3 0.864, the "
        "coding rate x 3 0.796 and x 0.3 0.780: nothing beat the rule in force, which stands"),
    "consensus_post_dev_fits": Experiment(
        "wellposed.py", (("--datasets", "coil100_relit", "coil100_shadowed", "coil100_dark", "--modes",
                          "minibatch", "--seeds", "0", "1", "--jobs", "2", "--output", "{results}/yaleb_like.json"),
                         ("--datasets", "coil100_posed", "digits", "--modes", "minibatch", "--jobs", "2",
                          "--output", "{results}/posed_digits.json")),
        "diagnostic", "MiniBatchDSC at the rules in force on the five development sets of the dense C "
        "(relit, shadowed, dark: seeds 0, 1; posed, digits: seeds 0-4), refitted so that each fit's "
        "embedding_ is kept (benchmarks/cache) for consensus_post_dev. Registered on 2026-12-07 with "
        "the rule that consensus_post_dev tests, fixed before any run of it: 'grid medoid', the DSC "
        "post-processing at the package's one setting and its neighbours on the oracle's grid "
        "(thresholds 0.1 / 0.2 / 0.5 x subspace dimensions 3 / 4 / 6 x powers 1 / 2 / 3.5, 27 "
        "settings), each discretised once with the run's seed; the labelling returned is the medoid, "
        "the one with the largest summed adjusted Rand index with the other 26. It replaces the one "
        "setting for every dense C (LSR and the deep estimators, every data set) if over the ten cells "
        "(five sets x LSR on the pixels, 5 spectral seeds, and MiniBatchDSC, the fits above) its mean "
        "ACC beats the one setting's by more than 0.005 and no cell loses more than 0.02; otherwise it "
        "stays a reported diagnostic. Disclosed: the grid's steps around the one setting were seen on "
        "Extended Yale B (postprocessing_oracle_yaleb: one step in power reverses LSR against the deep "
        "C, in threshold ties them, in dimension leaves LSR ahead; postprocessing_oracle_lsr); the "
        "medoid's figures on any benchmark are not known. The fits reproduce the earlier figures of "
        "these sets at the same rules (relit 0.995, shadowed 0.926, dark 0.884, posed 0.863 +- 0.015)"),
    "consensus_post_dev": Experiment(
        "consensus_post.py", (("--fits", "consensus_post_dev_fits/yaleb_like.json",
                               "consensus_post_dev_fits/posed_digits.json",
                               "--output", "{results}/consensus_post_dev.json", "--jobs", "2"),),
        "diagnostic", "the grid-medoid post-processing rule against the package's one setting on the five "
        "development sets of the dense C: LSR on the pixels (5 spectral seeds) and the MiniBatchDSC fits "
        "of consensus_post_dev_fits, whose registration states the rule and how it is adopted "
        "(registered there on 2026-12-07 before any run). Disclosed: a trial run of the script on one "
        "digits fit (seed 0) showed its digits figures (LSR 0.596 -> 0.600, MiniBatchDSC 0.568 -> "
        "0.594) before this run. Outcome (one setting -> grid medoid; LSR / MiniBatchDSC): digits "
        "0.596 -> 0.600 / 0.582 -> 0.595, posed 0.809 -> 0.818 / 0.866 -> 0.862, relit 0.954 -> 0.955 / "
        "0.995 -> 0.996, shadowed 0.921 -> 0.871 / 0.926 -> 0.927, dark 0.826 -> 0.820 / 0.884 -> "
        "0.884: mean change -0.003 over the ten cells, and LSR on the shadowed set loses 0.050, so the "
        "rule is not adopted and the one setting stays. Rescored at a later commit with identical "
        "figures, so that the grid labellings and acc_grid are kept. The co-association rule "
        "(grid_coassociation, the consensus step proposed after the medoid's rejection) was added on "
        "2026-12-07 and scored from the kept labellings; its figures here had been looked at in an "
        "exploratory script first, so it is recorded, not proposed. Its outcome (one setting -> "
        "co-association; LSR / MiniBatchDSC): digits +0.003 / +0.013, posed +0.017 / -0.009, relit "
        "-0.011 / +0.001, shadowed -0.036 / -0.013, dark +0.029 / -0.016: mean -0.002, shadowed LSR "
        "-0.036; it would fail the medoid's criterion too"),
    "consensus_post_fits": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "extended_yaleb", "orl", "--modes",
                          "minibatch", "--jobs", "2", "--output", "{results}/minibatchdsc.json"),
                         ("--estimator", "ContrastiveMiniBatchDSC", "--datasets", "extended_yaleb", "orl",
                          "--modes", "minibatch", "--jobs", "2", "--output", "{results}/contrastive.json")),
        "diagnostic", "MiniBatchDSC's and ContrastiveMiniBatchDSC's residual presets on Extended Yale B "
        "and ORL (5 seeds) refitted so that each fit's embedding_ is kept (benchmarks/cache) for "
        "consensus_post_benchmarks; the fits are the main table's (wellposed_minibatchdsc, "
        "wellposed_contrastiveminibatchdsc) at a later commit. Outcome: all 20 refits reproduce the "
        "table's ACC exactly"),
    "consensus_post_fits_structural": Experiment(
        "structural.py", (("--architecture", "residual", "--datasets", "extended_yaleb", "orl", "--jobs", "2",
                           "--output", "{results}/structural.json"),),
        "diagnostic", "StructuralContrastiveDSC's 'residual' presets on Extended Yale B and ORL (5 seeds) "
        "refitted so that each fit's embedding_ is kept, for consensus_post_benchmarks; the main "
        "table's fits (structural_residual) at a later commit. Not run yet: on 2026-12-07 the CPU time "
        "went to the other two estimators' refits once the rule had not been adopted (about 100 CPU "
        "minutes)"),
    "consensus_post_benchmarks": Experiment(
        "consensus_post.py", (("--fits", "consensus_post_fits/minibatchdsc.json",
                               "consensus_post_fits/contrastive.json",
                               "consensus_post_fits_structural/structural.json",
                               "--output", "{results}/consensus_post_benchmarks.json", "--jobs", "2"),),
        "diagnostic", "the grid-medoid post-processing rule (stated in consensus_post_dev_fits) against "
        "the package's one setting on Extended Yale B and ORL: LSR on the pixels (5 spectral seeds) and "
        "the deep fits of consensus_post_fits and consensus_post_fits_structural. "
        "Registered on 2026-12-07 before any run: whether the rule replaces the one setting is "
        "decided by consensus_post_dev alone, never by these figures. Outcome (one setting / grid "
        "medoid, 5 seeds; the rule was not adopted): Extended Yale B LSR 0.966 / 0.867, MiniBatchDSC "
        "0.962 / 0.983, ContrastiveMiniBatchDSC 0.967 / 0.947; ORL LSR 0.802 / 0.822, MiniBatchDSC "
        "0.836 / 0.838, ContrastiveMiniBatchDSC 0.841 / 0.846 (the one setting redrawn with the run's "
        "seed). StructuralContrastiveDSC's fits were not run. The co-association rule "
        "(consensus_post_dev) was added on 2026-12-07, scored from the kept labellings after its "
        "development figures were known: Extended Yale B LSR 0.768, MiniBatchDSC 0.803, "
        "ContrastiveMiniBatchDSC 0.778; ORL 0.795 / 0.840 / 0.845"),
    "diagnostic_input_anchor_sweep": Experiment(
        "wellposed.py", (("--estimator", "MiniBatchDSC", "--datasets", "orl", "--modes", "input_anchor=1",
                          "input_anchor=10"),
                         ("--estimator", "MiniBatchDSC", "--datasets", "extended_yaleb", "--modes",
                          "input_anchor=1", "--seeds", "0", "1")), "diagnostic",
        "post-hoc, not a preset: weaker anchors (F = 1, 10) on ORL (5 seeds) and F = 1 on Extended "
        "Yale B (2 seeds), run after input_anchor = 100 * beta had scored ORL 0.80 (the gain of "
        "training gone) -- maps the trade-off"),
    "contrastive_features_coil20": Experiment(
        "contrastive_features.py", (("--datasets", "coil20", "--seeds", "0", "1"),), "diagnostic",
        "the shallow methods on ContrastiveMiniBatchDSC's contrastively pre-trained COIL-20 "
        "features instead of the pixels, 2 seeds (~10 min per fit)"),
    "diagnostic_structural_coding_rate_yaleb": Experiment(
        "structural.py", (("--datasets", "extended_yaleb", "--seeds", "0", "1", "--architecture",
                           "closed_form", "--coding-rate-divisor", "30"),), "diagnostic",
        "StructuralContrastiveDSC 'closed_form' preset plus the residual presets' coding-rate "
        "term (alpha / 30; fixed before the run) on Extended Yale B, where its features collapse, 2 seeds"),
    "diagnostic_structural_coding_rate_orl": Experiment(
        "structural.py", (("--datasets", "orl", "--seeds", "0", "1", "--architecture",
                           "closed_form", "--coding-rate-divisor", "30"),), "diagnostic",
        "as diagnostic_structural_coding_rate_yaleb, ORL"),
    "trajectory_yaleb": Experiment(
        "trajectory.py", (("--dataset", "extended_yaleb", "--epochs", "1", "12", "48"),), "diagnostic",
        "MiniBatchDSC residual preset on Extended Yale B after 1, 12, 48 fine-tuning epochs (seed 0)"),
    "ensc_reference_check_orl": Experiment(
        "ensc_reference_check.py", (("--dataset", "orl"),), "diagnostic",
        "EnSC in You et al.'s setting against scikit-learn's sparse_encode"),
    "ensc_reference_check_coil20": Experiment(
        "ensc_reference_check.py", (("--dataset", "coil20"),), "diagnostic",
        "EnSC in You et al.'s setting against scikit-learn's sparse_encode"),
    "clbdsc_coil100_12per_64px_2ep_cpu": Experiment(
        "clbdsc.py", (("--dataset", "coil100", "--images-per-object", "12", "--size", "64",
                       "--epochs", "2", "--device", "cpu", "--weights", "none"),), "diagnostic",
        "reduced CPU check of the COIL-100 script (not an accuracy)"),
    "pretrain_probe_orl_100ep": Experiment(
        "pretrain_probe.py", (("--dataset", "orl", "--pretrain-epochs", "100"),), "diagnostic",
        "label-free autoencoder pre-training probe, ReLU vs GELU (learned-C presets)"),
    "pretrain_probe_orl_1000ep": Experiment(
        "pretrain_probe.py", (("--dataset", "orl", "--pretrain-epochs", "1000"),), "diagnostic",
        "label-free autoencoder pre-training probe, ReLU vs GELU (learned-C presets)"),
    "pretrain_probe_orl_3000ep": Experiment(
        "pretrain_probe.py", (("--dataset", "orl", "--activations", "gelu", "--seeds", "0", "1",
                               "--pretrain-epochs", "3000"),), "diagnostic",
        "label-free pre-training loss curve, 3000 epochs (learned-C presets)"),
    "pretrain_probe_coil20_1000ep": Experiment(
        "pretrain_probe.py", (("--dataset", "coil20", "--activations", "gelu", "--seeds", "0",
                               "--pretrain-epochs", "1000"),), "diagnostic",
        "label-free pre-training loss curve (learned-C presets)"),
    "feature_collapse": Experiment(
        "feature_collapse.py", (("--dataset", "orl", "--architecture", "dsc"),
                                ("--dataset", "orl", "--architecture", "deep"),
                                ("--dataset", "coil20", "--architecture", "dsc")), "diagnostic",
        "label-free effective rank of the features, joint vs frozen encoder (learned-C presets)"),
    "diagnostic_frozen_encoder_dsc": Experiment(
        "table1.py", _table1_set(["orl", "coil20"], ["learning_rate=1e-12", 'lr_scaling="none"'],
                                 "diagnostic_frozen_encoder_dsc"), "diagnostic",
        "encoder frozen after pre-training, C learned alone (learned-C presets)"),
    "diagnostic_frozen_encoder_deep": Experiment(
        "table1.py", _table1_set(["orl"], ["learning_rate=1e-12", 'lr_scaling="none"'],
                                 "diagnostic_frozen_encoder_deep", "deep"), "diagnostic",
        "section 4.3 network, encoder frozen after pre-training (learned-C presets)"),
    "posthoc_coil20_400ep": Experiment(
        "table1.py", _table1_set(["coil20"], ["max_epochs=400"], "posthoc_coil20_400ep"),
        "diagnostic", "post-hoc, not a preset: 400 fine-tuning epochs instead of 40"),
    "posthoc_deep_lr_splits": Experiment(
        "table1.py", _table1_set(["orl"], ['lr_scaling="splits"'], "posthoc_deep_lr_splits", "deep"),
        "diagnostic", "post-hoc, not a preset: section 4.3 network with lr_scaling='splits'"),
    "posthoc_deep_pixelscale": Experiment(
        "table1.py", _table1_set(["orl"], ["alpha=0.0007689350249903883", "beta=1.5378700499807768e-05"],
                                 "posthoc_deep_pixelscale", "deep"),
        "diagnostic", "post-hoc, not a preset: loss weighted as on 0..255 pixels (alpha, beta / 255^2)"),
    # --- oracle --------------------------------------------------------------------------
    "postprocessing_oracle_lsr": Experiment(
        "postprocessing_oracle.py", tuple(("--dataset", d, "--estimator", "LeastSquaresSubspaceClustering",
                                           "--seeds", "0") for d in ("orl", "coil20", "extended_yaleb")),
        "oracle", "best DSC post-processing picked with the labels for LSR on raw pixels (seed 0)"),
    "postprocessing_oracle_orl": Experiment(
        "postprocessing_oracle.py", (("--dataset", "orl"),), "oracle",
        "best DSC post-processing picked with the labels (learned-C MiniBatchDSC preset)"),
    "postprocessing_oracle_coil20": Experiment(
        "postprocessing_oracle.py", (("--dataset", "coil20"),), "oracle",
        "best DSC post-processing picked with the labels (learned-C MiniBatchDSC preset)"),
    "postprocessing_oracle_yaleb": Experiment(
        "postprocessing_oracle.py", (("--dataset", "extended_yaleb", "--seeds", "0", "3"),),
        "oracle", "the DSC post-processing grid on Extended Yale B's two losing MiniBatchDSC fits (model "
        "seeds 0 and 3 of today's preset), beside LSR's (postprocessing_oracle_lsr): which of threshold, "
        "subspace dimension and power makes the package's one setting pool the darkest images on these "
        "C's (both under DSC-Net's label-tuned setting score 0.976-0.981; one torch thread, as the "
        "table's fits, so that the refits are the table's). A diagnostic that reads "
        "labels: it maps where a label-free rule would have to act, and chooses nothing. Outcome: the "
        "refits reproduce the table (0.927, 0.943); the deep C's score at least LSR's in 95 and 129 of "
        "the 150 settings; one grid step from the one setting moves the comparison (threshold 0.1: "
        "LSR 0.972, deep 0.969 / 0.975; power 3.5: LSR 0.918, deep 0.970 / 0.973; dimension 6: LSR "
        "0.981, deep 0.942 / 0.969)"),
    "postprocessing_oracle_contrastive_orl": Experiment(
        "postprocessing_oracle.py", (("--dataset", "orl", "--estimator", "ContrastiveMiniBatchDSC"),),
        "oracle", "best DSC post-processing picked with the labels (learned-C contrastive preset)"),
    # --- history -------------------------------------------------------------------------
    "table1": Experiment(
        "table1.py", (("--datasets", "orl", "coil20", "extended_yaleb"),), "history",
        "paper Table 1: MiniBatchDSC mini-batch vs full batch, learned-C presets"),
    "table1_deep": Experiment(
        "table1.py", (("--datasets", "orl", "--architecture", "deep"),), "history",
        "paper Table 1 with the section 4.3 network (ORL), learned-C presets"),
    "table1_cost": Experiment(
        "table1.py", (("--cost-only", "2", "--datasets", "coil20", "coil100", "extended_yaleb",
                       "--seeds", "0"),), "history",
        "time per fine-tuning epoch and peak memory, mini-batch vs full batch (learned C)"),
    "table3_ablation": Experiment(
        "table3_ablation.py", (("--datasets", "orl", "coil20"),
                               ("--datasets", "extended_yaleb", "--methods", "ae+ssc")), "history",
        "paper Table 3: two-step baselines against the joint models (learned-C presets)"),
    "clbdsc_orl": Experiment(
        "clbdsc.py", (("--dataset", "orl"),), "history",
        "ContrastiveMiniBatchDSC learned-C preset at 32x32, and its cost next to MiniBatchDSC"),
    "clbdsc_coil20": Experiment(
        "clbdsc.py", (("--dataset", "coil20", "--skip-cost"),), "history",
        "ContrastiveMiniBatchDSC learned-C preset at 32x32"),
    "step_cost_learned": Experiment(
        "step_cost.py", (("--self-expression", "learned", "--sizes", "1000", "4000", "16000"),),
        "history", "time and memory of one learned-C epoch (the N x N parameter C)"),
}

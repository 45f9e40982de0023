"""The benchmark driver, its experiment registry and the layout of benchmarks/results."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
RESULTS = BENCHMARKS / "results"


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


experiments = _load("experiments")
driver = _load("__main__")


def test_every_experiment_names_an_existing_script_and_a_known_status():
    for name, experiment in experiments.EXPERIMENTS.items():
        assert (BENCHMARKS / experiment.script).is_file(), name
        assert experiment.status in experiments.STATUSES, name
        assert experiment.runs and all(isinstance(arg, str) for run in experiment.runs for arg in run)


def _records_commit(data):
    if "commit" in data:
        return True
    runs = list(data.values())
    return bool(runs) and all(isinstance(run, dict) and "commit" in run for run in runs)


def test_results_are_one_folder_per_registered_experiment_with_manifest_and_commits():
    assert [p.name for p in RESULTS.iterdir() if p.is_file()] == []
    folders = [p for p in RESULTS.iterdir() if p.is_dir() and p.name != "adhoc"]
    assert folders
    for folder in folders:
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["experiment"] == folder.name in experiments.EXPERIMENTS
        assert manifest["status"] == experiments.EXPERIMENTS[folder.name].status
        assert manifest["commit"] and manifest["machine"]
        assert sorted(manifest["files"]) == sorted(p.name for p in folder.iterdir()
                                                   if p.name != "manifest.json")
        for path in folder.glob("*.json"):
            if path.name != "manifest.json":
                assert _records_commit(json.loads(path.read_text())), path


def test_list_names_every_experiment(capsys):
    assert driver.main(["list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in experiments.EXPERIMENTS)


@pytest.mark.slow  # imports torch and asks git for the commit
def test_run_directs_results_to_the_experiment_folder_and_writes_a_manifest(tmp_path, monkeypatch, capsys):
    script = tmp_path / "tiny.py"
    script.write_text(
        "import json, os, sys\n"
        "path = os.path.join(os.environ['DEEPSUBSPACE_RESULTS'], 'tiny.json')\n"
        "json.dump({'argv': sys.argv[1:], 'commit': 'x'}, open(path, 'w'))\n")
    monkeypatch.setattr(driver, "RESULTS_ROOT", str(tmp_path / "results"))
    monkeypatch.setitem(driver.EXPERIMENTS, "tiny", experiments.Experiment(
        str(script), (("--out", "{results}/a"),), "diagnostic", "a test"))
    assert driver.main(["run", "tiny", "--", "--seeds", "0"]) == 0
    folder = tmp_path / "results" / "tiny"
    assert json.loads((folder / "tiny.json").read_text())["argv"] == ["--out", f"{folder}/a", "--seeds", "0"]
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["arguments"] == [["--out", "benchmarks/results/tiny/a", "--seeds", "0"]]
    assert manifest["status"] == "diagnostic" and manifest["files"] == ["tiny.json"]
    assert manifest["returncode"] == 0 and manifest["commit"] and manifest["machine"]["commit"]


def test_a_failing_run_is_recorded(tmp_path, monkeypatch):
    script = tmp_path / "fails.py"
    script.write_text("raise SystemExit(3)\n")
    monkeypatch.setattr(driver, "RESULTS_ROOT", str(tmp_path))
    monkeypatch.setitem(driver.EXPERIMENTS, "fails", experiments.Experiment(str(script)))
    assert driver.main(["run", "fails"]) == 3
    assert json.loads((tmp_path / "fails" / "manifest.json").read_text())["returncode"] == 3


def test_no_benchmark_imports_from_examples():
    """No import of examples/ and no path into it (the old sys.path hack)."""
    import ast

    for path in BENCHMARKS.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                assert not any(name.split(".")[0] == "examples" for name in names), path.name
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert node.value != "examples" and "examples/" not in node.value.replace(
                    "``examples/``", ""), (path.name, node.value[:80])


def test_a_device_bundle_gives_the_arrays_that_load_dataset_gives(tmp_path, monkeypatch):
    from deepsubspace.datasets import DATASETS, get_data_home, load_dataset

    if not (Path(get_data_home()) / DATASETS["orl"].filename).is_file():
        pytest.skip("ORL file not found (set DEEPSUBSPACE_DATA)")
    common = _load("_common")
    monkeypatch.setattr(common, "COPIED", ("orl",))
    monkeypatch.setattr(common, "BUNDLED", {"orl": {"image_size": 16}})
    assert common.write_bundle(tmp_path) == [DATASETS["orl"].filename, "orl_image_size16.npz"]
    expected = load_dataset("orl", image_size=16)
    monkeypatch.setenv("DEEPSUBSPACE_ARRAYS", str(tmp_path))
    bundled = common.load_data("orl", image_size=16)
    assert bundled.filename == str(tmp_path / "orl_image_size16.npz")
    np.testing.assert_array_equal(bundled.data, expected.data)
    np.testing.assert_array_equal(bundled.target, expected.target)
    # what the bundle does not hold is read as usual (here: from the copied file)
    monkeypatch.setenv("DEEPSUBSPACE_DATA", str(tmp_path))
    assert common.load_data("orl").data.shape == (400, 1024)


def test_wellposed_modes_override_the_preset():
    wellposed = _load("wellposed")
    faces = {"n_clusters": 38, "beta": 2.0}
    # batches of n_clusters keep the residual rules' ~900 steps: ceil(900 / ceil(2414 / 38))
    assert wellposed.mode_params("batch_per_cluster=1", faces, 2414) == {"batch_size": 38, "max_epochs": 15}
    assert wellposed.mode_params("input_anchor=100", faces, 2414) == {"input_anchor": 200.0}
    assert wellposed.mode_params("fullbatch", faces, 2414) == {"batch_size": None}
    assert wellposed.mode_params("fullbatch_steps", faces, 2414) == {"batch_size": None, "max_epochs": 900}
    branch = {**faces, "encoder_params": {"hidden": (16,), "kernel_size": 3, "activation": "gelu"}}
    assert wellposed.mode_params("homogeneous_branch", branch, 2414) == {
        "encoder_params": {"hidden": (16,), "kernel_size": 3, "activation": "relu", "bias": False}}
    assert wellposed.mode_params("batch_per_cluster=1+rate_reduction", faces, 2414) == {
        "batch_size": 38, "max_epochs": 15, "rate_reduction": True}
    assert wellposed.mode_params("bank_rate", faces, 2414) == {"coding_rate_scope": "bank"}
    assert wellposed.mode_params("batch_rate", faces, 2414) == {"coding_rate_scope": "batch"}
    assert wellposed.mode_params("n_starts=3", faces, 2414) == {"n_starts": 3}
    scaled = {**faces, "coding_rate": 90.0, "learning_rate": 1e-4}
    assert wellposed.mode_params("coding_rate=3", scaled, 2414) == {"coding_rate": 270.0}
    assert wellposed.mode_params("learning_rate=0.1", scaled, 2414) == pytest.approx({"learning_rate": 1e-5})
    # a number of epochs stays a whole number, at least 1
    assert wellposed.mode_params("max_epochs=2", {**scaled, "max_epochs": 90}, 400) == {"max_epochs": 180}
    assert wellposed.mode_params("max_epochs=0.01", {**scaled, "max_epochs": 90}, 400) == {"max_epochs": 1}
    with pytest.raises(SystemExit, match="unknown mode"):
        wellposed.mode_params("batch=38", faces, 2414)


def test_relit_development_set_renders_lambertian_images():
    common = _load("_common")
    lights = common.light_directions(64)
    assert lights.shape == (64, 3) and np.allclose(np.linalg.norm(lights, axis=1), 1)
    assert np.all(lights[:, 2] > -0.4)  # azimuths within +-110 degrees: toward the viewer's side
    albedo = np.random.default_rng(0).uniform(0.2, 1.0, (12, 10))
    images = common.relight(albedo, lights)
    assert images.shape == (64, 120) and np.all(images >= 0)
    corners = [0, 9, 110, 119]  # outside the ellipse: black
    assert np.all(images[:, corners] == 0)
    # lights near the viewing direction light every visible normal: no clipping, and without the
    # highlight the images span ambient + 3 dimensions
    near = np.array([[0.1, 0.0, 1.0], [0.0, 0.1, 1.0], [-0.1, -0.1, 1.0], [0.05, -0.1, 1.0],
                     [-0.1, 0.1, 1.0], [0.0, 0.0, 1.0]])
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    lambertian = common.relight(albedo, near, specular=0.0)
    singular = np.linalg.svd(lambertian, compute_uv=False)
    assert singular[3] > 1e-6 and singular[4] < 1e-10 * singular[0]
    # a light from the right brightens the right half, the highlight adds to the centre
    right = common.relight(np.ones((12, 10)), [[1.0, 0.0, 0.0]], ambient=0.0, specular=0.0)[0].reshape(12, 10)
    assert right[6, 8] > right[6, 1]
    frontal = common.relight(np.ones((12, 10)), [[0.0, 0.0, 1.0]], ambient=0.0, specular=0.0)
    shiny = common.relight(np.ones((12, 10)), [[0.0, 0.0, 1.0]], ambient=0.0)
    assert shiny[0, 65] > frontal[0, 65] and np.all(shiny >= frontal)


def test_faces_shaped_development_sets_take_evenly_spread_views():
    common = _load("_common")
    target = np.repeat(np.arange(5), [72, 72, 70, 72, 9])
    picked = common.spread_views(target, [0, 2, 3], 10)
    assert len(picked) == 30 and len(np.unique(picked)) == 30
    assert np.array_equal(np.bincount(target[picked], minlength=5), [10, 0, 10, 10, 0])
    first = picked[:10]
    assert first[0] == 0 and first[-1] == 71  # the first and last view, evenly spaced between
    assert np.ptp(np.diff(first)) <= 1
    with pytest.raises(ValueError, match="fewer than 10"):
        common.spread_views(target, [4], 10)
    shapes = {name: (n * v, int(np.prod(size))) for name, (_, n, v, size) in common.FACES_SHAPED.items()}
    assert shapes == {"coil100_orl_shape": (400, 1024), "coil100_yaleb_shape": (2432, 2016)}
    assert {name: (n * v, int(np.prod(size))) for name, (_, n, v, size) in common.RELIT.items()} == {
        "coil100_relit": (2432, 2016)}


def test_development_sets_take_the_estimators_own_residual_rules():
    from deepsubspace import presets

    common = _load("_common")
    X = np.random.default_rng(0).random((30, 2016))
    rules = {estimator: common._preset_rules("extended_yaleb", X, 3, estimator)
             for estimator in ("MiniBatchDSC", "ContrastiveMiniBatchDSC")}
    contrastive = presets.get("ContrastiveMiniBatchDSC", "extended_yaleb")
    for name in ("augmentation", "temperature", "encoder_pretrain_epochs"):
        assert rules["ContrastiveMiniBatchDSC"][name] == contrastive[name]
        assert name not in rules["MiniBatchDSC"]
    for name in ("alpha", "beta", "coding_rate", "batch_size", "max_epochs"):
        assert rules["ContrastiveMiniBatchDSC"][name] == rules["MiniBatchDSC"][name]
    for estimator, chosen in rules.items():  # each estimator's own Yale B branch and anchor
        preset = presets.get(estimator, "extended_yaleb")
        assert chosen["encoder_params"] == preset["encoder_params"]
        # an anchor keeps its ratio to beta (100 * beta) on the development set's own beta
        assert chosen.get("input_anchor", 0.0) == pytest.approx(
            preset.get("input_anchor", 0.0) / preset["beta"] * chosen["beta"])
    assert rules["ContrastiveMiniBatchDSC"]["input_anchor"] == pytest.approx(100 * rules["MiniBatchDSC"]["beta"])
    with pytest.raises(ValueError, match="digits development set has MiniBatchDSC's rules only"):
        common.development_set("digits", "ContrastiveMiniBatchDSC")


def test_run_resumable_runs_children_at_once_and_keeps_every_result(tmp_path):
    import json

    common = _load("_common")
    script = tmp_path / "child.py"
    script.write_text("import json, sys\n"
                      "key = sys.argv[2:4]\n"
                      "if key == ['b', '1']: sys.exit(3)\n"
                      "print(json.dumps({'key': key}))\n")
    output = str(tmp_path / "out.json")
    keys = [("a", 0), ("a", 1), ("a", 2)]
    results = common.run_resumable(str(script), keys, output, jobs=2)
    assert set(results) == {"a/0", "a/1", "a/2"} and results["a/2"] == {"key": ["a", "2"]}
    assert json.load(open(output)) == results
    # resumable: done keys are skipped; a failing child stops the run, the others are kept
    with pytest.raises(SystemExit, match="failed"):
        common.run_resumable(str(script), keys + [("b", 0), ("b", 1)], output, jobs=2)
    assert "b/0" in json.load(open(output)) and "b/1" not in json.load(open(output))


def test_cast_shadows_fall_behind_a_bump_away_from_the_light():
    common = _load("_common")
    height = np.zeros((9, 21))
    height[4, 10] = 5.0  # a spike in a flat field
    grazing = np.array([[np.cos(np.radians(30)), 0.0, np.sin(np.radians(30))]])  # from the right, 30 deg up
    lit = common.cast_shadows(height, grazing).reshape(9, 21)
    # the spike (5 high) shadows the row to its left up to 5 / tan(30 deg) ~ 8.7 pixels, not to its right
    assert not lit[4, 9] and not lit[4, 3] and lit[4, 0]
    assert lit[4, 11:].all() and lit[0].all() and lit[8].all()
    # a frontal light, or a flat field, casts no shadow
    assert common.cast_shadows(height, [[0.0, 0.0, 1.0]]).all()
    assert common.cast_shadows(np.zeros((9, 21)), grazing).all()
    # shadowed points keep only the ambient term; without shadows relight is unchanged by the flag
    albedo = np.ones((12, 10))
    relief = np.zeros((12, 10))
    relief[6, 5] = 6.0
    light = [[np.cos(np.radians(20)), 0.0, np.sin(np.radians(20))]]
    plain = common.relight(albedo, light, specular=0.0, relief=relief)[0].reshape(12, 10)
    shaded = common.relight(albedo, light, specular=0.0, relief=relief, shadows=True)[0].reshape(12, 10)
    assert shaded[6, 3] == pytest.approx(0.05) and plain[6, 3] > 0.05
    assert np.all(shaded <= plain + 1e-12)
    np.testing.assert_array_equal(common.relight(albedo, light), common.relight(albedo, light, relief=None))
    assert {name: (n * v, int(np.prod(size))) for name, (_, n, v, size) in common.SHADOWED.items()} == {
        "coil100_shadowed": (2432, 2016)}
    assert set(common.SHADOWED) <= set(common.DEVELOPMENT_SETS)
    bump = common.face_relief(np.zeros((48, 42)))  # a flat view: only the common nose
    assert bump.max() == pytest.approx(common.SHADOWED_NOSE, rel=0.05) and np.argmax(bump) // 42 in (26, 27)


def test_dark_development_set_is_unlit_shadow_and_8_bit():
    common = _load("_common")
    # without ambient light a shadowed point is black; 8 bits: 256 levels of the maximum
    albedo = np.ones((12, 10))
    relief = np.zeros((12, 10))
    relief[6, 5] = 6.0
    light = [[np.cos(np.radians(20)), 0.0, np.sin(np.radians(20))]]
    shaded = common.relight(albedo, light, ambient=0.0, specular=0.0, relief=relief, shadows=True)
    assert shaded.reshape(12, 10)[6, 3] == 0.0
    X = np.array([[0.0, 0.3, 2.0], [0.001, 0.01, 0.02]])
    levels = common.quantise(X)
    assert levels.max() == 1.0 and np.allclose(levels * 255, np.round(levels * 255))
    np.testing.assert_allclose(levels, np.round(X / 2.0 * 255) / 255)
    assert np.unique(levels[1]).size == 3 and levels[1, 0] == 0.0  # a near-black row keeps a few levels
    with pytest.raises(ValueError, match="positive maximum"):
        common.quantise(np.zeros((2, 3)))
    assert set(common.DARK) <= set(common.DEVELOPMENT_SETS)
    assert {name: (n * v, int(np.prod(size))) for name, (_, n, v, size) in common.DARK.items()} == {
        "coil100_dark": (2432, 2016)}


def test_posed_development_set_varies_pose_within_its_ranges():
    common = _load("_common")
    image = np.zeros((32, 32))
    image[10:22, 12:20] = 1.0
    # no variation: the image itself
    still = common.vary_pose(image, np.random.default_rng(0), rotation=0, scale=0, shift=0)
    assert np.allclose(still, image)
    # a shift only moves the centre of mass by at most ``shift`` pixels per axis, and draws
    # come from the generator: the same seed gives the same image
    centre = np.array(np.nonzero(image)).mean(axis=1)
    for seed in range(5):
        moved = common.vary_pose(image, np.random.default_rng(seed), rotation=0, scale=0, shift=1.2)
        rows, cols = np.mgrid[0:32, 0:32]
        mass = np.array([(rows * moved).sum(), (cols * moved).sum()]) / moved.sum()
        assert np.all(np.abs(mass - centre) <= 1.2 + 1e-9)
        assert np.array_equal(moved, common.vary_pose(image, np.random.default_rng(seed), rotation=0,
                                                      scale=0, shift=1.2))
    # a rotation by up to 6 degrees keeps the mass (bilinear, the block stays inside the frame)
    turned = common.vary_pose(image, np.random.default_rng(1), scale=0, shift=0)
    assert abs(turned.sum() - image.sum()) < 0.05 * image.sum() and not np.allclose(turned, image)
    assert {name: (n * v, int(np.prod(size))) for name, (_, n, v, size) in common.POSED.items()} == {
        "coil100_posed": (400, 1024)}
    assert set(common.POSED) <= set(common.DEVELOPMENT_SETS)


def test_report_marks_runs_whose_parameters_differ_from_todays_preset():
    import json

    from deepsubspace import presets

    report = _load("report")

    def stored(params):  # as a result file stores them: tuples become lists
        return json.loads(json.dumps(params))

    today = presets.get("MiniBatchDSC", "orl")
    run = {"params": stored(today), "n_samples": 400}
    assert report._earlier_preset("MiniBatchDSC", "orl", "minibatch", [run]) == ""
    assert report._earlier_preset("MiniBatchDSC", "orl", "minibatch", []) == ""
    older = {**run, "params": {**run["params"], "batch_size": 128, "max_epochs": 225}}
    assert report._earlier_preset("MiniBatchDSC", "orl", "minibatch", [run, older]) == " (earlier preset)"
    # the full-batch mode's runs are compared with the preset in that mode
    full = {**run, "params": {**run["params"], "batch_size": None}}
    assert report._earlier_preset("MiniBatchDSC", "orl", "fullbatch", [full]) == ""
    assert report._earlier_preset("MiniBatchDSC", "orl", "minibatch", [full]) == " (earlier preset)"
    # StructuralContrastiveDSC runs are compared with their architecture's preset ("dsc" when the
    # run recorded none)
    residual = presets.get("StructuralContrastiveDSC", "orl", "residual")
    runs = [{"params": stored(residual), "n_samples": 400, "mode": "minibatch", "architecture": "residual"}]
    assert report._earlier_structural("orl", runs) == ""
    paper = presets.get("StructuralContrastiveDSC", "orl", "dsc")
    assert report._earlier_structural("orl", [{"params": stored(paper), "n_samples": 400,
                                               "mode": "fullbatch"}]) == ""
    bank = [{**runs[0], "params": {**runs[0]["params"], "coding_rate_scope": "bank"}}]
    assert report._earlier_structural("orl", bank) == " (earlier preset)"
    # a parameter that today's preset no longer sets (an anchor) and a different residual branch
    # count; a run that recorded no encoder_params (before 2026-12-07) is judged without them
    yaleb = stored(presets.get("MiniBatchDSC", "extended_yaleb"))
    runs = [{"params": yaleb, "n_samples": 2414}]
    assert report._earlier_preset("MiniBatchDSC", "extended_yaleb", "minibatch", runs) == ""
    anchored = {**yaleb, "input_anchor": 27000.0}
    gelu = {**yaleb, "encoder_params": {**yaleb["encoder_params"], "activation": "gelu"}}
    for earlier in (anchored, gelu):
        assert report._earlier_preset("MiniBatchDSC", "extended_yaleb", "minibatch",
                                      [{**runs[0], "params": earlier}]) == " (earlier preset)"
    unrecorded = {key: value for key, value in yaleb.items() if key != "encoder_params"}
    assert report._earlier_preset("MiniBatchDSC", "extended_yaleb", "minibatch",
                                  [{**runs[0], "params": unrecorded}]) == ""
    # a run that recorded every parameter (estimator_params, since 2026-12-07) is compared on all of
    # them, defaults the preset dict does not name included
    import deepsubspace

    common = _load("_common")
    full = common.estimator_params(deepsubspace.MiniBatchDSC(**presets.get("MiniBatchDSC", "extended_yaleb"),
                                                            device="cpu", random_state=3))
    assert "device" not in full and "random_state" not in full and full["input_scaling"] == "rows"
    assert report._earlier_preset("MiniBatchDSC", "extended_yaleb", "minibatch",
                                  [{**runs[0], "estimator_params": full}]) == ""
    for name, value in (("input_scaling", "max"), ("bank_momentum", 0.5), ("n_nonzero", 10), ("n_starts", 3)):
        assert report._earlier_preset("MiniBatchDSC", "extended_yaleb", "minibatch",
                                      [{**runs[0], "estimator_params": {**full, name: value}}]) == " (earlier preset)"
    # a run recorded before a parameter existed ran as its default
    before_n_starts = {name: value for name, value in full.items() if name != "n_starts"}
    assert report._earlier_preset("MiniBatchDSC", "extended_yaleb", "minibatch",
                                  [{**runs[0], "estimator_params": before_n_starts}]) == ""
    assert report._earlier_preset("MiniBatchDSC", "extended_yaleb", "n_starts=3",
                                  [{**runs[0], "estimator_params": before_n_starts}]) == " (earlier preset)"
    structural = presets.get("StructuralContrastiveDSC", "orl", "residual")
    runs = [{"params": stored(structural), "n_samples": 400, "mode": "minibatch", "architecture": "residual",
             "estimator_params": common.estimator_params(deepsubspace.StructuralContrastiveDSC(**structural))}]
    assert report._earlier_structural("orl", runs) == ""


@pytest.mark.slow  # runs git
def test_commit_is_dirty_for_changed_code_but_not_for_results_or_docs(tmp_path):
    import shutil
    import subprocess

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    (tmp_path / "benchmarks" / "results").mkdir(parents=True)
    shutil.copy(BENCHMARKS / "_common.py", tmp_path / "benchmarks" / "_common.py")
    (tmp_path / "benchmarks" / "results" / "run.json").write_text("{}")
    (tmp_path / "deepsubspace").mkdir()
    (tmp_path / "deepsubspace" / "code.py").write_text("x = 1\n")
    (tmp_path / "README.rst").write_text("about\n")
    git("init", "-q")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start")
    spec = importlib.util.spec_from_file_location("_tmp_common", tmp_path / "benchmarks" / "_common.py")
    common = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(common)
    clean = common.git_commit()
    assert len(clean) == 40
    (tmp_path / "benchmarks" / "results" / "run.json").write_text('{"a": 1}')
    (tmp_path / "README.rst").write_text("more about\n")
    assert common.git_commit() == clean
    (tmp_path / "deepsubspace" / "code.py").write_text("x = 2\n")
    assert common.git_commit() == clean + "+dirty"


def test_error_anatomy_counts_errors_under_the_accuracy_matching():
    spectral_restarts = _load("spectral_restarts")
    target = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    # cluster 5 holds class 0 and one sample of class 1; class 2 is split over clusters 7 and 8
    labels = np.array([5, 5, 5, 5, 6, 6, 7, 8])
    dark = np.array([False, False, False, True, False, False, False, True])
    anatomy = spectral_restarts.error_anatomy(target, labels, dark)
    # errors: sample 3 (class 1 in class 0's cluster) and one of class 2's halves (7 or 8)
    assert anatomy["largest"] == 4
    assert anatomy["dark_error_share"] in (0.5, 1.0)
    only_sample_3_wrong = spectral_restarts.error_anatomy(target, np.array([5, 5, 5, 5, 6, 6, 7, 7]), dark)
    assert only_sample_3_wrong == {"largest": 4, "dark_error_share": 1.0}
    assert np.isnan(spectral_restarts.error_anatomy(target, target, dark)["dark_error_share"])


def test_structural_dsc_net_budget_restores_dsc_nets_epochs(monkeypatch):
    structural = _load("structural")
    seen = {}
    monkeypatch.setattr(structural, "run_one", lambda *args, overrides: seen.update(overrides) or {})
    result = structural.run("extended_yaleb", 0, 10, "cpu", "dsc", budget="dsc_net")
    assert (seen["pretrain_epochs"], seen["max_epochs"]) == (1000, 1000)
    assert result["architecture"] == "dsc, DSC-Net's epochs"
    structural.run("orl", 0, 10, "cpu", "closed_form")
    assert (seen["pretrain_epochs"], seen["max_epochs"]) == (500, 700)  # the preset's CPU cut
    with pytest.raises(SystemExit):
        structural.main(["--budget", "dsc_net", "--architecture", "residual"])


def test_structural_n_starts_reaches_the_estimator_and_names_the_row(monkeypatch):
    structural = _load("structural")
    seen = {}
    monkeypatch.setattr(structural, "run_one", lambda *args, overrides: seen.update(overrides) or {})
    result = structural.run("orl", 0, 10, "cpu", "residual", n_starts=3)
    assert seen["n_starts"] == 3 and result["architecture"] == "residual, 3 starts"
    seen.clear()
    assert structural.run("orl", 0, 10, "cpu", "residual")["architecture"] == "residual"
    assert "n_starts" not in seen  # one start is the preset's own (the estimator's default)


def test_set_overrides_parse_values_as_json():
    common = _load("_common")
    assert common.overrides_of(["input_anchor=0", "encoder_params={\"hidden\": [8]}", "x=1e-3"]) == {
        "input_anchor": 0, "encoder_params": {"hidden": [8]}, "x": 1e-3}
    assert common.overrides_of([]) == {}


def test_embedding_cache_round_trip_and_names_per_fit(tmp_path, monkeypatch):
    common = _load("_common")
    monkeypatch.setattr(common, "CACHE", str(tmp_path))
    run = {"estimator": "MiniBatchDSC", "dataset": "orl", "seed": 3,
           "estimator_params": {"alpha": 1.0}, "commit": "abc"}
    embedding = np.arange(12, dtype=np.float32).reshape(4, 3)
    name = common.save_embedding(embedding, run)
    assert name.startswith("MiniBatchDSC_orl_s3_") and name.endswith(".npy")
    loaded = common.load_embedding(name)
    assert loaded.dtype == np.float32
    np.testing.assert_array_equal(loaded, embedding)
    assert common.save_embedding(embedding, {**run, "commit": "abd"}) != name
    assert common.save_embedding(embedding, {**run, "estimator_params": {"alpha": 2.0}}) != name
    with pytest.raises(SystemExit, match="missing"):
        common.load_embedding("nothing.npy")


def test_consensus_post_scores_both_rules_per_seed():
    from conftest import union_of_subspaces

    from deepsubspace.baselines import LeastSquaresSubspaceClustering

    consensus = _load("consensus_post")
    assert len(consensus.GRID) == 27 and (0.2, 4, 2.0) in consensus.GRID
    X, y = union_of_subspaces(n_subspaces=3, dim=3, ambient=12, per_subspace=30)
    coef = LeastSquaresSubspaceClustering(n_clusters=3).fit(X).coef_
    scores, acc_grid, labellings = consensus.score_rules(coef, y, 3, [0, 1])
    assert labellings.shape == (2, 27, 90)
    assert set(scores) == {"one", "grid_medoid", "grid_coassociation"}
    assert all(scores[rule] == [1.0, 1.0] for rule in scores)
    assert acc_grid == [[1.0] * 27] * 2
    noisy, _, _ = consensus.score_rules(np.random.RandomState(0).rand(90, 90), y, 3, [0])
    assert all(0 < acc < 0.8 for rule in noisy for acc in noisy[rule])


def test_consensus_post_coassociation_follows_the_majority_and_fills_old_rows(tmp_path, monkeypatch):
    from deepsubspace.metrics import clustering_accuracy

    consensus = _load("consensus_post")
    truth = np.repeat(np.arange(3), 20)
    rng = np.random.RandomState(0)
    noisy = [np.where(rng.rand(60) < 0.2, rng.randint(0, 3, 60), truth) for _ in range(8)]
    labels = consensus.coassociation_labels([truth] * 5 + noisy, 3, random_state=0)
    assert clustering_accuracy(truth, labels) == 1.0
    # a row scored before the rule existed gets it from its kept labellings, with its commit
    target = consensus.samples_and_target("digits")[1]
    monkeypatch.setattr(consensus, "CACHE", str(tmp_path))
    np.save(tmp_path / "old.npy", np.tile(target, (1, 27, 1)).astype(np.int16))
    row = {"dataset": "digits", "seeds": [0], "acc": {"one": [0.5], "grid_medoid": [0.5]},
           "labellings_file": "old.npy"}
    row = consensus.add_missing_rules("LSR/digits", row)
    assert row["acc"]["grid_coassociation"] == [1.0] and row["acc"]["one"] == [0.5]
    assert set(row["rule_commits"]) == {"grid_coassociation"}
    with pytest.raises(SystemExit, match="labellings"):
        consensus.add_missing_rules("LSR/digits", {**row, "acc": {"one": [0.5]}, "labellings_file": "gone.npy"})


def test_ensemble_starts_averages_affinities_of_every_combination():
    ensemble = _load("ensemble_starts")
    truth = np.repeat(np.arange(3), 20)
    wrong = np.random.RandomState(0).permutation(truth)  # a start that groups the samples otherwise
    together = lambda labels: (labels[:, None] == labels[None, :]).astype(float)  # noqa: E731
    affinities = {0: together(truth), 1: together(truth), 2: together(wrong)}
    single, combined = ensemble.ensemble_accuracies(affinities, truth, 3, 2)
    assert set(combined) == {(0, 1), (0, 2), (1, 2)}
    assert single[0] == single[1] == combined[(0, 1)] == 1.0 and single[2] < 0.7
    _, combined = ensemble.ensemble_accuracies(affinities, truth, 3, 3)
    assert combined == {(0, 1, 2): 1.0}  # two starts of three outvote the third
    # the largest cluster of each start alone: 20 for the true groups, 40 for one that pools two
    affinities[3] = together(np.repeat([0, 1, 2], [10, 10, 40]))
    largest = ensemble.largest_clusters(ensemble.single_labels(affinities, 3))
    assert largest[0] == largest[1] == 20 and largest[3] == 40

"""Helpers shared by the benchmark scripts: machine description, memory, result files."""

import hashlib
import json
import os
import platform
import subprocess

#: ``benchmarks/results``: one folder per experiment (see ``experiments.py``).
RESULTS_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")
#: Where this run writes: the experiment's folder, set by ``python -m benchmarks run``;
#: a script run by hand writes to ``results/adhoc`` (no manifest: not a registered result).
RESULTS = os.environ.get("DEEPSUBSPACE_RESULTS") or os.path.join(RESULTS_ROOT, "adhoc")


#: ``benchmarks/cache``: each deep fit's ``embedding_`` (git-ignored; rerunning the fit rebuilds it),
#: so that a later scoring of its C (a post-processing rule, say) needs no refit
CACHE = os.environ.get("DEEPSUBSPACE_CACHE") or os.path.join(os.path.dirname(os.path.abspath(__file__)), "cache")


def save_embedding(embedding, run):
    """Save a fit's ``embedding_`` under :data:`CACHE` and return its file name there.

    ``run`` is the fit's result (``estimator``, ``dataset``, ``seed``, ``estimator_params``,
    ``commit``); the name holds the first three and a hash of all five, so a refit with other
    parameters or at another commit gets its own file."""
    import numpy as np

    key = json.dumps([run[k] for k in ("estimator", "dataset", "seed", "estimator_params", "commit")],
                     sort_keys=True)
    name = f"{run['estimator']}_{run['dataset']}_s{run['seed']}_{hashlib.sha1(key.encode()).hexdigest()[:12]}.npy"
    os.makedirs(CACHE, exist_ok=True)
    np.save(os.path.join(CACHE, name), np.asarray(embedding))
    return name


def load_embedding(name):
    """The ``embedding_`` that :func:`save_embedding` saved as ``name``."""
    import numpy as np

    path = os.path.join(CACHE, name)
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: rerun the experiment that fitted it (the cache is not tracked)")
    return np.load(path)


def coefficients_of_fit(run):
    """The dense closed-form C of a kept fit (a result with ``embedding_file``): the ridge
    self-expression of its ``embedding_`` with the fit's weight ``beta / alpha``."""
    import torch

    from deepsubspace.nn.self_expression import ClosedFormSelfExpression

    bank = torch.as_tensor(load_embedding(run["embedding_file"]))
    return ClosedFormSelfExpression(run["params"]["beta"] / run["params"]["alpha"]).coefficients(bank).numpy()


def result_file(experiment, name):
    """Path of the result file ``name`` of another experiment (for scripts that read one)."""
    return os.path.join(RESULTS_ROOT, experiment, name)


#: the tracked paths a result depends on (results excepted: a running benchmark writes them)
CODE_PATHS = ("deepsubspace", "benchmarks", "setup.cfg", "pyproject.toml")


#: constructor arguments of a run that are not the preset's (where and with which seed it ran)
RUN_ARGUMENTS = ("device", "random_state", "verbose")


def estimator_params(model):
    """``model.get_params()`` as a result file stores it (JSON; tuples become lists), without
    :data:`RUN_ARGUMENTS`: every parameter, defaults included, so that a result can be compared
    with today's preset whatever keys the preset dict itself names."""
    import json

    params = {name: value for name, value in model.get_params(deep=False).items() if name not in RUN_ARGUMENTS}
    return json.loads(json.dumps(params, default=repr))


def git_commit():
    """HEAD of the checkout holding the benchmarks, with ``+dirty`` when :data:`CODE_PATHS` changed."""
    here = os.path.dirname(os.path.abspath(__file__))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--",
                            *(f":(top){path}" for path in CODE_PATHS), ":(top,exclude)benchmarks/results"],
                           cwd=here, capture_output=True, text=True)
    return head.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")


def rss_bytes(field="VmHWM"):
    """Peak (``VmHWM``) or current (``VmRSS``) resident set size of this process (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} not found in /proc/self/status")


def peak_rss_bytes():
    """Peak resident set size of this process (Linux)."""
    return rss_bytes("VmHWM")


def machine(device="cpu"):
    import sklearn
    import torch

    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": device,
        "commit": git_commit(),
        "versions": {"python": platform.python_version(), "torch": torch.__version__,
                     "scikit-learn": sklearn.__version__},
    }
    if device.startswith("cuda") and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name(device)
    return info


def load_results(path):
    if os.path.exists(path):
        with open(path) as fh:
            return json.load(fh)
    return {}


def save_results(path, results):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".partial.json"
    with open(tmp, "w") as fh:
        json.dump(results, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


def published_is_comparable(run):
    """Whether a wellposed.py run's ``acc_published`` applies DSC-Net's setting to a dense C:
    a sparse preset's first runs applied it to the k-entry rows of its sparse C instead."""
    return run["params"].get("coefficients") != "sparse" or "published_from_dense_c" in run


def mean_std(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3f} +- {values.std():.3f}"


FROZEN_ENCODER = {"learning_rate": 1e-12, "lr_scaling": "none"}
"""Fine-tuning parameters that leave the pre-trained encoder as it is (C alone learns)."""


def write_markdown(output, text):
    """Write ``text`` next to the result file ``output``, as ``<stem>.md``."""
    with open(os.path.splitext(output)[0] + ".md", "w") as fh:
        fh.write(text)


def add_jobs_argument(parser):
    """``--jobs``, the ``jobs`` of :func:`run_resumable`, on a benchmark's argument parser."""
    parser.add_argument("--jobs", type=int, default=1,
                        help="fits at once, each in its own process (give each one thread)")


def add_set_argument(parser):
    """``--set NAME=VALUE ...`` (VALUE as JSON): preset overrides for a disclosed diagnostic run."""
    parser.add_argument("--set", nargs="+", default=[], metavar="NAME=VALUE",
                        help="override preset parameters (VALUE as JSON), for disclosed diagnostic runs "
                             "that are not the preset; needs --output")


def overrides_of(items):
    """The ``{name: value}`` of ``--set`` items ``NAME=VALUE`` (VALUE parsed as JSON)."""
    import json

    return {name: json.loads(value) for name, value in (item.split("=", 1) for item in items)}


def run_resumable(script, keys, output, extra_args=(), summary=None, markdown=None, jobs=1):
    """Run ``script --one KEY... EXTRA...`` in a fresh process for every key not in ``output``.

    Each child prints its result as JSON on its last stdout line; results are
    saved after every run, so an interrupted benchmark resumes where it stopped.
    ``jobs``: children running at once (this process alone writes ``output``, as
    each finishes; give each child one thread, ``OMP_NUM_THREADS=1``, when they
    share the cores). ``markdown(results) -> str``, if given, is written to
    ``<stem>.md`` after every run and once at the end.
    """
    import subprocess
    import sys
    import time
    from concurrent.futures import ThreadPoolExecutor, as_completed

    results = load_results(output)
    todo = [key for key in keys if "/".join(map(str, key)) not in results]
    print(f"{len(results)} runs done, {len(todo)} to go", flush=True)

    def child(key):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, script, "--one", *map(str, key), *extra_args],
                              capture_output=True, text=True)
        return key, proc, time.perf_counter() - start

    failed = None
    with ThreadPoolExecutor(max(1, jobs)) as pool:
        futures = [pool.submit(child, key) for key in todo]
        for i, done in enumerate(as_completed(futures), 1):
            if done.cancelled():
                continue
            key, proc, seconds = done.result()
            if proc.returncode != 0:  # let the running children finish, start no other
                print(proc.stderr[-3000:], file=sys.stderr)
                failed = failed or key
                for future in futures:
                    future.cancel()
                continue
            run = json.loads(proc.stdout.strip().splitlines()[-1])
            results["/".join(map(str, key))] = run
            save_results(output, results)
            if markdown is not None:
                write_markdown(output, markdown(results))
            print(f"[{i}/{len(todo)}] {' '.join(map(str, key))}: {summary(run) if summary else ''} "
                  f"in {seconds:.0f}s", flush=True)
    if failed is not None:
        raise SystemExit(f"run {failed} failed")
    if markdown is not None:
        write_markdown(output, markdown(results))
    return results


#: where ``python -m benchmarks bundle`` puts the data for a device machine (git-ignored)
BUNDLE = "device_data"
#: data sets whose files travel as they are (small .mat files), and those that travel decoded
#: (as ``load_dataset`` keyword arguments)
COPIED = ("orl", "coil20", "extended_yaleb")
BUNDLED = {"coil100": {}}


def _bundle_file(folder, name, kwargs):
    suffix = "".join(f"_{k}{v}" for k, v in sorted(kwargs.items()))
    return os.path.join(folder, f"{name}{suffix}.npz")


def load_data(name, **kwargs):
    """``deepsubspace.datasets.load_dataset(name, **kwargs)``, or the same arrays from a bundle.

    With ``DEEPSUBSPACE_ARRAYS`` set (on a device machine, where ``../shared``
    does not travel and the 129 MB COIL-100 zip is over the carry limit), the
    decoded ``data`` and ``target`` come from the ``.npz`` that
    :func:`write_bundle` wrote there, when it holds this data set.
    """
    folder = os.environ.get("DEEPSUBSPACE_ARRAYS")
    path = _bundle_file(folder, name, kwargs) if folder else None
    if path and os.path.exists(path):
        import numpy as np
        from sklearn.utils import Bunch

        with np.load(path) as arrays:
            return Bunch(data=arrays["data"], target=arrays["target"], name=name, filename=path)
    from deepsubspace.datasets import load_dataset

    return load_dataset(name, **kwargs)


def samples_and_target(dataset):
    """``(X, y)`` of a development set (:func:`development_set`) or a benchmark (:func:`load_data`),
    in the dtype each gives (the development sets float64, the benchmarks float32)."""
    if dataset in DEVELOPMENT_SETS:
        X, y, _ = development_set(dataset)
        return X, y
    data = load_data(dataset)
    return data.data, data.target


def write_bundle(folder):
    """Write what a device run needs into ``folder``: the files of :data:`COPIED` (they pass
    their sha256 check there) and the decoded arrays of :data:`BUNDLED` (float32, compressed)."""
    import shutil

    import numpy as np

    from deepsubspace.datasets import DATASETS, get_data_home, load_dataset

    os.makedirs(folder, exist_ok=True)
    for name in COPIED:
        shutil.copy(os.path.join(get_data_home(), DATASETS[name].filename), folder)
    for name, kwargs in BUNDLED.items():
        data = load_dataset(name, **kwargs)
        np.savez_compressed(_bundle_file(folder, name, kwargs), data=data.data, target=data.target)
    return sorted(os.listdir(folder))


#: the objects family's development set: COIL-100 (32x32 grayscale) split once, without
#: labels being read, into 5 disjoint groups of 20 objects (``rng(0).permutation(100)``), each
#: a 20-class problem of COIL-20's size (about 1,430 views)
OBJECT_GROUPS = 5
OBJECT_GROUP_PREFIX = "coil100_group"
#: development sets shaped like the faces benchmarks -- COIL-100 objects (grayscale), not faces,
#: with the faces' sample count, dimension and class sizes: name -> (the benchmark whose preset
#: rules apply, objects, views per object, image size). ORL: 40 x 10 at 32x32 (N = 400 < h = 1,024);
#: Extended Yale B: 38 x 64 at 48x42 (N = 2,432, h = 2,016). The digits set (N = 1,797 >> h = 64)
#: has chosen four faces rules that the faces then lost with.
FACES_SHAPED = {"coil100_orl_shape": ("orl", 40, 10, (32, 32)),
                "coil100_yaleb_shape": ("extended_yaleb", 38, 64, (48, 42))}
#: a development set made like Extended Yale B -- one pose per class, many lightings, classes of
#: one shape -- from COIL-100 objects, not faces: name -> (the benchmark whose preset rules apply,
#: objects, lightings, image size). Each object's frontal view (0 degrees), averaged with the mean
#: of all the objects' frontal views, is the albedo of one common surface (:func:`relight`) lit
#: from the same 64 directions (:func:`light_directions`), as Yale B's 38 people are lit by the same
#: 64 flashes; N = 2,432 at 48x42.
RELIT = {"coil100_relit": ("extended_yaleb", 38, 64, (48, 42))}
#: a development set made like ORL -- ten images per class, each under its own near-frontal light
#: and in a slightly different pose -- from COIL-100 objects: name -> (the benchmark whose preset
#: rules apply, objects, images per object, image size). Each object's frontal view, mixed 0.7 to
#: 0.3 with the mean frontal view, is the albedo of :func:`relight`'s common surface, lit from a
#: direction drawn per image (azimuth +-25, elevation +-15 degrees), then rotated (+-6 degrees),
#: scaled (+-5%) and shifted (+-1.2 pixels) by :func:`vary_pose`; N = 400 at 32x32.
POSED = {"coil100_posed": ("orl", 40, 10, (32, 32))}
#: a second development set made like Extended Yale B, with what the relit set lacks -- cast
#: shadows, classes that differ in shape as well as albedo, and Yale B's wider light range:
#: name -> (the benchmark whose preset rules apply, objects, lightings, image size). Each
#: object's frontal view, averaged with the mean frontal view, is the albedo of the relit set's
#: ellipsoid raised by a common nose-like bump (height :data:`SHADOWED_NOSE` pixels) and by the
#: object's own relief (its frontal view smoothed, standardised, times
#: :data:`SHADOWED_RELIEF` pixels), lit from 64 directions (azimuth +-120, elevation -40..85
#: degrees) with cast shadows (:func:`cast_shadows`); N = 2,432 at 48x42.
SHADOWED = {"coil100_shadowed": ("extended_yaleb", 38, 64, (48, 42))}
SHADOWED_NOSE, SHADOWED_RELIEF = 4.0, 0.3
#: a third development set made like Extended Yale B, with what the shadowed set lacks: Yale B's
#: near-black images (row norms down to 0.0036 times the median; the shadowed set's 0.093) stored
#: in 8 bits, so that the darkest hold a few grey levels. The shadowed set without ambient light
#: (the closest of ambient 0, 0.01, 0.02, 0.03 to Yale B's row-norm quantiles 0-25%; no label
#: read), quantised to 256 levels of the set's maximum: name -> as :data:`SHADOWED`.
DARK = {"coil100_dark": ("extended_yaleb", 38, 64, (48, 42))}
DEVELOPMENT_SETS = (("digits",) + tuple(f"{OBJECT_GROUP_PREFIX}{g}" for g in range(OBJECT_GROUPS))
                    + tuple(FACES_SHAPED) + tuple(RELIT) + tuple(POSED) + tuple(SHADOWED) + tuple(DARK))


def light_directions(n, seed=0, azimuth=110, elevation=(-40, 80)):
    """``n`` unit light directions (x right, y up, z toward the viewer), azimuth uniform in
    +-``azimuth`` degrees and elevation in ``elevation`` degrees (the defaults are the relit
    set's; Yale B's flashes span +-130 and -40..90). ``seed``: a seed or a numpy Generator,
    drawn from (all azimuths, then all elevations)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    azimuth = np.radians(rng.uniform(-azimuth, azimuth, n))
    elevation = np.radians(rng.uniform(*elevation, n))
    return np.stack([np.sin(azimuth) * np.cos(elevation), np.sin(elevation),
                     np.cos(azimuth) * np.cos(elevation)], axis=1)


def relight(albedo, lights, ambient=0.05, specular=0.1, shininess=20, relief=None, shadows=False):
    """Images of ``albedo`` (H, W) on one ellipsoid that fills the frame, under ``lights``
    (n, 3): ``albedo * (ambient + max(0, n . l)) + specular * max(0, r . v)^shininess``
    (Lambertian with a Phong highlight; r the light reflected about the normal n, v the
    viewing direction), 0 outside the ellipse. Without the highlight and the clipping, the
    images of one albedo span a subspace of dimension 4 (ambient + 3), as a Lambertian
    face's lie near one of low dimension (Basri & Jacobs, 2003). ``relief`` (H, W): heights
    (in pixels) added to the ellipsoid inside the ellipse. ``shadows``: a point whose path
    toward the light passes under the surface (:func:`cast_shadows`) gets only the ambient
    term, as the nose shadows a lit face. Returns (n, H * W)."""
    import numpy as np

    albedo = np.asarray(albedo, dtype=np.float64)
    lights = np.asarray(lights, dtype=np.float64)
    rows, cols = albedo.shape
    y, x = np.mgrid[0:rows, 0:cols]
    inside = 1 - ((y - (rows - 1) / 2) / (rows / 2)) ** 2 - ((x - (cols - 1) / 2) / (cols / 2)) ** 2
    height = np.sqrt(np.clip(inside, 0, None)) * cols / 2
    if relief is not None:
        height = height + np.asarray(relief, dtype=np.float64) * (inside >= 0)
    dy, dx = np.gradient(height)
    # image rows grow downwards, y upwards: the surface rises along -dy per row
    normals = np.stack([-dx, dy, np.ones_like(height)], axis=-1).reshape(-1, 3)
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    cosine = normals @ lights.T
    lit = cast_shadows(height, lights) if shadows else np.ones(cosine.shape, dtype=bool)
    reflected_z = 2 * cosine * normals[:, 2:] - lights[:, 2]
    highlight = specular * np.clip(reflected_z, 0, None) ** shininess * (cosine > 0) * lit
    images = albedo.reshape(-1, 1) * (ambient + np.clip(cosine, 0, None) * lit) + highlight
    return (images * (inside.reshape(-1, 1) >= 0)).T


def quantise(X, bits=8):
    """``X`` (non-negative) rescaled to a maximum of 1 and rounded to ``2**bits`` levels, as
    images stored in ``bits`` bits (Extended Yale B's are 8-bit)."""
    import numpy as np

    X = np.asarray(X, dtype=np.float64)
    peak = np.max(X)
    if not peak > 0:
        raise ValueError("quantise needs non-negative X with a positive maximum")
    top = 2 ** bits - 1
    return np.round(X / peak * top) / top


def cast_shadows(height, lights, step=0.5):
    """Which points of the height field ``height`` (H, W; 0 outside the frame) each light of
    ``lights`` (n, 3; x right, y up, z toward the viewer) reaches: a point is in shadow when,
    marching from it toward the light in steps of ``step`` pixels across the image, the
    surface rises above the ray (bilinear heights). Returns a boolean (H * W, n), True where
    lit; a light along z casts no shadow."""
    import numpy as np
    from scipy import ndimage

    rows, cols = height.shape
    y, x = np.mgrid[0:rows, 0:cols].astype(np.float64)
    lit = np.ones((rows * cols, len(lights)), dtype=bool)
    for j, (lx, ly, lz) in enumerate(np.asarray(lights, dtype=np.float64)):
        across = np.hypot(lx, ly)
        if across < 1e-3:
            continue
        blocked = np.zeros((rows, cols), dtype=bool)
        for k in range(1, int(2 * max(rows, cols) / step)):
            t = k * step / across
            r, c = y - t * ly, x + t * lx
            if np.all((r < 0) | (r > rows - 1) | (c < 0) | (c > cols - 1)):
                break
            surface = ndimage.map_coordinates(height, [r, c], order=1, cval=0.0)
            blocked |= surface > height + t * lz + 1e-6
        lit[:, j] = ~blocked.ravel()
    return lit


def vary_pose(image, rng, rotation=6.0, scale=0.05, shift=1.2):
    """``image`` (H, W) rotated about its centre by an angle uniform in +-``rotation`` degrees,
    scaled by a factor uniform in 1 +- ``scale`` and shifted by up to ``shift`` pixels along each
    axis (bilinear, zero outside), with those draws taken from ``rng`` in that order."""
    import numpy as np
    from scipy import ndimage

    angle = np.radians(rng.uniform(-rotation, rotation))
    factor = 1 + rng.uniform(-scale, scale)
    inverse = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / factor
    centre = (np.array(image.shape) - 1) / 2
    offset = centre - inverse @ centre + rng.uniform(-shift, shift, 2)
    return ndimage.affine_transform(image, inverse, offset=offset, order=1)


def face_relief(view, nose=SHADOWED_NOSE, relief=SHADOWED_RELIEF):
    """The shadowed set's relief (pixels) of an object seen as ``view`` (H, W): a common
    Gaussian bump ``nose`` high (4 by 2.5 pixels wide, centred
    across, 55% down) plus ``relief`` times the view
    smoothed (Gaussian, sigma 2) and standardised."""
    import numpy as np
    from scipy import ndimage

    rows, cols = view.shape
    y, x = np.mgrid[0:rows, 0:cols]
    bump = nose * np.exp(-(((y - rows * 0.55) / 4.0) ** 2 + ((x - (cols - 1) / 2) / 2.5) ** 2))
    smooth = ndimage.gaussian_filter(np.asarray(view, dtype=np.float64), 2.0)
    return bump + relief * (smooth - smooth.mean()) / (smooth.std() + 1e-12)


def spread_views(target, objects, n_views):
    """Indices of ``n_views`` evenly spaced views (in stored order, COIL-100's angle order) of
    each of ``objects`` in ``target``; every object keeps at least ``n_views`` views."""
    import numpy as np

    picked = []
    for obj in objects:
        rows = np.flatnonzero(target == obj)
        if len(rows) < n_views:
            raise ValueError(f"object {obj} has {len(rows)} views, fewer than {n_views}")
        picked.append(rows[np.round(np.linspace(0, len(rows) - 1, n_views)).astype(int)])
    return np.concatenate(picked)


def residual_epochs(n_samples, batch_size):
    """presets.py's residual epoch rule: about 900 optimiser steps, ``ceil(900 / steps)``."""
    import math

    return math.ceil(900 / math.ceil(n_samples / batch_size))


def residual_rules(params, X, n_clusters, batch_size):
    """``params`` updated with presets.py's residual rules computed on ``X`` (no label read):
    ``alpha = 10 * mean ||x||^2`` to 2 digits, ``beta = alpha / 10``, coding rate
    ``alpha / 30``, an ``input_anchor`` the same multiple of the new beta as of the preset's
    (until 2026-12-07 it was copied as is), and :func:`residual_epochs`."""
    import numpy as np

    alpha = float(f"{10 * np.mean(np.sum(X ** 2, axis=1)):.2g}")
    if params.get("input_anchor"):  # the preset's anchor is a multiple of its beta: keep the multiple
        params["input_anchor"] = params["input_anchor"] / params["beta"] * (alpha / 10)
    params.update(n_clusters=n_clusters, batch_size=batch_size, alpha=alpha, beta=alpha / 10,
                  coding_rate=alpha / 30, max_epochs=residual_epochs(len(X), batch_size))
    return params


def _frontal_views(size, n_objects, seed):
    """``n_objects`` COIL-100 objects (``rng(seed).permutation``) and their 0-degree views."""
    import numpy as np

    data = load_data("coil100", image_size=size)
    objects = np.random.default_rng(seed).permutation(np.unique(data.target))[:n_objects]
    return objects, data.data[[np.flatnonzero(data.target == obj)[0] for obj in objects]]


def _preset_rules(benchmark, X, n_clusters, estimator):
    """``estimator``'s residual rules of ``benchmark``'s preset (its batch size) applied to ``X``."""
    from deepsubspace import presets

    preset = presets.get(estimator, benchmark, "residual")
    return residual_rules(preset, X, n_clusters, preset["batch_size"])


def development_set(name, estimator="MiniBatchDSC"):
    """``(X, y, params)`` of a development set: ``estimator``'s residual rules applied to it.

    ``estimator`` is ``"MiniBatchDSC"`` or ``"ContrastiveMiniBatchDSC"`` (whose
    rules add its augmentation, temperature and ``encoder_pretrain_epochs``;
    since 2026-12-07, before that every set took MiniBatchDSC's rules);
    ``digits`` has MiniBatchDSC's only.

    ``digits``: scikit-learn's 8x8 digits (the rules of ORL's preset, see
    ``epoch_signals.digits_params``). ``coil100_group{g}``: the 20 objects of
    group ``g`` of COIL-100 with the rules of COIL-20's preset
    (:func:`residual_rules`, batches of 32). ``coil100_orl_shape``,
    ``coil100_yaleb_shape``: :data:`FACES_SHAPED` (objects ``rng(1).permutation(100)``,
    :func:`spread_views`) with the rules of ORL's and Yale B's presets (their batch
    size; ``n_clusters`` until 2026-12-02, when the faces' batches became 128).
    ``coil100_relit``: :data:`RELIT` (objects ``rng(2).permutation(100)``),
    with the rules of Yale B's preset. ``coil100_posed``: :data:`POSED` (objects
    ``rng(3).permutation(100)``, lights and poses from a second ``rng(3)``), with the
    rules of ORL's preset. ``coil100_shadowed``: :data:`SHADOWED` (the relit set's objects and
    albedos, :func:`face_relief`, cast shadows), with the rules of Yale B's preset.
    ``coil100_dark``: :data:`DARK` (the shadowed set without ambient light, in 8 bits), with
    the rules of Yale B's preset.
    """
    import numpy as np

    from deepsubspace import presets

    if name == "digits":
        from epoch_signals import digits_params

        if estimator != "MiniBatchDSC":
            raise ValueError(f"the digits development set has MiniBatchDSC's rules only, not {estimator}'s")
        return digits_params()
    if name in FACES_SHAPED:
        benchmark, n_objects, n_views, size = FACES_SHAPED[name]
        data = load_data("coil100", image_size=size)
        objects = np.random.default_rng(1).permutation(np.unique(data.target))[:n_objects]
        keep = spread_views(data.target, objects, n_views)
        X = data.data[keep].astype(np.float64)
        return X, data.target[keep], _preset_rules(benchmark, X, n_objects, estimator)
    if name in RELIT or name in SHADOWED or name in DARK:
        dark = name in DARK
        shadowed = name in SHADOWED or dark
        benchmark, n_objects, n_lights, size = {**RELIT, **SHADOWED, **DARK}[name]
        objects, frontal = _frontal_views(size, n_objects, seed=2)
        lights = (light_directions(n_lights, azimuth=120, elevation=(-40, 85)) if shadowed
                  else light_directions(n_lights))
        albedos = (frontal + frontal.mean(axis=0)) / 2
        X = np.concatenate([relight(albedo.reshape(size), lights, ambient=0.0 if dark else 0.05,
                                    shadows=shadowed,
                                    relief=face_relief(view.reshape(size)) if shadowed else None)
                            for albedo, view in zip(albedos, frontal)])
        if dark:
            X = quantise(X)
        return X, np.repeat(objects, n_lights), _preset_rules(benchmark, X, n_objects, estimator)
    if name in POSED:
        benchmark, n_objects, n_images, size = POSED[name]
        objects, frontal = _frontal_views(size, n_objects, seed=3)
        albedos = 0.7 * frontal + 0.3 * frontal.mean(axis=0)
        rng = np.random.default_rng(3)
        images = []
        for albedo in albedos:
            lights = light_directions(n_images, rng, azimuth=25, elevation=(-15, 15))
            images += [vary_pose(image.reshape(size), rng).ravel()
                       for image in relight(albedo.reshape(size), lights)]
        X = np.array(images)
        return X, np.repeat(objects, n_images), _preset_rules(benchmark, X, n_objects, estimator)
    if not name.startswith(OBJECT_GROUP_PREFIX) or name not in DEVELOPMENT_SETS:
        raise ValueError(f"unknown development set {name!r}: expected one of {DEVELOPMENT_SETS}")
    group = int(name[len(OBJECT_GROUP_PREFIX):])
    objects = np.random.default_rng(0).permutation(100)[20 * group:20 * (group + 1)]
    data = load_data("coil100")
    keep = np.isin(data.target, objects)
    X = data.data[keep].astype(np.float64)
    y = data.target[keep]
    return X, y, residual_rules(presets.get(estimator, "coil20", "residual"), X, 20, 32)

import dataclasses
import functools
import hashlib
import io
import os
import shutil
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest
import scipy.io
from PIL import Image

from deepsubspace import datasets
from deepsubspace.datasets import DATASETS, get_data_home, load_dataset


def _real_data_home():
    """Directory of the real benchmark files: $DEEPSUBSPACE_DATA, else ../shared/datasets."""
    env = os.environ.get("DEEPSUBSPACE_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


REAL_HOME = _real_data_home()

# name -> (n_samples, n_classes, image_shape, min and max class size)
EXPECTED = {
    "orl": (400, 40, (1, 32, 32), 10, 10),
    "coil20": (1440, 20, (1, 32, 32), 72, 72),
    "extended_yaleb": (2414, 38, (1, 48, 42), 59, 64),
    "coil100": (7168, 100, (1, 32, 32), 68, 72),
}


def require_real(name):
    path = REAL_HOME / DATASETS[name].filename
    if not path.is_file():
        pytest.skip(f"{DATASETS[name].filename} not found in {REAL_HOME} (set DEEPSUBSPACE_DATA)")
    return path


@functools.lru_cache(maxsize=None)
def _load_real(name):
    """A real dataset with default options, loaded once per session (COIL-100: seconds)."""
    require_real(name)
    return load_dataset(name, data_home=REAL_HOME, download=False)


@pytest.fixture(params=[pytest.param(name, marks=pytest.mark.slow) if name == "coil100" else name
                        for name in sorted(EXPECTED)])  # coil100: 7,168 PNGs decoded
def real_dataset(request):
    return _load_real(request.param)


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _register(monkeypatch, name, path):
    """Make ``path``'s hash the expected one for dataset ``name``."""
    info = dataclasses.replace(DATASETS[name], sha256=_sha256(path))
    monkeypatch.setitem(DATASETS, name, info)
    return info


def _pattern(height, width, seed):
    """An asymmetric test image with integer values 0..255."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, size=(height, width)).astype(np.uint8)


def _write_fea_gnd(path, images, labels):
    """Write images like ORL_32x32.mat: one MATLAB column-major image per row of fea."""
    fea = np.stack([im.ravel(order="F") for im in images])
    scipy.io.savemat(path, {"fea": fea, "gnd": np.asarray(labels, dtype=np.uint8)[:, None]})


def _no_fetch(url, destination):
    raise AssertionError("no download expected")


# --- real files -------------------------------------------------------------------------


def test_real_dataset_shapes_ranges_and_labels(real_dataset):
    n, n_classes, image_shape, min_count, max_count = EXPECTED[real_dataset.name]
    ds = real_dataset
    assert ds.image_shape == image_shape
    assert ds.images.shape == (n,) + image_shape
    assert ds.data.shape == (n, int(np.prod(image_shape)))
    assert ds.data.dtype == ds.images.dtype == np.float32
    assert ds.target.dtype == np.int64 and ds.target.shape == (n,)
    assert 0.0 <= ds.data.min() and ds.data.max() <= 1.0
    assert ds.data.max() - ds.data.min() > 0.8  # really scaled to [0, 1], not [0, 1/255]
    assert np.array_equal(np.unique(ds.target), np.arange(n_classes))
    counts = np.bincount(ds.target)
    assert counts.min() == min_count and counts.max() == max_count
    assert len(ds.target_names) == n_classes
    assert np.all(np.diff(ds.target) >= 0)  # samples are grouped by class
    assert DATASETS[ds.name].source in ds.DESCR
    assert Path(ds.filename) == REAL_HOME / DATASETS[ds.name].filename


def test_real_dataset_rows_reshape_to_images(real_dataset):
    ds = real_dataset
    for i in (0, len(ds.target) // 2, len(ds.target) - 1):
        np.testing.assert_array_equal(ds.data[i].reshape(ds.image_shape), ds.images[i])
    assert np.shares_memory(ds.data, ds.images)


@pytest.mark.parametrize("name", ["orl", "extended_yaleb"])
def test_real_faces_are_not_transposed(name):
    """The mean face is far more symmetric left-right than top-bottom."""
    mean = _load_real(name).images.mean(axis=0)[0]
    left_right = np.abs(mean - mean[:, ::-1]).mean()
    top_bottom = np.abs(mean - mean[::-1]).mean()
    assert 2 * left_right < top_bottom


def test_real_yaleb_subject_names():
    ds = _load_real("extended_yaleb")
    assert ds.target_names[0] == "yaleB01" and ds.target_names[-1] == "yaleB39"
    assert "yaleB14" not in ds.target_names  # the cleaned set has no subject 14


def test_real_resize_keeps_the_images():
    native = _load_real("extended_yaleb")
    small = load_dataset("extended_yaleb", data_home=REAL_HOME, download=False, image_size=42)
    assert small.image_shape == (1, 42, 42) and small.data.shape == (2414, 42 * 42)
    assert small.data.dtype == np.float32 and 0 <= small.data.min() <= small.data.max() <= 1
    np.testing.assert_array_equal(small.target, native.target)
    # bilinear resizing preserves the mean brightness of each image
    np.testing.assert_allclose(small.data.mean(1), native.data.mean(1), atol=0.02)


def test_real_load_is_case_insensitive():
    require_real("orl")
    ds = load_dataset("ORL", data_home=REAL_HOME, download=False)
    assert ds.name == "orl" and ds.data.shape == (400, 1024)


def test_real_download_path_with_fake_fetch(tmp_path, monkeypatch):
    """Downloading = _fetch into a temporary file, sha256 check, rename into data_home."""
    source = require_real("orl")
    calls = []

    def fake_fetch(url, destination):
        calls.append(url)
        shutil.copyfile(source, destination)

    monkeypatch.setattr(datasets, "_fetch", fake_fetch)
    home = tmp_path / "new" / "home"  # does not exist yet
    ds = load_dataset("orl", data_home=home)
    assert calls == [DATASETS["orl"].url]
    assert DATASETS["orl"].url.startswith("https://raw.githubusercontent.com/panji530/")
    assert sorted(os.listdir(home)) == ["ORL_32x32.mat"]
    assert _sha256(home / "ORL_32x32.mat") == DATASETS["orl"].sha256
    assert ds.data.shape == (400, 1024)
    monkeypatch.setattr(datasets, "_fetch", _no_fetch)
    load_dataset("orl", data_home=home)  # present now: no second download


# --- file formats, on small synthetic files ---------------------------------------------


def test_fea_gnd_layout_is_matlab_column_major(tmp_path, monkeypatch):
    images = [_pattern(32, 32, seed) for seed in range(4)]
    path = tmp_path / "ORL_32x32.mat"
    _write_fea_gnd(path, images, [3, 3, 7, 5])  # labels need not be contiguous
    _register(monkeypatch, "orl", path)
    ds = load_dataset("orl", data_home=tmp_path, download=False)
    np.testing.assert_allclose(ds.images[:, 0], np.stack(images) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ds.target, [0, 0, 2, 1])
    assert list(ds.target_names) == ["3", "5", "7"]


def test_yaleb_cell_layout(tmp_path, monkeypatch):
    height, width = 6, 4  # not square, so that swapping H and W would show
    subjects = {"yaleB01": [_pattern(height, width, 0), _pattern(height, width, 1)],
                "yaleB03": [_pattern(height, width, 2)]}
    cells = np.empty((len(subjects), 2), dtype=object)
    for row, (subject, images) in enumerate(subjects.items()):
        cells[row, 0] = subject
        cells[row, 1] = np.stack([im.ravel(order="F") for im in images], axis=1)
    path = tmp_path / "ExtendedYaleB_48x42.mat"
    scipy.io.savemat(path, {"YaleB": cells, "imSize": np.array([[height, width]], np.uint8)})
    info = _register(monkeypatch, "extended_yaleb", path)
    monkeypatch.setitem(DATASETS, "extended_yaleb", dataclasses.replace(info, native_size=(6, 4)))

    ds = load_dataset("extended_yaleb", data_home=tmp_path, download=False)
    expected = np.stack(subjects["yaleB01"] + subjects["yaleB03"]) / 255.0
    assert ds.image_shape == (1, height, width)
    np.testing.assert_allclose(ds.images[:, 0], expected, rtol=1e-6)
    np.testing.assert_array_equal(ds.target, [0, 0, 1])
    assert list(ds.target_names) == ["yaleB01", "yaleB03"]


def _png(color, size):
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def fake_coil100(tmp_path, monkeypatch):
    """A small COIL100_png.zip: object 1 at 32x32 like the source, others at 128x128."""
    views = {  # (object, angle): solid colour; written in a scrambled order
        (10, 0): (0, 0, 255),
        (2, 355): (255, 255, 0),
        (1, 5): (0, 255, 0),
        (2, 0): (255, 0, 0),
        (1, 0): (10, 20, 30),
        (2, 10): (255, 255, 255),
    }
    path = tmp_path / "COIL100_png.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("COIL100/", "")
        archive.writestr("COIL100/readme.txt", "not an image")
        for (obj, angle), color in views.items():
            size = 32 if obj == 1 else 128
            archive.writestr(f"COIL100/obj{obj}__{angle}.png", _png(color, size))
    _register(monkeypatch, "coil100", path)
    order = sorted(views)
    return tmp_path, np.array([views[key] for key in order], dtype=np.float64) / 255.0


def test_coil100_zip_gray_default(fake_coil100):
    home, colors = fake_coil100
    ds = load_dataset("coil100", data_home=home, download=False)
    assert ds.image_shape == (1, 32, 32) and ds.data.shape == (6, 1024)
    np.testing.assert_array_equal(ds.target, [0, 0, 1, 1, 1, 2])  # sorted by (object, angle)
    assert list(ds.target_names) == ["obj1", "obj2", "obj10"]
    luma = colors @ np.array([0.299, 0.587, 0.114])  # PIL's convert("L")
    np.testing.assert_allclose(ds.images[:, 0, 16, 16], luma, atol=1 / 255)


@pytest.mark.parametrize("image_size", [128, (20, 24)])
def test_coil100_zip_color(fake_coil100, image_size):
    home, colors = fake_coil100
    ds = load_dataset("coil100", data_home=home, download=False, color=True,
                      image_size=image_size)
    height, width = (image_size, image_size) if np.isscalar(image_size) else image_size
    assert ds.image_shape == (3, height, width) and ds.images.shape == (6, 3, height, width)
    np.testing.assert_allclose(ds.images[:, :, height // 2, width // 2], colors, atol=1e-6)
    np.testing.assert_array_equal(ds.data[2].reshape(ds.image_shape), ds.images[2])
    assert ds.data.dtype == np.float32 and ds.data.max() <= 1.0


def test_real_coil100_order_and_resizing():
    """Sorted by (object, angle); object 1's 32x32 views and the 128x128 ones all resized."""
    ds = _load_real("coil100")
    with zipfile.ZipFile(REAL_HOME / "COIL100_png.zip") as archive:
        def decoded(entry):
            with Image.open(io.BytesIO(archive.read(entry))) as image:
                image = image.convert("L").resize((32, 32), Image.Resampling.BILINEAR)
                return np.asarray(image, dtype=np.float32) / 255.0

        # object 1 has 70 views (160 and 180 degrees are absent from the source)
        assert np.bincount(ds.target)[0] == 70
        np.testing.assert_allclose(ds.images[0, 0], decoded("COIL100/obj1__0.png"))
        np.testing.assert_allclose(ds.images[1, 0], decoded("COIL100/obj1__5.png"))
        np.testing.assert_allclose(ds.images[70, 0], decoded("COIL100/obj2__0.png"))
        np.testing.assert_allclose(ds.images[71, 0], decoded("COIL100/obj2__5.png"))
        np.testing.assert_allclose(ds.images[-1, 0], decoded("COIL100/obj100__355.png"))
    assert list(ds.target_names[:3]) == ["obj1", "obj2", "obj3"]


# --- errors, download and data home -----------------------------------------------------


def test_unknown_name():
    with pytest.raises(ValueError, match="valid names.*coil100.*coil20.*extended_yaleb.*orl"):
        load_dataset("mnist")


def test_invalid_options(tmp_path):
    with pytest.raises(ValueError, match="grayscale"):
        load_dataset("orl", data_home=tmp_path, color=True)
    for bad in (0, -3, (32,), (32, 32, 3), 2.5, "32", (16, None)):
        with pytest.raises(ValueError, match="image_size"):
            load_dataset("coil20", data_home=tmp_path, image_size=bad)


def test_missing_file_without_download(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "_fetch", _no_fetch)
    with pytest.raises(FileNotFoundError) as excinfo:
        load_dataset("coil20", data_home=tmp_path, download=False)
    message = str(excinfo.value)
    assert "COIL20.mat" in message
    assert str(tmp_path / "COIL20.mat") in message
    assert "DEEPSUBSPACE_DATA" in message
    assert DATASETS["coil20"].url in message


def test_missing_coil100_cannot_be_downloaded(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "_fetch", _no_fetch)
    with pytest.raises(FileNotFoundError) as excinfo:
        load_dataset("coil100", data_home=tmp_path, download=True)
    message = str(excinfo.value)
    assert str(tmp_path / "COIL100_png.zip") in message
    assert "muratkirtay/ESANN2018" in message
    assert "fb74c33a95f0c96e9afc9b74551475b3d5f25031" in message
    assert "DEEPSUBSPACE_DATA" in message


def test_sha256_mismatch_of_existing_file(tmp_path):
    (tmp_path / "ORL_32x32.mat").write_bytes(b"not the real file")
    with pytest.raises(ValueError) as excinfo:
        load_dataset("orl", data_home=tmp_path, download=False)
    message = str(excinfo.value)
    assert "ORL_32x32.mat" in message
    assert DATASETS["orl"].sha256 in message
    assert hashlib.sha256(b"not the real file").hexdigest() in message


def test_download_with_fake_fetch(tmp_path, monkeypatch):
    source = tmp_path / "served.mat"
    _write_fea_gnd(source, [_pattern(32, 32, 0), _pattern(32, 32, 1)], [1, 2])
    _register(monkeypatch, "coil20", source)
    calls = []

    def fake_fetch(url, destination):
        calls.append((url, Path(destination).parent))
        shutil.copyfile(source, destination)

    monkeypatch.setattr(datasets, "_fetch", fake_fetch)
    home = tmp_path / "home"
    ds = load_dataset("coil20", data_home=home)
    assert calls == [(DATASETS["coil20"].url, home)]  # temporary file inside data_home
    assert DATASETS["coil20"].url.endswith(
        "/4aa83542b8832c2b4586a53aee2c351bc8faf5c0/Data/COIL20.mat")
    assert os.listdir(home) == ["COIL20.mat"]
    np.testing.assert_array_equal(ds.target, [0, 1])


def test_download_with_wrong_bytes_leaves_nothing(tmp_path, monkeypatch):
    def corrupt_fetch(url, destination):
        Path(destination).write_bytes(b"<html>rate limited</html>")

    monkeypatch.setattr(datasets, "_fetch", corrupt_fetch)
    with pytest.raises(ValueError) as excinfo:
        load_dataset("extended_yaleb", data_home=tmp_path)
    message = str(excinfo.value)
    assert "ExtendedYaleB_48x42.mat" in message
    assert DATASETS["extended_yaleb"].sha256 in message
    assert hashlib.sha256(b"<html>rate limited</html>").hexdigest() in message
    assert os.listdir(tmp_path) == []


def test_download_without_network(tmp_path, monkeypatch):
    def offline_fetch(url, destination):
        Path(destination).write_bytes(b"partial")
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(datasets, "_fetch", offline_fetch)
    with pytest.raises(FileNotFoundError) as excinfo:
        load_dataset("orl", data_home=tmp_path)
    message = str(excinfo.value)
    assert str(tmp_path / "ORL_32x32.mat") in message
    assert DATASETS["orl"].url in message
    assert "DEEPSUBSPACE_DATA" in message and "Name or service not known" in message
    assert isinstance(excinfo.value.__cause__, urllib.error.URLError)
    assert os.listdir(tmp_path) == []


def test_registry_is_complete():
    assert sorted(DATASETS) == ["coil100", "coil20", "extended_yaleb", "orl"]
    for name, info in DATASETS.items():
        assert len(info.sha256) == 64 and int(info.sha256, 16) >= 0
        assert (info.url is None) == (name == "coil100")
        assert info.url is None or info.url.startswith("https://raw.githubusercontent.com/")


def test_get_data_home_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPSUBSPACE_DATA", str(tmp_path / "from_env"))
    assert get_data_home(tmp_path / "arg") == str(tmp_path / "arg")
    assert get_data_home() == str(tmp_path / "from_env")
    monkeypatch.setenv("DEEPSUBSPACE_DATA", "")
    assert get_data_home() == os.path.expanduser("~/.deepsubspace_data")
    monkeypatch.delenv("DEEPSUBSPACE_DATA")
    assert get_data_home() == os.path.expanduser("~/.deepsubspace_data")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home("~/data") == str(tmp_path / "data")
    assert not (tmp_path / "data").exists()  # nothing is created


def test_load_uses_env_data_home(tmp_path, monkeypatch):
    path = tmp_path / "ORL_32x32.mat"
    _write_fea_gnd(path, [_pattern(32, 32, 0)], [1])
    _register(monkeypatch, "orl", path)
    monkeypatch.setenv("DEEPSUBSPACE_DATA", str(tmp_path))
    assert load_dataset("orl", download=False).data.shape == (1, 1024)
    monkeypatch.setenv("DEEPSUBSPACE_DATA", str(tmp_path / "elsewhere"))
    with pytest.raises(FileNotFoundError, match="elsewhere"):
        load_dataset("orl", download=False)
    # the argument wins over the environment variable
    assert load_dataset("orl", data_home=tmp_path, download=False).data.shape == (1, 1024)

"""Loaders for the standard subspace-clustering image benchmarks.

Four datasets are available through :func:`load_dataset`: ORL faces, COIL-20,
COIL-100 and Extended Yale B. Each is read from one file in a data directory
(see :func:`get_data_home`); the file's sha256 is checked on every load. Files
that are missing are downloaded from their public source when possible.

Every loader returns the images as ``float32`` in ``[0, 1]``, upright, with shape
``(n_samples, C, H, W)``; ``data`` is the same array flattened to
``(n_samples, C * H * W)``. All facts about the files (name, sha256, source,
layout) live in the single table :data:`DATASETS`.
"""

import io
import os
import re
import zipfile
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np
import scipy.io
from sklearn.utils import Bunch

from ._download import check_sha256, download_verified, fetch

__all__ = ["DATASETS", "DatasetInfo", "get_data_home", "load_dataset"]

#: Environment variable naming the data directory.
DATA_HOME_ENV = "DEEPSUBSPACE_DATA"

_DSC_COMMIT = "4aa83542b8832c2b4586a53aee2c351bc8faf5c0"
_DSC_RAW = (
    "https://raw.githubusercontent.com/panji530/Deep-subspace-clustering-networks/"
    f"{_DSC_COMMIT}/Data/"
)
_YALEB_COMMIT = "7a56550d9f06b0d1a7d33c93e33c4d6ed1dc3517"
_COIL100_COMMIT = "fb74c33a95f0c96e9afc9b74551475b3d5f25031"


@dataclass(frozen=True)
class DatasetInfo:
    """Facts about one benchmark file.

    Attributes
    ----------
    filename : str
        Name of the file in the data directory.
    sha256 : str
        Expected sha256 of the file (hex).
    url : str or None
        Direct download URL; ``None`` if the file cannot be downloaded as is.
    source : str
        Human-readable public source (repository, commit, path).
    n_samples, n_classes : int
        Expected numbers of images and classes.
    native_size : tuple of int
        Default ``(H, W)`` of the returned images.
    color : bool
        Whether the source images have colour (3 channels).
    description : str
        One-line description used in ``DESCR``.
    """

    filename: str
    sha256: str
    url: Optional[str]
    source: str
    n_samples: int
    n_classes: int
    native_size: Tuple[int, int]
    color: bool
    description: str


#: The single table of dataset facts, keyed by the (lower-case) dataset name.
DATASETS = {
    "orl": DatasetInfo(
        filename="ORL_32x32.mat",
        sha256="c30cb53be2cab2da293eaeb35c1a7c16cad513fa14d0400ad5ed51f03e1ce7c8",
        url=_DSC_RAW + "ORL_32x32.mat",
        source=f"github.com/panji530/Deep-subspace-clustering-networks @ {_DSC_COMMIT}, "
        "Data/ORL_32x32.mat",
        n_samples=400,
        n_classes=40,
        native_size=(32, 32),
        color=False,
        description="ORL (AT&T) faces: 40 subjects x 10 images, 32x32 grayscale.",
    ),
    "coil20": DatasetInfo(
        filename="COIL20.mat",
        sha256="2a35c105dbb327492b90389e55612bcbf39187bc7c408252239903e4ce7d6958",
        url=_DSC_RAW + "COIL20.mat",
        source=f"github.com/panji530/Deep-subspace-clustering-networks @ {_DSC_COMMIT}, "
        "Data/COIL20.mat",
        n_samples=1440,
        n_classes=20,
        native_size=(32, 32),
        color=False,
        description="COIL-20: 20 objects x 72 poses (5 degree steps), 32x32 grayscale.",
    ),
    "coil100": DatasetInfo(
        filename="COIL100_png.zip",
        sha256="2d5823264abbc76fd7983ef7a152d38912ccf3c03d9adda0f168a83626ae507d",
        url=None,
        source=f"github.com/muratkirtay/ESANN2018 @ {_COIL100_COMMIT}, folder COIL100/ "
        f"(https://github.com/muratkirtay/ESANN2018/tree/{_COIL100_COMMIT}/COIL100)",
        n_samples=7168,
        n_classes=100,
        native_size=(32, 32),
        color=True,
        description="COIL-100: 100 objects, 7168 poses (32 of the 7200 views are absent "
        "from the source); original 128x128 RGB PNGs resized on load.",
    ),
    "extended_yaleb": DatasetInfo(
        filename="ExtendedYaleB_48x42.mat",
        sha256="b4cd4f1afe5dcfe2e86f711a5ae3a43a7dfccdea20c0338d080ea0d299cc705f",
        url="https://raw.githubusercontent.com/en-casa/ece759-project/"
        f"{_YALEB_COMMIT}/code/YaleB/data/YaleB.mat",
        source=f"github.com/en-casa/ece759-project @ {_YALEB_COMMIT}, "
        "code/YaleB/data/YaleB.mat (saved as ExtendedYaleB_48x42.mat)",
        n_samples=2414,
        n_classes=38,
        native_size=(48, 42),
        color=False,
        description="Extended Yale B (cropped, 0.25 scale): 38 subjects, 2414 frontal "
        "images under varying illumination, 48x42 grayscale.",
    ),
}


def get_data_home(data_home=None):
    """Return the directory holding the dataset files.

    Parameters
    ----------
    data_home : str or os.PathLike, default=None
        Directory to use. If None, the environment variable ``DEEPSUBSPACE_DATA``
        is used when set and non-empty, else ``~/.deepsubspace_data``.

    Returns
    -------
    data_home : str
        The directory, with ``~`` expanded. It is not created here.
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or os.path.join("~", ".deepsubspace_data")
    return os.path.expanduser(os.fspath(data_home))


def _fetch(url, destination):
    """Download ``url`` into the file ``destination`` (tests replace this function)."""
    fetch(url, destination, timeout=60)


def _missing_message(name, info, path):
    if info.url is None:
        how = (
            f"It cannot be downloaded automatically: zip the folder COIL100/ of "
            f"{info.source} unchanged (entries COIL100/obj{{object}}__{{angle}}.png) "
            f"into {info.filename} and place it in that directory."
        )
    else:
        how = f"Public source: {info.url} ({info.source})."
    return (
        f"Dataset file {info.filename} for {name!r} not found at {path}. Place the file "
        f"there, pass data_home=..., or set the {DATA_HOME_ENV} environment variable to "
        f"the directory that holds it. {how}"
    )


def _locate(name, info, data_home, download):
    """Path of the verified file of dataset ``name``, downloading it if allowed."""
    path = os.path.join(get_data_home(data_home), info.filename)
    if os.path.exists(path):
        check_sha256(path, info.sha256, advice="; delete it to download it again")
        return path
    if not download or info.url is None:
        raise FileNotFoundError(_missing_message(name, info, path))
    try:
        download_verified(info.url, path, info.sha256, fetch=_fetch)
    except OSError as exc:  # includes urllib.error.URLError: no network, HTTP error
        raise FileNotFoundError(
            f"{_missing_message(name, info, path)} Downloading it failed: {exc}"
        ) from exc
    return path


def _resize_gray(images, size):
    """Resize ``(n, H, W)`` float images to ``size = (H', W')`` (bilinear, antialiased)."""
    from PIL import Image

    if images.shape[1:] == size:
        return images
    out = np.empty((len(images),) + size, dtype=np.float32)
    for i, image in enumerate(images):
        resized = Image.fromarray(image).resize(size[::-1], Image.Resampling.BILINEAR)
        out[i] = np.asarray(resized)
    return np.clip(out, 0.0, 1.0, out=out)


def _read_fea_gnd(path):
    """ORL / COIL-20 layout: ``fea`` (n, H*W) in MATLAB column order, ``gnd`` (n, 1)."""
    mat = scipy.io.loadmat(path)
    fea, labels = mat["fea"], mat["gnd"].ravel()
    scale = 255.0 if fea.dtype == np.uint8 else 1.0
    side = int(round(np.sqrt(fea.shape[1])))
    images = (fea / scale).astype(np.float32).reshape(-1, side, side).transpose(0, 2, 1)
    return np.ascontiguousarray(images), labels, None


def _read_yaleb(path):
    """Extended Yale B layout: cell ``YaleB`` (subjects, 2) of name and (H*W, n_i) uint8."""
    mat = scipy.io.loadmat(path)
    height, width = (int(v) for v in mat["imSize"].ravel())
    cells = mat["YaleB"]
    images, labels, names = [], [], []
    for subject in range(cells.shape[0]):
        names.append(str(np.asarray(cells[subject, 0]).ravel()[0]))
        columns = np.asarray(cells[subject, 1])
        # each column is one image in column-major order: column.reshape(W, H).T
        images.append(columns.T.reshape(-1, width, height).transpose(0, 2, 1))
        labels.append(np.full(columns.shape[1], subject))
    images = (np.concatenate(images) / 255.0).astype(np.float32)
    return np.ascontiguousarray(images), np.concatenate(labels), np.array(names)


_COIL100_ENTRY = re.compile(r"COIL100/obj(\d+)__(\d+)\.png")


def _read_coil100(path, size, color):
    """COIL-100 zip of ``COIL100/obj{object}__{angle}.png``, sorted by (object, angle)."""
    from PIL import Image

    with zipfile.ZipFile(path) as archive:
        entries = sorted(
            (int(m.group(1)), int(m.group(2)), m.group(0))
            for m in map(_COIL100_ENTRY.fullmatch, archive.namelist())
            if m
        )
        n_channels = 3 if color else 1
        images = np.empty((len(entries), n_channels) + size, dtype=np.float32)
        for i, (_, _, entry) in enumerate(entries):
            with Image.open(io.BytesIO(archive.read(entry))) as image:
                image = image.convert("RGB" if color else "L")
                if image.size != size[::-1]:
                    image = image.resize(size[::-1], Image.Resampling.BILINEAR)
                pixels = np.asarray(image, dtype=np.float32)
            images[i] = pixels.transpose(2, 0, 1) if color else pixels
    images /= 255.0
    labels = np.array([obj for obj, _, _ in entries], dtype=np.int64)
    names = np.array([f"obj{obj}" for obj in np.unique(labels)])
    return images, labels, names


def _image_size(image_size, default):
    if image_size is None:
        return default
    size = (image_size, image_size) if np.isscalar(image_size) else tuple(image_size)
    if len(size) != 2 or not all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in size
    ):
        raise ValueError(
            f"image_size must be None, a positive int or a pair (H, W) of positive ints, "
            f"got {image_size!r}"
        )
    return tuple(int(s) for s in size)


def load_dataset(name, *, data_home=None, download=True, image_size=None, color=False):
    """Load a subspace-clustering image benchmark.

    Parameters
    ----------
    name : {"orl", "coil20", "coil100", "extended_yaleb"}
        Dataset name, case-insensitive.
    data_home : str or os.PathLike, default=None
        Directory holding the dataset files; see :func:`get_data_home`.
    download : bool, default=True
        Whether to download a missing file from its public source (sha256-checked).
        COIL-100 cannot be downloaded automatically: its source is a folder of PNGs
        that must be zipped into ``COIL100_png.zip`` by hand.
    image_size : int or tuple (H, W), default=None
        Size of the returned images. None keeps the native size (32x32 for ORL and
        COIL-20, 48x42 for Extended Yale B) and gives 32x32 for COIL-100 (the DSC
        setting). Other sizes are obtained by bilinear, antialiased resizing; e.g.
        ``image_size=42`` for Yale B as in the mini-batch DSC paper, or
        ``image_size=128, color=True`` for COIL-100's original resolution.
    color : bool, default=False
        Return RGB images (COIL-100 only). COIL-100 is converted to grayscale with
        ITU-R 601-2 luma (``PIL.Image.convert("L")``) otherwise.

    Returns
    -------
    dataset : sklearn.utils.Bunch
        With fields:

        - ``data`` : ndarray of shape (n_samples, C * H * W), float32 in [0, 1];
          a flattened *view* of ``images`` (they share memory).
        - ``images`` : ndarray of shape (n_samples, C, H, W), float32 in [0, 1],
          upright; C is 1 for grayscale, 3 (RGB) for colour.
        - ``image_shape`` : tuple (C, H, W), so that
          ``data[i].reshape(image_shape)`` equals ``images[i]``.
        - ``target`` : ndarray of shape (n_samples,), int64 class labels
          ``0 .. n_classes - 1`` in the order of the source's classes.
        - ``target_names`` : ndarray of str, the source's name of each class.
        - ``name``, ``DESCR``, ``filename`` : dataset name, short description,
          path of the file read.

    Raises
    ------
    ValueError
        For an unknown name, invalid ``image_size``, ``color=True`` on a grayscale
        dataset, or a file whose sha256 differs from the published one.
    FileNotFoundError
        If the file is missing and cannot be downloaded (``download=False``, no
        network, or COIL-100); the message gives the path and the public source.

    Examples
    --------
    >>> from deepsubspace.datasets import load_dataset
    >>> orl = load_dataset("orl", download=False)  # doctest: +SKIP
    >>> orl.data.shape, orl.image_shape  # doctest: +SKIP
    ((400, 1024), (1, 32, 32))
    """
    key = str(name).lower()
    if key not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; valid names are {sorted(DATASETS)}.")
    info = DATASETS[key]
    if color and not info.color:
        raise ValueError(f"Dataset {key!r} is grayscale; color=True is not available.")
    size = _image_size(image_size, info.native_size)
    path = _locate(key, info, data_home, download)

    if key == "coil100":
        images, labels, names = _read_coil100(path, size, bool(color))
    else:
        reader = _read_yaleb if key == "extended_yaleb" else _read_fea_gnd
        images, labels, names = reader(path)
        images = _resize_gray(images, size)[:, None]
    classes, target = np.unique(labels, return_inverse=True)
    if names is None:
        names = np.array([str(c) for c in classes])

    n_samples = len(images)
    return Bunch(
        data=images.reshape(n_samples, -1),
        images=images,
        image_shape=tuple(images.shape[1:]),
        target=target.astype(np.int64).ravel(),
        target_names=names,
        name=key,
        DESCR=f"{info.description} Returned: {n_samples} images of shape "
        f"{tuple(images.shape[1:])} (C, H, W), float32 in [0, 1]. Source: {info.source}.",
        filename=path,
    )

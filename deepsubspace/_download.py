"""Download a file and verify its sha256: the one helper of the data sets and the network weights.

Plain standard library (no scikit-learn), so the torch core ``deepsubspace.nn`` may use it.
"""

import hashlib
import os
import shutil
import tempfile
import urllib.request

__all__ = ["check_sha256", "download_verified", "fetch", "sha256_of"]


def fetch(url, destination, timeout=60):
    """Copy the resource at ``url`` (``https://``, ``file://``...) into the file ``destination``."""
    with urllib.request.urlopen(url, timeout=timeout) as response, open(destination, "wb") as out:
        shutil.copyfileobj(response, out)


def sha256_of(path):
    """Hex sha256 digest of the file ``path``, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path, expected, *, prefix=False, advice=""):
    """Raise a ValueError unless the sha256 of ``path`` is ``expected``.

    With ``prefix=True`` the digest only has to start with ``expected`` (the
    8 hex digits torchvision publishes in its weight file names). ``advice``
    is appended to the message.
    """
    actual = sha256_of(path)
    if actual.startswith(expected) if prefix else actual == expected:
        return
    wanted = f"a digest starting with {expected!r}" if prefix else expected
    raise ValueError(
        f"sha256 mismatch for {os.path.basename(path)} at {path}: expected {wanted}, got "
        f"{actual}. The file is corrupted or is not the published version{advice}."
    )


def download_verified(url, path, sha256, *, prefix=False, fetch=fetch):
    """Download ``url`` to ``path`` through a temporary file beside it, checking its sha256.

    The temporary file is moved into place only once verified; on any failure
    (``OSError`` of ``fetch``, ``ValueError`` of a wrong digest) nothing is
    left behind. ``fetch(url, destination)`` does the transfer.
    """
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".part", dir=directory)
    os.close(fd)
    try:
        fetch(url, tmp)
        check_sha256(tmp, sha256, prefix=prefix)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path

"""The one download-and-verify helper, on local files served through file:// URLs."""

import hashlib
import os

import pytest

from deepsubspace import _download, datasets
from deepsubspace.nn import encoders

PAYLOAD = b"published bytes\n" * 1000


@pytest.fixture
def served(tmp_path):
    source = tmp_path / "served" / "file.bin"
    source.parent.mkdir()
    source.write_bytes(PAYLOAD)
    return source.as_uri(), hashlib.sha256(PAYLOAD).hexdigest()


def test_good_checksum_is_moved_into_place(served, tmp_path):
    url, digest = served
    target = tmp_path / "cache" / "file.bin"
    assert _download.download_verified(url, str(target), digest) == str(target)
    assert target.read_bytes() == PAYLOAD
    assert os.listdir(target.parent) == ["file.bin"]  # no temporary file left


def test_good_checksum_prefix(served, tmp_path):
    url, digest = served
    target = tmp_path / "file.bin"
    _download.download_verified(url, str(target), digest[:8], prefix=True)
    assert target.read_bytes() == PAYLOAD


@pytest.mark.parametrize("prefix", [False, True])
def test_bad_checksum_leaves_nothing(served, tmp_path, prefix):
    url, digest = served
    wrong = "0" * (8 if prefix else 64)
    target = tmp_path / "cache" / "file.bin"
    with pytest.raises(ValueError) as excinfo:
        _download.download_verified(url, str(target), wrong, prefix=prefix)
    message = str(excinfo.value)
    assert "sha256 mismatch" in message and wrong in message and digest in message
    assert os.listdir(target.parent) == []


def test_failed_transfer_leaves_nothing(tmp_path):
    target = tmp_path / "file.bin"
    with pytest.raises(OSError):
        _download.download_verified((tmp_path / "absent").as_uri(), str(target), "0" * 64)
    assert os.listdir(tmp_path) == []


def test_datasets_and_weights_share_the_helper():
    assert datasets.check_sha256 is encoders.check_sha256 is _download.check_sha256
    assert datasets.download_verified is encoders.download_verified is _download.download_verified

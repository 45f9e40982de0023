"""Errors a user meets first: encoder parameter typos and the command line."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from torch import nn

from deepsubspace.__main__ import main
from deepsubspace.nn.encoders import build_autoencoder


@pytest.mark.parametrize(
    "encoder, shape, accepted",
    [("mlp", (8,), "hidden_layer_sizes"), ("conv", (1, 8, 8), "kernel_sizes"),
     ("residual", (8,), "kernel_size")],
)
def test_unknown_encoder_param_names_the_encoder_and_the_accepted_ones(encoder, shape, accepted):
    with pytest.raises(ValueError) as excinfo:
        build_autoencoder(encoder, shape, {"hiden_layer_sizes": (4,)})
    message = str(excinfo.value)
    assert repr(encoder) in message and "hiden_layer_sizes" in message
    assert accepted in message


def test_unknown_param_of_a_factory_callable():
    def tiny(input_shape, *, width=4):
        return nn.Linear(input_shape[0], width), None

    with pytest.raises(ValueError, match=r"'tiny'.*\['width'\]"):
        build_autoencoder(tiny, (3,), {"widht": 2})
    encoder, _ = build_autoencoder(tiny, (3,), {"width": 2})
    assert encoder.out_features == 2


def test_factory_with_var_keywords_gets_every_param():
    def loose(input_shape, **params):
        return nn.Linear(input_shape[0], params["size"]), None

    assert build_autoencoder(loose, (3,), {"size": 5})[0].out_features == 5


def test_cli_unavailable_device_is_one_line_and_exit_code_2(capsys):
    assert main(["--device", "cuda:99"]) == 2  # no machine has 100 GPUs
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "cuda:99" in lines[0]
    assert captured.out == ""  # nothing ran


def test_cli_invalid_parameter_is_one_line(capsys):
    assert main(["--device", "cpu", "--epochs", "0"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "max_epochs" in lines[0]


@pytest.mark.slow  # a fresh interpreter imports torch
def test_python_dash_m_prints_no_traceback():
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run([sys.executable, "-m", "deepsubspace", "--device", "tpu"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_device_resolution_has_one_home_and_the_old_import_path():
    from deepsubspace import _base, _device

    assert _base.resolve_device is _device.resolve_device
    assert _device.resolve_device("cpu").type == "cpu"
    with pytest.raises(ValueError, match="Unknown device 'tpu'"):
        _device.resolve_device("tpu")


def test_estimator_with_a_misspelt_encoder_param_raises_the_same_value_error():
    import numpy as np

    from deepsubspace import MiniBatchDSC

    X = np.random.default_rng(0).standard_normal((20, 5))
    with pytest.raises(ValueError, match=r"'mlp'.*hidden_layer_sizes"):
        MiniBatchDSC(n_clusters=2, encoder_params={"hiden_layer_sizes": (4,)}).fit(X)

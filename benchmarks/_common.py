"""Helpers shared by the benchmark scripts: machine description, memory, result files."""

import json
import os
import platform

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def peak_rss_bytes():
    """Peak resident set size of this process (Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("VmHWM not found in /proc/self/status")


def machine(device="cpu"):
    import sklearn
    import torch

    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "device": device,
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


def mean_std(values):
    import numpy as np

    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3f} +- {values.std():.3f}"

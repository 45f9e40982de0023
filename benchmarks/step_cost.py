"""Time and peak memory of one fine-tuning epoch of MiniBatchDSC at fixed batch size.

Each N runs in a fresh process (peak RSS is per process). Synthetic data, CPU.
``--self-expression closed_form`` (the default) measures the exact C-step:
time per step should be flat in N (O(n h^2 + h^3) at batch n and latent h)
and no N x N array exists during training. ``learned`` measures the N x N
parameter C with its row-wise Adam state. Writes
step_cost_<self_expression>.json into its results folder.

    python benchmarks/step_cost.py                 # closed form, N = 1000, 4000, 16000, 64000
    python benchmarks/step_cost.py --self-expression learned --sizes 1000 4000 16000
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, rss_bytes  # noqa: E402


def measure(n_samples, batch_size, n_features, latent_dim, epochs, threads, self_expression):
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    from deepsubspace import MiniBatchDSC
    from deepsubspace._base import _Training
    from deepsubspace.nn.encoders import build_autoencoder

    torch.manual_seed(0)
    X = torch.tensor(np.random.RandomState(0).rand(n_samples, n_features), dtype=torch.float32)
    model = MiniBatchDSC(encoder_params={"hidden_layer_sizes": (64,), "latent_dim": latent_dim},
                         self_expression=self_expression)
    encoder, decoder = build_autoencoder("mlp", (n_features,), model.encoder_params)
    training = _Training(X, encoder, decoder, None, torch.Generator().manual_seed(0), batch_size)
    training.optimizer = torch.optim.Adam(training.network_parameters(), lr=1e-4)
    training.self_expression = model._new_self_expression(training, 1e-3)
    for buffer in training.self_expression.buffers():  # touch every page of C and its state
        buffer.add_(0)
    model.loss_curve_, model.n_iter_ = [], 0
    model.loss_terms_ = {"objective": [], "self_expr": [], "reg": [], "coding_rate": []}
    # warm-up epoch (allocator, first-touch), then timed epochs
    model._self_expression_epochs(training, 1, train_network=True)
    rss_before = rss_bytes("VmRSS")
    with open("/proc/self/clear_refs", "w") as refs:  # reset the peak-RSS counter
        refs.write("5")
    start = time.perf_counter()
    model._self_expression_epochs(training, epochs, train_network=True)
    epoch_seconds = (time.perf_counter() - start) / epochs
    peak = rss_bytes("VmHWM")
    float_bytes = 4
    state_bytes = sum(b.numel() * b.element_size() for b in training.self_expression.buffers())
    if training.bank.gram is not None:  # the closed form's only self-expression state
        state_bytes += training.bank.gram.numel() * training.bank.gram.element_size()
    return {
        "self_expression": self_expression,
        "latent_dim": latent_dim,
        "n_samples": n_samples,
        "batch_size": batch_size,
        "steps_per_epoch": math.ceil(n_samples / batch_size),
        "epoch_seconds": epoch_seconds,
        "step_seconds": epoch_seconds / math.ceil(n_samples / batch_size),
        "peak_rss_bytes": peak,
        "rss_before_epoch_bytes": rss_before,
        "epoch_peak_increase_bytes": peak - rss_before,
        "c_and_adam_state_bytes": state_bytes,
        "bank_bytes": n_samples * latent_dim * float_bytes,
        "one_n_by_n_matrix_bytes": n_samples * n_samples * float_bytes,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--self-expression", default="closed_form", choices=["closed_form", "learned"])
    parser.add_argument("--sizes", type=int, nargs="+", default=None,
                        help="default: 1000 4000 16000 64000 (closed form), 1000 4000 16000 (learned)")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--latent-dim", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (1 keeps timings stable on a shared 2-core machine)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--output", default=None)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.batch_size, args.features, args.latent_dim, args.epochs,
                                 args.threads, args.self_expression)))
        return
    if args.sizes is None:
        args.sizes = [1000, 4000, 16000] + ([64000] if args.self_expression == "closed_form" else [])
    args.output = args.output or os.path.join(RESULTS, f"step_cost_{args.self_expression}.json")
    import torch

    runs = []
    for n in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--batch-size", str(args.batch_size),
             "--features", str(args.features), "--latent-dim", str(args.latent_dim),
             "--epochs", str(args.epochs), "--threads", str(args.threads),
             "--self-expression", args.self_expression],
            check=True, capture_output=True, text=True,
        )
        run = json.loads(out.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"N={n:>6}: epoch {run['epoch_seconds']:.3f} s, step {1e3 * run['step_seconds']:.2f} ms, "
              f"peak RSS {run['peak_rss_bytes'] / 2**20:.0f} MiB "
              f"(self-expression state {run['c_and_adam_state_bytes'] / 2**20:.0f} MiB, "
              f"epoch adds {run['epoch_peak_increase_bytes'] / 2**20:.1f} MiB "
              f"vs one NxN {run['one_n_by_n_matrix_bytes'] / 2**20:.0f} MiB)", flush=True)
    growth = []
    for a, b in zip(runs[:-1], runs[1:]):
        exponent = math.log(b["epoch_seconds"] / a["epoch_seconds"]) / math.log(b["n_samples"] / a["n_samples"])
        growth.append({"from": a["n_samples"], "to": b["n_samples"], "time_exponent": exponent})
        print(f"epoch time grows as N^{exponent:.2f} from {a['n_samples']} to {b['n_samples']}")
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.abspath(__file__))).stdout.strip()
    step_growth = []
    for a, b in zip(runs[:-1], runs[1:]):
        exponent = math.log(b["step_seconds"] / a["step_seconds"]) / math.log(b["n_samples"] / a["n_samples"])
        step_growth.append({"from": a["n_samples"], "to": b["n_samples"], "step_time_exponent": exponent})
        print(f"step time grows as N^{exponent:.2f} from {a['n_samples']} to {b['n_samples']}")
    result = {
        "benchmark": f"MiniBatchDSC fine-tuning epoch cost, self_expression={args.self_expression!r}",
        "commit": head,
        "step_growth": step_growth,
        "machine": {"platform": platform.platform(), "processor": platform.processor(),
                    "cpu_count": os.cpu_count(), "torch_threads": args.threads},
        "versions": {"python": platform.python_version(), "torch": torch.__version__},
        "device": "cpu",
        "runs": runs,
        "growth": growth,
        "target": ("time per step flat in N; no N x N array (self-expression state is the h x h Gram)"
                   if args.self_expression == "closed_form" else
                   "epoch time grows no faster than N^2; peak = C + Adam state + bank + one batch"),
    }
    os.makedirs(os.path.dirname(args.output), exist_ok=True)
    with open(args.output, "w") as fh:
        json.dump(result, fh, indent=2)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

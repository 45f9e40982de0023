"""Label-free check of the autoencoder pre-training of a MiniBatchDSC preset.

For each seed and each activation, pre-trains the preset's autoencoder and
records the final reconstruction loss (summed over the epoch's batches) and
the number of latent units that are zero for every sample ("dead" ReLUs).
Labels are never read: this is how a preset's encoder is checked before any
clustering is scored.

    python benchmarks/pretrain_probe.py --dataset orl --activations relu gelu
"""

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from _common import RESULTS, machine, save_results  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dataset", default="orl")
    parser.add_argument("--activations", nargs="+", default=["relu", "gelu"])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--pretrain-epochs", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    import torch

    from deepsubspace import MiniBatchDSC, presets
    from deepsubspace.datasets import load_dataset

    torch.set_num_threads(args.threads)
    X = load_dataset(args.dataset).data  # the labels are not used
    rows = []
    for activation in args.activations:
        for seed in args.seeds:
            params = presets.get("MiniBatchDSC", args.dataset)
            params["encoder_params"] = dict(params["encoder_params"], activation=activation)
            params["max_epochs"] = 1
            if args.pretrain_epochs is not None:
                params["pretrain_epochs"] = args.pretrain_epochs
            start = time.perf_counter()
            model = MiniBatchDSC(**params, random_state=seed).fit(X)
            with torch.no_grad():
                latent = model.encoder_(torch.tensor(X).reshape(-1, *params["input_shape"]))
            latent = latent.reshape(len(X), -1).numpy()
            row = {"dataset": args.dataset, "activation": activation, "seed": seed,
                   "pretrain_epochs": params["pretrain_epochs"],
                   "final_reconstruction_loss": model.pretrain_loss_curve_[-1],
                   "dead_latent_units": int(np.sum(np.all(latent == 0, axis=0))),
                   "latent_units": latent.shape[1],
                   "loss_curve": model.pretrain_loss_curve_,
                   "seconds": time.perf_counter() - start}
            rows.append(row)
            print(json.dumps(row), flush=True)
    out = os.path.join(RESULTS, f"pretrain_probe_{args.dataset}_{rows[0]['pretrain_epochs']}ep.json")
    save_results(out, {"rows": rows, "machine": machine(), "torch_threads": args.threads})
    print("wrote", out)


if __name__ == "__main__":
    main()

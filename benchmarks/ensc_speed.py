"""Time of EnSC's coefficient step (the elastic-net solves, no spectral step).

COIL-20 (N=1440, D=1024) and COIL-100 at 32x32 grayscale (N=7168), for the
estimator default (gamma=50) and gamma=200, on unit-norm rows, with the exact
batched LARS-lasso homotopy on oracle-guided active sets. Writes
``ensc_speed.json`` and ``.md`` into its results folder. Run it on an otherwise
idle machine: the figure is a wall time.

    python -m benchmarks run ensc_speed
    python benchmarks/ensc_speed.py --threads 2
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, machine, peak_rss_bytes, save_results  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", nargs="+", default=["coil20", "coil100"])
    parser.add_argument("--gammas", type=float, nargs="+", default=[50.0, 200.0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from deepsubspace.baselines import elastic_net_representation
    from deepsubspace.datasets import load_dataset

    torch.set_num_threads(args.threads)
    rows = []
    for dataset in args.datasets:
        X = load_dataset(dataset).data.astype(np.float64)
        for gamma in args.gammas:
            n_jobs = args.threads if args.threads > 1 else None
            elastic_net_representation(X[:200], gamma, n_jobs=n_jobs)  # warm-up
            seconds = []
            for _ in range(args.repeats):
                start = time.perf_counter()
                coef = elastic_net_representation(X, gamma, n_jobs=n_jobs)
                seconds.append(time.perf_counter() - start)
            row = {"dataset": dataset, "n_samples": X.shape[0], "n_features": X.shape[1],
                   "gamma": gamma, "threads": args.threads, "seconds": seconds,
                   "median_seconds": float(np.median(seconds)),
                   "nonzeros_per_row": float(coef.nnz / X.shape[0])}
            rows.append(row)
            print(json.dumps(row), flush=True)
    result = {"rows": rows, "peak_rss_bytes": peak_rss_bytes(), "machine": machine()}
    save_results(os.path.join(RESULTS, "ensc_speed.json"), result)
    lines = ["| dataset | N | D | gamma | threads | coefficient step (s, median of "
             f"{args.repeats}) | non-zeros per row |", "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['dataset']} | {r['n_samples']} | {r['n_features']} | {r['gamma']:g} "
                     f"| {r['threads']} | {r['median_seconds']:.2f} | {r['nonzeros_per_row']:.1f} |")
    m = result["machine"]
    lines += ["", f"Machine: {m['processor']}, {m['cpu_count']} CPUs; {m['platform']}; "
                  f"versions {m['versions']}; peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MiB."]
    with open(os.path.join(RESULTS, "ensc_speed.md"), "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()

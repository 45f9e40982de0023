"""Benchmark twin of examples/compare_baselines.py: ORL, COIL-20 and Extended
Yale B, 5 seeds, writing benchmarks/results/compare_baselines.json and .md.

    python benchmarks/compare_baselines.py
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples"))

import compare_baselines as example  # noqa: E402  (the example, not this file)

if __name__ == "__main__":
    results = os.path.join(HERE, "results")
    example.main([
        "--datasets", "orl", "coil20", "extended_yaleb", *sys.argv[1:],
        "--deep-results", results,
        "--json", os.path.join(results, "compare_baselines.json"),
        "--markdown", os.path.join(results, "compare_baselines.md"),
    ])

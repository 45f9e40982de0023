"""Benchmarks of deepsubspace: scripts, their experiment definitions and the driver (``python -m benchmarks``)."""

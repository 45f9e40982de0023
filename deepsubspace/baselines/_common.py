"""Helpers shared by the solvers: input rows, CSR assembly, batching, threads, the Gram matrix."""

from contextlib import contextmanager

import numpy as np
import torch
from joblib import effective_n_jobs
from scipy import sparse
from sklearn.preprocessing import normalize

# Memory budget (bytes) of the Gram rows held for one batch of samples.
_BATCH_BYTES = 256 * 2**20


@contextmanager
def _torch_threads(n_threads):
    """Temporarily set torch's intra-op thread count (process-wide).

    The solvers issue many small tensor operations; with OpenMP threads these
    collapse when the cores are shared with other processes, so they run
    single-threaded and parallelise over batches of samples instead.
    """
    previous = torch.get_num_threads()
    if previous == n_threads:
        yield
        return
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _n_workers(n_jobs):
    if n_jobs is None:
        return 1
    return max(1, effective_n_jobs(n_jobs))


def _rows(X, normalize_input):
    """A float64 copy of ``X``, rows scaled to unit l2 norm if asked (zero rows stay zero)."""
    X = np.array(X, dtype=np.float64)
    return normalize(X, norm="l2", axis=1, copy=False) if normalize_input else X


def _to_csr(n_samples, rows, cols, vals):
    rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.zeros(0, dtype=np.int64)
    vals = np.concatenate(vals) if vals else np.zeros(0)
    keep = (vals != 0) & (rows != cols)
    coef = sparse.csr_matrix(
        (vals[keep], (rows[keep], cols[keep])), shape=(n_samples, n_samples), dtype=np.float64
    )
    coef.sum_duplicates()
    coef.sort_indices()
    return coef


def _batch_slices(n_items, bytes_per_item, minimum=16):
    """Slices of ``range(n_items)`` each holding about ``_BATCH_BYTES`` of work memory."""
    size = int(min(max(_BATCH_BYTES // max(1, bytes_per_item), minimum), max(n_items, 1)))
    return [slice(s, min(s + size, n_items)) for s in range(0, n_items, size)]


def _gram(X, device):
    xt = torch.from_numpy(X).to(device)
    return xt @ xt.T

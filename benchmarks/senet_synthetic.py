"""SENet against EnSC on synthetic data, as in Table 1 of paper 004 (Zhang et al., CVPR 2021).

5 random subspaces of dimension 6 in R^9, ``N_i`` unit-norm points on each
(training set) and ``N_i`` more on each from the same subspaces (test set).
EnSC (:class:`~deepsubspace.baselines.ElasticNetSubspaceClustering`, exact
LARS homotopy) and SENet (:class:`~deepsubspace.SelfExpressiveNetwork`, its
defaults except two: it trains on all the N training points, ``n_train=N``,
as the paper does, and for a budget of 2,000 Adam steps at every size,
``max_epochs = ceil(2000 / ceil(N / 100))``, the default's budget at
N >= 2,000) solve the same problem, ``gamma = 50`` and ``tau`` (the paper's
lambda) ``= 0.9``, the paper's values and SENet's defaults. For each:

* ``L``, ``L_rec``, ``L_reg``: the objective (equations 10, 14, 15) of the
  full coefficient matrix (SENet: ``alpha T_b(u_i^T v_j)`` for every pair,
  not only the top ``n_nonzero``);
* ACC: spectral clustering (k-means assignment) of ``|C| + |C|^T`` after
  row normalisation, from that full C;
* SRE (%): share of each row's l1 mass on other subspaces, averaged;
* CONN: algebraic connectivity (second smallest eigenvalue of the
  normalised Laplacian of ``|C| + |C|^T`` restricted to a class), the
  minimum over classes.

"SENet test": the network trained on the training set gives the coefficients
of the test points over the test points themselves (no retraining). One seed (0):
a few minutes of CPU. The paper's largest size (``N_i = 2000``) is left out
for time.

    python benchmarks/senet_synthetic.py --sizes 20 100 200 1000
"""

import argparse
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import RESULTS, git_commit, machine, save_results, write_markdown  # noqa: E402

GAMMA, TAU = 50.0, 0.9
STEPS = 2000
N_SUBSPACES, DIM, AMBIENT = 5, 6, 9


def train_test_data(per_subspace, seed):
    import numpy as np

    rng = np.random.RandomState(seed)
    parts = []
    for _ in range(N_SUBSPACES):
        basis = np.linalg.qr(rng.randn(AMBIENT, DIM))[0]
        points = (basis @ rng.randn(DIM, 2 * per_subspace)).T
        parts.append(points / np.linalg.norm(points, axis=1, keepdims=True))
    y = np.repeat(np.arange(N_SUBSPACES), per_subspace)
    X_train = np.vstack([p[:per_subspace] for p in parts])
    X_test = np.vstack([p[per_subspace:] for p in parts])
    return X_train, X_test, y


def connectivity(coef, labels):
    """min over classes of the 2nd smallest eigenvalue of the class's normalised Laplacian."""
    import numpy as np
    from scipy import sparse
    from scipy.linalg import eigh

    magnitude = abs(sparse.csr_matrix(coef))
    affinity = (magnitude + magnitude.T).toarray()
    values = []
    for k in np.unique(labels):
        block = affinity[np.ix_(labels == k, labels == k)]
        np.fill_diagonal(block, 0.0)
        degree = block.sum(axis=1)
        if np.any(degree == 0):
            values.append(0.0)
            continue
        scale = 1.0 / np.sqrt(degree)
        laplacian = np.eye(len(block)) - scale[:, None] * block * scale[None, :]
        values.append(float(eigh(laplacian, eigvals_only=True, subset_by_index=[1, 1])[0]))
    return min(values)


def evaluate(coef, X, y):
    import numpy as np
    import torch
    from scipy import sparse

    from deepsubspace.affinity import affinity_from_coefficients, spectral_labels
    from deepsubspace.metrics import clustering_accuracy, subspace_preserving_error
    from deepsubspace.nn.losses import elastic_net_self_expression_loss

    dense = coef.toarray() if sparse.issparse(coef) else np.asarray(coef)
    x = torch.as_tensor(X, dtype=torch.float64)
    loss, rec, reg = elastic_net_self_expression_loss(x, torch.as_tensor(dense), x, GAMMA, TAU)
    labels = spectral_labels(affinity_from_coefficients(dense, post_processing="normalize_rows"),
                             N_SUBSPACES, assign_labels="kmeans", random_state=0)
    return {"L": float(loss), "L_rec": float(rec), "L_reg": float(reg),
            "acc": float(clustering_accuracy(y, labels)),
            "sre": 100 * subspace_preserving_error(dense, y), "conn": connectivity(dense, y)}


def full_senet_coefficients(model, X):
    import numpy as np
    import torch

    net = model.network_
    with torch.no_grad():
        z = torch.as_tensor(X / np.linalg.norm(X, axis=1, keepdims=True), dtype=torch.float32)
        coef = net.coefficients(net.query(z), net.key(z), self_index=torch.arange(len(X)))
    return coef.numpy().astype(np.float64)


def run_size(per_subspace, seed):
    from deepsubspace import SelfExpressiveNetwork
    from deepsubspace.baselines import ElasticNetSubspaceClustering

    X_train, X_test, y = train_test_data(per_subspace, seed)
    rows = []
    start = time.perf_counter()
    ensc = ElasticNetSubspaceClustering(n_clusters=N_SUBSPACES, gamma=GAMMA, tau=TAU).fit(X_train)
    rows.append({"method": "EnSC", "seconds": time.perf_counter() - start,
                 **evaluate(ensc.coef_, X_train, y)})
    start = time.perf_counter()
    steps_per_epoch = math.ceil(len(X_train) / 100)
    senet = SelfExpressiveNetwork(n_clusters=N_SUBSPACES, gamma=GAMMA, tau=TAU,
                                  n_train=len(X_train), max_epochs=math.ceil(STEPS / steps_per_epoch),
                                  random_state=seed).fit(X_train)
    rows.append({"method": "SENet", "seconds": time.perf_counter() - start,
                 **evaluate(full_senet_coefficients(senet, X_train), X_train, y)})
    rows.append({"method": "SENet test", "seconds": None,
                 **evaluate(full_senet_coefficients(senet, X_test), X_test, y)})
    for row in rows:
        row.update(per_subspace=per_subspace, seed=seed)
    return rows


def markdown(result):
    lines = ["| N_i | method | L | L_rec | L_reg | ACC (%) | SRE (%) | CONN | fit s |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        seconds = "" if r["seconds"] is None else f"{r['seconds']:.1f}"
        lines.append(f"| {r['per_subspace']} | {r['method']} | {r['L']:.3f} | {r['L_rec']:.3f} | "
                     f"{r['L_reg']:.3f} | {100 * r['acc']:.1f} | {r['sre']:.3f} | {r['conn']:.3f} "
                     f"| {seconds} |")
    m = result["machine"]
    lines += ["", f"5 subspaces of dimension 6 in R^9, gamma={GAMMA:g}, tau={TAU:g}, seed "
                  f"{result['seed']}; SENet: n_train=N, {STEPS} steps, defaults otherwise. Machine: {m['processor']}, "
                  f"{m['cpu_count']} CPUs (shared; 1-min load {result['load_before']:.1f} before, "
                  f"{result['load_after']:.1f} after), {m['torch_threads']} torch thread(s); "
                  f"versions {m['versions']}; commit {result['commit']}; total "
                  f"{result['seconds']:.0f} s."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 100, 200, 1000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", default=os.path.join(RESULTS, "senet_synthetic.json"))
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    rows = []
    for per_subspace in args.sizes:
        rows += run_size(per_subspace, args.seed)
        print(json.dumps(rows[-3:]), flush=True)
    result = {"rows": rows, "seed": args.seed, "seconds": time.perf_counter() - start,
              "load_before": load_before, "load_after": os.getloadavg()[0],
              "commit": git_commit(), "machine": machine()}
    save_results(args.output, result)
    write_markdown(args.output, markdown(result))
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()

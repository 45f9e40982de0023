"""SelfExpressiveNetwork: SENet, a network that outputs self-expressive coefficients."""

import copy
import math
import time
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import _ProgressBar, cluster_mass, resolve_device, unit_norm
from .affinity import affinity_from_coefficients, spectral_labels, stored_affinity
from .nn.losses import elastic_net_self_expression_loss
from .nn.query_key import QueryKeyNetwork


class SelfExpressiveNetwork(ClusterMixin, BaseEstimator):
    """Self-Expressive Network (SENet) subspace clustering.

    A network computes the self-expressive coefficient of every pair of
    samples: row ``i`` of C expresses sample ``x_i`` by the others with::

        c_ij = alpha * T_b(u(x_i)^T v(x_j)),   c_ii = 0,

    where ``u`` (query) and ``v`` (key) are MLPs with a ``tanh`` output of
    dimension ``p = embedding_dim``, ``T_b(t) = sign(t) max(0, |t| - b)`` is
    soft thresholding with a learnable threshold ``b`` and ``alpha = 1 / p``
    (paper 004, equation 6; in its notation ``f(x_j, x_i)``). The rows of X
    are scaled to unit l2 norm (as in the paper); images are flattened (the
    networks are MLPs on vectors).

    Training minimises the elastic-net self-expressive loss (equation 11)::

        sum_i gamma / 2 ||x_i - sum_j c_ij x_j||^2 + tau ||c_i||_1 + (1 - tau) / 2 ||c_i||^2

    with Adam on mini-batches of ``batch_size`` queries, each expressed over a
    dictionary of at most ``n_train`` samples drawn at random once (the
    paper's training on a subset; every sample when ``n_samples <= n_train``).
    A step costs O(n_train) whatever N. Then the trained network gives the
    coefficients of all N samples over all N samples in row blocks, keeping
    the ``n_nonzero`` entries of largest magnitude of each row (memory
    O(N n_nonzero), never N x N), and spectral clustering of the affinity
    built from them gives the labels. Out-of-sample data are labelled by
    :meth:`predict`.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    hidden_layer_sizes : tuple of int, default=(128, 128)
        Hidden layers (ReLU) of the query and of the key MLP. The paper uses
        (1024, 1024, 1024); see :func:`deepsubspace.presets.get`
        (``presets.get("SelfExpressiveNetwork", "synthetic")``).
    embedding_dim : int, default=128
        Output dimension ``p`` of both MLPs; ``alpha = 1 / p``.
    gamma : float, default=50.0
        Weight of the reconstruction term (the paper's gamma; 50 on its
        synthetic data, 200 on MNIST, Fashion-MNIST and CIFAR-10).
    tau : float, default=0.9
        Elastic-net balance in ``[0, 1]``, the paper's lambda (0.9 in its
        experiments; 1 is the l1 penalty of SSC), named as in
        :class:`~deepsubspace.baselines.ElasticNetSubspaceClustering`.
    n_train : int, default=2000
        Size of the training dictionary: that many samples, drawn at random
        (all of them when ``n_samples <= n_train``), are both the queries and
        the atoms during training.
    batch_size : int, default=100
        Queries per step (the paper's 100).
    max_epochs : int, default=100
        Passes over the dictionary, ``ceil(min(n_train, N) / batch_size)``
        steps each (2,000 steps with the defaults on 2,000 or more samples).
    learning_rate : float, default=1e-3
        Initial Adam learning rate, annealed to 0 along a cosine over the
        epochs (the paper's schedule).
    max_grad_norm : float or None, default=1e-3
        Gradients are clipped to this l2 norm before each step (the setting
        of the paper's public code). With Adam this mostly evens out the
        step sizes across steps. ``None`` disables clipping.
    n_nonzero : int, default=50
        Coefficients kept per row of ``coef_`` (the largest in magnitude);
        must be smaller than n_samples.
    post_processing : {None, "normalize_rows"}, default="normalize_rows"
        Affinity: ``|C| + |C|^T`` after scaling every row of C to unit l2
        norm (``"normalize_rows"``, as the paper's code) or without it
        (``None``). See :func:`deepsubspace.affinity.affinity_from_coefficients`.
    assign_labels : {"kmeans", "discretize"}, default="kmeans"
        Label assignment of the spectral step; see
        :func:`deepsubspace.affinity.spectral_labels`.
    block_size : int, default=1024
        Rows per block when computing the top coefficients (fit and predict):
        a block needs ``block_size * N`` floats.
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
    random_state : int, RandomState instance or None, default=None
        Seeds the dictionary, the network initialisation, the batch order
        and the spectral step. With an int, CPU fits are exactly repeatable.
    verbose : int, default=0
        Show a progress bar with the current loss on stderr.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples), float32
        The ``n_nonzero`` largest coefficients of each row (exact zeros
        dropped), zero diagonal: ``x_i ~ sum_j C[i, j] x_j`` on unit-norm rows.
    affinity_matrix_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples), float32
        Affinity built from ``coef_`` (in float64; stored in float32).
    labels_ : ndarray of shape (n_samples,)
        Cluster labels, contiguous integers from 0.
    network_ : QueryKeyNetwork
        The trained query/key network, on CPU in evaluation mode.
    key_embedding_ : ndarray of shape (n_samples, embedding_dim), float32
        Key embeddings of the training samples (used by :meth:`predict`).
    dictionary_indices_ : ndarray of shape (min(n_train, n_samples),)
        The samples of the training dictionary.
    threshold_ : float
        Learned threshold ``b``.
    n_iter_ : int
        Training epochs run.
    loss_curve_ : list of float
        Loss of each epoch (summed over its batches: the loss of the whole
        dictionary, up to the network's change during the epoch).
    stage_seconds_ : dict
        Wall time of ``"train"``, ``"coefficients"`` (top-k inference),
        ``"affinity"`` and ``"spectral"``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in\\_,)
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    deepsubspace.baselines.ElasticNetSubspaceClustering : The same objective
        solved exactly for every sample (no network; no out-of-sample data).
    MiniBatchDSC : Deep subspace clustering that learns features too.

    Notes
    -----
    The defaults (query and key MLPs 128-128-128 instead of the paper's
    1024-wide ones, 2,000 training atoms, 2,000 steps) were chosen to run on
    a 2-core CPU with one torch thread: 500 samples in R^15 take a few
    seconds; on 100,000 samples from 20 subspaces in R^60 a fit took 118 s
    (training 26 s, top-50 inference 91 s; the affinity had one connected
    component per subspace, which the spectral step returns directly; peak
    RSS 2.2 GiB; ``benchmarks/scale.py``). Larger ``n_train``, networks and
    step budgets, as in the paper, need a GPU; on the paper's harder
    synthetic data (subspaces of dimension 6 in R^9) the defaults stay far
    from EnSC's solution (``benchmarks/senet_synthetic.py``).

    References
    ----------
    Zhang, You, Vidal and Li, "Learning a Self-Expressive Network for
    Subspace Clustering", CVPR 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace import SelfExpressiveNetwork
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 2))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(2, 30)).T for b in bases])
    >>> model = SelfExpressiveNetwork(n_clusters=2, max_epochs=5, n_nonzero=10,
    ...                               random_state=0).fit(X)
    >>> model.labels_.shape
    (60,)
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [tuple, list],
        "embedding_dim": [Interval(Integral, 1, None, closed="left")],
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "tau": [Interval(Real, 0, 1, closed="both")],
        "n_train": [Interval(Integral, 2, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "max_grad_norm": [Interval(Real, 0, None, closed="neither"), None],
        "n_nonzero": [Interval(Integral, 1, None, closed="left")],
        "post_processing": [StrOptions({"normalize_rows"}), None],
        "assign_labels": [StrOptions({"kmeans", "discretize"})],
        "block_size": [Interval(Integral, 1, None, closed="left")],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        hidden_layer_sizes=(128, 128),
        embedding_dim=128,
        gamma=50.0,
        tau=0.9,
        n_train=2000,
        batch_size=100,
        max_epochs=100,
        learning_rate=1e-3,
        max_grad_norm=1e-3,
        n_nonzero=50,
        post_processing="normalize_rows",
        assign_labels="kmeans",
        block_size=1024,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.hidden_layer_sizes = hidden_layer_sizes
        self.embedding_dim = embedding_dim
        self.gamma = gamma
        self.tau = tau
        self.n_train = n_train
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.max_grad_norm = max_grad_norm
        self.n_nonzero = n_nonzero
        self.post_processing = post_processing
        self.assign_labels = assign_labels
        self.block_size = block_size
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network, compute the top coefficients of all samples and cluster them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (rows are scaled to unit l2 norm).
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.

        Notes
        -----
        A fit is atomic: if it fails or is interrupted, the estimator is left
        as it was before the call.
        """
        previous = dict(self.__dict__)
        try:
            return self._fit(X)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise

    def _check_sizes(self, n_samples):
        if self.n_clusters > n_samples:
            raise ValueError(f"n_clusters={self.n_clusters} must be <= n_samples={n_samples}.")
        if self.n_nonzero > n_samples - 1:
            raise ValueError(
                f"n_nonzero={self.n_nonzero} coefficients per row were requested, but each of "
                f"the {n_samples} samples is expressed by the {n_samples - 1} others; use "
                f"n_nonzero <= {n_samples - 1}."
            )
        if any(int(h) < 1 for h in self.hidden_layer_sizes):
            raise ValueError(
                f"hidden_layer_sizes must hold positive integers, got {tuple(self.hidden_layer_sizes)}."
            )

    def _fit(self, X):
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n_samples = X.shape[0]
        self._check_sizes(n_samples)
        device = resolve_device(self.device)
        random_state = check_random_state(self.random_state)
        data = unit_norm(torch.as_tensor(X, dtype=torch.float32)).to(device)
        n_dict = min(self.n_train, n_samples)
        dictionary = np.sort(random_state.choice(n_samples, n_dict, replace=False))
        seed = int(random_state.randint(np.iinfo(np.int32).max))
        fork_devices = [device.index or 0] if device.type == "cuda" else []
        clock = time.perf_counter()
        with torch.random.fork_rng(devices=fork_devices):
            torch.manual_seed(seed)
            network = QueryKeyNetwork(X.shape[1], tuple(int(h) for h in self.hidden_layer_sizes),
                                      self.embedding_dim).to(device)
            generator = torch.Generator().manual_seed(seed)
            self._train(network, data[torch.as_tensor(dictionary, device=device)], generator)
        self.stage_seconds_ = {"train": time.perf_counter() - clock}

        clock = time.perf_counter()
        network.eval()
        with torch.no_grad():
            queries = self._embed(network.query, data)
            keys = self._embed(network.key, data)
            indices, values, _ = network.top_k_coefficients(
                queries, keys, self.n_nonzero,
                self_index=torch.arange(n_samples, device=device), block_size=self.block_size)
        del queries
        indptr = np.arange(0, n_samples * self.n_nonzero + 1, self.n_nonzero)
        coef = sparse.csr_matrix(
            (values.cpu().numpy().astype(np.float64).ravel(), indices.cpu().numpy().ravel(), indptr),
            shape=(n_samples, n_samples))
        coef.eliminate_zeros()
        self.stage_seconds_["coefficients"] = time.perf_counter() - clock

        clock = time.perf_counter()
        affinity = affinity_from_coefficients(coef, post_processing=self.post_processing)
        self.stage_seconds_["affinity"] = time.perf_counter() - clock
        clock = time.perf_counter()
        self.labels_ = spectral_labels(affinity, self.n_clusters, assign_labels=self.assign_labels,
                                       random_state=random_state)
        self.stage_seconds_["spectral"] = time.perf_counter() - clock
        # the coefficients come from float32 networks: stored in float32, as the deep estimators'
        self.coef_ = coef.astype(np.float32)
        self.affinity_matrix_ = stored_affinity(affinity)
        self.network_ = network.cpu()
        self.key_embedding_ = keys.cpu().numpy()
        self.dictionary_indices_ = dictionary
        self.threshold_ = float(network.threshold.detach())
        return self

    def _embed(self, net, data):
        return torch.cat([net(part) for part in torch.split(data, max(self.block_size, 1))])

    def _train(self, network, atoms, generator):
        """Adam with cosine annealing on the elastic-net loss of the dictionary ``atoms``."""
        n_dict = len(atoms)
        optimizer = torch.optim.Adam(network.parameters(), lr=self.learning_rate)
        scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.max_epochs)
        progress = _ProgressBar(self.max_epochs, "train", bool(self.verbose))
        self.loss_curve_ = []
        self.n_iter_ = 0
        last_good = copy.deepcopy(network.state_dict())
        network.train()
        for epoch in range(self.max_epochs):
            total = 0.0
            order = torch.randperm(n_dict, generator=generator).to(atoms.device)
            for idx in torch.split(order, self.batch_size):
                coef = network.coefficients(network.query(atoms[idx]), network.key(atoms),
                                            self_index=idx)
                loss, _, _ = elastic_net_self_expression_loss(atoms[idx], coef, atoms,
                                                              self.gamma, self.tau)
                optimizer.zero_grad(set_to_none=True)
                (loss / len(idx)).backward()
                if self.max_grad_norm is not None:
                    torch.nn.utils.clip_grad_norm_(network.parameters(), self.max_grad_norm)
                optimizer.step()
                total += float(loss.detach())
            if not math.isfinite(total):
                network.load_state_dict(last_good)
                warnings.warn(
                    f"The training loss became non-finite at epoch {epoch + 1}; training stopped "
                    f"and the network of epoch {epoch} is used. Lower learning_rate or gamma.",
                    ConvergenceWarning, stacklevel=4)
                return
            last_good = copy.deepcopy(network.state_dict())
            scheduler.step()
            self.loss_curve_.append(total)
            self.n_iter_ += 1
            progress.update(epoch + 1, {"loss": total})
        # C = 0 gives gamma / 2 sum_i ||x_i||^2: a final loss above it is worse than no model
        trivial = 0.5 * self.gamma * float(torch.sum(atoms.double() ** 2))
        if self.loss_curve_[-1] > trivial:
            warnings.warn(
                f"Training did not converge: the final loss {self.loss_curve_[-1]:.4g} is above "
                f"{trivial:.4g}, that of all-zero coefficients; raise max_epochs or lower "
                "learning_rate.", ConvergenceWarning, stacklevel=4)

    def predict(self, X):
        """Label new samples by the cluster that holds most of their coefficient mass.

        Each new sample (scaled to unit norm) is expressed by the trained
        network over the training samples, keeping its ``n_nonzero``
        coefficients of largest magnitude (blocks of ``block_size`` rows; no
        N x N array). Its label is the cluster ``k`` of ``labels_`` with the
        largest ``sum_{j in k} |c_j|``; a sample whose kept coefficients are
        all zero (below the threshold) takes the same rule on ``|u^T v_j|``.
        Cost O(m N p) for m new samples. On training samples it usually, but
        not always, agrees with ``labels_`` (which come from spectral
        clustering of the whole affinity).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            New samples, with the features seen during fit.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster labels in ``0 .. n_clusters - 1``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        device = resolve_device(self.device)
        network = copy.deepcopy(self.network_).to(device).eval()
        with torch.no_grad():
            queries = self._embed(network.query,
                                  unit_norm(torch.as_tensor(X, dtype=torch.float32)).to(device))
            keys = torch.as_tensor(self.key_embedding_, device=device)
            indices, values, products = network.top_k_coefficients(
                queries, keys, self.n_nonzero, block_size=self.block_size)
            labels = torch.as_tensor(self.labels_, device=device)[indices]
            mass = cluster_mass(labels, values, self.n_clusters)
            empty = mass.sum(dim=1) == 0
            if torch.any(empty):
                mass[empty] = cluster_mass(labels, products, self.n_clusters)[empty]
        return mass.argmax(dim=1).cpu().numpy().astype(np.int64)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags

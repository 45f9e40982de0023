"""The shared estimator base: validation, device, seeding, the one training loop
(stage 1, bank fill, self-expressive fine-tuning) and the spectral step."""

import math
import sys
import time
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ._device import resolve_device
from .affinity import affinity_from_coefficients, relaxed_normalized_cut, spectral_labels, stored_affinity
from .nn.distributed import DataParallel, process_group_active
from .nn.encoders import build_autoencoder
from .nn.losses import (cluster_coding_rate, coding_rate, coding_rate_of_gram, coding_rate_with_rows,
                        coefficient_regularization, self_expression_loss)
from .nn.memory_bank import MemoryBank
from .nn.momentum import MomentumEncoder
from .nn.self_expression import ClosedFormSelfExpression, SelfExpression


class _ProgressBar:
    """A one-line text progress bar with the current losses (stderr)."""

    def __init__(self, total, label, enabled):
        self.total, self.label, self.enabled = total, label, enabled and total > 0
        self.start = time.perf_counter()

    def update(self, done, losses):
        if not self.enabled:
            return
        width = 24
        filled = int(width * done / self.total)
        terms = " ".join(f"{name}={value:.4g}" for name, value in losses.items())
        elapsed = time.perf_counter() - self.start
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
            f"{done}/{self.total} {terms} ({elapsed:.0f}s)"
        )
        if done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


class _Training:
    """Everything one ``fit`` trains: modules, optimiser, bank, C and the data."""

    def __init__(self, X, encoder, decoder, optimizer, generator, batch_size):
        self.X = X
        self.encoder = encoder
        self.decoder = decoder
        self.head = None
        self.optimizer = optimizer
        self.generator = generator
        self.batch_size = batch_size
        self.pretrain_batch_size = batch_size
        self.bank = None
        self.self_expression = None
        # idx -> rows of the closed-form C on the inputs (the anchor's target), or None
        self.anchor_rows = None
        # the clustering of the bank that rate_reduction compresses within (LongTensor), or None
        self.cluster_labels = None
        self.label_random_state = None
        self.step = 0
        # data parallelism (nn.distributed.DataParallel) and the bank's momentum encoder, or None
        self.parallel = None
        self.momentum_encoder = None

    @property
    def n_samples(self):
        return self.X.shape[0]

    def batches(self, batch_size=None):
        """Batch indices of one epoch: a random split, or all samples in order."""
        n = self.n_samples
        batch_size = batch_size or self.batch_size
        if batch_size >= n:
            return [torch.arange(n, device=self.X.device)]
        order = torch.randperm(n, generator=self.generator).to(self.X.device)
        return list(torch.split(order, batch_size))

    def local(self, rows):
        """This rank's share of the rows of a global batch (all of them without data parallelism)."""
        return rows if self.parallel is None else self.parallel.local(rows)

    def gather(self, local, n):
        """The rows of a global batch of ``n`` from every rank's :meth:`local` share (differentiable)."""
        return local if self.parallel is None else self.parallel.gather(local, self.parallel.sizes(n))

    def sync_gradients(self, params=None):
        """Sum the network's (or ``params``') gradients over the ranks; no-op in one process."""
        if self.parallel is not None:
            self.parallel.all_reduce_gradients(self.network_parameters() if params is None else params)

    def sum_over_ranks(self, values):
        """Sum a list of floats over the ranks (unchanged in one process)."""
        return values if self.parallel is None else self.parallel.sum(values)

    def network_parameters(self):
        params = list(self.encoder.parameters())
        for module in (self.decoder, self.head):
            if module is not None:
                params += list(module.parameters())
        return params

    @torch.no_grad()
    def encode_all(self):
        """Latent features of every sample, batch by batch, in training mode.

        With data parallelism each rank encodes a contiguous run of the
        batches and the features are all-gathered.
        """
        chunks = torch.split(torch.arange(self.n_samples, device=self.X.device), self.batch_size)
        if self.parallel is None or len(chunks) < self.parallel.world_size:
            return torch.cat([self.encoder(self.X[idx]).flatten(1) for idx in chunks])
        shares = [share.tolist() for share in torch.tensor_split(torch.arange(len(chunks)),
                                                                 self.parallel.world_size)]
        local = torch.cat([self.encoder(self.X[chunks[i]]).flatten(1)
                           for i in shares[self.parallel.rank]])
        sizes = [sum(len(chunks[i]) for i in share) for share in shares]
        return self.parallel.gather(local, sizes)

    def filled_bank(self, *, unit_rows=False, track_gram=False):
        """A new memory bank holding :meth:`encode_all` (written at step 0).

        ``unit_rows`` stores the features scaled to unit l2 norm (what the
        closed-form self-expression sees); ``track_gram`` keeps their Gram.
        """
        features = self.encode_all()
        if unit_rows:
            features = unit_norm(features)
        bank = MemoryBank(*features.shape, track_gram=track_gram).to(features.device)
        bank.update(torch.arange(self.n_samples, device=features.device), features, 0)
        return bank


def cluster_mass(cluster_of_entries, values, n_clusters):
    """``mass[i, k] = sum of |values[i, j]|`` over the entries ``j`` whose cluster is ``k``.

    The rule of every ``predict``: a new sample goes to the cluster holding
    most of the magnitude of its kept coefficients.
    """
    mass = torch.zeros(len(values), n_clusters, dtype=torch.float64, device=values.device)
    return mass.scatter_add_(1, cluster_of_entries, values.abs().to(torch.float64))


def top_k_csr(indices, values, n_samples):
    """The CSR matrix whose row ``i`` holds ``values[i]`` at columns ``indices[i]`` (tensors, N x k)."""
    rows = np.repeat(np.arange(n_samples), indices.shape[1])
    return sparse.csr_matrix((values.cpu().numpy().ravel(), (rows, indices.cpu().numpy().ravel())),
                             shape=(n_samples, n_samples))


def unit_norm(z, eps=1e-12):
    """Rows of ``z`` scaled to unit l2 norm (zero rows stay zero)."""
    return z / torch.linalg.vector_norm(z, dim=1, keepdim=True).clamp_min(eps)


class BaseMiniBatchDSC(ClusterMixin, BaseEstimator, metaclass=ABCMeta):
    """Base class of the mini-batch deep subspace clustering estimators.

    Subclasses supply the representation objective (reconstruction or
    InfoNCE) and the first training stage; everything else is shared.
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "encoder": "no_validation",
        "encoder_params": [dict, None],
        "input_shape": ["array-like", None],
        "input_scaling": [StrOptions({"max", "rows"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "pretrain_batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "pretrain_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "coef_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "lr_scaling": [StrOptions({"none", "splits"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "self_expression": [StrOptions({"closed_form", "learned"})],
        "coding_rate": [Interval(Real, 0, None, closed="left")],
        "collapse_tol": [Interval(Real, 0, 1, closed="left"), None],
        "cut_tol": [Interval(Real, 0, None, closed="left"), None],
        "input_anchor": [Interval(Real, 0, None, closed="left")],
        "rate_reduction": ["boolean"],
        "coding_rate_scope": [StrOptions({"batch", "bank"})],
        "coefficients": [StrOptions({"auto", "dense", "sparse"})],
        "n_nonzero": [Interval(Integral, 1, None, closed="left")],
        "post_processing": [StrOptions({"normalize_rows", "dsc"}), None],
        "post_processing_params": [dict, None],
        "assign_labels": [StrOptions({"kmeans", "discretize"})],
        "n_starts": [Interval(Integral, 1, None, closed="left")],
        "bank_momentum": [Interval(Real, 0, 1, closed="left"), None],
        "distributed": [StrOptions({"auto"}), "boolean"],
        "device": [str],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # defaults for subclasses whose __init__ does not take these parameters
    bank_momentum = None
    distributed = False
    collapse_tol = None
    cut_tol = None
    input_anchor = 0.0
    input_scaling = "max"
    n_starts = 1
    rate_reduction = False
    coding_rate_scope = "batch"

    _default_encoder_for_vectors = "mlp"
    _default_encoder_for_images = "conv"

    # --- hooks -------------------------------------------------------------

    @abstractmethod
    def _check_modules(self, encoder, decoder):
        """Raise if the modules cannot serve this objective."""

    @abstractmethod
    def _pretrain(self, training, verbose):
        """Stage 1 (before the bank is filled from the encoder)."""

    @abstractmethod
    def _representation_loss(self, training, idx, x, latent, z_hat, train_network):
        """The objective that replaces or is reconstruction (a scalar tensor)."""

    def _train_after_bank_fill(self, training, verbose):
        """Stage before joint fine-tuning, after the bank fill (none by default)."""

    def _build_head(self, encoder, input_shape, device):
        """An extra module trained with the network (a projection head), or None (default)."""
        return None

    # --- helpers -----------------------------------------------------------

    def _resolve_input_shape(self, n_features):
        if self.input_shape is None:
            return (n_features,)
        shape = tuple(int(v) for v in np.ravel(self.input_shape))
        if any(v < 1 for v in shape) or int(np.prod(shape)) != n_features:
            raise ValueError(
                f"input_shape={tuple(self.input_shape)} holds {int(np.prod(shape))} values per sample "
                f"but X has {n_features} features."
            )
        return shape

    def _resolve_encoder(self, input_shape):
        if isinstance(self.encoder, str) and self.encoder == "auto":
            return (self._default_encoder_for_images if len(input_shape) == 3
                    else self._default_encoder_for_vectors)
        return self.encoder

    def _learning_rates(self, n_splits):
        network_lr = self.learning_rate / n_splits if self.lr_scaling == "splits" else self.learning_rate
        return network_lr, self.pretrain_learning_rate, self.coef_learning_rate

    #: above this many samples ``coefficients="auto"`` keeps the top entries of each row only
    DENSE_MAX_SAMPLES = 10_000

    def _sparse_coefficients(self, n_samples):
        if self.coefficients == "auto":
            return self.self_expression == "closed_form" and n_samples > self.DENSE_MAX_SAMPLES
        return self.coefficients == "sparse"

    def _check_self_expression(self, n_samples):
        if self._sparse_coefficients(n_samples):
            if self.self_expression != "closed_form":
                raise ValueError("coefficients='sparse' needs self_expression='closed_form'.")
        if self.input_anchor > 0 and self.self_expression != "closed_form":
            raise ValueError(
                f"input_anchor={self.input_anchor!r} compares rows of the closed-form C; it needs "
                "self_expression='closed_form' (or input_anchor=0).")
        if self.rate_reduction and self.coding_rate <= 0:
            raise ValueError(
                "rate_reduction=True subtracts the within-cluster coding rates from the coding-rate "
                f"term and takes its weight; it needs coding_rate > 0, got {self.coding_rate!r}.")
        if self.coding_rate_scope == "bank" and self.self_expression != "closed_form":
            raise ValueError(
                "coding_rate_scope='bank' takes the rate of the memory bank from its Gram, which is "
                "kept with self_expression='closed_form' only (or use coding_rate_scope='batch').")
        if self.self_expression == "closed_form" and (self.alpha <= 0 or self.beta <= 0):
            raise ValueError(
                "self_expression='closed_form' solves a ridge problem with weight beta / alpha; "
                f"both must be > 0, got alpha={self.alpha!r}, beta={self.beta!r}."
            )

    def _data_parallel(self, device):
        """``(DataParallel or None, device)`` for ``distributed`` and the process group."""
        wanted = process_group_active() if self.distributed == "auto" else bool(self.distributed)
        if not wanted:
            return None, device
        if not process_group_active():
            raise ValueError(
                "distributed=True needs an initialised torch.distributed process group: launch "
                "under torchrun and call torch.distributed.init_process_group() before fit.")
        backend = torch.distributed.get_backend()
        if backend == "nccl" and device.type != "cuda":
            raise ValueError(
                f"The process group uses the NCCL backend, which needs CUDA tensors, but "
                f"device={self.device!r}; pass device='cuda' or use the gloo backend on CPU.")
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        parallel = DataParallel(device)
        if parallel.world_size == 1:
            return None, device
        return parallel, device

    @staticmethod
    def _check_same_data(parallel, X):
        fingerprint = torch.tensor([*X.shape, float(np.sum(X, dtype=np.float64)),
                                    float(np.sum(np.square(X, dtype=np.float64)))],
                                   dtype=torch.float64, device=parallel.device)
        reference = parallel.broadcast(fingerprint.clone())
        if not parallel.agree(torch.equal(fingerprint, reference)):
            raise ValueError(
                "Distributed training needs the same X on every rank (each rank holds all the "
                "data and takes its share of every global batch), but the ranks' X differ.")

    def _new_self_expression(self, training, coef_lr):
        """The bank and the self-expressive layer of the fine-tuning stage."""
        closed_form = self.self_expression == "closed_form"
        training.bank = training.filled_bank(unit_rows=closed_form, track_gram=closed_form)
        if self.bank_momentum is not None:
            training.momentum_encoder = MomentumEncoder(training.encoder, self.bank_momentum)
        device = training.X.device
        if closed_form:
            layer = ClosedFormSelfExpression(self.beta / self.alpha)
            if self.input_anchor > 0:
                training.anchor_rows = layer.fixed_rows(unit_norm(training.X.flatten(1).double()))
            return layer
        return SelfExpression(training.n_samples, lr=coef_lr).to(device)

    def _batch_loss(self, training, idx, *, train_network):
        """Equation (3) on batch ``idx``: representation + alpha * self-expr. + beta * ||C_idx||^2
        - coding_rate * R(Z_idx) + input_anchor * ||C_idx - C(X)_idx||^2.

        With ``self_expression="closed_form"`` the features enter the
        self-expression with unit l2 norm and C is the exact ridge solution on
        the bank; the self-expressed features go to the objective rescaled to
        each sample's own norm. Returns the loss terms, the differentiable rows
        of C (``None`` in closed form) and the features the bank stores.

        With data parallelism ``idx`` is the global batch: this rank encodes
        its share ``x``, the features of the whole batch are all-gathered
        (differentiable), and the terms that couple the batch's rows (the
        closed-form C-step, the coding rate) are computed on every rank and
        weighted ``1 / world_size``; the objective and the learned-C terms
        are this rank's rows. Summed over the ranks, the terms and their
        gradients are those of the global batch. The representation hook gets
        the global ``idx`` and this rank's ``x``, ``latent`` and ``z_hat``.
        """
        x = training.local(training.X[idx])
        with torch.set_grad_enabled(train_network):
            latent = training.encoder(x)
        z_local = latent.flatten(1)
        z = training.gather(z_local, len(idx))
        z_unit = unit_norm(z)
        closed_form = self.self_expression == "closed_form"
        anchor = torch.zeros((), device=z.device)
        # the Gram of the bank's other rows, shared by the C-step and the bank's coding rate
        rest_gram = training.bank.gram_without(idx) if closed_form else None
        if closed_form:
            rows = None
            z_hat, se, reg, *coef_rows = training.self_expression.batch_terms(
                idx, z_unit, training.bank, return_rows=training.anchor_rows is not None,
                rest_gram=rest_gram)
            if coef_rows:
                target = training.anchor_rows(idx).to(coef_rows[0].dtype)
                anchor = torch.sum((coef_rows[0] - target) ** 2)
            z_hat = training.local(z_hat * torch.linalg.vector_norm(z, dim=1, keepdim=True))
            stored = z_unit
        else:
            rows = training.self_expression.rows(idx)
            local_rows = training.local(rows)
            z_hat = training.self_expression.express(local_rows, idx, training.bank.features, z)
            se = self_expression_loss(z_local, z_hat)
            reg = coefficient_regularization(local_rows)
            stored = z
        if training.momentum_encoder is not None:
            key = training.gather(training.momentum_encoder(x).flatten(1), len(idx))
            stored = unit_norm(key) if closed_form else key
        objective = self._representation_loss(training, idx, x, latent, z_hat, train_network)
        if self.coding_rate <= 0:
            rate = torch.zeros((), device=z.device)
        elif self.coding_rate_scope == "bank":
            rate = coding_rate_with_rows(z_unit.to(torch.float64), rest_gram,
                                         training.n_samples).to(z.dtype)
        else:
            rate = coding_rate(z_unit)
        cluster_rate = (self._cluster_rate(training, idx, z_unit)
                        if train_network and training.cluster_labels is not None
                        else torch.zeros((), device=z.device))
        if training.parallel is not None:
            share = 1.0 / training.parallel.world_size
            rate, cluster_rate = rate * share, cluster_rate * share
            if closed_form:
                se, reg, anchor = se * share, reg * share, anchor * share
        terms = {"loss": objective + self.alpha * se + self.beta * reg
                 - self.coding_rate * (rate - cluster_rate) + self.input_anchor * anchor,
                 "objective": objective, "self_expr": se, "reg": reg, "coding_rate": rate,
                 "cluster_rate": cluster_rate, "input_anchor": anchor}
        return terms, rows, stored

    @staticmethod
    def _cluster_rate(training, idx, z_unit):
        """``sum_k (n_kb / n_b) R(Z_k)`` over the clusters k of the batch: ``Z_k`` is every bank
        row of cluster k (``training.cluster_labels``) with the batch's rows replaced by
        ``z_unit``, so gradients reach the batch only. Its mean over the batches of an epoch is
        ``sum_k (n_k / N) R(Z_k)``, MCR^2's compression term of the bank."""
        labels = training.cluster_labels
        present, counts = torch.unique(labels[idx], return_counts=True)
        rows = torch.nonzero(torch.isin(labels, present)).flatten()
        position = torch.full_like(labels, -1)
        position[rows] = torch.arange(len(rows), device=rows.device)
        features = unit_norm(training.bank.features[rows].to(z_unit.dtype))
        features = features.index_put((position[idx],), z_unit)
        weights = torch.zeros(int(labels.max()) + 1, dtype=z_unit.dtype, device=z_unit.device)
        weights[present] = counts.to(z_unit.dtype) / len(idx)
        return cluster_coding_rate(features, labels[rows], weights)

    def _self_expression_epochs(self, training, n_epochs, *, train_network, progress=None,
                                record=True, batch_size=None):
        """Epochs of equation (3); with ``train_network=False`` only C learns.

        ``batch_size=None`` uses the training batch size.
        """
        watch_collapse = train_network and record and self.collapse_tol is not None
        if watch_collapse:
            start_rate = self._bank_coding_rate(training)
        watch_cut = train_network and record and self.cut_tol is not None
        if watch_cut:
            start_cut = self._affinity_cut(training)
        for epoch in range(n_epochs):
            totals = dict.fromkeys(
                ("loss", "objective", "self_expr", "reg", "coding_rate", "cluster_rate",
                 "input_anchor"), 0.0)
            training.bank.refresh_gram()
            if train_network and self.rate_reduction:
                training.cluster_labels = torch.as_tensor(
                    self._spectral_step(self._affinity(self._coefficients(training)),
                                        training.label_random_state, training.parallel),
                    dtype=torch.long, device=training.bank.features.device)
            for idx in training.batches(batch_size):
                terms, rows, z = self._batch_loss(training, idx, train_network=train_network)
                if train_network:
                    training.optimizer.zero_grad(set_to_none=True)
                if terms["loss"].requires_grad:
                    terms["loss"].backward()
                if train_network:
                    training.sync_gradients()
                    training.optimizer.step()
                    if training.momentum_encoder is not None:
                        training.momentum_encoder.update(training.encoder)
                if rows is not None:
                    if training.parallel is not None:  # each rank holds its rows' gradients
                        training.parallel.all_reduce(rows.grad)
                    training.self_expression.step(idx, rows)
                training.step += 1
                training.bank.update(idx, z, training.step)
                for name, value in terms.items():
                    totals[name] += float(value.detach())
            totals = dict(zip(totals, training.sum_over_ranks(list(totals.values()))))
            if not np.isfinite(totals["loss"]):
                raise FloatingPointError(
                    "The training loss became non-finite; lower learning_rate or the loss weights."
                )
            if record:
                self.loss_curve_.append(totals["loss"])
                for name in self.loss_terms_:
                    self.loss_terms_[name].append(totals[name])
                self.n_iter_ += 1
            if progress is not None:
                progress.update(epoch + 1, totals)
            if watch_collapse and (self._bank_coding_rate(training)
                                   < (1.0 - self.collapse_tol) * start_rate):
                break
            if watch_cut and self._affinity_cut(training) > (1.0 + self.cut_tol) * start_cut:
                break

    @staticmethod
    def _bank_coding_rate(training):
        """Coding rate of the bank's unit-norm features, in float64 (from the tracked Gram
        in closed form: the bank rows are unit-norm there)."""
        bank = training.bank
        if bank.gram is not None:
            return float(coding_rate_of_gram(bank.gram, *bank.features.shape))
        return float(coding_rate(unit_norm(bank.features.to(torch.float64))))

    def _coefficients(self, training):
        """C of the current state: dense ndarray, or CSR (``coefficients="sparse"``)."""
        features = training.bank.features
        n_samples = features.shape[0]
        if self._sparse_coefficients(n_samples):
            return top_k_csr(*training.self_expression.top_k_coefficients(features, self.n_nonzero),
                             n_samples)
        if self.self_expression == "closed_form":
            return training.self_expression.coefficients(features).cpu().numpy()
        return training.self_expression.coef.detach().cpu().numpy()

    def _affinity(self, coef):
        return affinity_from_coefficients(
            coef, post_processing=self.post_processing, n_clusters=self.n_clusters,
            params=self.post_processing_params,
            n_nonzero=self.n_nonzero if sparse.issparse(coef) else None,
        )

    def _affinity_cut(self, training):
        """Relaxed normalised cut of the affinity of the current C (rank 0's value on every rank)."""
        with torch.no_grad():
            cut = relaxed_normalized_cut(self._affinity(self._coefficients(training)), self.n_clusters)
        if training.parallel is not None:
            cut = float(training.parallel.broadcast(
                torch.tensor([cut], dtype=torch.float64, device=training.bank.features.device)))
        return cut

    # --- scikit-learn API --------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Train the network and C, then cluster the affinity built from C.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data; rows are reshaped to ``input_shape`` when it is set.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : object
            Fitted estimator.

        Notes
        -----
        A fit is atomic: if it fails or is interrupted at any stage (bad
        input, ``KeyboardInterrupt``, a non-finite loss, the spectral step),
        the estimator is left exactly as it was before the call (unfitted, or
        with the previous fit's attributes).
        """
        previous = dict(self.__dict__)
        try:
            return self._fit(X)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(previous)
            raise

    def _fit(self, X):
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n_samples, n_features = X.shape
        if self.n_clusters > n_samples:
            raise ValueError(
                f"n_clusters={self.n_clusters} must be <= n_samples={n_samples}."
            )
        self._check_self_expression(n_samples)
        # the overall scale of X must not change the labels: the network sees X / max|X|
        # (images in [0, 1] are unchanged)
        peak = float(np.max(np.abs(X)))
        self.input_scale_ = peak if peak > 0 else 1.0
        self.input_row_norm_ = None
        if self.input_scaling == "rows":
            norms = self._row_norms(X / self.input_scale_)
            self.input_row_norm_ = float(np.sqrt(np.mean(norms ** 2)))
        X = self._network_inputs(X)
        if np.all(X == X[:1]):
            warnings.warn(
                "All samples of X are identical: there is no structure to cluster and the "
                "labels are arbitrary.", UserWarning, stacklevel=2)
        input_shape = self._resolve_input_shape(n_features)
        parallel, device = self._data_parallel(resolve_device(self.device))
        random_state = check_random_state(self.random_state)
        # start k's seed; the first start is the fit that n_starts=1 gives
        seeds = [int(random_state.randint(np.iinfo(np.int32).max)) for _ in range(self.n_starts)]
        if parallel is not None:
            self._check_same_data(parallel, X)
            seeds = parallel.broadcast(torch.tensor(seeds, device=device)).tolist()
        fork_devices = [device.index or 0] if device.type == "cuda" else []
        coef_sum = affinity_sum = None
        encoders, embeddings, seconds = [], [], {}
        for seed in seeds:
            with torch.random.fork_rng(devices=fork_devices):
                torch.manual_seed(seed)
                training = self._train(X, input_shape, device, seed, parallel=parallel)
            if not encoders:  # what describes one network (loss curves, heads) is the first start's
                first_start = {name: value for name, value in self.__dict__.items()
                               if name.endswith("_") and not name.startswith("_")}
            seconds = {stage: seconds.get(stage, 0.0) + value
                       for stage, value in self.stage_seconds_.items()}
            coef = self._coefficients(training)
            affinity = self._affinity(coef)
            # float32 features give C float32 precision: stored in float32 (half the pickle)
            coef = coef.astype(np.float32)
            coef_sum = coef if coef_sum is None else coef_sum + coef
            affinity_sum = affinity if affinity_sum is None else affinity_sum + affinity
            embeddings.append(training.bank.features.cpu().numpy())
            encoders.append(training.encoder.cpu().eval())
            if len(encoders) == 1:
                decoder = None if training.decoder is None else training.decoder.cpu().eval()
            del training, coef, affinity
        self.__dict__.update(first_start)
        self.stage_seconds_ = seconds
        self.coef_ = (coef_sum / self.n_starts).astype(np.float32) if self.n_starts > 1 else coef_sum
        self.start_embeddings_, self.start_encoders_ = embeddings, encoders
        self.embedding_, self.encoder_, self.decoder_ = embeddings[0], encoders[0], decoder
        self.affinity_matrix_ = affinity_sum / self.n_starts if self.n_starts > 1 else affinity_sum
        self.labels_ = self._spectral_step(self.affinity_matrix_, random_state, parallel)

        # stored in float32 once the labels are computed from the float64 affinity
        self.affinity_matrix_ = stored_affinity(self.affinity_matrix_)
        return self

    @staticmethod
    def _row_norms(X):
        norms = np.linalg.norm(X, axis=1)
        if not np.all(norms > 0):
            zero = np.flatnonzero(norms == 0)
            raise ValueError(
                f"input_scaling='rows' rescales every sample to one norm, but {len(zero)} row(s) of X "
                f"are zero (first: {zero[:5].tolist()}); remove them or use input_scaling='max'.")
        return norms

    def _network_inputs(self, X):
        """``X`` as the network sees it: ``X / input_scale_``, rows rescaled to
        ``input_row_norm_`` with ``input_scaling="rows"``."""
        X = X / self.input_scale_
        row_norm = getattr(self, "input_row_norm_", None)  # None in fits before it existed
        if row_norm is not None:
            X = X * (row_norm / self._row_norms(X))[:, None]
        return X

    def _spectral_step(self, affinity, random_state, parallel=None):
        """Labels of ``affinity``; with data parallelism computed on rank 0 and broadcast."""
        if parallel is None:
            return spectral_labels(affinity, self.n_clusters, assign_labels=self.assign_labels,
                                   random_state=random_state)
        labels = torch.full((affinity.shape[0],), -1, dtype=torch.long, device=parallel.device)
        error = None
        if parallel.rank == 0:
            try:
                labels[:] = torch.as_tensor(spectral_labels(
                    affinity, self.n_clusters, assign_labels=self.assign_labels,
                    random_state=random_state))
            except Exception as exc:  # re-raised below, after the other ranks are released
                error = exc
        parallel.broadcast(labels)
        if error is not None:
            raise error
        if bool((labels < 0).any()):
            raise RuntimeError("The spectral step failed on rank 0 (see its error).")
        return labels.cpu().numpy()

    def predict(self, X):
        """Label new samples by the cluster that holds most of their coefficient mass.

        Each new sample is encoded (the trained encoder, in evaluation mode,
        on ``X / input_scale_``, rows rescaled as in fit with
        ``input_scaling="rows"``), scaled to unit norm and expressed over the
        final memory bank ``embedding_`` by the ridge solution of the
        closed-form C-step (weight ``beta / alpha``; nothing is excluded since
        the sample is not in the bank). Of its coefficients the
        ``n_nonzero`` largest in magnitude are kept (as the sparse C and
        :class:`~deepsubspace.SelfExpressiveNetwork` keep them), and its label
        is the cluster ``k`` of ``labels_`` with the largest
        ``sum_{j in k} |c_j|`` over the kept ones. With ``n_starts > 1`` that
        mass is summed over the starts, each expressing the sample with its
        own encoder over its own bank (``start_encoders_``,
        ``start_embeddings_``). Cost O(m N h) per start for m new
        samples, in blocks; no N x N array. On training samples it
        usually, but not always, agrees with ``labels_`` (which come from
        spectral clustering of the whole affinity).

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
        if self.alpha <= 0 or self.beta <= 0:
            raise ValueError(
                "predict expresses new samples with the ridge weight beta / alpha; "
                f"both must be > 0, got alpha={self.alpha!r}, beta={self.beta!r}."
            )
        shape = self._resolve_input_shape(X.shape[1])
        X_t = torch.tensor(self._network_inputs(X), dtype=torch.float32).reshape(len(X), *shape)
        labels = torch.as_tensor(self.labels_)
        k = min(self.n_nonzero, len(labels))
        mass = torch.zeros(len(X), self.n_clusters, dtype=torch.float64)
        solver = ClosedFormSelfExpression(self.beta / self.alpha)
        # fits from before start_encoders_ existed have one start
        starts = zip(getattr(self, "start_encoders_", [self.encoder_]),
                     getattr(self, "start_embeddings_", [self.embedding_]))
        for encoder, embedding in starts:
            with torch.no_grad():
                queries = unit_norm(torch.cat([encoder(part).flatten(1) for part in
                                               torch.split(X_t, 1024)]))
            for rows, coef in solver.coefficients_of_new(queries, unit_norm(torch.as_tensor(embedding))):
                values, indices = coef.abs().topk(k, dim=1)
                mass[rows] += cluster_mass(labels[indices], values, self.n_clusters)
        return mass.argmax(dim=1).numpy().astype(np.int64)

    def _train(self, X, input_shape, device, seed, parallel=None):
        n_samples = X.shape[0]
        batch_size = n_samples if self.batch_size is None else min(self.batch_size, n_samples)
        if parallel is not None and batch_size < parallel.world_size:
            raise ValueError(
                f"batch_size={batch_size} is the global batch, split over "
                f"{parallel.world_size} ranks: it must be at least the number of ranks.")
        n_splits = math.ceil(n_samples / batch_size)
        network_lr, pretrain_lr, coef_lr = self._learning_rates(n_splits)
        encoder, decoder = build_autoencoder(
            self._resolve_encoder(input_shape), input_shape, self.encoder_params
        )
        self._check_modules(encoder, decoder)
        encoder.to(device).train()
        if decoder is not None:
            decoder.to(device).train()
        modules = [encoder] if decoder is None else [encoder, decoder]
        if parallel is not None:  # every rank starts from rank 0's networks
            for module in modules:
                parallel.broadcast_module(module)
        X_t = torch.tensor(X, dtype=torch.float32).reshape(n_samples, *input_shape).to(device)
        generator = torch.Generator().manual_seed(seed)
        training = _Training(X_t, encoder, decoder, None, generator, batch_size)
        training.parallel = parallel
        training.label_random_state = np.random.RandomState(seed)
        training.head = self._build_head(encoder, input_shape, device)
        if training.head is not None:
            training.head.to(device).train()
        training.pretrain_batch_size = self.pretrain_batch_size or batch_size
        training.optimizer = torch.optim.Adam(training.network_parameters(), lr=pretrain_lr)
        self.loss_curve_ = []
        self.loss_terms_ = {"objective": [], "self_expr": [], "reg": [], "coding_rate": [],
                            "cluster_rate": [], "input_anchor": []}
        self.n_iter_ = 0
        verbose = bool(self.verbose)
        clock = time.perf_counter()

        self._pretrain(training, verbose)
        self.stage_seconds_ = {"pretrain": time.perf_counter() - clock}

        clock = time.perf_counter()
        training.self_expression = self._new_self_expression(training, coef_lr)
        # a new stage with a new objective: fresh Adam moments, as DSC-Net's fine-tuning
        training.optimizer = torch.optim.Adam(training.network_parameters(), lr=network_lr)
        self._train_after_bank_fill(training, verbose)
        self.stage_seconds_["bank_fill"] = time.perf_counter() - clock
        clock = time.perf_counter()
        self._self_expression_epochs(
            training, self.max_epochs, train_network=True,
            progress=_ProgressBar(self.max_epochs, "fine-tune", verbose),
        )
        self.stage_seconds_["fine_tune"] = time.perf_counter() - clock
        if parallel is not None:  # batch-norm statistics saw this rank's shares only
            for module in modules:
                parallel.average_buffers(module)
        self._check_convergence(training)
        return training

    def _check_convergence(self, training):
        """Warn when training diverged (hook; the reconstruction model checks its loss)."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = False
        return tags

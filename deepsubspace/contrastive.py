"""ContrastiveMiniBatchDSC: decoder-free deep subspace clustering with InfoNCE (CLBDSC)."""

import functools
import warnings
from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseMiniBatchDSC, _ProgressBar
from .nn.augment import augmented_view, get_augmentation
from .nn.encoders import build_autoencoder
from .nn.losses import info_nce


def _encoder_only(spec, input_shape, **params):
    """Build ``spec`` like :func:`build_autoencoder` and drop its decoder."""
    encoder, _ = build_autoencoder(spec, input_shape, params)
    return encoder, None


class ContrastiveMiniBatchDSC(BaseMiniBatchDSC):
    """Decoder-free mini-batch deep subspace clustering with InfoNCE (CLBDSC).

    The encoder (optionally pre-trained by plain contrastive learning, see
    ``encoder_pretrain_epochs``) fills a memory bank with the latent features
    of all N samples; the self-expressive layer C (N x N, zero diagonal) is
    first trained alone with the encoder frozen, then jointly with the encoder, on
    the loss of equation (3) of Jiang et al. (2025) with the reconstruction
    term replaced by the InfoNCE of equation (4)::

        InfoNCE((C Z)_i, Z+_i, Z_not_i) + alpha * ||Z_i - (C Z)_i||^2 + beta * ||C_i||^2

    For a batch ``i`` of inputs ``X_i``, one augmented view ``X+_i`` is drawn
    (per sample, on the training device), ``Z_i = E(X_i)`` and
    ``Z+_i = E(X+_i)``. The anchor is the self-expressed feature
    ``(C Z)_i`` (``Z`` is the bank with the batch's rows taken from ``Z_i``),
    the positive is ``Z+_i`` and the negatives are every bank entry outside
    the batch; all are L2-normalised. After every step the bank rows of the
    batch are overwritten with ``Z_i`` (the un-augmented features, never
    ``Z+_i``), so each bank entry corresponds to a fixed input. There is no
    decoder: a decoder returned by the encoder factory is discarded. Labels
    come from spectral clustering of an affinity built from C.

    Training, the memory bank, the self-expressive layer and the spectral
    step are shared with :class:`MiniBatchDSC`.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    encoder : str, callable, nn.Module or tuple, default="auto"
        ``"auto"`` (``"conv"`` when ``input_shape`` describes images, else
        ``"mlp"``), a registered name (``"mlp"``, ``"conv"``, ``"resnet18"``),
        a factory ``f(input_shape, **encoder_params) -> (encoder, decoder)``,
        an encoder module or a pair ``(encoder, decoder)`` (modules are
        deep-copied before training). Any decoder is discarded.
    encoder_params : dict, default=None
        Keyword arguments of the encoder factory, for example
        ``{"weights": "imagenet"}`` for ``"resnet18"`` (downloaded once into
        a cache, sha256-checked; see
        :func:`deepsubspace.nn.encoders.resnet18_imagenet_weights`).
    input_shape : tuple of int, default=None
        ``(channels, height, width)``: each row of X is reshaped to it (C
        order). ``None`` treats rows as vectors.
    input_scaling : {"max", "rows"}, default="max"
        What the network sees. ``"max"``: ``X / max|X|`` (``input_scale_``),
        so the overall scale of X does not change the labels. ``"rows"``:
        the same, then every row rescaled to one norm, the root-mean-square
        row norm ``input_row_norm_``. This estimator has no reconstruction
        term (whose per-sample weight ``||x_i||^2`` the option evens out in
        MiniBatchDSC and StructuralContrastiveDSC): with a positively
        homogeneous encoder (the residual encoder with ``activation="relu",
        bias=False``) only the augmentations see a difference. Kept for
        one name across the estimators. Rows of zero norm are an error with
        ``"rows"``.
    batch_size : int or None, default=32
        Samples per step. The negatives are the bank entries outside the
        batch, so ``None`` (full batch) is refused with a ValueError, and a
        value >= n_samples warns (no negative: the InfoNCE term is zero).
    pretrain_batch_size : int or None, default=None
        Batch size of the frozen-encoder stage that trains only C; ``None``
        uses ``batch_size``.
    encoder_pretrain_epochs : int, default=0
        Epochs of plain contrastive pre-training of the encoder before
        anything else (at ``pretrain_learning_rate``, batches of
        ``batch_size``): InfoNCE with the feature ``Z_i`` itself as the
        anchor, ``Z+_i`` as the positive and the entries of a memory bank
        outside the batch as negatives; no C. The default 0 is the paper's
        schedule, where C is first fitted to the features of the encoder as
        initialised.
    pretrain_epochs : int, default=100
        Epochs that train only C (at ``coef_learning_rate``) with the
        encoder frozen (no gradient, no optimiser step; batch-norm layers
        still normalise with, and track, batch statistics as in every
        training-mode forward), after the bank is filled and before full
        fine-tuning.
    max_epochs : int, default=100
        Epochs of joint fine-tuning of the encoder and C.
    learning_rate : float, default=5e-5
        Adam learning rate of the encoder during fine-tuning (see
        ``lr_scaling``); the paper's CLBDSC rate. Small on purpose: features
        written into the bank early in an epoch must stay close to those
        written late (paper, section 3.3).
    pretrain_learning_rate : float, default=1e-3
        Adam learning rate of the encoder during ``encoder_pretrain_epochs``.
    coef_learning_rate : float, default=1e-3
        Adam learning rate of C (one step per row and epoch, never scaled).
    lr_scaling : {"none", "splits"}, default="none"
        ``"splits"`` divides ``learning_rate`` by the number of splits
        ``ceil(n_samples / batch_size)`` during fine-tuning (section 3.3).
    alpha : float, default=1.0
        Weight of the self-expression loss.
    beta : float, default=0.1
        Weight of the squared Frobenius norm of C (in closed form the ridge
        weight of C is ``beta / alpha``).
    self_expression : {"closed_form", "learned"}, default="closed_form"
        As for :class:`MiniBatchDSC`: ``"closed_form"`` uses unit-norm
        features and the exact ridge C on the bank (there is then no
        C-only stage: ``pretrain_epochs`` is unused); ``"learned"`` is the
        paper's N x N parameter C.
    coding_rate : float, default=0.0
        Weight of the total coding rate of the batch's unit-norm features,
        subtracted from the loss against feature collapse (see
        :class:`MiniBatchDSC`).
    collapse_tol : float in [0, 1) or None, default=None
        Stop fine-tuning at the end of the first epoch after which the
        coding rate of the memory bank's unit-norm features is below
        ``(1 - collapse_tol)`` times its value when fine-tuning began (see
        :class:`MiniBatchDSC`). ``None``: always ``max_epochs``.
    cut_tol : float >= 0 or None, default=None
        A label-free stopping rule for fine-tuning that watches the
        clustering rather than the features. After every epoch the affinity
        is built (with ``post_processing``) from the coefficients of the
        current state, and its relaxed normalised cut
        (:func:`deepsubspace.affinity.relaxed_normalized_cut`, the objective
        spectral clustering relaxes: lower means K better separated
        clusters) is compared with its value when fine-tuning began;
        fine-tuning stops at the end of the first epoch that leaves it
        higher than ``(1 + cut_tol)`` times that value (``n_iter_`` then is
        below ``max_epochs``; the final iterate is kept). So the features
        never end less separable into K clusters than they started (with the
        ``"residual"`` encoder: the pixels) by more than one epoch's change.
        One coefficient matrix, affinity and K eigenvectors per epoch (the
        cost of the final spectral step). ``None``: always ``max_epochs``.
    input_anchor : float >= 0, default=0.0
        Weight of a term that keeps the coefficients close to those of the
        inputs: ``input_anchor * ||C_b - C(X)_b||^2`` on the rows of every batch,
        where ``C`` is the closed-form C of the current features and
        ``C(X)`` the same zero-diagonal ridge solution (weight
        ``beta / alpha``) on the unit-norm inputs ``X / input_scale_``, i.e.
        :class:`~deepsubspace.baselines.LeastSquaresSubspaceClustering`'s C
        on the pixels. Training can then only move C away from what the
        least-squares solution on the inputs finds as far as it lowers the
        rest of the objective by more. Needs ``self_expression="closed_form"``.
        Costs O(b N h) per step for a batch of b (two b x N products); no
        N x N array. Measured with MiniBatchDSC's residual presets and
        ``input_anchor = 100 * beta`` (the best weight on a development
        set): C stays LSR's, so Extended Yale B keeps what the pixels give
        and ORL loses the gain of training (see the Results page of the
        documentation). ``0``: off.
    temperature : float, default=0.5
        InfoNCE temperature ``tau`` of equation (4) (the paper does not
        report it; 0.5 is SimCLR's value for its memory-bank-sized sets of
        negatives). Lower values weigh the hardest negatives more.
    anchor : {"self_expressed", "feature"}, default="self_expressed"
        The InfoNCE anchor: the self-expressed feature ``(C Z)_i`` as in the
        paper, or the feature ``Z_i`` itself (plain contrastive learning with
        bank negatives, for the two-step "contrastive features + SSC"
        baseline of the paper's Table 3; use it with ``alpha=0``).
    augmentation : {"auto", "faces", "objects"} or callable, default="auto"
        How the positive view is drawn, per sample, on the training device
        (see :mod:`deepsubspace.nn.augment`):

        - ``"faces"``: random resized crop (scale 0.8-1) and horizontal flip,
          plus grayscale for RGB input (Table 2, ORL);
        - ``"objects"``: random resized crop (scale 0.5-1), colour jitter
          (0.4, 0.4, 0.4, 0.1; brightness and contrast only for grayscale
          input), random grayscale (p=0.2, RGB only) and horizontal flip
          (Table 2, COIL-100);
        - ``"auto"``: ``"faces"`` for 1-channel images, ``"objects"`` for
          3-channel images, crop and flip for other images, and for vectors
          (no ``input_shape``) Gaussian noise of 0.1 times each sample's RMS
          followed by zeroing each feature with probability 0.1;
        - a callable mapping a batch tensor ``(n, *input_shape)`` to an
          augmented tensor of the same shape. For repeatable fits it should
          draw its randomness from torch's global generator.

        Image augmentations assume float pixels in ``[0, 1]``.
    coding_rate_scope : {"batch", "bank"}, default="batch"
        Whether ``coding_rate`` weighs the rate of the batch or of the whole
        memory bank (batch rows current); see :class:`MiniBatchDSC`.
    rate_reduction : bool, default=False
        The coding-rate term as maximal coding rate reduction over the
        estimator's own clusters, refreshed every epoch (weight
        ``coding_rate``, > 0 needed); see :class:`MiniBatchDSC`.
    coefficients : {"auto", "dense", "sparse"}, default="auto"
        How ``coef_`` is stored after training. ``"dense"``: the N x N
        matrix. ``"sparse"`` (closed form only): the ``n_nonzero`` entries of
        largest magnitude of each row, computed in row blocks (CSR; memory
        O(N n_nonzero), never N x N), for large N (the objects presets keep
        ``n_nonzero=3`` with ``post_processing=None``); the DSC post-processing
        then keeps the ``n_nonzero`` largest similarities of each row and
        never forms an N x N array either (``n_nonzero`` of
        :func:`deepsubspace.affinity.dsc_post_processing`). ``"auto"``: sparse above 10,000
        samples with the closed form, dense otherwise.
    n_nonzero : int, default=50
        Entries kept per row of C with sparse coefficients, and per new
        sample by :meth:`predict` (its largest coefficients over the bank).
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        ``None``: affinity ``|C| + |C|^T``; ``"dsc"``: DSC-Net's
        post-processing with the package's one setting (the presets' rule for
        every dense C);
        ``"normalize_rows"``: the same after scaling every row of C to unit
        l2 norm. See :func:`deepsubspace.affinity.dsc_post_processing`.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`.
    assign_labels : {"kmeans", "discretize"}, default="discretize"
        Label assignment of the spectral step: ``"kmeans"`` clusters the
        row-normalised eigenvectors of the normalised affinity with k-means
        (as the public EnSC/SSC code), ``"discretize"`` is scikit-learn's
        discretisation (as DSC-Net's code); see
        :func:`deepsubspace.affinity.spectral_labels`.
    bank_momentum : float in [0, 1) or None, default=None
        A momentum encoder for the memory bank (MoCo-style): during the
        self-expressive stages an exponential-moving-average copy ``E_k`` of
        the encoder, ``theta_k <- m theta_k + (1 - m) theta`` after every
        optimiser step of the encoder, computes the features written into the
        bank, while the loss uses the online encoder. It keeps the bank
        consistent when the encoder moves fast (large ``learning_rate``,
        small batches). The copy starts as the encoder that fills the bank;
        0 reproduces ``None`` (one extra forward per step). ``None``: the
        bank stores the online encoder's features.
    distributed : "auto" or bool, default="auto"
        Data-parallel training over ``torch.distributed`` (gloo on CPU, NCCL
        on GPU; launched with torchrun). ``"auto"``: when a process group
        is initialised (and has more than one rank), ``True``: require one,
        ``False``: never (each process fits alone). Every rank must hold the
        full X and the same parameters; ``batch_size`` is the global batch,
        split into contiguous shares over the ranks; gradients are summed
        over the ranks; the bank (and its Gram) is written with the global
        batch's features and is identical on every rank; the spectral step
        runs on rank 0 and its labels are broadcast. Every rank ends with
        the same fitted attributes (``stage_seconds_`` aside). See the
        "Distributed training" page of the documentation for the limits
        (batch-norm statistics are per rank).
    n_starts : int, default=1
        Independent trainings (seeds drawn from ``random_state``; the first
        is the fit ``n_starts=1`` gives) whose affinities are averaged
        before the one spectral step; ``coef_`` is the mean of their C and
        the attributes of one network are the first start's (see
        :class:`MiniBatchDSC`).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
    random_state : int, RandomState instance or None, default=None
        Seeds the network initialisation, the batch order, the augmentations
        and the spectral step. With an int, CPU fits are exactly repeatable.
    verbose : int, default=0
        Show a progress bar with the current losses on stderr.

    Attributes
    ----------
    coef_ : ndarray or sparse matrix of shape (n_samples, n_samples)
        Self-expressive coefficients C (zero diagonal), stored as float32
        (the precision of the float32 features they are computed from): a
        dense array, or CSR with sparse ``coefficients``.
    affinity_matrix_ : ndarray or sparse matrix of shape (n_samples, n_samples)
        Affinity built from C, stored as float32: dense, or CSR when C is
        sparse. ``labels_`` come from its float64 original.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels, contiguous integers from 0.
    embedding_ : ndarray of shape (n_samples, n_latent)
        Final latent features of the un-augmented inputs (the memory bank
        after training).
    encoder_ : torch.nn.Module
        The trained encoder, on CPU in evaluation mode.
    decoder_ : None
        There is no decoder.
    n_iter_ : int
        Fine-tuning epochs run (fewer than ``max_epochs`` when
        ``collapse_tol`` or ``cut_tol`` stopped fine-tuning).
    loss_curve_ : list of float
        Total loss of each fine-tuning epoch (sum over its batches).
    loss_terms_ : dict of list of float
        The unweighted terms of ``loss_curve_``, per fine-tuning epoch:
        ``"objective"`` (InfoNCE), ``"self_expr"`` (``||Z - CZ||^2``),
        ``"reg"`` (``||C||^2``), ``"coding_rate"``, ``"cluster_rate"`` (see
        ``rate_reduction``) and ``"input_anchor"``, each summed over the
        epoch's batches; ``loss = objective + alpha * self_expr + beta * reg
        - coding_rate * (coding_rate - cluster_rate) + input_anchor * input_anchor``.
    input_scale_ : float
        ``max |X|``: the network is trained on ``X / input_scale_``.
    input_row_norm_ : float or None
        With ``input_scaling="rows"``, the norm every row of
        ``X / input_scale_`` is rescaled to (the root-mean-square row norm
        of the training data); ``None`` with ``"max"``.
    pretrain_loss_curve_ : list of float
        InfoNCE of each encoder pre-training epoch (empty when
        ``encoder_pretrain_epochs=0``).
    start_encoders_ : list of torch.nn.Module
        The trained encoder of every start (``n_starts`` of them, on CPU in
        evaluation mode; the first is ``encoder_``).
    start_embeddings_ : list of ndarray of shape (n_samples, n_latent)
        The final memory bank of every start (the first is ``embedding_``).
    stage_seconds_ : dict
        Wall time of the stages: ``"pretrain"`` (encoder pre-training),
        ``"bank_fill"`` (with the C-only stage) and ``"fine_tune"``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in\\_,)
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    MiniBatchDSC : The autoencoder variant (BDSC).

    Notes
    -----
    C starts at zero, where the anchor ``(C Z)_i`` is the zero vector and has
    no direction. An anchor whose norm is zero (a row of C that has not been
    updated yet) is left out of the InfoNCE term of that step; its row
    learns from the self-expression term alone until it is non-zero. (The
    gradient of a normalised vector grows like 1/||v||: at ``v = 0`` it would
    be of order 1e12 and stall Adam on that row for thousands of steps.)

    References
    ----------
    Jiang et al., "A mini-batch training strategy for deep subspace
    clustering networks", arXiv:2507.19917, 2025 (section 3.4).
    Oord et al., "Representation learning with contrastive predictive
    coding", arXiv:1807.03748, 2018.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace import ContrastiveMiniBatchDSC
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 2))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(2, 30)).T for b in bases])
    >>> model = ContrastiveMiniBatchDSC(n_clusters=2, pretrain_epochs=5, max_epochs=5,
    ...                                 batch_size=16, random_state=0).fit(X)
    >>> model.labels_.shape
    (60,)
    >>> model.decoder_ is None
    True
    """

    _parameter_constraints: dict = {
        **BaseMiniBatchDSC._parameter_constraints,
        "encoder_pretrain_epochs": [Interval(Integral, 0, None, closed="left")],
        "anchor": [StrOptions({"self_expressed", "feature"})],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "augmentation": [StrOptions({"auto", "faces", "objects"}), callable],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        encoder="auto",
        encoder_params=None,
        input_shape=None,
        input_scaling="max",
        batch_size=32,
        pretrain_batch_size=None,
        encoder_pretrain_epochs=0,
        pretrain_epochs=100,
        max_epochs=100,
        learning_rate=5e-5,
        pretrain_learning_rate=1e-3,
        coef_learning_rate=1e-3,
        lr_scaling="none",
        alpha=1.0,
        beta=0.1,
        self_expression="closed_form",
        coding_rate=0.0,
        collapse_tol=None,
        cut_tol=None,
        input_anchor=0.0,
        rate_reduction=False,
        coding_rate_scope="batch",
        coefficients="auto",
        n_nonzero=50,
        temperature=0.5,
        augmentation="auto",
        anchor="self_expressed",
        post_processing=None,
        post_processing_params=None,
        assign_labels="discretize",
        bank_momentum=None,
        distributed="auto",
        n_starts=1,
        device="cpu",
        random_state=None,
        verbose=0,
    ):
        self.n_clusters = n_clusters
        self.encoder = encoder
        self.encoder_params = encoder_params
        self.input_shape = input_shape
        self.input_scaling = input_scaling
        self.batch_size = batch_size
        self.pretrain_batch_size = pretrain_batch_size
        self.encoder_pretrain_epochs = encoder_pretrain_epochs
        self.pretrain_epochs = pretrain_epochs
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.pretrain_learning_rate = pretrain_learning_rate
        self.coef_learning_rate = coef_learning_rate
        self.lr_scaling = lr_scaling
        self.alpha = alpha
        self.beta = beta
        self.self_expression = self_expression
        self.coding_rate = coding_rate
        self.collapse_tol = collapse_tol
        self.cut_tol = cut_tol
        self.input_anchor = input_anchor
        self.rate_reduction = rate_reduction
        self.coding_rate_scope = coding_rate_scope
        self.coefficients = coefficients
        self.n_nonzero = n_nonzero
        self.temperature = temperature
        self.augmentation = augmentation
        self.anchor = anchor
        self.post_processing = post_processing
        self.post_processing_params = post_processing_params
        self.assign_labels = assign_labels
        self.bank_momentum = bank_momentum
        self.distributed = distributed
        self.n_starts = n_starts
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _resolve_encoder(self, input_shape):
        # the factory's decoder is never built into the model: drop it
        return functools.partial(_encoder_only, super()._resolve_encoder(input_shape))

    def _check_modules(self, encoder, decoder):
        """Any encoder serves; there is no decoder."""

    def _pretrain(self, training, verbose):
        """Plain contrastive learning of the encoder for ``encoder_pretrain_epochs``.

        The C-only stage needs the final bank and runs in ``_train_after_bank_fill``.
        """
        if self.batch_size is None:
            raise ValueError(
                "ContrastiveMiniBatchDSC needs mini-batches: its negatives are the bank entries "
                "outside the batch, so batch_size=None (full batch) leaves none and the InfoNCE "
                "term would be zero; pass an int batch_size smaller than n_samples."
            )
        if training.batch_size >= training.n_samples:
            warnings.warn(
                f"batch_size={self.batch_size} >= n_samples={training.n_samples}: there are no "
                "negatives outside the batch and the InfoNCE term is zero.", UserWarning,
                stacklevel=3)
        training.augment = get_augmentation(self.augmentation, tuple(training.X.shape[1:]))
        self.pretrain_loss_curve_ = []
        if self.encoder_pretrain_epochs == 0:
            return
        progress = _ProgressBar(self.encoder_pretrain_epochs, "pre-train encoder", verbose)
        bank = training.filled_bank()
        for epoch in range(self.encoder_pretrain_epochs):
            total = 0.0
            for idx in training.batches():
                x = training.X[idx]
                z = training.encoder(training.local(x)).flatten(1)
                z_plus = self._positive_features(training, x, train_network=True)
                loss = info_nce(z, z_plus, bank.features, self.temperature, exclude=idx)
                training.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                training.sync_gradients()
                training.optimizer.step()
                bank.update(idx, training.gather(z.detach(), len(idx)))
                total += float(loss.detach())
            (total,) = training.sum_over_ranks([total])
            self.pretrain_loss_curve_.append(total)
            progress.update(epoch + 1, {"info_nce": total})

    def _train_after_bank_fill(self, training, verbose):
        """Train C alone for ``pretrain_epochs`` with the encoder frozen (learned C only)."""
        if self.self_expression == "closed_form":
            return
        self._self_expression_epochs(
            training, self.pretrain_epochs, train_network=False, record=False,
            batch_size=training.pretrain_batch_size,
            progress=_ProgressBar(self.pretrain_epochs, "pre-train C", verbose),
        )

    def _positive_features(self, training, x, train_network):
        """``Z+``: the encoder's features of one augmented view of the global batch ``x``.

        With data parallelism the view is drawn for the whole batch on every
        rank (the ranks' random streams stay in step and the views are those
        of one process) and this rank's share is encoded.
        """
        x_plus = training.local(augmented_view(training.augment, x))
        with torch.set_grad_enabled(train_network):
            return training.encoder(x_plus).flatten(1)

    def _representation_loss(self, training, idx, x, latent, z_hat, train_network):
        z_plus = self._positive_features(training, training.X[idx], train_network)
        if self.anchor == "feature":
            return info_nce(latent.flatten(1), z_plus, training.bank.features, self.temperature,
                            exclude=idx)
        # an anchor (C Z)_i = 0 (row i of C still zero) has no direction
        directed = torch.linalg.vector_norm(z_hat.detach(), dim=1) > 0
        if not bool(directed.all()):
            z_hat, z_plus = z_hat[directed], z_plus[directed]
        return info_nce(z_hat, z_plus, training.bank.features, self.temperature, exclude=idx)

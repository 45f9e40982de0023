"""MiniBatchDSC: deep subspace clustering with an autoencoder (BDSC)."""

import warnings

import torch
from sklearn.exceptions import ConvergenceWarning

from ._base import BaseMiniBatchDSC, _ProgressBar
from .nn.losses import reconstruction_loss


class MiniBatchDSC(BaseMiniBatchDSC):
    """Mini-batch deep subspace clustering with a memory bank (BDSC).

    An autoencoder is pre-trained on mini-batches; its encoder then fills a
    memory bank with the latent features of all N samples, and the network is
    fine-tuned jointly with a self-expressive layer C (N x N, zero diagonal)
    on the loss of equation (3) of Jiang et al. (2025)::

        ||X_i - D((C Z)_i)||^2 + alpha * ||Z_i - (C Z)_i||^2 + beta * ||C_i||^2

    where ``i`` is the batch, ``Z`` is the bank with the batch's rows taken
    from the current encoder output, and ``C_i`` the batch's rows of C. After
    every step the bank rows of the batch are overwritten with the batch's
    features. With ``batch_size=None`` (or >= n_samples) every step sees the
    whole data set and the method is full-batch DSC (Ji et al., 2017).
    Labels come from spectral clustering of an affinity built from C.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    encoder : str, callable, nn.Module or tuple, default="auto"
        ``"auto"`` (``"conv"`` when ``input_shape`` describes images, else
        ``"mlp"``), a registered name (``"mlp"``, ``"conv"``, ``"resnet18"``),
        a factory ``f(input_shape, **encoder_params) -> (encoder, decoder)``
        or a pair ``(encoder, decoder)`` of modules (deep-copied before
        training). The decoder receives the encoder's output shape.
    encoder_params : dict, default=None
        Keyword arguments of the encoder factory, for example
        ``{"channels": (3, 3, 5), "kernel_sizes": (3, 3, 3)}`` for ``"conv"``.
    input_shape : tuple of int, default=None
        ``(channels, height, width)``: each row of X is reshaped to it (C
        order). ``None`` treats rows as vectors.
    input_scaling : {"max", "rows"}, default="max"
        What the network sees. ``"max"``: ``X / max|X|`` (``input_scale_``),
        so the overall scale of X does not change the labels. ``"rows"``:
        the same, then every row rescaled to one norm, the root-mean-square
        row norm ``input_row_norm_`` (so ``mean ||x||^2``, on which the
        presets' ``alpha`` rule rests, is unchanged). The reconstruction
        terms weigh sample i by ``||x_i||^2``; with ``"rows"`` every sample
        weighs the same, so dark images are held to their pixels as
        bright ones are. With a positively homogeneous encoder (the residual
        encoder with ``activation="relu", bias=False``) the unit-norm
        features, C and the coding rate do not change, only those weights.
        Rows of zero norm are an error with ``"rows"``.
    batch_size : int or None, default=32
        Samples per step. ``None`` or a value >= n_samples is full batch.
    pretrain_batch_size : int or None, default=None
        Batch size of pre-training; ``None`` uses ``batch_size``. Setting it
        lets a full-batch run start from the same pre-trained autoencoder as
        a mini-batch run with the same ``random_state``.
    pretrain_epochs : int, default=100
        Epochs of autoencoder pre-training (reconstruction only).
    max_epochs : int, default=100
        Epochs of joint fine-tuning with the self-expressive layer.
    learning_rate : float, default=1e-4
        Adam learning rate of the network during fine-tuning (see
        ``lr_scaling``). It is small on purpose: features written into the
        bank early in an epoch must stay close to those written late
        (paper, section 3.3).
    pretrain_learning_rate : float, default=1e-3
        Adam learning rate of the autoencoder during pre-training.
    coef_learning_rate : float, default=1e-3
        Adam learning rate of C with ``self_expression="learned"`` (unused
        in closed form). Each row of C takes one step per epoch whatever the
        batch size, so it is never scaled with the number of splits.
    lr_scaling : {"none", "splits"}, default="none"
        The paper's consistency rule (section 3.3). ``"none"`` uses
        ``learning_rate`` as given. ``"splits"`` divides it by the number of
        splits ``k = ceil(n_samples / batch_size)`` during fine-tuning, so
        that ``learning_rate`` is the full-batch rate and the encoder moves
        slower as the bank gets staler.
    alpha : float, default=1.0
        Weight of the self-expression loss.
    beta : float, default=0.1
        Weight of the squared Frobenius norm of C. In closed form the ridge
        weight of C is ``beta / alpha`` (0.1 by default, as for
        :class:`~deepsubspace.baselines.LeastSquaresSubspaceClustering` on
        unit-norm pixels).
    self_expression : {"closed_form", "learned"}, default="closed_form"
        ``"closed_form"``: the features enter the self-expression with unit
        l2 norm (shrinking them no longer lowers the loss) and C is, at every
        step, the exact zero-diagonal ridge solution on the memory bank,
        computed from the bank's h x h Gram: no N x N parameter or optimiser
        state exists during training, and a step costs O(n h^2 + h^3)
        whatever N (see :class:`deepsubspace.nn.self_expression.ClosedFormSelfExpression`).
        The self-expressed features are rescaled to each sample's own norm
        before decoding. ``"learned"``: the paper's N x N parameter C,
        trained by a row-wise Adam at ``coef_learning_rate`` on the raw
        features (the earlier Table 1 runs).
    coding_rate : float, default=0.0
        Weight of the total coding rate ``1/2 logdet(I + h/(n eps^2) Z^T Z)``
        (eps = 0.1) of the batch's unit-norm features, subtracted from the
        loss against feature collapse (PRO-DSC). 0 disables it.
    collapse_tol : float in [0, 1) or None, default=None
        A label-free stopping rule for fine-tuning. After every epoch the
        total coding rate (as for ``coding_rate``) of the memory bank's
        unit-norm features, all N of them, is compared with its value when
        fine-tuning began; fine-tuning stops at the end of the first epoch
        that leaves it lower than ``(1 - collapse_tol)`` times that value
        (``n_iter_`` then is below ``max_epochs``; the final iterate is
        kept). A falling rate means the features span less volume: the
        collapse that makes the self-expressive objective ill-posed
        (Haeffele et al., ICLR 2021). With the ``"residual"`` encoder the
        features start as the pixels. A safety stop, not a way to gain
        accuracy: on ORL, COIL-20 and Extended Yale B the residual presets'
        rate falls in the first epoch, so ``collapse_tol=0`` stops after one
        epoch, and on ORL accuracy rises while the rate falls (see the
        Results page of the documentation). One h x h log-det per epoch.
        ``None``: always ``max_epochs``.
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
        Not a way to gain accuracy either: with the residual presets and
        ``cut_tol=0`` ORL keeps the gain of training (4 of 5 seeds run every
        epoch), COIL-20 never stops, and on Extended Yale B the cut falls
        while accuracy falls, so the stop comes late (see the Results page
        of the documentation). One coefficient matrix, affinity and K
        eigenvectors per epoch (the cost of the final spectral step).
        ``None``: always ``max_epochs``.
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
    coding_rate_scope : {"batch", "bank"}, default="batch"
        The features whose coding rate ``coding_rate`` weighs. ``"batch"``:
        the batch's n rows, ``R(Z_b)`` (PRO-DSC's mini-batch form).
        ``"bank"``: all N rows of the memory bank with the batch's rows
        current, ``R(Z)`` with ``h / (N eps^2)``, so that each batch row gets
        the gradient that full-batch training gives it; the batch form
        repels the n rows of each batch from one another, which spreads the
        features over more directions than the data span when n exceeds
        the data's effective rank. But with fewer samples than feature
        dimensions the bank's rate keeps spreading all N rows: on ORL
        (N = 400, h = 1,024) the residual preset with it (the faces' rule
        for part of 2026-12-02) reached effective rank 122 (pixels 49.7) and
        ACC fell (see the Results page). Needs
        ``self_expression="closed_form"`` (the bank's Gram is kept there);
        one h x h Cholesky factorisation per step.
    rate_reduction : bool, default=False
        Turn the coding-rate term into maximal coding rate reduction (MCR^2,
        Yu et al., NeurIPS 2020) over the estimator's own clustering: at the
        start of every fine-tuning epoch the bank's current C is clustered
        (``post_processing`` and the spectral step of ``fit``), and each
        batch's loss takes ``- coding_rate * (R(Z_b) - sum_k (n_kb / n_b)
        R(Z_k))``, where ``Z_k`` are all the bank's unit-norm features of
        cluster k (the batch's rows current, so gradients reach them),
        ``n_kb`` the batch's samples in k and ``R`` the coding rate. The
        batch still spreads, and each sample is pulled towards the
        low-dimensional span of its cluster, so that the features separate
        the clusters the self-expression finds instead of only filling
        space. Its weight is ``coding_rate`` (> 0 needed). Costs one spectral
        step per epoch and, per batch, one log-det of each touched
        cluster's n_k x n_k Gram. With ``self_expression="learned"`` C starts
        at zero, so the first epoch's clusters are arbitrary (a warning says so).
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
        ``None``: affinity ``|C| + |C|^T``. ``"dsc"``: DSC-Net's
        post-processing (column thresholding, SVD of rank ``d * K + 1``,
        power, normalisation) with the package's one setting
        (:data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`), the
        presets' rule for every dense C; see
        :func:`deepsubspace.affinity.dsc_post_processing` (the default stays
        ``None`` because ``d = 4`` assumes subspaces of dimension about 4:
        see docs/quickstart.rst). ``"normalize_rows"``: the same after
        scaling every row of C to unit l2 norm.
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
        Independent trainings whose affinities are averaged before the one
        spectral step. Each start trains a new network from its own seed
        (initialisation, batch order, augmentations) drawn from
        ``random_state``; the first start is the fit ``n_starts=1`` gives.
        ``affinity_matrix_`` is the mean of the starts' affinities (each
        built from its own C), ``coef_`` the mean of their C (so the
        affinity is not the one of ``coef_``); ``labels_`` come from the
        mean affinity and :meth:`predict` sums the coefficient mass of every
        start. ``embedding_``, ``encoder_``, the loss curves and ``n_iter_``
        are the first start's, ``start_encoders_`` and ``start_embeddings_``
        hold every start's, and ``stage_seconds_`` sums the starts. It
        trades ``n_starts`` times the fit's cost for less dependence on one
        draw (see the Results page of the documentation).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when available).
    random_state : int, RandomState instance or None, default=None
        Seeds the network initialisation, the batch order and the spectral
        step. With an int, CPU fits are exactly repeatable.
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
        Final latent features (the memory bank after training; unit-norm
        rows in closed form).
    encoder_, decoder_ : torch.nn.Module
        The trained networks, on CPU in evaluation mode.
    n_iter_ : int
        Fine-tuning epochs run (fewer than ``max_epochs`` when
        ``collapse_tol`` or ``cut_tol`` stopped fine-tuning).
    loss_curve_ : list of float
        Total loss of each fine-tuning epoch (sum over its batches).
    loss_terms_ : dict of list of float
        The unweighted terms of ``loss_curve_``, per fine-tuning epoch:
        ``"objective"`` (reconstruction loss), ``"self_expr"`` (``||Z - CZ||^2``),
        ``"reg"`` (``||C||^2``), ``"coding_rate"`` (0 when its weight is 0),
        ``"cluster_rate"`` (the within-cluster rates of ``rate_reduction``, else
        0) and ``"input_anchor"``, each summed over the epoch's batches;
        ``loss = objective + alpha * self_expr + beta * reg
        - coding_rate * (coding_rate - cluster_rate) + input_anchor * input_anchor``.
    input_scale_ : float
        ``max |X|``: the network is trained on ``X / input_scale_``, so the
        overall scale of X does not change the labels (images in [0, 1] are
        unchanged).
    input_row_norm_ : float or None
        With ``input_scaling="rows"``, the norm every row of
        ``X / input_scale_`` is rescaled to (the root-mean-square row norm
        of the training data); ``None`` with ``"max"``.
    pretrain_loss_curve_ : list of float
        Reconstruction loss of each pre-training epoch. A final value close
        to ``sum(X ** 2)`` means the autoencoder collapsed (dead ReLUs):
        fine-tuning cannot recover from it; try another ``random_state``.
    start_encoders_ : list of torch.nn.Module
        The trained encoder of every start (``n_starts`` of them, on CPU in
        evaluation mode; the first is ``encoder_``).
    start_embeddings_ : list of ndarray of shape (n_samples, n_latent)
        The final memory bank of every start (the first is ``embedding_``).
    stage_seconds_ : dict
        Wall time of the stages: ``"pretrain"``, ``"bank_fill"`` (with any
        stage between the fill and fine-tuning) and ``"fine_tune"``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in\\_,)
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    ContrastiveMiniBatchDSC : The decoder-free variant with InfoNCE.
    deepsubspace.baselines.ElasticNetSubspaceClustering : A classical baseline.

    References
    ----------
    Jiang et al., "A mini-batch training strategy for deep subspace
    clustering networks", arXiv:2507.19917, 2025.
    Ji et al., "Deep subspace clustering networks", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace import MiniBatchDSC
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 2))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(2, 30)).T for b in bases])
    >>> model = MiniBatchDSC(n_clusters=2, pretrain_epochs=5, max_epochs=5,
    ...                      random_state=0).fit(X)
    >>> model.labels_.shape
    (60,)
    """

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
        pretrain_epochs=100,
        max_epochs=100,
        learning_rate=1e-4,
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
        self.post_processing = post_processing
        self.post_processing_params = post_processing_params
        self.assign_labels = assign_labels
        self.bank_momentum = bank_momentum
        self.distributed = distributed
        self.n_starts = n_starts
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_modules(self, encoder, decoder):
        if decoder is None:
            raise ValueError(
                "MiniBatchDSC reconstructs its input and needs a decoder, but the encoder "
                "specification provides none; pass (encoder, decoder) or use ContrastiveMiniBatchDSC."
            )

    def _pretrain(self, training, verbose):
        progress = _ProgressBar(self.pretrain_epochs, "pre-train", verbose)
        self.pretrain_loss_curve_ = []
        for epoch in range(self.pretrain_epochs):
            total = 0.0
            for idx in training.batches(training.pretrain_batch_size):
                x = training.local(training.X[idx])
                loss = reconstruction_loss(training.decoder(training.encoder(x)), x)
                training.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                training.sync_gradients()
                training.optimizer.step()
                total += float(loss.detach())
            (total,) = training.sum_over_ranks([total])
            self.pretrain_loss_curve_.append(total)
            progress.update(epoch + 1, {"recon": total})

    def _check_convergence(self, training):
        # a decoder that outputs zeros reconstructs with loss ||X||^2: far above it, training diverged
        trivial = float(torch.sum(training.X.double() ** 2))
        final = self.loss_terms_["objective"][-1]
        if final > 10 * trivial:
            warnings.warn(
                f"Training diverged: the final reconstruction loss {final:.3g} is more than 10 "
                f"times that of reconstructing zeros ({trivial:.3g}); lower learning_rate.",
                ConvergenceWarning, stacklevel=4)

    def _representation_loss(self, training, idx, x, latent, z_hat, train_network):
        return reconstruction_loss(training.decoder(z_hat.reshape(latent.shape)), x)

"""StructuralContrastiveDSC: deep subspace clustering with a structural contrastive head (DSCSC)."""

import math
from numbers import Integral, Real

import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import BaseMiniBatchDSC, _ProgressBar
from .nn.augment import augmented_view, get_augmentation
from .nn.encoders import projection_head
from .nn.losses import reconstruction_loss, structural_info_nce
from .nn.memory_bank import MemoryBank


class StructuralContrastiveDSC(BaseMiniBatchDSC):
    """Deep structural contrastive subspace clustering (DSCSC), with mini-batches.

    A Siamese autoencoder: one encoder ``f`` and one decoder ``g`` shared by
    every sample ``x_i`` and one augmented view ``x+_i`` of it, a projection
    head ``G`` (two linear layers) giving ``h_i = G(f(x_i))`` and
    ``h+_i = G(f(x+_i))``, and the self-expressive layer C of
    :class:`MiniBatchDSC` (Peng et al., equations 3, 8-11). Training has two
    stages:

    1. ``pretrain_epochs`` without C (equation 10)::

           L_rec + contrast_weight * L_sc

    2. ``max_epochs`` with C (equation 11; ``alpha`` and ``beta`` as in
       :class:`MiniBatchDSC`, the decoder reads ``(C Z)_i``)::

           L_rec + contrast_weight * L_sc + alpha * ||Z_i - (C Z)_i||^2 + beta * ||C_i||^2

    with, summed over the batch ``i`` (equation 9 without its ``1/N``: every
    term of this package is a sum over samples)::

        L_rec = 1/4 * sum_i ( ||x_i - g(z_i)||^2 + ||x+_i - g(z+_i)||^2 )

    (``g((C Z)_i)`` in place of ``g(z_i)`` in stage 2) and the structural
    contrastive loss :func:`deepsubspace.nn.losses.structural_info_nce`::

        L_sc = sum_i -log( e^{s(h_i, h+_i) / t}
                           / (e^{s(h_i, h+_i) / t} + sum_{j in Neg(i)} e^{s(h_i, h_j) / t}) )

    where ``s`` is the cosine similarity, ``t`` the ``temperature``, and
    ``Neg(i)`` every other sample except the ``n_neighbors`` most similar
    to ``h_i`` (by the same cosine similarity, on the features of the
    un-augmented samples): the nearest neighbours are probably of the
    sample's own subspace and are not pushed away. ``n_neighbors=0`` is
    plain instance contrast.

    The negatives and the neighbour search use a memory bank of the
    projections ``h_j`` of all N un-augmented samples (never of the
    augmented views), filled at the start and overwritten by the batch's
    rows after every step; the batch's own rows enter with their current,
    differentiable values. So a step on n samples costs one n x N similarity
    matrix (never N x N), mini-batches see the same negatives as a full
    batch, and with ``batch_size=None`` (the paper's full-batch training)
    the negatives are the batch's other samples.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    encoder : str, callable, nn.Module or tuple, default="auto"
        As for :class:`MiniBatchDSC`; the specification must provide a
        decoder (``"auto"``: ``"conv"`` for images, ``"mlp"`` for vectors).
    encoder_params : dict, default=None
        Keyword arguments of the encoder factory.
    input_shape : tuple of int, default=None
        ``(channels, height, width)`` to reshape each row of X to, or
        ``None`` for vectors.
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
        Samples per step; ``None`` (or >= n_samples) is full batch.
    pretrain_batch_size : int or None, default=None
        Batch size of stage 1; ``None`` uses ``batch_size``.
    pretrain_epochs : int, default=100
        Epochs of stage 1 (reconstruction and structural contrast, no C).
    max_epochs : int, default=100
        Epochs of stage 2 (with the self-expressive layer).
    learning_rate : float, default=1e-4
        Adam learning rate of the networks in stage 2 (see ``lr_scaling``).
    pretrain_learning_rate : float, default=1e-3
        Adam learning rate of the networks in stage 1.
    coef_learning_rate : float, default=1e-3
        Adam learning rate of C with ``self_expression="learned"``.
    lr_scaling : {"none", "splits"}, default="none"
        ``"splits"`` divides ``learning_rate`` by the number of batches per
        epoch in stage 2 (see :class:`MiniBatchDSC`).
    alpha : float, default=1.0
        Weight of ``||Z - C Z||^2`` (the paper's ``gamma * alpha / 2``).
    beta : float, default=0.1
        Weight of ``||C||^2`` (the paper's ``gamma``); in closed form the
        ridge weight of C is ``beta / alpha``.
    self_expression : {"closed_form", "learned"}, default="closed_form"
        As for :class:`MiniBatchDSC`: the exact ridge C on the unit-norm
        bank at every step, or the paper's N x N parameter C.
    coding_rate : float, default=0.0
        Weight of the coding rate of the batch's unit-norm features,
        subtracted in stage 2 (see :class:`MiniBatchDSC`).
    collapse_tol : float in [0, 1) or None, default=None
        Stop stage 2 at the end of the first epoch after which the coding
        rate of the memory bank's unit-norm features is below
        ``(1 - collapse_tol)`` times its value when stage 2 began (see
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
    coding_rate_scope : {"batch", "bank"}, default="batch"
        Stage 2's coding rate over the batch or over the whole memory bank
        (batch rows current), as in :class:`MiniBatchDSC`.
    rate_reduction : bool, default=False
        Stage 2's coding-rate term as maximal coding rate reduction over
        the clusters of the current C, found anew at the start of every
        stage-2 epoch (weight ``coding_rate``, > 0 needed), as in
        :class:`MiniBatchDSC`.
    coefficients : {"auto", "dense", "sparse"}, default="auto"
        How ``coef_`` is stored (see :class:`MiniBatchDSC`).
    n_nonzero : int, default=50
        Entries kept per row of C with sparse coefficients.
    contrast_weight : float, default=0.1
        Weight of the structural contrastive loss (the paper's ``beta``,
        10 in all its experiments and in the presets). The default is
        smaller: the losses here are sums over samples, so the weight that
        balances the scale-free contrast against the reconstruction depends
        on the input scale; on the unit-norm union of subspaces of the tests
        (3 subspaces of dimension 6 in R^15, 30 + 30 epochs, seeds 0 and 1)
        10 gave ARI 0.42 / 0.52, 1 gave 0.69 / 0.77 and 0.1 gave 1.0 / 1.0.
    n_neighbors : int, default=10
        Nearest neighbours left out of each sample's negatives (the paper's
        ``k``; its Figure 3 finds 10-20 best on ORL). At most
        ``n_samples - 2``, so that one negative remains.
    temperature : float, default=0.1
        Temperature of the structural contrastive loss (the paper's 0.1).
    projection_dim : int, default=64
        Output size of the projection head (the paper's 64 for ORL, 128 for
        Extended Yale B, 256 for COIL-20); its hidden layer has the same
        size and a ReLU.
    augmentation : {"auto", "faces", "objects"} or callable, default="auto"
        How the augmented view is drawn, per sample (see
        :class:`ContrastiveMiniBatchDSC` and :mod:`deepsubspace.nn.augment`).
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        Affinity from C (see :class:`MiniBatchDSC`); the paper uses
        ``|C| + |C|^T`` (``None``).
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`.
    assign_labels : {"kmeans", "discretize"}, default="discretize"
        Label assignment of the spectral step.
    n_starts : int, default=1
        Independent trainings (seeds drawn from ``random_state``; the first
        is the fit ``n_starts=1`` gives) whose affinities are averaged
        before the one spectral step; ``coef_`` is the mean of their C and
        the attributes of one network are the first start's (see
        :class:`MiniBatchDSC`).
    device : str, default="cpu"
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.
    random_state : int, RandomState instance or None, default=None
        Seeds the networks, the batch order, the augmentations and the
        spectral step. With an int, CPU fits are exactly repeatable.
    verbose : int, default=0
        Show progress bars with the current losses on stderr.

    Attributes
    ----------
    coef_ : ndarray or sparse matrix of shape (n_samples, n_samples)
        Self-expressive coefficients C (zero diagonal).
    affinity_matrix_ : ndarray of shape (n_samples, n_samples)
        Affinity built from C.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels.
    embedding_ : ndarray of shape (n_samples, n_latent)
        Latent features ``Z`` of the un-augmented samples (the
        self-expression bank after training; unit-norm rows in closed form).
    contrast_embedding_ : ndarray of shape (n_samples, projection_dim)
        Projections ``h`` of the un-augmented samples (the contrastive
        memory bank after training).
    encoder_, decoder_, projection_head_ : torch.nn.Module
        The trained networks, on CPU in evaluation mode.
    n_iter_ : int
        Stage-2 epochs run (fewer than ``max_epochs`` when ``collapse_tol``
        or ``cut_tol`` stopped it).
    loss_curve_ : list of float
        Total loss of each stage-2 epoch (sum over its batches).
    loss_terms_ : dict of list of float
        Unweighted terms of ``loss_curve_`` per stage-2 epoch:
        ``"objective"`` (``L_rec + contrast_weight * L_sc``), ``"self_expr"``,
        ``"reg"``, ``"coding_rate"``, ``"cluster_rate"`` (see
        ``rate_reduction``) and ``"input_anchor"``, weighted as in
        MiniBatchDSC.
    pretrain_loss_curve_ : list of float
        Loss of equation 10 per stage-1 epoch.
    pretrain_loss_terms_ : dict of list of float
        ``"reconstruction"`` (``L_rec``) and ``"contrast"`` (``L_sc``) per
        stage-1 epoch.
    input_scale_ : float
        ``max |X|``: the networks see ``X / input_scale_``.
    input_row_norm_ : float or None
        With ``input_scaling="rows"``, the norm every row of
        ``X / input_scale_`` is rescaled to (the root-mean-square row norm
        of the training data); ``None`` with ``"max"``.
    start_encoders_ : list of torch.nn.Module
        The trained encoder of every start (``n_starts`` of them, on CPU in
        evaluation mode; the first is ``encoder_``).
    start_embeddings_ : list of ndarray of shape (n_samples, n_latent)
        The final memory bank of every start (the first is ``embedding_``).
    stage_seconds_ : dict
        Wall time of ``"pretrain"``, ``"bank_fill"`` and ``"fine_tune"``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in\\_,)
        Names of features seen during fit, when X has string feature names.

    See Also
    --------
    MiniBatchDSC : The same without augmentation and contrast.
    ContrastiveMiniBatchDSC : Decoder-free, InfoNCE on the self-expressed feature.

    Notes
    -----
    Equation 8 of the paper writes the loss in the instance-classification
    form of Ye et al. (2019): ``-log P(i | x+_i) - sum_{j not in N(i, k)}
    log(1 - P(i | x_j))``, with softmaxes over all N instances, the neighbour
    exclusion applied to the second term only and the neighbours found on
    the encoder features ``z``. This estimator uses the InfoNCE form above,
    with the same positive and the same set of repelled samples, found on
    the projections ``h`` where the contrast acts: it needs one n x N
    similarity per step against the bank, where the second term of
    equation 8 needs the softmax normaliser of every sample (N x N). The
    paper's Figure 1 could also be read as projecting ``(C Z)_i`` in
    stage 2; its section 3.3 (``h_i = G(z_i)``) is followed.

    References
    ----------
    Peng, Z., Liu, H., Jia, Y., Hou, J., "Deep structural contrastive subspace
    clustering", ACML 2021.
    Ji et al., "Deep subspace clustering networks", NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace import StructuralContrastiveDSC
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 2))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(2, 30)).T for b in bases])
    >>> model = StructuralContrastiveDSC(n_clusters=2, pretrain_epochs=5, max_epochs=5,
    ...                                  n_neighbors=5, random_state=0).fit(X)
    >>> model.labels_.shape
    (60,)
    """

    _parameter_constraints: dict = {
        **BaseMiniBatchDSC._parameter_constraints,
        "contrast_weight": [Interval(Real, 0, None, closed="left")],
        "n_neighbors": [Interval(Integral, 0, None, closed="left")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "projection_dim": [Interval(Integral, 1, None, closed="left")],
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
        contrast_weight=0.1,
        n_neighbors=10,
        temperature=0.1,
        projection_dim=64,
        augmentation="auto",
        post_processing=None,
        post_processing_params=None,
        assign_labels="discretize",
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
        self.contrast_weight = contrast_weight
        self.n_neighbors = n_neighbors
        self.temperature = temperature
        self.projection_dim = projection_dim
        self.augmentation = augmentation
        self.post_processing = post_processing
        self.post_processing_params = post_processing_params
        self.assign_labels = assign_labels
        self.n_starts = n_starts
        self.device = device
        self.random_state = random_state
        self.verbose = verbose

    def _check_modules(self, encoder, decoder):
        if decoder is None:
            raise ValueError(
                "StructuralContrastiveDSC reconstructs its input and its augmented view and needs "
                "a decoder, but the encoder specification provides none; pass (encoder, decoder)."
            )

    def _build_head(self, encoder, input_shape, device):
        was_training = encoder.training
        encoder.eval()  # a one-sample probe must not touch batch-norm statistics
        with torch.no_grad():
            n_latent = encoder(torch.zeros(1, *input_shape, device=device)).flatten(1).shape[1]
        encoder.train(was_training)
        return projection_head(n_latent, self.projection_dim)

    def _train(self, X, input_shape, device, seed, parallel=None):
        training = super()._train(X, input_shape, device, seed, parallel=parallel)
        self.projection_head_ = training.head.cpu().eval()
        self.contrast_embedding_ = training.contrast_bank.features.cpu().numpy()
        return training

    def _pretrain(self, training, verbose):
        """Stage 1 (equation 10), after filling the contrastive bank."""
        n_samples = training.n_samples
        if self.n_neighbors > n_samples - 2:
            raise ValueError(
                f"n_neighbors={self.n_neighbors} leaves no negatives: each sample's negatives are "
                f"the other n_samples - 1 = {n_samples - 1} samples minus its n_neighbors nearest; "
                f"use n_neighbors <= n_samples - 2 = {n_samples - 2}."
            )
        training.augment = get_augmentation(self.augmentation, tuple(training.X.shape[1:]))
        with torch.no_grad():
            h = torch.cat([training.head(part) for part in
                           torch.split(training.encode_all(), training.batch_size)])
        training.contrast_bank = MemoryBank(*h.shape).to(h.device)
        training.contrast_bank.update(torch.arange(n_samples, device=h.device), h)
        self.pretrain_loss_curve_ = []
        self.pretrain_loss_terms_ = {"reconstruction": [], "contrast": []}
        progress = _ProgressBar(self.pretrain_epochs, "pre-train", verbose)
        for epoch in range(self.pretrain_epochs):
            totals = dict.fromkeys(("loss", "reconstruction", "contrast"), 0.0)
            for idx in training.batches(training.pretrain_batch_size):
                x = training.X[idx]
                latent = training.encoder(x)
                rec, contrast = self._siamese_terms(training, idx, x, latent, latent, True)
                loss = rec + self.contrast_weight * contrast
                training.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                training.optimizer.step()
                for name, value in (("loss", loss), ("reconstruction", rec), ("contrast", contrast)):
                    totals[name] += float(value.detach())
            if not math.isfinite(totals["loss"]):
                raise FloatingPointError(
                    "The pre-training loss became non-finite; lower pretrain_learning_rate."
                )
            self.pretrain_loss_curve_.append(totals["loss"])
            for name in self.pretrain_loss_terms_:
                self.pretrain_loss_terms_[name].append(totals[name])
            progress.update(epoch + 1, totals)

    def _siamese_terms(self, training, idx, x, latent, decoder_input, train_network):
        """``L_rec`` and ``L_sc`` of batch ``idx``; writes the batch's ``h`` into the bank.

        ``decoder_input`` is what the decoder reconstructs ``x`` from:
        ``latent`` in stage 1, ``(C Z)_idx`` in stage 2.
        """
        x_plus = augmented_view(training.augment, x)
        with torch.set_grad_enabled(train_network):
            latent_plus = training.encoder(x_plus)
            h_plus = training.head(latent_plus)
            h = training.head(latent)
        rec = 0.25 * (reconstruction_loss(training.decoder(decoder_input), x)
                      + reconstruction_loss(training.decoder(latent_plus), x_plus))
        negatives = training.contrast_bank.features.index_copy(0, idx, h)
        contrast = structural_info_nce(h, h_plus, negatives, self.temperature, own=idx,
                                       n_neighbors=self.n_neighbors)
        training.contrast_bank.update(idx, h, training.step)
        return rec, contrast

    def _representation_loss(self, training, idx, x, latent, z_hat, train_network):
        rec, contrast = self._siamese_terms(training, idx, x, latent, z_hat.reshape(latent.shape),
                                            train_network)
        return rec + self.contrast_weight * contrast

"""The four scikit-learn estimators: SSC, EnSC, SSC-OMP and LSR, on one base class."""

import math
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import torch
from scipy import sparse
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from .._device import resolve_device
from ..affinity import affinity_from_coefficients, spectral_labels
from ._common import _gram, _rows
from ._elastic_net import _elastic_net, _smallest_max_coherence
from ._least_squares import _least_squares, _top_k_rows
from ._omp import _omp


class _BaseSelfExpressiveClustering(ClusterMixin, BaseEstimator, metaclass=ABCMeta):
    """Validation, coefficients -> affinity -> spectral labels; subclasses give the coefficients."""

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "post_processing": [None, StrOptions({"normalize_rows", "dsc"})],
        "post_processing_params": [None, dict],
        "assign_labels": [StrOptions({"kmeans", "discretize"})],
        "normalize_input": ["boolean"],
        "random_state": ["random_state"],
    }

    @abstractmethod
    def __init__(self, n_clusters=8, *, post_processing=None, post_processing_params=None,
                 assign_labels="kmeans", normalize_input=True, random_state=None):
        self.n_clusters = n_clusters
        self.post_processing = post_processing
        self.post_processing_params = post_processing_params
        self.assign_labels = assign_labels
        self.normalize_input = normalize_input
        self.random_state = random_state

    # whether _representation needs the torch Gram matrix X X^T (else it gets None)
    _uses_gram = True

    @abstractmethod
    def _representation(self, X, gram):
        """CSR (or dense) coefficients of the rows ``X`` (float64) with torch Gram ``gram``."""

    def _device(self):
        return torch.device("cpu")

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the self-expressive coefficients and cluster ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. Sparse matrices are not supported.
        y : Ignored
            Not used, present for API consistency by convention.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n_samples = X.shape[0]
        if self.n_clusters > n_samples:
            raise ValueError(
                f"n_clusters={self.n_clusters} must be <= n_samples={n_samples}."
            )
        random_state = check_random_state(self.random_state)
        X = _rows(X, self.normalize_input)
        device = self._device()
        coef = self._representation(X, _gram(X, device) if self._uses_gram else None)
        self.coef_ = coef
        self.affinity_matrix_ = affinity_from_coefficients(
            coef,
            post_processing=self.post_processing,
            n_clusters=self.n_clusters,
            params=self.post_processing_params,
        )
        self.labels_ = spectral_labels(self.affinity_matrix_, self.n_clusters,
                                       assign_labels=self.assign_labels,
                                       random_state=random_state)
        return self

    @property
    def representation_matrix_(self):
        """Deprecated read-only alias of ``coef_``, removed in 0.2."""
        coef = self.coef_  # AttributeError, without a warning, when not fitted
        warnings.warn(
            "representation_matrix_ is deprecated in 0.1 and will be removed in 0.2; "
            "use coef_ instead.", FutureWarning, stacklevel=2,
        )
        return coef


class ElasticNetSubspaceClustering(_BaseSelfExpressiveClustering):
    """Elastic net subspace clustering (EnSC).

    The rows of ``X`` are first scaled to unit l2 norm (unless
    ``normalize_input=False``). Then every sample ``x_j`` is expressed by the
    others through::

        min_c  tau * ||c||_1 + (1 - tau) / 2 * ||c||_2^2 + gamma_j / 2 * ||x_j - sum_i c_i x_i||_2^2
        s.t.   c_j = 0,

    solved exactly for all the samples (see ``algorithm``). ``gamma_j`` is
    ``gamma`` as given, or with ``gamma_relative=True``
    ``gamma * tau / max_{i != j} |x_i^T x_j|`` (the convention of You et al.'s
    public code, where ``gamma=1`` is the largest value giving ``c = 0``).
    The coefficients give the affinity
    ``|C| + |C|^T`` (or the DSC affinity) and spectral clustering the labels.
    For a sample ``j``, ``c = 0`` is the solution whenever
    ``gamma * max_i |x_i^T x_j| <= tau``.

    Read more in You, Li, Robinson and Vidal, "Oracle Based Active Set Algorithm
    for Scalable Elastic Net Subspace Clustering", CVPR 2016.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    gamma : float, default=50.0
        Weight of the data term. Larger values give denser, more exact
        representations; ``tau / max_i |x_i^T x_j|`` is the value below which
        sample ``j`` gets no coefficient at all.
    gamma_relative : bool, default=False
        Scale ``gamma`` per sample by ``tau / max_{i != j} |x_i^T x_j|``, so
        that it is relative to the largest value at which sample ``j`` has no
        coefficient (``gamma > 1`` is then needed; You et al.'s ``gamma_nz``).
    tau : float, default=1.0
        Balance between the l1 and the squared l2 penalties, in ``(0, 1]``;
        ``tau=1`` is sparse subspace clustering (basis pursuit with noise).
    algorithm : {"lasso_lars", "lasso_cd"}, default="lasso_lars"
        ``"lasso_lars"``: exact LARS-lasso homotopy of the problem above, batched
        over the samples with torch (on ``device``). It follows the piecewise
        linear solution path from ``c = 0`` down to the requested penalty, one
        point entering or leaving the support per step, so zeros are exact and
        the cost grows with the number of non-zeros.
        ``"lasso_cd"``: scikit-learn's :class:`~sklearn.linear_model.ElasticNet`
        (coordinate descent on a precomputed Gram matrix) per sample, with
        ``alpha = 1 / (gamma * n_features)`` and ``l1_ratio = tau``; slower,
        kept as a reference.
    active_support : bool, default=True
        Solve every sample's problem on an oracle-guided active set: start from
        its 100 most coherent points, solve, add the points that violate the
        optimality condition ``gamma * |x_i^T (x_j - sum_k c_k x_k)| <= tau``
        (the most violating first, keeping the support), and repeat until there
        is none. The result is the solution over all the points; ``False``
        solves directly over all of them (slower, same result).
    max_iter : int, default=1000
        Per sample, the maximum number of path steps (``"lasso_lars"``) or of
        coordinate-descent epochs per active-set round (``"lasso_cd"``).
    tol : float, default=1e-6
        Relative optimality tolerance: a point outside the support is a
        violator when ``gamma * |x_i^T (x_j - sum_k c_k x_k)| > tau * (1 + tol)``.
        Also the tolerance of coordinate descent for ``"lasso_cd"``.
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        Affinity built from the coefficients: ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm (the affinity of the public EnSC/SSC code), ``"dsc"`` the
        thresholded low-rank affinity of DSC-Net. Its default threshold
        (0.2 of each column's l1 mass) was set for dense deep
        coefficients; on these sparse ones it keeps about one entry per
        column and breaks the graph, so pass ``{"threshold": 1.0}``.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"kmeans", "discretize"}, default="kmeans"
        Label assignment of the spectral step: ``"kmeans"`` clusters the
        row-normalised eigenvectors of the normalised affinity with k-means
        (as the public EnSC/SSC code), ``"discretize"`` is scikit-learn's
        discretisation (as DSC-Net's code); see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients (the public EnSC code of You et al. works on the raw
        rows).
    n_jobs : int, default=None
        Parallel jobs over batches of samples: threads for ``"lasso_lars"`` on
        CPU (torch then runs single-threaded inside each job), processes for
        ``"lasso_cd"``. ``None`` means 1 unless in a
        :obj:`joblib.parallel_backend` context; ``-1`` uses all processors.
    device : str, default="cpu"
        Torch device of the ``"lasso_lars"`` solver: ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"auto"`` (a GPU when available). Computations are in
        float64 in every case.
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Self-expressive coefficients: row ``j`` expresses sample ``j``,
        ``x_j ~ sum_i C[j, i] x_i`` (on the unit-norm rows), ``C[j, j] = 0``.
        Only non-zero coefficients are stored.
    affinity_matrix_ : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        ``|C| + |C|^T`` (sparse) or, with ``post_processing="dsc"``, the dense
        DSC affinity; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.
    n_iter_ : int
        Largest number of solver iterations over the samples (path steps, or
        coordinate-descent epochs summed over the active-set rounds).

    See Also
    --------
    SparseSubspaceClustering : The ``tau = 1`` case with SSC's ``alpha / mu`` scaling.
    OrthogonalMatchingPursuitSubspaceClustering : Greedy sparse coefficients.

    Notes
    -----
    Dividing the objective by ``gamma``, only the Gram matrix ``G = X X^T``
    of the unit-norm rows is needed: ``lam ||c||_1 + 1/2 c^T (G + rho I) c -
    G[j] c`` with ``lam = tau / gamma`` and ``rho = (1 - tau) / gamma``. It is
    held in memory (``8 * n_samples**2`` bytes).

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import ElasticNetSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = ElasticNetSubspaceClustering(n_clusters=2, gamma=50, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    >>> model.coef_.shape
    (60, 60)
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "gamma": [Interval(Real, 0, None, closed="neither")],
        "gamma_relative": ["boolean"],
        "tau": [Interval(Real, 0, 1, closed="right")],
        "algorithm": [StrOptions({"lasso_lars", "lasso_cd"})],
        "active_support": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "device": [str],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        gamma=50.0,
        gamma_relative=False,
        tau=1.0,
        algorithm="lasso_lars",
        active_support=True,
        max_iter=1000,
        tol=1e-6,
        post_processing=None,
        post_processing_params=None,
        assign_labels="kmeans",
        normalize_input=True,
        n_jobs=None,
        device="cpu",
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.gamma = gamma
        self.gamma_relative = gamma_relative
        self.tau = tau
        self.algorithm = algorithm
        self.active_support = active_support
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.device = device

    def _device(self):
        return resolve_device(self.device) if self.algorithm == "lasso_lars" else torch.device("cpu")

    def _representation(self, X, gram):
        coef, self.n_iter_ = _elastic_net(
            X, gram, self.gamma, self.tau, algorithm=self.algorithm,
            active_support=self.active_support, max_iter=self.max_iter, tol=self.tol,
            n_jobs=self.n_jobs, gamma_relative=self.gamma_relative,
        )
        return coef


class SparseSubspaceClustering(_BaseSelfExpressiveClustering):
    """Sparse subspace clustering (SSC) with noisy data (lasso form).

    The rows of ``X`` are first scaled to unit l2 norm. Then every sample
    ``x_j`` is expressed by the others through::

        min_c  ||c||_1 + lambda / 2 * ||x_j - sum_i c_i x_i||_2^2    s.t.  c_j = 0,
        lambda = alpha / mu,   mu = min_k max_{i != k} |x_i^T x_k|,

    the "alpha / mu" scaling of Elhamifar and Vidal (TPAMI 2013): ``lambda =
    mu^-1`` is the smallest data weight for which every sample gets a non-zero
    representation, so ``alpha > 1`` is the factor above it (``mu`` is taken
    over the samples that are not orthogonal to all the others). This is
    :class:`ElasticNetSubspaceClustering` with ``tau=1`` and
    ``gamma=alpha / mu``, solved by the same exact solver. The affinity is
    ``|C| + |C|^T`` (or the DSC affinity) and spectral clustering gives the
    labels.

    Read more in Elhamifar and Vidal, "Sparse Subspace Clustering: Algorithm,
    Theory, and Applications", TPAMI 2013.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    alpha : float, default=20.0
        Data-fidelity factor, ``lambda = alpha / mu``; 20 is the value of the
        reference SSC implementation and of its face-clustering experiments.
        ``alpha <= 1`` leaves some samples without coefficients.
    algorithm : {"lasso_lars", "lasso_cd"}, default="lasso_lars"
        Solver, see :class:`ElasticNetSubspaceClustering`.
    max_iter : int, default=1000
        Maximum number of path steps (or coordinate-descent epochs) per sample.
    tol : float, default=1e-6
        Relative optimality tolerance, see :class:`ElasticNetSubspaceClustering`.
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        Affinity built from the coefficients: ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm (the affinity of the public EnSC/SSC code), ``"dsc"`` the
        thresholded low-rank affinity of DSC-Net. Its default threshold
        (0.2 of each column's l1 mass) was set for dense deep
        coefficients; on these sparse ones it keeps about one entry per
        column and breaks the graph, so pass ``{"threshold": 1.0}``.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"kmeans", "discretize"}, default="kmeans"
        Label assignment of the spectral step: ``"kmeans"`` clusters the
        row-normalised eigenvectors of the normalised affinity with k-means
        (as the public EnSC/SSC code), ``"discretize"`` is scikit-learn's
        discretisation (as DSC-Net's code); see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients (the public EnSC code of You et al. works on the raw
        rows).
    n_jobs : int, default=None
        Parallel jobs over batches of samples, see
        :class:`ElasticNetSubspaceClustering`.
    device : str, default="cpu"
        Torch device of the ``"lasso_lars"`` solver: ``"cpu"``, ``"cuda"``,
        ``"cuda:N"`` or ``"auto"``.
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Self-expressive coefficients: row ``j`` expresses sample ``j``,
        ``x_j ~ sum_i C[j, i] x_i`` (on the unit-norm rows), ``C[j, j] = 0``.
        Only non-zero coefficients are stored.
    affinity_matrix_ : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        ``|C| + |C|^T`` (sparse) or, with ``post_processing="dsc"``, the dense
        DSC affinity; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.
    gamma_ : float
        The data weight used, ``alpha / mu``.
    n_iter_ : int
        Largest number of solver iterations over the samples (path steps, or
        coordinate-descent epochs summed over the active-set rounds).

    See Also
    --------
    ElasticNetSubspaceClustering : Elastic-net penalty, absolute ``gamma``.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import SparseSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = SparseSubspaceClustering(n_clusters=2, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "algorithm": [StrOptions({"lasso_lars", "lasso_cd"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "device": [str],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        alpha=20.0,
        algorithm="lasso_lars",
        max_iter=1000,
        tol=1e-6,
        post_processing=None,
        post_processing_params=None,
        assign_labels="kmeans",
        normalize_input=True,
        n_jobs=None,
        device="cpu",
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.alpha = alpha
        self.algorithm = algorithm
        self.max_iter = max_iter
        self.tol = tol
        self.n_jobs = n_jobs
        self.device = device

    def _device(self):
        return resolve_device(self.device) if self.algorithm == "lasso_lars" else torch.device("cpu")

    def _representation(self, X, gram):
        mu = _smallest_max_coherence(gram)
        if mu == 0.0:  # every sample is orthogonal to all the others
            self.gamma_, self.n_iter_ = math.inf, 0
            return sparse.csr_matrix((X.shape[0], X.shape[0]), dtype=np.float64)
        self.gamma_ = self.alpha / mu
        coef, self.n_iter_ = _elastic_net(
            X, gram, self.gamma_, 1.0, algorithm=self.algorithm, active_support=True,
            max_iter=self.max_iter, tol=self.tol, n_jobs=self.n_jobs,
        )
        return coef


class OrthogonalMatchingPursuitSubspaceClustering(_BaseSelfExpressiveClustering):
    """Sparse subspace clustering by orthogonal matching pursuit (SSC-OMP).

    The rows of ``X`` are first scaled to unit l2 norm. For every sample
    ``x_j``, up to ``n_nonzero`` other samples are selected greedily (each time
    the one most correlated with the current residual) and ``x_j`` is fitted by
    least squares on the selection; the selection stops early once the squared
    residual ``||x_j - sum_i c_i x_i||^2`` is at most ``tol``. The affinity is
    ``|C| + |C|^T`` (or the DSC affinity) and spectral clustering gives the
    labels.

    Read more in You, Robinson and Vidal, "Scalable Sparse Subspace Clustering
    by Orthogonal Matching Pursuit", CVPR 2016.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    n_nonzero : int, default=10
        Maximum number of non-zero coefficients per sample (capped at
        ``n_samples - 1``).
    tol : float, default=1e-6
        Squared residual at which the selection stops.
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        Affinity built from the coefficients: ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm (the affinity of the public EnSC/SSC code), ``"dsc"`` the
        thresholded low-rank affinity of DSC-Net. Its default threshold
        (0.2 of each column's l1 mass) was set for dense deep
        coefficients; on these sparse ones it keeps about one entry per
        column and breaks the graph, so pass ``{"threshold": 1.0}``.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"kmeans", "discretize"}, default="kmeans"
        Label assignment of the spectral step: ``"kmeans"`` clusters the
        row-normalised eigenvectors of the normalised affinity with k-means
        (as the public EnSC/SSC code), ``"discretize"`` is scikit-learn's
        discretisation (as DSC-Net's code); see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients (the public EnSC code of You et al. works on the raw
        rows).
    device : str, default="cpu"
        Torch device: ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``.
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        Self-expressive coefficients: row ``j`` expresses sample ``j``,
        ``x_j ~ sum_i C[j, i] x_i`` (on the unit-norm rows), ``C[j, j] = 0``.
        Only non-zero coefficients are stored.
    affinity_matrix_ : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        ``|C| + |C|^T`` (sparse) or, with ``post_processing="dsc"``, the dense
        DSC affinity; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    SparseSubspaceClustering : Convex (l1) sparse coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import OrthogonalMatchingPursuitSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = OrthogonalMatchingPursuitSubspaceClustering(n_clusters=2, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "n_nonzero": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "device": [str],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        n_nonzero=10,
        tol=1e-6,
        post_processing=None,
        post_processing_params=None,
        assign_labels="kmeans",
        normalize_input=True,
        device="cpu",
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.n_nonzero = n_nonzero
        self.tol = tol
        self.device = device

    def _device(self):
        return resolve_device(self.device)

    def _representation(self, X, gram):
        return _omp(gram, self.n_nonzero, self.tol)



class LeastSquaresSubspaceClustering(_BaseSelfExpressiveClustering):
    """Least squares regression subspace clustering (LSR).

    The rows of ``X`` are first scaled to unit l2 norm (unless
    ``normalize_input=False``). Then every sample ``x_i`` is expressed by the
    others through the ridge problem::

        min_c  ||x_i - sum_{j != i} c_j x_j||_2^2 + lam ||c||_2^2,    c_i = 0,

    solved in closed form (a dense ``C``). The affinity is by default DSC-Net's
    post-processing of ``C`` and spectral clustering gives the labels.

    Read more in Lu, Min, Zhao, Zhu, Huang and Yan, "Robust and Efficient
    Subspace Segmentation via Least Squares Regression", ECCV 2012; it is also
    the dense model of Ji, Salzmann and Li, "Efficient Dense Subspace
    Clustering", WACV 2014.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    lam : float, default=0.1
        Ridge weight, ``> 0``: larger values give smaller, more spread
        coefficients; see the Notes for the default.
    post_processing : {None, "normalize_rows", "dsc"}, default="dsc"
        Affinity built from the coefficients: ``"dsc"`` the thresholded
        low-rank affinity of DSC-Net, ``None`` gives ``|C| + |C|^T``,
        ``"normalize_rows"`` the same after scaling every row of C to unit
        l2 norm; see :func:`deepsubspace.affinity.affinity_from_coefficients`.
    post_processing_params : dict, default=None
        Overrides of :data:`deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`
        for ``post_processing="dsc"``.
    assign_labels : {"discretize", "kmeans"}, default="discretize"
        Label assignment of the spectral step: scikit-learn's discretisation
        (as DSC-Net's code) or k-means on the row-normalised eigenvectors; see
        :func:`deepsubspace.affinity.spectral_labels`.
    normalize_input : bool, default=True
        Scale the rows of ``X`` to unit l2 norm before computing the
        coefficients.
    n_nonzero : int, default=None
        Keep only the ``n_nonzero`` entries of largest magnitude of every row
        of C (``coef_`` is then CSR), as the deep estimators'
        ``coefficients="sparse"`` does; ``None`` keeps C dense. A sparse C
        goes with ``post_processing=None`` (the presets' rule for the objects
        family: ``n_nonzero=3``).
    random_state : int, RandomState instance or None, default=None
        Seed of the spectral clustering step; the coefficients are
        deterministic.

    Attributes
    ----------
    coef_ : ndarray or sparse matrix of shape (n_samples, n_samples)
        Self-expressive coefficients: row ``i`` expresses sample ``i``,
        ``x_i ~ sum_j C[i, j] x_j`` (on the unit-norm rows), ``C[i, i] = 0``;
        dense, or CSR with ``n_nonzero`` entries per row (exact zeros dropped).
    affinity_matrix_ : ndarray or sparse matrix of shape (n_samples, n_samples)
        The affinity given to the spectral step (CSR for a sparse C without
        post-processing).
    labels_ : ndarray of shape (n_samples,)
        Cluster labels ``0 .. n_clusters - 1`` from spectral clustering.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    See Also
    --------
    least_squares_representation : The coefficients alone.
    ElasticNetSubspaceClustering : Sparse (elastic-net) coefficients.
    SparseSubspaceClustering : Sparse (l1) coefficients.

    Notes
    -----
    With ``Z`` the unit-norm rows and ``M = (Z^T Z + lam I)^-1``, the solution
    is ``C[i, j] = z_i M z_j^T / (1 - z_i M z_i^T)`` for ``j != i``; when
    ``n_samples <= n_features`` the equal form ``C = I - diag(P)^-1 P``, ``P =
    (Z Z^T + lam I)^-1``, is used instead. Either way one Cholesky
    factorisation of the smaller Gram system is computed, in float64, and
    ``C`` (``8 * n_samples**2`` bytes) is held in memory.

    ``C`` is dense, so, as for the deep estimators of the package, the default
    affinity is the DSC post-processing with the package's one setting
    (:data:`~deepsubspace.affinity.DSC_POST_PROCESSING_DEFAULTS`) and the
    labels come from the discretize assignment (DSC-Net's spectral step); the
    sparse-``C`` estimators (SSC, EnSC, SSC-OMP) keep ``|C| + |C|^T`` and
    k-means.

    The default ``lam=0.1`` is a scale argument, not a tuned value: on
    unit-norm rows every diagonal entry of the Gram matrix is 1, so ``lam``
    is a tenth of one sample's energy. It was fixed before, and not chosen
    from, any clustering accuracy. With ``normalize_input=False`` it is
    relative to the squared norms of the rows.

    Examples
    --------
    >>> import numpy as np
    >>> from deepsubspace.baselines import LeastSquaresSubspaceClustering
    >>> rng = np.random.RandomState(0)
    >>> bases = [np.linalg.qr(rng.randn(10, 3))[0] for _ in range(2)]
    >>> X = np.vstack([(b @ rng.randn(3, 30)).T for b in bases])  # two 3-dim subspaces of R^10
    >>> model = LeastSquaresSubspaceClustering(n_clusters=2, random_state=0).fit(X)
    >>> np.unique(model.labels_[:30]).size, np.unique(model.labels_[30:]).size
    (1, 1)
    >>> type(model.coef_).__name__, model.coef_.shape
    ('ndarray', (60, 60))
    """

    _parameter_constraints: dict = {
        **_BaseSelfExpressiveClustering._parameter_constraints,
        "lam": [Interval(Real, 0, None, closed="neither")],
        "n_nonzero": [Interval(Integral, 1, None, closed="left"), None],
    }

    _uses_gram = False

    def __init__(
        self,
        n_clusters=8,
        *,
        lam=0.1,
        post_processing="dsc",
        post_processing_params=None,
        assign_labels="discretize",
        normalize_input=True,
        n_nonzero=None,
        random_state=None,
    ):
        super().__init__(
            n_clusters,
            post_processing=post_processing,
            post_processing_params=post_processing_params,
            assign_labels=assign_labels,
            normalize_input=normalize_input,
            random_state=random_state,
        )
        self.lam = lam
        self.n_nonzero = n_nonzero

    def _representation(self, X, gram):
        coef = _least_squares(X, float(self.lam))
        if self.n_nonzero is None:
            return coef
        return _top_k_rows(coef, self.n_nonzero)

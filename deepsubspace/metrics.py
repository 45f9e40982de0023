"""Clustering and subspace-preservation metrics.

- :func:`clustering_accuracy`: accuracy under the best one-to-one matching of
  cluster labels to classes (Hungarian algorithm).
- :func:`normalized_mutual_info_score`, :func:`adjusted_rand_score`: re-exported
  from scikit-learn.
- :func:`subspace_preserving_error`: SRE of a self-expressive coefficient matrix.
- :func:`effective_rank`: label-free check of a feature matrix for collapse.
- :func:`fit_predict_scorer`: a scorer for model selection of clusterers that
  have ``fit_predict`` but no ``predict``.
"""

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix
from sklearn.utils import check_array

__all__ = [
    "adjusted_rand_score",
    "clustering_accuracy",
    "effective_rank",
    "fit_predict_scorer",
    "normalized_mutual_info_score",
    "subspace_preserving_error",
]


def _check_labels(labels_true, labels_pred):
    labels_true = np.asarray(labels_true)
    labels_pred = np.asarray(labels_pred)
    for name, labels in (("labels_true", labels_true), ("labels_pred", labels_pred)):
        if labels.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional, got shape {labels.shape}.")
    if len(labels_true) != len(labels_pred):
        raise ValueError(
            "labels_true and labels_pred must have the same length, got "
            f"{len(labels_true)} and {len(labels_pred)}."
        )
    if len(labels_true) == 0:
        raise ValueError("labels_true and labels_pred are empty.")
    return labels_true, labels_pred


def clustering_accuracy(labels_true, labels_pred):
    """Clustering accuracy under the best one-to-one matching of labels.

    Each predicted cluster is matched to at most one class (and vice versa) so as
    to maximise the number of correctly assigned samples; the matching is found
    with the Hungarian algorithm on the contingency matrix. When the numbers of
    clusters and classes differ, the samples of unmatched clusters count as
    errors.

    Parameters
    ----------
    labels_true : array-like of shape (n_samples,)
        Ground-truth class labels (any hashable values).
    labels_pred : array-like of shape (n_samples,)
        Cluster labels to evaluate (any hashable values).

    Returns
    -------
    accuracy : float
        Fraction of correctly assigned samples, in ``(0, 1]``. It is invariant
        under renaming of either labelling and symmetric in its two arguments.

    Raises
    ------
    ValueError
        If the labellings are not 1-d, have different lengths, or are empty.

    Examples
    --------
    >>> clustering_accuracy([0, 0, 1, 1], [1, 1, 0, 0])
    1.0
    >>> clustering_accuracy([0, 0, 1, 1, 2], [5, 5, 5, 7, 7])
    0.6
    """
    labels_true, labels_pred = _check_labels(labels_true, labels_pred)
    counts = contingency_matrix(labels_true, labels_pred)
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / len(labels_true))


def effective_rank(features):
    """Effective rank of the centred features (Roy and Vetterli, 2007).

    ``exp(H(p))`` with ``p_k = s_k^2 / sum(s^2)`` the share of variance of
    singular value ``s_k`` and ``H`` the Shannon entropy: ``r`` for ``r``
    equal non-zero singular values, close to 1 when one direction carries
    almost all the variance. It needs no label, so it can tell whether
    fine-tuning collapsed the latent features (``embedding_``) of a deep
    subspace clustering model.

    Parameters
    ----------
    features : array-like of shape (n_samples, n_features)

    Returns
    -------
    rank : float
        Between 1 and ``min(n_samples - 1, n_features)``; 0.0 when all rows are equal.
    """
    features = check_array(features, dtype=np.float64, ensure_min_samples=2)
    singular = np.linalg.svd(features - features.mean(axis=0), compute_uv=False)
    variance = singular**2
    if variance.sum() <= 0:
        return 0.0
    share = variance[variance > 0] / variance.sum()
    return float(np.exp(-np.sum(share * np.log(share))))


def subspace_preserving_error(coef, labels):
    """Subspace-preserving (subspace recovery) error SRE of a coefficient matrix.

    SRE is the proportion of the l1 mass of the self-expressive coefficients
    that falls on points of other subspaces (Zhang, You, Vidal, Li, SENet,
    CVPR 2021, Sec. 4, following You et al., SSC-OMP, CVPR 2016), computed per
    sample and averaged:

    ``SRE = mean_i  sum_{j : labels[j] != labels[i]} |C[i, j]| / sum_j |C[i, j]|``

    The convention is that row ``i`` of ``C`` expresses sample ``i``:
    ``z_i ~ sum_j C[i, j] z_j``. For a matrix in the column convention of the
    papers (``x_j = sum_i c_ij x_i``) pass ``coef.T``.

    Parameters
    ----------
    coef : {array-like, sparse matrix} of shape (n_samples, n_samples)
        Self-expressive coefficients, dense or scipy sparse.
    labels : array-like of shape (n_samples,)
        Ground-truth subspace (class) of each sample.

    Returns
    -------
    sre : float
        A fraction in ``[0, 1]`` (0: subspace-preserving). The papers report it
        in percent: multiply by 100 to compare. A row with no mass (all zero)
        is subspace-preserving and counts as 0.

    Raises
    ------
    ValueError
        If ``coef`` is not square, contains non-finite values, or its size does
        not match ``labels``.
    """
    coef = check_array(coef, accept_sparse=["csr", "csc", "coo"], dtype=np.float64)
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-dimensional, got shape {labels.shape}.")
    n = coef.shape[0]
    if coef.shape != (n, n) or len(labels) != n:
        raise ValueError(
            f"coef must be square with one row per label, got coef of shape {coef.shape} "
            f"and {len(labels)} labels."
        )
    _, codes = np.unique(labels, return_inverse=True)
    codes = codes.ravel()
    membership = sparse.csr_matrix(
        (np.ones(n), (np.arange(n), codes)), shape=(n, codes.max() + 1)
    )
    magnitude = abs(coef).tocsr() if sparse.issparse(coef) else np.abs(coef)
    # mass_per_class[i, k] = sum of |C[i, j]| over the samples j of class k
    mass_per_class = magnitude @ membership
    if sparse.issparse(mass_per_class):
        mass_per_class = mass_per_class.toarray()
    mass_per_class = np.asarray(mass_per_class)
    total = mass_per_class.sum(axis=1)
    same = mass_per_class[np.arange(n), codes]
    wrong = np.clip(total - same, 0.0, None)
    errors = np.divide(wrong, total, out=np.zeros(n), where=total > 0)
    return float(errors.mean())


class _FitPredictScorer:
    """Scorer ``score_func(y, estimator.fit_predict(X), **kwargs)``."""

    def __init__(self, score_func, kwargs):
        self.score_func = score_func
        self.kwargs = kwargs

    def __call__(self, estimator, X, y):
        if y is None:
            raise ValueError("fit_predict_scorer needs the ground-truth labels y.")
        return self.score_func(y, estimator.fit_predict(X), **self.kwargs)

    def __repr__(self):
        name = getattr(self.score_func, "__name__", repr(self.score_func))
        return f"fit_predict_scorer({name})"


def fit_predict_scorer(score_func, **kwargs):
    """Make a scorer for clusterers that can only ``fit_predict``.

    Parameters
    ----------
    score_func : callable
        ``score_func(labels_true, labels_pred, **kwargs) -> float``, higher is
        better (e.g. :func:`clustering_accuracy`,
        :func:`normalized_mutual_info_score`, :func:`adjusted_rand_score`).
    **kwargs
        Extra keyword arguments passed to ``score_func``.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)`` returning
        ``score_func(y, estimator.fit_predict(X), **kwargs)``, usable as
        ``scoring=`` in :class:`~sklearn.model_selection.GridSearchCV`.

    Notes
    -----
    Transductive clusterers have no ``predict``, so the scorer *refits* each
    candidate on the fold it scores (the fit on the training fold done by the
    search is not used). To score each candidate on the whole data set, give
    the search a single split whose training and test parts are all samples,
    e.g. ``cv=[(np.arange(n), np.arange(n))]``, and consider ``refit=False`` to
    avoid one more fit of the best candidate.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.cluster import KMeans
    >>> from sklearn.model_selection import GridSearchCV
    >>> X = np.r_[np.zeros((5, 2)), np.ones((5, 2))] + 0.01 * np.arange(10)[:, None]
    >>> y = np.r_[np.zeros(5), np.ones(5)]
    >>> all_idx = np.arange(len(X))
    >>> search = GridSearchCV(KMeans(n_init=1, random_state=0), {"n_clusters": [2, 3]},
    ...                       scoring=fit_predict_scorer(clustering_accuracy),
    ...                       cv=[(all_idx, all_idx)], refit=False).fit(X, y)
    >>> search.best_params_
    {'n_clusters': 2}
    """
    if not callable(score_func):
        raise TypeError(f"score_func must be callable, got {score_func!r}.")
    return _FitPredictScorer(score_func, kwargs)

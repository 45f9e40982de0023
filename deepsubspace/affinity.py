"""From self-expressive coefficients to an affinity matrix and cluster labels.

One implementation serves every estimator of the package (deep and classical):
``coefficients -> affinity_from_coefficients -> spectral_labels``.
"""

import numpy as np
from scipy import sparse
from scipy.linalg import eigh
from scipy.sparse.linalg import eigsh, svds
from sklearn.cluster import KMeans, SpectralClustering
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state

#: Parameters of the DSC post-processing, fixed once for every dataset (see docs).
DSC_POST_PROCESSING_DEFAULTS = {"threshold": 0.2, "subspace_dim": 4, "power": 2.0}


def _dense(coef):
    if sparse.issparse(coef):
        return coef.toarray().astype(np.float64)
    return np.asarray(coef, dtype=np.float64)


def threshold_columns(coef, threshold):
    """Keep, in each column, the largest entries holding ``threshold`` of its l1 mass.

    Entries are sorted by absolute value; the smallest prefix whose cumulative
    absolute sum exceeds ``threshold`` times the column's l1 norm is kept and
    everything else is set to zero. ``threshold >= 1`` keeps ``coef`` unchanged.
    """
    coef = np.asarray(coef, dtype=np.float64)
    if threshold >= 1:
        return coef.copy()
    magnitude = np.abs(coef)
    order = np.argsort(-magnitude, axis=0, kind="stable")
    sorted_mag = np.take_along_axis(magnitude, order, axis=0)
    cumulative = np.cumsum(sorted_mag, axis=0)
    limit = threshold * cumulative[-1]
    # number of kept entries = first position where the cumulative mass exceeds the limit, + 1
    n_keep = np.argmax(cumulative > limit, axis=0) + 1
    keep_sorted = np.arange(coef.shape[0])[:, None] < n_keep[None, :]
    keep = np.zeros_like(keep_sorted)
    np.put_along_axis(keep, order, keep_sorted, axis=0)
    return np.where(keep, coef, 0.0)


def dsc_post_processing(coef, n_clusters, *, threshold=0.2, subspace_dim=4, power=2.0):
    """Affinity of DSC-Net's public code: threshold, low-rank SVD, power, normalise.

    Parameters
    ----------
    coef : ndarray of shape (n_samples, n_samples)
        Self-expressive coefficients (row ``i`` expresses sample ``i``).
    n_clusters : int
        Number of clusters K; the SVD keeps rank ``subspace_dim * K + 1``.
    threshold : float, default=0.2
        Fraction of each column's l1 mass kept by :func:`threshold_columns`.
    subspace_dim : int, default=4
        Assumed dimension d of each subspace.
    power : float, default=2.0
        Exponent applied to the cosine similarities of the scaled singular vectors.

    Returns
    -------
    affinity : ndarray of shape (n_samples, n_samples)
        Symmetric, non-negative, maximum entry 1.
    """
    coef = threshold_columns(_dense(coef), threshold)
    n_samples = coef.shape[0]
    sym = 0.5 * (coef + coef.T)
    rank = min(subspace_dim * n_clusters + 1, n_samples - 1)
    if rank < 1:
        return np.abs(sym)
    u, s, _ = svds(sym, k=rank, v0=np.ones(n_samples))
    u = u * np.sqrt(s)[None, :]
    u = normalize(u, norm="l2", axis=1)
    similarity = u @ u.T
    similarity = np.clip(similarity, 0.0, None) ** power
    peak = similarity.max()
    if peak > 0:
        similarity /= peak
    return 0.5 * (similarity + similarity.T)


def affinity_from_coefficients(coef, *, post_processing=None, n_clusters=None, params=None):
    """Build a symmetric non-negative affinity from a coefficient matrix.

    Parameters
    ----------
    coef : ndarray or sparse matrix of shape (n_samples, n_samples)
        Self-expressive coefficients.
    post_processing : {None, "normalize_rows", "dsc"}, default=None
        ``None`` gives ``|C| + |C|^T``; ``"normalize_rows"`` first scales
        every row of C to unit l2 norm (the affinity of the public EnSC/SSC
        code of You et al.); ``"dsc"`` applies :func:`dsc_post_processing`
        (requires ``n_clusters``).
    n_clusters : int, default=None
        Number of clusters, needed by ``"dsc"``.
    params : dict, default=None
        Overrides of :data:`DSC_POST_PROCESSING_DEFAULTS`.

    Returns
    -------
    affinity : ndarray or sparse matrix of shape (n_samples, n_samples)
        Sparse input without post-processing stays sparse.
    """
    if post_processing == "normalize_rows":
        coef = normalize(coef if sparse.issparse(coef) else _dense(coef), norm="l2", axis=1)
        post_processing = None
    if post_processing is None:
        if sparse.issparse(coef):
            magnitude = abs(sparse.csr_matrix(coef))
            return (magnitude + magnitude.T).tocsr()
        magnitude = np.abs(_dense(coef))
        return magnitude + magnitude.T
    if post_processing == "dsc":
        if n_clusters is None:
            raise ValueError("post_processing='dsc' needs n_clusters.")
        options = dict(DSC_POST_PROCESSING_DEFAULTS)
        unknown = set(params or {}) - set(options)
        if unknown:
            raise ValueError(
                f"Unknown post-processing parameter(s) {sorted(unknown)}; "
                f"expected a subset of {sorted(options)}."
            )
        options.update(params or {})
        return dsc_post_processing(coef, n_clusters, **options)
    raise ValueError(
        f"post_processing must be None, 'normalize_rows' or 'dsc', got {post_processing!r}."
    )


def _normalized_eigenvectors(affinity, n_clusters, random_state):
    """Rows of the top ``n_clusters`` eigenvectors of D^-1/2 A D^-1/2, unit l2 norm."""
    n_samples = affinity.shape[0]
    degree = np.asarray(affinity.sum(axis=1)).ravel()
    scale = 1.0 / np.sqrt(np.where(degree > 0, degree, 1.0))
    if sparse.issparse(affinity):
        scaled = sparse.diags(scale) @ affinity @ sparse.diags(scale)
    else:
        scaled = scale[:, None] * np.asarray(affinity, dtype=np.float64) * scale[None, :]
    if n_clusters < n_samples - 1:
        v0 = random_state.uniform(-1, 1, n_samples)
        _, vectors = eigsh(scaled, k=n_clusters, which="LA", v0=v0)
    else:
        dense = scaled.toarray() if sparse.issparse(scaled) else scaled
        _, vectors = eigh(dense, subset_by_index=[n_samples - n_clusters, n_samples - 1])
    return normalize(vectors, norm="l2", axis=1)


def spectral_labels(affinity, n_clusters, *, assign_labels="discretize", random_state=None):
    """Labels from spectral clustering of a precomputed affinity.

    Parameters
    ----------
    affinity : ndarray or sparse matrix of shape (n_samples, n_samples)
        Symmetric, non-negative affinity.
    n_clusters : int
        Number of clusters.
    assign_labels : {"discretize", "kmeans"}, default="discretize"
        ``"discretize"``: scikit-learn's :class:`~sklearn.cluster.SpectralClustering`
        with ``assign_labels="discretize"`` (as DSC-Net's public code).
        ``"kmeans"``: the top ``n_clusters`` eigenvectors of the normalised
        affinity ``D^-1/2 A D^-1/2``, rows scaled to unit norm, then k-means
        with 20 initialisations (Ng, Jordan and Weiss; as the public EnSC/SSC
        code of You et al.).
    random_state : int, RandomState instance or None, default=None
        Seeds the eigen-solver's start vector and the label assignment.

    Returns
    -------
    labels : ndarray of shape (n_samples,)
        Contiguous integer labels ``0 .. n_clusters - 1`` (``n_clusters=1``
        gives all zeros without an eigen-decomposition).
    """
    if assign_labels not in ("discretize", "kmeans"):
        raise ValueError(
            f"assign_labels must be 'discretize' or 'kmeans', got {assign_labels!r}."
        )
    n_samples = affinity.shape[0]
    if n_clusters == 1:
        return np.zeros(n_samples, dtype=np.int64)
    if sparse.issparse(affinity):
        affinity = affinity.tocsr()
        total = affinity.sum()
    else:
        total = np.sum(affinity)
    if total <= 0:
        # no edge at all: every point is alone; fall back to a uniform graph
        affinity = np.ones((n_samples, n_samples))
    random_state = check_random_state(random_state)
    if assign_labels == "kmeans":
        embedding = _normalized_eigenvectors(affinity, n_clusters, random_state)
        labels = KMeans(n_clusters=n_clusters, n_init=20,
                        random_state=random_state).fit_predict(embedding)
    else:
        spectral = SpectralClustering(
            n_clusters=n_clusters,
            affinity="precomputed",
            assign_labels="discretize",
            random_state=random_state,
        )
        labels = spectral.fit_predict(affinity)
    _, labels = np.unique(labels, return_inverse=True)
    return labels.astype(np.int64)

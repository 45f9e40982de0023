"""Loss terms of equation (3), InfoNCE (equation 4) and its structural variant as plain functions.

Every term is a sum over the batch (squared Frobenius norms), so the sum of the
losses of a partition of the data into batches equals the full-batch loss.
"""

import torch
import torch.nn.functional as F


def reconstruction_loss(x_hat, x):
    """``||X - X_hat||_F^2`` summed over the batch (equation 1)."""
    return torch.sum((x_hat - x) ** 2)


def self_expression_loss(z, z_hat):
    """``||Z - Z_hat||_F^2`` summed over the batch (equation 2)."""
    return torch.sum((z - z_hat) ** 2)


def coefficient_regularization(coef_rows):
    """``||C_idx||_F^2``: squared Frobenius norm of the batch's rows of C."""
    return torch.sum(coef_rows**2)


def info_nce(anchor, positive, negatives, temperature, exclude=None):
    """InfoNCE of equation (4), summed over the batch.

    For each anchor ``a_i`` (all vectors L2-normalised):
    ``-log( exp(a_i.p_i / t) / (exp(a_i.p_i / t) + sum_k exp(a_i.n_k / t)) )``.
    The positive is part of the denominator, as in InfoNCE (Oord et al.).

    Parameters
    ----------
    anchor, positive : Tensor of shape (n, h)
    negatives : Tensor of shape (m, h)
        Shared by every anchor (memory-bank entries outside the batch).
    temperature : float
    exclude : LongTensor of shape (k,), default=None
        Rows of ``negatives`` that are not negatives (for example the
        current batch's own rows of the memory bank): their logits are set
        to ``-inf``, so they drop out of the sum and get no gradient. This
        lets the caller pass the whole bank without copying it. ``None``
        keeps every row.

    Notes
    -----
    ``negatives`` is never normalised into a copy: the logits are the dot
    products with the normalised anchors divided by the row norms of
    ``negatives`` (an m-vector), which is ``F.normalize`` of the rows.
    """
    anchor = F.normalize(anchor, dim=1)
    positive = F.normalize(positive, dim=1)
    neg_norms = torch.linalg.vector_norm(negatives, dim=1).clamp_min(1e-12)
    logit_pos = torch.sum(anchor * positive, dim=1, keepdim=True)
    logit_neg = (anchor @ negatives.T) / neg_norms
    if exclude is not None:
        logit_neg = logit_neg.index_fill(1, torch.as_tensor(exclude, device=logit_neg.device),
                                         float("-inf"))
    logits = torch.cat([logit_pos, logit_neg], dim=1) / temperature
    return -torch.sum(torch.log_softmax(logits, dim=1)[:, 0])


def structural_info_nce(anchor, positive, negatives, temperature, *, own=None, exclude=None,
                        n_neighbors=0):
    """InfoNCE whose negatives leave out each anchor's nearest neighbours (DSCSC, summed over the batch).

    For each anchor ``a_i`` with positive ``p_i`` (all vectors L2-normalised)::

        -log( exp(a_i.p_i / t) / (exp(a_i.p_i / t) + sum_{k in Neg(i)} exp(a_i.n_k / t)) )

    where ``Neg(i)`` is every row of ``negatives`` except the excluded ones
    (``own[i]``, ``exclude``) and the ``n_neighbors`` rows most similar to
    ``a_i`` among the rest: the neighbours of a sample are probably of its own
    subspace and are not pushed away (Peng et al., "Deep structural contrastive
    subspace clustering", equation 8). The similarity that picks the
    neighbours is the cosine ``a_i.n_k / ||n_k||``, the logit itself. With
    ``n_neighbors=0`` this is :func:`info_nce` (plain instance contrast).

    Parameters
    ----------
    anchor, positive : Tensor of shape (n, h)
    negatives : Tensor of shape (m, h)
        Candidate negatives shared by every anchor, e.g. the memory bank.
    temperature : float
    own : LongTensor of shape (n,), default=None
        ``own[i]`` is the row of ``negatives`` that is anchor ``i``'s own
        sample: left out of its negatives and of its neighbour search (not of
        the other anchors'). ``None``: no such row.
    exclude : LongTensor of shape (k,), default=None
        Rows left out for every anchor, as in :func:`info_nce` (``-inf``
        logits: no contribution and no gradient).
    n_neighbors : int, default=0
        Neighbours left out per anchor. With ``n_neighbors`` at least the
        number of remaining rows every negative is left out and the term of
        that anchor is ``-log 1 = 0``.

    Notes
    -----
    The neighbours are a discrete choice made on the detached logits: no
    gradient flows through the choice, only through the logits kept. Ties
    are broken by :func:`torch.topk`. The cost is that of :func:`info_nce`:
    one n x m logit matrix, never m x m.
    """
    if n_neighbors < 0:
        raise ValueError(f"n_neighbors must be >= 0, got {n_neighbors}.")
    anchor = F.normalize(anchor, dim=1)
    positive = F.normalize(positive, dim=1)
    neg_norms = torch.linalg.vector_norm(negatives, dim=1).clamp_min(1e-12)
    logit_pos = torch.sum(anchor * positive, dim=1, keepdim=True)
    logit_neg = (anchor @ negatives.T) / neg_norms
    n, m = logit_neg.shape
    left_out = torch.zeros(n, m, dtype=torch.bool, device=logit_neg.device)
    if exclude is not None:
        left_out[:, torch.as_tensor(exclude, device=left_out.device)] = True
    if own is not None:
        left_out[torch.arange(n, device=left_out.device), torch.as_tensor(own, device=left_out.device)] = True
    if n_neighbors > 0 and m > 0:
        with torch.no_grad():
            scores = logit_neg.detach().masked_fill(left_out, float("-inf"))
            nearest = torch.topk(scores, min(int(n_neighbors), m), dim=1).indices
        left_out.scatter_(1, nearest, True)
    logits = torch.cat([logit_pos, logit_neg.masked_fill(left_out, float("-inf"))], dim=1) / temperature
    return -torch.sum(torch.log_softmax(logits, dim=1)[:, 0])


def coding_rate(z, eps=0.1):
    """Total coding rate ``1/2 logdet(I + h / (n eps^2) Z^T Z)`` of the n x h batch ``z``.

    Large when the rows spread over many directions; it is subtracted from the
    loss against feature collapse (PRO-DSC, Meng et al., ICLR 2025; MCR^2, Yu
    et al., 2020). Computed with the smaller of the n x n and h x h Grams
    (Sylvester's determinant identity gives the same value).
    """
    n, h = z.shape
    return coding_rate_of_gram(z @ z.T if n <= h else z.T @ z, n, h, eps)


def coding_rate_of_gram(gram, n, h, eps=0.1):
    """:func:`coding_rate` of an n x h matrix given its n x n or h x h Gram."""
    eye = torch.eye(gram.shape[0], dtype=gram.dtype, device=gram.device)
    return 0.5 * torch.logdet(eye + (h / (n * eps**2)) * gram)


def coding_rate_with_rows(z, rest_gram, n_rows, eps=0.1):
    """:func:`coding_rate` of a dictionary of ``n_rows`` rows: the rows ``z`` and others whose
    h x h Gram is ``rest_gram`` (no gradient flows into it).

    ``1/2 logdet(A) + 1/2 logdet(I_n + a z A^-1 z^T)`` with ``a = h / (n_rows eps^2)`` and
    ``A = I + a rest_gram`` (the matrix determinant lemma): gradients reach ``z`` through
    an n x n log-det after one Cholesky factorisation of A, so the rate of a whole memory
    bank costs O(h^3 + n h^2) per batch of n and no N-sized array.
    """
    n, h = z.shape
    a = h / (n_rows * eps**2)
    with torch.no_grad():
        eye_h = torch.eye(h, dtype=rest_gram.dtype, device=rest_gram.device)
        factor = torch.linalg.cholesky(eye_h + a * rest_gram)
        rest = 2.0 * torch.sum(torch.log(torch.diagonal(factor)))
    w = torch.linalg.solve_triangular(factor, z.T, upper=False)  # L^-1 z^T, h x n
    eye_n = torch.eye(n, dtype=z.dtype, device=z.device)
    return 0.5 * (rest.to(z.dtype) + torch.logdet(eye_n + a * w.T @ w))


def cluster_coding_rate(z, labels, weights, eps=0.1):
    """``sum_k weights[k] * R(Z_k)``: the coding rates of the groups ``Z_k = z[labels == k]``.

    ``R`` is :func:`coding_rate` of each group on its own (its n_k rows and
    ``h / (n_k eps^2)``). With ``weights[k] = n_k / n`` this is the compression
    term of maximal coding rate reduction (MCR^2, Yu et al., NeurIPS 2020):
    ``R(Z) - sum_k (n_k / n) R(Z_k)`` is large when the whole spreads while
    each group stays low-dimensional. Groups with weight 0 or no rows are
    skipped.

    Parameters
    ----------
    z : Tensor of shape (n, h)
    labels : LongTensor of shape (n,)
        Group of each row, in ``0 .. len(weights) - 1``.
    weights : Tensor of shape (n_groups,)
    eps : float, default=0.1
    """
    total = torch.zeros((), dtype=z.dtype, device=z.device)
    for k in torch.nonzero(weights).flatten().tolist():
        group = z[labels == k]
        if len(group):
            total = total + weights[k].to(z.dtype) * coding_rate(group, eps)
    return total


def elastic_net_self_expression_loss(x, coef, dictionary, gamma, tau):
    """SENet's objective (paper 004, equation 11), summed over the batch.

    ``sum_i gamma / 2 ||x_i - sum_j c_ij d_j||^2 + tau ||c_i||_1 + (1 - tau) / 2 ||c_i||^2``
    for the rows ``x_i`` of ``x`` (n x D), their coefficients ``coef`` (n x m)
    over the dictionary atoms ``d_j`` (the rows of ``dictionary``, m x D).
    ``tau`` is the paper's lambda in [0, 1].

    Returns
    -------
    loss : Tensor (scalar)
    reconstruction : Tensor (scalar)
        ``sum_i ||x_i - sum_j c_ij d_j||^2`` (no ``gamma / 2``).
    regularization : Tensor (scalar)
        ``sum_i tau ||c_i||_1 + (1 - tau) / 2 ||c_i||^2``.
    """
    reconstruction = torch.sum((x - coef @ dictionary) ** 2)
    regularization = tau * torch.sum(torch.abs(coef)) + 0.5 * (1.0 - tau) * torch.sum(coef**2)
    return 0.5 * gamma * reconstruction + regularization, reconstruction, regularization

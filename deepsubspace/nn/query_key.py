"""SENet's coefficient network: ``c_ij = alpha * T_b(u(x_i)^T v(x_j))`` (Zhang et al., CVPR 2021).

Row ``i`` expresses sample ``i``: ``u`` (query network) embeds the sample
being expressed, ``v`` (key network) the dictionary atoms. ``T_b`` is the
soft-thresholding operator with a learnable threshold ``b``. Since ``T_b`` is
non-decreasing in ``|t|``, the ``k`` coefficients of largest magnitude of a row
are those of the ``k`` largest ``|u_i^T v_j|``: top-k inference thresholds
only the kept entries.
"""

import torch
from torch import nn

from .encoders import _mlp


def soft_threshold(t, b):
    """``sign(t) * max(0, |t| - b)``, elementwise."""
    return torch.sign(t) * torch.relu(torch.abs(t) - b)


class QueryKeyNetwork(nn.Module):
    """Query and key MLPs, a learnable threshold and the scale ``alpha``.

    Each MLP is ``n_features -> hidden_layer_sizes -> embedding_dim`` with
    ReLU between layers and ``tanh`` on the output (the paper's design), so
    ``|u^T v| < embedding_dim``; ``alpha`` defaults to ``1 / embedding_dim``.

    Parameters
    ----------
    n_features : int
    hidden_layer_sizes : tuple of int, default=(256, 256)
    embedding_dim : int, default=256
    alpha : float, default=None
        Scale of the coefficients; ``None`` means ``1 / embedding_dim``.
    """

    def __init__(self, n_features, hidden_layer_sizes=(256, 256), embedding_dim=256, alpha=None):
        super().__init__()
        dims = [int(n_features), *hidden_layer_sizes, int(embedding_dim)]
        self.query_net = nn.Sequential(_mlp(dims, "relu"), nn.Tanh())
        self.key_net = nn.Sequential(_mlp(dims, "relu"), nn.Tanh())
        for net in (self.query_net, self.key_net):
            linear = [m for m in net.modules() if isinstance(m, nn.Linear)]
            for layer in linear[:-1]:
                nn.init.kaiming_uniform_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(layer.bias)
            nn.init.xavier_uniform_(linear[-1].weight)
            nn.init.zeros_(linear[-1].bias)
        self.threshold = nn.Parameter(torch.zeros(()))
        self.alpha = 1.0 / embedding_dim if alpha is None else float(alpha)

    def query(self, x):
        """Query embeddings ``u(x)`` of the samples to express, shape (n, p)."""
        return self.query_net(x)

    def key(self, x):
        """Key embeddings ``v(x)`` of the dictionary atoms, shape (m, p)."""
        return self.key_net(x)

    def coefficients_from_products(self, products):
        """``alpha * T_b(products)`` for inner products ``u_i^T v_j``."""
        return self.alpha * soft_threshold(products, self.threshold)

    def coefficients(self, queries, keys, self_index=None):
        """Coefficients of the query embeddings over the key embeddings, (n, m).

        ``self_index`` (LongTensor of shape (n,), optional): column of each
        query's own sample in the dictionary, whose coefficient is set to
        exactly 0 (it gets no gradient).
        """
        coef = self.coefficients_from_products(queries @ keys.T)
        if self_index is not None:
            mask = torch.ones_like(coef)
            mask[torch.arange(len(self_index), device=coef.device), self_index] = 0.0
            coef = coef * mask
        return coef

    @torch.no_grad()
    def top_k_coefficients(self, queries, keys, k, self_index=None, block_size=1024):
        """The ``k`` coefficients of largest magnitude of every row, block by block.

        Parameters
        ----------
        queries : Tensor of shape (n, p)
            Query embeddings.
        keys : Tensor of shape (m, p)
            Key embeddings of the dictionary.
        k : int
            Entries kept per row (<= m, or <= m - 1 with ``self_index``).
        self_index : LongTensor of shape (n,), optional
            Dictionary column of each query's own sample: never selected.
        block_size : int, default=1024
            Rows per block: memory O(block_size * m + n k), never n x m.

        Returns
        -------
        indices : LongTensor of shape (n, k)
        values : Tensor of shape (n, k)
            ``C[i, indices[i]]``, ordered by decreasing ``|u_i^T v_j|``.
        products : Tensor of shape (n, k)
            The inner products ``u_i^T v_j`` of the kept entries (before
            thresholding; used when every coefficient of a row is zero).
        """
        n = len(queries)
        indices = torch.empty(n, k, dtype=torch.long, device=queries.device)
        products = torch.empty(n, k, dtype=queries.dtype, device=queries.device)
        for start in range(0, n, block_size):
            stop = min(start + block_size, n)
            block = queries[start:stop] @ keys.T
            magnitude = block.abs()
            if self_index is not None:
                magnitude[torch.arange(stop - start, device=block.device),
                          self_index[start:stop]] = -1.0
            top = torch.topk(magnitude, k, dim=1).indices
            indices[start:stop] = top
            products[start:stop] = torch.gather(block, 1, top)
        return indices, self.coefficients_from_products(products), products

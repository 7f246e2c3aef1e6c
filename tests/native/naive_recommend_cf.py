"""Plain NumPy references for pai_algos_native.cpu.recommend_cf."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize

from .naive_recommend import rank_order


def _top(js, sims, k):
    order = rank_order(sims, js)[:k]
    return js[order], sims[order]


def swing_similarity_topk(B, item_users, user_w, alpha, k):
    """Brute-force Swing: for every item pair, every user pair (u < v in ``item_users[i]``)
    holding both items adds ``w_u w_v / (alpha + |I_u & I_v|)``; lists of (indices, sims)."""
    B = np.asarray(B) != 0
    n_items = B.shape[1]
    out = []
    for i in range(n_items):
        users = item_users[i]
        sims = np.zeros(n_items)
        for a in range(len(users)):
            for b in range(a + 1, len(users)):
                u, v = users[a], users[b]
                common = B[u] & B[v]
                for j in range(n_items):
                    if j != i and common[j]:
                        sims[j] += user_w[u] * user_w[v] / (alpha + common.sum())
        js = np.flatnonzero(sims > 0)
        out.append(_top(js, sims[js], k))
    return out


def query_similarity_topk(Q, R, mode, shrink, k):
    """Dense top-k of reference rows per query row (cosine or Jaccard), sharing an item."""
    Q = np.asarray(Q, dtype=np.float64)
    R = np.asarray(R, dtype=np.float64)
    dot = Q @ R.T
    share = ((Q != 0).astype(float) @ (R != 0).astype(float).T) > 0
    q_sq, r_sq = (Q**2).sum(1), (R**2).sum(1)
    out = []
    for r in range(Q.shape[0]):
        js = np.flatnonzero(share[r])
        if mode == 1:
            den = q_sq[r] + r_sq[js] - dot[r, js] + shrink
        else:
            den = np.sqrt(q_sq[r]) * np.sqrt(r_sq[js]) + shrink
        keep = den > 0
        out.append(_top(js[keep], dot[r, js[keep]] / den[keep], k))
    return out


def slim_objective(X, j, w, l1, l2):
    """``1/2 ||x_j - X w||^2 + l1 |w|_1 + l2/2 |w|^2``."""
    r = X[:, j] - X @ w
    return 0.5 * r @ r + l1 * np.abs(w).sum() + 0.5 * l2 * w @ w


def slim_column(X, j, l1, l2):
    """Column ``j`` of SLIM by L-BFGS-B: with ``w >= 0`` the L1 term is ``l1 * sum(w)``,
    smooth, and ``w_j = 0`` is a bound."""
    X = np.asarray(X, dtype=np.float64)
    G, q = X.T @ X, X.T @ X[:, j]

    def f(w):
        Gw = G @ w
        val = 0.5 * w @ Gw - q @ w + 0.5 * X[:, j] @ X[:, j] + l1 * w.sum() + 0.5 * l2 * w @ w
        return val, Gw - q + l1 + l2 * w

    bounds = [(0.0, 0.0) if a == j else (0.0, None) for a in range(X.shape[1])]
    res = minimize(f, np.zeros(X.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000})  # fmt: skip
    return res.x

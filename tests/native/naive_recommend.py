"""Plain NumPy references for pai_algos_native.cpu.recommend."""

from __future__ import annotations

import numpy as np

MASK = (1 << 64) - 1


def rank_order(values, idx):
    """Positions of ``values`` best first, ties by the smaller index."""
    return np.lexsort((idx, -values))


def item_similarity_topk(W, mode, alpha, shrink, k):
    """Dense top-k neighbours: lists of (indices, similarities) per item."""
    W = np.asarray(W, dtype=np.float64)
    dot = W.T @ W
    co = (W != 0).astype(float).T @ (W != 0).astype(float) > 0
    sq = (W**2).sum(axis=0)
    out = []
    for i in range(W.shape[1]):
        js = np.array([j for j in range(W.shape[1]) if j != i and co[i, j]], dtype=np.int64)
        if mode == 1:
            den = sq[i] + sq[js] - dot[i, js] + shrink
        else:
            den = sq[i] ** alpha * sq[js] ** (1 - alpha) + shrink
        keep = den > 0
        js, sims = js[keep], dot[i, js][keep] / den[keep]
        order = rank_order(sims, js)[:k]
        out.append((js[order], sims[order]))
    return out


def topn(scores, skip, n):
    """Best n per row of a dense matrix, skipping ``skip`` (bool), padded with -1 / -inf."""
    rows, cols = scores.shape
    idx = np.full((rows, n), -1, dtype=np.int64)
    val = np.full((rows, n), -np.inf)
    for r in range(rows):
        js = np.flatnonzero(~skip[r])
        order = rank_order(scores[r, js], js)[:n]
        idx[r, : len(order)] = js[order]
        val[r, : len(order)] = scores[r, js[order]]
    return idx, val


def als_exact(R, alpha, Y, reg):
    """Exact per-row solution of (Y^T C_u Y + reg I) x = Y^T C_u p_u, C_u = 1 + alpha r."""
    R = np.asarray(R, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    f = Y.shape[1]
    X = np.empty((R.shape[0], f))
    for u in range(R.shape[0]):
        c = 1 + alpha * R[u]
        p = (R[u] > 0).astype(float)
        A = Y.T @ (c[:, None] * Y) + reg * np.eye(f)
        X[u] = np.linalg.solve(A, Y.T @ (c * p))
    return X


def als_cg(R, alpha, X0, Y, reg, steps):
    """``steps`` conjugate-gradient steps per row from X0 (Takacs et al. 2011)."""
    R = np.asarray(R, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    X = np.array(X0, dtype=np.float64)
    f = Y.shape[1]
    for u in range(R.shape[0]):
        c = 1 + alpha * R[u]
        p = (R[u] > 0).astype(float)
        A = Y.T @ (c[:, None] * Y) + reg * np.eye(f)
        b = Y.T @ (c * p)
        x = X[u]
        r = b - A @ x
        d = r.copy()
        rs = r @ r
        if rs < 1e-20:
            continue
        for _ in range(steps):
            Ad = A @ d
            a = rs / (d @ Ad)
            x = x + a * d
            r = r - a * Ad
            rn = r @ r
            if rn < 1e-20:
                break
            d = r + rn / rs * d
            rs = rn
        X[u] = x
    return X


def als_loss(R, alpha, X, Y):
    """sum_ui c_ui (p_ui - x_u . y_i)^2 minus sum_ui (x_u . y_i)^2 (the observed part)."""
    R = np.asarray(R, dtype=np.float64)
    S = np.asarray(X, np.float64) @ np.asarray(Y, np.float64).T
    c = 1 + alpha * R
    p = (R > 0).astype(float)
    return float((c * (p - S) ** 2).sum() - (S**2).sum())


def _splitmix(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def _below(bits, n):
    """The kernels' draw in [0, n): multiply-shift on the high 32 bits (remainder if n >= 2**32)."""
    return ((bits >> 32) * n) >> 32 if n < 2**32 else bits % n


def bpr_epoch(userids, indptr, indices, U, V, lr, reg, verify, seed):
    """One single-stream BPR epoch (as the kernel with one chunk), updating U, V in place."""
    nnz = len(indices)
    f = U.shape[1]
    state = int(seed)
    correct = skipped = 0
    for _ in range(nnz):
        state, bits = _splitmix(state)
        liked = _below(bits, nnz)
        state, bits = _splitmix(state)
        j = indices[_below(bits, nnz)]
        u, i = userids[liked], indices[liked]
        if i == j or (verify and j in indices[indptr[u] : indptr[u + 1]]):
            skipped += 1
            continue
        score = float(np.dot(U[u].astype(np.float64), (V[i] - V[j]).astype(np.float64)))
        z = 1.0 / (1.0 + np.exp(score))
        correct += z < 0.5
        xu = U[u, : f - 1].copy()
        U[u, : f - 1] += lr * (z * (V[i, : f - 1] - V[j, : f - 1]) - reg * xu)
        V[i, : f - 1] += lr * (z * xu - reg * V[i, : f - 1])
        V[j, : f - 1] += lr * (-z * xu - reg * V[j, : f - 1])
        V[i, f - 1] += lr * (z - reg * V[i, f - 1])
        V[j, f - 1] += lr * (-z - reg * V[j, f - 1])
    return correct, skipped


def als_explicit(R, Y, col_offset, reg, weighted, fit_bias):
    """Per-row ridge least squares on the rated cells of a dense R (0 = not rated).

    Returns ``(X, x_bias)``; each row solves ``min |t - W z|^2 + lambda |z|^2`` as the
    ordinary least-squares problem ``[W; sqrt(lambda) I] z = [t; 0]``.
    """
    R = np.asarray(R, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    f = Y.shape[1]
    k = f + 1 if fit_bias else f
    X = np.zeros((R.shape[0], f))
    bias = np.zeros(R.shape[0])
    for u in range(R.shape[0]):
        obs = np.flatnonzero(R[u])
        if len(obs) == 0:
            continue
        W = Y[obs]
        if fit_bias:
            W = np.hstack([W, np.ones((len(obs), 1))])
        lam = reg * len(obs) if weighted else reg
        A = np.vstack([W, np.sqrt(lam) * np.eye(k)])
        t = np.concatenate([R[u, obs] - col_offset[obs], np.zeros(k)])
        z = np.linalg.lstsq(A, t, rcond=None)[0]
        X[u] = z[:f]
        if fit_bias:
            bias[u] = z[f]
    return X, bias


def lmf_update(
    indptr, indices, data, X, Y, G, lr, reg, neg_prop, max_neg, const_col, seeds, chunk=256
):
    """One AdaGrad LMF step per row of X (in place), vectorised per row, with the kernel's
    negative draws (one SplitMix64 stream per chunk of ``chunk`` rows)."""
    n_cols, nnz = len(Y), len(indices)
    Y64 = np.asarray(Y, dtype=np.float64)
    for u in range(X.shape[0]):
        if u % chunk == 0:
            state = int(seeds[u // chunk])
        lo, hi = indptr[u], indptr[u + 1]
        if lo == hi:
            continue
        neg = []
        for _ in range(min(n_cols, (hi - lo) * neg_prop, max_neg)):
            state, bits = _splitmix(state)
            neg.append(indices[_below(bits, nnz)])
        x = X[u].astype(np.float64)
        pos = indices[lo:hi]
        s_pos = 1 / (1 + np.exp(-(Y64[pos] @ x)))
        s_neg = 1 / (1 + np.exp(-(Y64[neg] @ x))) if neg else np.zeros(0)
        g = (data[lo:hi] * (1 - s_pos)) @ Y64[pos] - s_neg @ Y64[neg] - reg * x
        keep = np.arange(len(x)) != const_col
        G[u, keep] += g[keep] ** 2
        X[u, keep] = x[keep] + lr / np.sqrt(1e-6 + G[u, keep].astype(np.float64)) * g[keep]

"""Plain NumPy references for the kernels of :mod:`pai_algos_native.cpu.linear_lars`.

Textbook versions: the active-set systems are solved from scratch with ``np.linalg.solve``
at every step and the correlations recomputed as ``X^T y - G w`` (no Cholesky updates, no
incremental bookkeeping), so they check the kernels' updates.
"""

from __future__ import annotations

import numpy as np

_EQ_TOL = float(np.finfo(np.float32).eps)


def lars_path(G, q, n_samples, max_iter, alpha_min, lasso, positive):
    """LARS / Lasso-LARS path (Efron et al. 2004): ``(alphas, coefs (n_nodes, p), active)``.

    Sign changes follow scikit-learn's conventions: in LAR the sign of the variable flips
    and no variable enters at the next step; in the Lasso the variable leaves.
    """
    p = len(q)
    coef = np.zeros(p)
    active, signs = [], []
    alphas, coefs = [], []
    drop = False
    n_iter = 0
    while True:
        cov = q - G @ coef
        inactive = [j for j in range(p) if j not in active]
        if inactive:
            vals = cov[inactive] if positive else np.abs(cov[inactive])
            j_best = inactive[int(np.argmax(vals))]
            C = float(vals.max())
        else:
            C = 0.0
        alpha = C / n_samples
        if alpha <= alpha_min + _EQ_TOL:
            if abs(alpha - alpha_min) > _EQ_TOL and n_iter > 0:
                ss = (alphas[-1] - alpha_min) / (alphas[-1] - alpha)
                coef = coefs[-1] + ss * (coef - coefs[-1])
                alpha = alpha_min
            elif abs(alpha - alpha_min) > _EQ_TOL:
                alpha = alpha_min
            alphas.append(alpha)
            coefs.append(coef.copy())
            break
        alphas.append(alpha)
        coefs.append(coef.copy())
        if n_iter >= max_iter or len(active) >= p:
            break
        if not drop:
            active.append(j_best)
            signs.append(1.0 if positive else float(np.sign(cov[j_best])))
        A = np.array(active)
        s = np.array(signs)
        w = np.linalg.solve(G[np.ix_(A, A)], s)
        AA = 1.0 / np.sqrt(s @ w)
        delta = AA * w
        a = G[:, A] @ delta
        gammas = [C / AA]
        for j in range(p):
            if j in active:
                continue
            for g in ((C - cov[j]) / (AA - a[j]),) + (
                () if positive else ((C + cov[j]) / (AA + a[j]),)
            ):
                if g > 0:
                    gammas.append(g)
        gamma = min(gammas)
        z = -coef[A] / delta
        zpos = z[z > 0]
        drop = False
        out = None
        if zpos.size and zpos.min() < gamma:
            out = int(np.flatnonzero(z == zpos.min())[0])
            signs[out] = -signs[out]
            if lasso:
                gamma = zpos.min()
            drop = True
        n_iter += 1
        coef = coef.copy()
        coef[A] += gamma * delta
        if drop and lasso:
            active.pop(out)
            signs.pop(out)
    return np.array(alphas), np.array(coefs), np.array(active, dtype=np.int64)


def omp(G, q, n_nonzero_coefs, y_norm2=None, tol=None):
    """Greedy OMP on the Gram matrix: ``coef`` of shape (n_features,)."""
    p = len(q)
    coef = np.zeros(p)
    active = []
    max_atoms = p if tol is not None else n_nonzero_coefs
    while len(active) < max_atoms:
        corr = q - G @ coef
        j = int(np.argmax(np.abs(corr)))
        if j in active or corr[j] ** 2 < np.finfo(float).eps:
            break
        active.append(j)
        A = np.array(active)
        gamma = np.linalg.solve(G[np.ix_(A, A)], q[A])
        coef = np.zeros(p)
        coef[A] = gamma
        if tol is not None and abs(y_norm2 - gamma @ q[A]) <= tol:
            break
    return coef

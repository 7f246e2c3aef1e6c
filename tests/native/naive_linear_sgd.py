"""Plain NumPy / Python references for the SGD kernels (explicit weights, no tricks)."""

from __future__ import annotations

import math

import numpy as np

LOSSES = {
    "hinge": 0,
    "squared_hinge": 1,
    "log_loss": 2,
    "modified_huber": 3,
    "squared_error": 4,
    "huber": 5,
    "epsilon_insensitive": 6,
    "squared_epsilon_insensitive": 7,
}


def loss(code, param, y, p):
    if code == 0:
        return max(0.0, param - p * y)
    if code == 1:
        return max(0.0, param - p * y) ** 2
    if code == 2:
        return np.logaddexp(0.0, p) - y * p
    if code == 3:
        z = p * y
        return 0.0 if z >= 1 else ((1 - z) ** 2 if z >= -1 else -4 * z)
    if code == 4:
        return 0.5 * (p - y) ** 2
    if code == 5:
        r = abs(y - p)
        return 0.5 * r * r if r <= param else param * (r - 0.5 * param)
    r = max(0.0, abs(y - p) - param)
    return r if code == 6 else r * r


def dloss(code, param, y, p, h=1e-6):
    """Derivative by central finite differences, away from the kinks (tests avoid them)."""
    return (loss(code, param, y, p + h) - loss(code, param, y, p - h)) / (2 * h)


def epoch(X, y, sw, w, b, *, code, param, penalty, alpha, l1_ratio, lr, eta0, power_t, t,
          optimal_init=0.0, fit_intercept=True, average=0, aw=None, ab=0.0, u=0.0,
          q=None):  # fmt: skip
    """One epoch over the rows in order, with explicit weights; returns the new state."""
    w = w.astype(float).copy()
    aw = np.zeros_like(w) if aw is None else aw.astype(float).copy()
    q = np.zeros_like(w) if q is None else q.copy()
    l1 = {0: 0.0, 1: 1.0, 2: 0.0}.get(penalty, l1_ratio)
    for i in range(X.shape[0]):
        x = X[i].astype(float)
        p = float(x @ w + b)
        eta = eta0
        if lr == "optimal":
            eta = 1.0 / (alpha * (optimal_init + t - 1))
        elif lr == "invscaling":
            eta = eta0 / t**power_t
        if lr == "pa1":
            update = min(eta0, loss(code, param, y[i], p) / (x @ x)) * y[i]
        else:
            update = -eta * dloss(code, param, y[i], p)
        update *= sw[i]
        if penalty >= 2:
            w *= max(0.0, 1 - (1 - l1) * eta * alpha)
        w += update * x
        if fit_intercept:
            b += update
        if 0 < average <= t:
            n = t - average + 1
            aw += (w - aw) / n
            ab += (b - ab) / n
        if penalty in (1, 3):
            u += l1 * eta * alpha
            for j in range(w.shape[0]):
                z = w[j]
                if z > 0:
                    w[j] = max(0.0, z - (u + q[j]))
                elif z < 0:
                    w[j] = min(0.0, z + (u - q[j]))
                q[j] += w[j] - z
        t += 1
    return w, b, aw, ab, t


def shuffle(index, seed):
    """scikit-learn's Fisher-Yates with its xorshift generator ``our_rand_r``."""
    s = max(seed, 1) & 0xFFFFFFFF
    index = index.copy()
    n = index.shape[0]
    for i in range(n - 1):
        s ^= (s << 13) & 0xFFFFFFFF
        s ^= s >> 17
        s ^= (s << 5) & 0xFFFFFFFF
        j = i + (s % 2147483648) % (n - i)
        index[i], index[j] = index[j], index[i]
    return index


def loss_grad(X, y, sw, coef, intercept, code, param):
    p = X @ coef + intercept
    losses = np.array([loss(code, param, a, b) for a, b in zip(y, p)])
    g = sw * np.array([dloss(code, param, a, b, h=1e-7) for a, b in zip(y, p)])
    return float(sw @ losses), np.concatenate([X.T @ g, [g.sum()]])


def expit(z):
    return 1.0 / (1.0 + math.exp(-z))

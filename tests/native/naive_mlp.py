"""Plain NumPy references for pai_algos_native.cpu.mlp (float64 throughout)."""

from __future__ import annotations

import numpy as np
from scipy.special import expit, xlogy


def activate(Z, name):
    Z = np.asarray(Z, dtype=np.float64)
    return {
        "identity": lambda z: z,
        "logistic": expit,
        "tanh": np.tanh,
        "relu": lambda z: np.maximum(z, 0.0),
    }[name](Z)


def derivative(A, name):
    A = np.asarray(A, dtype=np.float64)
    return {
        "identity": lambda a: np.ones_like(a),
        "logistic": lambda a: a * (1 - a),
        "tanh": lambda a: 1 - a**2,
        "relu": lambda a: (a != 0).astype(float),
    }[name](A)


def output(Z, b, name):
    Z = np.asarray(Z, dtype=np.float64) + b
    if name == "softmax":
        E = np.exp(Z - Z.max(axis=1, keepdims=True))
        return E / E.sum(axis=1, keepdims=True)
    if name == "exp":
        return np.exp(Z)
    return activate(Z, name)


def output_delta(Z, b, Y, sw, name, eps):
    """(loss sum, delta, column sums of delta) of the output layer."""
    P = output(Z, b, name)
    Y = np.asarray(Y, dtype=np.float64)
    w = np.ones(len(Y)) if sw is None else np.asarray(sw, dtype=np.float64)
    if name == "identity":
        rows = 0.5 * ((Y - P) ** 2).mean(axis=1)
    elif name == "exp":
        rows = (xlogy(Y, Y / P) - Y + P).sum(axis=1)
    else:
        Q = np.clip(P, eps, 1 - eps)
        rows = -xlogy(Y, Q).sum(axis=1)
        if name == "logistic":
            rows -= xlogy(1 - Y, 1 - Q).sum(axis=1)
    delta = (P - Y) * w[:, None]
    return float((w * rows).sum()), delta, delta.sum(axis=0)


def finish(params, grads, n_coef, alpha, inv_sw):
    g = np.asarray(grads, dtype=np.float64).copy()
    p = np.asarray(params, dtype=np.float64)
    g[:n_coef] += alpha * p[:n_coef]
    return g * inv_sw, float(p[:n_coef] @ p[:n_coef])


def adam(params, grads, m, v, n_coef, alpha, inv_sw, lr, b1, b2, eps):
    g, sq = finish(params, grads, n_coef, alpha, inv_sw)
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * g**2
    return params - lr * m / (np.sqrt(v) + eps), m, v, sq


def sgd(params, grads, vel, n_coef, alpha, inv_sw, lr, momentum, nesterov):
    g, sq = finish(params, grads, n_coef, alpha, inv_sw)
    vel = momentum * vel - lr * g
    update = momentum * vel - lr * g if nesterov else vel
    return params + update, vel, sq

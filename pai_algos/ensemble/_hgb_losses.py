"""Losses of histogram gradient boosting: baseline, gradients/hessians, value, inverse link.

Raw scores have shape (n_samples, n_outputs). Each loss is scikit-learn's (``sklearn._loss``),
so that ``train_score_`` and the fitted models agree with it: the "half" losses for
squared error, Poisson, gamma and the logistic losses, whose gradients are simple.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from pai_algos_native import kernels

__all__ = ["LOSSES", "weighted_quantile"]

_PROBA_EPS = np.finfo(np.float64).eps
_NO_WEIGHTS = np.empty(0)


def _weights(sw):
    return _NO_WEIGHTS if sw is None else np.ascontiguousarray(sw, dtype=np.float64)


def weighted_quantile(values, weights, q):
    """The ``q``-quantile of ``values`` (unweighted: NumPy's linear rule; weighted: lower)."""
    if values.shape[0] == 0:
        return 0.0
    if weights is None or np.all(weights == weights[0]):
        return float(np.percentile(values, 100 * q))
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    idx = int(np.searchsorted(cum, q * cum[-1], side="left"))
    return float(values[order[min(idx, values.shape[0] - 1)]])


def _average(values, sw):
    return float(np.average(values, weights=sw))


class _Loss:
    n_outputs = 1
    update_leaves = False

    def check_y(self, y):
        return None

    def inverse_link(self, raw):
        return raw


class SquaredError(_Loss):
    """``(y - raw)^2 / 2``."""

    def baseline(self, y, sw):
        return np.array([_average(y, sw)])

    def grad_hess(self, y, raw, sw, g, h):
        np.subtract(raw[:, 0], y, out=g[0])
        h[0] = 1.0

    def loss(self, y, raw, sw):
        return _average(0.5 * (y - raw[:, 0]) ** 2, sw)


class AbsoluteError(_Loss):
    """``|y - raw|``; leaves get the median of their residuals after growth."""

    update_leaves = True
    quantile = 0.5

    def baseline(self, y, sw):
        return np.array([weighted_quantile(y, sw, self.quantile)])

    def grad_hess(self, y, raw, sw, g, h):
        g[0] = np.where(raw[:, 0] > y, 1.0, -1.0)
        h[0] = 1.0

    def loss(self, y, raw, sw):
        return _average(np.abs(y - raw[:, 0]), sw)


class PinballLoss(AbsoluteError):
    """Quantile (pinball) loss at ``quantile``; leaves get the quantile of their residuals."""

    def __init__(self, quantile):
        self.quantile = quantile

    def grad_hess(self, y, raw, sw, g, h):
        g[0] = np.where(y > raw[:, 0], -self.quantile, 1.0 - self.quantile)
        h[0] = 1.0

    def loss(self, y, raw, sw):
        diff = y - raw[:, 0]
        q = self.quantile
        return _average(np.where(diff >= 0, q * diff, (q - 1) * diff), sw)


class HalfPoisson(_Loss):
    """``exp(raw) - y raw`` with log link."""

    def check_y(self, y):
        if np.any(y < 0) or np.sum(y) <= 0:
            return (
                "Some value(s) of y are negative or they all are zero, which is not allowed "
                "for Poisson regression."
            )
        return None

    def baseline(self, y, sw):
        return np.array([np.log(_average(y, sw))])

    def grad_hess(self, y, raw, sw, g, h):
        np.exp(raw[:, 0], out=h[0])
        np.subtract(h[0], y, out=g[0])

    def loss(self, y, raw, sw):
        return _average(np.exp(raw[:, 0]) - y * raw[:, 0], sw)

    def inverse_link(self, raw):
        return np.exp(raw)


class HalfGamma(HalfPoisson):
    """``raw + y exp(-raw)`` with log link."""

    def check_y(self, y):
        if np.any(y <= 0):
            return "Some value(s) of y are not positive, which is not allowed for the gamma loss."
        return None

    def grad_hess(self, y, raw, sw, g, h):
        np.multiply(y, np.exp(-raw[:, 0]), out=h[0])
        np.subtract(1.0, h[0], out=g[0])

    def loss(self, y, raw, sw):
        return _average(raw[:, 0] + y * np.exp(-raw[:, 0]), sw)


class BinomialLoss(_Loss):
    """``log(1 + exp(raw)) - y raw`` for labels 0/1."""

    def baseline(self, y, sw):
        p = np.clip(_average(y, sw), _PROBA_EPS, 1 - _PROBA_EPS)
        return np.array([np.log(p / (1 - p))])

    def grad_hess(self, y, raw, sw, g, h):
        kernels("trees").binomial_grad_hess(y, np.ascontiguousarray(raw[:, 0]), g[0], h[0])

    def loss(self, y, raw, sw):
        return kernels("trees").binomial_loss(y, np.ascontiguousarray(raw[:, 0]), _weights(sw))

    def inverse_link(self, raw):
        return expit(raw)


class MultinomialLoss(_Loss):
    """``logsumexp(raw) - raw[y]`` for labels 0..K-1 (softmax link)."""

    def __init__(self, n_classes):
        self.n_outputs = n_classes

    def baseline(self, y, sw):
        onehot = y[:, None] == np.arange(self.n_outputs)[None, :]
        p = np.clip(np.average(onehot, axis=0, weights=sw), _PROBA_EPS, 1 - _PROBA_EPS)
        raw = np.log(p)
        return raw - raw.mean()

    def grad_hess(self, y, raw, sw, g, h):
        kernels("trees").multinomial_grad_hess(y, raw, g, h)

    def loss(self, y, raw, sw):
        return kernels("trees").multinomial_loss(y, raw, _weights(sw))

    def inverse_link(self, raw):
        z = raw - raw.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z


LOSSES = {
    "squared_error": SquaredError,
    "absolute_error": AbsoluteError,
    "quantile": PinballLoss,
    "poisson": HalfPoisson,
    "gamma": HalfGamma,
}

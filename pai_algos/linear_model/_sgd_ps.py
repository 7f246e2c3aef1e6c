"""SGDClassifier / SGDRegressor through the parameter server (``ps=PSConfig(...)``).

Minibatch SGD on the shards: the weights live in a sparse table keyed by column id (the
intercept under the reserved bias key); a worker step pulls the weights of its minibatch's
columns, computes the mean gradient of the loss (our kernel
:func:`pai_algos_native.cpu.ps.sgd_batch_grad`) plus ``alpha * w`` on the pulled columns
(L2, applied lazily to the columns a minibatch touches), scales it by the step's learning
rate and pushes it; the shards apply ``w -= update``. One binary problem (or one class of
one-versus-rest) is one job.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from pai_algos_native.cpu import keyed_table as kt
from pai_algos_native.cpu import ps as kps
from pai_algos_native.cpu.linear_sgd import LOSSES

from ..ps._job import MinibatchJob

__all__ = ["check_ps_params", "run_sgd_ps"]


def check_ps_params(est):
    """The SGD options the parameter-server path does not offer: a clear error up front."""
    from ..ps import PSConfig

    if not isinstance(est.ps, PSConfig):
        raise TypeError(f"ps must be None or a pai_algos.ps.PSConfig, got {type(est.ps).__name__}.")
    unsupported = []
    if est.penalty not in (None, "l2"):
        unsupported.append(f"penalty={est.penalty!r}")
    if est.learning_rate in ("pa1", "pa2"):
        unsupported.append(f"learning_rate={est.learning_rate!r}")
    if est.average:
        unsupported.append("average")
    if est.early_stopping:
        unsupported.append("early_stopping")
    if unsupported:
        raise ValueError(
            f"{type(est).__name__}(ps=...) trains minibatch SGD with an L2 or no penalty; "
            f"it does not support {', '.join(unsupported)}."
        )


class _SGDJob(MinibatchJob):
    """Minibatch SGD: the mean loss gradient plus ``alpha * w`` on the pulled columns, scaled
    by the step's learning rate ``eta(t)`` (the shards apply ``w -= update``)."""

    def __init__(self, X, y, s, orders, config, batch, with_bias, loss, param, alpha, eta):
        super().__init__(X, y, orders, config, batch, with_bias)
        self.s = s
        self.loss, self.param, self.alpha, self.eta = loss, float(param), float(alpha), eta

    def gradient(self, t, rows, inverse, w, grad):
        loss = kps.sgd_batch_grad(
            self.loss, self.param, self.data, self.indptr, rows, inverse, self.y, self.s, w,
            self.with_bias, grad,
        )  # fmt: skip
        # bsp: this worker's rows are a share of the step's minibatch (the shards sum them)
        denominator = self.global_batch if self.bsp else rows.shape[0]
        grad /= denominator
        off = 1 if self.with_bias else 0
        if self.alpha:
            grad[off:] += self.alpha * w[off:] * (rows.shape[0] / denominator)
        grad *= self.eta(t + 1)
        return loss

    def _signature_parts(self):
        return (*super()._signature_parts(), self.s, np.array([self.loss]))


def _eta_schedule(est, alpha, done):
    """Learning rate of step ``t`` (1-based) of this job; ``done`` minibatch steps were made by
    earlier fits (``partial_fit`` continues the schedule, as ``t_`` does in scikit-learn)."""
    lr, eta0, power_t = est.learning_rate, float(est.eta0), float(est.power_t)
    if lr == "optimal":
        typw = math.sqrt(1.0 / math.sqrt(alpha))
        optimal_init = 1.0 / (typw * alpha)
        return lambda t: 1.0 / (alpha * (optimal_init + done + t - 1))
    if lr == "invscaling":
        return lambda t: eta0 / (done + t) ** power_t
    return lambda t: eta0  # constant; "adaptive" keeps eta0 (no tol-driven decrease here)


def run_sgd_ps(est, Xk, y, sw, w, intercept, *, max_iter, seed, weight_pos, weight_neg,
               index, on_epoch):  # fmt: skip
    """Train one binary (or regression) problem through the parameter server.

    Updates ``w`` in place; returns ``(intercept, n_iter)`` and stores ``ps_stats_``.
    """
    from ..ps import TableSpec, make_engine

    config = est.ps
    if isinstance(Xk, tuple):
        data, indices, indptr = Xk
        X = sp.csr_matrix((data, indices, indptr), shape=(indptr.shape[0] - 1, w.shape[0]))
    else:
        X = sp.csr_matrix(Xk)
    loss_name, param = est._loss_param(est._sgd_loss())
    s = np.asarray(sw, dtype=np.float64) * np.where(y > 0, weight_pos, weight_neg)
    rng = np.random.RandomState(seed)
    orders = [
        (rng.permutation(index) if est.shuffle else index).astype(np.int64) for _ in range(max_iter)
    ]
    alpha = float(est.alpha) if est.penalty == "l2" else 0.0
    job = _SGDJob(
        X, np.asarray(y, dtype=np.float64), s, orders, config, config.batch_size,
        bool(est.fit_intercept), LOSSES[loss_name], param, alpha,
        _eta_schedule(est, float(est.alpha), int((est.t_ - 1.0) // config.batch_size)),
    )  # fmt: skip
    engine = make_engine(config, TableSpec("sgd", lr=1.0))
    try:
        nz = np.flatnonzero(w)
        seed_keys = nz.astype(np.int64)
        seed_values = w[nz].astype(np.float64)
        if est.fit_intercept and intercept != 0.0:
            seed_keys = np.concatenate([[kt.BIAS_KEY], seed_keys])
            seed_values = np.concatenate([[intercept], seed_values])
        if seed_keys.shape[0]:
            engine.seed(seed_keys, seed_values[:, None])
        losses = engine.run(job)
        keys, values = engine.gather()
        sizes = engine.table_sizes()
    finally:
        engine.close()
    per_epoch = losses.reshape(max_iter, job.steps_per_pass).sum(axis=1) / max(1, index.shape[0])
    for epoch, value in enumerate(per_epoch):
        on_epoch(epoch, float(value))
    w[:] = 0
    bias = keys == kt.BIAS_KEY
    cols = keys[~bias]
    w[cols] = values[~bias, 0].astype(w.dtype)
    new_intercept = float(values[bias, 0][0]) if bias.any() else 0.0
    stats = dict(engine.stats)
    stats["table_sizes"] = sizes
    est.ps_stats_ = stats  # the caller advances t_ once per fit, for all one-vs-rest problems
    return new_intercept, max_iter

"""Stochastic gradient descent kernels (CPU): one epoch of plain SGD, and a batch loss.

The epoch kernels follow scikit-learn's ``_plain_sgd`` (Bottou's SGD with the tricks of
"Stochastic Gradient Descent Tricks", 2012):

- the weight vector is ``wscale * w``: the L2 shrinkage ``w <- (1 - eta alpha) w`` of every
  step costs one multiplication of ``wscale`` (it is folded back into ``w`` when it falls
  below 1e-9, 1e-6 for float32, and at the end of every epoch);
- L1 and elastic-net use the cumulative-penalty truncation of Tsuruoka, Tsujii and Ananiadou
  (2009): ``u`` is the total L1 penalty each weight could have received, ``q[j]`` what weight
  ``j`` did receive;
- averaging (ASGD) keeps the average lazily as ``(aw + a w) / b`` (Xu, 2011);
- the passive-aggressive steps PA-I / PA-II (Crammer et al., 2006).

Conventions: ``X`` (or the CSR triple) is float32 or float64; ``w``, ``aw`` and ``q`` have
its dtype and are updated in place; ``y`` and ``sample_weight`` are float64. ``index`` holds
the training rows (int64); it is shuffled in place at the start of the epoch with
scikit-learn's generator (xorshift ``our_rand_r``, re-seeded with ``seed`` every epoch, as
``SequentialDataset.shuffle`` does). ``state`` (float64) carries across epochs
``[t, u, intercept, average_intercept, eta]``. Products and sums are formed in float64.

Loss codes (``LOSSES``): the classification losses see ``y`` in {-1, 1}, except the log loss
(``y`` in {0, 1}, scikit-learn's half binomial loss); ``param`` is the hinge threshold
(0 for the perceptron) or the epsilon of the Huber and epsilon-insensitive losses.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "LEARNING_RATES",
    "LOSSES",
    "PENALTIES",
    "plain_sgd",
    "row_sq_norms",
    "row_sq_norms_csr",
    "sgd_epoch",
    "sgd_epoch_csr",
    "sgd_loss_grad",
    "sgd_loss_grad_csr",
    "to_device",
]

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
PENALTIES = {None: 0, "l1": 1, "l2": 2, "elasticnet": 3}
LEARNING_RATES = {"constant": 1, "optimal": 2, "invscaling": 3, "adaptive": 4, "pa1": 5, "pa2": 6}

# rows are visited in random order: prefetching the row PREFETCH rows ahead hides the
# memory latency that otherwise dominates an epoch (4x on 200,000 x 50 float32)
PREFETCH = 8
_HINGE, _LOG = 0, 2
_L1, _L2, _EN = 1, 2, 3
_OPTIMAL, _INVSCALING, _PA1, _PA2 = 2, 3, 5, 6
MAX_DLOSS = 1e12


def to_device(array):
    """Identity on the CPU (the CUDA module copies to the GPU)."""
    return array


@intrinsic
def _prefetch(typingctx, arr, start, stop):
    """Prefetch the cache lines of ``arr[start:stop]`` (1-D contiguous) for reading."""
    sig = types.void(arr, start, stop)

    def codegen(context, builder, signature, args):
        aryty, start_ty, stop_ty = signature.args
        ary = context.make_array(aryty)(context, builder, args[0])
        intp = context.get_value_type(types.intp)
        i0 = context.cast(builder, args[1], start_ty, types.intp)
        i1 = context.cast(builder, args[2], stop_ty, types.intp)
        item = context.get_constant(types.intp, aryty.dtype.bitwidth // 8)
        base = builder.ptrtoint(ary.data, intp)
        first = builder.add(base, builder.mul(i0, item))
        last = builder.add(base, builder.mul(i1, item))
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0")
        step = context.get_constant(types.intp, 64)
        with cgutils.for_range_slice(builder, first, last, step) as (addr, _):
            builder.call(fn, [builder.inttoptr(addr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


# --------------------------------------------------------------------------- losses


@njit(**JIT)
def _loss(code, param, y, p):
    if code == 0:  # hinge, threshold param (0: perceptron)
        z = p * y
        return param - z if z <= param else 0.0
    if code == 1:  # squared hinge
        z = param - p * y
        return z * z if z > 0.0 else 0.0
    if code == 2:  # half binomial: log(1 + exp(p)) - y p, y in {0, 1}
        if p <= -37.0:
            return math.exp(p) - y * p
        if p <= 18.0:
            return math.log1p(math.exp(p)) - y * p
        return p + math.exp(-p) - y * p if p <= 33.3 else p - y * p
    if code == 3:  # modified huber
        z = p * y
        if z >= 1.0:
            return 0.0
        if z >= -1.0:
            return (1.0 - z) * (1.0 - z)
        return -4.0 * z
    if code == 4:  # half squared error
        r = p - y
        return 0.5 * r * r
    if code == 5:  # huber, delta param
        r = abs(y - p)
        return 0.5 * r * r if r <= param else param * (r - 0.5 * param)
    r = abs(y - p) - param  # epsilon insensitive (6) and its square (7)
    if r <= 0.0:
        return 0.0
    return r if code == 6 else r * r


@njit(**JIT)
def _dloss(code, param, y, p):
    """Derivative of :func:`_loss` with respect to ``p``."""
    if code == 0:
        return -y if p * y <= param else 0.0
    if code == 1:
        z = param - p * y
        return -2.0 * y * z if z > 0.0 else 0.0
    if code == 2:
        if p <= -37.0:
            return math.exp(p) - y
        e = math.exp(-p)
        return ((1.0 - y) - y * e) / (1.0 + e)
    if code == 3:
        z = p * y
        if z >= 1.0:
            return 0.0
        if z >= -1.0:
            return 2.0 * (1.0 - z) * -y
        return -4.0 * y
    if code == 4:
        return p - y
    if code == 5:
        r = p - y
        if abs(r) <= param:
            return r
        return param if r > 0.0 else -param
    z = y - p
    if code == 6:
        if z > param:
            return -1.0
        return 1.0 if -z > param else 0.0
    if z > param:
        return -2.0 * (z - param)
    return 2.0 * (-z - param) if z < -param else 0.0


# --------------------------------------------------------------------------- helpers


@njit(**JIT)
def _rand(seed):
    # scikit-learn's our_rand_r (xorshift32), on a one-element uint32-valued int64 array
    s = seed[0]
    if s == 0:
        s = 1
    s ^= (s << 13) & 0xFFFFFFFF
    s ^= s >> 17
    s ^= (s << 5) & 0xFFFFFFFF
    seed[0] = s
    return s % 2147483648


@njit(**JIT)
def _shuffle(index, seed):
    """Fisher-Yates shuffle of ``index`` in place, as ``SequentialDataset.shuffle``."""
    state = np.empty(1, np.int64)
    state[0] = max(seed, 1) & 0xFFFFFFFF
    n = index.shape[0]
    for i in range(n - 1):
        j = i + _rand(state) % (n - i)
        tmp = index[i]
        index[i] = index[j]
        index[j] = tmp


@njit(**JIT)
def _dot(x, w):
    # four float64 accumulators in a fixed order: SIMD-friendly without fastmath
    d = x.shape[0]
    a0 = a1 = a2 = a3 = 0.0
    j = 0
    while j + 4 <= d:
        a0 += np.float64(x[j]) * np.float64(w[j])
        a1 += np.float64(x[j + 1]) * np.float64(w[j + 1])
        a2 += np.float64(x[j + 2]) * np.float64(w[j + 2])
        a3 += np.float64(x[j + 3]) * np.float64(w[j + 3])
        j += 4
    while j < d:
        a0 += np.float64(x[j]) * np.float64(w[j])
        j += 1
    return (a0 + a1) + (a2 + a3)


@njit(**JIT_PARALLEL)
def row_sq_norms(X):
    """Squared Euclidean norm of every row (float64)."""
    n = X.shape[0]
    out = np.empty(n)
    for i in prange(n):
        out[i] = _dot(X[i], X[i])
    return out


@njit(**JIT_PARALLEL)
def row_sq_norms_csr(data, indptr):
    """Squared Euclidean norm of every CSR row (float64)."""
    n = indptr.shape[0] - 1
    out = np.empty(n)
    for i in prange(n):
        acc = 0.0
        for p in range(indptr[i], indptr[i + 1]):
            acc += np.float64(data[p]) * np.float64(data[p])
        out[i] = acc
    return out


@njit(**JIT)
def _norms(w):
    sq = 0.0
    l1 = 0.0
    for j in range(w.shape[0]):
        v = np.float64(w[j])
        sq += v * v
        l1 += abs(v)
    return sq, l1


@njit(**JIT)
def _fold(w, aw, wscale, avg_a, avg_b, average):
    # w <- wscale w; aw <- (aw + a w) / b
    if average > 0:
        for j in range(w.shape[0]):
            aw[j] = (np.float64(aw[j]) + avg_a * np.float64(w[j])) / avg_b
    if wscale != 1.0:
        for j in range(w.shape[0]):
            w[j] = np.float64(w[j]) * wscale


@njit(**JIT)
def _truncate(w, q, j, u, wscale):
    # Tsuruoka et al.'s clipping of weight j towards 0 by its unpaid penalty u - q[j]
    z = np.float64(w[j])
    if z > 0.0:
        w[j] = max(0.0, z - (u + q[j]) / wscale)
    elif z < 0.0:
        w[j] = min(0.0, z + (u - q[j]) / wscale)
    v = np.float64(w[j])
    q[j] += wscale * (v - z)
    return v


@njit(**JIT)
def _truncate_all(w, q, u, wscale):
    """:func:`_truncate` on every weight; returns the squared and L1 norms of ``w``."""
    d = w.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    l0 = l1 = l2 = l3 = 0.0
    j = 0
    while j + 4 <= d:
        v0 = _truncate(w, q, j, u, wscale)
        v1 = _truncate(w, q, j + 1, u, wscale)
        v2 = _truncate(w, q, j + 2, u, wscale)
        v3 = _truncate(w, q, j + 3, u, wscale)
        s0 += v0 * v0
        s1 += v1 * v1
        s2 += v2 * v2
        s3 += v3 * v3
        l0 += abs(v0)
        l1 += abs(v1)
        l2 += abs(v2)
        l3 += abs(v3)
        j += 4
    while j < d:
        v0 = _truncate(w, q, j, u, wscale)
        s0 += v0 * v0
        l0 += abs(v0)
        j += 1
    return (s0 + s1) + (s2 + s3), (l0 + l1) + (l2 + l3)


@njit(**JIT)
def _step(code, param, y, p, eta, lr, eta0, xsq, is_hinge):
    """The signed step ``update`` (before weights); NaN means skip the sample (PA, x = 0)."""
    if lr == _PA1:
        if xsq == 0.0:
            return np.nan
        update = min(eta0, _loss(code, param, y, p) / xsq)
    elif lr == _PA2:
        update = _loss(code, param, y, p) / (xsq + 0.5 / eta0)
    else:
        dloss = _dloss(code, param, y, p)
        dloss = min(max(dloss, -MAX_DLOSS), MAX_DLOSS)
        update = -eta * dloss
    if lr >= _PA1:
        if is_hinge:
            update *= y
        elif y - p < 0.0:
            update *= -1.0
    return update


# --------------------------------------------------------------------------- epochs


@njit(**JIT)
def sgd_epoch(
    X, y, sample_weight, index, row_sq, w, aw, q, state,
    loss_code, loss_param, penalty, alpha, l1_ratio, fit_intercept, shuffle, seed,
    weight_pos, weight_neg, learning_rate, eta0, power_t, optimal_init, intercept_decay,
    average, compute_loss,
):  # fmt: skip
    """One epoch of SGD over the dense rows ``X[index]``; returns ``(sumloss, objective)``.

    ``sumloss`` is the sum of the losses met during the epoch and ``objective`` adds the
    penalty ``alpha ((1 - l1_ratio) ||w||^2 / 2 + l1_ratio ||w||_1)`` at every step (not
    for PA), as scikit-learn does; both are 0 when ``compute_loss`` is False. ``w`` and
    ``aw`` hold plain (unscaled) weights on return.
    """
    if shuffle:
        _shuffle(index, seed)
    d = w.shape[0]
    is_hinge = loss_code == _HINGE
    t, u, intercept, avg_intercept, eta = state[0], state[1], state[2], state[3], state[4]
    wscale = 1.0
    avg_a = 0.0
    avg_b = 1.0
    threshold = 1e-6 if w.itemsize == 4 else 1e-9
    sq_raw, l1_raw = _norms(w)
    sumloss = 0.0
    objective = 0.0
    n_rows = index.shape[0]
    for ii in range(n_rows):
        if ii + PREFETCH < n_rows:
            ahead = index[ii + PREFETCH]
            _prefetch(X[ahead], 0, d)
            _prefetch(y, ahead, ahead + 1)
            _prefetch(sample_weight, ahead, ahead + 1)
            _prefetch(row_sq, ahead, ahead + 1)
        i = index[ii]
        x = X[i]
        yi = y[i]
        raw = _dot(x, w)
        p = raw * wscale + intercept
        if learning_rate == _OPTIMAL:
            eta = 1.0 / (alpha * (optimal_init + t - 1.0))
        elif learning_rate == _INVSCALING:
            eta = eta0 / t**power_t
        if compute_loss:
            cur = _loss(loss_code, loss_param, yi, p)
            sumloss += cur
            objective += cur
            if learning_rate < _PA1 and penalty > 0:
                objective += alpha * (
                    (1.0 - l1_ratio) * 0.5 * sq_raw * wscale * wscale + l1_ratio * l1_raw * wscale
                )
        update = _step(loss_code, loss_param, yi, p, eta, learning_rate, eta0, row_sq[i], is_hinge)
        if math.isnan(update):
            continue
        update *= (weight_pos if yi > 0.0 else weight_neg) * sample_weight[i]
        if penalty >= _L2:
            wscale *= max(0.0, 1.0 - (1.0 - l1_ratio) * eta * alpha)
            if wscale < threshold:
                _fold(w, aw, wscale, avg_a, avg_b, average)
                avg_a = 0.0
                avg_b = 1.0
                raw *= wscale
                sq_raw *= wscale * wscale
                l1_raw *= wscale
                wscale = 1.0
        if update != 0.0:
            c = update / wscale
            for j in range(d):
                w[j] += x[j] * c
            sq_raw += 2.0 * c * raw + c * c * row_sq[i]
        if fit_intercept:
            intercept += update * intercept_decay
        if 0 < average <= t:
            n_avg = t - average + 1.0
            if update != 0.0 and avg_a != 0.0:
                c = -avg_a * update / wscale
                for j in range(d):
                    aw[j] += x[j] * c
            if n_avg > 1.0:
                avg_b /= 1.0 - 1.0 / n_avg
            avg_a += avg_b * wscale / n_avg
            avg_intercept += (intercept - avg_intercept) / n_avg
        if penalty == _L1 or penalty == _EN:
            u += l1_ratio * eta * alpha
            sq_raw, l1_raw = _truncate_all(w, q, u, wscale)
        t += 1.0
    _fold(w, aw, wscale, avg_a, avg_b, average)
    state[0], state[1], state[2], state[3], state[4] = t, u, intercept, avg_intercept, eta
    return sumloss, objective


@njit(**JIT)
def sgd_epoch_csr(
    data, indices, indptr, y, sample_weight, index, row_sq, w, aw, q, state,
    loss_code, loss_param, penalty, alpha, l1_ratio, fit_intercept, shuffle, seed,
    weight_pos, weight_neg, learning_rate, eta0, power_t, optimal_init, intercept_decay,
    average, compute_loss,
):  # fmt: skip
    """:func:`sgd_epoch` for CSR rows ``(data, indices, indptr)``: every update touches the
    stored entries of the row only (the L1 truncation too), as in scikit-learn, and the
    penalty term of the objective uses the norms over those entries, as scikit-learn's."""
    if shuffle:
        _shuffle(index, seed)
    is_hinge = loss_code == _HINGE
    t, u, intercept, avg_intercept, eta = state[0], state[1], state[2], state[3], state[4]
    wscale = 1.0
    avg_a = 0.0
    avg_b = 1.0
    threshold = 1e-6 if w.itemsize == 4 else 1e-9
    sq_raw, l1_raw = _norms(w)
    track_l1 = penalty == _L1 or penalty == _EN
    sumloss = 0.0
    objective = 0.0
    n_rows = index.shape[0]
    for ii in range(n_rows):
        if ii + PREFETCH < n_rows:
            ahead = index[ii + PREFETCH]
            _prefetch(data, indptr[ahead], indptr[ahead + 1])
            _prefetch(indices, indptr[ahead], indptr[ahead + 1])
            _prefetch(y, ahead, ahead + 1)
            _prefetch(sample_weight, ahead, ahead + 1)
            _prefetch(row_sq, ahead, ahead + 1)
        if ii + 2 * PREFETCH < n_rows:
            _prefetch(indptr, index[ii + 2 * PREFETCH], index[ii + 2 * PREFETCH] + 2)
        i = index[ii]
        p0 = indptr[i]
        p1 = indptr[i + 1]
        yi = y[i]
        raw = 0.0
        for k in range(p0, p1):
            raw += np.float64(data[k]) * np.float64(w[indices[k]])
        p = raw * wscale + intercept
        if learning_rate == _OPTIMAL:
            eta = 1.0 / (alpha * (optimal_init + t - 1.0))
        elif learning_rate == _INVSCALING:
            eta = eta0 / t**power_t
        if compute_loss:
            cur = _loss(loss_code, loss_param, yi, p)
            sumloss += cur
            objective += cur
            if learning_rate < _PA1 and penalty > 0:
                objective += alpha * (
                    (1.0 - l1_ratio) * 0.5 * sq_raw * wscale * wscale + l1_ratio * l1_raw * wscale
                )
        update = _step(loss_code, loss_param, yi, p, eta, learning_rate, eta0, row_sq[i], is_hinge)
        if math.isnan(update):
            continue
        update *= (weight_pos if yi > 0.0 else weight_neg) * sample_weight[i]
        if penalty >= _L2:
            wscale *= max(0.0, 1.0 - (1.0 - l1_ratio) * eta * alpha)
            if wscale < threshold:
                _fold(w, aw, wscale, avg_a, avg_b, average)
                avg_a = 0.0
                avg_b = 1.0
                raw *= wscale
                sq_raw *= wscale * wscale
                l1_raw *= wscale
                wscale = 1.0
        if update != 0.0:
            # as scikit-learn's WeightVector.add, the norms entering the objective are
            # those of the entries this row touches (so the stopping rule matches its own)
            c = update / wscale
            sq_raw = 0.0
            l1_raw = 0.0
            for k in range(p0, p1):
                j = indices[k]
                w[j] += data[k] * c
                v = np.float64(w[j])
                sq_raw += v * v
                l1_raw += abs(v)
        if fit_intercept:
            intercept += update * intercept_decay
        if 0 < average <= t:
            n_avg = t - average + 1.0
            if update != 0.0 and avg_a != 0.0:
                c = -avg_a * update / wscale
                for k in range(p0, p1):
                    aw[indices[k]] += data[k] * c
            if n_avg > 1.0:
                avg_b /= 1.0 - 1.0 / n_avg
            avg_a += avg_b * wscale / n_avg
            avg_intercept += (intercept - avg_intercept) / n_avg
        if track_l1:
            u += l1_ratio * eta * alpha
            for k in range(p0, p1):
                j = indices[k]
                z = np.float64(w[j])
                if z > 0.0:
                    w[j] = max(0.0, z - (u + q[j]) / wscale)
                elif z < 0.0:
                    w[j] = min(0.0, z + (u - q[j]) / wscale)
                v = np.float64(w[j])
                q[j] += wscale * (v - z)
        t += 1.0
    _fold(w, aw, wscale, avg_a, avg_b, average)
    state[0], state[1], state[2], state[3], state[4] = t, u, intercept, avg_intercept, eta
    return sumloss, objective


# --------------------------------------------------------------------------- epoch loop


def plain_sgd(
    X, y, sample_weight, index, w, aw, state, *, loss, loss_param, penalty, alpha, l1_ratio,
    max_iter, tol, n_iter_no_change, fit_intercept, shuffle, seed, weight_pos, weight_neg,
    learning_rate, eta0, power_t, intercept_decay, average, validation_score=None,
    on_epoch=None, row_sq=None,
):  # fmt: skip
    """The epoch loop of scikit-learn's ``_plain_sgd`` around :func:`sgd_epoch`.

    ``X`` is a dense array or a ``(data, indices, indptr)`` triple; ``loss``,
    ``penalty`` and ``learning_rate`` are names (see ``LOSSES``...). Training stops after
    ``n_iter_no_change`` epochs without an improvement of ``tol`` of the mean objective (or
    of ``validation_score(w, intercept)`` when given), or after ``max_iter`` epochs; with
    ``learning_rate="adaptive"`` a stall divides ``eta`` by 5 instead, while ``eta > 1e-6``.
    ``tol=None`` never stops early. ``state`` (see the module docstring) is updated in place.
    ``on_epoch(epoch, mean_objective)`` is called after every epoch. ``row_sq`` (the
    squared row norms, computed when None) lets one-vs-all callers share them.

    Returns
    -------
    n_iter : int
        Number of epochs run.
    """
    sparse = isinstance(X, tuple)
    code = LOSSES[loss]
    pen = PENALTIES[penalty]
    lr = LEARNING_RATES[learning_rate]
    l1_ratio = {0: 0.0, 1: 1.0, 2: 0.0}.get(pen, float(l1_ratio))
    optimal_init = 0.0
    if lr == _OPTIMAL:
        typw = np.sqrt(1.0 / np.sqrt(alpha))
        initial_eta0 = typw / max(1.0, _dloss(code, loss_param, 1.0, -typw))
        optimal_init = 1.0 / (initial_eta0 * alpha)
    if row_sq is None:
        row_sq = row_sq_norms_csr(X[0], X[2]) if sparse else row_sq_norms(X)
    q = np.zeros(w.shape[0], dtype=w.dtype) if pen in (_L1, _EN) else np.zeros(1, w.dtype)
    if aw is None:
        aw = np.zeros(1, dtype=w.dtype)
    state[4] = eta0
    tol = -np.inf if tol is None else float(tol)
    n_train = max(1, index.shape[0])
    best_objective = np.inf
    best_score = -np.inf
    no_improvement = 0
    compute_loss = validation_score is None or on_epoch is not None
    args = (
        code, float(loss_param), pen, float(alpha), l1_ratio, bool(fit_intercept),
        bool(shuffle), int(seed), float(weight_pos), float(weight_neg), lr, float(eta0),
        float(power_t), optimal_init, float(intercept_decay), int(average), compute_loss,
    )  # fmt: skip
    epoch = 0
    for epoch in range(max_iter):
        if sparse:
            _, objective = sgd_epoch_csr(
                *X, y, sample_weight, index, row_sq, w, aw, q, state, *args
            )
        else:
            _, objective = sgd_epoch(X, y, sample_weight, index, row_sq, w, aw, q, state, *args)
        if not (np.isfinite(state[2]) and np.all(np.isfinite(w))):
            raise ValueError(
                f"Floating-point under-/overflow occurred at epoch #{epoch + 1}. Scaling "
                "input data with StandardScaler or MinMaxScaler might help."
            )
        objective /= n_train
        if on_epoch is not None:
            on_epoch(epoch, objective)
        if validation_score is not None:
            score = validation_score(w, state[2])
            no_improvement = no_improvement + 1 if score < best_score + tol else 0
            best_score = max(best_score, score)
        else:
            no_improvement = no_improvement + 1 if objective > best_objective - tol else 0
            best_objective = min(best_objective, objective)
        if no_improvement >= n_iter_no_change:
            if lr == 4 and state[4] > 1e-6:
                state[4] /= 5.0
                no_improvement = 0
            else:
                break
    return epoch + 1


# --------------------------------------------------------------------------- batch loss


@njit(**JIT_PARALLEL)
def sgd_loss_grad(X, y, sample_weight, coef, intercept, loss_code, loss_param, grad):
    """``sum_i s_i loss(y_i, x_i . coef + intercept)`` and its gradient, over all rows.

    ``coef`` (float64, shape ``(n_features,)``); ``grad`` (float64, shape
    ``(n_features + 1,)``) is overwritten, its last entry is the intercept's derivative.
    Rows are cut into chunks fixed by ``n_samples``; chunk partials are summed in order, so
    the result does not depend on the thread count.
    """
    n, d = X.shape
    n_chunks = max(1, min(64, (n + 255) // 256))
    parts = np.zeros((n_chunks, d + 2))
    for c in prange(n_chunks):
        start = c * n // n_chunks
        stop = (c + 1) * n // n_chunks
        part = parts[c]
        for i in range(start, stop):
            p = _dot(X[i], coef) + intercept
            s = sample_weight[i]
            g = s * _dloss(loss_code, loss_param, y[i], p)
            part[d + 1] += s * _loss(loss_code, loss_param, y[i], p)
            part[d] += g
            if g != 0.0:
                for j in range(d):
                    part[j] += g * np.float64(X[i, j])
    grad[:] = 0.0
    total = 0.0
    for c in range(n_chunks):
        for j in range(d + 1):
            grad[j] += parts[c, j]
        total += parts[c, d + 1]
    return total


@njit(**JIT_PARALLEL)
def sgd_loss_grad_csr(data, indices, indptr, y, sample_weight, coef, intercept, loss_code,
                      loss_param, grad):  # fmt: skip
    """:func:`sgd_loss_grad` for CSR rows ``(data, indices, indptr)``."""
    n = indptr.shape[0] - 1
    d = coef.shape[0]
    n_chunks = max(1, min(64, (n + 255) // 256))
    parts = np.zeros((n_chunks, d + 2))
    for c in prange(n_chunks):
        start = c * n // n_chunks
        stop = (c + 1) * n // n_chunks
        part = parts[c]
        for i in range(start, stop):
            p = intercept
            for k in range(indptr[i], indptr[i + 1]):
                p += np.float64(data[k]) * coef[indices[k]]
            s = sample_weight[i]
            g = s * _dloss(loss_code, loss_param, y[i], p)
            part[d + 1] += s * _loss(loss_code, loss_param, y[i], p)
            part[d] += g
            if g != 0.0:
                for k in range(indptr[i], indptr[i + 1]):
                    part[indices[k]] += g * np.float64(data[k])
    grad[:] = 0.0
    total = 0.0
    for c in range(n_chunks):
        for j in range(d + 1):
            grad[j] += parts[c, j]
        total += parts[c, d + 1]
    return total

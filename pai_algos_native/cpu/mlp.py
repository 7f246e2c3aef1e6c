"""Multi-layer perceptron kernels (CPU): the elementwise work of a forward/backward pass.

The matrix products of a layer go through NumPy's BLAS; everything between two products is
one fused kernel here, so a training step makes no NumPy temporaries:

- :func:`bias_activation`: ``Z <- f(Z + b)`` for a hidden layer;
- :func:`output_delta`: ``Z + b`` through the output activation (identity, logistic, softmax
  or exp), the loss of the rows, and the output error ``delta = (f(Z + b) - Y) * sw``
  written over ``Z`` (canonical link: this is the derivative of the loss with respect to the
  pre-activation for squared/identity, binary log-loss/logistic, log-loss/softmax and
  Poisson/exp), with the column sums of ``delta`` (the bias gradient);
- :func:`hidden_delta`: ``delta <- delta * f'(A)`` from the layer's outputs ``A``, with its
  column sums;
- :func:`adam_step`, :func:`sgd_step`: the parameter updates of Adam (Kingma and Ba, 2015)
  and SGD with (Nesterov) momentum over the packed parameter vector, which also finish the
  gradient (``(G + alpha W) / sw_sum`` on the weights, ``G / sw_sum`` on the biases) and
  return the squared L2 norm of the weights before the step; :func:`finish_grad` does the
  finishing alone (L-BFGS);
- :func:`gather_rows`: a shuffled mini-batch copied into a reused buffer.

Conventions: the arrays of one call share the dtype of the data (float32 or float64) and are
C-contiguous; ``sw`` has that dtype too and is empty (shape ``(0,)``) for unit weights. Sums
(losses, bias gradients, norms) accumulate in float64 over fixed chunks of rows or
parameters, reduced in chunk order, so results do not depend on the thread count.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "ACTIVATIONS",
    "OUTPUTS",
    "adam_step",
    "bias_activation",
    "bias_output",
    "finish_grad",
    "gather_rows",
    "hidden_delta",
    "output_delta",
    "sgd_step",
]

ACTIVATIONS = {"identity": 0, "logistic": 1, "tanh": 2, "relu": 3}
OUTPUTS = {"identity": 0, "logistic": 1, "softmax": 2, "exp": 3}

_IDENTITY, _LOGISTIC, _TANH, _RELU = 0, 1, 2, 3
_SOFTMAX, _EXP = 2, 3
# rows (or parameters) per partial sum: fixed, so the reduction order is too
_ROW_CHUNK = 64
_PARAM_CHUNK = 8192
# below this many values a kernel runs on the calling thread: starting the thread pool costs
# more than the work (a mini-batch of 200 x 100 is 20,000 values)
_PARALLEL_MIN = 65536
_MAX_TASKS = 64


@njit(**JIT)
def _n_tasks(n_rows, n_cols):
    if n_rows * n_cols < _PARALLEL_MIN:
        return 1
    return max(1, min(_MAX_TASKS, n_rows * n_cols // (_PARALLEL_MIN // 4)))


@njit(**JIT)
def _zeros(shape):
    # allocated outside the parallel functions: there numba would turn np.zeros into a
    # parallel loop, whose thread start costs more than a mini-batch kernel
    return np.zeros(shape)


@njit(**JIT)
def _activate(z, act):
    if act == _LOGISTIC:
        return 1.0 / (1.0 + math.exp(-z))
    if act == _TANH:
        return math.tanh(z)
    if act == _RELU:
        return z if z > 0.0 else 0.0
    return z


@njit(**JIT)
def _derivative(a, act):
    if act == _LOGISTIC:
        return a * (1.0 - a)
    if act == _TANH:
        return 1.0 - a * a
    if act == _RELU:
        return 1.0 if a != 0.0 else 0.0
    return 1.0


@njit(**JIT)
def _xlogy(x, y):
    return 0.0 if x == 0.0 else x * math.log(y)


@njit(**JIT)
def _bias_activation_rows(Z, b, act, r0, r1):
    for i in range(r0, r1):
        for j in range(Z.shape[1]):
            Z[i, j] = _activate(np.float64(Z[i, j]) + b[j], act)


@njit(**JIT_PARALLEL)
def bias_activation(Z, b, act):
    """``Z <- f(Z + b)`` in place, ``f`` the hidden activation of code ``act``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_units)
        The layer's products ``A @ W``; overwritten with its outputs.
    b : ndarray of shape (n_units,)
    act : int
        A value of :data:`ACTIVATIONS`.
    """
    n, k = Z.shape
    n_tasks = _n_tasks(n, k)
    if n_tasks == 1:
        _bias_activation_rows(Z, b, act, 0, n)
        return
    per = (n + n_tasks - 1) // n_tasks
    for t in prange(n_tasks):
        _bias_activation_rows(Z, b, act, t * per, min(n, (t + 1) * per))


@njit(**JIT)
def _output_row(Z, i, b, out):
    """Output activation of row ``i`` of ``Z + b``, in place."""
    k = Z.shape[1]
    if out == _SOFTMAX:
        zmax = -np.inf
        for j in range(k):
            z = np.float64(Z[i, j]) + b[j]
            Z[i, j] = z
            if Z[i, j] > zmax:
                zmax = Z[i, j]
        s = 0.0
        for j in range(k):
            e = math.exp(np.float64(Z[i, j]) - zmax)
            Z[i, j] = e
            s += Z[i, j]
        for j in range(k):
            Z[i, j] = Z[i, j] / s
    elif out == _EXP:
        for j in range(k):
            Z[i, j] = math.exp(np.float64(Z[i, j]) + b[j])
    else:
        for j in range(k):
            Z[i, j] = _activate(np.float64(Z[i, j]) + b[j], out)


@njit(**JIT_PARALLEL)
def bias_output(Z, b, out):
    """``Z <- g(Z + b)`` in place, ``g`` the output activation of code ``out`` (rows for softmax).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
    b : ndarray of shape (n_outputs,)
    out : int
        A value of :data:`OUTPUTS`.
    """
    n = Z.shape[0]
    if _n_tasks(n, Z.shape[1]) == 1:
        for i in range(n):
            _output_row(Z, i, b, out)
    else:
        for i in prange(n):
            _output_row(Z, i, b, out)


@njit(**JIT)
def _output_chunk(Z, b, Y, sw, out, eps, part, c):
    """Rows of chunk ``c``: output activation, loss, ``delta`` over ``Z``, column sums."""
    n, k = Z.shape
    weighted = sw.shape[0] > 0
    acc = 0.0
    for i in range(c * _ROW_CHUNK, min(n, (c + 1) * _ROW_CHUNK)):
        _output_row(Z, i, b, out)
        w = np.float64(sw[i]) if weighted else 1.0
        row = 0.0
        for j in range(k):
            p = np.float64(Z[i, j])
            y = np.float64(Y[i, j])
            if out == _IDENTITY:
                row += 0.5 * (y - p) * (y - p) / k
            elif out == _EXP:
                row += _xlogy(y, y / p) - y + p
            else:
                q = min(max(p, eps), 1.0 - eps)
                row -= _xlogy(y, q)
                if out == _LOGISTIC:
                    row -= _xlogy(1.0 - y, 1.0 - q)
            Z[i, j] = (p - y) * w
            part[c, j] += Z[i, j]
        acc += w * row
    return acc


@njit(**JIT)
def _column_sums(part, gb):
    for j in range(part.shape[1]):
        s = 0.0
        for c in range(part.shape[0]):
            s += part[c, j]
        gb[j] = s


@njit(**JIT)
def _sum(part):
    s = 0.0
    for c in range(part.shape[0]):
        s += part[c]
    return s


@njit(**JIT_PARALLEL)
def output_delta(Z, b, Y, sw, out, eps, gb):
    """Output layer of a training step: activation, loss and error in one pass.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_outputs)
        The products of the last hidden layer with the output weights; overwritten with
        ``delta = (g(Z + b) - Y) * sw``.
    b : ndarray of shape (n_outputs,)
    Y : ndarray of shape (n_samples, n_outputs)
        Targets (the binarised labels for a classifier).
    sw : ndarray of shape (n_samples,) or (0,)
        Sample weights; empty for unit weights.
    out : int
        A value of :data:`OUTPUTS`: identity gives the half squared error averaged over
        the outputs, logistic the binary log-loss summed over the outputs, softmax the
        log-loss, exp the half Poisson deviance summed over the outputs.
    eps : float
        Probabilities are clipped to ``[eps, 1 - eps]`` in the log-losses.
    gb : ndarray of shape (n_outputs,)
        Receives the column sums of ``delta`` (the unscaled bias gradient).

    Returns
    -------
    loss : float
        The weighted sum of the row losses (float64).
    """
    n, k = Z.shape
    n_chunks = (n + _ROW_CHUNK - 1) // _ROW_CHUNK
    part = _zeros((n_chunks, k))
    loss_part = _zeros((n_chunks,))
    if _n_tasks(n, k) == 1:
        for c in range(n_chunks):
            loss_part[c] = _output_chunk(Z, b, Y, sw, out, eps, part, c)
    else:
        for c in prange(n_chunks):
            loss_part[c] = _output_chunk(Z, b, Y, sw, out, eps, part, c)
    _column_sums(part, gb)
    return _sum(loss_part)


@njit(**JIT)
def _hidden_chunk(D, A, act, part, c):
    n, k = D.shape
    for i in range(c * _ROW_CHUNK, min(n, (c + 1) * _ROW_CHUNK)):
        for j in range(k):
            D[i, j] = D[i, j] * _derivative(np.float64(A[i, j]), act)
            part[c, j] += D[i, j]


@njit(**JIT_PARALLEL)
def hidden_delta(D, A, act, gb):
    """``D <- D * f'(A)`` in place (``A`` the layer's outputs), with the column sums of ``D``.

    Parameters
    ----------
    D : ndarray of shape (n_samples, n_units)
        The error back-propagated through the next layer's weights.
    A : ndarray of shape (n_samples, n_units)
        The outputs of this layer in the forward pass.
    act : int
        A value of :data:`ACTIVATIONS`.
    gb : ndarray of shape (n_units,)
        Receives the column sums of the new ``D`` (the unscaled bias gradient).
    """
    n, k = D.shape
    n_chunks = (n + _ROW_CHUNK - 1) // _ROW_CHUNK
    part = _zeros((n_chunks, k))
    if _n_tasks(n, k) == 1:
        for c in range(n_chunks):
            _hidden_chunk(D, A, act, part, c)
    else:
        for c in prange(n_chunks):
            _hidden_chunk(D, A, act, part, c)
    _column_sums(part, gb)


@njit(**JIT)
def _sq_norm_chunk(params, lo, hi):
    acc = 0.0
    for i in range(lo, hi):
        p = np.float64(params[i])
        acc += p * p
    return acc


@njit(**JIT_PARALLEL)
def _sq_norm(params, n_coef):
    """Squared norm of ``params[:n_coef]``, partial sums over fixed chunks."""
    n_chunks = (n_coef + _PARAM_CHUNK - 1) // _PARAM_CHUNK
    part = _zeros((n_chunks,))
    if n_coef < _PARALLEL_MIN:
        for c in range(n_chunks):
            part[c] = _sq_norm_chunk(params, c * _PARAM_CHUNK, min(n_coef, (c + 1) * _PARAM_CHUNK))
    else:
        for c in prange(n_chunks):
            part[c] = _sq_norm_chunk(params, c * _PARAM_CHUNK, min(n_coef, (c + 1) * _PARAM_CHUNK))
    return _sum(part)


@njit(**JIT)
def _finish_range(params, grads, lo, hi, n_coef, alpha, inv_sw):
    # two branch-free loops (weights, then biases) so that each vectorises
    for i in range(lo, min(hi, n_coef)):
        grads[i] = (grads[i] + alpha * params[i]) * inv_sw
    for i in range(max(lo, n_coef), hi):
        grads[i] = grads[i] * inv_sw


@njit(**JIT)
def _adam_range(params, grads, ms, vs, lo, hi, n_coef, alpha, inv_sw, lr, b1, b2, eps):
    _finish_range(params, grads, lo, hi, n_coef, alpha, inv_sw)
    c1 = 1.0 - b1
    c2 = 1.0 - b2
    for i in range(lo, hi):
        g = grads[i]
        m = b1 * ms[i] + c1 * g
        v = b2 * vs[i] + c2 * g * g
        ms[i] = m
        vs[i] = v
        params[i] -= lr * m / (math.sqrt(v) + eps)


@njit(**JIT)
def _sgd_range(params, grads, vel, lo, hi, n_coef, alpha, inv_sw, lr, momentum, nesterov):
    _finish_range(params, grads, lo, hi, n_coef, alpha, inv_sw)
    if nesterov:
        for i in range(lo, hi):
            g = grads[i]
            u = momentum * vel[i] - lr * g
            vel[i] = u
            params[i] += momentum * u - lr * g
    else:
        for i in range(lo, hi):
            u = momentum * vel[i] - lr * grads[i]
            vel[i] = u
            params[i] += u


@njit(**JIT_PARALLEL)
def finish_grad(params, grads, n_coef, alpha, inv_sw):
    """Finish a packed gradient in place: ``(G + alpha W) * inv_sw`` on the first ``n_coef``
    entries (the weights), ``G * inv_sw`` on the rest (the biases).

    Parameters
    ----------
    params, grads : ndarray of shape (n_params,)
        The packed parameters (weights first) and the raw gradient (``A.T @ delta`` and the
        column sums of ``delta``).
    n_coef : int
    alpha : float
        L2 penalty.
    inv_sw : float
        One over the sum of the sample weights.

    Returns
    -------
    sq_norm : float
        Squared L2 norm of the weights (float64).
    """
    n = params.shape[0]
    sq = _sq_norm(params, n_coef)
    if n < _PARALLEL_MIN:
        _finish_range(params, grads, 0, n, n_coef, alpha, inv_sw)
    else:
        for c in prange((n + _PARAM_CHUNK - 1) // _PARAM_CHUNK):
            lo = c * _PARAM_CHUNK
            _finish_range(params, grads, lo, min(n, lo + _PARAM_CHUNK), n_coef, alpha, inv_sw)
    return sq


@njit(**JIT_PARALLEL)
def adam_step(params, grads, ms, vs, n_coef, alpha, inv_sw, lr, beta_1, beta_2, epsilon):
    """One Adam step over the packed parameters, in place (scikit-learn's ``AdamOptimizer``).

    ``grads`` is finished in place first (see :func:`finish_grad`), giving ``g``; then
    ``m <- beta_1 m + (1 - beta_1) g``, ``v <- beta_2 v + (1 - beta_2) g**2`` and
    ``p <- p - lr * m / (sqrt(v) + epsilon)``, where ``lr`` already carries the bias
    correction ``lr_init * sqrt(1 - beta_2**t) / (1 - beta_1**t)``.

    Parameters
    ----------
    params, grads, ms, vs : ndarray of shape (n_params,)
        Parameters (weights first), raw gradient, first and second moments.
    n_coef : int
        Number of weights (the L2 penalty applies to them only).
    alpha, inv_sw : float
        L2 penalty and one over the sum of the sample weights.
    lr, beta_1, beta_2, epsilon : float

    Returns
    -------
    sq_norm : float
        Squared L2 norm of the weights before the step (float64).
    """
    n = params.shape[0]
    sq = _sq_norm(params, n_coef)
    if n < _PARALLEL_MIN:
        _adam_range(params, grads, ms, vs, 0, n, n_coef, alpha, inv_sw, lr, beta_1, beta_2,
                    epsilon)  # fmt: skip
    else:
        for c in prange((n + _PARAM_CHUNK - 1) // _PARAM_CHUNK):
            lo = c * _PARAM_CHUNK
            _adam_range(params, grads, ms, vs, lo, min(n, lo + _PARAM_CHUNK), n_coef, alpha,
                        inv_sw, lr, beta_1, beta_2, epsilon)  # fmt: skip
    return sq


@njit(**JIT_PARALLEL)
def sgd_step(params, grads, velocities, n_coef, alpha, inv_sw, lr, momentum, nesterov):
    """One SGD step with momentum over the packed parameters, in place (scikit-learn's
    ``SGDOptimizer``): ``u <- momentum u - lr g``, then ``p <- p + u``, or with Nesterov's
    momentum ``p <- p + momentum u - lr g`` (``g`` the finished gradient, as in
    :func:`adam_step`).

    Parameters
    ----------
    params, grads, velocities : ndarray of shape (n_params,)
    n_coef : int
    alpha, inv_sw : float
    lr, momentum : float
    nesterov : bool

    Returns
    -------
    sq_norm : float
        Squared L2 norm of the weights before the step (float64).
    """
    n = params.shape[0]
    sq = _sq_norm(params, n_coef)
    if n < _PARALLEL_MIN:
        _sgd_range(params, grads, velocities, 0, n, n_coef, alpha, inv_sw, lr, momentum,
                   nesterov)  # fmt: skip
    else:
        for c in prange((n + _PARAM_CHUNK - 1) // _PARAM_CHUNK):
            lo = c * _PARAM_CHUNK
            _sgd_range(params, grads, velocities, lo, min(n, lo + _PARAM_CHUNK), n_coef,
                       alpha, inv_sw, lr, momentum, nesterov)  # fmt: skip
    return sq


@njit(**JIT)
def _gather_range(X, idx, out, r0, r1):
    for r in range(r0, r1):
        src = idx[r]
        for j in range(X.shape[1]):
            out[r, j] = X[src, j]


@njit(**JIT_PARALLEL)
def gather_rows(X, idx, out):
    """``out[:len(idx)] <- X[idx]`` (a shuffled mini-batch into a reused buffer).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)
    idx : ndarray of shape (m,), int64
    out : ndarray of shape (>= m, n_columns)
    """
    m = idx.shape[0]
    n_tasks = _n_tasks(m, X.shape[1])
    if n_tasks == 1:
        _gather_range(X, idx, out, 0, m)
        return
    per = (m + n_tasks - 1) // n_tasks
    for t in prange(n_tasks):
        _gather_range(X, idx, out, t * per, min(m, (t + 1) * per))

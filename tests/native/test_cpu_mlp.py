"""MLP kernels against the plain references of naive_mlp (fresh random inputs)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import mlp as k

from . import naive_mlp as naive

DTYPES = [np.float32, np.float64]
TOL = {np.float32: 2e-5, np.float64: 1e-12}
# 700 x 100 values exceed the kernels' parallel threshold: both code paths run
SHAPES = [(1, 3), (37, 5), (700, 100)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("act", list(k.ACTIVATIONS))
def test_bias_activation(rng, dtype, shape, act):
    Z = rng.normal(size=shape).astype(dtype)
    b = rng.normal(size=shape[1]).astype(dtype)
    expected = naive.activate(Z.astype(float) + b, act)
    k.bias_activation(Z, b, k.ACTIVATIONS[act])
    np.testing.assert_allclose(Z, expected, rtol=TOL[dtype], atol=TOL[dtype])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("act", list(k.ACTIVATIONS))
def test_hidden_delta(rng, dtype, shape, act):
    A = naive.activate(rng.normal(size=shape), act).astype(dtype)
    A[:, 0] = 0.0  # a constant column (dead relu units)
    D = rng.normal(size=shape).astype(dtype)
    expected = D.astype(float) * naive.derivative(A, act)
    gb = np.empty(shape[1], dtype)
    k.hidden_delta(D, A, k.ACTIVATIONS[act], gb)
    np.testing.assert_allclose(D, expected, rtol=TOL[dtype], atol=TOL[dtype])
    np.testing.assert_allclose(gb, expected.sum(axis=0), rtol=1e-4, atol=TOL[dtype] * shape[0])


def _targets(rng, out, n, n_out):
    if out == "softmax":
        return np.eye(n_out)[rng.integers(0, n_out, n)]
    if out == "logistic":
        return (rng.random((n, n_out)) < 0.5).astype(float)
    if out == "exp":
        return rng.poisson(2.0, size=(n, n_out)).astype(float)
    return rng.normal(size=(n, n_out))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(1, 3), (37, 4), (1500, 50)])
@pytest.mark.parametrize("out", list(k.OUTPUTS))
@pytest.mark.parametrize("weighted", [False, True])
def test_output_delta(rng, dtype, shape, out, weighted):
    n, n_out = shape
    Z = rng.normal(size=shape).astype(dtype)
    b = rng.normal(size=n_out).astype(dtype)
    Y = _targets(rng, out, n, n_out).astype(dtype)
    sw = rng.uniform(0.5, 2.0, n).astype(dtype) if weighted else None
    eps = float(np.finfo(dtype).eps)
    loss, delta, gsum = naive.output_delta(Z, b, Y, sw, out, eps)
    gb = np.empty(n_out, dtype)
    got = k.output_delta(Z, b, Y, np.empty(0, dtype) if sw is None else sw, k.OUTPUTS[out], eps,
                         gb)  # fmt: skip
    rtol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got, loss, rtol=rtol)
    np.testing.assert_allclose(Z, delta, rtol=rtol, atol=TOL[dtype])
    np.testing.assert_allclose(gb, gsum, rtol=rtol, atol=TOL[dtype] * n)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("out", list(k.OUTPUTS))
def test_bias_output(rng, dtype, out):
    Z = rng.normal(size=(23, 4)).astype(dtype)
    b = rng.normal(size=4).astype(dtype)
    expected = naive.output(Z, b, out)
    k.bias_output(Z, b, k.OUTPUTS[out])
    np.testing.assert_allclose(Z, expected, rtol=TOL[dtype], atol=TOL[dtype])


def _params(rng, n, dtype):
    p = rng.normal(size=n).astype(dtype)
    g = rng.normal(size=n).astype(dtype)
    return p, g


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 57, 100_000])
def test_finish_grad(rng, dtype, n):
    p, g = _params(rng, n, dtype)
    n_coef = max(1, n - 7)
    expected, sq = naive.finish(p, g, n_coef, 0.3, 1 / 13)
    got = k.finish_grad(p, g, n_coef, 0.3, 1 / 13)
    np.testing.assert_allclose(g, expected, rtol=TOL[dtype] * 10, atol=TOL[dtype])
    np.testing.assert_allclose(got, sq, rtol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n", [1, 57, 100_000])
def test_adam_step(rng, dtype, n):
    p, g = _params(rng, n, dtype)
    m = (0.1 * rng.normal(size=n)).astype(dtype)
    v = rng.uniform(0, 0.1, n).astype(dtype)
    n_coef = n // 2
    args = (n_coef, 1e-2, 1 / 7, 1e-3, 0.9, 0.999, 1e-8)
    ep, em, ev, sq = naive.adam(p.astype(float), g, m.astype(float), v.astype(float), *args)
    got = k.adam_step(p, g, m, v, *args)
    for a, b in [(p, ep), (m, em), (v, ev)]:
        np.testing.assert_allclose(a, b, rtol=TOL[dtype] * 10, atol=TOL[dtype])
    np.testing.assert_allclose(got, sq, rtol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("n", [1, 57, 100_000])
def test_sgd_step(rng, dtype, nesterov, n):
    p, g = _params(rng, n, dtype)
    vel = (0.1 * rng.normal(size=n)).astype(dtype)
    args = (n - 1, 1e-3, 1 / 5, 0.05, 0.9, nesterov)
    ep, evel, sq = naive.sgd(p.astype(float), g, vel.astype(float), *args)
    got = k.sgd_step(p, g, vel, *args)
    np.testing.assert_allclose(p, ep, rtol=TOL[dtype] * 10, atol=TOL[dtype])
    np.testing.assert_allclose(vel, evel, rtol=TOL[dtype] * 10, atol=TOL[dtype])
    np.testing.assert_allclose(got, sq, rtol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("m", [1, 40, 2000])
def test_gather_rows(rng, dtype, m):
    X = rng.normal(size=(3000, 50)).astype(dtype)
    idx = rng.permutation(3000)[:m]
    out = np.zeros((m + 3, 50), dtype)
    k.gather_rows(X, idx, out)
    np.testing.assert_array_equal(out[:m], X[idx])
    assert not out[m:].any()


def test_reductions_do_not_depend_on_threads(rng):
    import numba

    Z = rng.normal(size=(3000, 40))
    Y = np.eye(40)[rng.integers(0, 40, 3000)]
    results = []
    for threads in (1, numba.config.NUMBA_NUM_THREADS):
        numba.set_num_threads(threads)
        try:
            gb = np.empty(40)
            loss = k.output_delta(Z.copy(), np.zeros(40), Y, np.empty(0), 2, 1e-16, gb)
            results.append((loss, gb))
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert results[0][0] == results[1][0]
    np.testing.assert_array_equal(results[0][1], results[1][1])

"""CUDA logistic loss-and-gradient kernels against the CPU kernels (simulator or GPU)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos_native.cpu import linear as cpu

DTYPES = [np.float32, np.float64]


@pytest.fixture
def gpu(monkeypatch):
    from pai_algos_native.cuda import linear

    # several row chunks even on tiny data
    monkeypatch.setattr(linear, "CHUNK_ROWS", 16)
    return linear


def _problem(rng, n, d, n_outputs, dtype, density=None):
    if density is None:
        X = rng.normal(size=(n, d)).astype(dtype)
    else:
        X = sp.random(n, d, density=density, format="csr", random_state=rng, dtype=dtype)
    n_classes = 2 if n_outputs == 1 else n_outputs
    y = rng.integers(0, n_classes, size=n).astype(np.int64)
    sw = rng.uniform(0.0, 2.0, size=n)
    coef = rng.normal(scale=0.5, size=(n_outputs, d))
    intercept = rng.normal(size=n_outputs)
    return X, y, sw, coef, intercept


def _both(mod_gpu, X, y, sw, coef, intercept):
    out = []
    for mod in (cpu, mod_gpu):
        grad = np.full((coef.shape[0], coef.shape[1] + 1), np.nan)
        if sp.issparse(X):
            loss = mod.logistic_loss_grad_csr(
                X.data, X.indices, X.indptr, y, sw, coef, intercept, grad
            )
        else:
            loss = mod.logistic_loss_grad(X, y, sw, coef, intercept, grad)
        out.append((loss, grad))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("sparse", [False, True])
def test_cuda_matches_cpu(gpu, rng, dtype, n_outputs, sparse):
    X, y, sw, coef, intercept = _problem(
        rng, 45, 5, n_outputs, dtype, density=0.5 if sparse else None
    )
    (loss_c, grad_c), (loss_g, grad_g) = _both(gpu, X, y, sw, coef, intercept)
    np.testing.assert_allclose(loss_g, loss_c, rtol=1e-10)
    np.testing.assert_allclose(grad_g, grad_c, rtol=1e-9, atol=1e-10)


def test_cuda_single_row(gpu, rng):
    X, y, sw, coef, intercept = _problem(rng, 1, 4, 3, np.float64)
    (loss_c, grad_c), (loss_g, grad_g) = _both(gpu, X, y, sw, coef, intercept)
    np.testing.assert_allclose(loss_g, loss_c, rtol=1e-12)
    np.testing.assert_allclose(grad_g, grad_c, rtol=1e-10, atol=1e-12)


def test_cuda_accepts_device_arrays(gpu, rng):
    X, y, sw, coef, intercept = _problem(rng, 20, 3, 1, np.float32)
    grad = np.empty((1, 4))
    loss = gpu.logistic_loss_grad(
        gpu.to_device(X), gpu.to_device(y), gpu.to_device(sw), coef, intercept, grad
    )
    (loss_c, grad_c), _ = _both(gpu, X, y, sw, coef, intercept)
    np.testing.assert_allclose(loss, loss_c, rtol=1e-10)
    np.testing.assert_allclose(grad, grad_c, rtol=1e-9, atol=1e-10)


def test_cuda_shape_mismatch_is_an_error(gpu, rng):
    X, y, sw, coef, intercept = _problem(rng, 10, 3, 1, np.float64)
    with pytest.raises(ValueError, match="shape mismatch"):
        gpu.logistic_loss_grad(X, y, sw, coef, intercept, np.empty((1, 3)))


@pytest.mark.parametrize("sparse", [False, True])
def test_logistic_regression_cuda_matches_cpu(sparse):
    from sklearn.datasets import make_classification

    from pai_algos.linear_model import LogisticRegression

    X, y = make_classification(
        n_samples=50, n_features=4, n_informative=3, n_redundant=1, random_state=0
    )
    if sparse:
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))
    a = LogisticRegression(device="cpu", max_iter=30).fit(X, y)
    b = LogisticRegression(device="cuda", max_iter=30).fit(X, y)
    assert b.device_ == "cuda"
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(b.intercept_, a.intercept_, rtol=1e-6, atol=1e-8)

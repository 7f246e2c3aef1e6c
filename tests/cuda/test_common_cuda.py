"""For every estimator with a CUDA path: the CUDA path gives what the CPU path gives."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos import all_estimators

from .._common_data import data_for, make_estimator, outputs

CUDA_CLASSES = [cls for _, cls in all_estimators() if getattr(cls, "_has_cuda_path", False)]


@pytest.mark.parametrize("cls", CUDA_CLASSES, ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cuda_path_matches_cpu(cls, dtype):
    X, y = data_for(cls, seed=11, n_samples=60, dtype=dtype)
    fit_kw = {} if y is None else {"y": y}
    cpu = make_estimator(cls, device="cpu", random_state=0).fit(X, **fit_kw)
    gpu = make_estimator(cls, device="cuda", random_state=0).fit(X, **fit_kw)
    assert gpu.device_ == "cuda" and cpu.device_ == "cpu"
    rtol = 2e-3 if dtype == np.float32 else 1e-5
    out_cpu, out_gpu = outputs(cpu, X), outputs(gpu, X)
    for key in out_cpu:
        a, b = np.asarray(out_cpu[key]), np.asarray(out_gpu[key])
        if np.issubdtype(a.dtype, np.floating):
            np.testing.assert_allclose(b, a, rtol=rtol, atol=rtol, err_msg=f"{cls.__name__}.{key}")
        else:
            np.testing.assert_array_equal(b, a, err_msg=f"{cls.__name__}.{key}")

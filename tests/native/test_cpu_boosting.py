"""The AdaBoost combination kernels against NumPy references."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import boosting

from . import naive_boosting as naive


@pytest.mark.parametrize("n_classes", [2, 3, 7])
def test_samme_votes(rng, n_classes):
    n_est, n = 13, 40
    codes = rng.integers(0, n_classes, size=(n_est, n)).astype(np.int32)
    w = rng.uniform(0.1, 2.0, size=n_est)
    out = np.empty((n, n_classes))
    boosting.samme_votes(codes, w, n_classes, out)
    np.testing.assert_allclose(out, naive.samme_votes(codes, w, n_classes), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_est", [1, 2, 9])
def test_weighted_median(rng, dtype, n_est):
    n = 50
    # few distinct values, so ties and threshold crossings inside tie groups occur
    preds = rng.integers(0, 4, size=(n, n_est)).astype(dtype)
    w = rng.uniform(0.0, 1.0, size=n_est)
    w[0] += 0.1
    out = np.empty(n, dtype=dtype)
    boosting.weighted_median(np.ascontiguousarray(preds), w, out)
    np.testing.assert_array_equal(out, naive.weighted_median(preds, w).astype(dtype))


def test_weighted_median_single_row_equal_weights():
    preds = np.array([[3.0, 1.0, 2.0, 4.0]])
    out = np.empty(1)
    boosting.weighted_median(preds, np.ones(4), out)
    # cumulative weights 1, 2, 3, 4 over sorted 1, 2, 3, 4: the first to reach 2 is the value 2
    assert out[0] == 2.0

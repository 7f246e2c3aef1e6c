"""CPU Theil-Sen and RANSAC kernels against the NumPy references (fresh random inputs)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import linear_robust

from .naive_linear_robust import ransac_trial, residual_mask, spatial_median, subset_lstsq

DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("m", [4, 7])
def test_subset_lstsq_matches_numpy(rng, dtype, fit_intercept, m):
    n, d = 50, 3
    X = rng.normal(size=(n, d)).astype(dtype)
    y = rng.normal(size=n)
    indices = np.array([rng.choice(n, size=m, replace=False) for _ in range(150)])
    out = np.full((150, d + fit_intercept), np.nan)
    linear_robust.subset_lstsq(X, y, indices, fit_intercept, out)
    np.testing.assert_allclose(
        out, subset_lstsq(X, y, indices, fit_intercept), rtol=1e-7, atol=1e-9
    )


def test_subset_lstsq_rank_deficient_and_underdetermined(rng):
    X = rng.normal(size=(20, 4))
    X[:, 3] = 2.0 * X[:, 0]  # collinear: minimum-norm answers
    y = rng.normal(size=20)
    indices = np.array([rng.choice(20, size=6, replace=False) for _ in range(30)])
    out = np.empty((30, 5))
    linear_robust.subset_lstsq(X, y, indices, True, out)
    np.testing.assert_allclose(out, subset_lstsq(X, y, indices, True), rtol=1e-6, atol=1e-8)
    # fewer rows than unknowns
    indices = np.array([rng.choice(20, size=3, replace=False) for _ in range(10)])
    out = np.empty((10, 5))
    linear_robust.subset_lstsq(X, y, indices, True, out)
    np.testing.assert_allclose(out, subset_lstsq(X, y, indices, True), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("p", [1, 2, 5])
def test_spatial_median_matches_numpy(rng, p):
    W = rng.standard_t(df=2, size=(301, p))
    n_iter, med, converged = linear_robust.spatial_median(W, 300, 1e-6)
    ref_iter, ref = spatial_median(W, 300, 1e-6)
    assert converged and n_iter == ref_iter
    np.testing.assert_allclose(med, ref, rtol=1e-10, atol=1e-12)


def test_spatial_median_on_a_data_point():
    # the mean is one of the points: the modified step must not divide by zero
    W = np.array([[0.0, 0.0], [1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    n_iter, med, converged = linear_robust.spatial_median(W, 50, 1e-8)
    assert converged
    np.testing.assert_allclose(med, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(med, spatial_median(W, 50, 1e-8)[1], atol=1e-12)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("squared", [False, True])
def test_residual_mask_matches_numpy(rng, dtype, squared):
    X = rng.normal(size=(200, 4)).astype(dtype)
    y = rng.normal(size=200)
    coef, intercept = rng.normal(size=4), 0.3
    mask = np.zeros(200, dtype=bool)
    count = linear_robust.residual_mask(X, y, coef, intercept, 1.2, squared, mask)
    ref = residual_mask(X, y, coef, intercept, 1.2, squared)
    np.testing.assert_array_equal(mask, ref)
    assert count == ref.sum()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ransac_trials_match_numpy(rng, dtype, fit_intercept):
    n, d, m = 300, 3, 4
    X = rng.normal(size=(n, d)).astype(dtype)
    y = X.astype(np.float64) @ np.array([1.0, -2.0, 0.5]) + 1.0 + 0.1 * rng.normal(size=n)
    y[:60] += rng.normal(scale=20, size=60)
    subsets = np.array([rng.choice(n, size=m, replace=False) for _ in range(24)], dtype=np.int64)
    coef, intercept = np.empty((24, d)), np.empty(24)
    n_inl, score = np.empty(24, dtype=np.int64), np.empty(24)
    linear_robust.ransac_trials(
        X, y, subsets, fit_intercept, 0.5, False, coef, intercept, n_inl, score
    )
    for t in range(24):
        rc, ri, rn, rs = ransac_trial(X, y, subsets[t], fit_intercept, 0.5, False)
        np.testing.assert_allclose(coef[t], rc, rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(intercept[t], ri, rtol=1e-6, atol=1e-8)
        assert abs(n_inl[t] - rn) <= 1  # a residual within rounding of the threshold may flip
        if n_inl[t] == rn:
            np.testing.assert_allclose(score[t], rs, rtol=1e-7, atol=1e-9)


def test_ransac_trials_single_row_subsets_and_constant_y(rng):
    X = rng.normal(size=(30, 1))
    y = np.full(30, 2.0)
    subsets = np.arange(10, dtype=np.int64).reshape(5, 2)
    coef, intercept = np.empty((5, 1)), np.empty(5)
    n_inl, score = np.empty(5, dtype=np.int64), np.empty(5)
    linear_robust.ransac_trials(X, y, subsets, True, 1e-9, False, coef, intercept, n_inl, score)
    np.testing.assert_allclose(coef, 0.0, atol=1e-12)
    np.testing.assert_allclose(intercept, 2.0)
    assert (n_inl == 30).all() and (score == 1.0).all()  # perfect fit of a constant target

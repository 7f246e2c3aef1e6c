"""RANSACRegressor against scikit-learn on data with planted outliers.

Quality is what is compared: every planted outlier is rejected, the coefficients are within
0.05 of the true ones and within 1e-6 of scikit-learn's; with the default linear estimator
the subsets are drawn as scikit-learn draws them, so the inlier mask is identical too.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import LinearRegression, RANSACRegressor, Ridge

TRUE_COEF = np.array([1.5, -2.0, 0.5, 3.0])


def _planted(rng, n=400, frac=0.25):
    X = rng.normal(size=(n, 4))
    y = X @ TRUE_COEF + 2.0 + 0.05 * rng.normal(size=n)
    out = rng.choice(n, size=int(frac * n), replace=False)
    y[out] += rng.choice([-1, 1], size=len(out)) * rng.uniform(5, 50, size=len(out))
    return X, y, out


@pytest.mark.parametrize("loss", ["absolute_error", "squared_error"])
@pytest.mark.parametrize("random_state", [0, 1])
def test_planted_outliers_parity(rng, loss, random_state):
    X, y, out = _planted(rng)
    thr = 0.3 if loss == "absolute_error" else 0.09
    kw = dict(residual_threshold=thr, loss=loss, random_state=random_state)
    ours = RANSACRegressor(**kw).fit(X, y)
    ref = skl.RANSACRegressor(**kw).fit(X, y)
    assert not ours.inlier_mask_[out].any()
    assert ours.inlier_mask_.sum() >= 0.9 * (len(y) - len(out))
    np.testing.assert_allclose(ours.estimator_.coef_, TRUE_COEF, atol=0.05)
    np.testing.assert_array_equal(ours.inlier_mask_, ref.inlier_mask_)
    assert ours.n_trials_ == ref.n_trials_
    assert ours.n_skips_no_inliers_ == ref.n_skips_no_inliers_
    np.testing.assert_allclose(ours.estimator_.coef_, ref.estimator_.coef_, rtol=1e-6)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-6, atol=1e-8)
    assert isinstance(ours.estimator_, LinearRegression)
    assert len(ours.history_["n_inliers"]) == ours.n_trials_
    assert max(ours.history_["n_inliers"]) == ours.inlier_mask_.sum()


def test_default_threshold_and_min_samples_fraction(rng):
    X, y, out = _planted(rng, frac=0.2)
    ours = RANSACRegressor(min_samples=0.05, random_state=4).fit(X, y)
    ref = skl.RANSACRegressor(min_samples=0.05, random_state=4).fit(X, y)
    np.testing.assert_array_equal(ours.inlier_mask_, ref.inlier_mask_)
    # the default threshold (the MAD of y) is wide: an outlier planted close to the line can
    # fall inside it, for scikit-learn too (the masks are equal), but hardly any do
    assert ours.inlier_mask_[out].mean() <= 0.1


def test_other_estimator_and_validators(rng):
    X, y, out = _planted(rng, frac=0.1)

    def is_data_valid(Xs, ys):
        return bool(np.ptp(ys) > 0)

    def is_model_valid(est, Xs, ys):
        return bool(np.all(np.abs(est.coef_) < 100))

    ours = RANSACRegressor(
        Ridge(alpha=1e-6, device="cpu"),
        min_samples=6,
        max_trials=20,
        residual_threshold=0.3,
        is_data_valid=is_data_valid,
        is_model_valid=is_model_valid,
        random_state=0,
    ).fit(X, y)
    assert not ours.inlier_mask_[out].any()
    np.testing.assert_allclose(ours.estimator_.coef_, TRUE_COEF, atol=0.05)
    # sample weights go through the estimator's own fit, on the generic path
    sw = rng.uniform(0.5, 2.0, size=len(y))
    ours = RANSACRegressor(residual_threshold=0.3, max_trials=20, random_state=0)
    ours.fit(X, y, sample_weight=sw)
    assert not ours.inlier_mask_[out].any()


def test_multi_output_and_no_intercept(rng):
    X, y, out = _planted(rng)
    Y = np.column_stack([y, 2 * y])
    ours = RANSACRegressor(residual_threshold=1.0, random_state=0).fit(X, Y)
    assert ours.predict(X).shape == (len(y), 2)
    assert not ours.inlier_mask_[out].any()
    y0 = y - 2.0
    est = LinearRegression(fit_intercept=False)
    ours = RANSACRegressor(est, residual_threshold=0.3, random_state=0).fit(X, y0)
    ref = skl.RANSACRegressor(
        skl.LinearRegression(fit_intercept=False), residual_threshold=0.3, random_state=0
    ).fit(X, y0)
    np.testing.assert_array_equal(ours.inlier_mask_, ref.inlier_mask_)


def test_stop_rules(rng):
    X, y, _ = _planted(rng)
    for kw in ({"stop_n_inliers": 100}, {"max_trials": 3}, {"stop_score": 0.5}):
        ours = RANSACRegressor(residual_threshold=0.3, random_state=0, **kw).fit(X, y)
        ref = skl.RANSACRegressor(residual_threshold=0.3, random_state=0, **kw).fit(X, y)
        assert ours.n_trials_ == ref.n_trials_
        np.testing.assert_array_equal(ours.inlier_mask_, ref.inlier_mask_)


def test_bad_input(rng):
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(NotFittedError, match="not fitted"):
        RANSACRegressor().predict(X)
    Xn = X.copy()
    Xn[3, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        RANSACRegressor().fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        RANSACRegressor().fit(X, y[:-2])
    with pytest.raises(ValueError, match="`min_samples` may not be larger"):
        RANSACRegressor(min_samples=1000).fit(X, y)
    with pytest.raises(ValueError, match="`min_samples` must give at least one sample"):
        RANSACRegressor(min_samples=0.0).fit(X, y)
    with pytest.raises(ValueError, match="`min_samples` needs to be explicitly set"):
        RANSACRegressor(Ridge()).fit(X, y)
    with pytest.raises(ValueError, match="could not find a valid consensus set"):
        RANSACRegressor(is_data_valid=lambda X, y: False).fit(X, y)
    with pytest.raises(ValueError, match="stop_probability"):
        RANSACRegressor(stop_probability=2.0).fit(X, y)

    class NoWeights(LinearRegression):
        def fit(self, X, y):
            return super().fit(X, y)

    with pytest.raises(ValueError, match="does not support sample_weight"):
        RANSACRegressor(NoWeights()).fit(X, y, sample_weight=np.ones(len(y)))

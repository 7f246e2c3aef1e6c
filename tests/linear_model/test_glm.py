"""PoissonRegressor, GammaRegressor and TweedieRegressor against scikit-learn.

Tolerances: at the same (tight) tol both fit the same convex objective, so coef_ agree to
rtol 1e-3 relative to the largest coefficient (in practice ~1e-12), D^2 within 0.01 and
n_iter_ within a few iterations. Data: the bundled diabetes set (standardised) and synthetic
Poisson / Gamma / compound Poisson-Gamma targets.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import linear_model as skl
from sklearn.exceptions import NotFittedError
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import GammaRegressor, PoissonRegressor, TweedieRegressor

SOLVERS = ["lbfgs", "newton-cholesky"]


@pytest.fixture(autouse=True)
def _one_openmp_thread():
    # scikit-learn's reference losses run OpenMP threads that crawl on a busy 2-core machine;
    # our results do not depend on the thread count
    with threadpool_limits(limits=1, user_api="openmp"):
        yield


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def _synthetic(rng, kind, n=400, d=6):
    X = rng.normal(size=(n, d)) / np.sqrt(d)
    mu = np.exp(X @ rng.normal(size=d) + 0.5)
    if kind == "poisson":
        y = rng.poisson(mu).astype(float)
    elif kind == "gamma":
        y = rng.gamma(2.0, mu / 2.0)
    else:  # compound Poisson-Gamma (Tweedie 1 < p < 2): exact zeros and positive values
        counts = rng.poisson(mu)
        y = np.array([rng.gamma(2.0, 0.5, size=c).sum() for c in counts])
    return X, y


def _assert_parity(ours, ref, X, y, sw=None):
    scale = np.max(np.abs(ref.coef_)) + 1e-12
    np.testing.assert_allclose(ours.coef_ / scale, ref.coef_ / scale, atol=1e-3)
    assert abs(ours.intercept_ - ref.intercept_) <= 1e-3 * max(1.0, abs(ref.intercept_))
    assert abs(ours.score(X, y, sw) - ref.score(X, y, sw)) < 0.01
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-3)


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("cls", ["PoissonRegressor", "GammaRegressor"])
@pytest.mark.parametrize("weighted", [False, True])
def test_diabetes_parity(rng, solver, cls, weighted):
    X, y = _diabetes()
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    ours_cls = {"PoissonRegressor": PoissonRegressor, "GammaRegressor": GammaRegressor}[cls]
    ours = ours_cls(alpha=0.1, solver=solver, tol=1e-8, max_iter=500).fit(X, y, sw)
    ref = getattr(skl, cls)(alpha=0.1, solver=solver, tol=1e-8, max_iter=500).fit(X, y, sw)
    _assert_parity(ours, ref, X, y, sw)
    assert abs(ours.n_iter_ - ref.n_iter_) <= 3
    assert ours.score(X, y) > 0.3


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(
    "kind,power,link",
    [
        ("poisson", 1.0, "auto"),
        ("gamma", 2.0, "log"),
        ("tweedie", 1.5, "auto"),
        ("gamma", 3.0, "log"),
        ("normal", 0.0, "auto"),
        ("gamma", 1.5, "identity"),
    ],
)
@pytest.mark.parametrize("sparse", [False, True])
def test_tweedie_parity(rng, solver, kind, power, link, sparse):
    X, y = _synthetic(rng, kind if kind != "normal" else "poisson")
    if kind == "normal":
        y = y - 3.0  # any real target
    if link == "identity":
        y = y + 5.0  # keep the identity-link mean positive
    Xf = sp.csr_matrix(X) if sparse else X
    kw = dict(power=power, link=link, alpha=0.01, solver=solver, tol=1e-8, max_iter=500)
    ours = TweedieRegressor(**kw).fit(Xf, y)
    ref = skl.TweedieRegressor(**kw).fit(X, y)
    _assert_parity(ours, ref, X, y)


@pytest.mark.parametrize("cls", [PoissonRegressor, GammaRegressor])
def test_synthetic_recovers_truth(rng, cls):
    d = 5
    X = rng.normal(size=(4000, d)) / np.sqrt(d)
    coef = rng.normal(size=d)
    mu = np.exp(X @ coef + 0.3)
    y = rng.poisson(mu).astype(float) if cls is PoissonRegressor else rng.gamma(5.0, mu / 5.0)
    reg = cls(alpha=0.0, solver="newton-cholesky").fit(X, y)
    np.testing.assert_allclose(reg.coef_, coef, atol=0.15)


def test_no_intercept_and_sample_weight_equivalence(rng):
    X, y = _synthetic(rng, "poisson", n=120)
    reps = rng.integers(0, 3, size=len(y))
    a = PoissonRegressor(alpha=0.05, tol=1e-10, fit_intercept=False).fit(X, y, sample_weight=reps)
    b = PoissonRegressor(alpha=0.05, tol=1e-10, fit_intercept=False).fit(
        np.repeat(X, reps, axis=0), np.repeat(y, reps)
    )
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-6, atol=1e-8)
    assert a.intercept_ == 0.0


def test_float32_kept_and_close(rng):
    X, y = _synthetic(rng, "poisson")
    r64 = PoissonRegressor(alpha=0.01, tol=1e-8).fit(X, y)
    r32 = PoissonRegressor(alpha=0.01, tol=1e-8).fit(X.astype(np.float32), y)
    assert r32.coef_.dtype == np.float32
    assert r32.predict(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(r32.coef_, r64.coef_, rtol=1e-4, atol=1e-5)


def test_warm_start_and_history(rng):
    X, y = _synthetic(rng, "gamma")
    reg = GammaRegressor(alpha=0.01, warm_start=True, tol=1e-8).fit(X, y)
    assert len(reg.history_["loss"]) == reg.n_iter_
    assert np.all(np.diff(reg.history_["loss"]) <= 1e-12)
    reg.fit(X, y)
    assert reg.n_iter_ <= 2


def test_newton_lbfgs_agree(rng):
    X, y = _synthetic(rng, "tweedie")
    a = TweedieRegressor(power=1.5, alpha=0.1, solver="lbfgs", tol=1e-9).fit(X, y)
    b = TweedieRegressor(power=1.5, alpha=0.1, solver="newton-cholesky", tol=1e-9).fit(X, y)
    np.testing.assert_allclose(a.coef_, b.coef_, rtol=1e-5, atol=1e-7)


def test_bad_input(rng):
    X, y = _synthetic(rng, "poisson", n=30)
    with pytest.raises(ValueError, match="out of the valid range of the loss 'HalfPoissonLoss'"):
        PoissonRegressor().fit(X, y - 10)
    with pytest.raises(ValueError, match="out of the valid range of the loss 'HalfGammaLoss'"):
        GammaRegressor().fit(X, y)  # Poisson counts include zeros
    with pytest.raises(ValueError, match="out of the valid range of the loss 'HalfTweedieLoss'"):
        TweedieRegressor(power=2.5).fit(X, y - 1)
    with pytest.raises(InvalidParameterError, match="The 'power' parameter"):
        TweedieRegressor(power="two").fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'link' parameter"):
        TweedieRegressor(link="logit").fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'solver' parameter"):
        PoissonRegressor(solver="sag").fit(X, y)
    with pytest.raises(InvalidParameterError, match="The 'alpha' parameter"):
        PoissonRegressor(alpha=-1.0).fit(X, y)
    with pytest.raises(NotFittedError):
        PoissonRegressor().predict(X)
    with pytest.raises(ValueError, match="Input X contains NaN"):
        PoissonRegressor().fit(np.where(X == X[0, 0], np.nan, X), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        PoissonRegressor().fit(X, y[:-1])
    reg = PoissonRegressor().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :3])
    with pytest.raises(ValueError, match="out of the valid range"):
        reg.score(X, -y - 1)


def test_convergence_warning(rng):
    from sklearn.exceptions import ConvergenceWarning

    X, y = _synthetic(rng, "poisson")
    with pytest.warns(ConvergenceWarning, match="lbfgs failed to converge"):
        PoissonRegressor(max_iter=1, tol=1e-12).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Newton solver did not converge"):
        PoissonRegressor(max_iter=1, tol=1e-14, solver="newton-cholesky").fit(X, y)

"""StandardScaler: parity with scikit-learn, sparse input, partial_fit, NaN, bad input.

Tolerance: statistics and transforms agree with scikit-learn to rtol=1e-12 (both accumulate
in float64; only the order of the additions differs). Dense float transforms use the same
float arithmetic as scikit-learn, so they agree to the last bit when the statistics do.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn import preprocessing as skp
from sklearn.datasets import load_wine
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from pai_algos.naive_bayes import GaussianNB
from pai_algos.preprocessing import StandardScaler

RTOL = 1e-12
# transformed values cross zero, where a relative tolerance alone is meaningless
ATOL = 1e-12
ATTRS = ("mean_", "var_", "scale_", "n_samples_seen_")
PARAMS = [
    {},
    {"with_mean": False},
    {"with_std": False},
    {"with_mean": False, "with_std": False},
]


def _assert_same_state(ours, ref):
    for name in ATTRS:
        a, b = getattr(ours, name), getattr(ref, name)
        if b is None:
            assert a is None, name
            continue
        np.testing.assert_allclose(a, b, rtol=RTOL, err_msg=name)
        assert np.asarray(a).dtype == np.asarray(b).dtype, name
        assert np.ndim(a) == np.ndim(b), name


def _data(rng, n=300, d=6, nan=0.0, dtype=np.float64):
    X = rng.normal(4.0, 3.0, size=(n, d)).astype(dtype)
    if nan:
        X[rng.random(X.shape) < nan] = np.nan
    return X


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("nan", [0.0, 0.05])
def test_dense_parity(rng, params, weighted, nan):
    X = _data(rng, nan=nan)
    w = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    ours = StandardScaler(**params).fit(X, sample_weight=w)
    ref = skp.StandardScaler(**params).fit(X, sample_weight=w)
    _assert_same_state(ours, ref)
    Z = ours.transform(X)
    np.testing.assert_allclose(Z, ref.transform(X), rtol=RTOL, atol=1e-13)
    np.testing.assert_array_equal(np.isnan(Z), np.isnan(X))
    np.testing.assert_allclose(ours.inverse_transform(Z), X, rtol=1e-12, atol=1e-12)


def test_real_data_parity():
    X, _ = load_wine(return_X_y=True)
    ours, ref = StandardScaler().fit(X), skp.StandardScaler().fit(X)
    _assert_same_state(ours, ref)
    np.testing.assert_allclose(ours.transform(X), ref.transform(X), rtol=RTOL, atol=1e-13)


@pytest.mark.parametrize("params", PARAMS)
@pytest.mark.parametrize("weighted", [False, True])
def test_partial_fit_parity(rng, params, weighted):
    X = _data(rng, n=500, nan=0.03)
    w = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    ours, ref = StandardScaler(**params), skp.StandardScaler(**params)
    for chunk in np.array_split(np.arange(500), 5):
        sw = None if w is None else w[chunk]
        ours.partial_fit(X[chunk], sample_weight=sw)
        ref.partial_fit(X[chunk], sample_weight=sw)
        _assert_same_state(ours, ref)
    # the batches together give the statistics of the whole
    whole = StandardScaler(**params).fit(X, sample_weight=w)
    _assert_same_state(ours, whole)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("with_std", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_sparse_parity(rng, fmt, with_std, weighted):
    X = sp.random(250, 7, density=0.3, format=fmt, random_state=rng)
    X.data[::13] = np.nan
    w = rng.uniform(0.1, 3.0, size=X.shape[0]) if weighted else None
    ours = StandardScaler(with_mean=False, with_std=with_std).fit(X, sample_weight=w)
    ref = skp.StandardScaler(with_mean=False, with_std=with_std).fit(X, sample_weight=w)
    _assert_same_state(ours, ref)
    Z, Zref = ours.transform(X), ref.transform(X)
    assert sp.issparse(Z) and Z.format == Zref.format == "csr"
    np.testing.assert_allclose(Z.toarray(), Zref.toarray(), rtol=RTOL, atol=ATOL)
    back = ours.inverse_transform(Z)
    np.testing.assert_allclose(back.toarray(), X.toarray(), rtol=1e-12)
    # the input is left alone (copy=True)
    assert np.isnan(X.data[0]) and not np.shares_memory(Z.data, X.data)


def test_sparse_partial_fit_matches_dense(rng):
    dense = rng.normal(size=(300, 5))
    dense[rng.random(dense.shape) < 0.5] = 0.0
    ours = StandardScaler(with_mean=False)
    for chunk in np.array_split(np.arange(300), 3):
        ours.partial_fit(sp.csr_matrix(dense[chunk]))
    ref = StandardScaler(with_mean=False).fit(dense)
    _assert_same_state(ours, ref)


def test_sparse_with_mean_raises(rng):
    X = sp.random(20, 3, density=0.5, format="csr", random_state=rng)
    with pytest.raises(ValueError, match="Cannot center sparse matrices"):
        StandardScaler().fit(X)
    fitted = StandardScaler().fit(X.toarray())
    with pytest.raises(ValueError, match="Cannot center sparse matrices"):
        fitted.transform(X)
    with pytest.raises(ValueError, match="Cannot uncenter sparse matrices"):
        fitted.inverse_transform(X)


def test_float32_kept_and_matches_sklearn(rng):
    X = _data(rng, nan=0.02, dtype=np.float32)
    ours, ref = StandardScaler().fit(X), skp.StandardScaler().fit(X)
    _assert_same_state(ours, ref)
    assert ours.mean_.dtype == np.float64  # statistics in float64, as scikit-learn
    Z = ours.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z, ref.transform(X), rtol=1e-6, atol=1e-6)
    assert ours.inverse_transform(Z).dtype == np.float32


def test_constant_feature_gets_unit_scale(rng):
    X = _data(rng, n=4000)
    X[:, 2] = 0.1
    ours = StandardScaler().fit(X)
    assert ours.scale_[2] == 1.0
    np.testing.assert_allclose(ours.transform(X)[:, 2], 0.0, atol=1e-15)


def test_single_row(rng):
    X = _data(rng, n=1)
    ours, ref = StandardScaler().fit(X), skp.StandardScaler().fit(X)
    _assert_same_state(ours, ref)
    np.testing.assert_array_equal(ours.transform(X), np.zeros_like(X))


def test_all_nan_column_like_sklearn(rng):
    X = _data(rng, n=50)
    X[:, 1] = np.nan
    ours = StandardScaler().fit(X)
    with np.errstate(all="ignore"):
        ref = skp.StandardScaler().fit(X)
    _assert_same_state(ours, ref)


def test_copy_false_scales_in_place(rng):
    X = _data(rng)
    X0 = X.copy()
    scaler = StandardScaler(copy=False).fit(X)
    Z = scaler.transform(X)
    assert Z is X
    np.testing.assert_allclose(X, StandardScaler().fit_transform(X0), rtol=RTOL, atol=ATOL)
    # copy=True leaves the input alone
    Y = X0.copy()
    StandardScaler().fit(Y).transform(Y)
    np.testing.assert_array_equal(Y, X0)


def test_read_only_and_fortran_input(rng):
    X = np.asfortranarray(_data(rng))
    ro = X.copy()
    ro.setflags(write=False)
    ref = skp.StandardScaler().fit(X).transform(X)
    np.testing.assert_allclose(StandardScaler().fit(X).transform(X), ref, rtol=RTOL, atol=ATOL)
    np.testing.assert_allclose(
        StandardScaler(copy=False).fit(ro).transform(ro), ref, rtol=RTOL, atol=ATOL
    )


def test_set_output_pandas_and_feature_names(rng):
    X = pd.DataFrame(_data(rng, d=3), columns=["a", "b", "c"])
    scaler = StandardScaler().set_output(transform="pandas").fit(X)
    out = scaler.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(scaler.feature_names_in_, ["a", "b", "c"])
    np.testing.assert_array_equal(scaler.get_feature_names_out(), ["a", "b", "c"])


def test_in_pipeline():
    X, y = load_wine(return_X_y=True)
    ours = make_pipeline(StandardScaler(), GaussianNB()).fit(X, y)
    assert ours.score(X, y) > 0.95


def test_bad_input(rng):
    X = _data(rng)
    with pytest.raises(ValueError, match="Expected 2D array, got 1D array"):
        StandardScaler().fit(X[:, 0])
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        StandardScaler().fit(X[:0])
    with pytest.raises(ValueError, match="Input X contains infinity"):
        StandardScaler().fit(np.where(X > 6, np.inf, X))
    with pytest.raises(ValueError, match="sample_weight.shape == \\(299,\\), expected \\(300,\\)"):
        StandardScaler().fit(X, sample_weight=np.ones(299))
    with pytest.raises(NotFittedError, match="This StandardScaler instance is not fitted"):
        StandardScaler().transform(X)
    scaler = StandardScaler().fit(X)
    with pytest.raises(ValueError, match="X has 5 features, but StandardScaler is expecting 6"):
        scaler.transform(X[:, :5])
    with pytest.raises(ValueError, match="X has 5 features, but StandardScaler is expecting 6"):
        scaler.partial_fit(X[:, :5])
    with pytest.raises(ValueError, match="The 'with_mean' parameter of StandardScaler must be"):
        StandardScaler(with_mean="yes").fit(X)

"""Checks every estimator in ``all_estimators()`` must pass.

1. scikit-learn's ``parametrize_with_checks`` (each class may offer ``_fast_params`` and declare
   ``_expected_failed_checks = {check_name: reason}`` for checks it cannot pass by nature);
2. our own: float32 kept, same ``random_state`` same result, pickle round trip, and the clear
   error for ``device="cuda"`` without a GPU. The CUDA-versus-CPU comparison lives in
   ``tests/cuda/test_common_cuda.py`` and runs under the CUDA simulator.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from pai_algos import all_estimators
from pai_algos.exceptions import DeviceUnavailableError
from pai_algos.registry import estimator_task
from pai_algos_native import has_cuda

from ._common_data import data_for, make_estimator, outputs, takes_2d_array

ESTIMATORS = all_estimators()
CLASSES = [cls for _, cls in ESTIMATORS]


def test_registry_is_not_empty():
    assert len(ESTIMATORS) >= 4


def _expected_failed(est):
    return dict(getattr(type(est), "_expected_failed_checks", {}))


@parametrize_with_checks(
    [make_estimator(cls) for cls in CLASSES], expected_failed_checks=_expected_failed
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _fit(est, X, y):
    return est.fit(X) if y is None else est.fit(X, y)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_float32_preserved(cls):
    if not getattr(cls, "_preserves_float32", False):
        pytest.skip(f"{cls.__name__} does not declare _preserves_float32 (computes in float64)")
    X, y = data_for(cls, dtype=np.float32)
    est = _fit(make_estimator(cls), X, y)
    for method, value in outputs(est, X).items():
        value = np.asarray(value)
        if method == "predict" and is_classifier(est):
            continue  # class labels keep the dtype of y
        if np.issubdtype(value.dtype, np.floating):
            assert value.dtype == np.float32, f"{cls.__name__}.{method} gave {value.dtype}"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_random_state_repeatable(cls):
    if "random_state" not in cls().get_params():
        pytest.skip(f"{cls.__name__} has no random_state: it is deterministic by construction")
    X, y = data_for(cls, seed=3)
    a = _fit(make_estimator(cls, random_state=7), X, y)
    b = _fit(make_estimator(cls, random_state=7), X, y)
    out_a, out_b = outputs(a, X), outputs(b, X)
    assert out_a.keys() == out_b.keys()
    for key in out_a:
        np.testing.assert_array_equal(out_a[key], out_b[key], err_msg=f"{cls.__name__}.{key}")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_pickle_round_trip(cls):
    X, y = data_for(cls, seed=5)
    est = _fit(make_estimator(cls), X, y)
    clone = pickle.loads(pickle.dumps(est))
    before, after = outputs(est, X), outputs(clone, X)
    for key in before:
        np.testing.assert_array_equal(before[key], after[key], err_msg=f"{cls.__name__}.{key}")


CUDA_CLASSES = [cls for cls in CLASSES if getattr(cls, "_has_cuda_path", False)]


@pytest.mark.skipif(has_cuda(), reason="a CUDA device is present, so the no-GPU error cannot occur")
@pytest.mark.parametrize("cls", CUDA_CLASSES, ids=lambda c: c.__name__)
def test_cuda_without_gpu_is_a_clear_error(cls):
    X, y = data_for(cls)
    est = make_estimator(cls, device="cuda")
    with pytest.raises(DeviceUnavailableError, match="no CUDA GPU is available"):
        _fit(est, X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(est)


@pytest.mark.parametrize("cls", CUDA_CLASSES, ids=lambda c: c.__name__)
def test_auto_device_is_cpu_without_gpu(cls):
    if has_cuda():
        pytest.skip("a CUDA device is present; 'auto' may legitimately pick it")
    X, y = data_for(cls)
    est = _fit(make_estimator(cls, device="auto"), X, y)
    assert est.device_ == "cpu"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_accepts_pandas_and_arrow_tables(cls):
    import pandas as pd
    import pyarrow as pa

    if not takes_2d_array(cls) or estimator_task(cls) == "recommender":
        pytest.skip(
            f"{cls.__name__} takes documents, baskets or interactions, not a feature table; "
            "its family tests cover pandas/Arrow columns"
        )

    X, y = data_for(cls, seed=9)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    table = pa.Table.from_pandas(frame)
    ref = outputs(_fit(make_estimator(cls, random_state=0), X, y), X)
    for data in (frame, table):
        est = _fit(make_estimator(cls, random_state=0), data, y)
        np.testing.assert_array_equal(est.feature_names_in_, frame.columns)
        got = outputs(est, data)
        for key in ref:
            np.testing.assert_allclose(
                np.asarray(got[key], dtype=float),
                np.asarray(ref[key], dtype=float),
                rtol=1e-10,
                err_msg=f"{cls.__name__}.{key} on {type(data).__name__}",
            )


@pytest.mark.parametrize(
    "cls",
    [c for c in CLASSES if hasattr(c, "transform") and hasattr(c, "set_output")],
    ids=lambda c: c.__name__,
)
def test_set_output_pandas(cls):
    import pandas as pd
    import scipy.sparse as sp

    X, y = data_for(cls, seed=2)
    if sp.issparse(_fit(make_estimator(cls), X, y).transform(X)):
        pytest.skip(f"{cls.__name__} returns a sparse matrix, which pandas output cannot hold")
    est = make_estimator(cls).set_output(transform="pandas")
    est = _fit(est, X, y)
    out = est.transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == list(est.get_feature_names_out())

"""The estimator API of every pai_algos.text class, where scikit-learn's checks cannot reach.

scikit-learn's ``parametrize_with_checks`` (tests/test_common.py) runs only
``check_estimator_cloneable`` on an estimator tagged ``input_tags.string=True,
two_d_array=False`` (as it does for its own vectorizers): its other checks feed numeric 2-D
arrays, which raw-text estimators cannot take. Here the checks that need no data run as they
are, and the ones that need data run on each class's own documents (``_common_test_data``):
fit returns self and leaves the parameters alone, methods refuse to run before ``fit``, and
pandas/Arrow string columns give the same result as a list.
"""

from __future__ import annotations

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import estimator_checks as checks
from sklearn.utils import get_tags

from pai_algos import text

from .._common_data import data_for, make_estimator, outputs

CLASSES = [getattr(text, name) for name in text.__all__]
RAW_TEXT = [
    cls
    for cls in CLASSES
    if get_tags(cls()).input_tags.string and cls.__name__ != "StopWordsRemover"
]

DATA_FREE_CHECKS = [
    checks.check_estimator_tags_renamed,
    checks.check_valid_tag_types,
    checks.check_estimator_repr,
    checks.check_no_attributes_set_in_init,
    checks.check_get_params_invariance,
    checks.check_set_params,
    checks.check_parameters_default_constructible,
    checks.check_do_not_raise_errors_in_init_or_set_params,
    checks.check_mixin_order,
]


def test_fourteen_estimators():
    assert len(CLASSES) == 14
    assert len(RAW_TEXT) == 12  # all but TfidfTransformer (counts) and StopWordsRemover (tokens)


@pytest.mark.parametrize("check", DATA_FREE_CHECKS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_sklearn_checks_that_need_no_data(cls, check):
    check(cls.__name__, make_estimator(cls))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_fit_returns_self_and_keeps_the_parameters(cls):
    X, _ = data_for(cls, seed=1)
    est = make_estimator(cls, random_state=0)
    before = joblib.hash(est.get_params())
    assert est.fit(X) is est
    assert joblib.hash(est.get_params()) == before
    # a clone is unfitted and fits to the same result (same random_state)
    again = clone(est).fit(X)
    for key, value in outputs(est, X).items():
        _assert_same(outputs(again, X)[key], value, f"{cls.__name__}.{key}")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_methods_before_fit_raise_not_fitted(cls):
    est = make_estimator(cls)
    X, _ = data_for(cls, seed=2)
    if not get_tags(est).requires_fit:
        pytest.skip(f"{cls.__name__} is stateless: transform before fit is allowed")
    for method in ("transform", "predict", "query", "top_n", "infer_vector", "most_similar"):
        if hasattr(est, method):
            arg = X[0] if method in ("infer_vector", "most_similar") else X[:2]
            with pytest.raises(NotFittedError):
                getattr(est, method)(arg)


def _assert_same(got, want, msg):
    if sp.issparse(want):
        assert sp.issparse(got), msg
        got, want = got.toarray(), want.toarray()
    if isinstance(want, np.ndarray):
        np.testing.assert_array_equal(np.asarray(got), want, err_msg=msg)
    else:
        assert got == want, msg


@pytest.mark.parametrize("cls", RAW_TEXT, ids=lambda c: c.__name__)
def test_pandas_and_arrow_string_columns(cls):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    docs, _ = data_for(cls, seed=3, n_samples=30)
    assert all(isinstance(d, str) for d in docs)
    ref = outputs(make_estimator(cls, random_state=0).fit(docs), docs)
    for kind, data in [
        ("pandas Series", pd.Series(docs)),
        ("pandas DataFrame column", pd.DataFrame({"text": docs})["text"]),
        ("NumPy object array", np.array(docs, dtype=object)),
        ("Arrow string array", pa.array(docs)),
        (
            "Arrow large_string chunked array",
            pa.chunked_array([docs[:7], docs[7:]], pa.large_string()),
        ),
    ]:
        est = make_estimator(cls, random_state=0).fit(data)
        got = outputs(est, data)
        for key in ref:
            _assert_same(got[key], ref[key], f"{cls.__name__}.{key} on a {kind}")


@pytest.mark.parametrize("cls", RAW_TEXT, ids=lambda c: c.__name__)
def test_missing_values_in_columns_are_clear_errors(cls):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    docs, _ = data_for(cls, seed=4, n_samples=10)

    def fit(data):  # fit_transform: HashingVectorizer.fit looks at nothing, as scikit-learn's
        est = make_estimator(cls)
        return est.fit_transform(data) if hasattr(est, "fit_transform") else est.fit(data)

    for data in (pa.array(docs[:3] + [None]), pd.Series(docs[:3] + [None])):
        with pytest.raises(ValueError, match=r"(invalid document|np\.nan is an invalid)"):
            fit(data)
    with pytest.raises(ValueError, match="Expected a 1-D sequence of documents"):
        fit(np.array([docs[:2], docs[2:4]], dtype=object))

"""Every import of a private scikit-learn helper lives here.

When a scikit-learn release moves one of these, this is the only file to change.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, Options, RealNotInt, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight as _sk_check_sample_weight
from sklearn.utils.validation import validate_data as _sk_validate_data

__all__ = [
    "HasMethods",
    "Interval",
    "Options",
    "RealNotInt",
    "StrOptions",
    "_check_partial_fit_first_call",
    "_check_sample_weight",
    "_fit_context",
    "validate_data",
]


def _writeable(obj):
    """``obj`` with every read-only array in it (a memory map, a frozen buffer) copied.

    Numba compiles a kernel again, call tree and all, for each new argument type, and a
    read-only array is a type of its own: a memory-mapped ``X`` (joblib hands those out)
    would cost a second compilation of every kernel it reaches, tens of seconds on first
    use. One copy of the input is cheaper, so validated data is always writeable. The
    estimators never write to it.
    """
    if isinstance(obj, np.ndarray):
        return obj if obj.flags.writeable else obj.copy(order="K")
    if sp.issparse(obj):
        parts = ("data", "indices", "indptr") if obj.format in ("csr", "csc") else ("data",)
        if any(not getattr(obj, a).flags.writeable for a in parts if hasattr(obj, a)):
            return obj.copy()
        return obj
    if isinstance(obj, tuple):
        return tuple(_writeable(o) for o in obj)
    return obj


def validate_data(_estimator, /, X="no_validation", y="no_validation", **kwargs):
    """scikit-learn's ``validate_data``, with read-only arrays copied (see :func:`_writeable`)."""
    return _writeable(_sk_validate_data(_estimator, X, y, **kwargs))


def _check_sample_weight(sample_weight, X, **kwargs):
    """scikit-learn's ``_check_sample_weight``, never read-only (see :func:`_writeable`)."""
    return _writeable(_sk_check_sample_weight(sample_weight, X, **kwargs))

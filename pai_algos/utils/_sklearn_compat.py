"""Every import of a private scikit-learn helper lives here.

When a scikit-learn release moves one of these, this is the only file to change.
"""

from __future__ import annotations

from sklearn.base import _fit_context
from sklearn.utils._param_validation import HasMethods, Interval, Options, RealNotInt, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import _check_sample_weight, validate_data

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

"""Per-feature options of histogram gradient boosting: categorical features, monotonic and
interaction constraints (checking them and encoding categories), as scikit-learn 1.9 does.

Categorical features are encoded, before binning, into category indices ``0 .. k - 1`` (a
float column; NaN for a missing value). At predict time a value never seen in fit is encoded
as NaN too, so it follows the missing-value path of every split (scikit-learn's rule).
pandas ``category`` columns are first replaced by their codes when ``categorical_features``
is "from_dtype".
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

__all__ = [
    "check_interaction_cst",
    "check_monotonic_cst",
    "encode_categories",
    "fit_categories",
    "pandas_category_codes",
    "resolve_categorical",
]


def _feature_label(est, f):
    names = getattr(est, "feature_names_in_", None)
    return f"'{names[f]}'" if names is not None else f"at index {f}"


def pandas_category_codes(X, categories=None):
    """Replace the pandas ``category`` columns of ``X`` by their codes (float, NaN if missing).

    Returns ``(X, categories)``: ``categories`` maps column position -> the categories seen
    (the fitted ones when given, so that prediction uses the codes of fit; values outside
    them become NaN). ``X`` is returned unchanged when it is not a DataFrame.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(X, "columns"):
        return X, {} if categories is None else categories
    import pandas as pd

    fitting = categories is None
    if fitting:
        categories = {
            j: X.iloc[:, j].cat.categories
            for j, dt in enumerate(dtypes)
            if isinstance(dt, pd.CategoricalDtype)
        }
    if not categories:
        return X, categories
    X = X.copy()
    for j, cats in categories.items():
        if j >= X.shape[1]:
            continue
        values = np.asarray(X.iloc[:, j], dtype=object)
        codes = pd.Index(cats).get_indexer(values).astype(np.float64)
        codes[codes < 0] = np.nan
        X[X.columns[j]] = codes
    return X, categories


def resolve_categorical(est, n_features, from_dtype):
    """Boolean mask of the categorical features, or None when there are none.

    ``from_dtype``: the column positions that had a pandas ``category`` dtype.
    """
    spec = est.categorical_features
    if spec is None:
        return None
    if isinstance(spec, str):  # "from_dtype"
        mask = np.zeros(n_features, dtype=bool)
        mask[list(from_dtype)] = True
        return mask if mask.any() else None
    spec = np.asarray(spec)
    if spec.size == 0:
        return None
    if spec.dtype.kind == "b":
        if spec.shape != (n_features,):
            raise ValueError(
                "categorical_features set as a boolean mask must have shape (n_features,), "
                f"got: {spec.shape}"
            )
        mask = spec.astype(bool)
    elif spec.dtype.kind in "iu":
        if np.any(spec < 0) or np.any(spec >= n_features):
            raise ValueError(
                "categorical_features set as integer indices must be in "
                f"[0, n_features - 1] = [0, {n_features - 1}], got {spec.tolist()}"
            )
        mask = np.zeros(n_features, dtype=bool)
        mask[spec] = True
    elif spec.dtype.kind in "UO":
        names = getattr(est, "feature_names_in_", None)
        if names is None:
            raise ValueError(
                "categorical_features should be passed as an array of integers or as a "
                "boolean mask when the model is fitted on data without feature names."
            )
        index = {name: j for j, name in enumerate(names)}
        mask = np.zeros(n_features, dtype=bool)
        for name in spec:
            if name not in index:
                raise ValueError(
                    f"categorical_features has an item value {name!r} which is not a valid "
                    "feature name of the training data."
                )
            mask[index[name]] = True
    else:
        raise ValueError(
            "categorical_features must be None, 'from_dtype', a boolean mask, integer "
            f"indices or feature names; got an array of dtype {spec.dtype}."
        )
    return mask if mask.any() else None


def fit_categories(est, X, is_categorical):
    """Sorted distinct non-NaN values of each categorical column (dict f -> array)."""
    categories = {}
    for f in np.flatnonzero(is_categorical):
        col = np.asarray(X[:, f], dtype=np.float64)
        cats = np.unique(col[~np.isnan(col)])
        if cats.shape[0] > est.max_bins:
            raise ValueError(
                f"Categorical feature {_feature_label(est, f)} is expected to have a "
                f"cardinality <= {est.max_bins} (max_bins) but actually has a cardinality "
                f"of {cats.shape[0]}."
            )
        categories[f] = cats
    return categories


def encode_categories(X, categories):
    """A copy of ``X`` whose categorical columns hold category indices (NaN if unknown)."""
    if not categories:
        return X
    X = X.copy()
    for f, cats in categories.items():
        col = np.asarray(X[:, f], dtype=np.float64)
        idx = np.searchsorted(cats, col)
        known = idx < cats.shape[0]
        known[known] = cats[idx[known]] == col[known]
        X[:, f] = np.where(known, idx, np.nan)
    return X


def check_monotonic_cst(est, n_features, is_categorical, n_outputs):
    """int8 array of -1/0/1 per feature, or None when no feature is constrained."""
    spec = est.monotonic_cst
    if spec is None:
        return None
    cst = np.zeros(n_features, dtype=np.int8)
    if isinstance(spec, dict):
        names = getattr(est, "feature_names_in_", None)
        index = {} if names is None else {name: j for j, name in enumerate(names)}
        for key, value in spec.items():
            if isinstance(key, Integral) and 0 <= key < n_features:
                cst[key] = value
            elif isinstance(key, str) and key in index:
                cst[index[key]] = value
            else:
                raise ValueError(
                    f"monotonic_cst has a key {key!r} which is not a feature index in "
                    f"[0, {n_features - 1}] nor a feature name of the training data."
                )
        values = np.array(list(spec.values()))
    else:
        values = np.asarray(spec)
        if values.shape != (n_features,):
            raise ValueError(
                f"monotonic_cst has shape {values.shape} but the input data X has "
                f"{n_features} features."
            )
        cst[:] = np.where(np.isin(values, (-1, 0, 1)), values, 0)
    if values.size and not np.all(np.isin(values, (-1, 0, 1))):
        raise ValueError(
            "monotonic_cst must be an array-like of -1, 0 or 1. Observed values: "
            f"{np.unique(values).tolist()}."
        )
    if not cst.any():
        return None
    if n_outputs > 1:
        raise ValueError("Monotonic constraints are not supported for multiclass classification.")
    if is_categorical is not None and np.any(cst[is_categorical] != 0):
        raise ValueError("Categorical features cannot have monotonic constraints.")
    return cst


def check_interaction_cst(est, n_features):
    """Interaction groups (list of sets of feature indices), or None without constraints.

    Features in no group form one more group together, as in scikit-learn.
    """
    spec = est.interaction_cst
    if spec is None:
        return None
    if isinstance(spec, str):
        if spec == "no_interactions":
            return [{f} for f in range(n_features)]
        if spec == "pairwise":
            return [{i, j} for i in range(n_features) for j in range(i + 1, n_features)]
    groups = []
    try:
        for group in spec:
            groups.append({int(f) for f in group})
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "interaction_cst must be None, 'pairwise', 'no_interactions' or a sequence of "
            "sequences of feature indices."
        ) from exc
    bad = [f for g in groups for f in g if not 0 <= f < n_features]
    if bad:
        raise ValueError(
            f"Interaction constraints must be a sequence of tuples or lists of feature "
            f"indices in [0, {n_features - 1}], got {sorted(set(bad))}."
        )
    rest = set(range(n_features)) - set().union(*groups)
    if rest:
        groups.append(rest)
    return groups

"""Input handling shared by the association miners: baskets and sequences to integer codes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from numbers import Real

import numpy as np
import scipy.sparse as sp

__all__ = ["encode_baskets", "encode_sequences", "min_count_for", "vocabulary"]


def _is_one_hot(X):
    if sp.issparse(X):
        return True
    if isinstance(X, np.ndarray) and X.ndim == 2:
        return True
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is a dependency
        return False
    return isinstance(X, pd.DataFrame)


def _check_collection(X, what):
    if isinstance(X, (str, bytes, Mapping)) or not isinstance(X, Iterable):
        raise TypeError(f"Expected an iterable of {what}, got {type(X).__name__}.")
    X = list(X)
    if len(X) == 0:
        raise ValueError(f"Found 0 {what}; at least one is required.")
    return X


def _check_row(row, k, what):
    if isinstance(row, (str, bytes)) or not isinstance(row, Iterable):
        raise TypeError(
            f"Each of the {what} must be an iterable of items (a list, tuple or set); "
            f"{what[:-1]} {k} is a {type(row).__name__}."
        )


def vocabulary(rows):
    """Sorted distinct items when they sort, else in order of first appearance."""
    seen = {}
    for row in rows:
        for item in row:
            try:
                seen.setdefault(item, len(seen))
            except TypeError:
                raise TypeError(
                    f"Items must be hashable; got an item of type {type(item).__name__}."
                ) from None
    items = list(seen)
    try:
        items = sorted(items)
    except TypeError:  # mixed types that do not compare: keep the order of appearance
        pass
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _one_hot_codes(X):
    """(indptr, indices, items) of a one-hot table; the columns are the items."""
    if sp.issparse(X):
        items = np.arange(X.shape[1])
        M = sp.csr_matrix(X)
        M.sum_duplicates()
        values = M.data
    else:
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover
            pd = None
        if pd is not None and isinstance(X, pd.DataFrame):
            items = np.empty(X.shape[1], dtype=object)
            items[:] = list(X.columns)
            X = X.to_numpy()
        else:
            items = np.arange(X.shape[1])
        M = None
        values = np.asarray(X)
    if values.dtype != bool:
        try:
            bad = not np.all((values == 0) | (values == 1))
        except TypeError:
            bad = True
        if bad:
            raise ValueError(
                "A one-hot table must hold only 0/1 or True/False values; use a list of "
                "baskets for item lists."
            )
    if M is None:
        M = sp.csr_matrix(np.asarray(values, dtype=bool))
    else:
        M = sp.csr_matrix((values != 0, M.indices, M.indptr), shape=M.shape)
        M.eliminate_zeros()
    M.sort_indices()
    return M.indptr.astype(np.int64), M.indices.astype(np.int64), items


def encode_baskets(X, items=None):
    """Codes of baskets (a list of item lists, or a one-hot table).

    With ``items`` (a fitted vocabulary), items not in it are dropped. Returns
    ``(indptr, codes, items)``: distinct codes per basket, ascending.
    """
    if _is_one_hot(X):
        if X.shape[0] == 0:
            raise ValueError("Found 0 baskets; at least one is required.")
        indptr, codes, table_items = _one_hot_codes(X)
        if items is None:
            return indptr, codes, table_items
        if len(table_items) != len(items) or not all(a == b for a, b in zip(table_items, items)):
            raise ValueError(
                "The one-hot table's columns differ from the items seen in fit; pass a table "
                "with the same columns or a list of baskets."
            )
        return indptr, codes, items
    rows = _check_collection(X, "baskets")
    for k, row in enumerate(rows):
        _check_row(row, k, "baskets")
    rows = [row if isinstance(row, (list, tuple, set, frozenset)) else list(row) for row in rows]
    if items is None:
        items = vocabulary(rows)
    index = {item: i for i, item in enumerate(items)}
    lengths = np.empty(len(rows), np.int64)
    flat = []
    for k, row in enumerate(rows):
        codes = sorted({index[it] for it in row if it in index})
        lengths[k] = len(codes)
        flat.extend(codes)
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return indptr, np.asarray(flat, dtype=np.int64), items


def encode_sequences(X, items=None):
    """Codes of sequences of items, order and repeats kept. Returns ``(indptr, codes, items)``.

    With ``items``, items not in it are dropped.
    """
    rows = _check_collection(X, "sequences")
    for k, row in enumerate(rows):
        _check_row(row, k, "sequences")
    rows = [list(row) for row in rows]
    if items is None:
        items = vocabulary(rows)
    index = {item: i for i, item in enumerate(items)}
    lengths = np.empty(len(rows), np.int64)
    flat = []
    for k, row in enumerate(rows):
        try:
            codes = [index[it] for it in row if it in index]
        except TypeError:
            raise TypeError(
                "Sequence elements must be hashable items; sequences of itemsets (lists or "
                "sets as elements) are not supported."
            ) from None
        lengths[k] = len(codes)
        flat.extend(codes)
    indptr = np.zeros(len(rows) + 1, np.int64)
    np.cumsum(lengths, out=indptr[1:])
    return indptr, np.asarray(flat, dtype=np.int64), items


def min_count_for(min_support: Real, n: int) -> int:
    """The least count ``c`` with ``c / n >= min_support`` (the float comparison mlxtend makes)."""
    c = max(1, int(np.ceil(min_support * n)))
    while c > 1 and (c - 1) / n >= min_support:
        c -= 1
    while c / n < min_support:
        c += 1
    return c

"""PrefixSpan: frequent sequential patterns by prefix-projected pattern growth."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, _fit_context
from ._base import encode_sequences, min_count_for
from ._fpgrowth import _to_csr

__all__ = ["PrefixSpan"]


def _generated_sequences(seed, n):
    rng = np.random.default_rng(seed)
    steps = np.array(["home", "search", "item", "cart", "pay", "help"])
    p = np.array([0.3, 0.25, 0.2, 0.12, 0.08, 0.05])
    return [list(rng.choice(steps, size=rng.integers(1, 7), p=p)) for _ in range(n)]


class PrefixSpan(BaseEstimator):
    """Frequent sequential patterns (subsequences) by PrefixSpan.

    A pattern ``(a, b, c)`` occurs in a sequence when ``a``, ``b`` and ``c`` appear in it in
    this order, not necessarily next to each other; its support is the share of sequences in
    which it occurs.

    Parameters
    ----------
    min_support : float, default=0.5
        Least share of sequences a pattern must occur in, in (0, 1].
    max_len : int, default=None
        Longest pattern mined (None: no limit).
    n_jobs : int, default=None
        Numba threads for :meth:`transform` (None: the global configuration, -1: all).

    Attributes
    ----------
    patterns_ : pandas.DataFrame
        Columns ``pattern`` (a tuple of items), ``support`` (share of sequences) and ``count``
        (number of sequences); sorted by length, then support, then item order.
    items_ : ndarray of shape (n_items,)
        The distinct items seen in fit.
    n_sequences_ : int
        Number of sequences seen in fit.

    See Also
    --------
    FPGrowth : Frequent itemsets and association rules of unordered baskets.

    Notes
    -----
    PrefixSpan (Pei et al. 2001) grows patterns depth first: the database projected on a
    prefix ``P`` holds, for each sequence containing ``P``, the suffix after the earliest
    occurrence of ``P``; every item counted (once per sequence) in that projection with at least
    the minimum count extends ``P``. Projections are pseudo-projections, pairs of (sequence,
    start position), so no suffix is copied. Elements are single items; sequences of itemsets
    are not supported.

    References
    ----------
    Pei, J., Han, J., Mortazavi-Asl, B., Pinto, H., Chen, Q., Dayal, U. and Hsu, M.-C.
    "PrefixSpan: mining sequential patterns efficiently by prefix-projected pattern growth",
    ICDE 2001, 215-224.

    Examples
    --------
    >>> from pai_algos.association import PrefixSpan
    >>> seqs = [["a", "b", "c"], ["a", "c"], ["b", "a", "c"], ["c", "b"]]
    >>> ps = PrefixSpan(min_support=0.75).fit(seqs)
    >>> sorted(ps.patterns_["pattern"])
    [('a',), ('a', 'c'), ('b',), ('c',)]
    """

    _parameter_constraints: dict = {
        "min_support": [Interval(Real, 0, 1, closed="right")],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Integral, None],
    }

    def __init__(self, *, min_support=0.5, max_len=None, n_jobs=None):
        self.min_support = min_support
        self.max_len = max_len
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Mine the frequent sequential patterns.

        Parameters
        ----------
        X : list of iterables of hashable items
            The sequences, in order.
        y : None
            Ignored.

        Returns
        -------
        self : PrefixSpan
            The fitted miner.
        """
        indptr, codes, items = encode_sequences(X)
        n = len(indptr) - 1
        min_count = min_count_for(self.min_support, n)
        longest = int(np.diff(indptr).max())
        max_len = longest if self.max_len is None else min(self.max_len, longest)
        p_indptr, p_items, p_counts = kernels("association", "cpu").prefixspan(
            indptr, codes, len(items), min_count, max(max_len, 0)
        )
        pats = [
            tuple(p_items[p_indptr[k] : p_indptr[k + 1]].tolist()) for k in range(len(p_counts))
        ]
        key = sorted(range(len(pats)), key=lambda k: (len(pats[k]), -p_counts[k], pats[k]))
        self._patterns = [pats[k] for k in key]
        counts = p_counts[key].astype(np.int64)
        self.items_ = items
        self.n_sequences_ = n
        self.patterns_ = pd.DataFrame(
            {
                "pattern": [tuple(items[list(p)].tolist()) for p in self._patterns],
                "support": counts / n,
                "count": counts,
            }
        )
        return self

    def transform(self, X):
        """Which frequent patterns each sequence holds.

        Parameters
        ----------
        X : list of iterables of hashable items
            Sequences; items unseen in fit are dropped (they cannot be in a pattern).

        Returns
        -------
        indicator : sparse matrix of shape (n_sequences, n_patterns)
            1 where the sequence holds the pattern (rows of ``patterns_``) as a subsequence.
        """
        check_is_fitted(self)
        indptr, codes, _ = encode_sequences(X, self.items_)
        q_indptr, q_items = _to_csr(self._patterns)
        out = np.zeros((len(indptr) - 1, len(self._patterns)), np.uint8)
        with numba_threads(self.n_jobs):
            kernels("association", "cpu").contains_patterns(indptr, codes, q_indptr, q_items, out)
        return sp.csr_matrix(out)

    def fit_transform(self, X, y=None):
        """Fit, then transform the same sequences.

        Parameters
        ----------
        X : list of iterables of hashable items
            The sequences.
        y : None
            Ignored.

        Returns
        -------
        indicator : sparse matrix of shape (n_sequences, n_patterns)
            See :meth:`transform`.
        """
        return self.fit(X).transform(X)

    @staticmethod
    def _common_test_data(seed=0, n_samples=60, dtype=np.float64):
        return _generated_sequences(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {
            "transform": est.transform(X).toarray(),
            "support": est.patterns_["support"].to_numpy(),
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags

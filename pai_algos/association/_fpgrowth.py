"""FP-growth: frequent itemsets and association rules from baskets."""

from __future__ import annotations

from itertools import combinations
from numbers import Integral, Real

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import encode_baskets, min_count_for

__all__ = ["FPGrowth"]

METRICS = ("support", "confidence", "lift", "leverage", "conviction")


def _rule_metrics(s_ac, s_a, s_c, c_ac, c_a):
    """mlxtend's rule metrics from the supports of A -> C, A and C.

    The confidence is the ratio of the counts ``c_ac / c_a``, exact where the ratio of the
    rounded supports is not (48/120 is 0.4; 0.16/0.4 is 0.39999999999999997).
    """
    confidence = c_ac / c_a
    lift = confidence / s_c
    leverage = s_ac - s_a * s_c
    conviction = np.full(s_ac.shape, np.inf)
    below = confidence < 1.0
    conviction[below] = (1.0 - s_c[below]) / (1.0 - confidence[below])
    return {
        "support": s_ac,
        "confidence": confidence,
        "lift": lift,
        "leverage": leverage,
        "conviction": conviction,
    }


def _to_csr(sets):
    indptr = np.zeros(len(sets) + 1, np.int64)
    np.cumsum([len(s) for s in sets], out=indptr[1:])
    flat = [c for s in sets for c in s]
    return indptr, np.asarray(flat, dtype=np.int64)


def _frozensets(items, code_sets):
    """An object array of frozensets of items (object dtype even when empty)."""
    out = np.empty(len(code_sets), dtype=object)
    out[:] = [frozenset(items[list(s)].tolist()) for s in code_sets]
    return out


def _generated_baskets(seed, n):
    rng = np.random.default_rng(seed)
    names = np.array(["bread", "milk", "eggs", "beer", "nappies", "cola", "tea", "jam"])
    p = np.array([0.7, 0.6, 0.45, 0.4, 0.35, 0.2, 0.15, 0.1])
    return [list(names[rng.random(len(names)) < p]) for _ in range(n)]


class FPGrowth(BaseEstimator):
    """Frequent itemsets by FP-growth, association rules, and rule-based recommendations.

    Parameters
    ----------
    min_support : float, default=0.5
        Least share of baskets an itemset must appear in, in (0, 1].
    metric : {"confidence", "lift", "leverage", "conviction", "support"}, default="confidence"
        The rule metric that ``min_threshold`` bounds, as in mlxtend's ``association_rules``.
    min_threshold : float, default=0.8
        Keep the rules whose ``metric`` is at least this.
    max_len : int, default=None
        Longest itemset mined (None: no limit).
    n_jobs : int, default=None
        Numba threads (None: the global configuration, -1: all).

    Attributes
    ----------
    itemsets_ : pandas.DataFrame
        Columns ``support`` (share of baskets) and ``itemsets`` (frozensets of items), as
        mlxtend's ``fpgrowth(..., use_colnames=True)``; sorted by length, then support.
    rules_ : pandas.DataFrame
        Columns ``antecedents``, ``consequents`` (frozensets), ``antecedent support``,
        ``consequent support``, ``support``, ``confidence``, ``lift``, ``leverage`` and
        ``conviction``; sorted by confidence, then lift.
    items_ : ndarray of shape (n_items,)
        The distinct items seen in fit (the columns of a one-hot table).
    n_transactions_ : int
        Number of baskets seen in fit.

    See Also
    --------
    PrefixSpan : Frequent subsequences of sequences.

    Notes
    -----
    FP-growth (Han, Pei & Yin 2000) counts the items, keeps the frequent ones, orders each
    basket by descending item frequency and inserts it in a prefix tree whose nodes count the
    baskets through them. The itemsets ending in item ``i`` are mined from ``i``'s conditional
    pattern base (the prefix paths of ``i``'s nodes, weighted by their counts), recursively,
    each as a smaller FP-tree. The items of the top level mine in parallel. A rule ``A -> C``
    comes from each frequent itemset ``A | C``: ``confidence = s(A | C) / s(A)``,
    ``lift = confidence / s(C)``, ``leverage = s(A | C) - s(A) s(C)`` and
    ``conviction = (1 - s(C)) / (1 - confidence)``.

    The input is a list of baskets (iterables of hashable items) or a one-hot table (a
    boolean or 0/1 DataFrame, NumPy array or sparse matrix whose columns are the items).

    References
    ----------
    Han, J., Pei, J. and Yin, Y. "Mining frequent patterns without candidate generation",
    SIGMOD 2000, 1-12.

    Examples
    --------
    >>> from pai_algos.association import FPGrowth
    >>> baskets = [["bread", "milk"], ["bread", "jam"], ["bread", "milk", "jam"], ["milk"]]
    >>> fp = FPGrowth(min_support=0.5, min_threshold=0.6).fit(baskets)
    >>> len(fp.itemsets_)
    5
    >>> fp.recommend([["jam"]], n=1)[0]
    array([['bread']], dtype=object)
    """

    _parameter_constraints: dict = {
        "min_support": [Interval(Real, 0, 1, closed="right")],
        "metric": [StrOptions(set(METRICS))],
        "min_threshold": [Real],
        "max_len": [Interval(Integral, 1, None, closed="left"), None],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self, *, min_support=0.5, metric="confidence", min_threshold=0.8, max_len=None, n_jobs=None
    ):
        self.min_support = min_support
        self.metric = metric
        self.min_threshold = min_threshold
        self.max_len = max_len
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Mine the frequent itemsets and the association rules.

        Parameters
        ----------
        X : list of iterables of hashable items, or a one-hot table
            The baskets, or a boolean / 0-1 DataFrame, array or sparse matrix with one column
            per item.
        y : None
            Ignored.

        Returns
        -------
        self : FPGrowth
            The fitted miner.
        """
        indptr, codes, items = encode_baskets(X)
        n = len(indptr) - 1
        min_count = min_count_for(self.min_support, n)
        counts = np.bincount(codes, minlength=len(items))
        frequent = np.flatnonzero(counts >= min_count)
        # rank 0 = most frequent item; ties by item order
        order = frequent[np.lexsort((frequent, -counts[frequent]))]
        rank = np.full(len(items), -1, np.int64)
        rank[order] = np.arange(len(order))
        rows = np.repeat(np.arange(n), np.diff(indptr))
        r = rank[codes]
        keep = r >= 0
        rows, r = rows[keep], r[keep]
        perm = np.lexsort((r, rows))
        t_indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=t_indptr[1:])
        max_len = self.max_len if self.max_len is not None else max(len(order), 1)
        with numba_threads(self.n_jobs):
            s_indptr, s_ranks, s_counts = kernels("association", "cpu").fpgrowth(
                t_indptr, np.ascontiguousarray(r[perm]), len(order), min_count, max_len
            )
        # back from frequency ranks to item codes, each itemset's codes ascending
        sets = [
            tuple(sorted(order[s_ranks[s_indptr[k] : s_indptr[k + 1]]].tolist()))
            for k in range(len(s_counts))
        ]
        support = s_counts / n
        key = sorted(range(len(sets)), key=lambda k: (len(sets[k]), -s_counts[k], sets[k]))
        self._sets = [sets[k] for k in key]
        self._set_count = s_counts[key]
        self._set_support = support[key]
        self.items_ = items
        self.n_transactions_ = n
        self.itemsets_ = pd.DataFrame(
            {
                "support": self._set_support,
                "itemsets": _frozensets(items, self._sets),
            }
        )
        self._make_rules()
        return self

    def _make_rules(self):
        lookup = dict(zip(self._sets, self._set_count))
        ante, cons, s_ac, s_a, s_c = [], [], [], [], []
        for itemset, sup in zip(self._sets, self._set_count):
            k = len(itemset)
            for size in range(1, k):
                for a in combinations(itemset, size):
                    c = tuple(x for x in itemset if x not in a)
                    ante.append(a)
                    cons.append(c)
                    s_ac.append(sup)
                    s_a.append(lookup[a])
                    s_c.append(lookup[c])
        c_ac, c_a, c_c = (np.asarray(v, dtype=float) for v in (s_ac, s_a, s_c))
        n = self.n_transactions_
        s_ac, s_a, s_c = c_ac / n, c_a / n, c_c / n
        metrics = _rule_metrics(s_ac, s_a, s_c, c_ac, c_a)
        keep = np.flatnonzero(metrics[self.metric] >= self.min_threshold)
        keep = keep[np.lexsort((-metrics["lift"][keep], -metrics["confidence"][keep]))]
        self._rule_ante = [ante[k] for k in keep]
        self._rule_cons = [cons[k] for k in keep]
        items = self.items_
        self.rules_ = pd.DataFrame(
            {
                "antecedents": _frozensets(items, self._rule_ante),
                "consequents": _frozensets(items, self._rule_cons),
                "antecedent support": s_a[keep],
                "consequent support": s_c[keep],
                **{name: metrics[name][keep] for name in METRICS},
            }
        )

    def transform(self, X):
        """Which frequent itemsets each basket holds.

        Parameters
        ----------
        X : list of iterables of hashable items, or a one-hot table
            Baskets; items unseen in fit are ignored.

        Returns
        -------
        indicator : sparse matrix of shape (n_baskets, n_itemsets)
            1 where the basket holds every item of the itemset (rows of ``itemsets_``).
        """
        check_is_fitted(self)
        indptr, codes, _ = encode_baskets(X, self.items_)
        s_indptr, s_items = _to_csr(self._sets)
        out = np.zeros((len(indptr) - 1, len(self._sets)), np.uint8)
        with numba_threads(self.n_jobs):
            kernels("association", "cpu").contains_itemsets(
                indptr, codes, s_indptr, s_items, len(self.items_), out
            )
        return sp.csr_matrix(out)

    def fit_transform(self, X, y=None):
        """Fit, then transform the same baskets.

        Parameters
        ----------
        X : list of iterables of hashable items, or a one-hot table
            The baskets.
        y : None
            Ignored.

        Returns
        -------
        indicator : sparse matrix of shape (n_baskets, n_itemsets)
            See :meth:`transform`.
        """
        return self.fit(X).transform(X)

    def recommend(self, X, n=5):
        """Items the rules recommend for each basket, best first.

        An item scores the best confidence (then lift) among the rules whose antecedents the
        basket holds and whose consequents hold the item; items already in the basket are
        left out.

        Parameters
        ----------
        X : list of iterables of hashable items, or a one-hot table
            Baskets; items unseen in fit are ignored.
        n : int, default=5
            Items per basket.

        Returns
        -------
        items : ndarray of shape (n_baskets, n), dtype object
            Recommended items; None where fewer than ``n`` items are recommended.
        scores : ndarray of shape (n_baskets, n)
            Their confidence; -inf in empty slots.
        """
        check_is_fitted(self)
        if not isinstance(n, Integral) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        indptr, codes, _ = encode_baskets(X, self.items_)
        a_indptr, a_items = _to_csr(self._rule_ante)
        c_indptr, c_items = _to_csr(self._rule_cons)
        m = len(indptr) - 1
        out_items = np.empty((m, n), np.int64)
        out_conf = np.empty((m, n))
        out_lift = np.empty((m, n))
        with numba_threads(self.n_jobs):
            kernels("association", "cpu").recommend_from_rules(
                indptr,
                codes,
                a_indptr,
                a_items,
                c_indptr,
                c_items,
                np.ascontiguousarray(self.rules_["confidence"].to_numpy(dtype=float)),
                np.ascontiguousarray(self.rules_["lift"].to_numpy(dtype=float)),
                len(self.items_),
                n,
                out_items,
                out_conf,
                out_lift,
            )
        items = np.empty((m, n), dtype=object)
        found = out_items >= 0
        items[found] = self.items_[out_items[found]]
        return items, out_conf

    def predict(self, X):
        """The best recommended item of each basket (None when no rule applies).

        Parameters
        ----------
        X : list of iterables of hashable items, or a one-hot table
            Baskets.

        Returns
        -------
        items : ndarray of shape (n_baskets,), dtype object
            The first column of :meth:`recommend`.
        """
        return self.recommend(X, n=1)[0][:, 0]

    @staticmethod
    def _common_test_data(seed=0, n_samples=60, dtype=np.float64):
        return _generated_baskets(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        items, scores = est.recommend(X, n=3)
        return {
            "transform": est.transform(X).toarray(),
            "recommend": items.astype(str),
            "scores": scores,
        }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        return tags

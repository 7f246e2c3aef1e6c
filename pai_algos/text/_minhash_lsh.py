"""MinHashLSH: near-duplicate documents by MinHash signatures and banded LSH."""

from __future__ import annotations

from functools import lru_cache
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._sentence_splitter import check_documents
from ._string_similarity import _feature_hashes


def _k():
    return kernels("strings", "cpu")


@lru_cache(maxsize=256)
def optimal_bands(threshold, num_perm, false_positive_weight=0.5, false_negative_weight=0.5):
    """``(bands, rows)`` minimizing the weighted false positive and negative areas.

    The probability that two sets of Jaccard ``s`` share a band is
    ``P(s) = 1 - (1 - s^r)^b``; the false positive area is the integral of ``P`` over
    ``[0, threshold]`` and the false negative area that of ``1 - P`` over ``[threshold, 1]``
    (datasketch's rule), integrated here by the trapezoid rule on 512 points.
    """
    lo = np.linspace(0.0, threshold, 512)
    hi = np.linspace(threshold, 1.0, 512)
    best, best_err = (1, 1), np.inf
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = np.trapezoid(1.0 - (1.0 - lo**r) ** b, lo)
            fn = np.trapezoid((1.0 - hi**r) ** b, hi)
            err = false_positive_weight * fp + false_negative_weight * fn
            if err < best_err:
                best, best_err = (b, r), err
    return best


def _unique_pairs(first, second, n):
    codes = np.unique(first * np.int64(n) + second)
    return np.stack([codes // n, codes % n], axis=1).astype(np.int64)


class MinHashLSH(BaseEstimator):
    """Find near-duplicate documents with MinHash signatures and locality-sensitive hashing.

    Each document becomes the set of its shingles (character n-grams or word n-grams, hashed
    to 64 bits), summarized by ``num_perm`` MinHash values: the probability that two
    signatures agree at a position is the Jaccard index of the two sets. Signatures are cut
    into ``bands`` bands of ``rows`` values; documents that agree on a whole band become
    candidate pairs, so pairs far above ``threshold`` are found with high probability without
    comparing all pairs. Signatures, band hashes and candidate pairs are computed by Numba
    kernels, documents in parallel.

    Parameters
    ----------
    num_perm : int, default=128
        Number of hash functions (signature length).
    threshold : float, default=0.8
        The Jaccard index sought: it sets ``bands`` and ``rows`` (when ``bands`` is None) and
        the estimated Jaccard above which a candidate pair is kept in `duplicates_`.
    bands : int, default=None
        Explicit number of bands (``rows = num_perm // bands``). None: chosen from
        ``threshold`` as datasketch does (see :func:`optimal_bands`).
    weights : tuple of (float, float), default=(0.5, 0.5)
        Weights of the false positive and false negative areas in that choice.
    analyzer : {"char", "word"}, default="char"
        Shingles of characters or of words.
    ngram_size : int, default=None
        Shingle length; None: 5 characters or 3 words. A document shorter than that is one
        shingle.
    lowercase : bool, default=True
        Lowercase the documents first.
    random_state : int, RandomState instance or None, default=None
        Seeds of the hash functions.
    n_jobs : int, default=None
        Numba threads (None: all).
    encoding : str, default="utf-8"
        Encoding of documents given as bytes.
    decode_error : {"strict", "ignore", "replace"}, default="strict"
        What to do with bytes that are not valid in ``encoding``.

    Attributes
    ----------
    signatures_ : ndarray of uint64 of shape (n_documents, num_perm)
        MinHash signatures of the fitted documents.
    bands_ : int
        Number of bands used.
    rows_ : int
        Signature values per band.
    seeds_ : ndarray of uint64 of shape (num_perm,)
        Seeds of the hash functions.
    candidate_pairs_ : ndarray of int64 of shape (n_candidates, 2)
        Pairs ``(i, j)``, ``i < j``, of fitted documents sharing at least one band.
    duplicates_ : ndarray of int64 of shape (n_duplicates, 2)
        The candidate pairs whose estimated Jaccard is at least ``threshold``.
    duplicates_jaccard_ : ndarray of float64 of shape (n_duplicates,)
        Their estimated Jaccard indices.
    n_documents_ : int
        Number of fitted documents.

    See Also
    --------
    StringSimilarity : Exact similarities of all pairs of short strings.

    Notes
    -----
    For sets ``A`` and ``B``, ``P[min h(A) = min h(B)] = |A & B| / |A | B|`` for a random
    permutation ``h`` (Broder, 1997); here ``h_p(x) = fmix64(x ^ seed_p)``, a bijection of
    64-bit words. A pair of Jaccard ``s`` becomes a candidate with probability
    ``1 - (1 - s^rows)^bands`` (Leskovec, Rajaraman and Ullman, 2014, section 3.4). The
    estimated Jaccard is the fraction of equal signature values; its standard deviation is
    ``sqrt(s (1 - s) / num_perm)``.

    Recall is not 1 near the threshold, by design. With the defaults (128 permutations,
    threshold 0.8: 9 bands of 13 rows) a pair of true Jaccard 0.8 becomes a candidate with
    probability 0.40 and is kept with probability about 0.20 (its estimate must reach 0.8 as
    well); at 0.85 it is kept with probability 0.64, at 0.9 0.93, at 0.95 0.998. datasketch
    makes the same trade with the same weights. For more recall near the threshold, fit with
    a lower ``threshold`` and filter with ``find_duplicates(0.8)``, or weigh false negatives
    more (``weights=(0.1, 0.9)``).

    References
    ----------
    Broder, A. Z. (1997). On the resemblance and containment of documents. Proceedings of
    Compression and Complexity of Sequences, 21-29.

    Leskovec, J., Rajaraman, A. and Ullman, J. D. (2014). Mining of Massive Datasets, 2nd
    edition, chapter 3. Cambridge University Press.

    Examples
    --------
    >>> from pai_algos.text import MinHashLSH
    >>> docs = ["the quick brown fox jumps over the lazy dog",
    ...         "the quick brown fox jumped over the lazy dog",
    ...         "an entirely different sentence about cats"]
    >>> lsh = MinHashLSH(threshold=0.5, random_state=0).fit(docs)
    >>> lsh.duplicates_
    array([[0, 1]])
    >>> lsh.transform(docs).shape
    (3, 128)
    """

    _parameter_constraints: dict = {
        "num_perm": [Interval(Integral, 2, None, closed="left")],
        "threshold": [Interval(Real, 0, 1, closed="neither")],
        "bands": [Interval(Integral, 1, None, closed="left"), None],
        "weights": [tuple],
        "analyzer": [StrOptions({"char", "word"})],
        "ngram_size": [Interval(Integral, 1, None, closed="left"), None],
        "lowercase": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
        "encoding": [str],
        "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    }

    def __init__(
        self,
        num_perm=128,
        *,
        threshold=0.8,
        bands=None,
        weights=(0.5, 0.5),
        analyzer="char",
        ngram_size=None,
        lowercase=True,
        random_state=None,
        n_jobs=None,
        encoding="utf-8",
        decode_error="strict",
    ):
        self.num_perm = num_perm
        self.threshold = threshold
        self.bands = bands
        self.weights = weights
        self.analyzer = analyzer
        self.ngram_size = ngram_size
        self.lowercase = lowercase
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.encoding = encoding
        self.decode_error = decode_error

    def _shingles(self, X, allow_empty=True):
        texts = check_documents(X, self.encoding, self.decode_error, allow_empty=allow_empty)
        if self.lowercase:
            texts = [t.lower() for t in texts]
        n = self.ngram_size or (5 if self.analyzer == "char" else 3)
        hashes, ptr = _feature_hashes(texts, self.analyzer, n)
        keys, _, ptr = _k().sorted_profiles(hashes, ptr)
        return keys, ptr

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the signatures, index them by band and find the candidate pairs.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        if self.bands is not None:
            if self.bands > self.num_perm:
                raise ValueError(f"bands={self.bands} is larger than num_perm={self.num_perm}.")
            bands, rows = self.bands, self.num_perm // self.bands
        else:
            fp_w, fn_w = self.weights
            if fp_w < 0 or fn_w < 0 or fp_w + fn_w <= 0:
                raise ValueError(f"weights must be two non-negative numbers, got {self.weights}.")
            bands, rows = optimal_bands(float(self.threshold), self.num_perm, fp_w, fn_w)
        rng = check_random_state(self.random_state)
        seeds = rng.randint(0, 2**63 - 1, size=self.num_perm, dtype=np.int64).astype(np.uint64)
        with numba_threads(self.n_jobs):
            keys, ptr = self._shingles(X, allow_empty=False)
            n = ptr.shape[0] - 1
            signatures = _k().minhash(keys, ptr, seeds)
            band = _k().band_keys(signatures, bands, rows)
            order = np.argsort(band, axis=0, kind="stable").astype(np.int64)
            sorted_keys = np.take_along_axis(band, order, axis=0)
            firsts, seconds = [], []
            for b in range(bands):
                col = sorted_keys[:, b]
                starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
                group_ptr = np.r_[starts, n].astype(np.int64)
                f, s = _k().pairs_in_groups(np.ascontiguousarray(order[:, b]), group_ptr)
                firsts.append(f)
                seconds.append(s)
            pairs = _unique_pairs(np.concatenate(firsts), np.concatenate(seconds), n)
            estimated = self._estimate(signatures, signatures, pairs[:, 0], pairs[:, 1])
        keep = estimated >= self.threshold
        self.seeds_ = seeds
        self.bands_, self.rows_ = bands, rows
        self.signatures_ = signatures
        self._keys, self._ptr = keys, ptr
        self._band_order, self._band_sorted = order, sorted_keys
        self.candidate_pairs_ = pairs
        self.duplicates_ = pairs[keep]
        self.duplicates_jaccard_ = estimated[keep]
        self.n_documents_ = n
        return self

    @staticmethod
    def _estimate(sig_a, sig_b, first, second):
        if len(first) == 0:
            return np.zeros(0, np.float64)
        return (sig_a[first] == sig_b[second]).mean(axis=1)

    def transform(self, X):
        """MinHash signatures of documents (with the fitted hash functions).

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        signatures : ndarray of uint64 of shape (n_documents, num_perm)
            An empty document's signature is all ones (the largest uint64).
        """
        check_is_fitted(self)
        with numba_threads(self.n_jobs):
            keys, ptr = self._shingles(X)
            return _k().minhash(keys, ptr, self.seeds_)

    def fit_transform(self, X, y=None):
        """Fit, then return the signatures of ``X``.

        Parameters
        ----------
        X : iterable of str or bytes
            The documents.
        y : None
            Ignored.

        Returns
        -------
        signatures : ndarray of uint64 of shape (n_documents, num_perm)
        """
        return self.fit(X, y).signatures_

    def query(self, X):
        """Candidate near-duplicates of each document among the fitted ones.

        Parameters
        ----------
        X : iterable of str or bytes
            Query documents.

        Returns
        -------
        ids : list of ndarray of int64
            For each query, the fitted documents sharing at least one band with it, by
            decreasing estimated Jaccard (ties: smaller id first).
        jaccard : list of ndarray of float64
            Their estimated Jaccard indices.
        """
        sig = self.transform(X)
        n_q = sig.shape[0]
        band = _k().band_keys(sig, self.bands_, self.rows_)
        q_parts, id_parts = [], []
        for b in range(self.bands_):
            col = self._band_sorted[:, b]
            left = np.searchsorted(col, band[:, b], side="left")
            right = np.searchsorted(col, band[:, b], side="right")
            counts = right - left
            total = int(counts.sum())
            if total == 0:
                continue
            q = np.repeat(np.arange(n_q, dtype=np.int64), counts)
            start = np.repeat(left - np.cumsum(counts) + counts, counts)
            pos = np.arange(total, dtype=np.int64) + start
            q_parts.append(q)
            id_parts.append(self._band_order[pos, b])
        if q_parts:
            pairs = _unique_pairs(
                np.concatenate(q_parts), np.concatenate(id_parts), max(self.n_documents_, 1)
            )
        else:
            pairs = np.zeros((0, 2), np.int64)
        est = self._estimate(sig, self.signatures_, pairs[:, 0], pairs[:, 1])
        order = np.lexsort((pairs[:, 1], -est, pairs[:, 0]))
        pairs, est = pairs[order], est[order]
        bounds = np.searchsorted(pairs[:, 0], np.arange(n_q + 1)).tolist()
        ids = [pairs[a:z, 1] for a, z in zip(bounds[:-1], bounds[1:])]
        jac = [est[a:z] for a, z in zip(bounds[:-1], bounds[1:])]
        return ids, jac

    def find_duplicates(self, threshold=None):
        """Fitted near-duplicate pairs with their estimated and exact Jaccard indices.

        Parameters
        ----------
        threshold : float, default=None
            Keep the candidate pairs whose estimated Jaccard is at least this; None: the
            fitted ``threshold``.

        Returns
        -------
        pairs : ndarray of int64 of shape (n_pairs, 2)
            ``(i, j)`` with ``i < j``, by decreasing estimated Jaccard.
        estimated : ndarray of float64 of shape (n_pairs,)
            Jaccard estimated from the signatures.
        jaccard : ndarray of float64 of shape (n_pairs,)
            Exact Jaccard of the shingle sets.
        """
        check_is_fitted(self)
        threshold = self.threshold if threshold is None else float(threshold)
        pairs = self.candidate_pairs_
        est = self._estimate(self.signatures_, self.signatures_, pairs[:, 0], pairs[:, 1])
        keep = est >= threshold
        pairs, est = pairs[keep], est[keep]
        order = np.lexsort((pairs[:, 1], pairs[:, 0], -est))
        pairs, est = pairs[order], est[order]
        exact = _k().pair_jaccard(
            self._keys,
            self._ptr,
            np.ascontiguousarray(pairs[:, 0]),
            np.ascontiguousarray(pairs[:, 1]),
        )
        return pairs, est, exact

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        from ._count_vectorizer import _generated_documents

        docs = _generated_documents(seed, n_samples)
        return docs + [d + " x" for d in docs[:5]], None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": est.transform(X), "duplicates_": est.duplicates_}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

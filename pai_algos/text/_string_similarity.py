"""StringSimilarity: edit, subsequence, n-gram and SimHash similarities between strings."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from . import _engine as eng
from ._sentence_splitter import check_documents

METRICS = ("levenshtein", "lcs", "cosine", "jaccard", "simhash")
# Rows of the score matrix computed at once by top_n: bounds its memory (8 bytes a cell).
_TOP_N_CELLS = 1 << 22


def _k():
    return kernels("strings", "cpu")


def _feature_hashes(texts, analyzer, n):
    """Hashed n-grams (chars) or word n-grams of each text: ``(hashes, ptr)``.

    A text shorter than ``n`` units gives itself as its one n-gram, so that short strings
    still compare; an empty text gives the empty n-gram.
    """
    if analyzer == "char":
        stream, ptr = eng.code_points(texts)
    else:
        data, offsets = eng.utf8_buffer(texts)
        text_k = eng._k()
        ptr, starts, ends = text_k.tokenize_words(data, offsets, eng.word_table(), 2)
        keys, key_offsets = text_k.gather_spans(data, starts, ends)
        stream = text_k.murmurhash3_64(keys, key_offsets, 0)
    ng_ptr, starts, ends = eng._k().ngram_spans(ptr, n, n, 1)
    return _k().span_hashes(stream, starts, ends, 0), ng_ptr


def _profile_scores(a, b, metric):
    """Cosine or Jaccard of two sets of profiles through one sparse product.

    The n-gram hashes of both sets get shared column ids, and ``A @ B.T`` gives every dot
    product (counts for the cosine, ones for Jaccard's intersections) by scipy's sparse
    product, which skips the pairs that share nothing; ``profile_matrix`` of the kernels
    computes the same values pair by pair.
    """
    import scipy.sparse as sp

    _, cols = np.unique(np.concatenate([a.keys, b.keys]), return_inverse=True)
    n_cols = int(cols.max()) + 1 if cols.size else 1
    cols_a, cols_b = cols[: a.keys.shape[0]], cols[a.keys.shape[0] :]
    if metric == "cosine":
        va, vb = a.counts.astype(np.float64), b.counts.astype(np.float64)
    else:
        va, vb = np.ones(a.keys.shape[0]), np.ones(b.keys.shape[0])
    A = sp.csr_matrix((va, cols_a, a.ptr), shape=(a.n, n_cols))
    B = sp.csr_matrix((vb, cols_b, b.ptr), shape=(b.n, n_cols))
    dots = (A @ B.T).toarray()
    if metric == "cosine":
        na = np.sqrt(np.asarray(A.multiply(A).sum(axis=1)).ravel())
        nb = np.sqrt(np.asarray(B.multiply(B).sum(axis=1)).ravel())
        denom = na[:, None] * nb[None, :]
    else:
        denom = np.diff(a.ptr)[:, None] + np.diff(b.ptr)[None, :] - dots
    empty_a, empty_b = np.diff(a.ptr) == 0, np.diff(b.ptr) == 0
    out = np.divide(dots, denom, out=np.zeros_like(dots), where=denom > 0)
    out[np.logical_and.outer(empty_a, empty_b)] = 1.0
    return out


class _Encoded:
    """A set of strings in the layout the metric's kernel takes."""

    def __init__(self, est, texts):
        self.n = len(texts)
        metric = est.metric
        if metric in ("levenshtein", "lcs"):
            self.cp, self.ptr = eng.code_points(texts)
            self.lengths = np.diff(self.ptr)
            return
        hashes, ptr = _feature_hashes(texts, est.analyzer, est._ngram_size())
        self.keys, self.counts, self.ptr = _k().sorted_profiles(hashes, ptr)
        if metric == "simhash":
            self.fingerprints = _k().simhash(self.keys, self.counts.astype(np.float64), self.ptr)


class StringSimilarity(BaseEstimator):
    """Similarities between short strings: edit distance, LCS, n-gram overlap, SimHash.

    Every pair of two sets of strings is scored by parallel Numba kernels (rows in
    parallel). Strings are compared as sequences of Unicode code points, so "é" or "北" is one
    character. ``fit`` stores a reference set; :meth:`top_n` then finds the best matches of
    queries in it without holding the whole score matrix.

    Parameters
    ----------
    metric : {"levenshtein", "lcs", "cosine", "jaccard", "simhash"}, default="levenshtein"
        - "levenshtein": edit distance with unit costs; similarity ``1 - d / max(|a|, |b|)``.
        - "lcs": longest common *subsequence* (not substring); similarity
          ``lcs / max(|a|, |b|)``.
        - "cosine": cosine of the n-gram count vectors.
        - "jaccard": Jaccard index of the n-gram sets.
        - "simhash": 64-bit SimHash of the n-grams weighted by their counts; similarity
          ``1 - hamming / 64``.

        Two empty strings have similarity 1.
    normalized : bool, default=True
        Return similarities in [0, 1] (larger is closer). False returns the raw quantity:
        the edit distance, the LCS length or the Hamming distance (int64; for
        "levenshtein" and "simhash" smaller is closer). Cosine and Jaccard are always
        similarities.
    analyzer : {"char", "word"}, default="char"
        The units of "cosine", "jaccard" and "simhash": character n-grams or word n-grams
        (words as found by the text package's tokenizer).
    ngram_size : int, default=None
        n of the n-grams; None: 3 for characters, 1 (sets of words) for words. A string
        shorter than n counts as one n-gram.
    lowercase : bool, default=False
        Lowercase the strings first.
    n_jobs : int, default=None
        Numba threads for the kernels (None: all).
    encoding : str, default="utf-8"
        Encoding of strings given as bytes.
    decode_error : {"strict", "ignore", "replace"}, default="strict"
        What to do with bytes that are not valid in ``encoding``.

    Attributes
    ----------
    n_strings_ : int
        Number of reference strings seen in ``fit``.
    strings_ : list of str
        The reference strings (lowercased when ``lowercase``).

    See Also
    --------
    MinHashLSH : Near-duplicate search over many documents without comparing all pairs.

    Notes
    -----
    Levenshtein distances of a row string of at most 64 characters use Myers' bit-parallel
    algorithm (Myers, 1999) in Hyyrö's formulation for the edit distance, one machine word per
    column; the LCS uses the bit-vector algorithm of Allison and Dix (1986). Longer row
    strings use the two-row dynamic programme. :meth:`top_n` with "levenshtein" never builds
    the score matrix: each query visits the reference strings by length distance and stops
    when the bound ``d >= |len(a) - len(b)|`` rules out the rest. Cosine and Jaccard are
    computed as one sparse product of the n-gram count matrices (scipy), which skips the
    pairs that share no n-gram. n-grams are compared through 64-bit hashes
    (MurmurHash3's finalizer over code points or word hashes), so a collision is possible in
    principle (probability about ``k^2 / 2^65`` for ``k`` distinct n-grams). SimHash is
    Charikar's (2002) sign of the weighted sum of the features' hash bits.

    References
    ----------
    Myers, G. (1999). A fast bit-vector algorithm for approximate string matching based on
    dynamic programming. Journal of the ACM, 46(3), 395-415.

    Hyyrö, H. (2001). Explaining and extending the bit-parallel approximate string matching
    algorithm of Myers. Technical report A-2001-10, University of Tampere.

    Allison, L. and Dix, T. I. (1986). A bit-string longest-common-subsequence algorithm.
    Information Processing Letters, 23(5), 305-310.

    Charikar, M. S. (2002). Similarity estimation techniques from rounding algorithms.
    Proceedings of STOC 2002, 380-388.

    Examples
    --------
    >>> from pai_algos.text import StringSimilarity
    >>> sim = StringSimilarity().fit(["kitten", "sitting", "mitten"])
    >>> sim.pairwise(["kitten"], ["sitting"]).round(3)
    array([[0.571]])
    >>> StringSimilarity(normalized=False).pairwise(["kitten"], ["sitting"])
    array([[3]])
    >>> idx, score = sim.top_n(["bitten"], n=2)
    >>> idx, score.round(3)
    (array([[0, 2]]), array([[0.833, 0.833]]))
    """

    _parameter_constraints: dict = {
        "metric": [StrOptions(set(METRICS))],
        "normalized": ["boolean"],
        "analyzer": [StrOptions({"char", "word"})],
        "ngram_size": [Interval(Integral, 1, None, closed="left"), None],
        "lowercase": ["boolean"],
        "n_jobs": [Integral, None],
        "encoding": [str],
        "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    }

    def __init__(
        self,
        metric="levenshtein",
        *,
        normalized=True,
        analyzer="char",
        ngram_size=None,
        lowercase=False,
        n_jobs=None,
        encoding="utf-8",
        decode_error="strict",
    ):
        self.metric = metric
        self.normalized = normalized
        self.analyzer = analyzer
        self.ngram_size = ngram_size
        self.lowercase = lowercase
        self.n_jobs = n_jobs
        self.encoding = encoding
        self.decode_error = decode_error

    def _ngram_size(self):
        if self.ngram_size is not None:
            return self.ngram_size
        return 3 if self.analyzer == "char" else 1

    def _texts(self, X, allow_empty=True):
        texts = check_documents(X, self.encoding, self.decode_error, allow_empty=allow_empty)
        return [t.lower() for t in texts] if self.lowercase else texts

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Store and encode the reference strings.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The reference strings.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        texts = self._texts(X, allow_empty=False)
        with numba_threads(self.n_jobs):
            encoded = _Encoded(self, texts)
        self.strings_ = texts
        self.n_strings_ = len(texts)
        self._reference = encoded
        return self

    def _scores(self, a, b):
        """Score matrix of two encoded sets (similarities or raw values)."""
        k = _k()
        if a.n == 0 or b.n == 0:
            raw = np.zeros((a.n, b.n), np.int64)
        elif self.metric in ("cosine", "jaccard"):
            return _profile_scores(a, b, self.metric)
        elif self.metric == "simhash":
            raw = k.hamming_matrix(a.fingerprints, b.fingerprints)
        elif self.metric == "levenshtein":
            raw = k.levenshtein_matrix(a.cp, a.ptr, b.cp, b.ptr)
        else:
            raw = k.lcs_matrix(a.cp, a.ptr, b.cp, b.ptr)
        if not self.normalized:
            return raw
        if self.metric == "simhash":
            return 1.0 - raw / 64.0
        longest = np.maximum(a.lengths[:, None], b.lengths[None, :]).astype(np.float64)
        safe = np.where(longest > 0, longest, 1.0)
        if self.metric == "levenshtein":
            return np.where(longest > 0, 1.0 - raw / safe, 1.0)
        return np.where(longest > 0, raw / safe, 1.0)

    def pairwise(self, A, B):
        """Score every pair of strings of ``A`` and ``B`` (no fit needed).

        Parameters
        ----------
        A, B : iterable of str or bytes
            The two sets of strings.

        Returns
        -------
        scores : ndarray of shape (len(A), len(B))
            float64 similarities, or int64 raw values with ``normalized=False`` (see
            ``normalized``).
        """
        self._validate_params()
        a, b = self._texts(A), self._texts(B)
        with numba_threads(self.n_jobs):
            return self._scores(_Encoded(self, a), _Encoded(self, b))

    def transform(self, X):
        """Score each string of ``X`` against every fitted reference string.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            Query strings.

        Returns
        -------
        scores : ndarray of shape (n_queries, `n_strings_`)
            As :meth:`pairwise` with the reference strings as ``B``.
        """
        check_is_fitted(self)
        with numba_threads(self.n_jobs):
            return self._scores(_Encoded(self, self._texts(X)), self._reference)

    def fit_transform(self, X, y=None):
        """Fit, then score ``X`` against itself.

        Parameters
        ----------
        X : iterable of str or bytes
            The reference strings.
        y : None
            Ignored.

        Returns
        -------
        scores : ndarray of shape (n_strings, n_strings)
        """
        return self.fit(X, y).transform(X)

    def top_n(self, X, n=5):
        """The ``n`` best reference strings of each query.

        The score matrix is computed by blocks of queries, so memory stays bounded however
        many queries and reference strings there are.

        Parameters
        ----------
        X : iterable of str or bytes
            Query strings.
        n : int, default=5
            Matches per query, at most `n_strings_`.

        Returns
        -------
        indices : ndarray of int64 of shape (n_queries, n)
            Positions in the reference set, best first (ties: smaller position first).
        scores : ndarray of shape (n_queries, n)
            Their scores (float64 similarities, or the raw values with ``normalized=False``).
        """
        check_is_fitted(self)
        if not isinstance(n, Integral) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}.")
        if n > self.n_strings_:
            raise ValueError(
                f"n={n} is larger than the number of fitted strings ({self.n_strings_})."
            )
        largest = self.normalized or self.metric in ("lcs", "cosine", "jaccard")
        texts = self._texts(X)
        if self.metric == "levenshtein":
            ref = self._reference
            order = np.argsort(ref.lengths, kind="stable").astype(np.int64)
            queries = _Encoded(self, texts)
            with numba_threads(self.n_jobs):
                idx, val = _k().levenshtein_top_n(
                    queries.cp, queries.ptr, ref.cp, ref.ptr, order, n, self.normalized
                )
            return idx, val if self.normalized else val.astype(np.int64)
        block = max(1, _TOP_N_CELLS // max(self.n_strings_, 1))
        idx_parts, val_parts = [], []
        with numba_threads(self.n_jobs):
            for start in range(0, len(texts), block):
                part = _Encoded(self, texts[start : start + block])
                scores = self._scores(part, self._reference)
                idx, val = _k().top_n_rows(scores, n, largest)
                idx_parts.append(idx)
                val_parts.append(val.astype(scores.dtype))
        if not idx_parts:
            return np.zeros((0, n), np.int64), np.zeros((0, n), np.float64)
        return np.concatenate(idx_parts), np.concatenate(val_parts)

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        rng = np.random.default_rng(seed)
        alphabet = list("abcde ") + ["é", "北"]
        strings = [
            "".join(rng.choice(alphabet, size=int(rng.integers(0, 12)))) for _ in range(n_samples)
        ]
        return strings, None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": est.transform(X)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

"""HashingVectorizer: documents to hashed token counts, MurmurHash3 in our kernels."""

from __future__ import annotations

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from . import _engine as eng
from ._base import COMMON_CONSTRAINTS, DEFAULT_TOKEN_PATTERN, _TextMixin
from ._count_vectorizer import _generated_documents

_I32_MAX = np.iinfo(np.int32).max
_I64_MAX = np.iinfo(np.int64).max


class HashingVectorizer(_TextMixin, TransformerMixin, BaseEstimator):
    """Convert a collection of text documents to a matrix of hashed token occurrences.

    The same parameters and matrices as scikit-learn's ``HashingVectorizer``: feature ``f``
    goes to column ``|h(f)| mod n_features`` where ``h`` is the signed MurmurHash3_x86_32 of
    its UTF-8 bytes with seed 0, with sign ``-1`` when ``h < 0`` and ``alternate_sign``. The
    analysis, hashing and sparse assembly run in Numba kernels, documents in parallel.

    ``hash_bits=64`` hashes with the first 64-bit word of MurmurHash3_x64_128 instead, which
    allows up to ``2**63 - 1`` columns (64-bit keys, as the parameter server's hashed tables
    use); the matrix then has int64 indices.

    Parameters
    ----------
    input : {"content", "filename", "file"}, default="content"
        What the items of ``X`` are.
    encoding : str, default="utf-8"
        Encoding of bytes documents.
    decode_error : {"strict", "ignore", "replace"}, default="strict"
        What to do with bytes that are not valid in ``encoding`` (as ``bytes.decode``);
        "strict" raises a ``ValueError`` naming the document (also the ``UnicodeDecodeError``
        scikit-learn raises).
    strip_accents : {"ascii", "unicode"} or callable, default=None
        Remove accents during preprocessing.
    lowercase : bool, default=True
        Lowercase the documents before tokenizing.
    preprocessor : callable, default=None
        Replaces the preprocessing.
    tokenizer : callable, default=None
        Replaces the token pattern.
    segmenter : callable, default=None
        ``str -> list of str`` word segmenter for scripts without spaces; see
        :class:`CountVectorizer`.
    stop_words : {"english"}, list, default=None
        Tokens removed before the n-grams are formed.
    token_pattern : str or None, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Range of n-gram lengths.
    analyzer : {"word", "char", "char_wb"} or callable, default="word"
        Word or character n-gram features.
    n_features : int, default=2**20
        Number of columns; at most ``2**31 - 1`` (``hash_bits=32``) or ``2**63 - 1``
        (``hash_bits=64``).
    binary : bool, default=False
        Set every non-zero entry to 1 (before normalization).
    norm : {"l1", "l2"} or None, default="l2"
        Row normalization.
    alternate_sign : bool, default=True
        Give features with a negative hash the value -1, so that collisions tend to cancel.
    dtype : dtype, default=np.float64
        Type of the returned matrix.
    hash_bits : {32, 64}, default=32
        32: scikit-learn's hash (same matrices); 64: MurmurHash3_x64_128's first word.

    See Also
    --------
    CountVectorizer : Counts with a learned vocabulary.
    sklearn.feature_extraction.text.HashingVectorizer : The reference implementation.

    Notes
    -----
    The hashing trick of Weinberger et al. [1]_; MurmurHash3 is Appleby's [2]_.

    References
    ----------
    .. [1] Weinberger, K., Dasgupta, A., Langford, J., Smola, A. and Attenberg, J. (2009).
       Feature hashing for large scale multitask learning. ICML.
    .. [2] Appleby, A. (2011). MurmurHash3. https://github.com/aappleby/smhasher

    Examples
    --------
    >>> from pai_algos.text import HashingVectorizer
    >>> corpus = ["This is the first document.", "This document is the second document."]
    >>> X = HashingVectorizer(n_features=2**4).fit_transform(corpus)
    >>> X.shape
    (2, 16)
    """

    _parameter_constraints: dict = {
        **COMMON_CONSTRAINTS,
        "n_features": [Interval(Integral, 1, _I64_MAX, closed="both")],
        "norm": [StrOptions({"l1", "l2"}), None],
        "alternate_sign": ["boolean"],
        "hash_bits": [Interval(Integral, 32, 64, closed="both")],
    }

    def __init__(
        self,
        *,
        input="content",
        encoding="utf-8",
        decode_error="strict",
        strip_accents=None,
        lowercase=True,
        preprocessor=None,
        tokenizer=None,
        segmenter=None,
        stop_words=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        analyzer="word",
        n_features=(2**20),
        binary=False,
        norm="l2",
        alternate_sign=True,
        dtype=np.float64,
        hash_bits=32,
    ):
        self.input = input
        self.encoding = encoding
        self.decode_error = decode_error
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.preprocessor = preprocessor
        self.tokenizer = tokenizer
        self.segmenter = segmenter
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.n_features = n_features
        self.binary = binary
        self.norm = norm
        self.alternate_sign = alternate_sign
        self.dtype = dtype
        self.hash_bits = hash_bits

    def _check_hash_params(self):
        if self.hash_bits not in (32, 64):
            raise ValueError(f"hash_bits must be 32 or 64, got {self.hash_bits!r}.")
        if self.hash_bits == 32 and self.n_features > _I32_MAX:
            raise ValueError(
                f"n_features={self.n_features} needs hash_bits=64: 32-bit hashes allow at "
                f"most {_I32_MAX} features."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Only validate the parameters (the vectorizer is stateless).

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents (not used).
        y : None
            Ignored.

        Returns
        -------
        self : object
            HashingVectorizer instance.
        """
        if isinstance(X, str):
            raise ValueError("Iterable over raw text documents expected, string object received.")
        self._warn_for_unused_params()
        self._validate_ngram_range()
        self._check_hash_params()
        return self

    def transform(self, X):
        """Transform a sequence of documents to a document-term matrix.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        X : sparse matrix of shape (n_samples, n_features)
            Document-term matrix.
        """
        docs = eng.as_documents(X)
        self._validate_ngram_range()
        self._check_hash_params()
        if len(docs) == 0:
            raise ValueError("Cannot vectorize empty sequence.")
        with eng.threads_for(len(docs)):
            cols, values, doc_ptr = self._hashed(docs)
            out = eng.assemble(doc_ptr, cols, values, self.n_features, self.dtype)
            if self.binary:
                out.data.fill(1)
            out = eng.row_normalize(out, self.norm)
        return eng.sparse_interface(out)

    def fit_transform(self, X, y=None):
        """Transform a sequence of documents to a document-term matrix.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.
        y : None
            Ignored.

        Returns
        -------
        X : sparse matrix of shape (n_samples, n_features)
            Document-term matrix.
        """
        return self.fit(X, y).transform(X)

    def _hashed(self, docs):
        k = eng._k()
        path = self._engine_path()
        min_n, max_n = self.ngram_range
        if path == "word":
            data, tok_ptr, starts, ends = eng.word_tokens(self, docs)
            stream = np.arange(len(starts), dtype=np.int64)
            stop = self.get_stop_words()
            self._check_stop_words_consistency(
                stop, self.build_preprocessor(), self.build_tokenizer()
            )
            if stop:
                keys, key_offsets = eng.encode_keys(sorted(stop))
                slots = k.span_table(keys, key_offsets)
                is_stop = k.lookup_spans(data, starts, ends, keys, key_offsets, slots) >= 0
                stream, tok_ptr = k.filter_stream(stream, tok_ptr, is_stop)
            ng_ptr, ng_starts, ng_ends = k.ngram_spans(tok_ptr, min_n, max_n, 0)
            doc_ptr, sep = ng_ptr, 32
            longest = int((ends - starts).max()) if len(starts) else 0
            max_bytes = longest * max_n + max_n
        elif path == "char":
            segments, seg_doc_ptr = eng.char_segments(self, eng.preprocessed_texts(self, docs))
            data, offsets = eng.utf8_buffer(segments)
            seg_ptr, starts, ends = k.char_spans(data, offsets)
            stream = np.arange(len(starts), dtype=np.int64)
            mode = 1 if self.analyzer == "char_wb" else 0
            ng_ptr, ng_starts, ng_ends = k.ngram_spans(seg_ptr, min_n, max_n, mode)
            doc_ptr, sep = ng_ptr[seg_doc_ptr], -1
            longest = int(np.diff(seg_ptr).max()) if len(segments) else 0
            max_bytes = 4 * max(max_n, longest if mode == 1 else 0) + 4
        else:
            flat, doc_ptr = eng.python_features(self, docs)
            data, offsets = eng.utf8_buffer(flat)
            starts, ends = offsets[:-1].copy(), offsets[1:].copy()
            stream = np.arange(len(flat), dtype=np.int64)
            ng_starts, ng_ends = stream, stream + 1
            sep = -1
            max_bytes = int(np.diff(offsets).max()) if len(flat) else 0
        cols, values = k.hash_ngrams(
            data,
            starts,
            ends,
            stream,
            ng_starts,
            ng_ends,
            sep,
            int(self.n_features),
            int(self.hash_bits),
            bool(self.alternate_sign),
            max(max_bytes, 1),
        )
        return cols, values, doc_ptr

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        return _generated_documents(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": est.transform(X).toarray()}

    def __sklearn_tags__(self):
        tags = self._more_tags_text(super().__sklearn_tags__())
        tags.requires_fit = False
        return tags

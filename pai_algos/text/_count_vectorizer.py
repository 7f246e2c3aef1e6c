"""CountVectorizer: documents to a matrix of token counts, on our text kernels."""

from __future__ import annotations

import warnings
from numbers import Integral
from operator import itemgetter

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_array

from ..utils._sklearn_compat import Interval, RealNotInt, _fit_context
from . import _engine as eng
from . import _vocabulary as voc
from ._base import COMMON_CONSTRAINTS, DEFAULT_TOKEN_PATTERN, VOCABULARY_CONSTRAINT, _TextMixin


def _generated_documents(seed=0, n_samples=40):
    """Short documents for the common checks: generated words plus some fixed text."""
    from ..datasets import make_corpus

    docs = make_corpus(
        n_documents=n_samples,
        n_topics=3,
        vocabulary_size=60,
        document_length=(3, 12),
        random_state=seed,
        return_topics=False,
    )
    extra = ["The café serves crème brûlée", "北京 東京 서울", "a b c d e", "Hello, World!"]
    return [d if i % 5 else f"{d} {extra[(i // 5) % 4]}" for i, d in enumerate(docs)]


class CountVectorizer(_TextMixin, BaseEstimator):
    """Convert a collection of text documents to a matrix of token counts.

    The same parameters, vocabulary and matrices as scikit-learn's ``CountVectorizer``,
    computed by the Numba kernels of ``pai_algos_native.cpu.text``: with the default
    ``token_pattern`` (and no ``tokenizer``) the documents are tokenized, n-grammed and counted
    on their UTF-8 bytes, documents in parallel; ``analyzer="char"``/``"char_wb"`` n-grams are
    counted on code points; any other ``token_pattern``, ``tokenizer`` or callable
    ``analyzer`` tokenizes with Python and counts with the kernels.

    Parameters
    ----------
    input : {"content", "filename", "file"}, default="content"
        What the items of ``raw_documents`` are: the text itself (str or bytes), file names,
        or file objects.
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
        Replaces the preprocessing (lowercasing and accent stripping) for ``analyzer`` "word",
        "char" and "char_wb".
    tokenizer : callable, default=None
        Replaces the token pattern (``analyzer="word"`` only).
    segmenter : callable, default=None
        ``str -> list of str`` that cuts a preprocessed document into words, for scripts
        written without spaces (a Chinese or Japanese word segmenter). The words are joined
        by single spaces and then tokenized by ``token_pattern`` (or ``tokenizer``), so the
        token rules still apply. ``analyzer="word"`` only; None: no segmentation. Character
        n-grams (``analyzer="char"``) need no segmenter.
    stop_words : {"english"}, list, default=None
        Tokens removed before the n-grams are formed (``analyzer="word"`` only).
    token_pattern : str or None, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Range of n-gram lengths.
    analyzer : {"word", "char", "char_wb"} or callable, default="word"
        Features made of words or character n-grams; ``char_wb`` makes character n-grams
        inside word boundaries only. A callable receives the decoded document.
    max_df : float in [0.0, 1.0] or int, default=1.0
        Ignore terms whose document frequency is above this (a proportion or a count).
    min_df : float in [0.0, 1.0] or int, default=1
        Ignore terms whose document frequency is below this.
    max_features : int, default=None
        Keep the ``max_features`` most frequent terms.
    vocabulary : Mapping or iterable, default=None
        A fixed vocabulary (terms to column indices, or an iterable of terms).
    binary : bool, default=False
        Set every non-zero count to 1.
    dtype : dtype, default=np.int64
        Type of the matrix returned by ``fit_transform`` and ``transform``.

    Attributes
    ----------
    vocabulary_ : dict
        A mapping of terms to feature indices.
    fixed_vocabulary_ : bool
        True if a fixed vocabulary was given.

    See Also
    --------
    TfidfVectorizer : Counts followed by the tf-idf weighting.
    HashingVectorizer : Counts in hashed columns, without a vocabulary.
    sklearn.feature_extraction.text.CountVectorizer : The reference implementation.

    Notes
    -----
    The default ``token_pattern`` matches maximal runs of at least two characters that
    Python's ``re`` calls word characters; the tokenizer kernel reads a table of those code
    points, so it gives the same tokens as ``re`` for any Unicode text. Vocabulary ids are
    exact: tokens and n-grams are interned by comparing their bytes (or token ids), never by
    a hash alone.

    Examples
    --------
    >>> from pai_algos.text import CountVectorizer
    >>> corpus = ["This is the first document.", "This document is the second document."]
    >>> vectorizer = CountVectorizer()
    >>> X = vectorizer.fit_transform(corpus)
    >>> vectorizer.get_feature_names_out().tolist()
    ['document', 'first', 'is', 'second', 'the', 'this']
    >>> X.toarray()
    array([[1, 1, 1, 0, 1, 1],
           [2, 0, 1, 1, 1, 1]])
    """

    _parameter_constraints: dict = {
        **COMMON_CONSTRAINTS,
        "max_df": [
            Interval(RealNotInt, 0, 1, closed="both"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "min_df": [
            Interval(RealNotInt, 0, 1, closed="both"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "max_features": [Interval(Integral, 1, None, closed="left"), None],
        "vocabulary": VOCABULARY_CONSTRAINT,
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
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.int64,
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
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype

    def fit(self, raw_documents, y=None):
        """Learn a vocabulary dictionary of all tokens in the raw documents.

        Parameters
        ----------
        raw_documents : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted vectorizer.
        """
        self.fit_transform(raw_documents)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary dictionary and return the document-term matrix.

        Parameters
        ----------
        raw_documents : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.
        y : None
            Ignored.

        Returns
        -------
        X : sparse matrix of shape (n_samples, n_features)
            Document-term matrix.
        """
        return self._fit_counts(raw_documents)

    def _fit_counts(self, raw_documents):
        docs = eng.as_documents(raw_documents)
        self._validate_ngram_range()
        self._warn_for_unused_params()
        for attr in ("vocabulary_", "fixed_vocabulary_", "_text_state_"):
            self.__dict__.pop(attr, None)
        if self.vocabulary is not None:
            vocabulary = self._checked_fixed_vocabulary()
            if self.lowercase and any(any(map(str.isupper, t)) for t in vocabulary):
                warnings.warn(
                    "Upper case characters found in vocabulary while 'lowercase' is True. "
                    "These entries will not be matched with any documents",
                    stacklevel=2,
                )
            self.vocabulary_ = vocabulary
            with eng.threads_for(len(docs)):
                X = voc.count(self, docs)
            if self.binary:
                X.data.fill(1)
            self.fixed_vocabulary_ = True
            return eng.sparse_interface(X)
        with eng.threads_for(len(docs)):
            X, vocabulary, state = voc.learn(self, docs)
        self.vocabulary_ = vocabulary
        self.fixed_vocabulary_ = False
        if state is not None:
            self._text_state_ = state
        return eng.sparse_interface(X)

    def _checked_fixed_vocabulary(self):
        self._validate_vocabulary()
        vocabulary = self.vocabulary_
        del self.vocabulary_, self.fixed_vocabulary_
        return vocabulary

    def transform(self, raw_documents):
        """Transform documents to a document-term matrix on the fitted vocabulary.

        Parameters
        ----------
        raw_documents : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        X : sparse matrix of shape (n_samples, n_features)
            Document-term matrix.
        """
        docs = eng.as_documents(raw_documents)
        self._check_vocabulary()
        with eng.threads_for(len(docs)):
            X = voc.count(self, docs)
        if self.binary:
            X.data.fill(1)
        return eng.sparse_interface(X)

    def inverse_transform(self, X):
        """Return the terms of each document with non-zero entries in X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Document-term matrix.

        Returns
        -------
        X_original : list of arrays of shape (n_samples,)
            List of arrays of terms.
        """
        self._check_vocabulary()
        X = check_array(X, accept_sparse="csr")
        n_samples = X.shape[0]
        terms = np.array(list(self.vocabulary_.keys()))
        indices = np.array(list(self.vocabulary_.values()))
        inverse_vocabulary = terms[np.argsort(indices)]
        if sp.issparse(X):
            X = sp.csr_matrix(X)
            return [
                inverse_vocabulary[
                    X.indices[X.indptr[i] : X.indptr[i + 1]][
                        X.data[X.indptr[i] : X.indptr[i + 1]] != 0
                    ]
                ]
                for i in range(n_samples)
            ]
        return [inverse_vocabulary[np.flatnonzero(X[i, :])].ravel() for i in range(n_samples)]

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Not used, present for API consistency.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The terms, in column order.
        """
        self._check_vocabulary()
        return np.asarray(
            [t for t, _ in sorted(self.vocabulary_.items(), key=itemgetter(1))], dtype=object
        )

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        return _generated_documents(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": est.transform(X).toarray()}

    def __sklearn_tags__(self):
        return self._more_tags_text(super().__sklearn_tags__())

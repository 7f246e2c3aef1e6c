"""RegexTokenizer: documents to lists of tokens (PAI's and Spark's tokenizer component)."""

from __future__ import annotations

import re
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from . import _engine as eng
from ._base import DEFAULT_TOKEN_PATTERN, strip_accents_ascii, strip_accents_unicode
from ._count_vectorizer import _generated_documents


class RegexTokenizer(BaseEstimator):
    """Split documents into tokens with a regular expression.

    With the default ``pattern`` (scikit-learn's ``token_pattern``) and ``gaps=False`` the
    tokens are found by our UTF-8 tokenizer kernel, documents in parallel; they are exactly
    what ``re.findall(pattern, doc)`` returns. Other patterns use Python's ``re``.

    Parameters
    ----------
    pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        The regular expression of a token, or of a separator when ``gaps`` is True.
    gaps : bool, default=False
        Whether ``pattern`` matches the gaps between tokens (``re.split``) instead of the
        tokens; empty strings are dropped.
    lowercase : bool, default=True
        Lowercase before tokenizing.
    strip_accents : {"ascii", "unicode"} or callable, default=None
        Remove accents before tokenizing.
    min_token_length : int, default=1
        Drop tokens shorter than this (in characters).
    segmenter : callable, default=None
        ``str -> list of str``: a word segmenter for scripts without spaces (e.g.
        ``jieba.lcut``); it runs after lowercasing/accent stripping, its words are joined by
        single spaces and ``pattern`` then applies to the result.

    Attributes
    ----------
    n_documents_ : int
        Number of documents seen in ``fit`` (the tokenizer learns nothing else).

    See Also
    --------
    StopWordsRemover : Remove stop words from token lists.
    CountVectorizer : Tokenize and count in one step.

    Examples
    --------
    >>> from pai_algos.text import RegexTokenizer
    >>> RegexTokenizer().fit_transform(["Hello, World! A test."])
    [['hello', 'world', 'test']]
    >>> RegexTokenizer(r"\\s+", gaps=True, lowercase=False).fit_transform(["a b  C"])
    [['a', 'b', 'C']]
    """

    _parameter_constraints: dict = {
        "pattern": [str],
        "gaps": ["boolean"],
        "lowercase": ["boolean"],
        "strip_accents": [StrOptions({"ascii", "unicode"}), None, callable],
        "min_token_length": [Interval(Integral, 0, None, closed="left")],
        "segmenter": [callable, None],
    }

    def __init__(
        self,
        pattern=DEFAULT_TOKEN_PATTERN,
        *,
        gaps=False,
        lowercase=True,
        strip_accents=None,
        min_token_length=1,
        segmenter=None,
    ):
        self.pattern = pattern
        self.gaps = gaps
        self.lowercase = lowercase
        self.strip_accents = strip_accents
        self.min_token_length = min_token_length
        self.segmenter = segmenter

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the documents.

        Parameters
        ----------
        X : iterable of str, pandas Series or pyarrow string array
            The documents.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        re.compile(self.pattern)
        self.n_documents_ = len(self._documents(X))
        return self

    @staticmethod
    def _documents(X):
        """The documents as a list of str (type-checked, not yet normalised)."""
        docs = eng.as_documents(X)
        if not isinstance(docs, list):
            docs = docs.to_pylist()
        for i, d in enumerate(docs):
            if not isinstance(d, str):
                raise ValueError(
                    f"{type(d).__name__} is an invalid document (document {i}), expected a "
                    "unicode string."
                )
        return docs

    def _texts(self, X):
        return self._normalise(self._documents(X))

    def _normalise(self, docs):
        if self.lowercase:
            docs = [d.lower() for d in docs]
        if self.strip_accents:
            strip = self.strip_accents
            if not callable(strip):
                strip = strip_accents_ascii if strip == "ascii" else strip_accents_unicode
            docs = [strip(d) for d in docs]
        if self.segmenter is not None:
            docs = [" ".join(self.segmenter(d)) for d in docs]
        return docs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit, then transform ``X`` (token lists out, so there is no ``set_output``).

        Parameters
        ----------
        X : iterable
            As for :meth:`transform`.
        y : None
            Ignored.

        Returns
        -------
        tokens : list of list of str
        """
        re.compile(self.pattern)
        docs = self._documents(X)  # read once (X may be a generator), normalised once
        tokens = self._tokenize(self._normalise(docs))
        self.n_documents_ = len(docs)
        return tokens

    def transform(self, X):
        """Tokenize the documents.

        Parameters
        ----------
        X : iterable of str, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        tokens : list of list of str
            The tokens of each document, in reading order.
        """
        check_is_fitted(self)
        return self._tokenize(self._texts(X))

    def _tokenize(self, texts):
        if self.pattern == DEFAULT_TOKEN_PATTERN and not self.gaps:
            tokens = self._kernel_tokens(texts)
        elif self.gaps:
            splitter = re.compile(self.pattern).split
            tokens = [[t for t in splitter(d) if t] for d in texts]
        else:
            tokens = [re.findall(self.pattern, d) for d in texts]
        if self.min_token_length > 1:
            m = self.min_token_length
            tokens = [[t for t in doc if len(t) >= m] for doc in tokens]
        return tokens

    @staticmethod
    def _kernel_tokens(texts):
        data, offsets = eng.utf8_buffer(texts)
        with eng.threads_for(len(texts)):
            tok_ptr, starts, ends = eng._k().tokenize_words(data, offsets, eng.word_table(), 2)
        keys, key_offsets = eng._k().gather_spans(data, starts, ends)
        flat = eng.decode_keys(keys, key_offsets)
        bounds = tok_ptr.tolist()
        return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        return _generated_documents(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": np.array([" ".join(t) for t in est.transform(X)], dtype=object)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

"""TfidfVectorizer: CountVectorizer followed by TfidfTransformer."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import FLOAT_DTYPES, check_is_fitted

from ..utils._sklearn_compat import StrOptions, _fit_context
from . import _engine as eng
from ._base import DEFAULT_TOKEN_PATTERN
from ._count_vectorizer import CountVectorizer
from ._tfidf_transformer import TfidfTransformer, apply_tfidf


class TfidfVectorizer(CountVectorizer):
    """Convert a collection of raw documents to a matrix of TF-IDF features.

    Equivalent to :class:`CountVectorizer` followed by :class:`TfidfTransformer`, with the
    parameters and results of scikit-learn's ``TfidfVectorizer``.

    Parameters
    ----------
    input : {"content", "filename", "file"}, default="content"
        What the items of ``raw_documents`` are.
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
    analyzer : {"word", "char", "char_wb"} or callable, default="word"
        Word or character n-gram features.
    stop_words : {"english"}, list, default=None
        Tokens removed before the n-grams are formed.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Range of n-gram lengths.
    max_df : float or int, default=1.0
        Ignore terms with a higher document frequency.
    min_df : float or int, default=1
        Ignore terms with a lower document frequency.
    max_features : int, default=None
        Keep the most frequent terms only.
    vocabulary : Mapping or iterable, default=None
        A fixed vocabulary.
    binary : bool, default=False
        Count presence only (tf is 0 or 1; idf still applies).
    dtype : dtype, default=float64
        Type of the returned matrix.
    norm : {"l1", "l2"} or None, default="l2"
        Row normalization.
    use_idf : bool, default=True
        Enable inverse-document-frequency reweighting.
    smooth_idf : bool, default=True
        Smooth idf weights by adding one to document frequencies.
    sublinear_tf : bool, default=False
        Replace tf with ``1 + log(tf)``.

    Attributes
    ----------
    vocabulary_ : dict
        A mapping of terms to feature indices.
    fixed_vocabulary_ : bool
        True if a fixed vocabulary was given.
    idf_ : ndarray of shape (n_features,)
        The inverse document frequency vector (when ``use_idf``).

    See Also
    --------
    CountVectorizer : The counts alone.
    TfidfTransformer : The weighting alone.
    sklearn.feature_extraction.text.TfidfVectorizer : The reference implementation.

    Notes
    -----
    See :class:`TfidfTransformer` for the idf formula (Manning, Raghavan & Schütze, 2008).

    Examples
    --------
    >>> from pai_algos.text import TfidfVectorizer
    >>> corpus = ["This is the first document.", "This document is the second document."]
    >>> vectorizer = TfidfVectorizer()
    >>> X = vectorizer.fit_transform(corpus)
    >>> X.shape
    (2, 6)
    >>> vectorizer.get_feature_names_out()[:3].tolist()
    ['document', 'first', 'is']
    """

    _parameter_constraints: dict = {**CountVectorizer._parameter_constraints}
    _parameter_constraints.update(
        {
            "norm": [StrOptions({"l1", "l2"}), None],
            "use_idf": ["boolean"],
            "smooth_idf": ["boolean"],
            "sublinear_tf": ["boolean"],
        }
    )

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
        analyzer="word",
        stop_words=None,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        ngram_range=(1, 1),
        max_df=1.0,
        min_df=1,
        max_features=None,
        vocabulary=None,
        binary=False,
        dtype=np.float64,
        norm="l2",
        use_idf=True,
        smooth_idf=True,
        sublinear_tf=False,
    ):
        super().__init__(
            input=input,
            encoding=encoding,
            decode_error=decode_error,
            strip_accents=strip_accents,
            lowercase=lowercase,
            preprocessor=preprocessor,
            tokenizer=tokenizer,
            segmenter=segmenter,
            analyzer=analyzer,
            stop_words=stop_words,
            token_pattern=token_pattern,
            ngram_range=ngram_range,
            max_df=max_df,
            min_df=min_df,
            max_features=max_features,
            vocabulary=vocabulary,
            binary=binary,
            dtype=dtype,
        )
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    @property
    def idf_(self):
        """Inverse document frequency vector, only defined if ``use_idf=True``."""
        if not hasattr(self, "_tfidf"):
            raise NotFittedError(
                f"{self.__class__.__name__} is not fitted yet. Call 'fit' with appropriate "
                "arguments before using this attribute."
            )
        return self._tfidf.idf_

    @idf_.setter
    def idf_(self, value):
        if not self.use_idf:
            raise ValueError("`idf_` cannot be set when `user_idf=False`.")
        if not hasattr(self, "_tfidf"):
            self._tfidf = self._new_tfidf()
        self._validate_vocabulary()
        if hasattr(self, "vocabulary_") and len(self.vocabulary_) != len(value):
            raise ValueError(
                f"idf length = {len(value)} must be equal to vocabulary size = "
                f"{len(self.vocabulary_)}"
            )
        self._tfidf.idf_ = value

    def _new_tfidf(self):
        return TfidfTransformer(
            norm=self.norm,
            use_idf=self.use_idf,
            smooth_idf=self.smooth_idf,
            sublinear_tf=self.sublinear_tf,
        )

    def _check_params(self):
        if self.dtype not in FLOAT_DTYPES:
            warnings.warn(
                f"Only {FLOAT_DTYPES} 'dtype' should be used. {self.dtype} 'dtype' will be "
                "converted to np.float64.",
                UserWarning,
                stacklevel=2,
            )

    def _fit_tfidf(self, raw_documents):
        self._check_params()
        tfidf = self._new_tfidf()
        X = self._fit_counts(raw_documents)
        tfidf.fit(X)
        self._tfidf = tfidf
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, raw_documents, y=None):
        """Learn the vocabulary and the idf from the documents.

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
        self._fit_tfidf(raw_documents)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, raw_documents, y=None):
        """Learn the vocabulary and idf, return the tf-idf matrix.

        Parameters
        ----------
        raw_documents : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.
        y : None
            Ignored.

        Returns
        -------
        X : sparse matrix of shape (n_samples, n_features)
            Tf-idf-weighted document-term matrix.
        """
        X = self._fit_tfidf(raw_documents)
        return self._weigh(X)

    def _weigh(self, X):
        X = eng.sparse_interface(X)
        if X.dtype not in (np.float64, np.float32):
            X = X.astype(np.float64)
        with eng.threads_for(X.shape[0]):
            X = apply_tfidf(X, getattr(self._tfidf, "idf_", None), self.sublinear_tf, self.norm)
        return eng.sparse_interface(X)

    def transform(self, raw_documents):
        """Transform documents to a tf-idf matrix on the fitted vocabulary and idf.

        Parameters
        ----------
        raw_documents : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        X : sparse matrix of shape (n_samples, n_features)
            Tf-idf-weighted document-term matrix.
        """
        check_is_fitted(self, msg="The TF-IDF vectorizer is not fitted")
        return self._weigh(super().transform(raw_documents))

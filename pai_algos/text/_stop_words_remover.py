"""StopWordsRemover: drop stop words from token lists (PAI's and Spark's component)."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import StrOptions, _fit_context
from ._count_vectorizer import _generated_documents


class StopWordsRemover(BaseEstimator):
    """Remove stop words from lists of tokens.

    Parameters
    ----------
    stop_words : {"english"} or list of str, default="english"
        The built-in English list (scikit-learn's ``ENGLISH_STOP_WORDS``, 318 words) or the
        user's own list.
    extra_stop_words : list of str, default=None
        Words added to ``stop_words``.
    case_sensitive : bool, default=False
        Compare tokens as they are; otherwise tokens and stop words are compared lowercased.

    Attributes
    ----------
    stop_words_ : frozenset of str
        The effective stop words (lowercased unless ``case_sensitive``).

    See Also
    --------
    RegexTokenizer : Produces the token lists.
    CountVectorizer : Its ``stop_words`` parameter does the same inside the vectorizer.

    Examples
    --------
    >>> from pai_algos.text import StopWordsRemover
    >>> StopWordsRemover().fit_transform([["the", "quick", "fox"], ["The", "end"]])
    [['quick', 'fox'], ['end']]
    >>> StopWordsRemover(stop_words=["fox"]).fit_transform([["the", "quick", "fox"]])
    [['the', 'quick']]
    """

    _parameter_constraints: dict = {
        "stop_words": [StrOptions({"english"}), list],
        "extra_stop_words": [list, None],
        "case_sensitive": ["boolean"],
    }

    def __init__(self, stop_words="english", *, extra_stop_words=None, case_sensitive=False):
        self.stop_words = stop_words
        self.extra_stop_words = extra_stop_words
        self.case_sensitive = case_sensitive

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the stop word set.

        Parameters
        ----------
        X : iterable of lists of str
            Token lists (only checked): a list, a pandas Series or an Arrow
            ``list<string>`` array.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        self._check_tokens(X)
        self.stop_words_ = self._stop_set()
        return self

    def _stop_set(self):
        words = ENGLISH_STOP_WORDS if self.stop_words == "english" else self.stop_words
        words = set(words) | set(self.extra_stop_words or ())
        if not self.case_sensitive:
            words = {w.lower() for w in words}
        return frozenset(words)

    @staticmethod
    def _as_documents(X):
        if isinstance(X, (str, bytes)):
            raise ValueError("Expected an iterable of token lists, got a string.")
        if hasattr(X, "to_pylist"):  # an Arrow list<string> array or chunked array
            X = X.to_pylist()
        return list(X)

    @staticmethod
    def _check_document(i, doc):
        """``doc`` as a list of str, or a ValueError naming the bad document or token."""
        if isinstance(doc, (str, bytes)) or not hasattr(doc, "__iter__"):
            raise ValueError(
                f"Document {i} is a {type(doc).__name__}, expected a list of tokens "
                "(tokenize first, e.g. with RegexTokenizer)."
            )
        if not isinstance(doc, list):
            doc = list(doc)
        # one C-speed pass over the token types; the slow path only names the culprit
        if any(not issubclass(t, str) for t in set(map(type, doc))):
            j, token = next((j, t) for j, t in enumerate(doc) if not isinstance(t, str))
            raise ValueError(
                f"Token {j} of document {i} is a {type(token).__name__}, expected a str."
            )
        return doc

    @classmethod
    def _check_tokens(cls, X):
        """The token lists as a list of lists, or a ValueError naming the bad document."""
        X = cls._as_documents(X)
        for i, doc in enumerate(X):
            X[i] = cls._check_document(i, doc)
        return X

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
        X = self._as_documents(X)  # once: X may be a generator
        stop = self._stop_set()
        out = self._remove(X, stop)  # checks every document: nothing is fitted on bad input
        self.stop_words_ = stop
        return out

    def transform(self, X):
        """Remove the stop words.

        Parameters
        ----------
        X : iterable of lists of str
            Token lists: a list, a pandas Series or an Arrow ``list<string>`` array.

        Returns
        -------
        tokens : list of list of str
        """
        check_is_fitted(self)
        return self._remove(self._as_documents(X))

    def _remove(self, X, stop=None):
        """Check each document and drop its stop words, in one pass over the documents."""
        stop = self.stop_words_ if stop is None else stop
        check = self._check_document
        if self.case_sensitive:
            return [[t for t in check(i, doc) if t not in stop] for i, doc in enumerate(X)]
        return [[t for t in check(i, doc) if t.lower() not in stop] for i, doc in enumerate(X)]

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        docs = _generated_documents(seed, n_samples)
        return [d.split() + ["the", "and"] for d in docs], None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": np.array([" ".join(t) for t in est.transform(X)], dtype=object)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

"""TextSummarizer: extractive summaries by TextRank over sentences."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import _check_stop_list
from ._keyword_extractor import _k, candidate_ids, textrank_scores, tokenize, top_per_block
from ._sentence_splitter import SentenceSplitter, check_documents


class TextSummarizer(BaseEstimator):
    """Summarize each document by its most central sentences (TextRank).

    Each document is split into sentences (:class:`SentenceSplitter`); two sentences are
    linked with the weight of Mihalcea and Tarau's overlap similarity (below), computed in a
    Numba kernel, and the sentences are ranked by weighted PageRank. The summary is the
    ``n_sentences`` best sentences, in their original order.

    Parameters
    ----------
    n_sentences : int, default=3
        Sentences per summary (fewer when a document has fewer).
    stop_words : {"english"} or list of str, default="english"
        Words ignored by the similarity; None keeps every word.
    lowercase : bool, default=True
        Compare words lowercased.
    damping : float, default=0.85
        PageRank's damping factor.
    max_iter : int, default=100
        Most power-iteration sweeps per document.
    tol : float, default=1e-6
        Stop when the L1 change of a document's scores is below ``n_sentences_in_doc * tol``.
    abbreviations : list of str, default=None
        Passed to :class:`SentenceSplitter`.
    split_on_newlines : bool, default=False
        Passed to :class:`SentenceSplitter`.
    encoding : str, default="utf-8"
        Encoding of documents given as bytes.
    decode_error : {"strict", "ignore", "replace"}, default="strict"
        What to do with bytes that are not valid in ``encoding``.

    Attributes
    ----------
    splitter_ : SentenceSplitter
        The fitted splitter.
    stop_words_ : frozenset of str
        The effective stop words.
    n_documents_ : int
        Number of documents seen in ``fit``.

    See Also
    --------
    KeywordExtractor : TextRank over words.
    SentenceSplitter : The sentence boundaries.

    Notes
    -----
    The similarity is that of the TextRank paper (Mihalcea and Tarau, 2004, eq. 2),

    .. math:: w(S_i, S_j) = \\frac{|\\{w : w \\in S_i, w \\in S_j\\}|}{\\log |S_i| + \\log |S_j|},

    with ``S_i`` the set of distinct non-stop words of sentence ``i`` (a denominator of 0, two
    one-word sentences, is taken as 1). It was chosen over the cosine of TF-IDF vectors
    because it needs no corpus statistics, so a summary depends on its document only, and
    because the log length normalization keeps long sentences from dominating. Scores solve
    ``S(V_i) = (1 - d) + d * sum_j w_ji / (sum_k w_jk) * S(V_j)`` (eq. 3), normalized to sum
    to 1 per document; sentences with equal scores are taken in reading order.

    References
    ----------
    Mihalcea, R. and Tarau, P. (2004). TextRank: bringing order into texts. Proceedings of
    EMNLP 2004, 404-411.

    Examples
    --------
    >>> from pai_algos.text import TextSummarizer
    >>> doc = ("Cats purr. Cats and dogs are pets. Dogs bark at cats. "
    ...        "The weather was cold. Pets like dogs and cats need care.")
    >>> TextSummarizer(n_sentences=2).fit_transform([doc])
    [['Cats and dogs are pets.', 'Dogs bark at cats.']]
    """

    _parameter_constraints: dict = {
        "n_sentences": [Interval(Integral, 1, None, closed="left")],
        "stop_words": [StrOptions({"english"}), list, None],
        "lowercase": ["boolean"],
        "damping": [Interval(Real, 0, 1, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "abbreviations": [list, None],
        "split_on_newlines": ["boolean"],
        "encoding": [str],
        "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    }

    def __init__(
        self,
        n_sentences=3,
        *,
        stop_words="english",
        lowercase=True,
        damping=0.85,
        max_iter=100,
        tol=1e-6,
        abbreviations=None,
        split_on_newlines=False,
        encoding="utf-8",
        decode_error="strict",
    ):
        self.n_sentences = n_sentences
        self.stop_words = stop_words
        self.lowercase = lowercase
        self.damping = damping
        self.max_iter = max_iter
        self.tol = tol
        self.abbreviations = abbreviations
        self.split_on_newlines = split_on_newlines
        self.encoding = encoding
        self.decode_error = decode_error

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the documents (TextRank learns nothing from a corpus).

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
        docs = check_documents(X, self.encoding, self.decode_error)
        splitter = SentenceSplitter(
            abbreviations=self.abbreviations, split_on_newlines=self.split_on_newlines
        ).fit(docs[:1])
        self.stop_words_ = frozenset(_check_stop_list(self.stop_words) or ())
        self.splitter_ = splitter
        self.n_documents_ = len(docs)
        return self

    def fit_transform(self, X, y=None):
        """Fit, then summarize ``X``.

        Parameters
        ----------
        X : iterable
            As for :meth:`transform`.
        y : None
            Ignored.

        Returns
        -------
        summaries : list of list of str
        """
        return self.fit(X, y).transform(X)

    def sentence_scores(self, X):
        """Every sentence of each document with its TextRank score.

        Parameters
        ----------
        X : iterable of str or bytes
            The documents.

        Returns
        -------
        sentences : list of list of str
            The sentences of each document, in reading order.
        scores : list of ndarray of float64
            Their scores (each document's sum to 1).
        """
        check_is_fitted(self)
        docs = check_documents(X, self.encoding, self.decode_error, allow_empty=True)
        sentences = self.splitter_.transform(docs)
        flat = [s for sent in sentences for s in sent]
        doc_ptr = np.zeros(len(docs) + 1, np.int64)
        np.cumsum([len(s) for s in sentences], out=doc_ptr[1:])
        ids, sent_ptr, _ = candidate_ids(tokenize(flat, self.lowercase), self.stop_words_)
        tokens, sent_ptr = _distinct_sorted(ids, sent_ptr)
        m = np.diff(doc_ptr)
        pair_ptr = np.zeros(len(docs) + 1, np.int64)
        np.cumsum(m * (m - 1) // 2, out=pair_ptr[1:])
        src, dst, weight = _k().overlap_edges(tokens, sent_ptr, doc_ptr, pair_ptr)
        keep = weight > 0
        scores, _ = textrank_scores(
            src[keep], dst[keep], weight[keep], doc_ptr, self.damping, self.tol, self.max_iter
        )
        bounds = doc_ptr.tolist()
        return sentences, [scores[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    def transform(self, X):
        """The summary of each document.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        summaries : list of list of str
            The ``n_sentences`` best sentences of each document, in reading order.
        """
        sentences, scores = self.sentence_scores(X)
        out = []
        for sent, sc in zip(sentences, scores):
            ptr = np.array([0, len(sc)], np.int64)
            (best,) = top_per_block(sc, ptr, self.n_sentences, np.arange(len(sc)))
            out.append([sent[i] for i in np.sort(best).tolist()])
        return out

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        from ._sentence_splitter import SentenceSplitter

        return SentenceSplitter._common_test_data(seed, n_samples, dtype)

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": np.array([" | ".join(s) for s in est.transform(X)], dtype=object)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _distinct_sorted(ids, ptr):
    """Sorted distinct ids of each segment: ``(ids, ptr)``."""
    keys, _, out_ptr = _k().sorted_profiles(ids.astype(np.uint64), ptr)
    return keys.astype(np.int64), out_ptr

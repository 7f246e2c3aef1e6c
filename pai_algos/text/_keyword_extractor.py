"""KeywordExtractor: the top words of each document by TextRank or TF-IDF."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from ._base import _check_stop_list
from ._count_vectorizer import _generated_documents
from ._regex_tokenizer import RegexTokenizer
from ._sentence_splitter import check_documents


def _k():
    return kernels("strings", "cpu")


def candidate_ids(token_lists, stop_words):
    """Token lists without stop words, as int64 ids (first-appearance order) and pointers.

    Returns
    -------
    ids : ndarray of int64
    ptr : ndarray of int64 of shape (n_lists + 1,)
    words : list of str
        ``words[id]`` is the token of an id.
    """
    index = {}
    flat = []
    ptr = np.zeros(len(token_lists) + 1, np.int64)
    stop = stop_words or frozenset()
    for i, tokens in enumerate(token_lists):
        for t in tokens:
            if t not in stop:
                flat.append(index.setdefault(t, len(index)))
        ptr[i + 1] = len(flat)
    return np.asarray(flat, dtype=np.int64), ptr, list(index)


def textrank_scores(src, dst, weight, graph_ptr, damping, tol, max_iter):
    """PageRank scores of the undirected weighted graph given by its edge list.

    Parallel edges add up; the graph is block-diagonal with blocks ``graph_ptr`` (one per
    document), ranked by the ``pagerank`` kernel of ``pai_algos_native.cpu.strings``.

    Returns
    -------
    scores : ndarray of float64 of shape (graph_ptr[-1],)
    n_iter : ndarray of int64 of shape (n_graphs,)
    """
    import scipy.sparse as sp

    n = int(graph_ptr[-1])
    rows = np.concatenate([src, dst])
    cols = np.concatenate([dst, src])
    w = np.concatenate([weight, weight]).astype(np.float64)
    graph = sp.csr_matrix((w, (rows, cols)), shape=(n, n))
    graph.sum_duplicates()
    return _k().pagerank(
        graph.indptr.astype(np.int64),
        graph.indices.astype(np.int64),
        np.ascontiguousarray(graph.data, dtype=np.float64),
        np.ascontiguousarray(graph_ptr, dtype=np.int64),
        float(damping),
        float(tol),
        int(max_iter),
    )


def top_per_block(scores, block_ptr, k, tie):
    """Indices of the ``k`` best scores of each block, best first (ties: smaller ``tie``)."""
    out = []
    for a, b in zip(block_ptr[:-1].tolist(), block_ptr[1:].tolist()):
        order = np.lexsort((tie[a:b], -scores[a:b]))[:k]
        out.append(a + order)
    return out


def tokenize(docs, lowercase=True):
    """Word tokens (the default ``token_pattern``) of each document, by the text kernels."""
    if lowercase:
        docs = [d.lower() for d in docs]
    return RegexTokenizer._kernel_tokens(docs)


class KeywordExtractor(BaseEstimator):
    """Extract the top keywords of each document with TextRank or TF-IDF.

    ``method="textrank"`` (Mihalcea and Tarau, 2004) builds, for each document, the graph of
    its candidate words (the tokens left after stop-word removal): two words are linked when
    they occur within ``window`` consecutive candidates, the weight counting how often. Words
    are ranked by PageRank (power iteration in a Numba kernel, all documents' graphs at once).
    ``method="tfidf"`` fits the inverse document frequencies on the corpus given to ``fit``
    (our :class:`TfidfVectorizer`) and ranks each document's words by TF-IDF.

    Tokens are the words of at least two word characters (scikit-learn's default
    ``token_pattern``), found by the UTF-8 tokenizer kernel of the text package.

    Parameters
    ----------
    method : {"textrank", "tfidf"}, default="textrank"
        The ranking.
    top_k : int, default=10
        Number of keywords per document (fewer when a document has fewer candidates).
    window : int, default=2
        TextRank: two candidates are linked when their positions differ by less than
        ``window`` (2 links neighbours only, as in the paper's best setting).
    stop_words : {"english"} or list of str, default="english"
        Words that are never keywords (scikit-learn's English list, or the user's);
        None keeps every word.
    lowercase : bool, default=True
        Lowercase before tokenizing.
    damping : float, default=0.85
        TextRank's damping factor ``d``.
    max_iter : int, default=100
        TextRank's most power-iteration sweeps per document.
    tol : float, default=1e-6
        TextRank stops when the L1 change of a document's scores is below
        ``n_words * tol``.
    return_scores : bool, default=False
        Whether :meth:`transform` also returns the scores.
    encoding : str, default="utf-8"
        Encoding of documents given as bytes.
    decode_error : {"strict", "ignore", "replace"}, default="strict"
        What to do with bytes that are not valid in ``encoding``.

    Attributes
    ----------
    vectorizer_ : TfidfVectorizer or None
        The fitted vectorizer of ``method="tfidf"`` (its ``idf_`` are the corpus weights).
    stop_words_ : frozenset of str
        The effective stop words.
    n_documents_ : int
        Number of documents seen in ``fit``.

    See Also
    --------
    TextSummarizer : TextRank over sentences.
    TfidfVectorizer : The weights of ``method="tfidf"``.

    Notes
    -----
    TextRank scores solve ``S(v) = (1 - d) + d * sum_u w_uv / (sum_z w_uz) * S(u)`` (Mihalcea
    and Tarau, 2004, eq. 3 with weights), normalized here to sum to 1 in each document. The
    paper's last step, merging adjacent keywords into phrases, is not done: keywords are
    single words.

    References
    ----------
    Mihalcea, R. and Tarau, P. (2004). TextRank: bringing order into texts. Proceedings of
    EMNLP 2004, 404-411.

    Examples
    --------
    >>> from pai_algos.text import KeywordExtractor
    >>> docs = ["compatibility of systems of linear constraints over the set of natural "
    ...         "numbers. criteria of compatibility of a system of linear diophantine "
    ...         "equations are considered."]
    >>> KeywordExtractor(top_k=3).fit_transform(docs)
    [['linear', 'compatibility', 'equations']]
    """

    _parameter_constraints: dict = {
        "method": [StrOptions({"textrank", "tfidf"})],
        "top_k": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 2, None, closed="left")],
        "stop_words": [StrOptions({"english"}), list, None],
        "lowercase": ["boolean"],
        "damping": [Interval(Real, 0, 1, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "return_scores": ["boolean"],
        "encoding": [str],
        "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    }

    def __init__(
        self,
        method="textrank",
        *,
        top_k=10,
        window=2,
        stop_words="english",
        lowercase=True,
        damping=0.85,
        max_iter=100,
        tol=1e-6,
        return_scores=False,
        encoding="utf-8",
        decode_error="strict",
    ):
        self.method = method
        self.top_k = top_k
        self.window = window
        self.stop_words = stop_words
        self.lowercase = lowercase
        self.damping = damping
        self.max_iter = max_iter
        self.tol = tol
        self.return_scores = return_scores
        self.encoding = encoding
        self.decode_error = decode_error

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the corpus weights (``method="tfidf"``) or only check the documents.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The corpus.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        docs = check_documents(X, self.encoding, self.decode_error)
        stop = _check_stop_list(self.stop_words) or frozenset()
        vectorizer = None
        if self.method == "tfidf":
            from ._tfidf_vectorizer import TfidfVectorizer

            stop_param = self.stop_words
            if isinstance(stop_param, list):
                stop_param = sorted(stop) or None
            vectorizer = TfidfVectorizer(lowercase=self.lowercase, stop_words=stop_param)
            try:
                vectorizer.fit(docs)
            except ValueError as exc:
                raise ValueError(
                    f"No keyword candidates in the corpus (only stop words?): {exc}"
                ) from None
        self.stop_words_ = frozenset(stop)
        self.vectorizer_ = vectorizer
        self.n_documents_ = len(docs)
        return self

    def fit_transform(self, X, y=None):
        """Fit, then extract the keywords of ``X``.

        Parameters
        ----------
        X : iterable
            As for :meth:`transform`.
        y : None
            Ignored.

        Returns
        -------
        keywords : list of list of str, or (keywords, scores)
        """
        return self.fit(X, y).transform(X)

    def transform(self, X):
        """The ``top_k`` keywords of each document, best first.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        keywords : list of list of str
            The keywords of each document.
        scores : list of ndarray of float64
            Only with ``return_scores=True``: their TextRank or TF-IDF scores.
        """
        check_is_fitted(self)
        docs = check_documents(X, self.encoding, self.decode_error, allow_empty=True)
        if self.method == "tfidf":
            keywords, scores = self._tfidf(docs)
        else:
            keywords, scores = self._textrank(docs)
        return (keywords, scores) if self.return_scores else keywords

    def _tfidf(self, docs):
        vec = self.vectorizer_
        X = vec.transform(docs).tocsr()
        names = vec.get_feature_names_out()
        keywords, scores = [], []
        for a, b in zip(X.indptr[:-1].tolist(), X.indptr[1:].tolist()):
            cols, vals = X.indices[a:b], X.data[a:b].astype(np.float64)
            order = np.lexsort((cols, -vals))[: self.top_k]
            keywords.append([str(w) for w in names[cols[order]]])
            scores.append(vals[order])
        return keywords, scores

    def _textrank(self, docs):
        ids, doc_ptr, words = candidate_ids(tokenize(docs, self.lowercase), self.stop_words_)
        n_docs = len(docs)
        n_words = max(len(words), 1)
        doc_of = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(doc_ptr))
        nodes, node_of = np.unique(doc_of * n_words + ids, return_inverse=True)
        graph_ptr = np.searchsorted(nodes // n_words, np.arange(n_docs + 1)).astype(np.int64)
        src, dst = [], []
        for k in range(1, self.window):
            same = (doc_of[:-k] == doc_of[k:]) & (node_of[:-k] != node_of[k:])
            src.append(node_of[:-k][same])
            dst.append(node_of[k:][same])
        src = np.concatenate(src).astype(np.int64)
        dst = np.concatenate(dst).astype(np.int64)
        scores, _ = textrank_scores(
            src, dst, np.ones(len(src)), graph_ptr, self.damping, self.tol, self.max_iter
        )
        word_id = nodes % n_words
        keywords, out_scores = [], []
        for sel in top_per_block(scores, graph_ptr, self.top_k, word_id):
            keywords.append([words[w] for w in word_id[sel].tolist()])
            out_scores.append(scores[sel])
        return keywords, out_scores

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        return _generated_documents(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": np.array([" ".join(k) for k in est.transform(X)], dtype=object)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

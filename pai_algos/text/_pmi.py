"""PMI: pointwise mutual information of words that co-occur within a window."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import numba_threads
from ..utils._sklearn_compat import Interval, _fit_context
from . import _engine as eng
from ._base import DEFAULT_TOKEN_PATTERN
from ._word2vec import TOKEN_CONSTRAINTS, build_vocabulary, documents_to_ids, lookup_ids


class PMI(TransformerMixin, BaseEstimator):
    """Pointwise mutual information of word pairs from co-occurrence windows.

    Two words co-occur when they are at most ``window`` positions apart in a document
    (each such pair of positions counts once in each direction, so the counts are
    symmetric). ``pmi_`` holds the (positive) PMI of every pair seen together; pairs never
    seen together have PMI :math:`-\\infty` and are not stored.

    The result is the word-by-word matrix ``pmi_``, read through :meth:`most_associated`
    and :meth:`top_pairs`. Its rows are "explicit" word vectors (one dimension per context
    word, Levy and Goldberg's representation), so, as :class:`Word2Vec` does with its
    dense vectors, :meth:`transform` gives each document the mean PMI row of its known
    words: a sparse matrix of shape (n_documents, n_words).

    Parameters
    ----------
    window : int, default=5
        Maximum distance between co-occurring words.
    min_count : int, default=5
        Ignore words with fewer occurrences (they keep their positions in the windows).
    positive : bool, default=True
        Keep only positive values (PPMI), the usual choice for word vectors.
    smoothing : float, default=1.0
        Exponent :math:`\\alpha` of the context distribution; 0.75 is the smoothing of
        Levy et al. (2015), which lowers the PMI of pairs with rare contexts.
    lowercase : bool, default=True
        Lowercase raw strings before tokenizing.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token in raw strings.
    tokenizer : callable, default=None
        ``str -> list of str``, overrides ``token_pattern``.
    n_jobs : int, default=None
        Threads for the counting.

    Attributes
    ----------
    vocabulary_ : dict
        Word to row (and column) index.
    index_to_key_ : list of str
        The words, most frequent first.
    counts_ : ndarray of shape (n_words,)
        Occurrences of each word.
    cooccurrence_ : csr_matrix of shape (n_words, n_words)
        Co-occurrence counts (float64, symmetric).
    pmi_ : csr_matrix of shape (n_words, n_words)
        PMI (or PPMI) of the co-occurring pairs.

    See Also
    --------
    Word2Vec : Skip-gram with negative sampling factorises a shifted PMI matrix.

    Notes
    -----
    With :math:`n_{wc}` the co-occurrence counts, :math:`N = \\sum n_{wc}`,
    :math:`n_w = \\sum_c n_{wc}` and :math:`n_c = \\sum_w n_{wc}`:
    :math:`\\mathrm{PMI}(w, c) = \\log \\frac{n_{wc} / N}{(n_w / N)\\,
    (n_c^{\\alpha} / \\sum_{c'} n_{c'}^{\\alpha})}` (Church and Hanks, 1990; the smoothed
    context distribution is eq. 3 of Levy et al., 2015); PPMI is
    :math:`\\max(\\mathrm{PMI}, 0)`.

    References
    ----------
    .. [1] Church, K. W. and Hanks, P. (1990). "Word Association Norms, Mutual Information,
       and Lexicography". Computational Linguistics 16(1).
    .. [2] Levy, O., Goldberg, Y. and Dagan, I. (2015). "Improving Distributional Similarity
       with Lessons Learned from Word Embeddings". TACL 3.

    Examples
    --------
    >>> from pai_algos.text import PMI
    >>> docs = ["new york city", "new york times", "the city times", "new york"]
    >>> pmi = PMI(window=1, min_count=1).fit(docs)
    >>> pmi.pmi_.shape
    (5, 5)
    >>> [(w, round(v, 3)) for w, v in pmi.most_associated("new", n=1)]
    [('york', 1.03)]
    >>> pmi.transform(["new york", "nothing known"]).shape
    (2, 5)
    """

    _parameter_constraints: dict = {
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "positive": ["boolean"],
        "smoothing": [Interval(Real, 0, 1, closed="right")],
        **TOKEN_CONSTRAINTS,
        "n_jobs": [Integral, None],
    }

    _fast_params = {"min_count": 1}

    def __init__(
        self,
        window=5,
        *,
        min_count=5,
        positive=True,
        smoothing=1.0,
        lowercase=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        tokenizer=None,
        n_jobs=None,
    ):
        self.window = window
        self.min_count = min_count
        self.positive = positive
        self.smoothing = smoothing
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Count co-occurrences and compute the PMI matrix.

        Parameters
        ----------
        X : iterable of str or of lists of str
            The documents: raw strings, or token lists.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        ids, doc_ptr, strings = documents_to_ids(self, X)
        if doc_ptr.shape[0] == 1:
            raise ValueError("Empty corpus: PMI.fit needs at least one document.")
        words, counts, remap = build_vocabulary(ids, strings, self.min_count)
        n = len(words)
        # out-of-vocabulary words keep their positions (as -1) in the windows
        tokens = remap[ids].astype(np.int32)
        with numba_threads(self.n_jobs):
            keys = kernels("embedding", "cpu").cooccurrence_keys(tokens, doc_ptr, self.window, n)
        rows, cols = np.divmod(keys[keys >= 0], n)
        # scipy's COO -> CSR conversion counts the repeated pairs (a counting sort by row),
        # cheaper than sorting the keys with np.unique
        cooc = sp.coo_matrix((np.ones(rows.shape[0]), (rows, cols)), shape=(n, n)).tocsr()
        cooc.sum_duplicates()
        self.index_to_key_ = words
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        self.counts_ = counts
        self.cooccurrence_ = cooc
        self.pmi_ = self._pmi(cooc)
        return self

    def _pmi(self, cooc):
        coo = cooc.tocoo()
        total = coo.data.sum()
        row_sum = np.asarray(cooc.sum(axis=1)).ravel()
        col_sum = np.asarray(cooc.sum(axis=0)).ravel() ** self.smoothing
        p_context = col_sum / max(col_sum.sum(), 1e-300)
        with np.errstate(divide="ignore"):
            values = np.log(coo.data / total) - np.log(row_sum[coo.row] / total)
            values -= np.log(p_context[coo.col])
        out = sp.csr_matrix((values, (coo.row, coo.col)), shape=cooc.shape)
        if self.positive:
            out.data = np.maximum(out.data, 0.0)
            out.eliminate_zeros()
        out.sort_indices()
        return out

    def transform(self, X):
        """Mean PMI row of the known words of each document.

        Parameters
        ----------
        X : iterable of str or of lists of str
            The documents.

        Returns
        -------
        csr_matrix of shape (n_documents, n_words)
            Row ``d`` is the mean of ``pmi_[w]`` over the tokens ``w`` of document ``d``
            that are in the vocabulary (empty when there are none).
        """
        check_is_fitted(self)
        ids, doc_ptr, strings = documents_to_ids(self, X)
        doc_ptr, rows = eng.occurrences(doc_ptr, lookup_ids(ids, strings, self.vocabulary_))
        n_docs, n = doc_ptr.shape[0] - 1, len(self.index_to_key_)
        weights = np.repeat(1.0 / np.maximum(np.diff(doc_ptr), 1), np.diff(doc_ptr))
        means = sp.csr_matrix((weights, rows, doc_ptr), shape=(n_docs, n)) @ self.pmi_
        return eng.sparse_interface(sp.csr_matrix(means))

    def get_feature_names_out(self, input_features=None):
        """The vocabulary words, the columns of :meth:`transform`.

        Parameters
        ----------
        input_features : None
            Ignored.

        Returns
        -------
        ndarray of str objects
        """
        check_is_fitted(self)
        return np.asarray(self.index_to_key_, dtype=object)

    def most_associated(self, word, n=10):
        """The ``n`` words of highest PMI with ``word``.

        Parameters
        ----------
        word : str
            A word of the vocabulary.
        n : int, default=10
            How many.

        Returns
        -------
        list of (str, float)
            Words and PMI values, highest first (ties: the more frequent word first); only
            words seen with ``word`` (with positive PMI when ``positive``), other than
            ``word`` itself.
        """
        check_is_fitted(self)
        if word not in self.vocabulary_:
            raise KeyError(f"word {word!r} not in vocabulary")
        i = self.vocabulary_[word]
        a, b = self.pmi_.indptr[i], self.pmi_.indptr[i + 1]
        cols, vals = self.pmi_.indices[a:b], self.pmi_.data[a:b]
        other = cols != i
        cols, vals = cols[other], vals[other]
        order = np.lexsort((cols, -vals))[:n]
        return [(self.index_to_key_[cols[j]], float(vals[j])) for j in order]

    def top_pairs(self, n=10):
        """The ``n`` word pairs of highest PMI, each unordered pair once.

        Parameters
        ----------
        n : int, default=10
            How many.

        Returns
        -------
        list of (str, str, float)
            ``(w1, w2, pmi)``, highest first; ``w1`` is the more frequent word. With
            ``smoothing < 1`` the matrix is not symmetric and the larger of the two values
            is kept.
        """
        check_is_fitted(self)
        sym = self.pmi_.maximum(self.pmi_.T).tocoo()
        upper = sym.row < sym.col
        rows, cols, vals = sym.row[upper], sym.col[upper], sym.data[upper]
        order = np.lexsort((cols, rows, -vals))[:n]
        words = self.index_to_key_
        return [(words[rows[j]], words[cols[j]], float(vals[j])) for j in order]

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        from ._count_vectorizer import _generated_documents

        return _generated_documents(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"pmi_": est.pmi_.toarray(), "transform": est.transform(X).toarray()}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

"""Word2Vec: skip-gram and CBOW word embeddings with negative sampling, on our kernels.

The module also holds what Doc2Vec and PMI share: documents (raw strings or token lists) to
integer id streams, the vocabulary (``min_count``, frequency order), word2vec's downsampling
probabilities and noise table, and the cut of the corpus into sentences and work chunks.
"""

from __future__ import annotations

import re
import time
from itertools import chain
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import DeviceMixin, History, numba_threads, progress_bar, resolve_device
from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from . import _engine as eng
from ._base import DEFAULT_TOKEN_PATTERN

# gensim's MAX_WORDS_IN_BATCH: longer sentences are cut (gensim truncates them), and a work
# chunk holds about this many tokens.
MAX_SENTENCE = 10_000
CHUNK_TOKENS = 10_000

TOKEN_CONSTRAINTS = {
    "lowercase": ["boolean"],
    "token_pattern": [str],
    "tokenizer": [callable, None],
}


# --------------------------------------------------------------------------- documents -> ids
def _invalid(doc, index):
    return ValueError(
        f"{type(doc).__name__} is an invalid document (document {index}), expected a string "
        "or a list of string tokens."
    )


def documents_to_ids(est, X):
    """Tokenize and intern the documents.

    Strings are tokenized (lowercased when ``est.lowercase``) by the text kernels with the
    default ``token_pattern``, else by ``est.tokenizer`` or ``re.findall(token_pattern)``;
    token lists (list, tuple or 1-D array of str) are taken as they are.

    Returns
    -------
    ids : ndarray of int64
        Token ids in order of first appearance, documents one after another.
    doc_ptr : ndarray of int64 of shape (n_documents + 1,)
    strings : list of str
        The token of each id.
    """
    docs = eng.as_documents(X)
    if not isinstance(docs, list):
        docs = docs.to_pylist()
    is_text = []
    for i, d in enumerate(docs):
        if isinstance(d, str):
            is_text.append(True)
        elif isinstance(d, (list, tuple, np.ndarray)) and all(isinstance(t, str) for t in d):
            is_text.append(False)
        else:
            raise _invalid(d, i)
    if (
        docs
        and all(is_text)
        and est.tokenizer is None
        and est.token_pattern == DEFAULT_TOKEN_PATTERN
    ):
        texts = [d.lower() for d in docs] if est.lowercase else docs
        k = kernels("text", "cpu")
        data, offsets = eng.utf8_buffer(texts)
        with eng.threads_for(len(texts)):
            doc_ptr, starts, ends = k.tokenize_words(data, offsets, eng.word_table(), 2)
        ids, first = k.intern_spans(data, starts, ends)
        keys, key_offsets = k.gather_spans(data, starts[first], ends[first])
        return ids, doc_ptr, eng.decode_keys(keys, key_offsets)
    if est.tokenizer is not None:
        tokenize = est.tokenizer
    else:
        tokenize = re.compile(est.token_pattern).findall
    token_lists = []
    for d, text in zip(docs, is_text):
        if text:
            token_lists.append(tokenize(d.lower() if est.lowercase else d))
        else:
            token_lists.append(list(d))
    table: dict = {}
    setdefault = table.setdefault
    n = sum(map(len, token_lists))
    ids = np.fromiter(
        (setdefault(t, len(table)) for t in chain.from_iterable(token_lists)), np.int64, count=n
    )
    doc_ptr = np.zeros(len(token_lists) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, token_lists), np.int64, count=len(token_lists)), out=doc_ptr[1:])
    return ids, doc_ptr, list(table)


def build_vocabulary(ids, strings, min_count):
    """Words with at least ``min_count`` occurrences, most frequent first (ties: first seen).

    Returns
    -------
    index_to_key : list of str
    counts : ndarray of int64
    remap : ndarray of int64
        New index of each interned id (-1: dropped).
    """
    counts = np.bincount(ids, minlength=len(strings)).astype(np.int64)
    kept = np.flatnonzero(counts >= min_count)
    if kept.size == 0:
        raise ValueError(
            f"The vocabulary is empty: no word occurs at least min_count={min_count} times "
            f"(the most frequent occurs {int(counts.max(initial=0))} times)."
        )
    order = kept[np.argsort(-counts[kept], kind="stable")]
    remap = np.full(len(strings), -1, np.int64)
    remap[order] = np.arange(order.size)
    return [strings[i] for i in order], counts[order], remap


def lookup_ids(ids, strings, key_to_index):
    """Vocabulary index of each interned id (-1: unknown word)."""
    table = np.fromiter((key_to_index.get(s, -1) for s in strings), np.int64, count=len(strings))
    return table[ids] if len(ids) else np.zeros(0, np.int64)


def keep_probabilities(counts, sample):
    """word2vec's downsampling: keep a word of count ``v`` with probability
    ``(sqrt(v / t) + 1) * t / v`` (capped at 1), ``t = sample * total`` (gensim's rule)."""
    counts = counts.astype(np.float64)
    if not sample:
        return np.ones(counts.shape[0])
    total = counts.sum()
    threshold = sample * total if sample < 1.0 else float(int(sample * (3 + np.sqrt(5)) / 2))
    return np.minimum((np.sqrt(counts / threshold) + 1.0) * (threshold / counts), 1.0)


def noise_table(counts, exponent=0.75):
    """Table of ids drawn in proportion to ``count ** exponent`` (word2vec's unigram table)."""
    weights = counts.astype(np.float64) ** exponent
    cum = np.cumsum(weights)
    size = int(min(1e7, max(1e6, 100 * counts.shape[0])))  # 4 to 40 MB
    points = (np.arange(size, dtype=np.float64) + 0.5) * (cum[-1] / size)
    table = np.searchsorted(cum, points, side="right").astype(np.int32)
    return np.minimum(table, counts.shape[0] - 1, out=table)


def sentences(ids, doc_ptr, max_len=MAX_SENTENCE):
    """Drop unknown tokens (``ids < 0``) and cut documents into sentences of <= ``max_len``.

    Returns
    -------
    tokens : ndarray of int32
    offsets : ndarray of int64 of shape (n_sentences + 1,)
    doc_of : ndarray of int64 of shape (n_sentences,)
        The document of each sentence; every document has at least one (maybe empty) sentence.
    """
    keep = ids >= 0
    kept = np.zeros(ids.shape[0] + 1, np.int64)
    np.cumsum(keep, out=kept[1:])
    new_ptr = kept[doc_ptr]
    lengths = np.diff(new_ptr)
    pieces = np.maximum(1, -(-lengths // max_len))
    doc_of = np.repeat(np.arange(lengths.shape[0], dtype=np.int64), pieces)
    first_piece = np.zeros(lengths.shape[0] + 1, np.int64)
    np.cumsum(pieces, out=first_piece[1:])
    piece_no = np.arange(doc_of.shape[0], dtype=np.int64) - first_piece[doc_of]
    starts = new_ptr[doc_of] + piece_no * max_len
    offsets = np.empty(doc_of.shape[0] + 1, np.int64)
    offsets[:-1] = starts
    offsets[-1] = new_ptr[-1]
    tokens = ids[keep].astype(np.int32)
    return tokens, offsets, doc_of


def chunk_pointer(offsets, chunk_tokens=CHUNK_TOKENS):
    """Sentence bounds of work chunks of about ``chunk_tokens`` tokens."""
    n = offsets.shape[0] - 1
    if n == 0:
        return np.zeros(1, np.int64)
    marks = np.arange(chunk_tokens, offsets[-1], chunk_tokens)
    cuts = np.unique(np.searchsorted(offsets[:-1], marks, side="left"))
    cuts = cuts[(cuts > 0) & (cuts < n)]
    return np.concatenate([[0], cuts, [n]]).astype(np.int64)


def epoch_seeds(random_state, epochs):
    """One 63-bit seed per epoch from ``random_state``."""
    rng = check_random_state(random_state)
    return [int(s) for s in rng.randint(0, 2**62, size=epochs, dtype=np.int64)]


def init_vectors(rng, n, dim):
    """word2vec's initial input vectors: uniform on (-0.5, 0.5) / dim, float32."""
    return ((rng.random_sample((n, dim)) - 0.5) / dim).astype(np.float32)


def cosine_neighbours(vectors, query, topn, exclude=()):
    """Indices and cosine similarities of the ``topn`` rows of ``vectors`` nearest ``query``."""
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    q = np.asarray(query, dtype=np.float64)
    qn = np.linalg.norm(q) or 1.0
    sims = (vectors @ q) / (norms * qn)
    sims[list(exclude)] = -np.inf
    topn = min(topn, vectors.shape[0] - len(set(exclude)))
    best = np.argsort(-sims, kind="stable")[:topn]
    return best, sims[best]


class WordVectors:
    """Read-only view of fitted word vectors, shaped like gensim's ``KeyedVectors``.

    Parameters
    ----------
    vectors : ndarray of shape (n_words, vector_size)
    index_to_key : list of str
    """

    def __init__(self, vectors, index_to_key):
        self.vectors = vectors
        self.index_to_key = index_to_key
        self.key_to_index = {w: i for i, w in enumerate(index_to_key)}

    def __len__(self):
        return len(self.index_to_key)

    def __contains__(self, key):
        return key in self.key_to_index

    def get_index(self, key):
        """Index of ``key``; KeyError naming the word when it is not in the vocabulary."""
        try:
            return self.key_to_index[key]
        except (KeyError, TypeError):
            raise KeyError(f"word {key!r} not in vocabulary") from None

    def __getitem__(self, key):
        if isinstance(key, str):
            return self.vectors[self.get_index(key)]
        return self.vectors[[self.get_index(k) for k in key]]

    get_vector = __getitem__

    def similarity(self, w1, w2):
        """Cosine similarity of two words."""
        a, b = self[w1].astype(np.float64), self[w2].astype(np.float64)
        return float(a @ b / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))

    def most_similar(self, positive, negative=(), topn=10):
        """The ``topn`` words nearest (cosine) the mean of the unit vectors of ``positive``
        minus those of ``negative``, as ``[(word, similarity), ...]``; the query words are
        left out."""
        positive = [positive] if isinstance(positive, str) else list(positive)
        negative = [negative] if isinstance(negative, str) else list(negative)
        rows = [self.get_index(w) for w in positive + negative]
        unit = self.vectors[rows].astype(np.float64)
        unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
        sign = np.array([1.0] * len(positive) + [-1.0] * len(negative))
        query = (sign[:, None] * unit).mean(axis=0)
        best, sims = cosine_neighbours(self.vectors, query, topn, exclude=rows)
        return [(self.index_to_key[i], float(s)) for i, s in zip(best, sims)]


# --------------------------------------------------------------------------- the estimator
class Word2Vec(DeviceMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Word embeddings by skip-gram or CBOW with negative sampling (word2vec).

    Documents are raw strings (tokenized like :class:`CountVectorizer`) or lists of tokens.
    Training runs on the Numba kernels of ``pai_algos_native.cpu.embedding`` (or CUDA),
    with lock-free parallel updates over chunks of about 10,000 tokens as word2vec.c and
    gensim do. ``transform`` gives the mean word vector of each document.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the word vectors.
    window : int, default=5
        Maximum distance between the current and a context word; each position draws its
        window uniformly in ``1..window`` (word2vec's reduced window).
    min_count : int, default=5
        Ignore words with fewer occurrences.
    sample : float, default=1e-3
        Downsampling threshold of frequent words (0: off).
    sg : {0, 1}, default=0
        1: skip-gram; 0: CBOW with the mean of the context vectors.
    negative : int, default=5
        Negative samples per positive example.
    ns_exponent : float, default=0.75
        Exponent of the counts in the noise distribution.
    alpha : float, default=0.025
        Initial learning rate.
    min_alpha : float, default=0.0001
        Learning rate reached, linearly, at the end of training.
    epochs : int, default=5
        Passes over the corpus.
    lowercase : bool, default=True
        Lowercase raw strings before tokenizing (token lists are kept as they are).
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token in raw strings.
    tokenizer : callable, default=None
        ``str -> list of str``, overrides ``token_pattern``.
    compute_loss : bool, default=False
        Record the negative-sampling loss of each epoch in ``history_`` (costs a log per
        update).
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train; "cuda" needs a GPU. The CUDA kernel runs one GPU thread per chunk
        of about 10,000 tokens (Hogwild as on the CPU): it checks the GPU path but is not
        yet faster than the CPU, so "auto" stays on the CPU.
    n_jobs : int, default=None
        Threads (Hogwild workers). None: the global configuration (all cores). With more than
        one worker, results vary slightly from run to run, as in gensim.
    random_state : int, RandomState instance or None, default=None
        Seed of the initial vectors and of the sampling.
    verbose : int, default=0
        Show a progress bar over the epochs.

    Attributes
    ----------
    vectors_ : ndarray of shape (n_words, vector_size)
        The word (input) vectors, float32, most frequent word first.
    output_vectors_ : ndarray of shape (n_words, vector_size)
        The output weights of negative sampling (gensim's ``syn1neg``).
    index_to_key_ : list of str
        The words, in the order of the rows.
    vocabulary_ : dict
        Word to row index.
    counts_ : ndarray of shape (n_words,)
        Occurrences of each word in the training documents.
    history_ : dict
        Per epoch: ``seconds``, ``words_per_second`` (tokens read) and ``loss`` (when
        ``compute_loss``).
    device_ : str
        The device that trained.

    See Also
    --------
    Doc2Vec : Document vectors (PV-DBOW).
    PMI : Pointwise mutual information of co-occurring words.

    Notes
    -----
    Skip-gram with negative sampling maximises, for each (context ``c``, word ``w``) pair
    in a window, :math:`\\log\\sigma(v_c^\\top u_w) + \\sum_{k=1}^{K}\\log\\sigma(-v_c^\\top
    u_{n_k})` with :math:`n_k` drawn from :math:`P(w)\\propto \\mathrm{count}(w)^{0.75}`
    (Mikolov et al., 2013, eq. 4); CBOW uses the mean of the context vectors in place of
    :math:`v_c`. A word of frequency :math:`f` is kept with probability
    :math:`(\\sqrt{f/t} + 1)\\, t / f`.

    References
    ----------
    .. [1] Mikolov, T., Sutskever, I., Chen, K., Corrado, G. and Dean, J. (2013).
       "Distributed Representations of Words and Phrases and their Compositionality".
       NeurIPS 26.
    .. [2] Recht, B., Re, C., Wright, S. and Niu, F. (2011). "Hogwild!: A Lock-Free Approach
       to Parallelizing Stochastic Gradient Descent". NeurIPS 24.

    Examples
    --------
    >>> from pai_algos.datasets import make_corpus
    >>> from pai_algos.text import Word2Vec
    >>> docs = make_corpus(n_documents=100, random_state=0, return_topics=False)
    >>> model = Word2Vec(vector_size=16, min_count=2, n_jobs=1, random_state=0).fit(docs)
    >>> model.vectors_.shape[1], model.transform(docs[:3]).shape
    (16, (3, 16))
    >>> len(model.wv.most_similar("w0001", topn=3))
    3
    """

    _parameter_constraints: dict = {
        "vector_size": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "sample": [Interval(Real, 0, None, closed="left")],
        "sg": [Interval(Integral, 0, 1, closed="both"), "boolean"],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "ns_exponent": [Interval(Real, None, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "min_alpha": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        **TOKEN_CONSTRAINTS,
        "compute_loss": ["boolean"],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    _fast_params = {"vector_size": 8, "min_count": 1, "epochs": 2, "n_jobs": 1}

    def __init__(
        self,
        vector_size=100,
        *,
        window=5,
        min_count=5,
        sample=1e-3,
        sg=0,
        negative=5,
        ns_exponent=0.75,
        alpha=0.025,
        min_alpha=0.0001,
        epochs=5,
        lowercase=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        tokenizer=None,
        compute_loss=False,
        device="cpu",
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.sample = sample
        self.sg = sg
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.compute_loss = compute_loss
        self.device = device
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary and the word vectors.

        Parameters
        ----------
        X : iterable of str or of lists of str
            The documents: raw strings, or token lists.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted model.
        """
        # "auto" stays on the CPU (size 0): one GPU thread per chunk does not beat it
        device = resolve_device(self.device, 0)
        ids, doc_ptr, strings = documents_to_ids(self, X)
        if doc_ptr.shape[0] == 1:
            raise ValueError("Empty corpus: Word2Vec.fit needs at least one document.")
        words, counts, remap = build_vocabulary(ids, strings, self.min_count)
        tokens, offsets, _ = sentences(remap[ids], doc_ptr)
        rng = check_random_state(self.random_state)
        W = init_vectors(rng, len(words), self.vector_size)
        C = np.zeros_like(W)
        history = self._train(
            device,
            tokens,
            offsets,
            W,
            C,
            keep_probabilities(counts, self.sample),
            noise_table(counts, self.ns_exponent),
            rng,
        )
        self.device_ = device
        self.vectors_ = W
        self.output_vectors_ = C
        self.index_to_key_ = words
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        self.counts_ = counts
        self.history_ = history
        self._n_features_out = self.vector_size
        return self

    def _train(self, device, tokens, offsets, W, C, keep, table, rng):
        k = kernels("embedding", device)
        chunks = chunk_pointer(offsets)
        total = float(offsets[-1]) * self.epochs
        hist = History()
        seeds = epoch_seeds(rng, self.epochs)
        with (
            numba_threads(self.n_jobs),
            progress_bar(
                total=self.epochs, desc="Word2Vec", verbose=self.verbose, unit="epoch"
            ) as bar,
        ):
            for epoch in range(self.epochs):
                start = time.perf_counter()
                loss, _ = k.word2vec_epoch(
                    tokens,
                    offsets,
                    chunks,
                    W,
                    C,
                    keep,
                    table,
                    bool(int(self.sg)),
                    self.window,
                    self.negative,
                    self.alpha,
                    self.min_alpha,
                    float(epoch * offsets[-1]),
                    total,
                    seeds[epoch],
                    self.compute_loss,
                )
                seconds = time.perf_counter() - start
                record = {"words_per_second": offsets[-1] / max(seconds, 1e-9)}
                if self.compute_loss:
                    record["loss"] = loss
                hist.record(**record)
                bar.update(1)
        return hist.as_dict()

    @property
    def wv(self):
        """The fitted vectors, gensim-style: ``wv["word"]``, ``wv.most_similar``,
        ``wv.index_to_key``, ``wv.key_to_index``, ``wv.vectors``."""
        check_is_fitted(self)
        return WordVectors(self.vectors_, self.index_to_key_)

    def most_similar(self, word, topn=10):
        """The ``topn`` nearest words by cosine similarity.

        Parameters
        ----------
        word : str or list of str
            The query word (or words, averaged).
        topn : int, default=10
            How many neighbours.

        Returns
        -------
        list of (str, float)
            Words and cosine similarities, nearest first; the query is left out.
        """
        return self.wv.most_similar(word, topn=topn)

    def transform(self, X):
        """Mean vector of the known words of each document (zeros when it has none).

        Parameters
        ----------
        X : iterable of str or of lists of str
            The documents.

        Returns
        -------
        ndarray of shape (n_documents, vector_size), float32
        """
        check_is_fitted(self)
        ids, doc_ptr, strings = documents_to_ids(self, X)
        rows = lookup_ids(ids, strings, self.vocabulary_)
        return mean_vectors(self.vectors_, rows, doc_ptr)

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        from ._count_vectorizer import _generated_documents

        return _generated_documents(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": est.transform(X), "vectors_": est.vectors_}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.non_deterministic = False
        return tags


def mean_vectors(vectors, rows, doc_ptr):
    """Per document, the mean of ``vectors[rows]`` over its known rows (``rows >= 0``)."""
    import scipy.sparse as sp

    doc_ptr, rows = eng.occurrences(doc_ptr, rows)
    n_docs = doc_ptr.shape[0] - 1
    sums = (
        sp.csr_matrix(
            (np.ones(rows.shape[0], vectors.dtype), rows, doc_ptr), shape=(n_docs, vectors.shape[0])
        )
        @ vectors
    )
    n = np.diff(doc_ptr).astype(vectors.dtype)
    return np.asarray(sums / np.maximum(n, 1)[:, None], dtype=np.float32)

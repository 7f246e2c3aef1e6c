"""Doc2Vec: paragraph vectors by PV-DBOW with negative sampling, on our kernels."""

from __future__ import annotations

import time
import zlib
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import History, numba_threads, progress_bar
from ..utils._sklearn_compat import Interval, _fit_context
from ._base import DEFAULT_TOKEN_PATTERN
from ._word2vec import (
    TOKEN_CONSTRAINTS,
    WordVectors,
    build_vocabulary,
    chunk_pointer,
    documents_to_ids,
    init_vectors,
    keep_probabilities,
    lookup_ids,
    noise_table,
    sentences,
)


def _splitmix(z):
    """SplitMix64's output function on a uint64 array (wrapping arithmetic)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _hashed_init(seeds, dim):
    """word2vec's initial vectors, uniform on (-0.5, 0.5) / dim, one row per uint64 seed."""
    steps = np.arange(1, dim + 1, dtype=np.uint64) * np.uint64(0xD1B54A32D192ED03)
    bits = _splitmix(seeds[:, None] + steps[None, :])
    u = (bits >> np.uint64(11)).astype(np.float64) * (1.0 / 9007199254740992.0)
    return ((u - 0.5) / dim).astype(np.float32)


class Doc2Vec(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Document vectors by the distributed bag of words (PV-DBOW) with negative sampling.

    Each training document gets a vector trained to predict the document's words (as
    gensim's ``Doc2Vec(dm=0)``); with ``dbow_words`` the word vectors also learn skip-gram
    on the same windows, interleaved. New documents get vectors by inference: the same
    training with the word and output weights frozen, only the new vector moving.

    Parameters
    ----------
    vector_size : int, default=100
        Dimension of the document (and word) vectors.
    window : int, default=5
        Maximum skip-gram window (used with ``dbow_words``).
    min_count : int, default=5
        Ignore words with fewer occurrences.
    sample : float, default=1e-3
        Downsampling threshold of frequent words (0: off).
    negative : int, default=5
        Negative samples per positive example.
    ns_exponent : float, default=0.75
        Exponent of the counts in the noise distribution.
    alpha : float, default=0.025
        Initial learning rate.
    min_alpha : float, default=0.0001
        Final learning rate (linear decay), also for inference.
    epochs : int, default=10
        Passes over the corpus; inference runs as many.
    dbow_words : bool, default=False
        Also train word vectors by skip-gram (slower; gives usable ``wv``).
    lowercase : bool, default=True
        Lowercase raw strings before tokenizing.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token in raw strings.
    tokenizer : callable, default=None
        ``str -> list of str``, overrides ``token_pattern``.
    compute_loss : bool, default=False
        Record the loss of each epoch in ``history_``.
    n_jobs : int, default=None
        Threads. Training is Hogwild (more than one thread: results vary slightly from run
        to run); inference is exact in parallel (documents are independent).
    random_state : int, RandomState instance or None, default=None
        Seed of the initial vectors and of the sampling.
    verbose : int, default=0
        Show a progress bar over the epochs.

    Attributes
    ----------
    dv_ : ndarray of shape (n_documents, vector_size)
        The trained vector of each training document (float32), in input order.
    vectors_ : ndarray of shape (n_words, vector_size)
        Word vectors (random unless ``dbow_words``).
    output_vectors_ : ndarray of shape (n_words, vector_size)
        Output weights of negative sampling.
    index_to_key_ : list of str
        The words.
    vocabulary_ : dict
        Word to row index.
    counts_ : ndarray of shape (n_words,)
        Occurrences of each word.
    history_ : dict
        Per epoch: ``seconds``, ``words_per_second`` and ``loss`` (when ``compute_loss``).
    infer_seed_ : int
        Seed of inference; with a hash of a document's words it fixes the document's initial
        vector and random draws, so a document is inferred alike alone or in any batch.

    See Also
    --------
    Word2Vec : Word vectors.

    Notes
    -----
    PV-DBOW maximises, for each document :math:`d` and each of its words :math:`w`,
    :math:`\\log\\sigma(D_d^\\top u_w) + \\sum_k \\log\\sigma(-D_d^\\top u_{n_k})`, the
    skip-gram objective with the document vector as the input (Le and Mikolov, 2014,
    section 2.3). ``transform`` is the inference step of the paper: gradient steps on
    :math:`D_d` alone.

    References
    ----------
    .. [1] Le, Q. and Mikolov, T. (2014). "Distributed Representations of Sentences and
       Documents". ICML.

    Examples
    --------
    >>> from pai_algos.datasets import make_corpus
    >>> from pai_algos.text import Doc2Vec
    >>> docs = make_corpus(n_documents=60, random_state=0, return_topics=False)
    >>> model = Doc2Vec(vector_size=8, min_count=2, epochs=5, n_jobs=1, random_state=0)
    >>> model.fit(docs).dv_.shape
    (60, 8)
    >>> model.infer_vector(docs[0]).shape
    (8,)
    """

    _parameter_constraints: dict = {
        "vector_size": [Interval(Integral, 1, None, closed="left")],
        "window": [Interval(Integral, 1, None, closed="left")],
        "min_count": [Interval(Integral, 1, None, closed="left")],
        "sample": [Interval(Real, 0, None, closed="left")],
        "negative": [Interval(Integral, 1, None, closed="left")],
        "ns_exponent": [Interval(Real, None, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "min_alpha": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "dbow_words": ["boolean"],
        **TOKEN_CONSTRAINTS,
        "compute_loss": ["boolean"],
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
        negative=5,
        ns_exponent=0.75,
        alpha=0.025,
        min_alpha=0.0001,
        epochs=10,
        dbow_words=False,
        lowercase=True,
        token_pattern=DEFAULT_TOKEN_PATTERN,
        tokenizer=None,
        compute_loss=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        self.vector_size = vector_size
        self.window = window
        self.min_count = min_count
        self.sample = sample
        self.negative = negative
        self.ns_exponent = ns_exponent
        self.alpha = alpha
        self.min_alpha = min_alpha
        self.epochs = epochs
        self.dbow_words = dbow_words
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.tokenizer = tokenizer
        self.compute_loss = compute_loss
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the vocabulary, the word and output weights and the document vectors.

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
        ids, doc_ptr, strings = documents_to_ids(self, X)
        n_docs = doc_ptr.shape[0] - 1
        if n_docs == 0:
            raise ValueError("Empty corpus: Doc2Vec.fit needs at least one document.")
        words, counts, remap = build_vocabulary(ids, strings, self.min_count)
        tokens, offsets, doc_of = sentences(remap[ids], doc_ptr)
        rng = check_random_state(self.random_state)
        W = init_vectors(rng, len(words), self.vector_size)
        D = init_vectors(rng, n_docs, self.vector_size)
        C = np.zeros_like(W)
        keep = keep_probabilities(counts, self.sample)
        table = noise_table(counts, self.ns_exponent)
        hist = History()
        chunks = chunk_pointer(offsets)
        n_chunks = chunks.shape[0] - 1
        seeds = [rng.randint(0, 2**62, size=n_chunks, dtype=np.int64).astype(np.uint64)
                 for _ in range(self.epochs)]  # fmt: skip
        self.infer_seed_ = int(rng.randint(0, 2**62, dtype=np.int64))
        with progress_bar(
            total=self.epochs, desc="Doc2Vec", verbose=self.verbose, unit="epoch"
        ) as bar:
            for epoch in range(self.epochs):
                start = time.perf_counter()
                n = float(offsets[-1])
                alphas = (self.alpha, self.min_alpha, epoch * n, self.epochs * n)
                loss = self._epoch(
                    tokens,
                    offsets,
                    chunks,
                    doc_of,
                    W,
                    D,
                    C,
                    keep,
                    table,
                    True,
                    alphas,
                    seeds[epoch],
                )
                seconds = time.perf_counter() - start
                record = {"words_per_second": offsets[-1] / max(seconds, 1e-9)}
                if self.compute_loss:
                    record["loss"] = loss
                hist.record(**record)
                bar.update(1)
        self.dv_ = D
        self.vectors_ = W
        self.output_vectors_ = C
        self.index_to_key_ = words
        self.vocabulary_ = {w: i for i, w in enumerate(words)}
        self.counts_ = counts
        self.history_ = hist.as_dict()
        self._n_features_out = self.vector_size
        return self

    def _epoch(self, tokens, offsets, chunks, doc_of, W, D, C, keep, table, learn, alphas, seeds):
        """One kernel pass; ``alphas``: ``(alpha0, alpha1, done, total)`` of the schedule."""
        with numba_threads(self.n_jobs):
            loss, _ = kernels("embedding", "cpu").dbow_epoch(
                tokens,
                offsets,
                chunks,
                doc_of,
                W,
                D,
                C,
                keep,
                table,
                learn and bool(self.dbow_words),
                learn,
                self.window,
                self.negative,
                *alphas,
                seeds,
                self.compute_loss,
            )
        return loss

    @property
    def wv(self):
        """The word vectors, gensim-style (``wv["word"]``, ``wv.most_similar``...)."""
        check_is_fitted(self)
        return WordVectors(self.vectors_, self.index_to_key_)

    def transform(self, X):
        """Infer a vector for each document, with the word and output weights frozen.

        Parameters
        ----------
        X : iterable of str or of lists of str
            The documents.

        Returns
        -------
        ndarray of shape (n_documents, vector_size), float32
            Documents without a known word keep their random initial vector.
        """
        check_is_fitted(self)
        ids, doc_ptr, strings = documents_to_ids(self, X)
        tokens, offsets, doc_of = sentences(lookup_ids(ids, strings, self.vocabulary_), doc_ptr)
        n_docs = doc_ptr.shape[0] - 1
        # every sentence's random stream and every document's initial vector come from a
        # hash of its words, so a document gets the same vector alone or in any batch
        base = _splitmix(np.uint64(self.infer_seed_) + np.zeros(1, np.uint64))[0]
        sent_seed = _splitmix(
            np.array(
                [zlib.crc32(tokens[a:b].tobytes()) for a, b in zip(offsets[:-1], offsets[1:])],
                dtype=np.uint64,
            )
            ^ base
        )
        first = np.searchsorted(doc_of, np.arange(n_docs))
        D = _hashed_init(sent_seed[first], self.vector_size)
        # one chunk per sentence: each document's updates read only frozen weights, so the
        # result does not depend on the threads. The rate is constant within an epoch and
        # falls linearly from alpha to min_alpha over the epochs (gensim's infer_vector).
        chunks = np.arange(offsets.shape[0], dtype=np.int64)
        keep = keep_probabilities(self.counts_, self.sample)
        table = noise_table(self.counts_, self.ns_exponent)
        rates = (
            np.linspace(self.alpha, self.min_alpha, self.epochs)
            if self.epochs > 1
            else [self.alpha]
        )
        for epoch, rate in enumerate(rates):
            seeds = _splitmix(sent_seed + np.uint64(epoch + 1))
            self._epoch(
                tokens, offsets, chunks, doc_of, self.vectors_, D, self.output_vectors_, keep,
                table, False, (rate, rate, 0.0, 1.0), seeds,
            )  # fmt: skip
        return D

    def infer_vector(self, doc):
        """Infer the vector of one document.

        Parameters
        ----------
        doc : str or list of str
            A raw string or a token list.

        Returns
        -------
        ndarray of shape (vector_size,), float32
        """
        return self.transform([doc])[0]

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        from ._count_vectorizer import _generated_documents

        return _generated_documents(seed, n_samples), None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": est.transform(X), "dv_": est.dv_}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

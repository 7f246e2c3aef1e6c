"""CPU kernels for embeddings: word2vec (skip-gram and CBOW with negative sampling), PV-DBOW
and the co-occurrence counts behind PMI.

A corpus travels as integer sequences, so the same kernels serve words and graph walks
(DeepWalk, node2vec): ``tokens`` (int32 vocabulary ids, in-vocabulary only), ``offsets``
(int64, sentence ``s`` is ``tokens[offsets[s]:offsets[s + 1]]``) and ``chunk_ptr`` (int64, the
sentences of work chunk ``c`` are ``chunk_ptr[c]:chunk_ptr[c + 1]``).

Parallelism is Hogwild (Recht et al., 2011), as in word2vec.c and gensim: Numba's threads
take the chunks dynamically, one at a time (a thread slowed by the machine takes fewer), and
update the shared weights without locks. Each chunk draws from its own random stream
(SplitMix64 seeded by ``seed`` and the chunk), so one thread gives repeatable results, and a
chunk's draws do not depend on which thread (or GPU thread) runs it. The learning rate of a
sentence is ``alpha0 - (alpha0 - alpha1) * (done + offsets[s]) / total``: linear in the
number of tokens before it, as gensim's per-job decay.

The sigmoid is exact (``1 / (1 + exp(-f))`` in the weights' dtype, no table, no clipping).
Dot products accumulate in the dtype of the weights (float32 or float64), reassociated for
SIMD.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "cooccurrence_keys",
    "dbow_epoch",
    "max_sentence_length",
    "word2vec_epoch",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


# --------------------------------------------------------------------------- random streams
@njit(**JIT)
def _mix(z):
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(**JIT)
def _chunk_state(seed, chunk):
    """The starting state of chunk ``chunk``'s stream."""
    return _mix(np.uint64(seed) + np.uint64(chunk + 1) * _GOLDEN)


@njit(**JIT)
def _next(state):
    """``(state, r)``: the next state and a uniform uint64 (splitmix64)."""
    state = state + _GOLDEN
    return state, _mix(state)


@njit(**JIT)
def _uniform(state):
    """``(state, u)`` with ``u`` uniform on [0, 1) (53 bits)."""
    state, r = _next(state)
    return state, np.float64(r >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@njit(**JIT)
def _below(state, n):
    """``(state, k)`` with ``k`` uniform on 0..n-1 (``n < 2**32``).

    Lemire's multiply-shift on the top 32 bits instead of a 64-bit division (the bias is
    below ``n / 2**32``).
    """
    state, r = _next(state)
    return state, np.int64(((r >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))


# --------------------------------------------------------------------------- vector helpers
@njit(**{**JIT, "fastmath": {"reassoc", "contract"}})
def _dot(x, y):
    # reassociation lets LLVM vectorize the sum (the order then follows the SIMD width, the
    # same on every run on one machine); nothing else in the module uses fastmath
    s = x.dtype.type(0)
    for k in range(x.shape[0]):
        s += x[k] * y[k]
    return s


@njit(**JIT)
def _axpy(a, x, y):
    for k in range(x.shape[0]):
        y[k] += a * x[k]


@njit(**JIT)
def _softplus(x):
    """``log(1 + exp(x))`` without overflow."""
    if x > 0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(math.exp(x))


@njit(**JIT)
def _negative_sampling(l1, C, target, neg_table, negative, alpha, neu1e, state, learn_out, loss_on):
    """One positive and ``negative`` sampled targets for the input vector ``l1``.

    The gradient for ``l1`` accumulates into ``neu1e`` (the caller applies it); the output
    rows ``C[w]`` are updated at once when ``learn_out``. Returns ``(state, loss)``.
    """
    loss = 0.0
    n_table = neg_table.shape[0]
    for d in range(negative + 1):
        if d == 0:
            w = target
            label = 1.0
        else:
            state, k = _below(state, n_table)
            w = neg_table[k]
            if w == target:
                continue
            label = 0.0
        row = C[w]
        f = _dot(l1, row)  # in the weights' dtype: expf for float32 weights
        s = 1.0 / (1.0 + math.exp(-f))
        if loss_on:
            loss += _softplus(-f) if d == 0 else _softplus(f)
        g = neu1e.dtype.type((label - s) * alpha)
        _axpy(g, row, neu1e)
        if learn_out:
            _axpy(g, l1, row)
    return state, loss


@njit(**JIT)
def _subsample(tokens, a, b, keep_prob, sent, state):
    """Copy the kept tokens of ``tokens[a:b]`` into ``sent``: ``(state, n_kept)``.

    A token ``w`` is kept with probability ``keep_prob[w]`` (1: no draw), as word2vec's
    frequent-word downsampling, before the windows are formed.
    """
    n = 0
    for t in range(a, b):
        w = tokens[t]
        p = keep_prob[w]
        if p < 1.0:
            state, u = _uniform(state)
            if u >= p:
                continue
        sent[n] = w
        n += 1
    return state, n


@njit(**JIT)
def _alpha(alpha0, alpha1, done, position, total):
    alpha = alpha0 - (alpha0 - alpha1) * (done + position) / max(total, 1.0)
    return max(alpha, alpha1)


@njit(**JIT)
def max_sentence_length(offsets):
    """The longest sentence (0 when there is none)."""
    m = 0
    for s in range(offsets.shape[0] - 1):
        m = max(m, offsets[s + 1] - offsets[s])
    return m


# --------------------------------------------------------------------------- word2vec
@njit(**JIT)
def _train_sentence_w2v(
    sent, n, W, C, neg_table, sg, window, negative, alpha, neu1, neu1e, state, loss_on
):
    loss = 0.0
    for i in range(n):
        state, red = _below(state, window)
        span = window - red  # gensim's reduced window: 1..window, uniform
        lo = max(0, i - span)
        hi = min(n, i + span + 1)
        if sg:
            for j in range(lo, hi):
                if j == i:
                    continue
                l1 = W[sent[j]]
                neu1e[:] = 0
                state, ls = _negative_sampling(
                    l1, C, sent[i], neg_table, negative, alpha, neu1e, state, True, loss_on
                )
                loss += ls
                _axpy(neu1e.dtype.type(1), neu1e, l1)
        else:
            neu1[:] = 0
            count = 0
            for j in range(lo, hi):
                if j != i:
                    _axpy(neu1.dtype.type(1), W[sent[j]], neu1)
                    count += 1
            if count == 0:
                continue
            inv = neu1.dtype.type(1.0 / count)
            for k in range(neu1.shape[0]):
                neu1[k] *= inv  # the mean of the context (gensim's cbow_mean=1)
            neu1e[:] = 0
            state, ls = _negative_sampling(
                neu1, C, sent[i], neg_table, negative, alpha, neu1e, state, True, loss_on
            )
            loss += ls
            for j in range(lo, hi):
                if j != i:
                    _axpy(neu1e.dtype.type(1), neu1e, W[sent[j]])
    return state, loss


@njit(**JIT_PARALLEL)
def _word2vec_epoch(
    tokens,
    offsets,
    chunk_ptr,
    W,
    C,
    keep_prob,
    neg_table,
    sg,
    window,
    negative,
    alpha0,
    alpha1,
    done,
    total,
    seed,
    compute_loss,
):
    """One pass of skip-gram (``sg``) or CBOW with negative sampling, updating W and C in place.

    Parameters
    ----------
    tokens : ndarray of int32 of shape (n_tokens,)
    offsets : ndarray of int64 of shape (n_sentences + 1,)
    chunk_ptr : ndarray of int64 of shape (n_chunks + 1,)
    W, C : ndarray of shape (n_vocab, dim), float32 or float64
        Input (word) vectors and output (context) vectors.
    keep_prob : ndarray of float64 of shape (n_vocab,)
        Probability of keeping each token (downsampling); 1 keeps it always.
    neg_table : ndarray of int32
        Table of the noise distribution (ids repeated in proportion to count**0.75).
    sg : bool
        Skip-gram (True) or CBOW with the mean of the context (False).
    window, negative : int
        Maximum window and number of negatives per positive (``window >= 1``).
    alpha0, alpha1, done, total : float
        The linear learning-rate schedule (see the module docstring).
    seed : int
        Seed of this epoch's random streams.
    compute_loss : bool
        Sum the negative-sampling loss.

    Returns
    -------
    loss : float
        Sum of ``-log sigmoid(+-f)`` over the updates (0 unless ``compute_loss``).
    n_trained : int
        Tokens kept after downsampling.
    """
    n_chunks = chunk_ptr.shape[0] - 1
    dim = W.shape[1]
    max_len = max_sentence_length(offsets)
    losses = np.zeros(max(n_chunks, 0), np.float64)
    kept = np.zeros(max(n_chunks, 0), np.int64)
    for c in prange(n_chunks):
        sent = np.empty(max_len, np.int32)
        neu1 = np.empty(dim, W.dtype)
        neu1e = np.empty(dim, W.dtype)
        state = _chunk_state(seed, c)
        for s in range(chunk_ptr[c], chunk_ptr[c + 1]):
            a = offsets[s]
            alpha = _alpha(alpha0, alpha1, done, a, total)
            state, n = _subsample(tokens, a, offsets[s + 1], keep_prob, sent, state)
            kept[c] += n
            state, ls = _train_sentence_w2v(
                sent, n, W, C, neg_table, sg, window, negative, alpha, neu1, neu1e, state,
                compute_loss,
            )  # fmt: skip
            losses[c] += ls
    return losses.sum(), kept.sum()


# --------------------------------------------------------------------------- PV-DBOW
@njit(**JIT_PARALLEL)
def _dbow_epoch(
    tokens,
    offsets,
    chunk_ptr,
    doc_rows,
    W,
    D,
    C,
    keep_prob,
    neg_table,
    train_words,
    learn_out,
    window,
    negative,
    alpha0,
    alpha1,
    done,
    total,
    seeds,
    compute_loss,
):
    """One pass of PV-DBOW (Le & Mikolov, 2014) with negative sampling.

    Each kept token of sentence ``s`` is predicted from the document vector
    ``D[doc_rows[s]]``; with ``train_words`` the word vectors ``W`` also learn skip-gram on
    the same windows first (gensim's ``dbow_words=1``). With ``learn_out=False`` the output
    weights ``C`` stay frozen and only ``D`` moves: that is inference for new documents.
    ``seeds`` (uint64, one per chunk) start the chunks' random streams, so that a document
    inferred alone or in a batch draws the same numbers. The other parameters and the
    returned ``(loss, n_trained)`` are those of :func:`word2vec_epoch`.
    """
    n_chunks = chunk_ptr.shape[0] - 1
    dim = D.shape[1]
    max_len = max_sentence_length(offsets)
    losses = np.zeros(max(n_chunks, 0), np.float64)
    kept = np.zeros(max(n_chunks, 0), np.int64)
    one = D.dtype.type(1)
    for c in prange(n_chunks):
        sent = np.empty(max_len, np.int32)
        neu1e = np.empty(dim, D.dtype)
        state = _chunk_state(seeds[c], 0)
        for s in range(chunk_ptr[c], chunk_ptr[c + 1]):
            a = offsets[s]
            alpha = _alpha(alpha0, alpha1, done, a, total)
            state, n = _subsample(tokens, a, offsets[s + 1], keep_prob, sent, state)
            kept[c] += n
            dvec = D[doc_rows[s]]
            for i in range(n):
                if train_words:
                    state, red = _below(state, window)
                    span = window - red
                    for j in range(max(0, i - span), min(n, i + span + 1)):
                        if j == i:
                            continue
                        l1 = W[sent[j]]
                        neu1e[:] = 0
                        state, ls = _negative_sampling(
                            l1, C, sent[i], neg_table, negative, alpha, neu1e, state,
                            learn_out, compute_loss,
                        )  # fmt: skip
                        losses[c] += ls
                        _axpy(one, neu1e, l1)
                neu1e[:] = 0
                state, ls = _negative_sampling(
                    dvec, C, sent[i], neg_table, negative, alpha, neu1e, state, learn_out,
                    compute_loss,
                )  # fmt: skip
                losses[c] += ls
                _axpy(one, neu1e, dvec)
    return losses.sum(), kept.sum()


def word2vec_epoch(*args):
    """One pass of skip-gram or CBOW (see :func:`_word2vec_epoch`), Numba's threads taking
    the chunks one at a time (dynamic scheduling: a thread slowed down takes fewer)."""
    with numba.parallel_chunksize(1):
        return _word2vec_epoch(*args)


def dbow_epoch(*args):
    """One pass of PV-DBOW (see :func:`_dbow_epoch`), chunks scheduled dynamically."""
    with numba.parallel_chunksize(1):
        return _dbow_epoch(*args)


# --------------------------------------------------------------------------- co-occurrence
@njit(**JIT_PARALLEL)
def cooccurrence_keys(tokens, offsets, window, n_vocab):
    """Ordered co-occurring pairs within ``window`` positions, as keys ``w * n_vocab + c``.

    Both ``(w, c)`` and ``(c, w)`` are listed for each pair of positions at distance
    1..``window`` inside a sentence, so the counts they give are symmetric. Tokens ``< 0``
    (words out of the vocabulary) hold their position but pair with nothing: their keys
    are -1.

    Returns
    -------
    keys : ndarray of int64 of shape (n_pairs,)
        Unsorted; ``np.unique(keys[keys >= 0], return_counts=True)`` gives the counts.
    """
    n_sent = offsets.shape[0] - 1
    ptr = np.zeros(n_sent + 1, np.int64)
    for s in range(n_sent):
        n = offsets[s + 1] - offsets[s]
        pairs = 0
        for d in range(1, window + 1):
            if n > d:
                pairs += n - d
        ptr[s + 1] = ptr[s] + 2 * pairs
    keys = np.empty(ptr[n_sent], np.int64)
    v = np.int64(n_vocab)
    for s in prange(n_sent):
        a = offsets[s]
        b = offsets[s + 1]
        p = ptr[s]
        for i in range(a, b):
            wi = np.int64(tokens[i])
            for j in range(i + 1, min(b, i + window + 1)):
                wj = np.int64(tokens[j])
                if wi < 0 or wj < 0:
                    keys[p] = -1
                    keys[p + 1] = -1
                else:
                    keys[p] = wi * v + wj
                    keys[p + 1] = wj * v + wi
                p += 2
    return keys

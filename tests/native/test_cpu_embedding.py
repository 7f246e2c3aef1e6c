"""pai_algos_native.cpu.embedding against the references of naive_embedding.py."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from pai_algos_native import kernels

from . import naive_embedding as naive

k = kernels("embedding", "cpu")


@pytest.fixture(autouse=True)
def one_thread():
    """The references replay the chunks in order: one Numba thread (Hogwild otherwise)."""
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(previous)


def _corpus(rng, n_vocab=12, n_sent=6, max_len=9):
    lengths = rng.integers(0, max_len + 1, size=n_sent)
    lengths[0] = max(lengths[0], 2)
    offsets = np.zeros(n_sent + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    tokens = rng.integers(0, n_vocab, size=offsets[-1]).astype(np.int32)
    return tokens, offsets


def _weights(rng, n_vocab, dim, dtype):
    W = ((rng.random((n_vocab, dim)) - 0.5) / dim).astype(dtype)
    C = (0.3 * rng.standard_normal((n_vocab, dim))).astype(dtype)
    return W, C


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sg", [True, False])
@pytest.mark.parametrize("sample", [False, True])
def test_word2vec_epoch_matches_reference(rng, dtype, sg, sample):
    n_vocab, dim = 12, 7  # dim not a multiple of 4: the dot product's tail runs
    tokens, offsets = _corpus(rng, n_vocab)
    chunk_ptr = np.array([0, 2, 4, len(offsets) - 1], np.int64)
    W, C = _weights(rng, n_vocab, dim, dtype)
    keep = rng.uniform(0.3, 1.0, n_vocab) if sample else np.ones(n_vocab)
    keep[:3] = 1.0
    table = rng.integers(0, n_vocab, size=23).astype(np.int32)
    args = (sg, 3, 4, 0.05, 0.001, 10.0, 400.0, int(rng.integers(2**62)))
    W_ref, C_ref = W.astype(np.float64), C.astype(np.float64)
    loss_ref = naive.word2vec_epoch(tokens, offsets, chunk_ptr, W_ref, C_ref, keep, table, *args)
    loss, n_kept = k.word2vec_epoch(tokens, offsets, chunk_ptr, W, C, keep, table, *args, True)
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(W, W_ref, rtol=tol, atol=tol)
    np.testing.assert_allclose(C, C_ref, rtol=tol, atol=tol)
    assert loss == pytest.approx(loss_ref, rel=tol)
    assert n_kept <= len(tokens) and (sample or n_kept == len(tokens))
    assert W.dtype == dtype and C.dtype == dtype


def test_word2vec_single_pair_is_one_sgns_step(rng):
    # a two-word sentence with window 1 gives the pairs (b -> a) then (a -> b); a noise
    # table of one word fixes the negatives
    W, C = _weights(rng, 4, 5, np.float64)
    tokens = np.array([0, 1], np.int32)
    offsets = np.array([0, 2], np.int64)
    W_ref, C_ref = W.copy(), C.copy()
    for ctx, tgt in ((1, 0), (0, 1)):
        neu1e, _ = naive.sgns_update(W_ref[ctx].copy(), C_ref, tgt, [3, 3], 0.1)
        W_ref[ctx] += neu1e
    k.word2vec_epoch(
        tokens, offsets, np.array([0, 1], np.int64), W, C, np.ones(4), np.array([3], np.int32),
        True, 1, 2, 0.1, 0.1, 0.0, 1.0, 5, False,
    )  # fmt: skip
    np.testing.assert_allclose(W, W_ref, rtol=1e-12)
    np.testing.assert_allclose(C, C_ref, rtol=1e-12)


def test_word2vec_empty_and_single_token_sentences(rng):
    W, C = _weights(rng, 3, 4, np.float32)
    W0, C0 = W.copy(), C.copy()
    tokens = np.array([2], np.int32)
    offsets = np.array([0, 0, 1, 1], np.int64)  # empty, one token, empty
    for sg in (True, False):
        loss, kept = k.word2vec_epoch(
            tokens, offsets, np.array([0, 3], np.int64), W, C, np.ones(3),
            np.array([0, 1], np.int32), sg, 2, 3, 0.1, 0.1, 0.0, 1.0, 1, True,
        )  # fmt: skip
        assert loss == 0.0 and kept == 1
    np.testing.assert_array_equal(W, W0)
    np.testing.assert_array_equal(C, C0)


@pytest.mark.parametrize("train_words", [False, True])
@pytest.mark.parametrize("learn_out", [False, True])
def test_dbow_epoch_matches_reference(rng, train_words, learn_out):
    n_vocab, dim = 10, 6
    tokens, offsets = _corpus(rng, n_vocab)
    n_sent = len(offsets) - 1
    doc_rows = rng.integers(0, 3, size=n_sent).astype(np.int64)
    chunk_ptr = np.array([0, 3, n_sent], np.int64)
    W, C = _weights(rng, n_vocab, dim, np.float64)
    D = rng.standard_normal((3, dim)) * 0.1
    keep = rng.uniform(0.5, 1.0, n_vocab)
    table = rng.integers(0, n_vocab, size=17).astype(np.int32)
    seeds = rng.integers(2**62, size=2).astype(np.uint64)
    refs = [W.copy(), D.copy(), C.copy()]
    loss_ref = naive.dbow_epoch(
        tokens, offsets, chunk_ptr, doc_rows, *refs, keep, table, train_words, learn_out, 2, 3,
        0.05, 0.01, 0.0, 100.0, seeds,
    )  # fmt: skip
    C_before, W_before = C.copy(), W.copy()
    loss, _ = k.dbow_epoch(
        tokens, offsets, chunk_ptr, doc_rows, W, D, C, keep, table, train_words, learn_out, 2, 3,
        0.05, 0.01, 0.0, 100.0, seeds, True,
    )  # fmt: skip
    for got, ref in zip((W, D, C), refs):
        np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-12)
    assert loss == pytest.approx(loss_ref, rel=1e-10)
    if not learn_out:
        np.testing.assert_array_equal(C, C_before)
    if not train_words:
        np.testing.assert_array_equal(W, W_before)


def test_dbow_inference_does_not_depend_on_threads(rng):
    n_vocab, dim = 10, 5
    tokens, offsets = _corpus(rng, n_vocab, n_sent=8)
    W, C = _weights(rng, n_vocab, dim, np.float32)
    D = np.zeros((8, dim), np.float32)
    chunks = np.arange(9, dtype=np.int64)  # one chunk per document
    args = (W, None, C, np.ones(n_vocab), np.arange(n_vocab, dtype=np.int32), False, False, 2,
            3, 0.05, 0.05, 0.0, 1.0, np.arange(8, dtype=np.uint64))  # fmt: skip
    outs = []
    for workers in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
        Dw = D.copy()
        a = list(args)
        a[1] = Dw
        numba.set_num_threads(workers)
        try:
            k.dbow_epoch(tokens, offsets, chunks, np.arange(8), *a, False)
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        outs.append(Dw)
    np.testing.assert_array_equal(outs[0], outs[1])


@pytest.mark.parametrize("window", [1, 3])
def test_cooccurrence_matches_reference(rng, window):
    tokens, offsets = _corpus(rng, 9, n_sent=7)
    tokens[rng.random(len(tokens)) < 0.2] = -1  # out-of-vocabulary positions
    keys = k.cooccurrence_keys(tokens, offsets, window, 9)
    keys, counts = np.unique(keys[keys >= 0], return_counts=True)
    M = np.zeros((9, 9))
    M[keys // 9, keys % 9] = counts
    np.testing.assert_array_equal(M, naive.cooccurrence(tokens, offsets, window, 9))
    np.testing.assert_array_equal(M, M.T)


def test_cooccurrence_single_row_and_empty():
    assert k.cooccurrence_keys(np.zeros(0, np.int32), np.zeros(1, np.int64), 2, 3).size == 0
    keys = k.cooccurrence_keys(np.array([1, 1], np.int32), np.array([0, 2], np.int64), 5, 2)
    np.testing.assert_array_equal(keys, [3, 3])


def test_max_sentence_length():
    assert k.max_sentence_length(np.array([0, 3, 3, 10], np.int64)) == 7
    assert k.max_sentence_length(np.zeros(1, np.int64)) == 0

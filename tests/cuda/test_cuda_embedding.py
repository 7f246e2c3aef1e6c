"""CUDA word2vec kernel against the CPU kernel (simulator or GPU), on tiny data."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import embedding as cpu


@pytest.fixture
def gpu():
    from pai_algos_native.cuda import embedding

    return embedding


def _problem(rng, dtype, n_vocab=9, dim=5, n_sent=5):
    lengths = rng.integers(1, 8, size=n_sent)
    offsets = np.zeros(n_sent + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    tokens = rng.integers(0, n_vocab, size=offsets[-1]).astype(np.int32)
    W = ((rng.random((n_vocab, dim)) - 0.5) / dim).astype(dtype)
    C = (0.3 * rng.standard_normal((n_vocab, dim))).astype(dtype)
    keep = rng.uniform(0.4, 1.0, n_vocab)
    table = rng.integers(0, n_vocab, size=13).astype(np.int32)
    return tokens, offsets, W, C, keep, table


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("sg", [True, False])
def test_word2vec_epoch_one_chunk_matches_cpu(gpu, rng, dtype, sg):
    tokens, offsets, W, C, keep, table = _problem(rng, dtype)
    chunks = np.array([0, len(offsets) - 1], np.int64)
    seed = int(rng.integers(2**62))
    args = (sg, 2, 3, 0.05, 0.001, 0.0, 100.0, seed, True)
    Wg, Cg = W.copy(), C.copy()
    loss_c, kept_c = cpu.word2vec_epoch(tokens, offsets, chunks, W, C, keep, table, *args)
    loss_g, kept_g = gpu.word2vec_epoch(tokens, offsets, chunks, Wg, Cg, keep, table, *args)
    # the same draws; the GPU applies the update coefficient in float64
    tol = 1e-4 if dtype == np.float32 else 1e-10
    assert kept_g == kept_c
    assert loss_g == pytest.approx(loss_c, rel=tol)
    np.testing.assert_allclose(Wg, W, rtol=tol, atol=tol)
    np.testing.assert_allclose(Cg, C, rtol=tol, atol=tol)


def test_word2vec_epoch_many_chunks_on_disjoint_words(gpu, rng):
    # chunks over disjoint vocabularies, without negatives, cannot race: the GPU threads
    # must give the CPU result up to rounding
    tokens = np.array([0, 1, 0, 1, 2, 3, 3, 2, 4, 5, 5], np.int32)
    offsets = np.array([0, 4, 8, 11], np.int64)
    chunks = np.array([0, 1, 2, 3], np.int64)
    W = rng.standard_normal((6, 4)) * 0.1
    C = rng.standard_normal((6, 4)) * 0.1
    table = np.array([0], np.int32)  # unused: negative=0
    Wg, Cg = W.copy(), C.copy()
    args = (np.ones(6), table, True, 2, 0, 0.05, 0.05, 0.0, 1.0, 3, False)
    cpu.word2vec_epoch(tokens, offsets, chunks, W, C, *args)
    gpu.word2vec_epoch(tokens, offsets, chunks, Wg, Cg, *args)
    np.testing.assert_allclose(Wg, W, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(Cg, C, rtol=1e-10, atol=1e-12)


def test_word2vec_epoch_no_chunks(gpu):
    W = np.zeros((2, 3), np.float32)
    out = gpu.word2vec_epoch(
        np.zeros(0, np.int32), np.zeros(1, np.int64), np.zeros(1, np.int64), W, W.copy(),
        np.ones(2), np.array([0], np.int32), True, 2, 2, 0.1, 0.1, 0.0, 1.0, 0, False,
    )  # fmt: skip
    assert out == (0.0, 0)

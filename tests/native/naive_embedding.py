"""Plain Python/NumPy references for pai_algos_native.cpu.embedding.

The references replay the kernels' random streams (SplitMix64 per chunk, Lemire's
multiply-shift for bounded draws) with Python integers, so that one worker's updates can be
compared draw for draw; the arithmetic is float64.
"""

from __future__ import annotations

import math

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class Stream:
    """The random stream of one chunk."""

    def __init__(self, seed, chunk):
        self.state = mix((seed + (chunk + 1) * GOLDEN) & MASK)

    def next(self):
        self.state = (self.state + GOLDEN) & MASK
        return mix(self.state)

    def uniform(self):
        return (self.next() >> 11) / 2.0**53

    def below(self, n):
        return ((self.next() >> 32) * n) >> 32


def sgns_update(l1, C, target, negatives, alpha, learn_out=True):
    """Gradient for the input vector ``l1`` (returned) of one positive and the given
    negatives; ``C`` is updated in place when ``learn_out``. Returns ``(neu1e, loss)``."""
    neu1e = np.zeros_like(l1, dtype=np.float64)
    loss = 0.0
    for label, w in [(1.0, target)] + [(0.0, n) for n in negatives]:
        if label == 0.0 and w == target:
            continue
        f = float(np.dot(l1, C[w]))
        s = 1.0 / (1.0 + math.exp(-f))
        loss += math.log1p(math.exp(-f)) if label else math.log1p(math.exp(f))
        g = (label - s) * alpha
        neu1e += g * C[w]
        if learn_out:
            C[w] += g * l1
    return neu1e, loss


def _negatives(stream, table, negative):
    return [int(table[stream.below(len(table))]) for _ in range(negative)]


def _kept(stream, tokens, keep):
    out = []
    for w in tokens:
        if keep[w] < 1.0 and stream.uniform() >= keep[w]:
            continue
        out.append(int(w))
    return out


def _alpha(alpha0, alpha1, done, position, total):
    return max(alpha0 - (alpha0 - alpha1) * (done + position) / max(total, 1.0), alpha1)


def word2vec_epoch(tokens, offsets, chunk_ptr, W, C, keep, table, sg, window, negative,
                   alpha0, alpha1, done, total, seed):  # fmt: skip
    """One worker's pass, in float64, updating W and C in place; returns the loss."""
    loss = 0.0
    for c in range(len(chunk_ptr) - 1):
        st = Stream(seed, c)
        for s in range(chunk_ptr[c], chunk_ptr[c + 1]):
            alpha = _alpha(alpha0, alpha1, done, offsets[s], total)
            sent = _kept(st, tokens[offsets[s] : offsets[s + 1]], keep)
            n = len(sent)
            for i in range(n):
                span = window - st.below(window)
                ctx = [j for j in range(max(0, i - span), min(n, i + span + 1)) if j != i]
                if sg:
                    for j in ctx:
                        negs = _negatives(st, table, negative)
                        neu1e, ls = sgns_update(W[sent[j]].copy(), C, sent[i], negs, alpha)
                        W[sent[j]] += neu1e
                        loss += ls
                elif ctx:
                    l1 = W[[sent[j] for j in ctx]].mean(axis=0)
                    negs = _negatives(st, table, negative)
                    neu1e, ls = sgns_update(l1, C, sent[i], negs, alpha)
                    for j in ctx:
                        W[sent[j]] += neu1e
                    loss += ls
    return loss


def dbow_epoch(tokens, offsets, chunk_ptr, doc_rows, W, D, C, keep, table, train_words,
               learn_out, window, negative, alpha0, alpha1, done, total, seeds):  # fmt: skip
    """One worker's PV-DBOW pass, in float64, updating W, D and C in place."""
    loss = 0.0
    for c in range(len(chunk_ptr) - 1):
        st = Stream(int(seeds[c]), 0)
        for s in range(chunk_ptr[c], chunk_ptr[c + 1]):
            alpha = _alpha(alpha0, alpha1, done, offsets[s], total)
            sent = _kept(st, tokens[offsets[s] : offsets[s + 1]], keep)
            n = len(sent)
            d = doc_rows[s]
            for i in range(n):
                if train_words:
                    span = window - st.below(window)
                    for j in range(max(0, i - span), min(n, i + span + 1)):
                        if j == i:
                            continue
                        negs = _negatives(st, table, negative)
                        neu1e, ls = sgns_update(W[sent[j]].copy(), C, sent[i], negs, alpha,
                                                learn_out)  # fmt: skip
                        W[sent[j]] += neu1e
                        loss += ls
                negs = _negatives(st, table, negative)
                neu1e, ls = sgns_update(D[d].copy(), C, sent[i], negs, alpha, learn_out)
                D[d] += neu1e
                loss += ls
    return loss


def cooccurrence(tokens, offsets, window, n_vocab):
    """Dense symmetric co-occurrence counts (tokens < 0 skipped but keeping positions)."""
    M = np.zeros((n_vocab, n_vocab))
    for s in range(len(offsets) - 1):
        sent = tokens[offsets[s] : offsets[s + 1]]
        for i in range(len(sent)):
            for j in range(i + 1, min(len(sent), i + window + 1)):
                if sent[i] >= 0 and sent[j] >= 0:
                    M[sent[i], sent[j]] += 1
                    M[sent[j], sent[i]] += 1
    return M


def pmi(M, smoothing=1.0, positive=True):
    """Dense PMI of a co-occurrence matrix; unseen pairs are NaN."""
    total = M.sum()
    pw = M.sum(axis=1) / total
    nc = M.sum(axis=0) ** smoothing
    pc = nc / nc.sum()
    out = np.full(M.shape, np.nan)
    for w in range(M.shape[0]):
        for c in range(M.shape[1]):
            if M[w, c] > 0:
                out[w, c] = math.log((M[w, c] / total) / (pw[w] * pc[c]))
                if positive:
                    out[w, c] = max(out[w, c], 0.0)
    return out

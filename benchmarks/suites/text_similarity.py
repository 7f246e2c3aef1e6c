"""String similarity and near-duplicate search: StringSimilarity and MinHashLSH.

The Levenshtein row is the top-10 search of 10,000 query strings among 10,000 reference
strings (10^8 pairs); ``PAI_BENCH_SIMILARITY_N`` sets another size (both sides) for a quick
run on a busy machine. The peer is rapidfuzz's ``process.cdist`` on all cores followed by
NumPy's ``argpartition``; rapidfuzz is optional, and without it the row is left out. Cosine
of character 3-grams is compared with scikit-learn's CountVectorizer + ``cosine_similarity``;
MinHash (our whole fit: signatures, bands, candidate pairs) with the NumPy computation of the
same signatures alone.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

from benchmarks._harness import Case

N = int(os.environ.get("PAI_BENCH_SIMILARITY_N", 10_000))
TOP = 10


def _strings(n, seed):
    """Name- and address-like strings: 2 to 5 words of 2 to 9 letters, a few accented."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzéü"))
    words = ["".join(rng.choice(letters, size=int(rng.integers(2, 10)))) for _ in range(3000)]
    return [" ".join(rng.choice(words, size=int(rng.integers(2, 6)))) for _ in range(n)]


def _pairs():
    return _strings(N, 0), _strings(N, 1)


def _ours(metric, **params):
    def run(data):
        from pai_algos.text import StringSimilarity

        queries, corpus = data
        return StringSimilarity(metric, **params).fit(corpus).top_n(queries, n=TOP)

    return run


def _rapidfuzz(scorer_name):
    def run(data):
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        queries, corpus = data
        scorer = getattr(Levenshtein, scorer_name)
        scores = process.cdist(queries, corpus, scorer=scorer, dtype=np.float32, workers=-1)
        idx = np.argpartition(-scores, TOP - 1, axis=1)[:, :TOP]
        order = np.argsort(-np.take_along_axis(scores, idx, axis=1), axis=1, kind="stable")
        return np.take_along_axis(idx, order, axis=1), None

    return run


def _levenshtein_quality(data, ours, peer):
    queries, corpus = data
    pairs = len(queries) * len(corpus)
    note = f"{pairs:.1e} pairs"
    same = np.mean(ours[0][:, 0] == peer[0][:, 0])
    return note + f"; same best match as peer for {same:.1%} of queries (ties may differ)"


def _cosine_peer(data):
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.metrics.pairwise import cosine_similarity

    queries, corpus = data
    vec = CountVectorizer(analyzer="char", ngram_range=(3, 3), lowercase=False).fit(corpus)
    scores = cosine_similarity(vec.transform(queries), vec.transform(corpus))
    return np.argpartition(-scores, TOP - 1, axis=1)[:, :TOP], None


def _small_pairs():
    return _strings(N // 5, 2), _strings(N, 3)


def _documents():
    rng = np.random.default_rng(4)
    words = [f"w{i}" for i in range(5000)]
    return [" ".join(rng.choice(words, size=80)) for _ in range(N * 2)]


def _minhash_ours(docs):
    from pai_algos.text import MinHashLSH

    return MinHashLSH(analyzer="word", ngram_size=3, random_state=0).fit(docs).signatures_


def _minhash_numpy(docs):
    """The same signatures with NumPy: one vectorized pass per document."""
    from pai_algos.text._string_similarity import _feature_hashes

    rng = np.random.RandomState(0)  # the seeds MinHashLSH(random_state=0) draws
    seeds = rng.randint(0, 2**63 - 1, size=128, dtype=np.int64).astype(np.uint64)
    hashes, ptr = _feature_hashes([d.lower() for d in docs], "word", 3)
    out = np.empty((len(docs), 128), np.uint64)
    with np.errstate(over="ignore"):
        for i in range(len(docs)):
            x = np.unique(hashes[ptr[i] : ptr[i + 1]])[:, None] ^ seeds[None, :]
            for shift, mult in ((33, 0xFF51AFD7ED558CCD), (33, 0xC4CEB9FE1A85EC53)):
                x ^= x >> np.uint64(shift)
                x *= np.uint64(mult)
            x ^= x >> np.uint64(33)
            out[i] = x.min(axis=0)
    return out


def _minhash_quality(docs, ours, peer):
    return f"signatures equal: {bool(np.array_equal(ours, peer))}"


_HAS_RAPIDFUZZ = importlib.util.find_spec("rapidfuzz") is not None

CASES = [
    Case(
        name=f"StringSimilarity levenshtein top-{TOP} {N}x{N}",
        make_data=_pairs,
        ours=_ours("levenshtein"),
        peer=_rapidfuzz("normalized_similarity"),
        peer_name="rapidfuzz cdist",
        target=0.5,
        repeats=1,
        quality=_levenshtein_quality,
    ),
][: 1 if _HAS_RAPIDFUZZ else 0] + [
    Case(
        name=f"StringSimilarity cosine char-3 top-{TOP} {N // 5}x{N}",
        make_data=_small_pairs,
        ours=_ours("cosine"),
        peer=_cosine_peer,
        target=1.0,
        repeats=1,
    ),
    Case(
        name=f"MinHashLSH fit 128 perms {2 * N} docs",
        make_data=_documents,
        ours=_minhash_ours,
        peer=_minhash_numpy,
        peer_name="NumPy",
        target=2.0,
        repeats=1,
        quality=_minhash_quality,
    ),
]

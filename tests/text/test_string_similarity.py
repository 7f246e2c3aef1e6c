"""StringSimilarity against plain-Python references (and rapidfuzz when installed)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from pai_algos.text import StringSimilarity
from pai_algos.text._string_similarity import _feature_hashes

from ..native import naive_strings as naive

ALPHABET = list("abcab XYz") + ["é", "北", "京", "😀", "ß"]


def random_strings(rng, n, max_len=15):
    out = ["", "ab"]
    for _ in range(n - 2):
        out.append("".join(rng.choice(ALPHABET, size=int(rng.integers(0, max_len + 1)))))
    return out


def char_grams(s, n):
    return [s[i : i + n] for i in range(len(s) - n + 1)] if len(s) > n else [s]


def word_grams(s, n):
    import re

    words = re.findall(r"(?u)\b\w\w+\b", s)
    if len(words) <= n:
        return [tuple(words)]
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _normalized(raw, a, b, kind):
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1 - raw / longest if kind == "levenshtein" else raw / longest


@pytest.mark.parametrize("metric", ["levenshtein", "lcs"])
@pytest.mark.parametrize("max_len", [15, 90])
def test_edit_metrics_match_reference(rng, metric, max_len):
    a, b = random_strings(rng, 12, max_len), random_strings(rng, 9, max_len)
    ref = naive.levenshtein if metric == "levenshtein" else naive.lcs
    raw = np.array([[ref(x, y) for y in b] for x in a])
    got_raw = StringSimilarity(metric, normalized=False).pairwise(a, b)
    assert got_raw.dtype == np.int64
    np.testing.assert_array_equal(got_raw, raw)
    want = [
        [_normalized(raw[i, j], x, y, metric) for j, y in enumerate(b)] for i, x in enumerate(a)
    ]
    np.testing.assert_allclose(StringSimilarity(metric).pairwise(a, b), want, rtol=1e-12)


@pytest.mark.parametrize("metric", ["jaccard", "cosine"])
@pytest.mark.parametrize("analyzer, n", [("char", 2), ("char", 3), ("word", 1), ("word", 2)])
def test_ngram_metrics_match_reference(rng, metric, analyzer, n):
    if analyzer == "char":
        a, b = random_strings(rng, 10), random_strings(rng, 8)
        grams = char_grams
    else:
        vocab = ["red", "green", "blue", "é", "北京", "x", "the"]
        a = [" ".join(rng.choice(vocab, size=int(rng.integers(0, 8)))) for _ in range(10)]
        b = [" ".join(rng.choice(vocab, size=int(rng.integers(0, 8)))) for _ in range(8)]
        grams = word_grams
    ref = naive.jaccard if metric == "jaccard" else naive.cosine
    want = [[ref(grams(x, n), grams(y, n)) for y in b] for x in a]
    est = StringSimilarity(metric, analyzer=analyzer, ngram_size=n)
    np.testing.assert_allclose(est.pairwise(a, b), want, rtol=1e-12)


def test_simhash_matches_reference(rng):
    a, b = random_strings(rng, 8), random_strings(rng, 6)
    est = StringSimilarity("simhash", normalized=False)
    got = est.pairwise(a, b)

    def fingerprint(s):
        hashes, _ = _feature_hashes([s], "char", 3)
        keys, counts = np.unique(hashes, return_counts=True)
        return naive.simhash(keys, counts)

    fa, fb = [fingerprint(s) for s in a], [fingerprint(s) for s in b]
    np.testing.assert_array_equal(got, [[bin(x ^ y).count("1") for y in fb] for x in fa])
    np.testing.assert_allclose(StringSimilarity("simhash").pairwise(a, b), 1 - got / 64)
    # near strings are closer than unrelated ones (on average over many pairs)
    base = ["".join(rng.choice(list("abcdefgh"), size=40)) for _ in range(30)]
    near = [s[:35] + "zzzzz" for s in base]
    sim = StringSimilarity("simhash").pairwise(base, near)
    assert np.diag(sim).mean() > sim[~np.eye(30, dtype=bool)].mean() + 0.1


@pytest.mark.parametrize("metric", ["levenshtein", "lcs", "jaccard", "cosine", "simhash"])
def test_top_n_is_the_sorted_transform(rng, metric, monkeypatch):
    import pai_algos.text._string_similarity as mod

    corpus = random_strings(rng, 40, 10)
    queries = random_strings(rng, 13, 10)
    monkeypatch.setattr(mod, "_TOP_N_CELLS", 5 * 40)  # several blocks of queries
    for normalized in (True, False):
        est = StringSimilarity(metric, normalized=normalized).fit(corpus)
        full = est.transform(queries)
        np.testing.assert_array_equal(full, est.pairwise(queries, corpus))
        idx, val = est.top_n(queries, n=6)
        largest = normalized or metric in ("lcs", "cosine", "jaccard")
        key = -full if largest else full
        want = np.lexsort((np.broadcast_to(np.arange(40), full.shape), key), axis=1)[:, :6]
        np.testing.assert_array_equal(idx, want)
        np.testing.assert_array_equal(val, np.take_along_axis(full, want, axis=1))
        assert val.dtype == full.dtype


def test_options_and_inputs():
    import pandas as pd

    est = StringSimilarity(lowercase=True).fit(pd.Series(["Hello", "WORLD"]))
    np.testing.assert_allclose(est.transform([b"hello", "world"]), [[1.0, 0.2], [0.2, 1.0]])
    assert est.strings_ == ["hello", "world"]
    one = StringSimilarity(n_jobs=1).pairwise(["abc", "北京"], ["abd", "北"])
    np.testing.assert_allclose(one, StringSimilarity().pairwise(["abc", "北京"], ["abd", "北"]))
    assert StringSimilarity().pairwise([], ["a"]).shape == (0, 1)
    idx, val = StringSimilarity().fit(["a"]).top_n([], n=1)
    assert idx.shape == (0, 1) and val.shape == (0, 1)


def test_matches_rapidfuzz(rng):
    rapidfuzz = pytest.importorskip("rapidfuzz", reason="rapidfuzz is an optional peer")
    from rapidfuzz.distance import LCSseq, Levenshtein

    a, b = random_strings(rng, 20, 80), random_strings(rng, 15, 80)
    got = StringSimilarity(normalized=False).pairwise(a, b)
    np.testing.assert_array_equal(got, rapidfuzz.process.cdist(a, b, scorer=Levenshtein.distance))
    got = StringSimilarity("lcs", normalized=False).pairwise(a, b)
    np.testing.assert_array_equal(got, rapidfuzz.process.cdist(a, b, scorer=LCSseq.similarity))
    got = StringSimilarity().pairwise(a, b)
    want = rapidfuzz.process.cdist(a, b, scorer=Levenshtein.normalized_similarity, dtype=np.float64)
    np.testing.assert_allclose(got, want, atol=1e-6)


def test_bad_input():
    with pytest.raises(NotFittedError):
        StringSimilarity().top_n(["a"])
    with pytest.raises(NotFittedError):
        StringSimilarity().transform(["a"])
    with pytest.raises(ValueError, match="Empty corpus"):
        StringSimilarity().fit([])
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 1\\)"):
        StringSimilarity().fit(["a", None])
    with pytest.raises(ValueError, match="int is an invalid document"):
        StringSimilarity().pairwise(["a"], [1])
    with pytest.raises(ValueError, match="Document 0 cannot be decoded as 'utf-8'"):
        StringSimilarity().pairwise([b"\xe9t\xe9"], ["a"])
    est = StringSimilarity().fit(["a", "b"])
    with pytest.raises(ValueError, match="n=3 is larger than the number of fitted strings"):
        est.top_n(["a"], n=3)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        est.top_n(["a"], n=0)
    with pytest.raises(ValueError, match="metric"):
        StringSimilarity("hamming").pairwise(["a"], ["b"])

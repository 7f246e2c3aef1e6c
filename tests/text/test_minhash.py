"""MinHashLSH: recall of planted near-duplicates, exact Jaccard, queries, band choice."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from pai_algos.text import MinHashLSH
from pai_algos.text._minhash_lsh import optimal_bands

from .test_keywords import pseudo_words


def shingles(doc, n=3):
    words = doc.split()
    if len(words) <= n:
        return {tuple(words)}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def jaccard(a, b):
    return len(a & b) / len(a | b)


def planted_near_duplicates(rng, n_base=120, length=80):
    """Random documents, and for each of the first half a copy with 1 to 2 words replaced."""
    vocab = pseudo_words(rng, 3000, length=(4, 8))
    docs = [" ".join(rng.choice(vocab, size=length)) for _ in range(n_base)]
    for i in range(n_base // 2):
        words = docs[i].split()
        for pos in rng.choice(length, size=int(rng.integers(1, 3)), replace=False):
            words[pos] = "zz" + words[pos]
        docs.append(" ".join(words))
    return docs


def test_recall_of_pairs_above_0_8(rng):
    docs = planted_near_duplicates(rng)
    sets = [shingles(d) for d in docs]
    truth = {
        (i, j)
        for i in range(len(docs))
        for j in range(i + 1, len(docs))
        if jaccard(sets[i], sets[j]) >= 0.8
    }
    assert len(truth) >= 60
    # threshold 0.7 < 0.8: a pair at J = 0.8 is a candidate with probability > 0.99 and its
    # estimate (sd 0.035 with 128 values) falls under 0.7 with probability ~0.002
    lsh = MinHashLSH(threshold=0.7, analyzer="word", ngram_size=3, random_state=0).fit(docs)
    found = set(map(tuple, lsh.duplicates_.tolist()))
    recall = len(found & truth) / len(truth)
    assert recall >= 0.9, recall
    # precision too: unrelated random documents share no 3-word shingle
    assert all(jaccard(sets[i], sets[j]) >= 0.5 for i, j in found)
    pairs, est, exact = lsh.find_duplicates()
    assert set(map(tuple, pairs.tolist())) == found
    np.testing.assert_allclose(exact, [jaccard(sets[i], sets[j]) for i, j in pairs], rtol=1e-12)
    assert np.all(np.diff(est) <= 0)
    # estimates within 5 sd of the truth
    assert np.all(np.abs(est - exact) < 5 * np.sqrt(exact * (1 - exact) / 128) + 1e-9)


def test_query_finds_the_fitted_copy(rng):
    docs = planted_near_duplicates(rng, n_base=40)
    lsh = MinHashLSH(threshold=0.6, analyzer="word", random_state=1).fit(docs[:40])
    ids, jac = lsh.query(docs[40:] + ["something else entirely"])
    for q, (i, j) in enumerate(zip(ids[:20], jac[:20])):
        assert i[0] == q  # the original of the copy, best first
        assert np.all(np.diff(j) <= 0)
    assert len(ids[-1]) == 0 and len(jac[-1]) == 0
    self_ids, self_jac = lsh.query(docs[:3])
    assert [s[0] for s in self_ids] == [0, 1, 2] and all(j[0] == 1.0 for j in self_jac)


def test_signatures_and_parameters(rng):
    docs = ["Un café noir", "un café noir", "北京欢迎你", ""]
    lsh = MinHashLSH(num_perm=64, bands=16, random_state=3).fit(docs)
    assert (lsh.bands_, lsh.rows_) == (16, 4)
    sig = lsh.transform(docs)
    assert sig.dtype == np.uint64 and sig.shape == (4, 64)
    np.testing.assert_array_equal(sig, lsh.signatures_)
    np.testing.assert_array_equal(sig[0], sig[1])  # lowercase + identical shingles
    assert [0, 1] in lsh.duplicates_.tolist()
    again = MinHashLSH(num_perm=64, bands=16, random_state=3).fit(docs)
    np.testing.assert_array_equal(again.signatures_, sig)
    other = MinHashLSH(num_perm=64, bands=16, random_state=4).fit(docs)
    assert not np.array_equal(other.signatures_, sig)
    char = MinHashLSH(random_state=0, ngram_size=2, bands=64).fit(["abcdef", "abcdeg"])
    np.testing.assert_allclose(char.find_duplicates(threshold=0.0)[2], [4 / 6])


def test_optimal_bands_matches_quadrature():
    from scipy.integrate import quad

    for threshold, num_perm in [(0.5, 16), (0.8, 24), (0.9, 12)]:
        best, best_err = None, np.inf
        for b in range(1, num_perm + 1):
            for r in range(1, num_perm // b + 1):
                fp = quad(lambda s, b=b, r=r: 1 - (1 - s**r) ** b, 0, threshold)[0]
                fn = quad(lambda s, b=b, r=r: (1 - s**r) ** b, threshold, 1)[0]
                if 0.5 * fp + 0.5 * fn < best_err:
                    best, best_err = (b, r), 0.5 * fp + 0.5 * fn
        assert optimal_bands(threshold, num_perm) == best
    assert optimal_bands(0.8, 128) == (9, 13)  # datasketch's choice


def test_bad_input():
    with pytest.raises(NotFittedError):
        MinHashLSH().query(["a"])
    with pytest.raises(NotFittedError):
        MinHashLSH().transform(["a"])
    with pytest.raises(ValueError, match="Empty corpus"):
        MinHashLSH().fit([])
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 0\\)"):
        MinHashLSH().fit([None, "a"])
    with pytest.raises(ValueError, match="Document 0 cannot be decoded as 'ascii'"):
        MinHashLSH(encoding="ascii").fit([b"caf\xc3\xa9"])
    with pytest.raises(ValueError, match="bands=200 is larger than num_perm=128"):
        MinHashLSH(bands=200).fit(["a"])
    with pytest.raises(ValueError, match="weights must be two non-negative numbers"):
        MinHashLSH(weights=(-1, 1)).fit(["a"])
    with pytest.raises(ValueError, match="threshold"):
        MinHashLSH(threshold=1.5).fit(["a"])

"""PrefixSpan: the same patterns as a brute force, transform, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from pai_algos.association import PrefixSpan

from ..native import naive_association as naive

NAMES = np.array(["home", "search", "item", "cart"])


@pytest.mark.parametrize("min_support, max_len", [(0.2, None), (0.1, 2), (0.5, None), (0.05, 3)])
def test_patterns_match_brute_force(rng, min_support, max_len):
    seqs = [rng.integers(0, 4, size=rng.integers(1, 6)).tolist() for _ in range(40)]
    ps = PrefixSpan(min_support=min_support, max_len=max_len).fit([NAMES[s] for s in seqs])
    min_count = int(np.ceil(min_support * 40 - 1e-9))
    ref = naive.frequent_patterns(seqs, 4, min_count, max_len or 5)
    want = {tuple(NAMES[list(p)]): c for p, c in ref.items()}
    got = dict(zip(ps.patterns_["pattern"], ps.patterns_["count"]))
    assert got == want
    np.testing.assert_allclose(ps.patterns_["support"], ps.patterns_["count"] / 40)
    lengths = ps.patterns_["pattern"].map(len).to_numpy()
    assert np.all(np.diff(lengths) >= 0)  # sorted by length first


def test_transform(rng):
    seqs = [["a", "b", "c"], ["a", "c"], ["b", "a", "c"], ["c", "b"]]
    ps = PrefixSpan(min_support=0.5).fit(seqs)
    new = [["a", "x", "c"], ["c"], []]
    X = ps.transform(new).toarray()
    want = [[naive.is_subsequence(p, s) for p in ps.patterns_["pattern"]] for s in new]
    np.testing.assert_array_equal(X, want)
    np.testing.assert_array_equal(ps.fit_transform(seqs).toarray().sum(0), ps.patterns_["count"])


def test_repeats_count_once_per_sequence():
    ps = PrefixSpan(min_support=0.5).fit([["a", "a", "a"], ["b"]])
    got = dict(zip(ps.patterns_["pattern"], ps.patterns_["count"]))
    assert got == {("a",): 1, ("b",): 1, ("a", "a"): 1, ("a", "a", "a"): 1}


def test_bad_input():
    with pytest.raises(ValueError, match="Found 0 sequences"):
        PrefixSpan().fit([])
    with pytest.raises(ValueError, match="min_support"):
        PrefixSpan(min_support=0).fit([["a"]])
    with pytest.raises(TypeError, match="sequence 1 is a float"):
        PrefixSpan().fit([["a"], 1.5])
    with pytest.raises(TypeError, match="Items must be hashable"):
        PrefixSpan().fit([[["a", "b"], ["c"]]])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        PrefixSpan().transform([["a"]])

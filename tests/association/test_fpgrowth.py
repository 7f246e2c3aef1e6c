"""FPGrowth: the same itemsets and rules as mlxtend and a brute force, input forms, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from mlxtend.frequent_patterns import association_rules, fpgrowth
from sklearn.exceptions import NotFittedError

from pai_algos.association import FPGrowth

from ..native import naive_association as naive


def _table(rng, n=300, d=10):
    p = rng.uniform(0.05, 0.7, d)
    M = rng.random((n, d)) < p
    M[:, 1] |= M[:, 0] & (rng.random(n) < 0.6)  # a planted association
    return pd.DataFrame(M, columns=[f"item{j}" for j in range(d)])


@pytest.mark.parametrize("min_support, max_len", [(0.1, None), (0.05, 2), (0.3, None)])
def test_itemsets_and_rules_match_mlxtend(rng, min_support, max_len):
    df = _table(rng)
    ours = FPGrowth(min_support=min_support, min_threshold=0.4, max_len=max_len).fit(df)
    ref = fpgrowth(df, min_support=min_support, use_colnames=True, max_len=max_len)
    got = dict(zip(ours.itemsets_["itemsets"], ours.itemsets_["support"]))
    want = dict(zip(ref["itemsets"], ref["support"]))
    assert got.keys() == want.keys()
    for k in got:
        assert got[k] == pytest.approx(want[k], abs=1e-12)
    if len(ref) == 0:
        return
    ref_rules = association_rules(ref, num_itemsets=len(df), metric="confidence", min_threshold=0.4)
    cols = ["antecedent support", "consequent support", "support", "confidence", "lift",
            "leverage", "conviction"]  # fmt: skip

    def by_rule(frame):
        # a rule whose confidence ties the threshold may fall either side of it in mlxtend's
        # float ratio of supports (ours divides the counts): leave those out of the comparison
        frame = frame[np.abs(frame["confidence"] - 0.4) > 1e-9]
        keys = zip(frame["antecedents"], frame["consequents"])
        return dict(zip(keys, frame[cols].to_numpy()))

    got, want = by_rule(ours.rules_), by_rule(ref_rules)
    assert got.keys() == want.keys()
    for k in got:
        np.testing.assert_allclose(got[k], want[k], rtol=1e-12, err_msg=str(k))


@pytest.mark.parametrize("metric, threshold", [("lift", 1.1), ("leverage", 0.01), ("support", 0.2)])
def test_other_metrics_match_mlxtend(rng, metric, threshold):
    df = _table(rng, n=200, d=8)
    ours = FPGrowth(min_support=0.1, metric=metric, min_threshold=threshold).fit(df)
    ref = fpgrowth(df, min_support=0.1, use_colnames=True)
    ref_rules = association_rules(ref, num_itemsets=len(df), metric=metric, min_threshold=threshold)

    def keys(frame):  # rules tying the threshold may fall either side in float rounding
        frame = frame[np.abs(frame[metric] - threshold) > 1e-9]
        return set(zip(frame["antecedents"], frame["consequents"]))

    assert keys(ours.rules_) == keys(ref_rules)


def test_matches_brute_force_on_baskets(rng):
    n_items = 9
    baskets = [
        [f"x{i}" for i in np.flatnonzero(rng.random(n_items) < rng.uniform(0.1, 0.6))]
        for _ in range(120)
    ]
    ours = FPGrowth(min_support=0.08, min_threshold=0.5).fit(baskets)
    M = naive.one_hot([[int(s[1:]) for s in b] for b in baskets], n_items)
    min_count = int(np.ceil(0.08 * 120))
    ref = naive.frequent_itemsets(M, min_count)
    want = {frozenset(f"x{i}" for i in k): c / 120 for k, c in ref.items()}
    got = dict(zip(ours.itemsets_["itemsets"], ours.itemsets_["support"]))
    assert got.keys() == want.keys()
    rules = naive.rules(ref, 120)
    want_rules = {
        (frozenset(f"x{i}" for i in a), frozenset(f"x{i}" for i in c)): v[0]
        for (a, c), v in rules.items()
        if v[0] >= 0.5
    }
    got_rules = dict(
        zip(zip(ours.rules_.antecedents, ours.rules_.consequents), ours.rules_.confidence)
    )
    assert got_rules.keys() == want_rules.keys()
    for k in got_rules:
        assert got_rules[k] == pytest.approx(want_rules[k], rel=1e-12)


def test_input_forms_agree(rng):
    df = _table(rng, n=80, d=6)
    baskets = [list(df.columns[row]) for row in df.to_numpy()]
    a = FPGrowth(min_support=0.2).fit(df)
    b = FPGrowth(min_support=0.2).fit(baskets)
    pd.testing.assert_frame_equal(a.itemsets_, b.itemsets_)
    pd.testing.assert_frame_equal(a.rules_, b.rules_)
    # arrays and sparse matrices: the column indices are the items
    c = FPGrowth(min_support=0.2).fit(df.to_numpy().astype(int))
    d = FPGrowth(min_support=0.2).fit(sp.csr_matrix(df.to_numpy()))
    pd.testing.assert_frame_equal(c.itemsets_, d.itemsets_)
    names = {frozenset(df.columns[list(s)]) for s in c.itemsets_["itemsets"]}
    assert names == set(a.itemsets_["itemsets"])
    np.testing.assert_array_equal(a.transform(df).toarray(), b.transform(baskets).toarray())


def test_transform_and_recommend(rng):
    baskets = [["a", "b"], ["a", "b", "c"], ["a", "c"], ["b", "c"], ["a", "b", "d"]]
    fp = FPGrowth(min_support=0.4, min_threshold=0.5).fit(baskets)
    X = fp.transform([["a", "b"], ["zzz"], []]).toarray()
    sets = list(fp.itemsets_["itemsets"])
    assert X.shape == (3, len(sets))
    np.testing.assert_array_equal(X[0], [s <= {"a", "b"} for s in sets])
    assert X[1:].sum() == 0  # unseen items match nothing
    items, scores = fp.recommend([["a"], ["a", "b", "c"], ["zzz"]], n=2)
    assert items.shape == scores.shape == (3, 2)
    # a -> b has confidence 3/4, a -> c 2/4: b first
    assert list(items[0]) == ["b", "c"]
    np.testing.assert_allclose(scores[0], [0.75, 0.5])
    assert list(items[2]) == [None, None] and np.all(scores[2] == -np.inf)
    assert fp.predict([["a"]])[0] == "b"


def test_recommend_ranks_like_reference(rng):
    df = _table(rng, n=200, d=8)
    fp = FPGrowth(min_support=0.05, min_threshold=0.3).fit(df)
    baskets = [list(df.columns[row]) for row in df.to_numpy()[:30]]
    code = {c: i for i, c in enumerate(df.columns)}
    rules = [
        (sorted(code[x] for x in a), sorted(code[x] for x in c), cf, lf)
        for a, c, cf, lf in zip(fp.rules_.antecedents, fp.rules_.consequents,
                                fp.rules_.confidence, fp.rules_.lift)
    ]  # fmt: skip
    ref_items, ref_conf = naive.recommend([[code[x] for x in b] for b in baskets], rules, 8, 3)
    items, conf = fp.recommend(baskets, n=3)
    want = np.where(ref_items >= 0, np.asarray(df.columns, dtype=object)[ref_items], None)
    np.testing.assert_array_equal(items, want)
    np.testing.assert_array_equal(conf, ref_conf)


def test_no_frequent_itemsets():
    fp = FPGrowth(min_support=1.0).fit([["a"], ["b"]])
    assert len(fp.itemsets_) == 0 and len(fp.rules_) == 0
    assert list(fp.rules_.columns)[:2] == ["antecedents", "consequents"]
    items, scores = fp.recommend([["a"]], n=2)
    assert list(items[0]) == [None, None]


def test_bad_input():
    with pytest.raises(ValueError, match="Found 0 baskets"):
        FPGrowth().fit([])
    with pytest.raises(ValueError, match="min_support"):
        FPGrowth(min_support=0.0).fit([["a"]])
    with pytest.raises(ValueError, match="min_support"):
        FPGrowth(min_support=1.5).fit([["a"]])
    with pytest.raises(TypeError, match="basket 1 is a int"):
        FPGrowth().fit([["a"], 3])
    with pytest.raises(TypeError, match="basket 0 is a str"):
        FPGrowth().fit(["ab", ["a"]])
    with pytest.raises(TypeError, match="Expected an iterable of baskets, got int"):
        FPGrowth().fit(5)
    with pytest.raises(TypeError, match="Items must be hashable"):
        FPGrowth().fit([[["a"]]])
    with pytest.raises(ValueError, match="only 0/1 or True/False"):
        FPGrowth().fit(np.array([[0, 2], [1, 0]]))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        FPGrowth().recommend([["a"]])
    fp = FPGrowth().fit([["a", "b"], ["a"]])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        fp.recommend([["a"]], n=0)
    with pytest.raises(ValueError, match="columns differ from the items seen in fit"):
        fp.transform(np.ones((2, 5), bool))

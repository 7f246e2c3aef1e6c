"""Association rules: pai_algos FPGrowth against mlxtend's fpgrowth + association_rules.

100,000 baskets over 200 items with Zipf-like popularity and about 8 items per basket
(seeded), ``min_support=0.01``, rules with confidence >= 0.3. Both sides get mlxtend's input,
a one-hot boolean DataFrame, and produce the itemsets and the rules. Quality: the counts of
itemsets and rules on each side (they must be equal).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from benchmarks._harness import Case
from pai_algos.association import FPGrowth

N, N_ITEMS, MEAN_LEN = 100_000, 200, 8
MIN_SUPPORT, MIN_CONF = 0.01, 0.3


def _data():
    rng = np.random.default_rng(0)
    p = 1.0 / np.arange(1, N_ITEMS + 1) ** 0.8
    p *= MEAN_LEN / p.sum()
    M = rng.random((N, N_ITEMS)) < np.minimum(p, 0.9)
    # correlated pairs so that there are rules beyond chance
    for a, b in ((0, 5), (1, 7), (2, 11), (3, 13)):
        M[:, b] |= M[:, a] & (rng.random(N) < 0.5)
    return pd.DataFrame(M, columns=[f"item{j}" for j in range(N_ITEMS)])


def _ours(df):
    return FPGrowth(min_support=MIN_SUPPORT, min_threshold=MIN_CONF).fit(df)


def _mlxtend(df):
    from mlxtend.frequent_patterns import association_rules, fpgrowth

    itemsets = fpgrowth(df, min_support=MIN_SUPPORT, use_colnames=True)
    rules = association_rules(
        itemsets, num_itemsets=len(df), metric="confidence", min_threshold=MIN_CONF
    )
    return itemsets, rules


def _quality(df, ours, peer):
    return (
        f"ours {len(ours.itemsets_)} itemsets / {len(ours.rules_)} rules, "
        f"peer {len(peer[0])} itemsets / {len(peer[1])} rules"
    )


CASES = [
    Case(
        name=f"FPGrowth {N} baskets x {N_ITEMS} items, support {MIN_SUPPORT}",
        make_data=_data,
        ours=_ours,
        peer=_mlxtend,
        peer_name="mlxtend",
        target=1.0,
        repeats=3,
        quality=_quality,
    )
]

"""
Association rules and sequential patterns
=========================================

:class:`pai_algos.association.FPGrowth` mines the frequent itemsets of shopping baskets with
FP-growth, derives association rules and recommends items for a basket from them;
:class:`pai_algos.association.PrefixSpan` mines frequent ordered patterns of click sequences.
The left panel plots the rules by support and confidence (coloured by lift), the right panel
the most frequent sequential patterns of length two or more.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.association import FPGrowth, PrefixSpan

rng = np.random.default_rng(0)
goods = np.array(["bread", "milk", "eggs", "butter", "beer", "crisps", "tea", "jam"])
p = np.array([0.6, 0.5, 0.35, 0.25, 0.3, 0.2, 0.2, 0.1])
baskets = []
for _ in range(2000):
    basket = set(goods[rng.random(len(goods)) < p])
    if "beer" in basket and rng.random() < 0.6:
        basket.add("crisps")  # a planted association
    if "bread" in basket and rng.random() < 0.4:
        basket.add("butter")
    baskets.append(sorted(basket))

fp = FPGrowth(min_support=0.05, min_threshold=0.4).fit(baskets)
print(f"{len(fp.itemsets_)} frequent itemsets, {len(fp.rules_)} rules")
print(fp.rules_[["antecedents", "consequents", "confidence", "lift"]].head(5).round(2))
items, scores = fp.recommend([["beer"], ["bread", "milk"]], n=2)
print(items)

# %%
pages = np.array(["home", "search", "item", "cart", "pay"])
sessions = []
for _ in range(500):
    s = ["home"] + list(rng.choice(pages[1:3], size=rng.integers(1, 5)))
    if rng.random() < 0.3:
        s += ["cart"] + (["pay"] if rng.random() < 0.5 else [])
    sessions.append(s)
ps = PrefixSpan(min_support=0.1, max_len=4).fit(sessions)
long = ps.patterns_[ps.patterns_["pattern"].map(len) >= 2].nlargest(10, "support")
print(long.head(5))

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
sc = ax0.scatter(fp.rules_["support"], fp.rules_["confidence"], c=fp.rules_["lift"], cmap="viridis")
fig.colorbar(sc, ax=ax0, label="lift")
ax0.set_xlabel("support")
ax0.set_ylabel("confidence")
ax0.set_title("FPGrowth rules")
labels = [" > ".join(p) for p in long["pattern"]]
ax1.barh(labels[::-1], long["support"].to_numpy()[::-1])
ax1.set_xlabel("support")
ax1.set_title("PrefixSpan patterns")
plt.show()

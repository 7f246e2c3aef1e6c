"""
Comparing neighbourhood and linear recommenders
===============================================

Seven recommenders of :mod:`pai_algos.recommend` on one synthetic implicit-feedback data set
with latent structure (:func:`pai_algos.datasets.make_interactions`): the popularity
baseline, the neighbourhood models (:class:`~pai_algos.recommend.ItemCF`,
:class:`~pai_algos.recommend.UserCF`, :class:`~pai_algos.recommend.Swing`), the linear
item-item models (:class:`~pai_algos.recommend.EASE`, :class:`~pai_algos.recommend.SLIM`)
and matrix factorisation (:class:`~pai_algos.recommend.ImplicitALS`).

Every user's latest interaction is held out (leave-last-out with
:func:`pai_algos.recommend.train_test_split_interactions` and random timestamps); each
model recommends 10 unseen items per user, and :mod:`pai_algos.metrics` scores the lists.
"""

# %%
import time

import matplotlib.pyplot as plt
import numpy as np

from pai_algos.datasets import make_interactions
from pai_algos.metrics import catalog_coverage, hit_rate_at_k, map_at_k, ndcg_at_k
from pai_algos.recommend import (
    EASE,
    SLIM,
    ImplicitALS,
    ItemCF,
    PopularityRecommender,
    Swing,
    UserCF,
    train_test_split_interactions,
)

X = make_interactions(n_users=2500, n_items=400, n_factors=6, density=0.03, random_state=0)
stamps = X.copy()
stamps.data = np.random.default_rng(0).permutation(X.nnz).astype(float)
train, test = train_test_split_interactions(X, test_size=1, time=stamps, random_state=0)
users = np.flatnonzero(test.getnnz(axis=1) & train.getnnz(axis=1))
print(f"{X.shape[0]} users, {X.shape[1]} items, {X.nnz} interactions; {len(users)} test users")

models = {
    "popularity": PopularityRecommender(),
    "ItemCF": ItemCF("cosine", k=50),
    "UserCF": UserCF("jaccard", k=50),
    "Swing": Swing(k=50),
    "EASE": EASE(l2=300.0),
    "SLIM": SLIM(alpha=0.01, k=100),
    "ImplicitALS": ImplicitALS(8, regularization=1.0, iterations=10, random_state=0),
}

# %%
# Fit, recommend and score every model. With one held-out item per user, the hit rate is
# recall@10; NDCG@10 and MAP@10 reward putting the item high; coverage is the share of the
# catalogue that appears in some list.
metrics = {"HR@10": hit_rate_at_k, "NDCG@10": ndcg_at_k, "MAP@10": map_at_k}
rows = {}
for name, model in models.items():
    t0 = time.perf_counter()
    model.fit(train)
    seconds = time.perf_counter() - t0
    items, _ = model.recommend(users, n=10)
    rows[name] = {m: f(test[users], items, k=10) for m, f in metrics.items()}
    rows[name]["coverage"] = catalog_coverage(items, n_items=X.shape[1])
    rows[name]["fit s"] = seconds

header = f"{'model':12s}" + "".join(f"{m:>10s}" for m in rows["popularity"])
print(header)
for name, row in rows.items():
    print(f"{name:12s}" + "".join(f"{v:10.4f}" for v in row.values()))

# %%
# The item-item matrices differ in kind: Swing and ItemCF keep positive similarities of the
# top neighbours, SLIM a sparse non-negative regression, EASE a dense regression whose
# weights may be negative.
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
names = list(rows)
pos = np.arange(len(names))
for j, m in enumerate(("HR@10", "NDCG@10", "coverage")):
    ax0.bar(pos + 0.27 * (j - 1), [rows[n][m] for n in names], width=0.27, label=m)
ax0.set_xticks(pos, names, rotation=20)
ax0.set_title("leave-last-out, top 10")
ax0.legend()
weights = {
    "Swing": models["Swing"].similarity_.data,
    "SLIM": models["SLIM"].coef_.data,
    "EASE": models["EASE"].coef_[models["EASE"].coef_ != 0],
}
for name, w in weights.items():
    ax1.hist(w / np.abs(w).max(), bins=60, histtype="step", label=name, density=True)
ax1.set_yscale("log")
ax1.set_xlabel("item-item weight (scaled to max |w| = 1)")
ax1.set_title("learned item-item weights")
ax1.legend()
plt.show()

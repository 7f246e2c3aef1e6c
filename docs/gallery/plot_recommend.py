"""
Recommenders on implicit feedback
=================================

Four recommenders of :mod:`pai_algos.recommend` on synthetic implicit feedback with latent
structure (:func:`pai_algos.datasets.make_interactions`): the popularity baseline, item-based
collaborative filtering, implicit ALS and BPR. Every user's latest interaction is held out
(leave-last-out with :func:`pai_algos.recommend.train_test_split_interactions` and random
timestamps); each model recommends 10 unseen items per user and
:mod:`pai_algos.metrics` scores the lists.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.datasets import make_interactions
from pai_algos.metrics import (
    catalog_coverage,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)
from pai_algos.recommend import (
    BPR,
    ImplicitALS,
    ItemCF,
    PopularityRecommender,
    train_test_split_interactions,
)

X = make_interactions(n_users=2000, n_items=400, n_factors=6, density=0.03, random_state=0)
stamps = X.copy()
stamps.data = np.random.default_rng(0).permutation(X.nnz).astype(float)
train, test = train_test_split_interactions(X, test_size=1, time=stamps, random_state=0)
users = np.flatnonzero(test.getnnz(axis=1))
print(f"{X.shape[0]} users, {X.shape[1]} items, {X.nnz} interactions; {len(users)} test users")

models = {
    "popularity": PopularityRecommender(),
    "ItemCF (cosine)": ItemCF("cosine", k=50),
    "ImplicitALS": ImplicitALS(8, regularization=1.0, iterations=10, random_state=0),
    "BPR": BPR(16, learning_rate=0.01, iterations=100, random_state=0),
}

# %%
metrics = {
    "P@10": precision_at_k,
    "R@10": recall_at_k,
    "NDCG@10": ndcg_at_k,
    "MAP@10": map_at_k,
    "HR@10": hit_rate_at_k,
}
rows = {}
for name, model in models.items():
    items, _ = model.fit(train).recommend(users, n=10)
    rows[name] = {m: f(test[users], items, k=10) for m, f in metrics.items()}
    rows[name]["coverage"] = catalog_coverage(items, n_items=X.shape[1])

header = f"{'model':18s}" + "".join(f"{m:>10s}" for m in rows["popularity"])
print(header)
for name, row in rows.items():
    print(f"{name:18s}" + "".join(f"{v:10.4f}" for v in row.values()))

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
names = list(rows)
pos = np.arange(len(names))
for j, m in enumerate(("HR@10", "NDCG@10", "coverage")):
    ax0.bar(pos + 0.27 * (j - 1), [rows[n][m] for n in names], width=0.27, label=m)
ax0.set_xticks(pos, names, rotation=15)
ax0.set_title("leave-last-out, top 10")
ax0.legend()
als = models["ImplicitALS"]
ax1.plot(als.history_["iteration"], als.history_["loss"], marker="o")
ax1.set_xlabel("iteration")
ax1.set_ylabel("loss per cell")
ax1.set_title("ImplicitALS training loss")
plt.show()

"""
Learning to rank with LambdaMART, and GBDT feature encoding
===========================================================

:class:`pai_algos.ensemble.GBDTRanker` boosts trees on the LambdaRank gradients of NDCG
(LightGBM's ``lambdarank`` objective). Queries here hold 15 to 45 documents whose graded
relevance (0 to 3) depends on the features through a linear term, a cross and a
non-linearity. The left panel shows the training NDCG@10 recorded in ``history_`` and the
held-out NDCG@10 of the fitted model next to a random ranking.

:class:`pai_algos.ensemble.GBDTEncoder` turns the leaves a sample reaches in a boosted
forest into sparse one-hot features; a logistic regression on them learns the feature
crosses that it cannot learn from the raw features (right panel).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.ensemble import GBDTEncoder, GBDTRanker
from pai_algos.linear_model import LogisticRegression

rng = np.random.default_rng(0)


def make_queries(n_queries):
    sizes = rng.integers(15, 45, size=n_queries)
    X = rng.normal(size=(sizes.sum(), 6))
    utility = X[:, 0] + 0.7 * X[:, 1] * X[:, 2] + 0.5 * np.sin(2 * X[:, 3])
    utility += 0.5 * rng.normal(size=utility.shape[0])
    y = np.zeros(utility.shape[0])
    start = 0
    for size in sizes:
        u = utility[start : start + size]
        y[start : start + size] = np.digitize(u, np.quantile(u, [0.5, 0.8, 0.95]))
        start += size
    return X, y, sizes


X, y, group = make_queries(150)
X_test, y_test, group_test = make_queries(100)
ranker = GBDTRanker(max_iter=40, max_leaf_nodes=15, random_state=0).fit(X, y, group=group)
held_out = ranker.score(X_test, y_test, group=group_test)
random_rank = GBDTRanker(max_iter=1, learning_rate=1e-9).fit(X, y, group=group)
print(f"held-out NDCG@10: {held_out:.3f}")

# %%
Xc = rng.normal(size=(4000, 6))
yc = (2 * np.sign(Xc[:, 0] * Xc[:, 1]) + Xc[:, 2] * Xc[:, 3] > 0).astype(int)
enc = GBDTEncoder(max_iter=30, max_leaf_nodes=8, random_state=0).fit(Xc[:3000], yc[:3000])
Z_train, Z_test = enc.transform(Xc[:3000]), enc.transform(Xc[3000:])
print(f"encoding: {Z_train.shape[1]} sparse columns, {enc.n_trees_} ones per row")
accuracy = {
    "LR on raw features": LogisticRegression()
    .fit(Xc[:3000], yc[:3000])
    .score(Xc[3000:], yc[3000:]),
    "LR on GBDT leaves": LogisticRegression(C=0.5).fit(Z_train, yc[:3000]).score(Z_test, yc[3000:]),
    "GBDT alone": enc.estimator_.score(Xc[3000:], yc[3000:]),
}

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
ax0.plot(ranker.history_["iteration"], 1 - np.asarray(ranker.history_["loss"]), label="training")
ax0.axhline(held_out, color="C1", linestyle="--", label="held-out (final)")
ax0.axhline(
    random_rank.score(X_test, y_test, group=group_test),
    color="C2",
    linestyle=":",
    label="untrained",
)
ax0.set_xlabel("iteration")
ax0.set_ylabel("NDCG@10")
ax0.set_title("GBDTRanker")
ax0.legend()
ax1.barh(list(accuracy), list(accuracy.values()))
ax1.set_xlim(0.4, 1.0)
ax1.set_xlabel("held-out accuracy")
ax1.set_title("GBDTEncoder + logistic regression")
plt.show()

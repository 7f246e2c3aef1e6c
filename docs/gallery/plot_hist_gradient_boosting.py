"""
Histogram gradient boosting
===========================

:class:`pai_algos.ensemble.HistGradientBoostingClassifier` boosts trees grown on binned
features by our Numba tree engine, with missing values handled natively. Here 10% of the
values are missing. The left panel shows the held-out log-loss after each iteration (from
``staged_predict_proba``) next to scikit-learn's; the right panel the training and validation
losses recorded in ``history_`` by a fit with early stopping.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier as SkHGBC
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split

from pai_algos.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

X, y = make_classification(n_samples=3000, n_features=12, n_informative=6, random_state=0)
X[np.random.default_rng(0).random(X.shape) < 0.1] = np.nan
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, random_state=0)

params = dict(max_iter=40, learning_rate=0.1, early_stopping=False)
ours = HistGradientBoostingClassifier(**params).fit(X_train, y_train)
ref = SkHGBC(**params).fit(X_train, y_train)
print(f"pai_algos accuracy {ours.score(X_test, y_test):.3f}")
print(f"scikit-learn accuracy {ref.score(X_test, y_test):.3f}")

ours_curve = [log_loss(y_test, p) for p in ours.staged_predict_proba(X_test)]
ref_curve = [log_loss(y_test, p) for p in ref.staged_predict_proba(X_test)]

# %%
es = HistGradientBoostingClassifier(
    max_iter=300, learning_rate=0.3, early_stopping=True, n_iter_no_change=5, random_state=0
).fit(X_train, y_train)
print(f"early stopping after {es.n_iter_} iterations")

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
ax0.plot(ours_curve, label="pai_algos")
ax0.plot(ref_curve, linestyle="--", label="scikit-learn")
ax0.set_xlabel("iteration")
ax0.set_ylabel("held-out log-loss")
ax0.set_title("staged predictions")
ax0.legend()
ax1.plot(es.history_["iteration"], es.history_["loss"], label="training")
ax1.plot(es.history_["iteration"], es.history_["validation_loss"], label="validation")
ax1.set_xlabel("iteration")
ax1.set_ylabel("log-loss")
ax1.set_title("early stopping")
ax1.legend()
plt.show()

# %%
# Categorical features and monotonic constraints
# ----------------------------------------------
# A column of 60 categories with random effects: ``categorical_features=[0]`` splits on
# sets of categories (a bitset per node), where treating the codes as numbers needs many
# threshold splits. ``monotonic_cst=[0, 1]`` makes the prediction non-decreasing in the
# second feature although the noise alone would not.
rng = np.random.default_rng(0)
n = 2000
cat = rng.integers(0, 60, size=n)
x = rng.uniform(-2, 2, size=n)
Xc = np.column_stack([cat, x])
yc = rng.normal(size=60)[cat] + x + 0.3 * np.sin(3 * x) + 0.5 * rng.normal(size=n)
Xc_train, Xc_test, yc_train, yc_test = train_test_split(Xc, yc, random_state=0)

scores = {}
for name, kw in {
    "numerical": {},
    "categorical": {"categorical_features": [0]},
    "categorical + monotonic": {"categorical_features": [0], "monotonic_cst": [0, 1]},
}.items():
    reg = HistGradientBoostingRegressor(max_iter=40, max_leaf_nodes=8, **kw).fit(Xc_train, yc_train)
    scores[name] = reg.score(Xc_test, yc_test)
    print(f"{name}: held-out R^2 {scores[name]:.3f}")

grid = np.column_stack([np.full(200, 3), np.linspace(-2, 2, 200)])
free = HistGradientBoostingRegressor(max_iter=40, max_leaf_nodes=8, categorical_features=[0])
mono = HistGradientBoostingRegressor(
    max_iter=40, max_leaf_nodes=8, categorical_features=[0], monotonic_cst=[0, 1]
)
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
ax0.barh(list(scores), list(scores.values()))
ax0.set_xlabel("held-out R^2")
ax0.set_title("categorical splits")
ax1.plot(grid[:, 1], free.fit(Xc_train, yc_train).predict(grid), label="unconstrained")
ax1.plot(grid[:, 1], mono.fit(Xc_train, yc_train).predict(grid), label="monotonic_cst=+1")
ax1.set_xlabel("x (category 3)")
ax1.set_ylabel("prediction")
ax1.set_title("monotonic constraint")
ax1.legend()
plt.show()

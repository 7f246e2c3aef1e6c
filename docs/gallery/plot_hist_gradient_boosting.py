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

from pai_algos.ensemble import HistGradientBoostingClassifier

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

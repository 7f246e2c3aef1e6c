"""
AdaBoost: test error by boosting round
======================================

:class:`pai_algos.ensemble.AdaBoostClassifier` runs multi-class SAMME over our decision stumps
(:class:`pai_algos.tree.DecisionTreeClassifier` with ``max_depth=1``), and
:class:`~pai_algos.ensemble.AdaBoostRegressor` runs AdaBoost.R2 over depth-3 regression trees.
``staged_predict`` replays the ensemble round by round, which shows how many rounds pay off.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split

from pai_algos.datasets import load_breast_cancer, load_diabetes
from pai_algos.ensemble import AdaBoostClassifier, AdaBoostRegressor

X, y = load_breast_cancer(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
clf = AdaBoostClassifier(n_estimators=100, learning_rate=0.5, random_state=0).fit(Xtr, ytr)
clf_err = [np.mean(p != yte) for p in clf.staged_predict(Xte)]
print("classifier test accuracy:", round(clf.score(Xte, yte), 3))

Xd, yd = load_diabetes(return_X_y=True)
Xtr, Xte, ytr, yte = train_test_split(Xd, yd, test_size=0.3, random_state=0)
reg = AdaBoostRegressor(n_estimators=60, random_state=0).fit(Xtr, ytr)
reg_mae = [np.mean(np.abs(p - yte)) for p in reg.staged_predict(Xte)]
print("regressor test R2:", round(reg.score(Xte, yte), 3))

fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax.plot(np.arange(1, len(clf_err) + 1), clf_err)
ax.set(xlabel="boosting round", ylabel="test error", title="SAMME on breast cancer")
ax2.plot(np.arange(1, len(reg_mae) + 1), reg_mae, color="tab:orange")
ax2.set(xlabel="boosting round", ylabel="test MAE", title="AdaBoost.R2 on diabetes")
fig.tight_layout()
plt.show()

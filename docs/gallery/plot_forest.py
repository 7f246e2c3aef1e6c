"""
Decision trees, random forests and extra-trees
==============================================

:class:`pai_algos.tree.DecisionTreeClassifier` grows one exact CART tree; with the same
``random_state`` it is the same tree as scikit-learn's.
:class:`~pai_algos.ensemble.RandomForestClassifier` and
:class:`~pai_algos.ensemble.ExtraTreesClassifier` average many randomized trees, grown in
parallel threads. The left panel shows the decision regions of a
single tree and of a forest on two noisy moons; the right panel the out-of-bag error of both
forests as trees are added (``warm_start``), on the breast cancer data.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_moons

from pai_algos.datasets import load_breast_cancer
from pai_algos.ensemble import ExtraTreesClassifier, RandomForestClassifier
from pai_algos.tree import DecisionTreeClassifier

X, y = make_moons(n_samples=400, noise=0.3, random_state=0)
tree = DecisionTreeClassifier(random_state=0).fit(X, y)
forest = RandomForestClassifier(n_estimators=100, min_samples_leaf=3, random_state=0).fit(X, y)
print("tree depth:", tree.get_depth(), "leaves:", tree.get_n_leaves())

xx, yy = np.meshgrid(np.linspace(-2, 3, 200), np.linspace(-1.5, 2, 200))
grid = np.c_[xx.ravel(), yy.ravel()]

Xb, yb = load_breast_cancer(return_X_y=True)
sizes = [15, 30, 60, 100, 150]
oob = {}
for name, cls in [("random forest", RandomForestClassifier), ("extra-trees", ExtraTreesClassifier)]:
    model = cls(warm_start=True, oob_score=True, bootstrap=True, random_state=0)
    errors = []
    for n in sizes:
        model.set_params(n_estimators=n).fit(Xb, yb)
        errors.append(1.0 - model.oob_score_)
    oob[name] = errors
    print(f"{name}: OOB error with {sizes[-1]} trees {errors[-1]:.3f}")

fig, axes = plt.subplots(1, 3, figsize=(14, 4))
for ax, model, title in [(axes[0], tree, "one decision tree"), (axes[1], forest, "random forest")]:
    proba = model.predict_proba(grid)[:, 1].reshape(xx.shape)
    ax.contourf(xx, yy, proba, levels=20, cmap="RdBu", alpha=0.7)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu", edgecolor="k", s=12)
    ax.set(title=title, xticks=[], yticks=[])
for name, errors in oob.items():
    axes[2].plot(sizes, errors, marker="o", label=name)
axes[2].set(xlabel="number of trees", ylabel="OOB error", title="breast cancer")
axes[2].legend()
fig.tight_layout()
plt.show()

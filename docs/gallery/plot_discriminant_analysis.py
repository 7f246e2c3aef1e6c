"""
Linear and quadratic discriminant analysis
==========================================

:class:`pai_algos.discriminant_analysis.LinearDiscriminantAnalysis` models every class as a
Gaussian with one shared covariance matrix, which gives linear decision boundaries and a
projection onto at most ``n_classes - 1`` discriminant directions;
:class:`~pai_algos.discriminant_analysis.QuadraticDiscriminantAnalysis` gives each class its
own covariance and quadratic boundaries. The class means and scatter matrices come from one
parallel pass over the data; the predictions are those of scikit-learn. Left: the wine data
projected by LDA. Right: QDA's decision regions on two wine features.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as SklearnLDA

from pai_algos.datasets import load_wine
from pai_algos.discriminant_analysis import (
    LinearDiscriminantAnalysis,
    QuadraticDiscriminantAnalysis,
)

X, y = load_wine(return_X_y=True)
lda = LinearDiscriminantAnalysis(n_components=2).fit(X, y)
print("explained variance ratio:", lda.explained_variance_ratio_.round(3))
print(
    "same predictions as scikit-learn:",
    bool(np.all(lda.predict(X) == SklearnLDA().fit(X, y).predict(X))),
)
shrunk = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto").fit(X, y)
print(
    "training accuracy, svd / lsqr+shrinkage:",
    round(lda.score(X, y), 3),
    round(shrunk.score(X, y), 3),
)

fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
Z = lda.transform(X)
for k, color in zip(range(3), ["tab:blue", "tab:orange", "tab:green"], strict=True):
    ax.scatter(Z[y == k, 0], Z[y == k, 1], s=12, color=color, label=f"class {k}")
ax.set_xlabel("LD1")
ax.set_ylabel("LD2")
ax.set_title("Wine projected by LDA")
ax.legend()

cols = [12, 6]  # proline, flavanoids
qda = QuadraticDiscriminantAnalysis(reg_param=0.01).fit(X[:, cols], y)
xx, yy = np.meshgrid(
    np.linspace(X[:, 12].min(), X[:, 12].max(), 200),
    np.linspace(X[:, 6].min(), X[:, 6].max(), 200),
)
regions = qda.predict(np.column_stack([xx.ravel(), yy.ravel()])).reshape(xx.shape)
ax2.contourf(
    xx,
    yy,
    regions,
    alpha=0.25,
    levels=[-0.5, 0.5, 1.5, 2.5],
    colors=["tab:blue", "tab:orange", "tab:green"],
)
ax2.scatter(
    X[:, 12], X[:, 6], c=np.array(["tab:blue", "tab:orange", "tab:green"])[y], s=12, edgecolor="k"
)
ax2.set_xlabel("proline")
ax2.set_ylabel("flavanoids")
ax2.set_title("QDA decision regions")
fig.tight_layout()
plt.show()

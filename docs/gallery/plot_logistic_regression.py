"""
Logistic regression: decision regions and the L-BFGS learning curve
====================================================================

:class:`pai_algos.linear_model.LogisticRegression` fits a multinomial logistic regression with
L-BFGS over a fused Numba loss-and-gradient kernel. Its coefficients match scikit-learn's;
``history_`` keeps the objective after every L-BFGS iteration.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from pai_algos.linear_model import LogisticRegression

X, y = make_blobs(n_samples=600, centers=3, cluster_std=2.0, random_state=0)
X = X.astype(np.float32)
clf = LogisticRegression(C=1.0, device="cpu").fit(X, y)
print(f"accuracy {clf.score(X, y):.3f} after {clf.n_iter_[0]} L-BFGS iterations")

# %%
# Decision regions (colour: predicted class; shade: the top class probability).
xx, yy = np.meshgrid(
    np.linspace(X[:, 0].min() - 1, X[:, 0].max() + 1, 200),
    np.linspace(X[:, 1].min() - 1, X[:, 1].max() + 1, 200),
)
grid = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
proba = clf.predict_proba(grid)

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
ax0.contourf(xx, yy, proba.argmax(axis=1).reshape(xx.shape), alpha=0.3, cmap="viridis")
ax0.contour(xx, yy, proba.max(axis=1).reshape(xx.shape), levels=[0.5, 0.8], colors="k")
ax0.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="viridis")
ax0.set_title("Decision regions (contours: max probability 0.5, 0.8)")

# %%
# The objective per L-BFGS iteration, from ``history_``.
ax1.plot(clf.history_["iteration"], clf.history_["loss"], marker="o")
ax1.set_xlabel("L-BFGS iteration")
ax1.set_ylabel("objective")
ax1.set_title("Learning curve")
fig.tight_layout()
plt.show()

"""
SGD classifiers: losses, decision boundaries and the epoch objective
=====================================================================

:class:`pai_algos.linear_model.SGDClassifier` trains linear models one row at a time in a
Numba kernel. Different losses give different margins; ``history_`` keeps the mean objective
of every epoch, which the ``tol`` stopping rule watches.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_blobs

from pai_algos.linear_model import SGDClassifier

X, y = make_blobs(n_samples=400, centers=2, cluster_std=1.8, random_state=0)
X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype(np.float32)

losses = ["hinge", "log_loss", "modified_huber", "perceptron"]
models = {loss: SGDClassifier(loss=loss, random_state=0).fit(X, y) for loss in losses}
for loss, clf in models.items():
    print(f"{loss:15s} accuracy {clf.score(X, y):.3f} epochs {clf.n_iter_}")

# %%
# Decision boundaries of the four losses, and the objective per epoch.
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
ax0.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="coolwarm")
xs = np.linspace(X[:, 0].min(), X[:, 0].max(), 50)
for loss, clf in models.items():
    (w0, w1), b = clf.coef_[0], clf.intercept_[0]
    ax0.plot(xs, -(w0 * xs + b) / w1, label=loss)
ax0.set_ylim(X[:, 1].min(), X[:, 1].max())
ax0.legend()
ax0.set_title("Decision boundaries")
for loss, clf in models.items():
    ax1.plot(clf.history_["iteration"], clf.history_["loss"], label=loss)
ax1.set_xlabel("epoch")
ax1.set_ylabel("mean objective")
ax1.legend()
ax1.set_title("history_")
fig.tight_layout()

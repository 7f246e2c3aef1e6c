"""
Linear support vector machines
==============================

:class:`pai_algos.svm.LinearSVC` and :class:`pai_algos.svm.LinearSVR` solve liblinear's
problems with Numba kernels: dual coordinate descent (hinge and squared hinge, with shrinking
and a random order), a trust-region Newton method for the squared hinge primal, and
coordinate descent for the l1 penalty. On the breast-cancer data each solver reaches the same
objective as scikit-learn's ``LinearSVC``; the l1 penalty leaves only a few non-zero weights.
The right panel fits ``LinearSVR`` with a growing ``epsilon``: the tube widens and fewer
residuals count.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC as SklearnLinearSVC

from pai_algos.datasets import load_breast_cancer
from pai_algos.svm import LinearSVC, LinearSVR

X, y = load_breast_cancer(return_X_y=True)
X = StandardScaler().fit_transform(X)

solvers = {
    "hinge, dual": dict(loss="hinge", dual=True),
    "squared hinge, dual": dict(dual=True),
    "squared hinge, primal": dict(dual=False),
    "l1 penalty, primal": dict(penalty="l1", dual=False),
}
fig, (ax, ax2) = plt.subplots(1, 2, figsize=(10, 4))
for i, (label, params) in enumerate(solvers.items()):
    ours = LinearSVC(C=0.1, tol=1e-5, random_state=0, **params).fit(X, y)
    ref = SklearnLinearSVC(C=0.1, tol=1e-5, random_state=0, **params).fit(X, y)
    print(
        f"{label:22s} accuracy {ours.score(X, y):.3f} (scikit-learn {ref.score(X, y):.3f}), "
        f"non-zero weights {np.count_nonzero(ours.coef_)}"
    )
    ax.bar(np.arange(X.shape[1]) + 0.2 * i, ours.coef_.ravel(), width=0.2, label=label)
ax.set_xlabel("feature")
ax.set_ylabel("weight")
ax.set_title("LinearSVC weights by solver (C=0.1)")
ax.legend(fontsize=7)

rng = np.random.default_rng(0)
x = np.sort(rng.uniform(-3, 3, 200))
target = 0.8 * x + rng.normal(scale=0.4, size=200)
ax2.scatter(x, target, s=8, color="0.6")
for eps in (0.0, 0.5, 1.0):
    reg = LinearSVR(epsilon=eps, C=1.0, random_state=0).fit(x[:, None], target)
    line = reg.predict(x[:, None])
    ax2.plot(x, line, label=f"epsilon={eps}")
    ax2.fill_between(x, line - eps, line + eps, alpha=0.1)
ax2.set_title("LinearSVR: the epsilon-insensitive tube")
ax2.legend()
fig.tight_layout()
plt.show()

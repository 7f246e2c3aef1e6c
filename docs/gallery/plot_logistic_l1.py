"""
L1 logistic regression: the regularisation path and a cross-validated C
=======================================================================

With ``l1_ratio=1`` and ``solver="saga"``,
:class:`pai_algos.linear_model.LogisticRegression` fits an L1-penalised logistic regression:
as ``C`` shrinks, more coefficients are exactly zero.
:class:`pai_algos.linear_model.LogisticRegressionCV` walks the same path on each fold
(warm-starting from the previous ``C``) and keeps the ``C`` with the best held-out score.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification

from pai_algos.linear_model import LogisticRegression, LogisticRegressionCV

# 20 features, 5 of them informative (and none a linear combination of others, so that the
# L1 solution is unique)
X, y = make_classification(
    n_samples=500, n_features=20, n_informative=5, n_redundant=0, random_state=0
)

# %%
# The path: coefficients against C, each fit starting from the previous one.
Cs = np.logspace(-2.5, 0.5, 10)
clf = LogisticRegression(
    l1_ratio=1.0, solver="saga", tol=1e-3, max_iter=300, warm_start=True, random_state=0
)
coefs = np.array([clf.set_params(C=C).fit(X, y).coef_.ravel().copy() for C in Cs])
print("non-zero coefficients per C:", (coefs != 0).sum(axis=1))

# %%
# Cross-validation picks C (by log-loss) along the same path.
cv = LogisticRegressionCV(
    Cs=Cs, l1_ratios=(1.0,), solver="saga", cv=3, scoring="neg_log_loss", tol=1e-3,
    max_iter=300, random_state=0,
).fit(X, y)  # fmt: skip
print(f"chosen C = {cv.C_:.3g}, {np.sum(cv.coef_ != 0)} non-zero coefficients")

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
ax0.semilogx(Cs, coefs)
ax0.axvline(cv.C_, color="k", linestyle="--")
ax0.set_xlabel("C")
ax0.set_ylabel("coefficient")
ax0.set_title("L1 regularisation path (dashed: CV choice)")
mean = cv.scores_[:, 0, :].mean(axis=0)
ax1.semilogx(cv.Cs_, -mean, marker="o")
ax1.set_xlabel("C")
ax1.set_ylabel("held-out log-loss (mean of 3 folds)")
ax1.set_title("Cross-validation")
fig.tight_layout()
plt.show()

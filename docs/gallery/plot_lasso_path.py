"""
Lasso path and cross-validated alpha
====================================

:class:`~pai_algos.linear_model.LassoCV` solves the lasso along a log-spaced grid of alphas
(each solution warm-starting the next) on every fold, and picks the alpha with the lowest
mean test error. We plot the coefficient path of :class:`~pai_algos.linear_model.Lasso` on
the diabetes data and the cross-validated error curve.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import Lasso, LassoCV

X, y = load_diabetes(return_X_y=True)
cv_model = LassoCV(cv=5).fit(X, y)

alphas = cv_model.alphas_
path = np.array([Lasso(alpha=a).fit(X, y).coef_ for a in alphas])

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.semilogx(alphas, path)
ax1.axvline(cv_model.alpha_, color="k", linestyle="--", label="alpha_ (CV)")
ax1.set_xlabel("alpha")
ax1.set_ylabel("coefficients")
ax1.set_title("Lasso path")
ax1.legend()
ax2.semilogx(alphas, cv_model.mse_path_, ":", alpha=0.6)
ax2.semilogx(alphas, cv_model.mse_path_.mean(axis=1), "k", label="mean over folds")
ax2.axvline(cv_model.alpha_, color="k", linestyle="--")
ax2.set_xlabel("alpha")
ax2.set_ylabel("test MSE")
ax2.set_title("Cross-validation")
ax2.legend()
fig.tight_layout()
print(f"alpha_ = {cv_model.alpha_:.4f}, non-zero coefficients: {np.sum(cv_model.coef_ != 0)}")

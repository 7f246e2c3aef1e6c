"""
Ridge regression: the coefficient path and leave-one-out choice of alpha
=========================================================================

:class:`pai_algos.linear_model.Ridge` and :class:`~pai_algos.linear_model.RidgeCV` read the
data once to build the weighted Gram matrix (a parallel Numba kernel) and then solve small
``n_features x n_features`` systems. RidgeCV scores every alpha by its exact leave-one-out
error from one eigendecomposition, so the whole curve below costs one pass over the data.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.datasets import load_diabetes
from pai_algos.linear_model import LinearRegression, Ridge, RidgeCV

X, y = load_diabetes(return_X_y=True)
alphas = np.logspace(-4, 1, 30)

ols = LinearRegression(device="cpu").fit(X, y)
cv = RidgeCV(alphas=alphas, store_cv_results=True, device="cpu").fit(X, y)
print(f"OLS R2 {ols.score(X, y):.3f}; RidgeCV alpha_ {cv.alpha_:.4g}, R2 {cv.score(X, y):.3f}")

# %%
# Coefficients shrink towards zero as alpha grows; the leave-one-out mean squared error
# (``cv_results_`` averaged over samples) is smallest at ``alpha_``.
coefs = np.array([Ridge(alpha=a, device="cpu").fit(X, y).coef_ for a in alphas])
loo_mse = cv.cv_results_.mean(axis=0)

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
ax1.semilogx(alphas, coefs)
ax1.axvline(cv.alpha_, color="k", linestyle="--")
ax1.set_xlabel("alpha")
ax1.set_ylabel("coefficient")
ax1.set_title("Ridge coefficient path")
ax2.semilogx(alphas, loo_mse)
ax2.axvline(cv.alpha_, color="k", linestyle="--")
ax2.set_xlabel("alpha")
ax2.set_ylabel("leave-one-out MSE")
ax2.set_title("RidgeCV (efficient leave-one-out)")
fig.tight_layout()
plt.show()

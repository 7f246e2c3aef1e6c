"""
Generalised linear models and robust regression
================================================

Counts call for a Poisson model, positive skewed amounts for a Gamma model, and data with
outliers for a robust loss. :class:`pai_algos.linear_model.PoissonRegressor`,
:class:`~pai_algos.linear_model.GammaRegressor` and
:class:`~pai_algos.linear_model.TweedieRegressor` minimise the penalised deviance with L-BFGS
or Newton-Cholesky over fused Numba loss/gradient/Hessian kernels;
:class:`~pai_algos.linear_model.HuberRegressor`,
:class:`~pai_algos.linear_model.QuantileRegressor` and
:class:`~pai_algos.linear_model.BayesianRidge` cover robust, quantile and Bayesian fits.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.linear_model import (
    BayesianRidge,
    GammaRegressor,
    HuberRegressor,
    PoissonRegressor,
    QuantileRegressor,
    TweedieRegressor,
)

rng = np.random.default_rng(0)

# %%
# Counts with a log-linear mean: the Poisson GLM follows the curvature that a least-squares
# line misses; D^2 is the fraction of Poisson deviance explained.
x = rng.uniform(0, 3, size=600)
X = x[:, None]
counts = rng.poisson(np.exp(0.9 * x - 0.5))
amounts = rng.gamma(3.0, np.exp(0.5 * x + 1.0) / 3.0)

poisson = PoissonRegressor(alpha=1e-4, solver="newton-cholesky").fit(X, counts)
normal = TweedieRegressor(power=0, alpha=1e-4).fit(X, counts)
gamma = GammaRegressor(alpha=1e-4).fit(X, amounts)
print(f"Poisson D2 {poisson.score(X, counts):.3f}, slope {poisson.coef_[0]:.3f} (true 0.9)")
print(f"Gamma D2 {gamma.score(X, amounts):.3f}, slope {gamma.coef_[0]:.3f} (true 0.5)")

# %%
# Outliers: Huber's loss with a fitted scale ignores the corrupted points, quantile
# regression draws the 10% / 50% / 90% lines, and BayesianRidge gives a predictive band.
z = rng.uniform(-2, 2, size=300)
t = 1.5 * z + rng.normal(scale=0.5, size=300)
t[:20] += rng.uniform(8, 12, size=20)
Z = z[:, None]
huber = HuberRegressor().fit(Z, t)
bayes = BayesianRidge().fit(Z, t)
quantiles = {q: QuantileRegressor(quantile=q, alpha=0.0).fit(Z, t) for q in (0.1, 0.5, 0.9)}
flagged = int(huber.outliers_[:20].sum())
print(f"Huber slope {huber.coef_[0]:.2f}; {flagged} of the 20 corrupted points flagged")
print(f"BayesianRidge slope {bayes.coef_[0]:.2f} (pulled by the outliers)")

grid = np.linspace(0, 3, 100)[:, None]
zgrid = np.linspace(-2, 2, 100)[:, None]
mean, std = bayes.predict(zgrid, return_std=True)

fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(14, 4))
ax1.scatter(x, counts, s=6, alpha=0.4)
ax1.plot(grid, poisson.predict(grid), "r", label="Poisson GLM")
ax1.plot(grid, normal.predict(grid), "k--", label="least squares")
ax1.set_title("Counts")
ax1.legend()
ax2.scatter(x, amounts, s=6, alpha=0.4)
ax2.plot(grid, gamma.predict(grid), "r", label="Gamma GLM")
ax2.set_title("Positive amounts")
ax2.legend()
ax3.scatter(z, t, s=6, alpha=0.4)
ax3.plot(zgrid, huber.predict(zgrid), "r", label="Huber")
ax3.plot(zgrid, mean, "g", label="BayesianRidge")
ax3.fill_between(zgrid[:, 0], mean - 2 * std, mean + 2 * std, color="g", alpha=0.15)
for reg in quantiles.values():
    ax3.plot(zgrid, reg.predict(zgrid), "k:", linewidth=1)
ax3.set_title("Outliers: Huber, quantiles 0.1/0.5/0.9, Bayesian band")
ax3.legend()
fig.tight_layout()
plt.show()

"""
Robust regression: RANSAC and Theil-Sen against least squares
=============================================================

Outliers drag an ordinary least-squares line towards them.
:class:`pai_algos.linear_model.RANSACRegressor` fits many minimal random subsets (in
parallel batches, in a Numba kernel) and keeps the model with the largest consensus set;
:class:`~pai_algos.linear_model.TheilSenRegressor` takes the spatial median of the
least-squares solutions of all (or many) small subsets. Both recover the line the inliers
follow, where least squares does not.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.linear_model import LinearRegression, RANSACRegressor, TheilSenRegressor

rng = np.random.default_rng(42)
n = 200
X = rng.uniform(-3, 3, size=(n, 1))
y = 1.5 * X[:, 0] + 0.5 + 0.3 * rng.normal(size=n)
outliers = rng.choice(n, size=40, replace=False)
X[outliers[:20]] = rng.uniform(2, 3, size=(20, 1))  # leverage points
y[outliers] = rng.uniform(-8, -4, size=40)

models = {
    "least squares": LinearRegression(device="cpu"),
    "RANSAC": RANSACRegressor(random_state=0),
    "Theil-Sen": TheilSenRegressor(max_subpopulation=2000, random_state=0),
}
for name, model in models.items():
    model.fit(X, y)
    coef = model.estimator_.coef_ if name == "RANSAC" else model.coef_
    print(f"{name:>13}: slope {float(coef[0]):.3f} (true 1.5)")

ransac = models["RANSAC"]
caught = np.isin(np.flatnonzero(~ransac.inlier_mask_), outliers).mean()
print(
    f"RANSAC: {ransac.n_trials_} trials, {caught:.0%} of its rejected points are planted outliers"
)

# %%
# The fitted lines, with RANSAC's consensus set in blue and the points it rejected in red.
line = np.linspace(-3, 3, 50)[:, None]
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.scatter(X[ransac.inlier_mask_], y[ransac.inlier_mask_], s=12, c="tab:blue", label="inliers")
ax.scatter(X[~ransac.inlier_mask_], y[~ransac.inlier_mask_], s=12, c="tab:red", label="outliers")
for (name, model), style in zip(models.items(), ["k:", "tab:green", "tab:orange"]):
    ax.plot(line[:, 0], model.predict(line), style, lw=2, label=name)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.set_title("Robust regression with planted outliers")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

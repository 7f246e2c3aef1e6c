"""
Standardizing features with StandardScaler
==========================================

:class:`pai_algos.preprocessing.StandardScaler` removes each feature's mean and divides by
its standard deviation. Here two features on very different scales (and with a few missing
values, which the scaler ignores when fitting and keeps when transforming) are standardized;
the statistics are then rebuilt batch by batch with ``partial_fit`` and checked against the
one-shot fit.
"""

import matplotlib.pyplot as plt
import numpy as np

from pai_algos.preprocessing import StandardScaler

rng = np.random.default_rng(0)
X = np.column_stack([rng.normal(50.0, 10.0, 500), rng.exponential(0.02, 500)])
X[rng.random(X.shape) < 0.02] = np.nan

scaler = StandardScaler().fit(X)
Z = scaler.transform(X)
print("mean_:", np.round(scaler.mean_, 3), "scale_:", np.round(scaler.scale_, 3))
print("missing values kept:", int(np.isnan(Z).sum()), "of", int(np.isnan(X).sum()))

# the same statistics from five batches (Chan, Golub & LeVeque's pairwise update)
online = StandardScaler()
for batch in np.array_split(X, 5):
    online.partial_fit(batch)
print("partial_fit matches fit:", np.allclose(online.var_, scaler.var_))

fig, axes = plt.subplots(1, 2, figsize=(9, 3.5))
axes[0].scatter(X[:, 0], X[:, 1], s=6)
axes[0].set_title("raw features")
axes[1].scatter(Z[:, 0], Z[:, 1], s=6, color="tab:orange")
axes[1].set_title("standardized")
for ax in axes:
    ax.set_xlabel("feature 0")
    ax.set_ylabel("feature 1")
fig.tight_layout()
plt.show()

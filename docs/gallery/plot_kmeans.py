"""
K-means clustering
==================

:class:`pai_algos.cluster.KMeans` clusters blobs with greedy k-means++ seeding and Lloyd
iterations on Numba kernels. The left panel shows the clusters and their centers; the right
panel the inertia per iteration from ``history_``, next to scikit-learn's final inertia from
the same initial centers.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import make_blobs

from pai_algos.cluster import KMeans

X, _ = make_blobs(n_samples=1500, centers=5, cluster_std=1.2, random_state=3)
X = X.astype(np.float32)
init = X[np.random.default_rng(0).choice(len(X), 5, replace=False)]

km = KMeans(n_clusters=5, init=init, device="cpu").fit(X)
ref = SkKMeans(n_clusters=5, init=init, n_init=1).fit(X)
print(f"pai_algos inertia {km.inertia_:.1f} in {km.n_iter_} iterations")
print(f"scikit-learn inertia {ref.inertia_:.1f} in {ref.n_iter_} iterations")

# %%
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
ax0.scatter(X[:, 0], X[:, 1], c=km.labels_, s=6, cmap="tab10")
ax0.scatter(*km.cluster_centers_.T, c="black", marker="x", s=80, label="centers")
ax0.set_title("clusters")
ax0.legend()
ax1.plot(km.history_["iteration"], km.history_["inertia"], marker="o", label="pai_algos")
ax1.axhline(ref.inertia_, color="grey", linestyle="--", label="scikit-learn (final)")
ax1.set_xlabel("iteration")
ax1.set_ylabel("inertia")
ax1.set_title("inertia per iteration")
ax1.legend()
plt.show()

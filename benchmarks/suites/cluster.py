"""Clustering: pai_algos KMeans against scikit-learn's KMeans (Lloyd).

Both sides start from the same initial centers (an ``init`` array drawn once from the data,
``n_init=1``), so they do the same work: 50 Lloyd iterations (``tol=0``) on 200,000 x 32
float32 rows with 32 clusters. The data are Gaussian noise so that no run stops early.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans as SkKMeans

from benchmarks._harness import Case
from pai_algos.cluster import KMeans

N, D, K = 200_000, 32, 32


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, D)).astype(np.float32)
    init = X[rng.choice(N, K, replace=False)].copy()
    return X, init


def _ours(data):
    X, init = data
    return KMeans(K, init=init, n_init=1, max_iter=50, tol=0, device="cpu").fit(X)


def _peer(data):
    X, init = data
    return SkKMeans(K, init=init, n_init=1, max_iter=50, tol=0).fit(X)


def _quality(data, ours, peer):
    return (
        f"inertia ours {ours.inertia_:.6g} ({ours.n_iter_} it), "
        f"sklearn {peer.inertia_:.6g} ({peer.n_iter_} it)"
    )


CASES = [
    Case(
        name=f"KMeans(k={K}) {N}x{D} float32, same init",
        make_data=_data,
        ours=_ours,
        peer=_peer,
        peer_name="scikit-learn",
        target=1.5,
        repeats=3,
        quality=_quality,
    )
]

"""Neighbourhood and linear recommenders: UserCF, Swing, EASE and SLIM fit times.

Data: ``make_interactions`` (16 latent factors), split per user (20 % held out); quality is
precision@10 on up to 5,000 held-out users. Sizes and peers:

- UserCF cosine k=50: 50,000 users x 10,000 items, ~1,000,000 interactions; the peer is
  implicit's ``CosineRecommender(K=50)`` fitted on the transposed matrix, which computes the
  same user-user top-50 cosine lists (the quality column compares the lists).
- Swing k=50, at most 200 sampled users per item: the same data; no library in the
  environment implements Swing, so the peer is our own ItemCF (cosine, k=50) on the same
  data, a cost reference (Swing's work is quadratic in the users per item).
- EASE l2=500: 50,000 users x 2,000 items (EASE is cubic in the items and holds
  ``n_items^2`` floats), ~1,000,000 interactions; the peer is the NumPy closed form
  (``np.linalg.inv`` of the Gram matrix), as in Steck's reference code.
- SLIM alpha=0.01, l1_ratio=0.1, k=100: 10,000 users x 500 items, ~100,000 interactions;
  the peer is the usual SLIM recipe, one scikit-learn ``ElasticNet(positive=True,
  fit_intercept=False)`` per item with that item's column zeroed (Ferrari Dacrema et al.
  2019), which is too slow for more items in a benchmark run.
"""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp

from benchmarks._harness import Case
from pai_algos.datasets import make_interactions
from pai_algos.metrics import precision_at_k
from pai_algos.recommend import EASE, SLIM, ItemCF, Swing, UserCF, train_test_split_interactions

THREADS = os.cpu_count() or 1
EASE_L2 = 500.0
SLIM_ALPHA, SLIM_L1_RATIO, SLIM_K = 0.01, 0.1, 100


def _data(n_users, n_items, density):
    X = make_interactions(n_users, n_items, n_factors=16, density=density, random_state=0)
    train, test = train_test_split_interactions(X, 0.2, random_state=0)
    users = np.flatnonzero(test.getnnz(axis=1) & train.getnnz(axis=1))[:5000]
    return {"train": train.tocsr(), "test": test, "users": users}


def _large():
    return _data(50_000, 10_000, 0.002)


def _p10(d, items):
    return precision_at_k(d["test"][d["users"]], items, k=10)


def _ours_p10(d, model):
    return _p10(d, model.recommend(d["users"], n=10)[0])


# ----------------------------------------------------------------------------- UserCF


def _ours_user_cf(d):
    return UserCF("cosine", k=50, n_jobs=THREADS).fit(d["train"])


def _peer_user_cf(d):
    from implicit.nearest_neighbours import CosineRecommender

    model = CosineRecommender(K=50, num_threads=THREADS)
    model.fit(d["train"].T.tocsr(), show_progress=False)  # "items" = users
    return model


def _user_cf_quality(d, ours, peer):
    S, P = ours.similarity_, peer.similarity.tocsr()
    same = []
    for u in d["users"][:2000]:
        a = set(S.indices[S.indptr[u] : S.indptr[u + 1]])
        b = set(P.indices[P.indptr[u] : P.indptr[u + 1]]) - {u}  # implicit keeps u itself
        if b:
            same.append(len(a & b) / len(b))
    return f"p@10 ours {_ours_p10(d, ours):.4f}; neighbour lists shared with implicit's: " + (
        f"{np.mean(same):.3f}"
    )


# ------------------------------------------------------------------------------ Swing


def _ours_swing(d):
    return Swing(k=50, max_item_users=200, random_state=0, n_jobs=THREADS).fit(d["train"])


def _peer_item_cf(d):
    return ItemCF("cosine", k=50, n_jobs=THREADS).fit(d["train"])


def _swing_quality(d, ours, peer):
    return f"p@10 Swing {_ours_p10(d, ours):.4f}, ItemCF {_ours_p10(d, peer):.4f}"


# ------------------------------------------------------------------------------- EASE


def _ease_data():
    return _data(50_000, 2_000, 0.01)


def _ours_ease(d):
    return EASE(l2=EASE_L2).fit(d["train"])


def _peer_ease(d):
    X = d["train"]
    G = (X.T @ X).toarray().astype(np.float64)
    G[np.diag_indices_from(G)] += EASE_L2
    P = np.linalg.inv(G)
    B = P / -np.diag(P)
    B[np.diag_indices_from(B)] = 0.0
    return B


def _ease_quality(d, ours, peer):
    err = np.abs(ours.coef_.astype(np.float64) - peer).max() / np.abs(peer).max()
    return f"p@10 {_ours_p10(d, ours):.4f}; max |B - B_numpy| / max |B| = {err:.1e}"


# ------------------------------------------------------------------------------- SLIM


def _slim_data():
    return _data(10_000, 500, 0.02)


def _ours_slim(d):
    return SLIM(SLIM_ALPHA, l1_ratio=SLIM_L1_RATIO, k=SLIM_K, n_jobs=THREADS).fit(d["train"])


def _peer_slim(d):
    from sklearn.linear_model import ElasticNet

    X = d["train"].tocsc().astype(np.float64)
    n_items = X.shape[1]
    model = ElasticNet(alpha=SLIM_ALPHA, l1_ratio=SLIM_L1_RATIO, positive=True,
                       fit_intercept=False, copy_X=False, selection="cyclic")  # fmt: skip
    cols, rows, vals = [], [], []
    for j in range(n_items):
        y = X[:, j].toarray().ravel()
        lo, hi = X.indptr[j], X.indptr[j + 1]
        saved = X.data[lo:hi].copy()
        X.data[lo:hi] = 0.0  # the item may not predict itself
        model.fit(X, y)
        X.data[lo:hi] = saved
        w = model.coef_
        keep = np.flatnonzero(w > 0)
        keep = keep[np.argsort(-w[keep], kind="stable")[:SLIM_K]]
        rows.append(keep)
        cols.append(np.full(len(keep), j))
        vals.append(w[keep])
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_items, n_items),
    )


def _slim_quality(d, ours, peer):
    X = d["train"][d["users"]]
    scores = (X @ peer).toarray()
    scores[X.toarray() > 0] = -np.inf
    peer_items = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    diff = np.abs(ours.coef_ - peer).max() / max(peer.max(), 1e-12)
    return (
        f"p@10 ours {_ours_p10(d, ours):.4f}, sklearn loop {_p10(d, peer_items):.4f}; "
        f"max |W - W_sklearn| / max W = {diff:.1e}"
    )


CASES = [
    Case("UserCF cosine k=50 50k x 10k ~1M nnz", _large, _ours_user_cf, _peer_user_cf,
         "implicit", target=1.0, repeats=1, quality=_user_cf_quality),
    Case("Swing k=50 <=200 users/item 50k x 10k ~1M nnz", _large, _ours_swing, _peer_item_cf,
         "pai_algos ItemCF", target=0.1, repeats=1, quality=_swing_quality),
    Case(f"EASE l2={EASE_L2:g} 50k x 2k ~1M nnz", _ease_data, _ours_ease, _peer_ease,
         "numpy inv", target=1.0, repeats=1, quality=_ease_quality),
    Case("SLIM alpha=0.01 k=100 10k x 500 ~100k nnz", _slim_data, _ours_slim, _peer_slim,
         "scikit-learn loop", target=1.0, repeats=1, quality=_slim_quality),
]  # fmt: skip

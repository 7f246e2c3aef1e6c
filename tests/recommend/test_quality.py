"""Quality on make_interactions data: ItemCF against a dense reference, ALS and BPR against
implicit (precision@10 not more than 5 % below implicit's), and models with latent structure
against the popularity baseline."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos.datasets import make_interactions
from pai_algos.metrics import precision_at_k
from pai_algos.recommend import (
    BPR,
    ImplicitALS,
    ItemCF,
    PopularityRecommender,
    train_test_split_interactions,
)

from ..native import naive_recommend as naive


def _split(seed, n_users=1500, n_items=300, density=0.04):
    X = make_interactions(n_users, n_items, n_factors=6, density=density, random_state=seed)
    train, test = train_test_split_interactions(X, 0.25, random_state=seed)
    users = np.flatnonzero(test.getnnz(axis=1) & train.getnnz(axis=1))
    return train, test, users


def _p10(model_items, test, users):
    return precision_at_k(test[users], model_items, k=10)


@pytest.mark.parametrize(
    "similarity, kwargs, mode",
    [
        ("cosine", {}, 0),
        ("asymmetric_cosine", {"alpha": 0.25, "shrink": 3.0}, 0),
        ("jaccard", {"shrink": 1.0}, 1),
    ],
)
def test_item_cf_neighbours_equal_dense_reference(seed, similarity, kwargs, mode):
    X = make_interactions(200, 40, density=0.1, random_state=seed).astype(np.float64)
    est = ItemCF(similarity, k=7, **kwargs).fit(X)
    W = X.toarray()
    if similarity == "jaccard":
        W = (W > 0).astype(float)
    alpha = kwargs.get("alpha", 0.5)
    ref = naive.item_similarity_topk(W, mode, alpha, kwargs.get("shrink", 0.0), 7)
    S = est.similarity_
    for i, (ref_idx, ref_sim) in enumerate(ref):
        row = slice(S.indptr[i], S.indptr[i + 1])
        np.testing.assert_allclose(S.data[row], ref_sim, rtol=1e-10)
        # equal similarities may be listed in another order only if rounding differs
        if len(np.unique(np.round(ref_sim, 9))) == len(ref_sim):
            np.testing.assert_array_equal(S.indices[row], ref_idx)


def test_adjusted_cosine_centres_by_user_mean(seed):
    rng = np.random.default_rng(seed)
    X = make_interactions(100, 30, density=0.15, random_state=seed).astype(np.float64)
    X.data = rng.integers(1, 6, size=X.nnz).astype(float)  # explicit ratings
    est = ItemCF("adjusted_cosine", k=5).fit(X)
    W = X.toarray()
    mask = W > 0
    means = W.sum(1) / np.maximum(mask.sum(1), 1)
    C = np.where(mask, W - means[:, None], 0.0)
    dot = C.T @ C
    sq = (C**2).sum(0)
    S = est.similarity_
    for i in range(30):
        for j, s in zip(
            S.indices[S.indptr[i] : S.indptr[i + 1]], S.data[S.indptr[i] : S.indptr[i + 1]]
        ):
            np.testing.assert_allclose(s, dot[i, j] / np.sqrt(sq[i] * sq[j]), rtol=1e-9, atol=1e-12)


def test_latent_models_beat_popularity(seed):
    train, test, users = _split(seed)
    pop = PopularityRecommender().fit(train).recommend(users, n=10)[0]
    als = ImplicitALS(16, iterations=10, regularization=0.1, random_state=seed).fit(train)
    cf = ItemCF("cosine", k=50).fit(train)
    p_pop = _p10(pop, test, users)
    p_als = _p10(als.recommend(users, n=10)[0], test, users)
    p_cf = _p10(cf.recommend(users, n=10)[0], test, users)
    assert p_als > 1.1 * p_pop, (p_als, p_pop)
    assert p_cf > 1.1 * p_pop, (p_cf, p_pop)


def test_als_loss_decreases_and_solvers_agree(seed):
    train, test, users = _split(seed, n_users=500, n_items=120, density=0.06)
    cg = ImplicitALS(8, iterations=8, random_state=seed).fit(train)
    chol = ImplicitALS(8, iterations=8, random_state=seed, solver="cholesky").fit(train)
    loss = np.array(cg.history_["loss"])
    assert np.all(np.diff(chol.history_["loss"]) <= 1e-9)
    assert loss[-1] < loss[0]
    np.testing.assert_allclose(loss[-1], chol.history_["loss"][-1], rtol=0.02)


def _implicit():
    return pytest.importorskip("implicit", reason="implicit is the reference for ALS and BPR")


def test_als_precision_close_to_implicit(seed):
    _implicit()
    from implicit.cpu.als import AlternatingLeastSquares

    train, test, users = _split(seed)
    params = {"factors": 16, "regularization": 0.05, "iterations": 10}
    ours = ImplicitALS(**params, alpha=2.0, random_state=seed).fit(train)
    peer_train = train.copy()
    peer_train.data = 1.0 + 2.0 * peer_train.data  # implicit's c = alpha r -> 1 + 2 r
    peer = AlternatingLeastSquares(**params, alpha=1.0, random_state=seed, num_threads=2)
    peer.fit(peer_train.tocsr(), show_progress=False)
    p_ours = _p10(ours.recommend(users, n=10)[0], test, users)
    p_peer = _p10(peer.recommend(users, train[users], N=10)[0], test, users)
    assert p_ours >= 0.95 * p_peer, (p_ours, p_peer)


def test_bpr_precision_close_to_implicit(seed):
    _implicit()
    from implicit.cpu.bpr import BayesianPersonalizedRanking

    train, test, users = _split(seed)
    params = {"factors": 16, "learning_rate": 0.01, "regularization": 0.01, "iterations": 100}
    ours = BPR(**params, random_state=seed).fit(train)
    peer = BayesianPersonalizedRanking(**params, random_state=seed, num_threads=2)
    peer.fit(train, show_progress=False)
    p_ours = _p10(ours.recommend(users, n=10)[0], test, users)
    p_peer = _p10(peer.recommend(users, train[users], N=10)[0], test, users)
    assert p_ours >= 0.95 * p_peer, (p_ours, p_peer)

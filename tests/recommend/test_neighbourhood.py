"""UserCF and Swing: similarities against dense / brute-force references, fold-in, quality
against the popularity baseline, and the shared recommender interface (ids, errors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from pai_algos.datasets import make_interactions
from pai_algos.recommend import PopularityRecommender, Swing, UserCF, train_test_split_interactions

from ..native import naive_recommend as naive
from ..native import naive_recommend_cf as naive_cf


def _small(seed, n_users=60, n_items=20, density=0.2):
    X = make_interactions(n_users, n_items, n_factors=3, density=density, random_state=seed)
    return sp.csr_matrix(X, dtype=np.float64)


# ------------------------------------------------------------------ shared helpers (imported
# by test_linear_recommenders.py too)


def per_user_precision(test, items, k=10):
    """Precision@k of every user (row of ``test``) for the recommended ``items``."""
    hits = np.array(
        [np.isin(items[r, :k], test[r].indices).sum() for r in range(test.shape[0])], float
    )
    return hits / k


def beats_popularity(model, seed, ratio=1.3):
    """Precision@10 of ``model`` beats the popularity baseline on latent-factor data.

    make_interactions with 2,000 users x 300 items, 6 factors and a mild popularity skew;
    25 % of each user's interactions held out; about 1,000 users scored. Noise is bounded two
    ways: the mean gain over popularity must exceed 4 standard errors of the paired per-user
    difference, and the ratio must exceed ``ratio`` (measured: 1.8-2.5 over seeds 0-4 for
    every model here, so 1.3 leaves a margin far beyond the seed-to-seed spread).
    """
    X = make_interactions(2000, 300, n_factors=6, density=0.04, popularity_alpha=0.5,
                          random_state=seed)  # fmt: skip
    train, test = train_test_split_interactions(X, 0.25, random_state=seed)
    users = np.flatnonzero(test.getnnz(axis=1) & train.getnnz(axis=1))
    pop = PopularityRecommender().fit(train).recommend(users, n=10)[0]
    ours = model.fit(train).recommend(users, n=10)[0]
    p_pop = per_user_precision(test[users], pop)
    p_ours = per_user_precision(test[users], ours)
    diff = p_ours - p_pop
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert diff.mean() > 4 * se, (p_ours.mean(), p_pop.mean(), se)
    assert p_ours.mean() > ratio * p_pop.mean(), (p_ours.mean(), p_pop.mean())


def check_interface(est, X):
    """What BaseRecommender promises, on a fitted ``est``: shapes, order, exclusion, predict
    agreeing with recommend, padding past the catalogue, and the inherited errors."""
    n_items = X.shape[1]
    items, scores = est.recommend(np.arange(10), n=5)
    assert items.shape == scores.shape == (10, 5)
    assert scores.dtype == X.dtype
    assert np.all(np.diff(np.maximum(scores, np.finfo(scores.dtype).min), axis=1) <= 0)
    for u in range(10):
        assert not set(items[u][items[u] >= 0]) & set(X[u].indices)
    pairs = np.column_stack([np.repeat(np.arange(10), 5), items.ravel()])
    ok = pairs[:, 1] >= 0
    np.testing.assert_allclose(est.predict(pairs[ok]), scores.ravel()[ok], rtol=1e-4, atol=1e-6)
    # n larger than the catalogue: clipped, seen items padded at the end
    items, scores = est.recommend([0], n=1000)
    assert items.shape == (1, n_items)
    n_seen = X[0].nnz
    assert np.all(items[0, n_items - n_seen :] == -1)
    assert np.all(np.isneginf(scores[0, n_items - n_seen :]))
    sim_items, _ = est.similar_items([3], n=1000)
    assert sim_items.shape == (1, n_items - 1) and 3 not in sim_items[0]
    # unknown ids and bad arguments: the base's errors, type and message
    with pytest.raises(ValueError, match=r"Unknown users \(not seen in fit\): 999"):
        est.recommend([1, 999])
    with pytest.raises(ValueError, match=rf"Unknown items \(not seen in fit\): {n_items}"):
        est.predict([[0, n_items]])
    with pytest.raises(ValueError, match=r"Unknown items .*-1"):
        est.similar_items([-1])
    with pytest.raises(ValueError, match="n must be a positive integer"):
        est.recommend([0], n=0)
    with pytest.raises(ValueError, match=r"user_items must have shape"):
        est.recommend([0, 1], user_items=X[:1])
    with pytest.raises(ValueError, match="Negative values in user_items"):
        est.recommend([0], user_items=-X[:1])


def check_bad_fit_input(cls, **params):
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        cls(**params).fit(sp.csr_matrix([[1.0, -1.0], [0.0, 2.0]]))
    with pytest.raises(ValueError, match="no interactions"):
        cls(**params).fit(sp.csr_matrix((3, 4)))
    with pytest.raises(ValueError, match="empty table"):
        cls(**params).fit(pd.DataFrame({"user": [], "item": []}))
    with pytest.raises(ValueError, match="NaN"):
        cls(**params).fit(sp.csr_matrix([[1.0, np.nan]]))


def check_table_ids(cls, X, **params):
    """A table with string users and offset integer items gives the matrix's answers."""
    X = X + sp.csr_matrix(
        (np.ones(X.shape[0]), (np.arange(X.shape[0]), np.arange(X.shape[0]) % X.shape[1])),
        shape=X.shape,
    )  # every id appears in the table
    users = np.array([f"u{u:03d}" for u in range(X.shape[0])], dtype=object)
    item_ids = np.arange(X.shape[1]) * 10 + 7
    coo = X.tocoo()
    frame = pd.DataFrame({"u": users[coo.row], "i": item_ids[coo.col], "r": coo.data})
    ref = cls(**params).fit(X)
    est = cls(**params, user_col="u", item_col="i", rating_col="r").fit(frame)
    ref_items, ref_scores = ref.recommend(np.arange(5), n=4)
    got_items, got_scores = est.recommend(users[:5], n=4)
    np.testing.assert_array_equal(got_items, np.where(ref_items >= 0, item_ids[ref_items], -1))
    np.testing.assert_allclose(got_scores, ref_scores, rtol=1e-6)


# ------------------------------------------------------------------------------ UserCF


def _user_reference(X, similarity, k, shrink):
    """Dense neighbour lists: the column similarities of the transformed matrix's transpose,
    positive ones only."""
    W = X.toarray()
    mask = W != 0
    if similarity == "jaccard":
        W = mask.astype(float)
    elif similarity == "pearson":
        means = W.sum(1) / np.maximum(mask.sum(1), 1)
        W = np.where(mask, W - means[:, None], 0.0)
    elif similarity == "adjusted_cosine":
        means = W.sum(0) / np.maximum(mask.sum(0), 1)
        W = np.where(mask, W - means[None, :], 0.0)
    # a zero left by centring is still a stored entry: keep the sharing pattern of X
    W = np.where(mask & (W == 0), 1e-300, W)
    mode = 1 if similarity == "jaccard" else 0
    out = naive.item_similarity_topk(W.T, mode, 0.5, shrink, min(k, X.shape[0] - 1))
    return [(idx[sim > 1e-200], sim[sim > 1e-200]) for idx, sim in out]


@pytest.mark.parametrize(
    "similarity, shrink",
    [
        ("cosine", 0.0),
        ("cosine", 2.0),
        ("jaccard", 1.0),
        ("pearson", 0.0),
        ("adjusted_cosine", 0.5),
    ],
)
def test_user_cf_neighbours_equal_dense_reference(seed, similarity, shrink):
    rng = np.random.default_rng(seed)
    X = _small(seed)
    X.data = rng.integers(1, 6, size=X.nnz).astype(float)  # ratings, so centring matters
    est = UserCF(similarity, k=7, shrink=shrink).fit(X)
    S = est.similarity_
    for u, (ref_idx, ref_sim) in enumerate(_user_reference(X, similarity, 7, shrink)):
        row = slice(S.indptr[u], S.indptr[u + 1])
        got = dict(zip(S.indices[row], S.data[row]))
        ref = dict(zip(ref_idx, ref_sim))
        # the last kept similarity may tie with a dropped one: compare the values, and the
        # indices of the neighbours strictly above the cut
        np.testing.assert_allclose(np.sort(S.data[row]), np.sort(ref_sim), rtol=1e-9)
        cut = ref_sim.min(initial=np.inf)
        for v, s in ref.items():
            if s > cut + 1e-9:
                np.testing.assert_allclose(got[v], s, rtol=1e-9)


def test_user_cf_scores_are_neighbour_sums(seed):
    X = _small(seed)
    est = UserCF(k=5).fit(X)
    dense = est.similarity_.toarray() @ X.toarray()
    items, scores = est.recommend(np.arange(X.shape[0]), n=5, exclude_seen=False)
    np.testing.assert_allclose(scores, np.take_along_axis(dense, items, axis=1), rtol=1e-6)
    np.testing.assert_allclose(np.sort(dense, axis=1)[:, ::-1][:, :5], scores, rtol=1e-6)


@pytest.mark.parametrize("similarity", ["cosine", "jaccard", "pearson", "adjusted_cosine"])
def test_user_cf_fold_in_matches_fit(seed, similarity):
    """A user unseen in fit gets, from its row, the neighbours a fitted user with the same row
    has (plus that twin itself, the most similar)."""
    rng = np.random.default_rng(seed)
    X = _small(seed)
    X.data = rng.integers(1, 6, size=X.nnz).astype(float)
    est = UserCF(similarity, k=8).fit(X)
    rows = X[:6]
    new = est._fold_in(rows)
    for u in range(6):
        fitted = dict(zip(est.similarity_[u].indices, est.similarity_[u].data))
        got = dict(zip(new[u].indices, new[u].data))
        if X[u].nnz > 1 or similarity in ("cosine", "jaccard"):
            assert got.pop(u, None) is not None or not got  # the twin
        for v in set(got) & set(fitted):
            np.testing.assert_allclose(got[v], fitted[v], rtol=1e-6)
    # and through recommend: unseen ids score from user_items
    part = UserCF(similarity, k=8).fit(X[:50])
    items, scores = part.recommend(np.arange(50, 60), n=5, user_items=X[50:60])
    dense = part._fold_in(X[50:60]).toarray() @ X[:50].toarray()
    dense[X[50:60].toarray() > 0] = -np.inf
    np.testing.assert_allclose(scores, np.sort(dense, axis=1)[:, ::-1][:, :5], rtol=1e-5)


def test_user_cf_fold_in_equals_dense_cosine(seed):
    X = _small(seed)
    est = UserCF(k=4, shrink=0.5).fit(X[:45])
    got = est._fold_in(X[45:])
    ref = naive_cf.query_similarity_topk(X[45:].toarray(), X[:45].toarray(), 0, 0.5, 4)
    for r, (_, sim) in enumerate(ref):
        np.testing.assert_allclose(np.sort(got[r].data), np.sort(sim[sim > 0]), rtol=1e-5)


def test_user_cf_similar_items_are_column_cosines(seed):
    X = _small(seed)
    est = UserCF(k=5).fit(X)
    W = X.toarray()
    norms = np.linalg.norm(W, axis=0)
    norms[norms == 0] = 1
    C = (W.T @ W) / norms[:, None] / norms[None, :]
    items, scores = est.similar_items([2, 5], n=3)
    for r, i in enumerate([2, 5]):
        c = np.delete(C[i], i)
        np.testing.assert_allclose(scores[r], np.sort(c)[::-1][:3], rtol=1e-6)


def test_user_cf_beats_popularity(seed):
    beats_popularity(UserCF("jaccard", k=50), seed)


def test_user_cf_interface_and_errors(seed):
    X = sp.csr_matrix(_small(seed), dtype=np.float32)
    check_interface(UserCF(k=10).fit(X), X)
    check_bad_fit_input(UserCF)
    check_table_ids(UserCF, _small(seed), k=10)
    with pytest.raises(ValueError, match="similarity"):
        UserCF("manhattan").fit(X)


# ------------------------------------------------------------------------------- Swing


def _swing_reference(X, alpha, user_alpha, user_beta, min_items, max_items, k):
    B = X.toarray() != 0
    n = B.sum(1)
    active = (n >= min_items) & (n <= max_items)
    B = B & active[:, None]
    w = np.where(active, (n + user_alpha) ** -float(user_beta), 0.0)
    users = [np.flatnonzero(B[:, i]) for i in range(B.shape[1])]
    return naive_cf.swing_similarity_topk(B, users, w, alpha, k)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"alpha": 0.5, "user_alpha": 5.0, "user_beta": 0.35},
        {"user_beta": 0.0, "min_user_items": 3, "max_user_items": 6},
    ],
)
def test_swing_equals_brute_force(seed, params):
    X = _small(seed, n_users=40, n_items=15, density=0.3)
    est = Swing(k=6, **params).fit(X)
    full = {"alpha": 1.0, "user_alpha": 0.0, "user_beta": 0.5, "min_user_items": 1,
            "max_user_items": 1000, **params}  # fmt: skip
    ref = _swing_reference(X, full["alpha"], full["user_alpha"], full["user_beta"],
                           full["min_user_items"], full["max_user_items"], 6)  # fmt: skip
    S = est.similarity_
    for i, (ref_idx, ref_sim) in enumerate(ref):
        row = slice(S.indptr[i], S.indptr[i + 1])
        np.testing.assert_allclose(S.data[row], ref_sim, rtol=1e-12)
        if len(np.unique(np.round(ref_sim, 9))) == len(ref_sim):
            np.testing.assert_array_equal(S.indices[row], ref_idx)


def test_swing_samples_users_per_item(seed):
    X = _small(seed, n_users=80, n_items=10, density=0.4)
    a = Swing(k=9, max_item_users=5, random_state=seed).fit(X)
    b = Swing(k=9, max_item_users=5, random_state=seed).fit(X)
    full = Swing(k=9).fit(X)
    np.testing.assert_array_equal(a.similarity_.toarray(), b.similarity_.toarray())
    # at most C(5, 2) = 10 pairs per item, each adding at most w_max^2 / (alpha + 2)
    w_max = 1.0 / np.sqrt(np.diff(X.indptr).min())
    assert a.similarity_.data.max() <= 10 * w_max**2 / 3 + 1e-12
    assert a.similarity_.sum() < full.similarity_.sum()


def test_swing_normalize_scales_rows_to_one(seed):
    X = _small(seed)
    raw = Swing(k=5).fit(X).similarity_
    norm = Swing(k=5, normalize=True).fit(X).similarity_
    for i in range(X.shape[1]):
        lo, hi = raw.indptr[i], raw.indptr[i + 1]
        if hi > lo:
            np.testing.assert_allclose(norm.data[lo:hi], raw.data[lo:hi] / raw.data[lo])
            assert norm.data[lo] == 1.0


def test_swing_beats_popularity(seed):
    beats_popularity(Swing(k=50), seed)


def test_swing_interface_and_errors(seed):
    X = sp.csr_matrix(_small(seed), dtype=np.float32)
    check_interface(Swing(k=10).fit(X), X)
    check_bad_fit_input(Swing)
    check_table_ids(Swing, _small(seed), k=10)
    with pytest.raises(ValueError, match="min_user_items=5 is larger than max_user_items=3"):
        Swing(min_user_items=5, max_user_items=3).fit(X)
    with pytest.raises(ValueError, match="max_item_users"):
        Swing(max_item_users=1).fit(X)
    # cold start: an unseen user is scored from its row like ItemCF (x_u S)
    items, scores = Swing(k=10).fit(X[:50]).recommend([50, 51], n=3, user_items=X[50:52])
    S = Swing(k=10).fit(X[:50]).similarity_.toarray()
    dense = X[50:52].toarray() @ S
    dense[X[50:52].toarray() > 0] = -np.inf
    np.testing.assert_allclose(scores, np.sort(dense, axis=1)[:, ::-1][:, :3], rtol=1e-5)

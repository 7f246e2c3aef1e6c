"""The generators are repeatable and their data carries the structure they promise."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.metrics import roc_auc_score

from pai_algos.datasets import make_corpus, make_ctr, make_interactions
from pai_algos.datasets._generators import _hash_keys, _splitmix64

# ---------------------------------------------------------------------------------------------
# make_ctr


def test_ctr_repeatable(seed):
    a = make_ctr(n_samples=300, n_fields=4, random_state=seed, return_weights=True)
    b = make_ctr(n_samples=300, n_fields=4, random_state=seed, return_weights=True)
    assert (a[0] != b[0]).nnz == 0
    assert_array_equal(a[1], b[1])
    assert_array_equal(a[2].coef, b[2].coef)
    c = make_ctr(n_samples=300, n_fields=4, random_state=seed + 1)
    assert (a[0] != c[0]).nnz > 0


@pytest.mark.parametrize("key_bits", [64, 63, 40, 20])
def test_ctr_shapes_and_dtypes(seed, key_bits):
    n, f = 400, 5
    X, y, w = make_ctr(
        n_samples=n, n_fields=f, key_bits=key_bits, random_state=seed, return_weights=True
    )
    assert sp.isspmatrix_csr(X)
    assert X.shape == (n, 2**63 - 1 if key_bits >= 63 else 2**key_bits)
    assert X.indices.dtype == np.int64 and X.indptr.dtype == np.int64
    assert X.data.dtype == np.float64
    assert X.has_sorted_indices
    assert X.indices.min() >= 0 and X.indices.max() < X.shape[1]
    assert y.shape == (n,) and y.dtype == np.int64 and set(np.unique(y)) <= {0, 1}
    # one 1.0 per field per row (no collisions at these widths with 5 small fields)
    assert_array_equal(X.getnnz(axis=1), f)
    assert_array_equal(X.data, 1.0)
    n_pairs = int(w.cardinality.sum())
    for name in ("key", "field", "value", "coef", "probability"):
        assert w[name].shape == (n_pairs,)
    assert w.logit.shape == (n,)
    # every column of X is the key of a known (field, value) pair
    assert np.isin(X.indices, w.key).all()


def test_ctr_keys_are_a_deterministic_hash(seed):
    _, _, w1 = make_ctr(n_samples=50, n_fields=3, random_state=seed, return_weights=True)
    _, _, w2 = make_ctr(n_samples=50, n_fields=3, random_state=seed + 7, return_weights=True)
    assert_array_equal(w1.key, w2.key)  # keys depend on (field, value) only
    assert_array_equal(w1.key, _hash_keys(w1.field, w1.value, 64))
    assert len(np.unique(w1.key)) == len(w1.key)  # no collisions among 10^5 pairs at 63 bits


def test_splitmix64_reference_values():
    # Reference outputs of splitmix64 seeded with 0: the generator's state advances by the
    # golden-ratio constant and the finalizer is applied (Vigna's splitmix64.c).
    gamma = 0x9E3779B97F4A7C15
    states = np.array([(k * gamma) % 2**64 for k in range(3)], dtype=np.uint64)
    out = _splitmix64(states).tolist()
    assert out == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_ctr_row_rebuilds_from_weights(seed):
    X, _, w = make_ctr(n_samples=200, n_fields=4, random_state=seed, return_weights=True)
    coef_of = dict(zip(w.key.tolist(), w.coef.tolist()))
    logit = np.array([sum(coef_of[k] for k in X[i].indices.tolist()) for i in range(200)])
    np.testing.assert_allclose(logit + w.intercept, w.logit, rtol=1e-12, atol=1e-12)


def test_ctr_collisions_are_summed():
    X, _ = make_ctr(n_samples=200, n_fields=6, cardinality=50, key_bits=3, random_state=0)
    assert X.shape[1] == 8 and X.has_canonical_format
    assert_array_equal(np.asarray(X.sum(axis=1)).ravel(), 6.0)
    assert X.getnnz(axis=1).max() <= 8


def test_ctr_power_law_popularity(seed):
    alpha = 1.1
    X, _, w = make_ctr(
        n_samples=20_000,
        n_fields=2,
        cardinality=2000,
        alpha=alpha,
        random_state=seed,
        return_weights=True,
    )
    # value counts of field 0, by popularity rank
    key_to_value = dict(zip(w.key[w.field == 0].tolist(), w.value[w.field == 0].tolist()))
    values = np.array([key_to_value[k] for k in X.indices.tolist() if k in key_to_value])
    counts = np.bincount(values, minlength=2000)
    ranks = np.arange(1, 31)
    slope = np.polyfit(np.log(ranks), np.log(counts[:30]), 1)[0]
    assert -alpha - 0.25 < slope < -alpha + 0.25
    # the head is heavy: the top 1% of values take a large share of the impressions
    assert counts[:20].sum() / counts.sum() > 0.4


def test_ctr_cardinalities_spread():
    _, _, w = make_ctr(n_samples=10, random_state=0, return_weights=True)
    assert w.cardinality[0] == 10 and w.cardinality[-1] == 100_000
    ratios = w.cardinality[1:] / w.cardinality[:-1]
    np.testing.assert_allclose(ratios, ratios.mean(), rtol=0.05)  # log-uniform spread


def test_ctr_labels_follow_the_logistic_model(seed):
    X, y, w = make_ctr(n_samples=5000, random_state=seed, return_weights=True)
    assert 0.05 <= y.mean() <= 0.2
    assert roc_auc_score(y, w.logit) > 0.7
    p = 1.0 / (1.0 + np.exp(-w.logit))
    np.testing.assert_allclose(p.mean(), 0.1, atol=1e-6)  # the intercept hits ctr


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "n_samples must be >= 1"),
        ({"key_bits": 65}, r"key_bits must be in \[1, 64\]"),
        ({"ctr": 1.0}, r"ctr must be in \(0.0, 1.0\)"),
        ({"cardinality": [3, 4]}, "cardinality must be an int or 3 ints"),
        ({"alpha": -1.0}, "alpha must be in"),
    ],
)
def test_ctr_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_ctr(**{"n_samples": 10, "n_fields": 3, **kwargs})


# ---------------------------------------------------------------------------------------------
# make_interactions


def test_interactions_repeatable(seed):
    a = make_interactions(n_users=80, n_items=40, random_state=seed, return_factors=True)
    b = make_interactions(n_users=80, n_items=40, random_state=seed, return_factors=True)
    assert (a[0] != b[0]).nnz == 0
    assert_array_equal(a[1], b[1])
    assert_array_equal(a[2], b[2])


def test_interactions_shapes_and_dtypes(seed):
    X, U, V = make_interactions(
        n_users=150, n_items=70, n_factors=3, random_state=seed, return_factors=True
    )
    assert sp.isspmatrix_csr(X) and X.shape == (150, 70) and X.dtype == np.float32
    assert X.has_canonical_format
    assert U.shape == (150, 3) and V.shape == (70, 3)
    assert X.data.min() >= 1.0 and np.all(X.data == np.round(X.data))


@pytest.mark.parametrize("density", [1e-4, 0.02, 0.3])
def test_interactions_every_user_active(seed, density):
    X = make_interactions(n_users=300, n_items=200, density=density, random_state=seed)
    assert X.getnnz(axis=1).min() >= 1


def test_interactions_density(seed):
    X = make_interactions(n_users=1000, n_items=500, density=0.02, random_state=seed)
    assert 0.015 < X.nnz / (1000 * 500) < 0.025


def _top_decile_share(X):
    counts = np.sort(np.asarray(X.sum(axis=0)).ravel())[::-1]
    return counts[: len(counts) // 10].sum() / counts.sum()


def test_interactions_popularity_skew(seed):
    skewed = make_interactions(popularity_alpha=1.0, random_state=seed)
    flat = make_interactions(popularity_alpha=0.0, random_state=seed)
    # a tenth of the items take over 35% of the interactions; without skew about a quarter
    # (what the latent factors alone give)
    assert _top_decile_share(skewed) > 0.35
    assert _top_decile_share(flat) < _top_decile_share(skewed) - 0.1


def test_interactions_latent_structure(seed):
    k = 4
    X, U, _ = make_interactions(
        n_users=800,
        n_items=300,
        n_factors=k,
        density=0.05,
        random_state=seed,
        return_factors=True,
    )
    B = (X > 0).toarray().astype(np.float64)
    B -= B.mean(axis=0)
    Q = np.linalg.svd(B, full_matrices=False)[0][:, : k + 1]
    Uc = U - U.mean(axis=0)
    # share of each true factor explained by the top singular vectors; a random subspace of
    # the same size explains about (k + 1) / n_users, i.e. < 1%
    r2 = ((Q @ (Q.T @ Uc)) ** 2).sum(axis=0) / (Uc**2).sum(axis=0)
    assert r2.min() > 0.25
    # users with similar factors share items
    rs = np.random.default_rng(seed)
    a, b = rs.integers(0, 800, 2000), rs.integers(0, 800, 2000)
    Bx = (X > 0).toarray().astype(np.float64)
    cos_u = (U[a] * U[b]).sum(1) / np.linalg.norm(U[a], axis=1) / np.linalg.norm(U[b], axis=1)
    overlap = (Bx[a] * Bx[b]).sum(1) / np.sqrt(Bx[a].sum(1) * Bx[b].sum(1))
    assert np.corrcoef(cos_u, overlap)[0, 1] > 0.2


def test_interactions_bad_parameters():
    with pytest.raises(ValueError, match=r"density must be in \(0.0, 1.0\]"):
        make_interactions(density=0.0)
    with pytest.raises(TypeError, match="n_users must be an int"):
        make_interactions(n_users=2.5)


# ---------------------------------------------------------------------------------------------
# make_corpus


def test_corpus_repeatable(seed):
    a = make_corpus(n_documents=20, random_state=seed)
    b = make_corpus(n_documents=20, random_state=seed)
    assert a[0] == b[0]
    for x, y in zip(a[1:], b[1:]):
        assert_array_equal(x, y)


def test_corpus_shapes(seed):
    docs, doc_topic, topic_word, dominant = make_corpus(
        n_documents=30,
        n_topics=4,
        vocabulary_size=120,
        document_length=(5, 9),
        random_state=seed,
    )
    assert isinstance(docs, list) and len(docs) == 30 and all(isinstance(d, str) for d in docs)
    lengths = np.array([len(d.split()) for d in docs])
    assert lengths.min() >= 5 and lengths.max() <= 9
    assert doc_topic.shape == (30, 4) and topic_word.shape == (4, 120)
    np.testing.assert_allclose(doc_topic.sum(axis=1), 1.0)
    np.testing.assert_allclose(topic_word.sum(axis=1), 1.0)
    assert_array_equal(dominant, doc_topic.argmax(axis=1))
    words = {w for d in docs for w in d.split()}
    assert all(w[0] == "w" and len(w) == 5 and 0 <= int(w[1:]) < 120 for w in words)


def test_corpus_mean_length_and_plain_return(seed):
    docs = make_corpus(n_documents=300, document_length=40, random_state=seed, return_topics=False)
    assert isinstance(docs, list)
    lengths = np.array([len(d.split()) for d in docs])
    assert lengths.min() >= 1 and abs(lengths.mean() - 40) < 2


def test_corpus_documents_concentrate_on_their_topic_block(seed):
    n_topics, vocab = 5, 1000
    docs, _, topic_word, dominant = make_corpus(
        n_topics=n_topics, vocabulary_size=vocab, random_state=seed
    )
    block = np.arange(vocab) * n_topics // vocab
    # each topic puts most of its mass on its own block
    own = np.array([topic_word[k, block == k].sum() for k in range(n_topics)])
    assert own.min() > 0.85  # expected 202 / 210 = 0.96 at the defaults
    counts = np.zeros((len(docs), n_topics))
    for d, doc in enumerate(docs):
        ids = np.array([int(w[1:]) for w in doc.split()])
        counts[d] = np.bincount(block[ids], minlength=n_topics)
    share_own = counts[np.arange(len(docs)), dominant] / counts.sum(axis=1)
    assert (counts.argmax(axis=1) == dominant).mean() > 0.85
    assert share_own.mean() > 0.6  # chance is 1 / n_topics


def test_corpus_bad_parameters():
    with pytest.raises(ValueError, match="n_topics must be in"):
        make_corpus(n_topics=20, vocabulary_size=10)
    with pytest.raises(ValueError, match="document_length must"):
        make_corpus(document_length=(10, 5))
    with pytest.raises(ValueError, match="document_length must be an int or"):
        make_corpus(document_length="long")

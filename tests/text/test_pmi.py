"""PMI against a NumPy reference count, its helpers, topic structure and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from pai_algos.datasets import make_corpus
from pai_algos.text import PMI

from ..native import naive_embedding as naive


def _tiny_corpus(rng, n_docs=12, n_words=8):
    words = [f"t{i}" for i in range(n_words)]
    lengths = rng.integers(0, 10, size=n_docs)
    return [[words[j] for j in rng.integers(0, n_words, size=n)] for n in lengths]


@pytest.mark.parametrize("positive", [True, False])
@pytest.mark.parametrize("smoothing", [1.0, 0.75])
@pytest.mark.parametrize("window", [1, 3])
def test_matches_numpy_reference(rng, positive, smoothing, window):
    docs = _tiny_corpus(rng)
    docs.append(["t0", "t1"])  # at least one pair
    est = PMI(window=window, min_count=2, positive=positive, smoothing=smoothing).fit(docs)
    index = est.vocabulary_
    # reference: positions of rare words kept, their pairs not counted
    flat = [index.get(t, -1) for d in docs for t in d]
    offsets = np.cumsum([0] + [len(d) for d in docs])
    M = naive.cooccurrence(np.array(flat, dtype=np.int64), offsets, window, len(index))
    np.testing.assert_array_equal(est.cooccurrence_.toarray(), M)
    ref = naive.pmi(M, smoothing=smoothing, positive=positive)
    got = est.pmi_.toarray()
    stored = np.zeros(M.shape, bool)
    coo = est.pmi_.tocoo()
    stored[coo.row, coo.col] = True
    seen = ~np.isnan(ref)
    np.testing.assert_allclose(got[seen], ref[seen], rtol=1e-12, atol=1e-12)
    if positive:
        # which pairs are kept: those of positive PMI, up to rounding for a PMI of 0
        raw = np.nan_to_num(naive.pmi(M, smoothing=smoothing, positive=False), nan=-1.0)
        clear = np.abs(raw) > 1e-9
        np.testing.assert_array_equal(stored[clear], (raw > 0)[clear])
    else:
        np.testing.assert_array_equal(stored, seen)
    counts = {w: sum(t == w for d in docs for t in d) for w in index}
    assert [counts[w] for w in est.index_to_key_] == list(est.counts_)


def test_most_associated_and_top_pairs():
    docs = ["new york city", "new york times", "the city times", "new york"]
    est = PMI(window=1, min_count=1).fit(docs)
    assert est.index_to_key_ == ["new", "york", "city", "times", "the"]
    # 7 adjacent pairs, 14 ordered: P(new, york) = 3/14, P(new) = 3/14, P(york) = 5/14
    assert est.most_associated("new") == [("york", pytest.approx(np.log(14 / 5)))]
    pairs = est.top_pairs(2)
    assert [(a, b) for a, b, _ in pairs] == [("city", "the"), ("new", "york")]
    assert pairs[0][2] >= pairs[1][2]
    assert len(est.top_pairs(100)) == est.pmi_.nnz // 2


def test_transform_is_the_mean_pmi_row():
    docs = ["new york city", "new york times", "the city times", "new york"]
    est = PMI(window=1, min_count=1).fit(docs)
    Z = est.transform(["new york new", "unknown words", "city"])
    P = est.pmi_.toarray()
    expected = [(2 * P[0] + P[1]) / 3, np.zeros(5), P[2]]
    np.testing.assert_allclose(Z.toarray(), expected, rtol=1e-12)
    assert list(est.get_feature_names_out()) == est.index_to_key_
    assert est.fit_transform(docs).shape == (4, 5)


def test_words_of_a_topic_have_higher_ppmi(seed):
    docs = make_corpus(
        n_documents=150,
        n_topics=3,
        vocabulary_size=60,
        document_length=(30, 60),
        alpha=0.05,
        random_state=seed,
        return_topics=False,
    )
    est = PMI(window=4, min_count=5).fit(docs)
    topic = np.array([int(w[1:]) * 3 // 60 for w in est.index_to_key_])
    P = est.pmi_.toarray()
    same = topic[:, None] == topic[None, :]
    assert P[same].mean() > P[~same].mean() + 0.5  # PPMI of strangers is ~0


def test_bad_input():
    with pytest.raises(ValueError, match="NoneType is an invalid document"):
        PMI(min_count=1).fit([None, "text"])
    with pytest.raises(ValueError, match="Empty corpus"):
        PMI().fit([])
    with pytest.raises(ValueError, match="bytes is an invalid document \\(document 0\\)"):
        PMI(min_count=1).fit([b"\xe9t\xe9 bytes"])
    with pytest.raises(ValueError, match="string object received"):
        PMI(min_count=1).fit("one string")
    with pytest.raises(ValueError, match="vocabulary is empty"):
        PMI(min_count=2).fit(["a bb cc"])
    with pytest.raises(ValueError, match="smoothing"):
        PMI(smoothing=1.5).fit(["some text"])
    est = PMI(min_count=1)
    with pytest.raises(NotFittedError):
        est.most_associated("x")
    with pytest.raises(NotFittedError):
        est.top_pairs()
    with pytest.raises(NotFittedError):
        est.transform(["aa"])
    est.fit(["aa bb cc"])
    with pytest.raises(KeyError, match="word 'zz' not in vocabulary"):
        est.most_associated("zz")

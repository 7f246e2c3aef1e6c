"""KeywordExtractor: TextRank against a NumPy reference, TF-IDF against scikit-learn, and
precision@5 on documents with planted keywords."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.feature_extraction.text import TfidfVectorizer as SkTfidf

from pai_algos.text import KeywordExtractor, RegexTokenizer

from ..native import naive_strings as naive


def pseudo_words(rng, n, length=(5, 9)):
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = set()
    while len(words) < n:
        w = "".join(rng.choice(letters, size=int(rng.integers(*length))))
        if w not in ENGLISH_STOP_WORDS:
            words.add(w)
    return sorted(words)


def planted_corpus(rng, n_docs=30, n_planted=5, repeats=5, n_filler=100):
    """Documents that repeat a few planted keywords among filler words (mostly seen once)."""
    vocab = pseudo_words(rng, 3040)
    pool, filler = vocab[:40], vocab[40:]
    stop = sorted(ENGLISH_STOP_WORDS)
    docs, truth = [], []
    for _ in range(n_docs):
        planted = list(rng.choice(pool, size=n_planted, replace=False))
        tokens = planted * repeats + list(rng.choice(filler, size=n_filler))
        tokens += list(rng.choice(stop, size=30))
        rng.shuffle(tokens)
        docs.append(" ".join(tokens[:40]) + ". " + " ".join(tokens[40:]) + ".")
        truth.append(set(planted))
    return docs, truth


@pytest.mark.parametrize("method", ["textrank", "tfidf"])
def test_precision_at_5_on_planted_keywords(rng, method):
    docs, truth = planted_corpus(rng)
    got = KeywordExtractor(method, top_k=5).fit(docs).transform(docs)
    precision = np.mean([len(set(k) & t) / 5 for k, t in zip(got, truth)])
    # planted words occur 5 times with ~10 distinct neighbours, filler ~once: precision is
    # near 1; 0.6 is the required floor
    assert precision >= 0.6, precision


def _reference_textrank(doc, window, damping=0.85):
    tokens = [t for t in RegexTokenizer().fit_transform([doc])[0] if t not in ENGLISH_STOP_WORDS]
    words = list(dict.fromkeys(tokens))
    index = {w: i for i, w in enumerate(words)}
    adj = np.zeros((len(words), len(words)))
    for i in range(len(tokens)):
        for k in range(1, window):
            if i + k < len(tokens) and tokens[i] != tokens[i + k]:
                a, b = index[tokens[i]], index[tokens[i + k]]
                adj[a, b] += 1
                adj[b, a] += 1
    return words, naive.pagerank(adj, damping) if words else np.zeros(0)


@pytest.mark.parametrize("window", [2, 4])
def test_textrank_scores_match_reference(rng, window):
    vocab = ["alpha", "beta", "gamma", "delta", "the", "and", "café", "北京", "x"]
    docs = [" ".join(rng.choice(vocab, size=int(rng.integers(0, 40)))) for _ in range(12)]
    est = KeywordExtractor(top_k=100, window=window, tol=1e-12, max_iter=1000)
    keywords, scores = est.set_params(return_scores=True).fit(docs).transform(docs)
    for doc, kw, sc in zip(docs, keywords, scores):
        words, ref = _reference_textrank(doc, window)
        assert sorted(kw) == sorted(words)
        got = dict(zip(kw, sc))
        np.testing.assert_allclose([got[w] for w in words], ref, atol=1e-9)
        assert np.all(np.diff(sc) <= 0)


def test_tfidf_matches_scikit_learn(rng):
    docs, _ = planted_corpus(rng, n_docs=12, n_filler=30)
    est = KeywordExtractor("tfidf", top_k=7, return_scores=True).fit(docs)
    keywords, scores = est.transform(docs[:5])
    sk = SkTfidf(stop_words="english").fit(docs)
    X = sk.transform(docs[:5]).toarray()
    names = sk.get_feature_names_out()
    for row, kw, sc in zip(X, keywords, scores):
        order = np.lexsort((np.arange(len(row)), -row))[:7]
        assert kw == list(names[order])
        np.testing.assert_allclose(sc, row[order], rtol=1e-12)


def test_outputs_and_edge_documents():
    docs = ["the and of", "", "solo", "Cats chase mice. Mice fear cats."]
    est = KeywordExtractor(top_k=2).fit(docs)
    got = est.transform(docs)
    assert got[:3] == [[], [], ["solo"]]
    # the graph is the 4-cycle cats-chase-mice-fear: equal scores, ties by first appearance
    assert got[3] == ["cats", "chase"]
    kw, sc = est.set_params(return_scores=True).transform(docs[2:])
    np.testing.assert_allclose(sc[0], [1.0])
    assert KeywordExtractor(stop_words=None, top_k=1).fit(docs).transform(["the the the"]) == [
        ["the"]
    ]
    assert KeywordExtractor(stop_words=["cats"], top_k=1).fit(docs).transform([docs[3]]) == [
        ["mice"]
    ]
    assert KeywordExtractor().fit(docs).transform([]) == []


def test_bad_input():
    with pytest.raises(NotFittedError):
        KeywordExtractor().transform(["a b"])
    with pytest.raises(ValueError, match="Empty corpus"):
        KeywordExtractor().fit([])
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 0\\)"):
        KeywordExtractor().fit([None])
    with pytest.raises(ValueError, match="float is an invalid document"):
        KeywordExtractor("tfidf").fit(["ok", 1.5])
    with pytest.raises(ValueError, match="Document 1 cannot be decoded as 'utf-8'"):
        KeywordExtractor().fit(["ok", b"\xff\xfe\xfa"])
    with pytest.raises(ValueError, match="No keyword candidates"):
        KeywordExtractor("tfidf").fit(["the and of"])
    with pytest.raises(ValueError, match="window"):
        KeywordExtractor(window=1).fit(["a b"])

"""TextSummarizer: scores against a NumPy TextRank reference and precision@5 on documents with
planted salient sentences."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from pai_algos.text import RegexTokenizer, SentenceSplitter, TextSummarizer

from ..native import naive_strings as naive
from .test_keywords import pseudo_words


def planted_documents(rng, n_docs=20, n_salient=6, n_noise=10):
    """Salient sentences share topic words; noise sentences are made of unique words."""
    docs, truth = [], []
    for _ in range(n_docs):
        vocab = pseudo_words(rng, 6 + 7 * n_noise + 3 * n_salient)
        topic, rest = vocab[:6], vocab[6:]
        sentences, salient = [], []
        for i in range(n_salient):
            words = list(rng.choice(topic, size=4, replace=False)) + rest[3 * i : 3 * i + 3]
            rng.shuffle(words)
            sentences.append(" ".join(words).capitalize() + ".")
            salient.append(sentences[-1])
        noise_words = rest[3 * n_salient :]
        for i in range(n_noise):
            sentences.append(" ".join(noise_words[7 * i : 7 * i + 7]).capitalize() + ".")
        rng.shuffle(sentences)
        docs.append(" ".join(sentences))
        truth.append(set(salient))
    return docs, truth


def test_precision_at_5_on_planted_sentences(rng):
    docs, truth = planted_documents(rng)
    summaries = TextSummarizer(n_sentences=5).fit(docs).transform(docs)
    precision = np.mean([len(set(s) & t) / 5 for s, t in zip(summaries, truth)])
    # noise sentences share no word with any other sentence, so they get the minimum score
    assert precision >= 0.6, precision
    for doc, summary in zip(docs, summaries):
        positions = [doc.index(s) for s in summary]
        assert positions == sorted(positions)  # original order


def test_scores_match_reference(rng):
    words = ["alpha", "beta", "gamma", "delta", "the", "北京", "café"]
    docs = []
    for _ in range(6):
        k = int(rng.integers(0, 7))
        docs.append(
            " ".join(
                " ".join(rng.choice(words, size=int(rng.integers(1, 6)))).capitalize() + "."
                for _ in range(k)
            )
        )
    est = TextSummarizer(tol=1e-12, max_iter=1000).fit(docs)
    sentences, scores = est.sentence_scores(docs)
    assert sentences == SentenceSplitter().fit(docs).transform(docs)
    for sent, sc in zip(sentences, scores):
        sets = [
            {t for t in RegexTokenizer().fit_transform([s])[0] if t not in ENGLISH_STOP_WORDS}
            for s in sent
        ]
        n = len(sent)
        adj = np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                if i != j:
                    adj[i, j] = naive.textrank_overlap(sets[i], sets[j])
        ref = naive.pagerank(adj) if n else np.zeros(0)
        np.testing.assert_allclose(sc, ref, atol=1e-9)


def test_short_documents():
    est = TextSummarizer(n_sentences=2).fit(["x"])
    assert est.transform(["", "Only one.", "One. Two."]) == [[], ["Only one."], ["One.", "Two."]]
    assert est.transform([]) == []


def test_bad_input():
    with pytest.raises(NotFittedError):
        TextSummarizer().transform(["A. B."])
    with pytest.raises(ValueError, match="Empty corpus"):
        TextSummarizer().fit([])
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 1\\)"):
        TextSummarizer().fit(["ok", None])
    with pytest.raises(ValueError, match="Document 0 cannot be decoded as 'utf-8'"):
        TextSummarizer().fit([b"\xc3\x28"])
    with pytest.raises(ValueError, match="n_sentences"):
        TextSummarizer(n_sentences=0).fit(["a"])

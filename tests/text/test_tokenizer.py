"""RegexTokenizer and StopWordsRemover."""

from __future__ import annotations

import re

import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.pipeline import make_pipeline

from pai_algos.text import CountVectorizer, RegexTokenizer, StopWordsRemover

from .test_vectorizers import MULTILINGUAL, corpus


def test_default_pattern_is_re_findall(seed):
    docs = corpus(seed, n=60)
    got = RegexTokenizer().fit_transform(docs)
    assert got == [re.findall(r"(?u)\b\w\w+\b", d.lower()) for d in docs]
    got = RegexTokenizer(lowercase=False).fit_transform(MULTILINGUAL)
    assert got == [re.findall(r"(?u)\b\w\w+\b", d) for d in MULTILINGUAL]


def test_pandas_and_arrow_input():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    want = RegexTokenizer().fit_transform(MULTILINGUAL)
    assert RegexTokenizer().fit_transform(pd.Series(MULTILINGUAL)) == want
    assert RegexTokenizer().fit_transform(pa.array(MULTILINGUAL)) == want


def test_other_patterns_and_options():
    docs = ["Café au lait,  Crème"]
    assert RegexTokenizer(r"\s+", gaps=True).fit_transform(docs) == [
        ["café", "au", "lait,", "crème"]
    ]
    assert RegexTokenizer(r"\w+", strip_accents="ascii").fit_transform(docs) == [
        ["cafe", "au", "lait", "creme"]
    ]
    assert RegexTokenizer(r"\w+", min_token_length=4).fit_transform(docs) == [
        ["café", "lait", "crème"]
    ]


def test_segmenter():
    words = {"我爱北京": ["我", "爱", "北京"]}
    tok = RegexTokenizer(segmenter=words.__getitem__)
    assert tok.fit_transform(["我爱北京"]) == [["北京"]]  # single characters are below the pattern
    tok = RegexTokenizer(r"\w+", segmenter=words.__getitem__)
    assert tok.fit_transform(["我爱北京"]) == [["我", "爱", "北京"]]


def test_stop_words_remover():
    tokens = [["the", "Quick", "fox", "AND"], []]
    assert StopWordsRemover().fit_transform(tokens) == [["Quick", "fox"], []]
    assert StopWordsRemover(case_sensitive=True).fit_transform(tokens) == [
        ["Quick", "fox", "AND"],
        [],
    ]
    assert StopWordsRemover(["fox"], extra_stop_words=["Quick"]).fit_transform(tokens) == [
        ["the", "AND"],
        [],
    ]
    assert StopWordsRemover().fit(tokens).stop_words_ == ENGLISH_STOP_WORDS


def test_stop_words_remover_pandas_and_arrow_input():
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    tokens = [["the", "Quick", "fox", "AND"], [], ["北京", "of"]]
    want = [["Quick", "fox"], [], ["北京"]]
    assert StopWordsRemover().fit_transform(pd.Series(tokens)) == want
    assert StopWordsRemover().fit_transform(pa.array(tokens)) == want
    assert StopWordsRemover().fit_transform(pa.chunked_array([tokens[:1], tokens[1:]])) == want
    assert StopWordsRemover().fit_transform(t for t in tokens) == want


def test_pipeline_matches_vectorizer_stop_words(seed):
    docs = corpus(seed, n=40)
    pipe = make_pipeline(
        RegexTokenizer(),
        StopWordsRemover(),
        CountVectorizer(analyzer=lambda tokens: tokens),
    )
    direct = CountVectorizer(stop_words="english")
    assert (pipe.fit_transform(docs) != direct.fit_transform(docs)).nnz == 0
    assert pipe[-1].vocabulary_ == direct.vocabulary_


def test_bad_input():
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        RegexTokenizer().fit("one string")
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 1\\)"):
        RegexTokenizer().fit(["ok", None])
    with pytest.raises(ValueError, match="Document 0 is a str, expected a list of tokens"):
        StopWordsRemover().fit(["not tokenized"])
    with pytest.raises(ValueError, match="Document 1 is a NoneType, expected a list of tokens"):
        StopWordsRemover().fit([["a"], None])
    with pytest.raises(ValueError, match="Token 1 of document 0 is a NoneType, expected a str"):
        StopWordsRemover().fit([["a", None]])
    with pytest.raises(ValueError, match="Token 0 of document 1 is a int, expected a str"):
        StopWordsRemover(case_sensitive=True).fit([["a"]]).transform([["b"], [3]])
    with pytest.raises(ValueError, match="Expected an iterable of token lists, got a string"):
        StopWordsRemover().fit("the tokens")
    with pytest.raises(ValueError, match="bytes is an invalid document \\(document 0\\)"):
        RegexTokenizer().fit([b"bytes are not decoded"])
    with pytest.raises(ValueError, match="float is an invalid document \\(document 1\\)"):
        RegexTokenizer().fit(pytest.importorskip("pandas").Series(["ok", None]))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        RegexTokenizer().transform(["a"])
    with pytest.raises(NotFittedError):
        StopWordsRemover().transform([["a"]])


@pytest.mark.parametrize("case_sensitive", [False, True])
def test_stop_words_remover_fit_transform_bad_token_fits_nothing(case_sensitive):
    """fit_transform checks while it removes: a bad token still raises, and nothing is fitted."""
    est = StopWordsRemover(case_sensitive=case_sensitive)
    with pytest.raises(ValueError, match="Token 1 of document 1 is a int, expected a str"):
        est.fit_transform([["a", "b"], ["c", 3]])
    assert not hasattr(est, "stop_words_")
    with pytest.raises(ValueError, match="Document 0 is a str, expected a list of tokens"):
        est.fit_transform(["not tokenized"])
    # numpy string tokens are str subclasses and pass
    np = pytest.importorskip("numpy")
    assert est.fit_transform([list(np.array(["the", "fox"]))]) == [["fox"]]

"""pai_algos.text vectorizers against scikit-learn: same vocabulary, same matrices (1e-12)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction import text as sk

from pai_algos import text as ours
from pai_algos.datasets import make_corpus

MULTILINGUAL = [
    "The Café serves crème brûlée, naïve façade!",
    "北京欢迎你。東京タワー と 서울 İstanbul",
    "ΣΟΦΟΣ σοφός Straße STRASSE ǅemal",
    "emoji 😀 party 🎉🎉 ok_ok x2 3.14 don't",
    "",
    "a b c d",
    "Hello, World! HELLO world\tand\n\nthe  end",
    "the and of to",
]


def corpus(seed, n=120):
    docs = make_corpus(
        n_documents=n,
        n_topics=4,
        vocabulary_size=200,
        document_length=(2, 25),
        random_state=seed,
        return_topics=False,
    )
    return docs + MULTILINGUAL


def assert_same_matrix(got, want):
    assert type(got) is type(want)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    got, want = sp.csr_matrix(got), sp.csr_matrix(want)
    want.sort_indices()
    np.testing.assert_array_equal(got.indptr, want.indptr)
    np.testing.assert_array_equal(got.indices, want.indices)
    np.testing.assert_allclose(got.data, want.data, rtol=1e-12, atol=1e-12)


GRID = [
    {},
    {"ngram_range": (1, 2)},
    {"ngram_range": (2, 3), "stop_words": "english"},
    {"stop_words": ["the", "and", "w0001", "w0002"]},
    {"analyzer": "char", "ngram_range": (1, 3)},
    {"analyzer": "char_wb", "ngram_range": (2, 5)},
    {"analyzer": "char_wb", "ngram_range": (1, 1), "lowercase": False},
    {"token_pattern": r"(?u)\b\w+\b", "ngram_range": (1, 2)},
    {"tokenizer": str.split, "token_pattern": None},
    {"min_df": 2, "max_df": 0.5},
    {"min_df": 0.05, "max_df": 20, "ngram_range": (1, 2)},
    {"max_features": 40},
    {"max_features": 25, "ngram_range": (1, 2), "binary": True},
    {"binary": True},
    {"lowercase": False},
    {"strip_accents": "unicode"},
    {"strip_accents": "ascii", "analyzer": "char"},
    {"preprocessor": lambda d: d.upper()},
    {"analyzer": lambda d: d.split()[:3]},
]
TFIDF_GRID = [
    {},
    {"sublinear_tf": True, "ngram_range": (1, 2)},
    {"norm": "l1", "smooth_idf": False},
    {"norm": None, "use_idf": False},
    {"dtype": np.float32, "ngram_range": (1, 2)},
    {"analyzer": "char_wb", "ngram_range": (2, 4), "sublinear_tf": True},
]


def _pair(name, params):
    return getattr(ours, name)(**params), getattr(sk, name)(**params)


def _param_id(params):
    """A stable test id (a lambda's repr holds its address, which differs per xdist worker)."""
    return repr({k: (v.__name__ if callable(v) else v) for k, v in params.items()})


@pytest.mark.parametrize("params", GRID, ids=_param_id)
@pytest.mark.parametrize("name", ["CountVectorizer", "TfidfVectorizer"])
def test_same_as_sklearn(name, params, seed):
    docs = corpus(seed)
    new_docs = corpus(seed + 1, n=30)
    a, b = _pair(name, params)
    assert_same_matrix(a.fit_transform(docs), b.fit_transform(docs))
    assert a.vocabulary_ == b.vocabulary_
    np.testing.assert_array_equal(a.get_feature_names_out(), b.get_feature_names_out())
    assert_same_matrix(a.transform(new_docs), b.transform(new_docs))
    a2, b2 = _pair(name, params)
    assert_same_matrix(a2.fit(docs).transform(docs), b2.fit(docs).transform(docs))


@pytest.mark.parametrize("params", TFIDF_GRID, ids=_param_id)
def test_tfidf_options(params, seed):
    docs = corpus(seed)
    a, b = _pair("TfidfVectorizer", params)
    assert_same_matrix(a.fit_transform(docs), b.fit_transform(docs))
    if a.use_idf:
        np.testing.assert_allclose(a.idf_, b.idf_, rtol=1e-12)
        assert a.idf_.dtype == b.idf_.dtype
    assert_same_matrix(a.transform(docs[:10]), b.transform(docs[:10]))


@pytest.mark.parametrize(
    "vocabulary",
    [
        ["w0001", "w0002 w0003", "café", "北京欢迎你", "missing", "Upper"],
        {"w0005": 1, "the": 0, "and the": 2},
    ],
    ids=["list", "dict"],
)
@pytest.mark.parametrize("analyzer", ["word", "char"])
def test_fixed_vocabulary(vocabulary, analyzer, seed):
    docs = corpus(seed)
    params = {"vocabulary": vocabulary, "ngram_range": (1, 2), "analyzer": analyzer}
    a, b = _pair("CountVectorizer", params)
    with pytest.warns(UserWarning) if "Upper" in vocabulary else _no_warning():
        got = a.fit_transform(docs)
    with pytest.warns(UserWarning) if "Upper" in vocabulary else _no_warning():
        want = b.fit_transform(docs)
    assert_same_matrix(got, want)
    assert a.fixed_vocabulary_
    # transform without fit works with a given vocabulary, as in scikit-learn
    assert_same_matrix(ours.CountVectorizer(**params).transform(docs), want)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"ngram_range": (1, 2), "stop_words": "english"},
        {"analyzer": "char_wb", "ngram_range": (2, 4)},
        {"analyzer": "char", "ngram_range": (1, 2), "binary": True},
        {"token_pattern": r"\S+", "alternate_sign": False, "norm": None},
        {"norm": "l1", "n_features": 2**10, "dtype": np.float32},
        {"n_features": 2**31 - 2},
    ],
    ids=repr,
)
def test_hashing_same_as_sklearn(params, seed):
    docs = corpus(seed)
    a, b = _pair("HashingVectorizer", params)
    assert_same_matrix(a.fit_transform(docs), b.fit_transform(docs))
    assert_same_matrix(a.transform(docs[:7]), b.transform(docs[:7]))


def _lee_corpus():
    """gensim's Lee news corpus (300 Australian news stories, one per line, UTF-8)."""
    utils = pytest.importorskip("gensim.test.utils", reason="gensim ships the Lee news corpus")
    with open(utils.datapath("lee_background.cor"), encoding="utf-8") as f:
        return f.read().splitlines()


REAL_CORPUS_CASES = [
    ("CountVectorizer", {}),
    ("CountVectorizer", {"ngram_range": (1, 2), "min_df": 2, "max_df": 0.9}),
    ("CountVectorizer", {"analyzer": "char_wb", "ngram_range": (2, 4), "max_features": 2000}),
    ("CountVectorizer", {"stop_words": "english", "binary": True, "lowercase": False}),
    ("TfidfVectorizer", {}),
    ("TfidfVectorizer", {"ngram_range": (1, 2), "sublinear_tf": True, "min_df": 2}),
    ("TfidfVectorizer", {"analyzer": "char", "ngram_range": (1, 3), "norm": "l1"}),
    ("TfidfVectorizer", {"token_pattern": r"(?u)\b\w+\b", "max_features": 500}),
    ("HashingVectorizer", {}),
    ("HashingVectorizer", {"ngram_range": (1, 2), "stop_words": "english"}),
    ("HashingVectorizer", {"analyzer": "char_wb", "ngram_range": (2, 4), "n_features": 2**12}),
]


@pytest.mark.parametrize(
    "name, params", REAL_CORPUS_CASES, ids=[f"{n}-{_param_id(p)}" for n, p in REAL_CORPUS_CASES]
)
def test_same_as_sklearn_on_a_real_corpus(name, params):
    docs = _lee_corpus()
    train, test = docs[:250], docs[250:]
    a, b = _pair(name, params)
    assert_same_matrix(a.fit_transform(train), b.fit_transform(train))
    assert_same_matrix(a.transform(test), b.transform(test))
    if name != "HashingVectorizer":
        assert a.vocabulary_ == b.vocabulary_
        assert len(a.vocabulary_) > 100


def test_hashing_64_bit_keys(seed):
    docs = corpus(seed, n=40)
    n_features = 2**63 - 1
    X = ours.HashingVectorizer(hash_bits=64, n_features=n_features, norm=None).fit_transform(docs)
    assert X.shape == (len(docs), n_features)
    assert X.indices.dtype == np.int64
    assert X.indices.max() > 2**40  # columns spread over the 64-bit range
    counts = ours.CountVectorizer().fit_transform(docs)
    # no collisions among a few hundred terms: each row keeps its number of distinct terms
    np.testing.assert_array_equal(np.diff(X.indptr), np.diff(counts.indptr))
    np.testing.assert_array_equal(np.abs(X).sum(axis=1), counts.sum(axis=1))


def test_inverse_transform(seed):
    docs = corpus(seed)
    a, b = _pair("CountVectorizer", {"ngram_range": (1, 2)})
    X = a.fit_transform(docs)
    b.fit(docs)
    for got, want in zip(a.inverse_transform(X), b.inverse_transform(X), strict=True):
        np.testing.assert_array_equal(np.sort(got), np.sort(want))
    dense = X[:5].toarray()
    for got, want in zip(a.inverse_transform(dense), b.inverse_transform(dense), strict=True):
        np.testing.assert_array_equal(got, want)


def test_pandas_and_arrow_input(seed):
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    docs = corpus(seed)
    ascii_docs = [d for d in docs if d.isascii()]
    want = sk.TfidfVectorizer(ngram_range=(1, 2)).fit_transform(docs)
    want_ascii = sk.TfidfVectorizer(ngram_range=(1, 2)).fit_transform(ascii_docs)
    for data, ref in [
        (pd.Series(docs), want),
        (np.array(docs, dtype=object), want),
        (pa.array(docs), want),
        (pa.chunked_array([docs[:50], docs[50:]], type=pa.large_string()), want),
        (pa.array(ascii_docs), want_ascii),  # ASCII Arrow data goes to the kernels as it is
        (pa.array(ascii_docs).slice(0), want_ascii),
    ]:
        got = ours.TfidfVectorizer(ngram_range=(1, 2)).fit_transform(data)
        assert_same_matrix(got, ref)
    sliced = pa.array(["zz " + d for d in ascii_docs]).slice(3, 20)
    assert_same_matrix(
        ours.CountVectorizer().fit_transform(sliced),
        sk.CountVectorizer().fit_transform(sliced.to_pylist()),
    )
    hashed = ours.HashingVectorizer().fit_transform(pa.array(ascii_docs))
    assert_same_matrix(hashed, sk.HashingVectorizer().fit_transform(ascii_docs))


def test_bytes_and_decode_error():
    docs = ["café au lait".encode("latin-1"), b"plain text"]
    with pytest.raises(ValueError, match="Document 0 cannot be decoded as 'utf-8'"):
        ours.CountVectorizer().fit(docs)
    for mode in ("ignore", "replace"):
        a, b = _pair("CountVectorizer", {"decode_error": mode})
        assert_same_matrix(a.fit_transform(docs), b.fit_transform(docs))
        assert a.vocabulary_ == b.vocabulary_
    a, b = _pair("CountVectorizer", {"encoding": "latin-1"})
    assert_same_matrix(a.fit_transform(docs), b.fit_transform(docs))
    assert "café" in a.vocabulary_
    # an unknown encoding: scikit-learn raises a bare LookupError; ours is a ValueError
    # naming the encoding, as the other text estimators raise, and still a LookupError
    for name in ("CountVectorizer", "TfidfVectorizer", "HashingVectorizer"):
        with pytest.raises(LookupError, match="unknown encoding: klingon"):
            getattr(sk, name)(encoding="klingon").fit_transform(docs)
        with pytest.raises(LookupError, match="Unknown encoding 'klingon'"):
            getattr(ours, name)(encoding="klingon").fit_transform(docs)


DECODE_PATHS = [
    {},
    {"ngram_range": (1, 2), "stop_words": "english"},
    {"analyzer": "char_wb", "ngram_range": (2, 3)},
    {"token_pattern": r"\w+"},
    {"analyzer": str.split},
    {"preprocessor": str.upper},
]


@pytest.mark.parametrize("params", DECODE_PATHS, ids=_param_id)
@pytest.mark.parametrize("name", ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer"])
def test_undecodable_bytes_name_the_document(name, params):
    """Bytes in a wrong or unknown encoding: the errors of the other text estimators, on
    every analysis path, in fit and in transform."""
    good = [b"plain text here", "caf\u00e9 au lait".encode("utf-8")]
    bad = [*good, "caf\u00e9 au lait".encode("latin-1")]
    want = (
        "Document 2 cannot be decoded as 'utf-8' (invalid continuation byte at byte 3); "
        "pass its encoding or decode_error='replace'."
    )
    with pytest.raises(ValueError) as info:
        getattr(ours, name)(**params).fit_transform(bad)
    assert str(info.value) == want
    # still the exception scikit-learn raises, for code that catches it
    assert isinstance(info.value, UnicodeDecodeError)
    with pytest.raises(UnicodeDecodeError):
        getattr(sk, name)(**params).fit_transform(bad)
    fitted = getattr(ours, name)(**params).fit(good)
    with pytest.raises(ValueError, match="^Document 2 cannot be decoded as 'utf-8'"):
        fitted.transform(bad)
    with pytest.raises(ValueError, match="^Unknown encoding 'klingon'.$"):
        getattr(ours, name)(encoding="klingon", **params).fit_transform(good)
    with pytest.raises(ValueError, match="^Document 1 cannot be decoded as 'ascii'"):
        getattr(ours, name)(encoding="ascii", **params).fit_transform(bad)
    # valid input, including the replacement of the bad bytes: scikit-learn's matrix
    a, b = _pair(name, {**params, "decode_error": "replace"})
    assert_same_matrix(a.fit_transform(bad), b.fit_transform(bad))


def test_undecodable_bytes_same_error_as_other_estimators():
    bad = [b"ok.", "caf\u00e9.".encode("latin-1")]
    with pytest.raises(ValueError) as theirs:
        ours.SentenceSplitter().fit(bad)
    with pytest.raises(ValueError) as vectorizer:
        ours.TfidfVectorizer().fit(bad)
    assert str(vectorizer.value) == str(theirs.value)
    assert type(vectorizer.value) is type(theirs.value)
    # the error survives pickling (joblib workers send it back to the parent)
    again = pickle.loads(pickle.dumps(vectorizer.value))
    assert type(again) is type(vectorizer.value) and str(again) == str(vectorizer.value)
    with pytest.raises(ValueError) as theirs:
        ours.KeywordExtractor(encoding="klingon").fit(bad)
    with pytest.raises(ValueError) as vectorizer:
        ours.HashingVectorizer(encoding="klingon").fit_transform(bad)
    assert str(vectorizer.value) == str(theirs.value) == "Unknown encoding 'klingon'."


@pytest.mark.parametrize("name", ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer"])
def test_undecodable_files_and_arrow_binary(name, tmp_path):
    pa = pytest.importorskip("pyarrow")
    texts = [b"first file", "caf\u00e9 file".encode("latin-1")]
    paths = []
    for i, data in enumerate(texts):
        paths.append(tmp_path / f"doc{i}.txt")
        paths[-1].write_bytes(data)
    with pytest.raises(ValueError, match="^Document 1 cannot be decoded as 'utf-8'"):
        getattr(ours, name)(input="filename").fit_transform([str(p) for p in paths])
    a, b = _pair(name, {"input": "filename", "encoding": "latin-1"})
    files = [str(p) for p in paths]
    assert_same_matrix(a.fit_transform(files), b.fit_transform(files))
    with pytest.raises(ValueError, match="^Document 1 cannot be decoded as 'utf-8'"):
        getattr(ours, name)().fit_transform(pa.array(texts, pa.binary()))


def test_segmenter_for_text_without_spaces():
    docs = ["我爱北京天安门", "北京是首都"]
    table = {"我爱北京天安门": ["我", "爱", "北京", "天安门"], "北京是首都": ["北京", "是", "首都"]}
    vec = ours.CountVectorizer(segmenter=table.__getitem__).fit(docs)
    assert vec.get_feature_names_out().tolist() == ["北京", "天安门", "首都"]
    # without a segmenter the default pattern sees one long word per document
    assert len(ours.CountVectorizer().fit(docs).vocabulary_) == 2
    # character n-grams work out of the box
    char = ours.CountVectorizer(analyzer="char", ngram_range=(2, 2)).fit(docs)
    assert (
        char.vocabulary_
        == sk.CountVectorizer(analyzer="char", ngram_range=(2, 2)).fit(docs).vocabulary_
    )
    hashed = ours.HashingVectorizer(segmenter=table.__getitem__, norm=None).fit_transform(docs)
    assert hashed.getnnz(axis=1).tolist() == [2, 2]


@pytest.mark.parametrize("name", ["CountVectorizer", "TfidfVectorizer", "HashingVectorizer"])
def test_bad_documents(name):
    est = getattr(ours, name)()
    with pytest.raises(ValueError, match="Iterable over raw text documents expected"):
        est.fit_transform("just one string")
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 1\\)"):
        est.fit_transform(["fine", None])
    with pytest.raises(ValueError, match="int is an invalid document \\(document 0\\)"):
        est.fit_transform([3, "text"])
    with pytest.raises(ValueError, match="np.nan is an invalid document"):
        est.fit_transform(["text", np.nan])


def test_bad_arrow_documents():
    pa = pytest.importorskip("pyarrow")
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 1\\)"):
        ours.CountVectorizer().fit(pa.array(["a b", None]))


@pytest.mark.parametrize("name", ["CountVectorizer", "TfidfVectorizer"])
def test_empty_vocabulary_errors(name):
    est = getattr(ours, name)
    with pytest.raises(ValueError, match="empty vocabulary; perhaps the documents only"):
        est().fit([])
    with pytest.raises(ValueError, match="empty vocabulary; perhaps the documents only"):
        est(stop_words="english").fit(["the and of", "a"])
    with pytest.raises(ValueError, match="After pruning, no terms remain"):
        est(min_df=3).fit(["aa bb", "cc dd", "ee"])
    with pytest.raises(ValueError, match="max_df corresponds to < documents than min_df"):
        est(min_df=3, max_df=2).fit(["aa bb", "cc dd", "aa"])
    with pytest.raises(ValueError, match="empty vocabulary passed to fit"):
        est(vocabulary=[]).fit(["aa"])
    with pytest.raises(ValueError, match="Duplicate term in vocabulary: 'aa'"):
        est(vocabulary=["aa", "aa"]).fit(["aa"])
    with pytest.raises(ValueError, match="lower boundary larger than the upper boundary"):
        est(ngram_range=(2, 1)).fit(["aa"])


def test_transform_before_fit():
    with pytest.raises(NotFittedError, match="Vocabulary not fitted or provided"):
        ours.CountVectorizer().transform(["aa"])
    with pytest.raises(NotFittedError, match="The TF-IDF vectorizer is not fitted"):
        ours.TfidfVectorizer().transform(["aa"])
    with pytest.raises(NotFittedError, match="TfidfTransformer instance is not fitted"):
        ours.TfidfTransformer().transform(np.ones((2, 2)))
    # stateless: transform before fit is fine
    assert ours.HashingVectorizer(n_features=8).transform(["aa bb"]).shape == (1, 8)
    with pytest.raises(ValueError, match="Cannot vectorize empty sequence"):
        ours.HashingVectorizer().transform([])
    with pytest.raises(ValueError, match="needs hash_bits=64"):
        ours.HashingVectorizer(n_features=2**40).fit(["aa"])


def test_tfidf_transformer_same_as_sklearn(rng):
    counts = sp.random(60, 30, density=0.2, random_state=int(rng.integers(1 << 30)), format="csr")
    counts.data = np.ceil(counts.data * 5)
    for params in [{}, {"norm": "l1", "sublinear_tf": True}, {"use_idf": False}]:
        for X in (counts, counts.tocsc(), counts.toarray(), counts.astype(np.float32)):
            a, b = _pair("TfidfTransformer", params)
            assert_same_matrix(a.fit(X).transform(X), b.fit(X).transform(X))


def test_sparse_interface_setting():
    from sklearn import config_context

    with config_context(sparse_interface="sparray"):
        X = ours.TfidfVectorizer().fit_transform(["aa bb", "bb cc"])
        assert isinstance(X, sp.csr_array)
    assert isinstance(ours.TfidfVectorizer().fit_transform(["aa bb"]), sp.csr_matrix)


def test_warnings_like_sklearn():
    with pytest.warns(UserWarning, match="stop_words may be inconsistent"):
        ours.CountVectorizer(stop_words=["don't"]).fit(["don't stop"])
    with pytest.warns(UserWarning, match="'token_pattern' will not be used"):
        ours.CountVectorizer(tokenizer=str.split).fit(["aa bb"])
    with pytest.warns(UserWarning, match="Only .* 'dtype' should be used"):
        ours.TfidfVectorizer(dtype=np.int64).fit(["aa bb"])


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_parallel_kernels_same_result(monkeypatch, seed, n_jobs):
    import numba

    from pai_algos.text import _engine

    monkeypatch.setattr(_engine, "_PARALLEL_MIN_DOCUMENTS", 0)  # use the thread pool
    docs = corpus(seed)
    previous = numba.get_num_threads()
    numba.set_num_threads(min(n_jobs, numba.config.NUMBA_NUM_THREADS))
    try:
        for name, params in [
            ("TfidfVectorizer", {"ngram_range": (1, 2), "stop_words": "english"}),
            ("CountVectorizer", {"analyzer": "char_wb", "ngram_range": (2, 3)}),
            ("HashingVectorizer", {"ngram_range": (1, 2)}),
        ]:
            a, b = _pair(name, params)
            assert_same_matrix(a.fit_transform(docs), b.fit_transform(docs))
    finally:
        numba.set_num_threads(previous)

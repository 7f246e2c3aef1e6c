"""pai_algos_native.cpu.text against the plain-Python references in naive_text."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils import murmurhash3_32

from pai_algos.text._engine import utf8_buffer, word_table
from pai_algos_native.cpu import text as kern

from . import naive_text as naive

ALPHABET = list("abcXYZ_09 .,!\t\n") + ["é", "ß", "İ", "北", "京", "😀", "\u0301", "١"]


def random_docs(rng, n_docs, max_len=40):
    docs = []
    for _ in range(n_docs):
        length = int(rng.integers(0, max_len + 1))
        docs.append("".join(rng.choice(ALPHABET, size=length)))
    return docs


def _bytes(data, a, b):
    return data[a:b].tobytes()


def test_murmurhash3_32_matches_sklearn_and_reference(rng):
    keys = [b"", b"a", b"ab", b"abc", b"abcd", "北京 😀".encode()]
    keys += [
        rng.integers(0, 256, size=int(rng.integers(0, 40))).astype(np.uint8).tobytes()
        for _ in range(200)
    ]
    data, offsets = np.frombuffer(b"".join(keys), np.uint8), np.zeros(len(keys) + 1, np.int64)
    np.cumsum([len(k) for k in keys], out=offsets[1:])
    seed = int(rng.integers(0, 2**31))
    for s in (0, seed):
        got = kern.murmurhash3_32(data, offsets, s)
        want = [murmurhash3_32(k, seed=s) for k in keys]
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(got, [naive.murmur32(k, s) for k in keys])


def test_murmurhash3_64_matches_reference(rng):
    keys = [b"", b"hello"] + [
        rng.integers(0, 256, size=int(rng.integers(0, 70))).astype(np.uint8).tobytes()
        for _ in range(200)
    ]
    data, offsets = np.frombuffer(b"".join(keys), np.uint8), np.zeros(len(keys) + 1, np.int64)
    np.cumsum([len(k) for k in keys], out=offsets[1:])
    got = kern.murmurhash3_64(data, offsets, 0)
    np.testing.assert_array_equal(got, [naive.murmur64(k) for k in keys])
    assert got[0] == 0  # the published value for the empty key with seed 0


@pytest.mark.parametrize("n_docs", [1, 7, 300])
def test_tokenize_words_is_re_findall(rng, n_docs):
    docs = random_docs(rng, n_docs)
    data, offsets = utf8_buffer(docs)
    tok_ptr, starts, ends = kern.tokenize_words(data, offsets, word_table(), 2)
    assert list(zip(starts.tolist(), ends.tolist())) == naive.tokenize(docs)
    assert tok_ptr[-1] == len(starts)
    for min_chars in (1, 3):
        _, s, e = kern.tokenize_words(data, offsets, word_table(), min_chars)
        assert list(zip(s.tolist(), e.tolist())) == naive.tokenize(docs, min_chars)


def test_tokenize_empty_input():
    tok_ptr, starts, _ = kern.tokenize_words(
        np.zeros(0, np.uint8), np.zeros(1, np.int64), word_table(), 2
    )
    assert tok_ptr.tolist() == [0] and len(starts) == 0


def test_char_spans(rng):
    docs = random_docs(rng, 20)
    data, offsets = utf8_buffer(docs)
    ptr, starts, ends = kern.char_spans(data, offsets)
    got = [_bytes(data, a, b).decode("utf-8", "surrogatepass") for a, b in zip(starts, ends)]
    assert got == list("".join(docs))
    np.testing.assert_array_equal(np.diff(ptr), [len(d) for d in docs])


@pytest.mark.parametrize("dtype", [np.uint8, np.int64])
def test_intern_spans_and_lookup(rng, dtype):
    data = rng.integers(0, 4, size=2000).astype(dtype)
    starts = rng.integers(0, 1990, size=3000)
    ends = starts + rng.integers(0, 4, size=3000)
    items = [data[a:b].tobytes() for a, b in zip(starts, ends)]
    ids, first = kern.intern_spans(data, starts, ends)
    want_ids, want_first = naive.intern(items)
    np.testing.assert_array_equal(ids, want_ids)
    np.testing.assert_array_equal(first, want_first)
    keys, offsets = kern.gather_spans(data, starts[first], ends[first])
    assert [keys[a:b].tobytes() for a, b in zip(offsets[:-1], offsets[1:])] == [
        items[f] for f in want_first
    ]
    slots = kern.span_table(keys, offsets)
    np.testing.assert_array_equal(kern.lookup_spans(data, starts, ends, keys, offsets, slots), ids)
    probe = rng.integers(4, 9, size=50).astype(dtype)  # units never seen: all absent
    got = kern.lookup_spans(probe, np.arange(0, 40), np.arange(3, 43), keys, offsets, slots)
    assert (got == -1).all()


@pytest.mark.parametrize("mode", [0, 1])
@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 3), (2, 5)])
def test_ngram_spans(rng, mode, ngram_range):
    lengths = rng.integers(0, 8, size=30)
    seg_ptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    ptr, starts, ends = kern.ngram_spans(seg_ptr, *ngram_range, mode)
    want = naive.ngram_spans(lengths.tolist(), *ngram_range, mode)
    assert list(zip(starts.tolist(), ends.tolist())) == want
    assert ptr[-1] == len(want)


def test_filter_stream(rng):
    stream = rng.integers(0, 10, size=200)
    ptr = np.concatenate([[0], np.sort(rng.integers(0, 200, size=20)), [200]]).astype(np.int64)
    drop = rng.random(200) < 0.3
    out, new_ptr = kern.filter_stream(stream, ptr, drop)
    for s in range(len(ptr) - 1):
        seg = stream[ptr[s] : ptr[s + 1]][~drop[ptr[s] : ptr[s + 1]]]
        np.testing.assert_array_equal(out[new_ptr[s] : new_ptr[s + 1]], seg)


def test_pack_unpack_order(rng):
    stream = rng.integers(0, 30, size=500).astype(np.int64)
    starts = rng.integers(0, 497, size=400)
    ends = starts + rng.integers(1, 4, size=400)
    packed = kern.pack_spans(stream, starts, ends, 5, 3)
    tuples = [tuple(stream[a:b]) for a, b in zip(starts, ends)]
    assert (
        sorted(range(400), key=lambda i: (tuples[i], i))
        == np.argsort(packed, kind="stable").tolist()
    )
    keys, offsets = kern.unpack_keys(packed, 5, 3)
    assert [tuple(keys[a:b]) for a, b in zip(offsets[:-1], offsets[1:])] == tuples
    by_keys = kern.pack_keys(keys, offsets, np.empty(0, np.int64), 5)
    np.testing.assert_array_equal(by_keys, packed)


def test_join_keys():
    unit_keys, unit_offsets = utf8_buffer(["ab", "北京", "x"])
    keys = np.array([0, 1, 2, 2, 0], np.int64)
    key_offsets = np.array([0, 2, 3, 5], np.int64)
    buf, offsets = kern.join_keys(
        unit_keys, unit_offsets, keys, key_offsets, np.array([2, 0, 1]), 32, 0
    )
    assert buf.tobytes().decode().split("\x00")[:-1] == ["x ab", "ab 北京", "x"]
    buf, offsets = kern.join_keys(unit_keys, unit_offsets, keys, key_offsets, np.array([0]), 32, -1)
    assert buf.tobytes().decode() == "ab 北京" and offsets.tolist() == [0, 9]


@pytest.mark.parametrize("bits", [32, 64])
@pytest.mark.parametrize("alternate_sign", [True, False])
def test_hash_ngrams(rng, bits, alternate_sign):
    docs = random_docs(rng, 30)
    data, offsets = utf8_buffer(docs)
    tok_ptr, starts, ends = kern.tokenize_words(data, offsets, word_table(), 2)
    stream = np.arange(len(starts), dtype=np.int64)
    ng_ptr, ng_s, ng_e = kern.ngram_spans(tok_ptr, 1, 2, 0)
    n_features = int(rng.integers(2, 2**20))
    cols, values = kern.hash_ngrams(
        data, starts, ends, stream, ng_s, ng_e, 32, n_features, bits, alternate_sign, 512
    )
    for g in range(len(ng_s)):
        key = b" ".join(_bytes(data, starts[u], ends[u]) for u in range(ng_s[g], ng_e[g]))
        col, h = naive.hashed_column(key, n_features, bits)
        assert cols[g] == col
        assert values[g] == (-1.0 if alternate_sign and h < 0 else 1.0)


def test_csr_sum_duplicates(rng):
    n_rows, n_cols = 25, 9
    counts = rng.integers(0, 12, size=n_rows)
    counts[3] = 0
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    cols = rng.integers(0, n_cols, size=ptr[-1]).astype(np.int64)
    values = rng.normal(size=ptr[-1])
    want = naive.csr(ptr, cols, values, n_cols)
    data, indices, indptr = kern.csr_sum_duplicates(ptr, cols.copy(), values.copy())
    got = np.zeros((n_rows, n_cols))
    for r in range(n_rows):
        row = indices[indptr[r] : indptr[r + 1]]
        assert (np.diff(row) > 0).all()
        got[r, row] = data[indptr[r] : indptr[r + 1]]
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    assert indices.dtype == np.int32
    _, idx64, ptr64 = kern.csr_sum_duplicates(ptr, cols.copy(), values.copy(), np.int64)
    assert idx64.dtype == ptr64.dtype == np.int64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm", [1, 2])
def test_csr_row_normalize_and_remap(rng, dtype, norm):
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    X = sp.random(
        30, 12, density=0.3, format="csr", dtype=dtype, random_state=int(rng.integers(1 << 30))
    )
    X.data[X.indptr[4] : X.indptr[5]] = 0  # an empty row stays empty
    X.eliminate_zeros()
    got = X.copy()
    kern.csr_row_normalize(got.indptr, got.data, norm)
    want = normalize(X, norm=f"l{norm}")
    np.testing.assert_array_equal(got.data, want.data)
    new_col = np.where(rng.random(12) < 0.5, 0, -1)
    new_col[new_col == 0] = np.arange((new_col == 0).sum())
    data, indices, indptr = kern.csr_remap_columns(X.indptr, X.indices, X.data, new_col)
    kept = sp.csr_matrix((data, indices, indptr), shape=(30, (new_col >= 0).sum()))
    np.testing.assert_array_equal(kept.toarray(), X.toarray()[:, new_col >= 0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("idf_dtype", [np.float32, np.float64, None])
@pytest.mark.parametrize("norm", [0, 1, 2])
def test_csr_idf_normalize_matches_numpy(rng, dtype, idf_dtype, norm):
    """The fused kernel equals NumPy's gather-multiply followed by scikit-learn's normalize,
    bit for bit (a float64 idf on float32 data rounds once in both)."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    X = sp.random(
        40, 15, density=0.3, format="csr", dtype=dtype, random_state=int(rng.integers(1 << 30))
    )
    X.data[X.indptr[3] : X.indptr[4]] = 0  # an empty row stays empty
    X.eliminate_zeros()
    idf = None if idf_dtype is None else rng.uniform(1, 5, size=15).astype(idf_dtype)
    want = X.copy()
    if idf is not None:
        want.data *= idf[want.indices]
    if norm:
        want = normalize(want, norm=f"l{norm}")
    got = X.copy()
    kern.csr_idf_normalize(
        got.indptr, got.indices, got.data, np.empty(0, dtype) if idf is None else idf, norm
    )
    assert got.data.dtype == dtype
    np.testing.assert_array_equal(got.data, want.data)

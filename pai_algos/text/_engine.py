"""From documents to token streams, vocabularies and sparse matrices, through our kernels.

Three paths, chosen by :meth:`_TextMixin._engine_path`:

* ``"word"`` (the default ``token_pattern`` and no ``tokenizer``): documents are preprocessed
  in Python (``str.lower`` and accent stripping are C loops), joined into one UTF-8 buffer (an
  Arrow string array is used as it is), and tokenized, interned and n-grammed by the kernels.
  A feature is a tuple of token ids; the vocabulary order of scikit-learn (sorted terms) is the
  lexicographic order of the tuples of token ranks, because every token character sorts after
  the joining space.
* ``"char"`` (``analyzer`` "char" or "char_wb"): the units are code points, a feature is a
  tuple of code points, whose order is that of the strings.
* ``"python"`` (a custom ``token_pattern``, ``tokenizer`` or ``analyzer``): scikit-learn's
  analyzer runs in Python and the kernels do the counting.

A fitted vocabulary is kept as arrays (``state``) for the first two paths, so that ``transform``
looks n-grams up in the kernels without building their strings.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import chain

import numpy as np
from sklearn import get_config

from pai_algos_native import kernels

from ._base import DocumentDecodeError, as_documents, invalid_document, name_document

__all__ = ["as_documents", "invalid_document"]

_SPACE = 32


def _k():
    return kernels("text", "cpu")


# Below this many documents one thread is faster: waking Numba's pool costs more than the work.
_PARALLEL_MIN_DOCUMENTS = 2000


def threads_for(n_documents):
    """Context setting Numba's thread count for a call on ``n_documents`` documents."""
    from ..base import numba_threads

    return numba_threads(1 if n_documents < _PARALLEL_MIN_DOCUMENTS else None)


@lru_cache(maxsize=1)
def word_table():
    """Boolean table over all code points: True where Python's ``re`` matches ``\\w``."""
    import re

    everything = np.arange(0x110000, dtype=np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
    words = re.sub(r"\W", "", everything)
    table = np.zeros(0x110000, dtype=np.bool_)
    table[np.frombuffer(words.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)] = True
    return table


# --------------------------------------------------------------------------- documents -> text
def _arrow_buffers(arr):
    """``(data, offsets)`` of an Arrow string array without copying the characters."""
    import pyarrow as pa

    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.large_string())
    arr = arr.cast(pa.large_string())
    bufs = arr.buffers()
    offsets = np.frombuffer(bufs[1], dtype=np.int64)[arr.offset : arr.offset + len(arr) + 1]
    data = np.zeros(0, np.uint8) if bufs[2] is None else np.frombuffer(bufs[2], dtype=np.uint8)
    return data, np.ascontiguousarray(offsets)


def _arrow_fast(est, docs):
    """Whether an Arrow array can go to the kernels as it is (after ``ascii_lower``)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(docs, (pa.Array, pa.ChunkedArray)):
        return None
    if not (pa.types.is_string(docs.type) or pa.types.is_large_string(docs.type)):
        return None
    if docs.null_count:
        first = pc.index(pc.is_null(docs), True).as_py()
        raise invalid_document(None, first)
    plain = (
        est.input == "content"
        and est.preprocessor is None
        and not est.strip_accents
        and getattr(est, "segmenter", None) is None
    )
    if not plain:
        return None
    if est.lowercase:
        if len(docs) and not pc.all(pc.string_is_ascii(docs)).as_py():
            return None
        docs = pc.ascii_lower(docs)
    return _arrow_buffers(docs)


def preprocessed_texts(est, docs):
    """Each document decoded and preprocessed (and segmented), as a list of str."""
    if not isinstance(docs, list):  # an Arrow array that cannot stay in Arrow
        docs = docs.to_pylist()
    simple = est.input == "content" and est.preprocessor is None
    if simple and all(type(d) is str for d in docs):
        texts = docs
        if est.lowercase:
            texts = [d.lower() for d in texts]
        if est.strip_accents:
            strip = est.build_preprocessor().keywords["accent_function"]
            texts = [strip(d) for d in texts]
    else:
        decode = est.decode
        preprocess = est.build_preprocessor()
        texts = []
        for i, doc in enumerate(docs):
            try:
                doc = decode(doc)
            except DocumentDecodeError as exc:
                raise name_document(exc, i) from None
            if est.preprocessor is None and not isinstance(doc, str):
                raise invalid_document(doc, i)
            doc = preprocess(doc)
            if not isinstance(doc, str):
                raise invalid_document(doc, i)
            texts.append(doc)
    segmenter = getattr(est, "segmenter", None)
    if segmenter is not None:
        texts = [" ".join(segmenter(t)) for t in texts]
    return texts


def utf8_buffer(texts):
    """``(data, offsets)``: the UTF-8 bytes of the texts one after another."""
    n = len(texts)
    joined = "".join(texts)
    offsets = np.zeros(n + 1, np.int64)
    if joined.isascii():
        data = np.frombuffer(joined.encode("ascii"), dtype=np.uint8)
        np.cumsum(np.fromiter(map(len, texts), np.int64, count=n), out=offsets[1:])
    else:
        enc = [t.encode("utf-8", "surrogatepass") for t in texts]
        data = np.frombuffer(b"".join(enc), dtype=np.uint8)
        np.cumsum(np.fromiter(map(len, enc), np.int64, count=n), out=offsets[1:])
    return data, offsets


def code_points(texts):
    """``(stream, ptr)``: the code points (int64) of the texts one after another."""
    ptr = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, texts), np.int64, count=len(texts)), out=ptr[1:])
    raw = "".join(texts).encode("utf-32-le", "surrogatepass")
    return np.frombuffer(raw, dtype=np.uint32).astype(np.int64), ptr


def char_segments(est, texts):
    """Segments for the char analyzers and ``seg_doc_ptr`` (segments per document)."""
    ws = est._white_spaces
    texts = [ws.sub(" ", t) for t in texts]
    if est.analyzer == "char":
        return texts, np.arange(len(texts) + 1, dtype=np.int64)
    segments, counts = [], []
    for t in texts:
        words = t.split()
        segments.extend(" " + w + " " for w in words)
        counts.append(len(words))
    seg_doc_ptr = np.zeros(len(texts) + 1, np.int64)
    np.cumsum(np.asarray(counts, dtype=np.int64), out=seg_doc_ptr[1:])
    return segments, seg_doc_ptr


# --------------------------------------------------------------------------- token streams
def word_tokens(est, docs):
    """``(data, tok_ptr, starts, ends)`` of the default-pattern tokens of each document."""
    buffers = _arrow_fast(est, docs)
    if buffers is None:
        buffers = utf8_buffer(preprocessed_texts(est, docs))
    data, offsets = buffers
    tok_ptr, starts, ends = _k().tokenize_words(data, offsets, word_table(), 2)
    return data, tok_ptr, starts, ends


def decode_keys(keys, key_offsets):
    """The UTF-8 keys ``keys[key_offsets[i]:key_offsets[i + 1]]`` as a list of str."""
    text = keys.tobytes().decode("utf-8", "surrogatepass")
    if len(text) == keys.shape[0]:
        char_off = key_offsets
    else:
        lead = np.zeros(keys.shape[0] + 1, np.int64)
        np.cumsum((keys & 0xC0) != 0x80, out=lead[1:])
        char_off = lead[key_offsets]
    bounds = char_off.tolist()
    return [text[a:b] for a, b in zip(bounds[:-1], bounds[1:])]


def split_keys(buffer, n):
    """The ``n`` NUL-terminated UTF-8 strings of a :func:`join_keys` buffer."""
    if n == 0:
        return []
    return buffer[:-1].tobytes().decode("utf-8", "surrogatepass").split("\x00")


def encode_keys(strings):
    """``(keys, key_offsets)``: UTF-8 bytes of the strings one after another."""
    return utf8_buffer(list(strings))


def _ngrams(stream, seg_ptr, seg_doc_ptr, ngram_range, mode):
    ng_ptr, starts, ends = _k().ngram_spans(seg_ptr, ngram_range[0], ngram_range[1], mode)
    return ng_ptr[seg_doc_ptr], starts, ends


def analyzed_streams(est, docs, stop_lookup=None):
    """The unit stream, its n-gram spans and the per-document n-gram pointer.

    For the word path the stream holds token ids given by ``stop_lookup(data, starts, ends)``
    (which also says which tokens are stop words); for the char path, code points.

    Returns
    -------
    dict with ``stream``, ``doc_ptr``, ``starts``, ``ends`` and, for the word path, what
    ``stop_lookup`` returned under ``"extra"``.
    """
    k = _k()
    if est._engine_path() == "word":
        data, tok_ptr, starts, ends = word_tokens(est, docs)
        ids, is_stop, extra = stop_lookup(data, starts, ends)
        stream, seg_ptr = ids, tok_ptr
        if is_stop is not None and is_stop.any():
            stream, seg_ptr = k.filter_stream(ids, tok_ptr, is_stop)
        seg_doc_ptr = np.arange(len(seg_ptr), dtype=np.int64)
        mode = 0
    else:
        segments, seg_doc_ptr = char_segments(est, preprocessed_texts(est, docs))
        stream, seg_ptr = code_points(segments)
        mode = 1 if est.analyzer == "char_wb" else 0
        extra = None
    doc_ptr, ng_starts, ng_ends = _ngrams(stream, seg_ptr, seg_doc_ptr, est.ngram_range, mode)
    return {
        "stream": stream,
        "doc_ptr": doc_ptr,
        "starts": ng_starts,
        "ends": ng_ends,
        "extra": extra,
    }


def python_features(est, docs):
    """scikit-learn's analyzer on every document: ``(flat features, doc_ptr)``."""
    if not isinstance(docs, list):
        docs = docs.to_pylist()
    analyze = est.build_analyzer()
    if est.input == "content" and not callable(est.analyzer):
        for i, doc in enumerate(docs):
            if (
                not isinstance(doc, (str, bytes))
                and doc is not np.nan
                and (est.preprocessor is None)
            ):
                raise invalid_document(doc, i)
    per_doc = []
    for i, doc in enumerate(docs):
        try:
            per_doc.append(analyze(doc))
        except DocumentDecodeError as exc:
            raise name_document(exc, i) from None
    doc_ptr = np.zeros(len(per_doc) + 1, np.int64)
    np.cumsum(np.fromiter(map(len, per_doc), np.int64, count=len(per_doc)), out=doc_ptr[1:])
    return list(chain.from_iterable(per_doc)), doc_ptr


# --------------------------------------------------------------------------- sparse output
def sparse_interface(X):
    """``X`` as a CSR matrix or array, following scikit-learn's ``sparse_interface`` setting."""
    import scipy.sparse as sp

    if get_config().get("sparse_interface", "spmatrix") == "sparray":
        return sp.csr_array(X) if not isinstance(X, sp.sparray) else X
    return sp.csr_matrix(X) if isinstance(X, sp.sparray) else X


def assemble(doc_ptr, cols, values, n_cols, dtype):
    """CSR matrix (sorted indices, duplicates summed) from per-document occurrences."""
    import scipy.sparse as sp

    big = n_cols > np.iinfo(np.int32).max or cols.shape[0] > np.iinfo(np.int32).max
    index_dtype = np.int64 if big else np.int32
    data, indices, indptr = _k().csr_sum_duplicates(
        np.ascontiguousarray(doc_ptr, dtype=np.int64),
        np.ascontiguousarray(cols, dtype=np.int64),
        np.ascontiguousarray(values, dtype=np.float64),
        index_dtype,
    )
    X = sp.csr_matrix(
        (data.astype(dtype, copy=False), indices, indptr), shape=(len(doc_ptr) - 1, n_cols)
    )
    X.has_sorted_indices = True
    return X


def occurrences(doc_ptr, ids):
    """Keep the occurrences with ``ids >= 0``: ``(doc_ptr, ids)``."""
    keep = ids >= 0
    if keep.all():
        return doc_ptr, ids
    kept = np.zeros(len(ids) + 1, np.int64)
    np.cumsum(keep, out=kept[1:])
    return kept[doc_ptr], ids[keep]


def row_normalize(X, norm):
    """Normalize the rows of a CSR matrix in place, as ``sklearn.preprocessing.normalize``."""
    if norm is None:
        return X
    _k().csr_row_normalize(X.indptr, X.data, 2 if norm == "l2" else 1)
    return X


def all_sorted_by_tuples(keys, key_offsets, rank):
    """Order of variable-length int keys, lexicographic on ``rank[unit]`` (``None``: the unit)."""
    n = key_offsets.shape[0] - 1
    lengths = np.diff(key_offsets)
    width = int(lengths.max()) if n else 0
    top = (int(rank.max()) if rank is not None and len(rank) else int(keys.max(initial=0))) + 2
    bits = max(int(top).bit_length(), 1)
    if width and bits * width <= 63:
        packed = _k().pack_keys(
            keys, key_offsets, np.empty(0, np.int64) if rank is None else rank, bits
        )
        return np.argsort(packed, kind="stable")
    mat = np.full((n, width), -1, dtype=np.int64)
    for j in range(width):
        has = lengths > j
        units = keys[key_offsets[:-1][has] + j]
        mat[has, j] = units if rank is None else rank[units]
    return np.lexsort(mat.T[::-1]) if width else np.arange(n)


def keep_as_strings(values):
    """A plain Python list of str from any sequence of strings."""
    return [str(v) for v in values]

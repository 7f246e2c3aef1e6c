"""CPU kernels for text: tokenizing UTF-8 buffers, n-gram spans, exact interning, hashing and
sparse assembly.

Documents travel as one UTF-8 byte buffer ``data`` (uint8) and ``offsets`` (int64, one more
than the number of documents), which is also the layout of an Arrow string array. Tokens and
n-grams are *spans* ``(starts, ends)`` into a buffer, never Python strings.

* :func:`tokenize_words` finds the maximal runs of word characters of at least ``min_chars``
  code points: exactly what ``re.findall(r"(?u)\\b\\w\\w+\\b", doc)`` returns for
  ``min_chars=2`` when ``is_word`` is the table of the code points that ``re`` calls ``\\w``.
* :func:`intern_spans` gives every distinct span (compared element by element, so the ids are
  exact, not hashed) an id in order of first appearance; it works on byte buffers (tokens) and
  on int64 streams (n-grams as tuples of token ids or code points).
* :func:`ngram_spans` lists the n-grams of each segment of a stream as spans, with the two
  enumeration orders of scikit-learn's analyzers (``mode`` 0: word and char n-grams; 1: the
  ``char_wb`` rule that counts a word shorter than ``n`` once).
* :func:`murmurhash3_32` / :func:`murmurhash3_64` are MurmurHash3_x86_32 and the first 64-bit
  word of MurmurHash3_x64_128 (Appleby, 2011), the hash of scikit-learn's ``FeatureHasher``.
* :func:`csr_sum_duplicates` turns per-row (column, value) occurrences into a CSR matrix with
  sorted column indices and duplicates summed, rows in parallel.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "char_spans",
    "csr_idf_normalize",
    "csr_remap_columns",
    "csr_row_normalize",
    "csr_sum_duplicates",
    "filter_stream",
    "gather_spans",
    "hash_ngrams",
    "intern_spans",
    "join_keys",
    "pack_keys",
    "pack_spans",
    "lookup_spans",
    "murmurhash3_32",
    "murmurhash3_64",
    "ngram_spans",
    "span_table",
    "tokenize_words",
    "unpack_keys",
]

_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)
_M32 = np.uint64(0xFFFFFFFF)
_I64_MIN = -9223372036854775808
_I64_MAX = 9223372036854775807


# --------------------------------------------------------------------------- UTF-8 and tokens
@njit(**JIT)
def _utf8_decode(data, i):
    b0 = np.int64(data[i])
    if b0 < 0x80:
        return b0, i + 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F), i + 2
    if b0 < 0xF0:
        return (
            ((b0 & 0x0F) << 12)
            | ((np.int64(data[i + 1]) & 0x3F) << 6)
            | (np.int64(data[i + 2]) & 0x3F),
            i + 3,
        )
    return (
        ((b0 & 0x07) << 18)
        | ((np.int64(data[i + 1]) & 0x3F) << 12)
        | ((np.int64(data[i + 2]) & 0x3F) << 6)
        | (np.int64(data[i + 3]) & 0x3F),
        i + 4,
    )


@njit(**JIT_PARALLEL)
def _count_word_tokens(data, offsets, is_word, min_chars):
    n_docs = offsets.shape[0] - 1
    counts = np.zeros(n_docs, np.int64)
    for d in prange(n_docs):
        i = offsets[d]
        end = offsets[d + 1]
        run = 0
        c = 0
        while i < end:
            cp, i = _utf8_decode(data, i)
            if is_word[cp]:
                run += 1
            else:
                if run >= min_chars:
                    c += 1
                run = 0
        if run >= min_chars:
            c += 1
        counts[d] = c
    return counts


@njit(**JIT_PARALLEL)
def _fill_word_tokens(data, offsets, is_word, min_chars, tok_ptr, starts, ends):
    n_docs = offsets.shape[0] - 1
    for d in prange(n_docs):
        i = offsets[d]
        end = offsets[d + 1]
        run = 0
        start = i
        t = tok_ptr[d]
        while i < end:
            pos = i
            cp, i = _utf8_decode(data, i)
            if is_word[cp]:
                if run == 0:
                    start = pos
                run += 1
            else:
                if run >= min_chars:
                    starts[t] = start
                    ends[t] = pos
                    t += 1
                run = 0
        if run >= min_chars:
            starts[t] = start
            ends[t] = end
            t += 1


def tokenize_words(data, offsets, is_word, min_chars=2):
    """Spans of the maximal runs of word characters with at least ``min_chars`` code points.

    Parameters
    ----------
    data : ndarray of uint8
        UTF-8 bytes of all documents.
    offsets : ndarray of int64 of shape (n_docs + 1,)
        Document ``d`` is ``data[offsets[d]:offsets[d + 1]]``.
    is_word : ndarray of bool of shape (0x110000,)
        Whether each code point is a word character.
    min_chars : int, default=2

    Returns
    -------
    tok_ptr : ndarray of int64 of shape (n_docs + 1,)
    starts, ends : ndarray of int64
        Byte spans of the tokens, document by document, in reading order.
    """
    counts = _count_word_tokens(data, offsets, is_word, min_chars)
    tok_ptr = np.zeros(counts.shape[0] + 1, np.int64)
    np.cumsum(counts, out=tok_ptr[1:])
    starts = np.empty(tok_ptr[-1], np.int64)
    ends = np.empty(tok_ptr[-1], np.int64)
    _fill_word_tokens(data, offsets, is_word, min_chars, tok_ptr, starts, ends)
    return tok_ptr, starts, ends


@njit(**JIT_PARALLEL)
def _count_chars(data, offsets):
    n_docs = offsets.shape[0] - 1
    counts = np.zeros(n_docs, np.int64)
    for d in prange(n_docs):
        c = 0
        for i in range(offsets[d], offsets[d + 1]):
            if (data[i] & 0xC0) != 0x80:
                c += 1
        counts[d] = c
    return counts


@njit(**JIT_PARALLEL)
def _fill_chars(data, offsets, ptr, starts, ends):
    n_docs = offsets.shape[0] - 1
    for d in prange(n_docs):
        t = ptr[d]
        end = offsets[d + 1]
        for i in range(offsets[d], end):
            if (data[i] & 0xC0) != 0x80:
                if t > ptr[d]:
                    ends[t - 1] = i
                starts[t] = i
                t += 1
        if t > ptr[d]:
            ends[t - 1] = end


def char_spans(data, offsets):
    """Byte spans of every code point of each document: ``(ptr, starts, ends)``."""
    counts = _count_chars(data, offsets)
    ptr = np.zeros(counts.shape[0] + 1, np.int64)
    np.cumsum(counts, out=ptr[1:])
    starts = np.empty(ptr[-1], np.int64)
    ends = np.empty(ptr[-1], np.int64)
    _fill_chars(data, offsets, ptr, starts, ends)
    return ptr, starts, ends


# --------------------------------------------------------------------------- streams and n-grams
@njit(**JIT)
def filter_stream(stream, ptr, drop):
    """Remove the elements ``stream[i]`` with ``drop[i]``; returns ``(stream, ptr)``."""
    n_seg = ptr.shape[0] - 1
    out = np.empty(stream.shape[0], stream.dtype)
    new_ptr = np.zeros(n_seg + 1, np.int64)
    k = 0
    for s in range(n_seg):
        for i in range(ptr[s], ptr[s + 1]):
            if not drop[i]:
                out[k] = stream[i]
                k += 1
        new_ptr[s + 1] = k
    return out[:k].copy(), new_ptr


@njit(**JIT)
def _n_ngrams(length, min_n, max_n, mode):
    c = 0
    if mode == 0:
        for n in range(min_n, min(max_n, length) + 1):
            c += length - n + 1
    else:
        for n in range(min_n, max_n + 1):
            if length <= n:
                c += 1
                break
            c += length - n + 1
    return c


@njit(**JIT_PARALLEL)
def _count_ngrams(seg_ptr, min_n, max_n, mode):
    n_seg = seg_ptr.shape[0] - 1
    counts = np.zeros(n_seg, np.int64)
    for s in prange(n_seg):
        counts[s] = _n_ngrams(seg_ptr[s + 1] - seg_ptr[s], min_n, max_n, mode)
    return counts


@njit(**JIT_PARALLEL)
def _fill_ngrams(seg_ptr, min_n, max_n, mode, out_ptr, starts, ends):
    n_seg = seg_ptr.shape[0] - 1
    for s in prange(n_seg):
        a = seg_ptr[s]
        length = seg_ptr[s + 1] - a
        t = out_ptr[s]
        if mode == 0:
            for n in range(min_n, min(max_n, length) + 1):
                for i in range(length - n + 1):
                    starts[t] = a + i
                    ends[t] = a + i + n
                    t += 1
        else:
            for n in range(min_n, max_n + 1):
                if length <= n:
                    starts[t] = a
                    ends[t] = a + length
                    t += 1
                    break
                for i in range(length - n + 1):
                    starts[t] = a + i
                    ends[t] = a + i + n
                    t += 1


def ngram_spans(seg_ptr, min_n, max_n, mode=0):
    """Spans of the n-grams (``min_n <= n <= max_n``) of each segment of a stream.

    Parameters
    ----------
    seg_ptr : ndarray of int64 of shape (n_segments + 1,)
        Segment ``s`` is ``stream[seg_ptr[s]:seg_ptr[s + 1]]``.
    min_n, max_n : int
    mode : {0, 1}, default=0
        0: for each ``n``, every window of length ``n`` (scikit-learn's word and char
        n-grams); 1: the same, but a segment of length ``<= n`` gives itself once and ends the
        enumeration (scikit-learn's ``char_wb``).

    Returns
    -------
    out_ptr : ndarray of int64 of shape (n_segments + 1,)
    starts, ends : ndarray of int64
        Positions in the stream.
    """
    counts = _count_ngrams(seg_ptr, min_n, max_n, mode)
    out_ptr = np.zeros(counts.shape[0] + 1, np.int64)
    np.cumsum(counts, out=out_ptr[1:])
    starts = np.empty(out_ptr[-1], np.int64)
    ends = np.empty(out_ptr[-1], np.int64)
    _fill_ngrams(seg_ptr, min_n, max_n, mode, out_ptr, starts, ends)
    return out_ptr, starts, ends


# --------------------------------------------------------------------------- exact interning
@njit(**JIT)
def _hash_span(data, a, b):
    h = _FNV_OFFSET ^ np.uint64(b - a)
    for k in range(a, b):
        h ^= np.uint64(data[k])
        h *= _FNV_PRIME
    h ^= h >> np.uint64(29)
    return h


@njit(**JIT)
def _span_equal(x, a0, a1, y, b0, b1):
    if a1 - a0 != b1 - b0:
        return False
    for k in range(a1 - a0):
        if x[a0 + k] != y[b0 + k]:
            return False
    return True


@njit(**JIT)
def _insert_slot(slots, mask, h, value):
    s = np.int64(h & np.uint64(mask))
    while slots[s] != -1:
        s = (s + 1) & mask
    slots[s] = value


@njit(**JIT)
def intern_spans(data, starts, ends):
    """Ids of the distinct spans in order of first appearance.

    Parameters
    ----------
    data : ndarray of uint8 or int64
        The buffer (bytes, or a stream of token ids / code points).
    starts, ends : ndarray of int64
        The spans.

    Returns
    -------
    ids : ndarray of int64 of shape (n_spans,)
        ``ids[t] == ids[u]`` exactly when the two spans hold equal elements.
    first : ndarray of int64 of shape (n_unique,)
        The index of the first span of each id.
    """
    n = starts.shape[0]
    cap = 1024
    mask = cap - 1
    slots = np.full(cap, -1, np.int64)
    first = np.empty(256, np.int64)
    hashes = np.empty(256, np.uint64)
    ids = np.empty(n, np.int64)
    n_unique = 0
    for t in range(n):
        a = starts[t]
        b = ends[t]
        h = _hash_span(data, a, b)
        s = np.int64(h & np.uint64(mask))
        while True:
            u = slots[s]
            if u == -1:
                if n_unique == first.shape[0]:
                    grown = np.empty(2 * n_unique, np.int64)
                    grown[:n_unique] = first
                    first = grown
                    grown_h = np.empty(2 * n_unique, np.uint64)
                    grown_h[:n_unique] = hashes
                    hashes = grown_h
                slots[s] = n_unique
                first[n_unique] = t
                hashes[n_unique] = h
                ids[t] = n_unique
                n_unique += 1
                if 2 * n_unique > cap:  # keep the load factor under 1/2
                    cap *= 2
                    mask = cap - 1
                    slots = np.full(cap, -1, np.int64)
                    for v in range(n_unique):
                        _insert_slot(slots, mask, hashes[v], v)
                break
            f = first[u]
            if hashes[u] == h and _span_equal(data, a, b, data, starts[f], ends[f]):
                ids[t] = u
                break
            s = (s + 1) & mask
    return ids, first[:n_unique].copy()


@njit(**JIT)
def span_table(keys, key_offsets):
    """Open-addressing slots of the keys ``keys[key_offsets[i]:key_offsets[i + 1]]``.

    Duplicate keys keep the first index. Returns the int64 slot array (``-1``: empty), whose
    length is a power of two at least twice the number of keys.
    """
    n = key_offsets.shape[0] - 1
    cap = 16
    while cap < 2 * n:
        cap *= 2
    mask = cap - 1
    slots = np.full(cap, -1, np.int64)
    for i in range(n):
        a = key_offsets[i]
        b = key_offsets[i + 1]
        s = np.int64(_hash_span(keys, a, b) & np.uint64(mask))
        while True:
            u = slots[s]
            if u == -1:
                slots[s] = i
                break
            if _span_equal(keys, a, b, keys, key_offsets[u], key_offsets[u + 1]):
                break
            s = (s + 1) & mask
    return slots


@njit(**JIT_PARALLEL)
def lookup_spans(data, starts, ends, keys, key_offsets, slots):
    """Index of each span's key in a :func:`span_table`, or -1 when absent."""
    n = starts.shape[0]
    mask = slots.shape[0] - 1
    out = np.empty(n, np.int64)
    for t in prange(n):
        a = starts[t]
        b = ends[t]
        s = np.int64(_hash_span(data, a, b) & np.uint64(mask))
        found = -1
        while True:
            u = slots[s]
            if u == -1:
                break
            if _span_equal(data, a, b, keys, key_offsets[u], key_offsets[u + 1]):
                found = u
                break
            s = (s + 1) & mask
        out[t] = found
    return out


@njit(**JIT)
def gather_spans(data, starts, ends):
    """Copy the spans one after another: ``(buffer, offsets)``."""
    n = starts.shape[0]
    offsets = np.zeros(n + 1, np.int64)
    for i in range(n):
        offsets[i + 1] = offsets[i] + ends[i] - starts[i]
    out = np.empty(offsets[n], data.dtype)
    for i in range(n):
        out[offsets[i] : offsets[i + 1]] = data[starts[i] : ends[i]]
    return out, offsets


@njit(**JIT)
def join_keys(unit_keys, unit_offsets, keys, key_offsets, select, sep, end):
    """The selected keys spelled out, one after another.

    Each unit ``u`` of key ``i`` (``keys[key_offsets[i]:key_offsets[i + 1]]``) is replaced by
    its bytes ``unit_keys[unit_offsets[u]:unit_offsets[u + 1]]``; units are joined by the byte
    ``sep`` and every key is followed by the byte ``end`` (``-1``: nothing). Returns
    ``(buffer, offsets)`` with one entry per index of ``select``; ``offsets`` exclude ``end``.
    """
    n = select.shape[0]
    tail = 1 if end >= 0 else 0
    offsets = np.zeros(n + 1, np.int64)
    total = 0
    for j in range(n):
        i = select[j]
        m = key_offsets[i + 1] - key_offsets[i]
        size = max(m - 1, 0)
        for p in range(key_offsets[i], key_offsets[i + 1]):
            size += unit_offsets[keys[p] + 1] - unit_offsets[keys[p]]
        offsets[j] = total
        total += size + tail
    offsets[n] = total
    out = np.empty(total, np.uint8)
    for j in range(n):
        i = select[j]
        w = offsets[j]
        for p in range(key_offsets[i], key_offsets[i + 1]):
            if p > key_offsets[i]:
                out[w] = sep
                w += 1
            u = keys[p]
            for q in range(unit_offsets[u], unit_offsets[u + 1]):
                out[w] = unit_keys[q]
                w += 1
        if tail:
            out[w] = end
    return out, offsets


@njit(**JIT_PARALLEL)
def pack_spans(stream, starts, ends, bits, width):
    """One int64 per span ``stream[starts[g]:ends[g]]`` (non-negative units below
    ``2**bits - 1``): unit ``j`` goes to bits ``bits * (width - 1 - j)`` as ``unit + 1``, so the
    integer order is the lexicographic order of the spans. Requires ``bits * width <= 63``.
    """
    n = starts.shape[0]
    out = np.empty(n, np.int64)
    for g in prange(n):
        v = np.int64(0)
        m = ends[g] - starts[g]
        for j in range(width):
            v <<= bits
            if j < m:
                v |= stream[starts[g] + j] + 1
        out[g] = v
    return out


@njit(**JIT)
def unpack_keys(packed, bits, width):
    """Inverse of :func:`pack_spans`: ``(keys, key_offsets)``."""
    n = packed.shape[0]
    mask = (np.int64(1) << bits) - 1
    offsets = np.zeros(n + 1, np.int64)
    keys = np.empty(n * width, np.int64)
    k = 0
    for i in range(n):
        for j in range(width):
            digit = (packed[i] >> (bits * (width - 1 - j))) & mask
            if digit == 0:
                break
            keys[k] = digit - 1
            k += 1
        offsets[i + 1] = k
    return keys[:k].copy(), offsets


@njit(**JIT)
def pack_keys(keys, key_offsets, rank, bits):
    """One int64 per key whose order is the lexicographic order of ``rank[unit] + 1`` (a unit
    takes ``bits`` bits, absent trailing units count 0). ``rank`` empty: the unit itself.
    Requires ``bits * longest key <= 63``.
    """
    n = key_offsets.shape[0] - 1
    width = 0
    for i in range(n):
        width = max(width, key_offsets[i + 1] - key_offsets[i])
    out = np.zeros(n, np.int64)
    for i in range(n):
        v = np.int64(0)
        m = key_offsets[i + 1] - key_offsets[i]
        for j in range(width):
            v <<= bits
            if j < m:
                u = keys[key_offsets[i] + j]
                v |= (rank[u] if rank.shape[0] else u) + 1
        out[i] = v
    return out


# --------------------------------------------------------------------------- MurmurHash3
@njit(**JIT)
def _rotl32(x, r):
    return ((x << np.uint64(r)) | (x >> np.uint64(32 - r))) & _M32


@njit(**JIT)
def _fmix32(h):
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & _M32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & _M32
    h ^= h >> np.uint64(16)
    return h


@njit(**JIT)
def _murmur32(buf, a, b, seed):
    c1 = np.uint64(0xCC9E2D51)
    c2 = np.uint64(0x1B873593)
    h = np.uint64(seed) & _M32
    n = b - a
    nblocks = n // 4
    for i in range(nblocks):
        p = a + 4 * i
        k = (
            np.uint64(buf[p])
            | (np.uint64(buf[p + 1]) << np.uint64(8))
            | (np.uint64(buf[p + 2]) << np.uint64(16))
            | (np.uint64(buf[p + 3]) << np.uint64(24))
        )
        k = (k * c1) & _M32
        k = _rotl32(k, 15)
        k = (k * c2) & _M32
        h ^= k
        h = _rotl32(h, 13)
        h = (h * np.uint64(5) + np.uint64(0xE6546B64)) & _M32
    tail = a + 4 * nblocks
    rem = n & 3
    k = np.uint64(0)
    if rem >= 3:
        k ^= np.uint64(buf[tail + 2]) << np.uint64(16)
    if rem >= 2:
        k ^= np.uint64(buf[tail + 1]) << np.uint64(8)
    if rem >= 1:
        k ^= np.uint64(buf[tail])
        k = (k * c1) & _M32
        k = _rotl32(k, 15)
        k = (k * c2) & _M32
        h ^= k
    h ^= np.uint64(n)
    h = _fmix32(h)
    out = np.int64(h)
    if out >= 2147483648:
        out -= 4294967296
    return out


@njit(**JIT)
def _rotl64(x, r):
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


@njit(**JIT)
def _fmix64(k):
    k ^= k >> np.uint64(33)
    k *= np.uint64(0xFF51AFD7ED558CCD)
    k ^= k >> np.uint64(33)
    k *= np.uint64(0xC4CEB9FE1A85EC53)
    k ^= k >> np.uint64(33)
    return k


@njit(**JIT)
def _load64(buf, p, m):
    k = np.uint64(0)
    for j in range(m - 1, -1, -1):
        k = (k << np.uint64(8)) | np.uint64(buf[p + j])
    return k


@njit(**JIT)
def _murmur64(buf, a, b, seed):
    c1 = np.uint64(0x87C37B91114253D5)
    c2 = np.uint64(0x4CF5AD432745937F)
    h1 = np.uint64(seed)
    h2 = np.uint64(seed)
    n = b - a
    nblocks = n // 16
    for i in range(nblocks):
        p = a + 16 * i
        k1 = _load64(buf, p, 8)
        k2 = _load64(buf, p + 8, 8)
        k1 *= c1
        k1 = _rotl64(k1, 31)
        k1 *= c2
        h1 ^= k1
        h1 = _rotl64(h1, 27)
        h1 += h2
        h1 = h1 * np.uint64(5) + np.uint64(0x52DCE729)
        k2 *= c2
        k2 = _rotl64(k2, 33)
        k2 *= c1
        h2 ^= k2
        h2 = _rotl64(h2, 31)
        h2 += h1
        h2 = h2 * np.uint64(5) + np.uint64(0x38495AB5)
    tail = a + 16 * nblocks
    rem = n & 15
    if rem > 8:
        k2 = _load64(buf, tail + 8, rem - 8)
        k2 *= c2
        k2 = _rotl64(k2, 33)
        k2 *= c1
        h2 ^= k2
    if rem > 0:
        k1 = _load64(buf, tail, min(rem, 8))
        k1 *= c1
        k1 = _rotl64(k1, 31)
        k1 *= c2
        h1 ^= k1
    h1 ^= np.uint64(n)
    h2 ^= np.uint64(n)
    h1 += h2
    h2 += h1
    h1 = _fmix64(h1)
    h2 = _fmix64(h2)
    h1 += h2
    return np.int64(h1)


@njit(**JIT_PARALLEL)
def murmurhash3_32(data, offsets, seed):
    """Signed MurmurHash3_x86_32 of each string ``data[offsets[i]:offsets[i + 1]]`` (int64)."""
    n = offsets.shape[0] - 1
    out = np.empty(n, np.int64)
    for i in prange(n):
        out[i] = _murmur32(data, offsets[i], offsets[i + 1], seed)
    return out


@njit(**JIT_PARALLEL)
def murmurhash3_64(data, offsets, seed):
    """First 64-bit word of MurmurHash3_x64_128 of each string, as a signed int64."""
    n = offsets.shape[0] - 1
    out = np.empty(n, np.int64)
    for i in prange(n):
        out[i] = _murmur64(data, offsets[i], offsets[i + 1], seed)
    return out


@njit(**JIT_PARALLEL)
def hash_ngrams(
    data,
    unit_starts,
    unit_ends,
    stream,
    ng_starts,
    ng_ends,
    sep,
    n_features,
    bits,
    alternate_sign,
    max_bytes,
):
    """Column and sign of each n-gram, hashed like scikit-learn's ``FeatureHasher``.

    N-gram ``g`` is the units ``stream[ng_starts[g]:ng_ends[g]]``; unit ``u`` is the bytes
    ``data[unit_starts[u]:unit_ends[u]]``, joined by the byte ``sep`` (``-1``: no separator).
    The hash ``h`` (MurmurHash3, seed 0, ``bits`` 32 or 64, signed) gives the column
    ``|h| mod n_features`` (the most negative ``h`` maps as in scikit-learn) and the value
    ``+1`` or, with ``alternate_sign``, ``-1`` when ``h < 0``. ``max_bytes`` bounds the length
    of one n-gram's bytes.

    Returns
    -------
    cols : ndarray of int64
    values : ndarray of float64
    """
    n = ng_starts.shape[0]
    cols = np.empty(n, np.int64)
    values = np.empty(n, np.float64)
    n_chunks = (n + 4095) // 4096
    for c in prange(n_chunks):
        scratch = np.empty(max_bytes, np.uint8)
        for g in range(c * 4096, min(n, (c + 1) * 4096)):
            m = 0
            for i in range(ng_starts[g], ng_ends[g]):
                if sep >= 0 and i > ng_starts[g]:
                    scratch[m] = sep
                    m += 1
                u = stream[i]
                for k in range(unit_starts[u], unit_ends[u]):
                    scratch[m] = data[k]
                    m += 1
            if bits == 32:
                h = _murmur32(scratch, 0, m, 0)
                if h == -2147483648:
                    col = (2147483647 - (n_features - 1)) % n_features
                else:
                    col = abs(h) % n_features
            else:
                h = _murmur64(scratch, 0, m, 0)
                if h == _I64_MIN:
                    col = (_I64_MAX - (n_features - 1)) % n_features
                else:
                    col = abs(h) % n_features
            cols[g] = col
            values[g] = -1.0 if (alternate_sign and h < 0) else 1.0
    return cols, values


# --------------------------------------------------------------------------- sparse assembly
@njit(**JIT_PARALLEL)
def _sort_rows_count(ptr, cols, values):
    n_rows = ptr.shape[0] - 1
    nnz = np.zeros(n_rows, np.int64)
    for r in prange(n_rows):
        a = ptr[r]
        b = ptr[r + 1]
        if b == a:
            continue
        order = np.argsort(cols[a:b], kind="mergesort")
        c_sorted = cols[a:b][order]
        v_sorted = values[a:b][order]
        cols[a:b] = c_sorted
        values[a:b] = v_sorted
        k = 1
        for i in range(a + 1, b):
            if cols[i] != cols[i - 1]:
                k += 1
        nnz[r] = k
    return nnz


@njit(**JIT_PARALLEL)
def _merge_rows(ptr, cols, values, indptr, indices, data):
    n_rows = ptr.shape[0] - 1
    for r in prange(n_rows):
        a = ptr[r]
        b = ptr[r + 1]
        k = indptr[r] - 1
        for i in range(a, b):
            if i == a or cols[i] != cols[i - 1]:
                k += 1
                indices[k] = cols[i]
                data[k] = values[i]
            else:
                data[k] += values[i]


def csr_sum_duplicates(ptr, cols, values, index_dtype=np.int32):
    """CSR arrays from per-row occurrences: columns sorted, duplicates summed in order.

    Parameters
    ----------
    ptr : ndarray of int64 of shape (n_rows + 1,)
        Row ``r`` owns occurrences ``ptr[r]:ptr[r + 1]``.
    cols : ndarray of int64
        Column of each occurrence (sorted in place per row).
    values : ndarray of float64
        Value of each occurrence (permuted in place with ``cols``).
    index_dtype : dtype, default=np.int32

    Returns
    -------
    data : ndarray of float64
    indices : ndarray of ``index_dtype``
    indptr : ndarray of ``index_dtype``
    """
    nnz = _sort_rows_count(ptr, cols, values)
    indptr = np.zeros(nnz.shape[0] + 1, np.int64)
    np.cumsum(nnz, out=indptr[1:])
    indices = np.empty(indptr[-1], index_dtype)
    data = np.empty(indptr[-1], np.float64)
    _merge_rows(ptr, cols, values, indptr, indices, data)
    return data, indices, indptr.astype(index_dtype)


@njit(**JIT)
def csr_remap_columns(indptr, indices, data, new_col):
    """Keep the entries whose ``new_col[column] >= 0``, renumbered; ``new_col`` must be
    increasing on the kept columns so that rows stay sorted. Returns ``(data, indices, indptr)``.
    """
    n_rows = indptr.shape[0] - 1
    out_ptr = np.zeros(n_rows + 1, indptr.dtype)
    out_idx = np.empty(indices.shape[0], indices.dtype)
    out_data = np.empty(data.shape[0], data.dtype)
    k = 0
    for r in range(n_rows):
        for i in range(indptr[r], indptr[r + 1]):
            c = new_col[indices[i]]
            if c >= 0:
                out_idx[k] = c
                out_data[k] = data[i]
                k += 1
        out_ptr[r + 1] = k
    return out_data[:k].copy(), out_idx[:k].copy(), out_ptr


@njit(**JIT_PARALLEL)
def csr_idf_normalize(indptr, indices, data, idf, norm):
    """In place, rows in parallel: ``data *= idf[indices]`` (skipped when ``idf`` is empty),
    then each row divided by its l2 (``norm == 2``) or l1 (``norm == 1``) norm (``norm == 0``:
    none), exactly as :func:`csr_row_normalize` does. One pass, no temporary for the gathered
    idf values (23.7M of them were a 190 MB array in the NumPy version)."""
    n_rows = indptr.shape[0] - 1
    scale = idf.shape[0] > 0
    for r in prange(n_rows):
        s = 0.0
        for i in range(indptr[r], indptr[r + 1]):
            if scale:
                data[i] = data[i] * idf[indices[i]]
            if norm == 2:
                s += data[i] * data[i]
            elif norm == 1:
                s += abs(data[i])
        if norm == 0 or s == 0.0:
            continue
        if norm == 2:
            s = np.sqrt(s)
        for i in range(indptr[r], indptr[r + 1]):
            data[i] = data[i] / s


@njit(**JIT_PARALLEL)
def csr_row_normalize(indptr, data, norm):
    """Divide each row in place by its l2 (``norm == 2``) or l1 (``norm == 1``) norm.

    The sum runs in float64 over products taken in the data's precision, as scikit-learn's
    ``normalize`` does; all-zero rows are left alone.
    """
    n_rows = indptr.shape[0] - 1
    for r in prange(n_rows):
        s = 0.0
        for i in range(indptr[r], indptr[r + 1]):
            if norm == 2:
                s += data[i] * data[i]
            else:
                s += abs(data[i])
        if s == 0.0:
            continue
        if norm == 2:
            s = np.sqrt(s)
        for i in range(indptr[r], indptr[r + 1]):
            data[i] = data[i] / s

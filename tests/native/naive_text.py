"""Plain-Python references for pai_algos_native.cpu.text."""

from __future__ import annotations

import re

import numpy as np

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF


def _rotl32(x, r):
    return ((x << r) | (x >> (32 - r))) & M32


def _fmix32(h):
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & M32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & M32
    return h ^ (h >> 16)


def murmur32(key: bytes, seed=0):
    """Signed MurmurHash3_x86_32."""
    c1, c2 = 0xCC9E2D51, 0x1B873593
    h = seed & M32
    n = len(key)
    for i in range(0, n - n % 4, 4):
        k = int.from_bytes(key[i : i + 4], "little")
        k = (_rotl32((k * c1) & M32, 15) * c2) & M32
        h = (_rotl32(h ^ k, 13) * 5 + 0xE6546B64) & M32
    tail = key[n - n % 4 :]
    if tail:
        k = int.from_bytes(tail, "little")
        h ^= (_rotl32((k * c1) & M32, 15) * c2) & M32
    h = _fmix32(h ^ n)
    return h - (1 << 32) if h >= 1 << 31 else h


def _rotl64(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def _fmix64(k):
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & M64
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & M64
    return k ^ (k >> 33)


def murmur64(key: bytes, seed=0):
    """First word of MurmurHash3_x64_128, signed."""
    c1, c2 = 0x87C37B91114253D5, 0x4CF5AD432745937F
    h1 = h2 = seed & M64
    n = len(key)
    for i in range(0, n - n % 16, 16):
        k1 = int.from_bytes(key[i : i + 8], "little")
        k2 = int.from_bytes(key[i + 8 : i + 16], "little")
        k1 = (_rotl64((k1 * c1) & M64, 31) * c2) & M64
        h1 = (_rotl64(h1 ^ k1, 27) + h2) & M64
        h1 = (h1 * 5 + 0x52DCE729) & M64
        k2 = (_rotl64((k2 * c2) & M64, 33) * c1) & M64
        h2 = (_rotl64(h2 ^ k2, 31) + h1) & M64
        h2 = (h2 * 5 + 0x38495AB5) & M64
    tail = key[n - n % 16 :]
    if len(tail) > 8:
        k2 = int.from_bytes(tail[8:], "little")
        h2 ^= (_rotl64((k2 * c2) & M64, 33) * c1) & M64
    if tail:
        k1 = int.from_bytes(tail[:8], "little")
        h1 ^= (_rotl64((k1 * c1) & M64, 31) * c2) & M64
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & M64
    h2 = (h2 + h1) & M64
    h1, h2 = _fmix64(h1), _fmix64(h2)
    h1 = (h1 + h2) & M64
    return h1 - (1 << 64) if h1 >= 1 << 63 else h1


def hashed_column(key: bytes, n_features, bits=32):
    h = murmur32(key) if bits == 32 else murmur64(key)
    top = (1 << (bits - 1)) - 1
    col = (top - (n_features - 1)) % n_features if h == -top - 1 else abs(h) % n_features
    return col, h


def tokenize(docs, min_chars=2):
    """Byte spans of ``\\w{min_chars,}`` runs, per document, through ``re``."""
    pattern = re.compile(r"(?u)\b\w{" + str(min_chars) + r",}\b")
    spans, base = [], 0
    for d in docs:
        for m in pattern.finditer(d):
            a = base + len(d[: m.start()].encode("utf-8", "surrogatepass"))
            spans.append((a, a + len(m.group().encode("utf-8", "surrogatepass"))))
        base += len(d.encode("utf-8", "surrogatepass"))
    return spans


def intern(items):
    ids, first, seen = [], [], {}
    for t, item in enumerate(items):
        if item not in seen:
            seen[item] = len(seen)
            first.append(t)
        ids.append(seen[item])
    return ids, first


def ngram_spans(lengths, min_n, max_n, mode):
    out, base = [], 0
    for length in lengths:
        for n in range(min_n, max_n + 1):
            if mode == 1 and length <= n:
                out.append((base, base + length))
                break
            for i in range(length - n + 1):
                out.append((base + i, base + i + n))
        base += length
    return out


def csr(ptr, cols, values, n_cols):
    """Dense matrix with duplicates summed."""
    dense = np.zeros((len(ptr) - 1, n_cols))
    for r in range(len(ptr) - 1):
        for i in range(ptr[r], ptr[r + 1]):
            dense[r, cols[i]] += values[i]
    return dense

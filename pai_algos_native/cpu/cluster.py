"""Clustering kernels (CPU): k-means assignment, fused Lloyd step, k-means++ trials, distances.

Squared distances for the argmin use the expansion ``||x||^2 - 2 x.c + ||c||^2``, with the dot
products of a block of :data:`BLOCK` rows (X packed feature-major, :func:`pack_rows`) computed
by a vectorised kernel and the argmin, the label and the weighted sums done in the same pass. The
returned inertia of :func:`assign_labels` and the output of :func:`pairwise_distances` use the
exact differences ``sum_f (x_f - c_f) ** 2`` instead (no cancellation).

Rows are processed in fixed chunks of :data:`CHUNK` rows (one ``prange`` work item each). Each
chunk keeps its own partial sums (float64) and the partials are added in chunk order
afterwards, so the results do not depend on the number of threads. The caller limits BLAS to
one thread (threadpoolctl) so that the BLAS calls do not oversubscribe the Numba threads.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .._config import JIT, JIT_PARALLEL

__all__ = [
    "CHUNK",
    "assign_labels",
    "kmeanspp_trials",
    "lloyd_step",
    "pack_rows",
    "pairwise_distances",
    "row_sq_norms",
    "to_device",
]

#: rows per parallel work item; fixed, so that reductions are done in the same order whatever
#: the thread count.
CHUNK = 4096
#: rows per BLAS block inside a chunk: the (BLOCK, n_clusters) block of dot products stays in
#: cache between the product and the argmin.
BLOCK = 256


def to_device(a):
    """Return ``a`` unchanged: the CPU kernels work on host arrays (twin of the CUDA upload)."""
    return a


@njit(**JIT)
def _transpose(points):
    """(m, d) -> contiguous (d, m) copy, so that the loop over the m points is innermost."""
    m, d = points.shape
    out = np.empty((d, m), dtype=points.dtype)
    for j in range(m):
        for f in range(d):
            out[f, j] = points[j, f]
    return out


@njit(**JIT)
def _sq_dists_row(X, i, points_t, out):
    """out[j] = ||X[i] - points[j]||^2 for every point j (points given transposed)."""
    d, m = points_t.shape
    for j in range(m):
        out[j] = 0.0
    for f in range(d):
        xf = X[i, f]
        for j in range(m):
            diff = xf - points_t[f, j]
            out[j] += diff * diff


@njit(**JIT)
def _argmin(values):
    best = 0
    best_value = values[0]
    for j in range(1, values.shape[0]):
        if values[j] < best_value:
            best_value = values[j]
            best = j
    return best


@njit(**JIT)
def _half_sq_norms(points):
    m, d = points.shape
    out = np.empty(m, dtype=points.dtype)
    for j in range(m):
        acc = 0.0
        for f in range(d):
            acc += np.float64(points[j, f]) * points[j, f]
        out[j] = 0.5 * acc
    return out


@njit(**JIT)
def _exact_sq_dist(X, i, centers, j):
    # four partial sums break the serial add chain; fixed order, so results are repeatable
    d = X.shape[1]
    a0 = a1 = a2 = a3 = 0.0
    f = 0
    while f + 4 <= d:
        t0 = np.float64(X[i, f]) - centers[j, f]
        t1 = np.float64(X[i, f + 1]) - centers[j, f + 1]
        t2 = np.float64(X[i, f + 2]) - centers[j, f + 2]
        t3 = np.float64(X[i, f + 3]) - centers[j, f + 3]
        a0 += t0 * t0
        a1 += t1 * t1
        a2 += t2 * t2
        a3 += t3 * t3
        f += 4
    while f < d:
        t0 = np.float64(X[i, f]) - centers[j, f]
        a0 += t0 * t0
        f += 1
    return (a0 + a1) + (a2 + a3)


#: fused multiply-add for the dot products only: ``contract`` lets LLVM turn ``acc + c * x``
#: into one FMA (one rounding instead of two, as the BLAS microkernels do) and nothing else; no
#: reassociation, so every sum is still taken in a fixed order (repeatable, thread-count free).
_JIT_FMA = {**JIT, "fastmath": {"contract"}}


@intrinsic
def _prefetch(typingctx, arr, idx):
    """Hint the CPU to fetch the cache line holding ``arr[idx]`` (no load, no fault)."""
    sig = types.void(arr, idx)

    def codegen(context, builder, signature, args):
        aty = signature.args[0]
        ary = context.make_array(aty)(context, builder, args[0])
        ptr = cgutils.get_item_pointer(
            context, builder, aty, ary, [args[1]], wraparound=False, boundscheck=False
        )
        i8p = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        fnty = ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.prefetch.p0i8")
        # read, high locality, data cache
        builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()

    return sig, codegen


@njit(**JIT_PARALLEL)
def pack_rows(X):
    """Copy X into blocks of :data:`BLOCK` rows, each stored transposed (feature-major).

    Returns an array of shape ``(ceil(n_samples / BLOCK), n_features, BLOCK)`` (the last block
    zero-padded): ``packed[b, f, r] = X[b * BLOCK + r, f]``. With the rows of a block
    contiguous per feature, the dot products and the argmin of :func:`lloyd_step` vectorise
    across rows. The estimator packs X once per fit and passes it to every step.
    """
    n, d = X.shape
    n_blocks = (n + BLOCK - 1) // BLOCK
    out = np.empty((n_blocks, d, BLOCK), dtype=X.dtype)
    for b in prange(n_blocks):
        r0 = b * BLOCK
        nb = min(n, r0 + BLOCK) - r0
        for f in range(d):
            # contiguous stores; the loads stay within the block's rows (in L1 after f = 0)
            for r in range(nb):
                out[b, f, r] = X[r0 + r, f]
            for r in range(nb, BLOCK):
                out[b, f, r] = 0
    return out


@njit(**_JIT_FMA)
def _dots_pair(xt, centers, j, o0, o1, nb):
    """``o0[r] = c_j . x_r`` and ``o1[r] = c_{j+1} . x_r`` for the nb rows of block ``xt``.

    Features are taken four at a time (eight coefficients stay in registers) and the loop over
    rows is innermost and contiguous, so LLVM vectorises it (8 float32 rows per AVX2 register);
    each dot product is still summed over the features in order 0, 1, ..., d - 1.
    """
    d = xt.shape[0]
    for r in range(nb):
        o0[r] = 0.0
        o1[r] = 0.0
    f = 0
    while f + 4 <= d:
        a0 = centers[j, f]
        a1 = centers[j, f + 1]
        a2 = centers[j, f + 2]
        a3 = centers[j, f + 3]
        b0 = centers[j + 1, f]
        b1 = centers[j + 1, f + 1]
        b2 = centers[j + 1, f + 2]
        b3 = centers[j + 1, f + 3]
        x0 = xt[f]
        x1 = xt[f + 1]
        x2 = xt[f + 2]
        x3 = xt[f + 3]
        for r in range(nb):
            y0 = x0[r]
            y1 = x1[r]
            y2 = x2[r]
            y3 = x3[r]
            o0[r] = o0[r] + a0 * y0 + a1 * y1 + a2 * y2 + a3 * y3
            o1[r] = o1[r] + b0 * y0 + b1 * y1 + b2 * y2 + b3 * y3
        f += 4
    while f < d:
        a0 = centers[j, f]
        b0 = centers[j + 1, f]
        x0 = xt[f]
        for r in range(nb):
            o0[r] = o0[r] + a0 * x0[r]
            o1[r] = o1[r] + b0 * x0[r]
        f += 1


@njit(**_JIT_FMA)
def _dots_one(xt, centers, j, o0, nb):
    """``o0[r] = c_j . x_r`` (the last center when n_clusters is odd); same order as above."""
    d = xt.shape[0]
    for r in range(nb):
        o0[r] = 0.0
    for f in range(d):
        a0 = centers[j, f]
        x0 = xt[f]
        for r in range(nb):
            o0[r] = o0[r] + a0 * x0[r]


@njit(**JIT)
def _argmin_pair(o0, o1, h0, h1, j, src_best, src_lab, dst_best, dst_lab, nb):
    """Running argmin over centers j, j+1 of ``h - o``, vectorised across rows.

    Reads the running (best, label) from ``src_*`` and writes them to ``dst_*``: writing to
    other arrays keeps the stores unconditional (a conditional store back into the same array
    becomes a masked store, which is slow on AMD cores). Strict ``<``: lowest index on ties.
    """
    jj = np.int32(j)
    jj1 = np.int32(j + 1)
    for r in range(nb):
        b = src_best[r]
        lab = src_lab[r]
        v = h0 - o0[r]
        m = v < b
        b = v if m else b
        lab = jj if m else lab
        v = h1 - o1[r]
        m = v < b
        b = v if m else b
        lab = jj1 if m else lab
        dst_best[r] = b
        dst_lab[r] = lab


@njit(**JIT)
def _argmin_one(o0, h0, j, src_best, src_lab, dst_best, dst_lab, nb):
    jj = np.int32(j)
    for r in range(nb):
        b = src_best[r]
        v = h0 - o0[r]
        m = v < b
        dst_best[r] = v if m else b
        dst_lab[r] = jj if m else src_lab[r]


@njit(**JIT)
def _block_argmin(xt, centers, half_norms, nb, scratch, best, lab, nxt):
    """Closest center of each of the nb rows of a packed block; returns which buffer holds it.

    ``best[s, r]`` is ``||c||^2 / 2 - x_r . c`` of the closest center ``lab[s, r]``. ``nxt``
    (the next block, flattened) is prefetched a slice per pass over the centers, so that its
    first pass does not wait for memory (the hardware prefetcher does not run that far ahead).
    """
    k = centers.shape[0]
    step = max(1, 64 // nxt.itemsize)  # elements per cache line
    n_pass = (k + 1) // 2
    per_pass = ((nxt.shape[0] + step - 1) // step + n_pass - 1) // n_pass * step
    pf = 0
    for r in range(nb):
        best[0, r] = np.inf
        lab[0, r] = 0
    src = 0
    j = 0
    while j + 2 <= k:
        pf_end = min(nxt.shape[0], pf + per_pass)
        while pf < pf_end:
            _prefetch(nxt, pf)
            pf += step
        _dots_pair(xt, centers, j, scratch[0], scratch[1], nb)
        _argmin_pair(
            scratch[0],
            scratch[1],
            half_norms[j],
            half_norms[j + 1],
            j,
            best[src],
            lab[src],
            best[1 - src],
            lab[1 - src],
            nb,
        )
        src = 1 - src
        j += 2
    if j < k:
        _dots_one(xt, centers, j, scratch[0], nb)
        _argmin_one(
            scratch[0], half_norms[j], j, best[src], lab[src], best[1 - src], lab[1 - src], nb
        )
        src = 1 - src
    return src


@njit(**JIT)
def _lloyd_chunk(
    X,
    packed,
    x_sq_norms,
    sample_weight,
    centers,
    half_norms,
    labels,
    start,
    end,
    psum,
    pw,
    update,
):
    """Rows start:end (start a multiple of BLOCK): labels (and, if ``update``, the weighted
    sums); returns their inertia.

    The argmin uses ``||c||^2 / 2 - x.c`` (the row's own norm does not change it). With
    ``update`` the inertia is ``||x||^2 + 2 * best`` (cheap, for the history); without, the
    exact distance.
    """
    d = X.shape[1]
    dtype = X.dtype
    scratch = np.empty((2, BLOCK), dtype=dtype)
    best = np.empty((2, BLOCK), dtype=dtype)
    lab = np.empty((2, BLOCK), dtype=np.int32)
    acc = 0.0
    for b0 in range(start, end, BLOCK):
        nb = min(end, b0 + BLOCK) - b0
        b = b0 // BLOCK
        nxt = packed[min(b + 1, packed.shape[0] - 1)].reshape(-1)
        src = _block_argmin(packed[b], centers, half_norms, nb, scratch, best, lab, nxt)
        bst = best[src]
        lb = lab[src]
        for r in range(nb):
            i = b0 + r
            j = lb[r]
            labels[i] = j
            w = np.float64(sample_weight[i])
            if update:
                acc += w * max(x_sq_norms[i] + 2.0 * bst[r], 0.0)
                pw[j] += w
                for f in range(d):
                    psum[j, f] += w * X[i, f]
            else:
                acc += w * _exact_sq_dist(X, i, centers, j)
    return acc


@njit(**JIT)
def _partials(n_chunks, k, d):
    """Zeroed per-chunk partials. Allocated outside the parallel functions: there each
    ``np.zeros`` (and each ``a[:] = 0``) becomes a parallel region of its own, with a fork and a
    join that cost little on idle cores but a scheduler time slice each when a core is busy.
    """
    return (
        np.zeros((n_chunks, k, d), dtype=np.float64),
        np.zeros((n_chunks, k), dtype=np.float64),
        np.zeros(n_chunks, dtype=np.float64),
    )


@njit(**JIT)
def _reduce_partials(part_sums, part_weights, part_inertia, sums, weights):
    """Add the per-chunk partials in chunk order (serial, for the same reason as above)."""
    n_chunks, k, d = part_sums.shape
    sums[:] = 0.0
    weights[:] = 0.0
    inertia = 0.0
    for ch in range(n_chunks):
        inertia += part_inertia[ch]
        for j in range(k):
            weights[j] += part_weights[ch, j]
            for f in range(d):
                sums[j, f] += part_sums[ch, j, f]
    return inertia


@njit(**JIT)
def _sum_in_order(values):
    acc = 0.0
    for v in values:
        acc += v
    return acc


@njit(**JIT_PARALLEL)
def _lloyd_step(X, packed, x_sq_norms, sample_weight, centers, labels, sums, weights):
    n, d = X.shape
    k = centers.shape[0]
    half_norms = _half_sq_norms(centers)
    n_chunks = (n + CHUNK - 1) // CHUNK
    part_sums, part_weights, part_inertia = _partials(n_chunks, k, d)
    for ch in prange(n_chunks):
        part_inertia[ch] = _lloyd_chunk(
            X,
            packed,
            x_sq_norms,
            sample_weight,
            centers,
            half_norms,
            labels,
            ch * CHUNK,
            min(n, (ch + 1) * CHUNK),
            part_sums[ch],
            part_weights[ch],
            True,
        )
    return _reduce_partials(part_sums, part_weights, part_inertia, sums, weights)


@njit(**JIT_PARALLEL)
def _assign_labels(X, packed, sample_weight, centers, labels):
    n = X.shape[0]
    half_norms = _half_sq_norms(centers)
    n_chunks = (n + CHUNK - 1) // CHUNK
    dummy_sums, dummy_weights, part_inertia = _partials(n_chunks, 1, 1)
    dummy_norms = dummy_weights[0]
    for ch in prange(n_chunks):
        part_inertia[ch] = _lloyd_chunk(
            X,
            packed,
            dummy_norms,
            sample_weight,
            centers,
            half_norms,
            labels,
            ch * CHUNK,
            min(n, (ch + 1) * CHUNK),
            dummy_sums[0],
            dummy_weights[0],
            False,
        )
    return _sum_in_order(part_inertia)


def lloyd_step(X, x_sq_norms, sample_weight, centers, labels, sums, weights, packed=None):
    """One fused Lloyd iteration: assign each row to its closest center and accumulate.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features), float32 or float64, C-contiguous
    x_sq_norms : ndarray of shape (n_samples,), float64
        ``||x_i||^2``, computed once per fit (:func:`row_sq_norms`).
    sample_weight : ndarray of shape (n_samples,), same dtype as X
    centers : ndarray of shape (n_clusters, n_features), same dtype as X
        The current centers.
    labels : ndarray of shape (n_samples,), int32
        Output: index of the closest center of each row (lowest index on ties).
    sums : ndarray of shape (n_clusters, n_features), float64
        Output: ``sum_{i in cluster j} w_i x_i``.
    weights : ndarray of shape (n_clusters,), float64
        Output: ``sum_{i in cluster j} w_i``.
    packed : ndarray, default=None
        ``pack_rows(X)``; packed here when None (pass it to avoid a copy of X per call).

    Returns
    -------
    inertia : float
        ``sum_i w_i ||x_i - c_{labels_i}||^2`` with respect to ``centers`` (float64), from the
        expansion (for the history; :func:`assign_labels` gives the exact value).
    """
    if packed is None:
        packed = pack_rows(X)
    return _lloyd_step(X, packed, x_sq_norms, sample_weight, centers, labels, sums, weights)


def assign_labels(X, x_sq_norms, sample_weight, centers, labels, packed=None):
    """E-step only: ``labels[i] = argmin_j ||x_i - c_j||^2``; returns the weighted inertia.

    Same arguments as :func:`lloyd_step` without the accumulators (``x_sq_norms`` is unused
    here but kept so that both kernels take the data the same way). The inertia is computed
    from exact differences.
    """
    if packed is None:
        packed = pack_rows(X)
    return _assign_labels(X, packed, sample_weight, centers, labels)


@njit(**JIT)
def _kmeanspp_chunk(
    X, x_sq_norms, cand_t, cand_sq, closest_dist_sq, sample_weight, start, end, dots, out, pot
):
    m = cand_t.shape[1]
    for b0 in range(start, end, BLOCK):
        b1 = min(end, b0 + BLOCK)
        block = dots[: b1 - b0]
        np.dot(X[b0:b1], cand_t, block)
        for r in range(b1 - b0):
            i = b0 + r
            w = np.float64(sample_weight[i])
            for t in range(m):
                dist = max(x_sq_norms[i] + cand_sq[t] - 2.0 * block[r, t], 0.0)
                v = min(np.float64(closest_dist_sq[i]), dist)
                out[t, i] = v
                pot[t] += w * out[t, i]


@njit(**JIT_PARALLEL)
def kmeanspp_trials(X, x_sq_norms, candidates, closest_dist_sq, sample_weight, out):
    """Distance update of greedy k-means++ for a set of candidate centers.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    x_sq_norms : ndarray of shape (n_samples,), float64
    candidates : ndarray of shape (n_trials, n_features), same dtype as X
    closest_dist_sq : ndarray of shape (n_samples,), same dtype as X
        Squared distance of each row to its closest chosen center (``inf`` before the first).
    sample_weight : ndarray of shape (n_samples,), same dtype as X
    out : ndarray of shape (n_trials, n_samples), same dtype as X
        Output: ``min(closest_dist_sq[i], ||x_i - candidates[t]||^2)``.

    Returns
    -------
    potentials : ndarray of shape (n_trials,), float64
        ``sum_i w_i out[t, i]``: the potential if candidate t were added.
    """
    n = X.shape[0]
    m = candidates.shape[0]
    cand_t = _transpose(candidates)
    cand_sq = 2.0 * _half_sq_norms(candidates).astype(np.float64)
    n_chunks = (n + CHUNK - 1) // CHUNK
    part = np.zeros((n_chunks, m), dtype=np.float64)
    for ch in prange(n_chunks):
        dots = np.empty((BLOCK, m), dtype=X.dtype)
        _kmeanspp_chunk(
            X,
            x_sq_norms,
            cand_t,
            cand_sq,
            closest_dist_sq,
            sample_weight,
            ch * CHUNK,
            min(n, (ch + 1) * CHUNK),
            dots,
            out,
            part[ch],
        )
    potentials = np.zeros(m, dtype=np.float64)
    for ch in range(n_chunks):
        for t in range(m):
            potentials[t] += part[ch, t]
    return potentials


@njit(**JIT_PARALLEL)
def row_sq_norms(X):
    """``||x_i||^2`` of every row, accumulated in float64."""
    n, d = X.shape
    out = np.empty(n, dtype=np.float64)
    for i in prange(n):
        acc = 0.0
        for f in range(d):
            acc += np.float64(X[i, f]) * X[i, f]
        out[i] = acc
    return out


@njit(**JIT_PARALLEL)
def pairwise_distances(X, centers, out):
    """``out[i, j] = ||x_i - c_j||`` (Euclidean, not squared), in the dtype of X."""
    n = X.shape[0]
    k = centers.shape[0]
    centers_t = _transpose(centers)
    n_chunks = (n + CHUNK - 1) // CHUNK
    for ch in prange(n_chunks):
        for i in range(ch * CHUNK, min(n, (ch + 1) * CHUNK)):
            row = out[i]
            _sq_dists_row(X, i, centers_t, row)
            for j in range(k):
                row[j] = np.sqrt(row[j])
    return out

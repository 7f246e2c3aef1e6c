"""Clustering kernels (CPU): k-means assignment, fused Lloyd step, k-means++ trials, distances.

Squared distances for the argmin use the expansion ``||x||^2 - 2 x.c + ||c||^2``, with the dot
products of a block of :data:`BLOCK` rows (X packed feature-major, :func:`pack_rows`) computed
by a register-blocked micro-kernel (:func:`_tile_dots`, fused multiply-adds in a fixed order,
as the BLAS micro-kernels do) and the argmin, the label and the weighted sums done in the same
pass. The returned inertia of :func:`assign_labels` and the output of
:func:`pairwise_distances` use the exact differences ``sum_f (x_f - c_f) ** 2`` instead
(no cancellation).

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
CHUNK = 3840
#: rows per packed block inside a chunk (a multiple of the micro-kernel's 24 float32 and 12
#: float64 rows; CHUNK is a multiple of it): the (BLOCK, n_clusters) block of dot products stays in
#: cache between the product and the argmin.
BLOCK = 240


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


#: the micro-kernel's tile: 4 centers x 3 SIMD vectors of rows (256-bit vectors)
TILE_CENTERS = 4
TILE_VECTORS = 3


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


@intrinsic
def _tile_dots(typingctx, xt, r0, ct, j0, out):
    """``out[c, r0 + r] = sum_f ct[f, j0 + c] * xt[f, r0 + r]`` for a tile of TILE_CENTERS
    centers and TILE_VECTORS SIMD vectors of rows (24 float32 or 12 float64 rows).

    A register-blocked micro-kernel, as BLAS has, written in LLVM IR: the 12 accumulators are
    vector registers (phi nodes) across the loop over features, each step loads the tile's rows
    of one feature (contiguous in the packed block), broadcasts four center coordinates and
    issues 12 vector FMAs. Twelve independent chains cover the FMA latency of two pipes. Each
    dot product is a chain of FMAs over features 0, 1, ..., d - 1, so results are repeatable.
    ``xt`` is a packed block (n_features, BLOCK), ``ct`` the transposed centers
    (n_features, k padded to a multiple of TILE_CENTERS), ``out`` (TILE_CENTERS, BLOCK); all
    C-contiguous with ``r0 + tile rows <= BLOCK``.
    """
    sig = types.void(xt, r0, ct, j0, out)

    def codegen(context, builder, signature, args):
        xty, r0ty, cty, j0ty, oty = signature.args
        dt = context.get_value_type(xty.dtype)
        lanes = 8 if xty.dtype == types.float32 else 4
        vt = ir.VectorType(dt, lanes)
        i64 = ir.IntType(64)
        i32 = ir.IntType(32)
        xa = context.make_array(xty)(context, builder, args[0])
        ca = context.make_array(cty)(context, builder, args[2])
        oa = context.make_array(oty)(context, builder, args[4])
        r0v = context.cast(builder, args[1], r0ty, types.int64)
        j0v = context.cast(builder, args[3], j0ty, types.int64)
        d = builder.extract_value(xa.shape, 0)
        ldx = builder.extract_value(xa.shape, 1)
        ldc = builder.extract_value(ca.shape, 1)
        ldo = builder.extract_value(oa.shape, 1)
        xbase = builder.gep(xa.data, [r0v])
        cbase = builder.gep(ca.data, [j0v])
        zero = ir.Constant(vt, None)
        bits = 32 if xty.dtype == types.float32 else 64
        fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(vt, [vt, vt, vt]), f"llvm.fma.v{lanes}f{bits}"
        )
        mask = ir.Constant(ir.VectorType(i32, lanes), [0] * lanes)
        entry = builder.block
        loop = builder.append_basic_block("tile.loop")
        done = builder.append_basic_block("tile.done")
        builder.cbranch(builder.icmp_signed(">", d, ir.Constant(i64, 0)), loop, done)
        builder.position_at_end(loop)
        f = builder.phi(i64)
        f.add_incoming(ir.Constant(i64, 0), entry)
        accs = []
        for _ in range(TILE_VECTORS * TILE_CENTERS):
            p = builder.phi(vt)
            p.add_incoming(zero, entry)
            accs.append(p)
        xrow = builder.gep(xbase, [builder.mul(f, ldx)])
        xs = [
            builder.load(
                builder.bitcast(builder.gep(xrow, [ir.Constant(i64, h * lanes)]), vt.as_pointer()),
                align=4,
            )
            for h in range(TILE_VECTORS)
        ]
        crow = builder.gep(cbase, [builder.mul(f, ldc)])
        new = []
        for c in range(TILE_CENTERS):
            cv = builder.load(builder.gep(crow, [ir.Constant(i64, c)]))
            bc = builder.shuffle_vector(
                builder.insert_element(ir.Constant(vt, ir.Undefined), cv, ir.Constant(i32, 0)),
                ir.Constant(vt, ir.Undefined),
                mask,
            )
            for h in range(TILE_VECTORS):
                new.append(builder.call(fma, [bc, xs[h], accs[TILE_VECTORS * c + h]]))
        f1 = builder.add(f, ir.Constant(i64, 1))
        last = builder.block
        f.add_incoming(f1, last)
        for p, v in zip(accs, new):
            p.add_incoming(v, last)
        builder.cbranch(builder.icmp_signed("<", f1, d), loop, done)
        builder.position_at_end(done)
        results = []
        for v in new:
            res = builder.phi(vt)
            res.add_incoming(zero, entry)
            res.add_incoming(v, last)
            results.append(res)
        for c in range(TILE_CENTERS):
            for h in range(TILE_VECTORS):
                off = builder.add(
                    builder.mul(ir.Constant(i64, c), ldo),
                    builder.add(r0v, ir.Constant(i64, h * lanes)),
                )
                ptr = builder.bitcast(builder.gep(oa.data, [off]), vt.as_pointer())
                builder.store(results[TILE_VECTORS * c + h], ptr, align=4)
        return context.get_dummy_value()

    return sig, codegen


@njit(**JIT)
def _argmin4(o, hn, j, src_best, src_lab, dst_best, dst_lab, nb):
    """Running argmin over centers j..j+3 of ``hn - o``, vectorised across rows.

    Reads the running (best, label) from ``src_*`` and writes them to ``dst_*``: writing to
    other arrays keeps the stores unconditional (a conditional store back into the same array
    becomes a masked store, which is slow on AMD cores). Strict ``<``: lowest index on ties.
    """
    h0 = hn[j]
    h1 = hn[j + 1]
    h2 = hn[j + 2]
    h3 = hn[j + 3]
    j0 = np.int32(j)
    j1 = np.int32(j + 1)
    j2 = np.int32(j + 2)
    j3 = np.int32(j + 3)
    o0 = o[0]
    o1 = o[1]
    o2 = o[2]
    o3 = o[3]
    for r in range(nb):
        b = src_best[r]
        lab = src_lab[r]
        v = h0 - o0[r]
        m = v < b
        b = v if m else b
        lab = j0 if m else lab
        v = h1 - o1[r]
        m = v < b
        b = v if m else b
        lab = j1 if m else lab
        v = h2 - o2[r]
        m = v < b
        b = v if m else b
        lab = j2 if m else lab
        v = h3 - o3[r]
        m = v < b
        b = v if m else b
        lab = j3 if m else lab
        dst_best[r] = b
        dst_lab[r] = lab


@njit(**JIT)
def _block_argmin(xt, ct, hn, nb, o, best, lab, nxt):
    """Closest center of each of the nb rows of a packed block; returns which buffer holds it.

    ``best[s, r]`` is ``||c||^2 / 2 - x_r . c`` of the closest center ``lab[s, r]``, from the
    transposed, padded centers ``ct`` and half norms ``hn`` (:func:`_transpose_pad`). ``nxt``
    (the next block, flattened) is prefetched a slice per group of centers, so that its first
    pass does not wait for memory (the hardware prefetcher does not run that far ahead).
    """
    kp = ct.shape[1]
    T = TILE_VECTORS * 32 // xt.itemsize  # rows per tile: 24 float32 or 12 float64
    ntile = (nb + T - 1) // T
    step = max(1, 64 // nxt.itemsize)
    n_pass = kp // TILE_CENTERS
    per_pass = ((nxt.shape[0] + step - 1) // step + n_pass - 1) // n_pass * step
    pf = 0
    for r in range(nb):
        best[0, r] = np.inf
        lab[0, r] = 0
    src = 0
    for j in range(0, kp, TILE_CENTERS):
        pf_end = min(nxt.shape[0], pf + per_pass)
        while pf < pf_end:
            _prefetch(nxt, pf)
            pf += step
        for t in range(ntile):
            _tile_dots(xt, t * T, ct, j, o)
        _argmin4(o, hn, j, best[src], lab[src], best[1 - src], lab[1 - src], nb)
        src = 1 - src
    return src


@njit(**JIT)
def _transpose_pad(centers):
    """Centers transposed to (n_features, k padded to a multiple of TILE_CENTERS) and their half
    squared norms, +inf for the padding so that a padded center is never the closest."""
    k, d = centers.shape
    kp = (k + TILE_CENTERS - 1) // TILE_CENTERS * TILE_CENTERS
    ct = np.zeros((d, kp), dtype=centers.dtype)
    hn = np.full(kp, np.inf, dtype=centers.dtype)
    hn[:k] = _half_sq_norms(centers)
    for j in range(k):
        for f in range(d):
            ct[f, j] = centers[j, f]
    return ct, hn


@njit(**JIT)
def _lloyd_chunk(
    X,
    packed,
    x_sq_norms,
    sample_weight,
    centers,
    ct,
    hn,
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
    scratch = np.empty((TILE_CENTERS, BLOCK), dtype=dtype)
    best = np.empty((2, BLOCK), dtype=dtype)
    lab = np.empty((2, BLOCK), dtype=np.int32)
    acc = 0.0
    for b0 in range(start, end, BLOCK):
        nb = min(end, b0 + BLOCK) - b0
        b = b0 // BLOCK
        nxt = packed[min(b + 1, packed.shape[0] - 1)].reshape(-1)
        src = _block_argmin(packed[b], ct, hn, nb, scratch, best, lab, nxt)
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
    ct, hn = _transpose_pad(centers)
    n_chunks = (n + CHUNK - 1) // CHUNK
    part_sums, part_weights, part_inertia = _partials(n_chunks, k, d)
    for ch in prange(n_chunks):
        part_inertia[ch] = _lloyd_chunk(
            X,
            packed,
            x_sq_norms,
            sample_weight,
            centers,
            ct,
            hn,
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
    ct, hn = _transpose_pad(centers)
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
            ct,
            hn,
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

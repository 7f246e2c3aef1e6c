"""Exact-tree prediction kernels (CUDA): the twins of ``apply``, ``forest_apply`` and
``predict_forest`` in cpu/tree_exact.

Each thread takes rows in a grid-stride loop and walks the trees for its row (``x <= threshold``
goes left, ``left == -1`` marks a leaf), adding the leaf values in tree order and dividing by the
number of trees at the end, as the CPU kernel does, so the results agree exactly. Tree growth
(``build_tree``) has no GPU twin: it runs on the CPU.

Arguments are host arrays; results come back to the host (``out`` is filled in place).
"""

from __future__ import annotations

import numpy as np
from numba import cuda

from .._config import blocks_for, threads_per_block

__all__ = ["apply", "forest_apply", "predict_forest"]


@cuda.jit(device=True)
def _leaf(X, i, root, left, right, feature, threshold):
    node = root
    while left[node] >= 0:
        if X[i, feature[node]] <= threshold[node]:
            node = left[node]
        else:
            node = right[node]
    return node


@cuda.jit
def _apply_kernel(X, left, right, feature, threshold, roots, out):
    n = X.shape[0]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        for t in range(roots.shape[0]):
            out[i, t] = _leaf(X, i, roots[t], left, right, feature, threshold)


@cuda.jit
def _predict_kernel(X, left, right, feature, threshold, value, roots, out):
    n = X.shape[0]
    n_out = value.shape[1]
    n_trees = roots.shape[0]
    for i in range(cuda.grid(1), n, cuda.gridsize(1)):
        for k in range(n_out):
            out[i, k] = 0.0
        for t in range(n_trees):
            node = _leaf(X, i, roots[t], left, right, feature, threshold)
            for k in range(n_out):
                out[i, k] += value[node, k]
        for k in range(n_out):
            out[i, k] /= n_trees


def _launch(kernel, n, *args):
    tpb = threads_per_block()
    kernel[blocks_for(max(n, 1), tpb), tpb](*args)


def _upload(*arrays):
    return [cuda.to_device(np.ascontiguousarray(a)) for a in arrays]


def forest_apply(X, left, right, feature, threshold, roots):
    """Leaf (global node index) of every row in every tree: int64 array (n_rows, n_trees)."""
    n = X.shape[0]
    d_out = cuda.device_array((n, roots.shape[0]), dtype=np.int64)
    if n:
        _launch(_apply_kernel, n, *_upload(X, left, right, feature, threshold, roots), d_out)
    return d_out.copy_to_host()


def apply(X, left, right, feature, threshold):
    """Leaf index of every row of ``X`` in one tree (root at node 0)."""
    roots = np.zeros(1, dtype=np.int64)
    return forest_apply(X, left, right, feature, threshold, roots)[:, 0]


def predict_forest(X, left, right, feature, threshold, value, roots, out):
    """``out[i] = mean over trees of value[leaf(i)]`` (``out`` is filled in place)."""
    n = X.shape[0]
    if n == 0:
        return
    d_out = cuda.device_array(out.shape, dtype=out.dtype)
    args = _upload(X, left, right, feature, threshold, value, roots)
    _launch(_predict_kernel, n, *args, d_out)
    out[...] = d_out.copy_to_host()

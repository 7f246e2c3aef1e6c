"""Leaf-wise growth of one histogram tree on binned data (the Python side of the engine).

The numerical work (histograms, split search, partition) is in :mod:`pai_algos_native.cpu.trees`;
this module keeps the node bookkeeping: a heap of splittable leaves ordered by gain (best-first
growth, as LightGBM and scikit-learn do), the limits ``max_leaf_nodes`` / ``max_depth`` /
``min_samples_leaf``, and the subtraction trick (the smaller child's histogram is built from
its rows, the larger child's is ``parent - smaller``).

Monotonic constraints follow scikit-learn: every node carries bounds ``[lo, hi]`` on its value
and its children's; a split on a feature constrained increasing (decreasing) must give a left
value below (above) the right one, and then the left child's values are capped (floored) at
the mid-point of the two children's values and the right child's floored (capped) there, so
that no later split can break the order.

With ``device="cuda"`` the histograms of nodes with at least :data:`CUDA_MIN_ROWS` rows are
built on the GPU (the codes stay there for the whole fit, the gradients go up once per tree,
a node's row list once per node); split search, partition and the smaller nodes stay on the
CPU, where a histogram of a few thousand rows costs less than a kernel launch and its copies.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from pai_algos_native import kernels
from pai_algos_native.cpu.trees import BITSET_WORDS

__all__ = ["Tree", "TreeGrower"]

#: scikit-learn's grower default: a child needs this much hessian to exist.
MIN_HESSIAN_TO_SPLIT = 1e-3
#: with ``device="cuda"``, nodes with fewer rows get their histogram from the CPU kernel
CUDA_MIN_ROWS = 16_384


@dataclass
class Tree:
    """A grown tree: flat node arrays (root 0) and the training rows of each leaf."""

    feature: np.ndarray
    threshold: np.ndarray
    bin_threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    missing_left: np.ndarray
    value: np.ndarray
    rows: np.ndarray
    leaf_nodes: np.ndarray
    leaf_starts: np.ndarray
    leaf_stops: np.ndarray
    cat_node: np.ndarray | None = None
    bitset: np.ndarray | None = None

    @property
    def n_nodes(self):
        return self.feature.shape[0]


@dataclass
class _Node:
    start: int
    stop: int
    sum_g: float
    sum_h: float
    count: float
    depth: int
    lo: float = -np.inf
    hi: float = np.inf
    groups: tuple | None = None  # interaction groups still allowed on the path
    hist: np.ndarray | None = None
    split: tuple | None = None  # (gain, feature, bin, missing_left, left_stats, bitset)
    children: tuple | None = None


class TreeGrower:
    """Grow trees on fixed binned data.

    Parameters
    ----------
    codes : ndarray of shape (n_features, n_samples), uint8
    bin_mapper : BinMapper
        Fitted on the same data (thresholds, bins per feature, missing flags).
    max_leaf_nodes, max_depth : int or None
    min_samples_leaf : int
    l2_regularization : float
    n_features_per_split : int
        Features drawn (without replacement) at each node; all when equal to n_features.
    rng : numpy.random.RandomState
    monotonic_cst : ndarray of shape (n_features,), int8, default=None
        -1 (decreasing), 0 or 1 (increasing) per feature; None: no constraint.
    is_categorical : ndarray of shape (n_features,), uint8, default=None
        Features whose bins are categories (bitset splits); None: all numerical.
    interaction_groups : list of set of int, default=None
        Interaction constraints: the features on one root-to-leaf path must all belong to
        one group (scikit-learn's rule); None: no constraint.
    """

    def __init__(
        self,
        codes,
        bin_mapper,
        *,
        max_leaf_nodes,
        max_depth,
        min_samples_leaf,
        l2_regularization,
        n_features_per_split,
        rng,
        monotonic_cst=None,
        is_categorical=None,
        interaction_groups=None,
        device="cpu",
    ):
        self.codes = codes
        self.mapper = bin_mapper
        self.max_leaf_nodes = max_leaf_nodes
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.l2 = float(l2_regularization)
        self.n_features_per_split = n_features_per_split
        self.rng = rng
        self.k = kernels("trees")
        # the GPU only builds histograms of nodes of CUDA_MIN_ROWS rows: none below that
        use_gpu = device == "cuda" and codes.shape[1] >= CUDA_MIN_ROWS
        self._gpu = kernels("trees", "cuda") if use_gpu else None
        self._codes_dev = self._gpu.to_device(codes) if use_gpu else None
        d, n = codes.shape
        self.n_features = d
        self._buffer = np.empty(n, dtype=np.int64)
        self._gains = np.empty(d)
        self._bins = np.empty(d, dtype=np.int64)
        self._missing_left = np.empty(d, dtype=np.uint8)
        self._left_stats = np.zeros((d, 3))
        self._full_mask = np.ones(d, dtype=np.uint8)
        self.monotonic_cst = monotonic_cst
        self.is_categorical = is_categorical
        self.interaction_groups = interaction_groups
        self._bitsets = np.zeros((d, BITSET_WORDS), dtype=np.uint32)

    def _mask(self, node):
        if self.n_features_per_split >= self.n_features:
            mask = self._full_mask
        else:
            mask = np.zeros(self.n_features, dtype=np.uint8)
            mask[self.rng.choice(self.n_features, self.n_features_per_split, replace=False)] = 1
        if self.interaction_groups is not None:
            allowed = np.zeros(self.n_features, dtype=np.uint8)
            for g in node.groups:
                allowed[list(self.interaction_groups[g])] = 1
            mask = mask & allowed
        return mask

    def _find_split(self, node):
        """Set ``node.split`` to the best split, or leave it None if no split has gain > 0."""
        self.k.find_best_splits(
            node.hist,
            self.mapper.n_bins_non_missing_,
            self.mapper.has_missing_,
            self._mask(node),
            node.sum_g,
            node.sum_h,
            node.count,
            self.l2,
            float(self.min_samples_leaf),
            MIN_HESSIAN_TO_SPLIT,
            self._gains,
            self._bins,
            self._missing_left,
            self._left_stats,
            self.monotonic_cst,
            node.lo,
            node.hi,
            self.is_categorical,
            self._bitsets,
        )
        f = int(np.argmax(self._gains))
        gain = self._gains[f]
        if gain > 0:
            is_cat = self.is_categorical is not None and self.is_categorical[f]
            node.split = (
                gain,
                f,
                int(self._bins[f]),
                int(self._missing_left[f]),
                self._left_stats[f].copy(),
                self._bitsets[f].copy() if is_cat else None,
            )

    def _value(self, sum_g, sum_h, lo, hi):
        return min(max(-sum_g / (sum_h + self.l2 + 1e-15), lo), hi)

    def _leaf_value(self, node):
        return self._value(node.sum_g, node.sum_h, node.lo, node.hi)

    def _child_bounds(self, node, f, left, right):
        """Bounds of the children of ``node`` split on feature ``f`` (scikit-learn's rule)."""
        cst = 0 if self.monotonic_cst is None else int(self.monotonic_cst[f])
        if cst == 0:
            left.lo, left.hi = right.lo, right.hi = node.lo, node.hi
            return
        mid = 0.5 * (
            self._value(left.sum_g, left.sum_h, node.lo, node.hi)
            + self._value(right.sum_g, right.sum_h, node.lo, node.hi)
        )
        if cst > 0:
            left.lo, left.hi, right.lo, right.hi = node.lo, mid, mid, node.hi
        else:
            left.lo, left.hi, right.lo, right.hi = mid, node.hi, node.lo, mid

    def _histogram(self, gradients, hessians, rows, on_device):
        if on_device is not None and rows.shape[0] >= CUDA_MIN_ROWS:
            g_dev, h_dev = on_device
            return self._gpu.build_histogram(
                self._codes_dev, g_dev, h_dev, rows, self.mapper.n_bins_
            )
        return self.k.build_histogram(self.codes, gradients, hessians, rows, self.mapper.n_bins_)

    def grow(self, gradients, hessians, learning_rate):
        """Grow one tree on ``gradients`` / ``hessians``; leaf values are shrunk by the rate."""
        k = self.k
        on_device = None
        if self._gpu is not None:
            on_device = (self._gpu.to_device(gradients), self._gpu.to_device(hessians))
        n = self.codes.shape[1]
        rows = np.arange(n, dtype=np.int64)
        msl = self.min_samples_leaf
        root = _Node(0, n, float(np.sum(gradients)), float(np.sum(hessians)), float(n), 0)
        if self.interaction_groups is not None:
            root.groups = tuple(range(len(self.interaction_groups)))
        nodes = [root]
        heap = []
        if root.count >= 2 * msl and root.sum_h >= MIN_HESSIAN_TO_SPLIT:
            root.hist = self._histogram(gradients, hessians, rows, on_device)
            self._find_split(root)
            if root.split is not None:
                heapq.heappush(heap, (-root.split[0], 0))
        n_leaves = 1
        while heap:
            _, idx = heapq.heappop(heap)
            node = nodes[idx]
            _, f, b, miss_left, left_stats, bitset = node.split
            if bitset is not None:
                n_left = k.partition_rows_categorical(
                    self.codes[f], rows[node.start : node.stop], bitset, self._buffer
                )
            else:
                n_left = k.partition_rows(
                    self.codes[f],
                    rows[node.start : node.stop],
                    b,
                    miss_left,
                    self.mapper.missing_bin_,
                    self._buffer,
                )
            mid = node.start + n_left
            depth = node.depth + 1
            left = _Node(node.start, mid, left_stats[0], left_stats[1], left_stats[2], depth)
            right = _Node(
                mid,
                node.stop,
                node.sum_g - left_stats[0],
                node.sum_h - left_stats[1],
                node.count - left_stats[2],
                depth,
            )
            self._child_bounds(node, f, left, right)
            if node.groups is not None:
                left.groups = right.groups = tuple(
                    g for g in node.groups if f in self.interaction_groups[g]
                )
            if not self.mapper.has_missing_[f]:
                # no NaN seen in training: at predict time NaN follows the bigger child
                miss_left = int(left.count > right.count)
            node.split = (node.split[0], f, b, miss_left, None, bitset)
            node.children = (len(nodes), len(nodes) + 1)
            nodes.extend((left, right))
            n_leaves += 1
            parent_hist, node.hist = node.hist, None
            if self.max_leaf_nodes is not None and n_leaves >= self.max_leaf_nodes:
                break
            if self.max_depth is not None and depth >= self.max_depth:
                continue
            split_left = left.count >= 2 * msl
            split_right = right.count >= 2 * msl
            if not (split_left or split_right):
                continue
            small, large = (left, right) if left.count < right.count else (right, left)
            small.hist = self._histogram(
                gradients, hessians, rows[small.start : small.stop], on_device
            )
            large.hist = k.subtract_histogram(parent_hist, small.hist)
            li, ri = node.children
            for child, child_idx, wanted in ((left, li, split_left), (right, ri, split_right)):
                if wanted:
                    self._find_split(child)
                    if child.split is not None:
                        heapq.heappush(heap, (-child.split[0], child_idx))
                if child.split is None:
                    child.hist = None
        return self._to_arrays(nodes, rows, learning_rate)

    def _to_arrays(self, nodes, rows, learning_rate):
        m = len(nodes)
        feature = np.zeros(m, dtype=np.int32)
        threshold = np.zeros(m)
        bin_threshold = np.zeros(m, dtype=np.uint8)
        left = np.full(m, -1, dtype=np.int32)
        right = np.full(m, -1, dtype=np.int32)
        missing_left = np.zeros(m, dtype=np.uint8)
        value = np.zeros(m)
        cat_node = np.zeros(m, dtype=np.uint8)
        bitsets = np.zeros((m, BITSET_WORDS), dtype=np.uint32)
        leaves = []
        for i, node in enumerate(nodes):
            value[i] = learning_rate * self._leaf_value(node)
            if node.children is None:
                leaves.append(i)
                continue
            _, f, b, miss_left, _, bitset = node.split
            feature[i] = f
            if bitset is not None:
                cat_node[i] = 1
                bitsets[i] = bitset
                if miss_left:  # NaN goes left: set the missing bin's bit too (for binned data)
                    mb = self.mapper.missing_bin_
                    bitsets[i, mb >> 5] |= np.uint32(1 << (mb & 31))
            else:
                threshold[i] = self.mapper.raw_threshold(f, b)
            bin_threshold[i] = b
            left[i], right[i] = node.children
            missing_left[i] = miss_left
        leaves = np.asarray(leaves, dtype=np.int64)
        starts = np.array([nodes[i].start for i in leaves], dtype=np.int64)
        stops = np.array([nodes[i].stop for i in leaves], dtype=np.int64)
        return Tree(
            feature,
            threshold,
            bin_threshold,
            left,
            right,
            missing_left,
            value,
            rows,
            leaves,
            starts,
            stops,
            cat_node,
            bitsets,
        )

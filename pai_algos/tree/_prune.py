"""Minimal cost-complexity pruning of a fitted tree (Breiman et al., 1984, chapter 3), as
scikit-learn's ``ccp_alpha`` and ``cost_complexity_pruning_path`` do it.

Each node ``t`` costs ``R(t) = w(t) / w(root) * impurity(t)``; a branch ``T_t`` costs the sum
over its leaves. The weakest link is the internal node with the smallest
``(R(t) - R(T_t)) / (|leaves(T_t)| - 1)``; it is collapsed into a leaf and the costs of its
ancestors are updated, until that smallest value exceeds ``ccp_alpha`` or only the root is
left. Ties keep the node of lowest index (scikit-learn's scan). The node arrays are small,
so this post-processing is plain NumPy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["prune_tree", "pruning_path"]


def _prune(tree, ccp_alpha, record):
    left, right = tree.children_left, tree.children_right
    n = left.shape[0]
    parent = np.full(n, -1, dtype=np.int64)
    internal = left >= 0
    parent[left[internal]] = np.flatnonzero(internal)
    parent[right[internal]] = np.flatnonzero(internal)
    w = tree.weighted_n_node_samples
    r_node = w / w[0] * tree.impurity
    # leaves and branch costs, children before parents (children have larger indices)
    n_leaves = np.where(internal, 0, 1).astype(np.int64)
    r_branch = np.where(internal, 0.0, r_node)
    for i in range(n - 1, 0, -1):
        n_leaves[parent[i]] += n_leaves[i]
        r_branch[parent[i]] += r_branch[i]
    candidate = internal.copy()
    in_tree = np.ones(n, dtype=bool)
    alphas, impurities = [0.0], [r_branch[0]]
    while candidate[0]:
        idx = np.flatnonzero(candidate)
        alpha = (r_node[idx] - r_branch[idx]) / (n_leaves[idx] - 1)
        k = int(np.argmin(alpha))  # the first of equal minima, as scikit-learn's scan
        effective, node = float(alpha[k]), int(idx[k])
        if not record and ccp_alpha < effective:
            break
        stack = [int(left[node]), int(right[node])]
        while stack:  # the branch below ``node`` leaves the tree
            j = stack.pop()
            in_tree[j] = False
            candidate[j] = False
            if left[j] >= 0:
                stack += [int(left[j]), int(right[j])]
        candidate[node] = False
        removed = n_leaves[node] - 1
        diff = r_node[node] - r_branch[node]
        n_leaves[node] = 1
        r_branch[node] = r_node[node]
        j = parent[node]
        while j >= 0:
            n_leaves[j] -= removed
            r_branch[j] += diff
            j = parent[j]
        alphas.append(effective)
        impurities.append(r_branch[0])
    return in_tree, np.asarray(alphas), np.asarray(impurities)


def pruning_path(tree):
    """``(ccp_alphas, impurities)``: the effective alphas of the successive weakest links (0
    first) and the total leaf impurity of the tree pruned at each."""
    _, alphas, impurities = _prune(tree, np.inf, record=True)
    return alphas, impurities


def prune_tree(tree, ccp_alpha):
    """A new :class:`~pai_algos.tree._base.Tree` pruned at ``ccp_alpha`` (``tree`` itself
    when nothing is pruned). Kept nodes keep their order (a depth-first order stays one)."""
    from ._base import Tree

    if ccp_alpha <= 0.0:
        return tree
    keep, _, _ = _prune(tree, ccp_alpha, record=False)
    if keep.all():
        return tree
    new_id = np.cumsum(keep) - 1
    old = np.flatnonzero(keep)
    left, right = tree.children_left[old], tree.children_right[old]
    leaf = (left < 0) | ~keep[np.maximum(left, 0)]
    left = np.where(leaf, -1, new_id[np.maximum(left, 0)]).astype(tree.children_left.dtype)
    right = np.where(leaf, -1, new_id[np.maximum(right, 0)]).astype(tree.children_right.dtype)
    feature = np.where(leaf, -2, tree.feature[old]).astype(tree.feature.dtype)
    threshold = np.where(leaf, -2.0, tree.threshold[old]).astype(tree.threshold.dtype)
    depth = np.zeros(old.shape[0], dtype=np.int64)
    for i in range(old.shape[0]):  # parents come first
        if left[i] >= 0:
            depth[left[i]] = depth[right[i]] = depth[i] + 1
    arrays = (
        left,
        right,
        feature,
        threshold,
        np.ascontiguousarray(tree.value[old, 0, :]),
        tree.impurity[old],
        tree.n_node_samples[old],
        tree.weighted_n_node_samples[old],
        int(depth.max()),
    )
    return Tree(arrays, tree.n_features, int(tree.n_classes[0]))

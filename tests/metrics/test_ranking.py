"""Ranking metrics against values computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos.metrics import (
    catalog_coverage,
    hit_rate_at_k,
    map_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)

# user 0: relevant {1, 3}; recommended 1, 2, 3 -> hits at ranks 1 and 3
# user 1: relevant {0};    recommended 2, 4, 0 -> hit at rank 3
# user 2: no relevant item -> left out of every mean
TRUE = [[1, 3], [0], []]
PRED = [[1, 2, 3], [2, 4, 0], [0, 1, 2]]
D = 1 / np.log2(np.arange(2, 5))  # discounts of ranks 1..3


def _sparse():
    return sp.csr_matrix((np.ones(3), ([0, 0, 1], [1, 3, 0])), shape=(3, 5))


@pytest.mark.parametrize("y_true", [TRUE, _sparse()], ids=["lists", "sparse"])
def test_hand_computed(y_true):
    assert precision_at_k(y_true, PRED, k=3) == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert precision_at_k(y_true, PRED, k=1) == pytest.approx(0.5)
    assert recall_at_k(y_true, PRED, k=3) == pytest.approx((1.0 + 1.0) / 2)
    assert recall_at_k(y_true, PRED, k=2) == pytest.approx((0.5 + 0.0) / 2)
    ndcg0 = (D[0] + D[2]) / (D[0] + D[1])
    ndcg1 = D[2] / D[0]
    assert ndcg_at_k(y_true, PRED, k=3) == pytest.approx((ndcg0 + ndcg1) / 2)
    ap0 = (1 / 1 + 2 / 3) / 2
    ap1 = (1 / 3) / 1
    assert map_at_k(y_true, PRED, k=3) == pytest.approx((ap0 + ap1) / 2)
    assert hit_rate_at_k(y_true, PRED, k=3) == pytest.approx(1.0)
    assert hit_rate_at_k(y_true, PRED, k=2) == pytest.approx(0.5)


def test_padding_and_string_ids():
    assert precision_at_k([["a"]], np.array([["a", None]], dtype=object), k=2) == 0.5
    assert precision_at_k(_sparse(), [[1, -1, -1], [-1, -1, -1], [0, 0, 0]]) == pytest.approx(1 / 6)
    assert catalog_coverage([[0, 1, -1], [1, 2, -1]], n_items=6) == pytest.approx(0.5)
    assert catalog_coverage([[0, 1], [3, 2]], n_items=4, k=1) == pytest.approx(0.5)
    assert catalog_coverage(np.array([["a", None]], dtype=object), n_items=2) == 0.5


def test_errors():
    with pytest.raises(ValueError, match="k=4 exceeds the 3 recommended"):
        precision_at_k(TRUE, PRED, k=4)
    with pytest.raises(ValueError, match="y_true has 2 users but y_pred has 3"):
        recall_at_k(TRUE[:2], PRED)
    with pytest.raises(ValueError, match="No user has a relevant item"):
        ndcg_at_k([[], []], [[0], [1]])
    with pytest.raises(ValueError, match="y_pred must be 2-D"):
        map_at_k(TRUE, [1, 2, 3])
    with pytest.raises(ValueError, match="k must be a positive integer"):
        hit_rate_at_k(TRUE, PRED, k=0)

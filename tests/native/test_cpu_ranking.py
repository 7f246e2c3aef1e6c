"""pai_algos_native.cpu.ranking against the NumPy references in naive_ranking (and sklearn)."""

from __future__ import annotations

import numpy as np
import pytest

from pai_algos_native.cpu import ranking as T

from . import naive_ranking as naive


def _queries(rng, n_q=12):
    sizes = rng.integers(1, 40, size=n_q)
    bounds = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    labels = rng.integers(0, 4, size=bounds[-1]).astype(np.float64)
    labels[bounds[0] : bounds[1]] = 0  # a query without relevant documents
    return bounds, np.exp2(labels) - 1


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("truncation", [5, 30])
def test_lambdarank_gradients(rng, normalize, truncation):
    bounds, gains = _queries(rng)
    scores = rng.normal(size=gains.shape[0])
    max_dcg = np.empty(bounds.shape[0] - 1)
    T.max_dcg_per_query(gains, bounds, truncation, max_dcg)
    inv = np.where(max_dcg > 0, 1 / np.where(max_dcg > 0, max_dcg, 1), 0.0)
    g, h = np.empty_like(scores), np.empty_like(scores)
    T.lambdarank_gradients(scores, gains, bounds, inv, 1.5, truncation, normalize, g, h)
    ref_g, ref_h = naive.lambdarank(scores, gains, bounds, 1.5, truncation, normalize)
    np.testing.assert_allclose(g, ref_g, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(h, ref_h, rtol=1e-9, atol=1e-12)
    # gradients of a query sum to zero (each pair adds +lambda and -lambda)
    for s, e in zip(bounds[:-1], bounds[1:]):
        assert abs(g[s:e].sum()) < 1e-9


def test_ndcg_per_query_matches_sklearn(rng):
    from sklearn.metrics import ndcg_score

    bounds, gains = _queries(rng)
    scores = rng.normal(size=gains.shape[0])
    out = np.empty(bounds.shape[0] - 1)
    T.ndcg_per_query(scores, gains, bounds, 10, out)
    assert out[0] == 1.0  # no relevant document: 1, as LightGBM
    for q in range(1, bounds.shape[0] - 1):
        s, e = bounds[q], bounds[q + 1]
        if e - s < 2 or gains[s:e].max() == 0:
            continue
        ref = ndcg_score(gains[None, s:e], scores[None, s:e], k=10)
        np.testing.assert_allclose(out[q], ref, rtol=1e-12)

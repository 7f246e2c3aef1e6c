"""train_test_split_interactions keeps every user's interactions partitioned."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pai_algos.datasets import make_interactions
from pai_algos.recommend import train_test_split_interactions


@pytest.mark.parametrize("test_size", [0.3, 2])
def test_partition(seed, test_size):
    X = make_interactions(80, 30, density=0.2, random_state=seed)
    train, test = train_test_split_interactions(X, test_size, random_state=seed)
    assert train.shape == test.shape == X.shape
    assert train.multiply(test).nnz == 0  # no cell in both
    assert (train + test != X).nnz == 0  # nothing lost, values kept
    counts = X.getnnz(axis=1)
    assert np.all(train.getnnz(axis=1) >= np.minimum(counts, 1))
    expected = np.minimum(
        np.rint(counts * test_size) if isinstance(test_size, float) else test_size, counts - 1
    ).clip(0)
    np.testing.assert_array_equal(test.getnnz(axis=1), expected)


def test_leave_last_out_by_time(seed):
    rng = np.random.default_rng(seed)
    X = make_interactions(40, 25, density=0.3, random_state=seed)
    T = X.copy()
    T.data = rng.permutation(X.nnz).astype(float) + 1
    train, test = train_test_split_interactions(X, 1, time=T, random_state=seed)
    for u in range(40):
        if X[u].nnz < 2:
            assert test[u].nnz == 0
            continue
        row = T[u]
        latest = row.indices[np.argmax(row.data)]
        assert test[u].indices.tolist() == [latest]


def test_min_train_and_errors():
    X = sp.csr_matrix([[1, 1, 1], [1, 0, 0]])
    train, test = train_test_split_interactions(X, 2, min_train=2, random_state=0)
    assert train.getnnz(axis=1).tolist() == [2, 1]
    with pytest.raises(ValueError, match="test_size must be"):
        train_test_split_interactions(X, 1.5)
    with pytest.raises(ValueError, match="X must be a scipy.sparse matrix"):
        train_test_split_interactions(np.ones((2, 2)))
    with pytest.raises(ValueError, match="time must have the shape"):
        train_test_split_interactions(X, 1, time=sp.csr_matrix((2, 2)))

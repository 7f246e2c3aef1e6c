"""Per-user hold-out split of an interaction matrix."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state

__all__ = ["train_test_split_interactions"]


def train_test_split_interactions(X, test_size=0.2, *, time=None, min_train=1, random_state=None):
    """Split every user's interactions between a training and a test matrix.

    Parameters
    ----------
    X : sparse matrix of shape (n_users, n_items)
        Interactions (duplicates are summed, explicit zeros dropped).
    test_size : float or int, default=0.2
        A float in (0, 1): the fraction of each user's interactions held out (rounded to the
        nearest integer); an int >= 1: that many per user (1 is leave-one-out).
    time : sparse matrix of shape (n_users, n_items), default=None
        Timestamps with the sparsity pattern of ``X``. When given, each user's latest
        interactions are held out (leave-last-out); otherwise a random subset.
    min_train : int, default=1
        Interactions every user keeps in the training matrix: a user with ``min_train`` or
        fewer interactions has none held out.
    random_state : int, RandomState instance or None, default=None
        Seed of the random hold-out (and of the tie-breaking between equal timestamps).

    Returns
    -------
    X_train : scipy.sparse.csr_matrix of shape (n_users, n_items)
    X_test : scipy.sparse.csr_matrix of shape (n_users, n_items)
        A partition of the stored entries of ``X``: ``X_train + X_test == X`` and no (user,
        item) cell is in both.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import train_test_split_interactions
    >>> X = sp.csr_matrix([[1, 1, 1, 0], [0, 1, 1, 1]])
    >>> train, test = train_test_split_interactions(X, test_size=1, random_state=0)
    >>> train.getnnz(axis=1).tolist(), test.getnnz(axis=1).tolist()
    ([2, 2], [1, 1])
    >>> (train + test != X).nnz
    0
    """
    if not sp.issparse(X):
        raise ValueError(f"X must be a scipy.sparse matrix, got {type(X).__name__}.")
    if isinstance(test_size, bool) or not isinstance(test_size, (Integral, Real)):
        raise ValueError(f"test_size must be a float in (0, 1) or an int >= 1, got {test_size!r}.")
    if isinstance(test_size, Integral):
        if test_size < 1:
            raise ValueError(
                f"test_size must be an int >= 1 or a float in (0, 1), got {test_size}."
            )
    elif not 0 < test_size < 1:
        raise ValueError(f"test_size must be a float in (0, 1) or an int >= 1, got {test_size}.")
    if isinstance(min_train, bool) or not isinstance(min_train, Integral) or min_train < 0:
        raise ValueError(f"min_train must be an int >= 0, got {min_train!r}.")
    X = sp.csr_matrix(X, copy=True)
    X.sum_duplicates()
    X.eliminate_zeros()
    rng = check_random_state(random_state)
    counts = np.diff(X.indptr)
    rows = np.repeat(np.arange(X.shape[0]), counts)
    tiebreak = rng.random_sample(X.nnz)
    if time is None:
        keys = (tiebreak,)
    else:
        time = sp.csr_matrix(time)
        if time.shape != X.shape:
            raise ValueError(f"time must have the shape of X {X.shape}, got {time.shape}.")
        stamps = np.asarray(time[rows, X.indices]).ravel()
        keys = (tiebreak, stamps)
    order = np.lexsort((*keys, rows))  # by row, then key: the row's last entries go to test
    rank = np.empty(X.nnz, dtype=np.int64)
    rank[order] = np.arange(X.nnz) - np.repeat(X.indptr[:-1], counts)
    if isinstance(test_size, Integral):
        n_test = np.full(X.shape[0], int(test_size))
    else:
        n_test = np.rint(counts * test_size).astype(np.int64)
    n_test = np.clip(np.minimum(n_test, counts - min_train), 0, None)
    is_test = rank >= (counts - n_test)[rows]
    test = X.copy()
    test.data = np.where(is_test, X.data, 0).astype(X.dtype)
    train = X.copy()
    train.data = np.where(is_test, 0, X.data).astype(X.dtype)
    test.eliminate_zeros()
    train.eliminate_zeros()
    return train, test

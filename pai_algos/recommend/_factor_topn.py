"""recommend() of the latent-factor models in one kernel: score tiles and top-n together."""

from __future__ import annotations

import numpy as np

from pai_algos_native import kernels

from ..base import blas_single_thread, numba_threads
from ._base import csr_arrays

__all__ = ["FactorTopNMixin", "factor_topn"]


def factor_topn(est, users, bias, exclude, n):
    """Top-``n`` item indices and scores of ``users @ item_factors_.T + bias`` per row.

    ``exclude`` is the CSR (one row per user, sorted indices) of the items to leave out.
    The kernel scores tiles of a few users with BLAS inside its Numba threads, so BLAS is
    held to one thread meanwhile.
    """
    dtype = est._dtype
    V = est.item_factors_
    users = np.ascontiguousarray(users, dtype=dtype)
    VT = np.ascontiguousarray(V.T, dtype=dtype)
    bias = np.zeros(V.shape[0], dtype) if bias is None else np.ascontiguousarray(bias, dtype)
    ex_indptr, ex_indices, _ = csr_arrays(exclude)
    out_idx = np.empty((len(users), n), dtype=np.int64)
    out_score = np.empty((len(users), n), dtype=dtype)
    with numba_threads(getattr(est, "n_jobs", None)), blas_single_thread():
        kernels("recommend", "cpu").factor_topn(
            users, VT, bias, ex_indptr, ex_indices, n, out_idx, out_score
        )
    return out_idx, out_score


class FactorTopNMixin:
    """Put before ``FactorRecommender``: its ``recommend`` without a block of dense scores."""

    def _recommend_rows(self, idx, rows, exclude, n):
        return factor_topn(self, self._user_vectors(idx, rows), self._item_bias, exclude, n)

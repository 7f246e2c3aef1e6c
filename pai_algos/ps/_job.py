"""What the minibatch parameter-server jobs share: rows split over workers, one minibatch of
keys per worker step (pull -> gradient -> push), and a signature for resuming after a crash."""

from __future__ import annotations

import hashlib

import numpy as np

from pai_algos_native.cpu import keyed_table as kt

__all__ = ["MinibatchJob"]


class MinibatchJob:
    """A pass over the rows per ``orders`` entry, each pass split into ``n_workers``
    contiguous slices; worker ``w`` at step ``t`` takes the ``t``-th minibatch of its slice.

    Under ``sync="bsp"`` the shards sum the pushes of a step, so the workers split each
    minibatch of ``batch_size`` rows (:attr:`batch` rows each): a step's update is the size of
    the in-process one. Otherwise each worker's minibatch of ``batch_size`` rows is an update.
    Subclasses give :meth:`gradient`.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix
        Rows; column indices are the int64 keys.
    y : ndarray of shape (n_samples,)
    orders : list of ndarray of int64
        One row order per pass.
    config : pai_algos.ps.PSConfig
    batch_size : int
        Rows per step over all workers (bsp) or per worker (ssp, async).
    with_bias : bool
        Learn an intercept under ``keyed_table.BIAS_KEY``.
    """

    def __init__(self, X, y, orders, config, batch_size, with_bias):
        self.data, self.indptr = X.data, X.indptr
        self.indices = X.indices.astype(np.int64, copy=False)
        self.y = y
        self.with_bias = bool(with_bias)
        self.n_workers = int(config.num_workers)
        self.global_batch = int(batch_size)
        self.bsp = config.sync == "bsp"
        self.batch = -(-self.global_batch // self.n_workers) if self.bsp else self.global_batch
        self.slices = []
        longest = 0
        for order in orders:
            bounds = np.linspace(0, order.shape[0], self.n_workers + 1).astype(np.int64)
            parts = [order[bounds[w] : bounds[w + 1]] for w in range(self.n_workers)]
            longest = max(longest, max(p.shape[0] for p in parts))
            self.slices.append(parts)
        self.steps_per_pass = max(1, -(-longest // self.batch))
        self._orders = orders

    def n_steps(self):
        return len(self.slices) * self.steps_per_pass

    def step(self, worker, t, client):
        p, s = divmod(t, self.steps_per_pass)
        rows = self.slices[p][worker][s * self.batch : (s + 1) * self.batch]
        if rows.shape[0] == 0:
            return 0.0
        keys, inverse = kt.unique_keys(self.indices, self.indptr, rows, self.with_bias)
        w = client.pull(keys)
        grad = np.empty(keys.shape[0])
        loss = self.gradient(t, rows, inverse, w, grad)
        client.push(keys, grad)
        return loss

    def gradient(self, t, rows, inverse, w, grad):
        """Fill ``grad`` (per local key id) for the minibatch ``rows`` under the pulled
        weights ``w``; return the minibatch's summed loss."""
        raise NotImplementedError

    def _signature_parts(self):
        return (self.indptr, self.indices, self.data, self.y)

    def signature(self):
        """Identifies the job (data, row orders, split, batch) for resuming after a crash."""
        h = hashlib.sha1()
        for a in (*self._signature_parts(), *self._orders):
            h.update(np.ascontiguousarray(a).tobytes())
        h.update(f"{type(self).__name__}/{self.n_workers}/{self.batch}/{self.with_bias}".encode())
        return h.hexdigest()

"""Where FTRLClassifier's weights live: a keyed FTRL table behind ``pull`` / ``push``.

The training loop (:func:`train_epoch`) only talks to a store through two calls, as a
parameter-server worker talks to its servers:

- ``pull(keys) -> w``: the current weights of ``keys`` (sorted, distinct int64 keys; absent
  keys weigh 0);
- ``push(keys, grads)``: per-key aggregated gradients; the *store* applies the FTRL-Proximal
  update to its own ``(z, n)`` state (a server-side optimizer), inserting new keys.

:class:`LocalStore` keeps the table in this process (:mod:`pai_algos_native.cpu.keyed_table`).
A remote store (the parameter server, ``ps=PSConfig(...)``) offers the same two calls and can
hand back a :class:`LocalStore` holding the final table, so a fitted model predicts anywhere.
"""

from __future__ import annotations

import numpy as np

from pai_algos_native.cpu import keyed_table as kt

from ..ps._job import MinibatchJob

__all__ = ["FTRLJob", "LocalStore", "train_epoch"]


class LocalStore:
    """An in-process FTRL-Proximal table: per-key ``(z, n)`` in an open-addressing hash map.

    Parameters
    ----------
    alpha, beta, l1, l2 : float
        FTRL-Proximal hyperparameters (see :class:`~pai_algos.linear_model.FTRLClassifier`).
    capacity : int, default=16
        Initial number of slots (a power of two); the table doubles whenever an insertion
        could take the load factor above 1/2.
    """

    n_values = 2  # z, n

    def __init__(self, alpha, beta, l1, l2, capacity=kt.MIN_CAPACITY):
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.l1 = float(l1)
        self.l2 = float(l2)
        self.table_keys, self.table_values = kt.new_table(capacity, self.n_values)
        self.n_keys = 0

    @property
    def _params(self):
        return self.alpha, self.beta, self.l1, self.l2

    @property
    def capacity(self) -> int:
        return int(self.table_keys.shape[0])

    def _reserve(self, n_new: int) -> None:
        """Grow (rehash into twice the slots, repeatedly) so ``n_new`` more keys fit."""
        capacity = kt.capacity_for(self.n_keys + n_new)
        if capacity <= self.capacity:
            return
        keys, values = kt.new_table(capacity, self.n_values)
        kt.rehash(self.table_keys, self.table_values, keys, values)
        self.table_keys, self.table_values = keys, values

    @classmethod
    def from_state(cls, alpha, beta, l1, l2, keys, values):
        """A table holding ``keys`` with their ``(z, n)`` rows ``values`` (e.g. gathered from
        parameter-server shards)."""
        store = cls(alpha, beta, l1, l2)
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        store._reserve(keys.shape[0])
        slots = np.empty(keys.shape[0], dtype=np.int64)
        store.n_keys += kt.insert_slots(store.table_keys, keys, slots)
        store.table_values[slots] = values
        return store

    def all_state(self):
        """Every stored key (the bias key included) and its ``(z, n)`` row."""
        keys, slots = kt.stored_keys(self.table_keys)
        out = np.empty((keys.shape[0], self.n_values))
        kt.gather(self.table_values, slots, out)
        return keys, out

    def pull(self, keys):
        """Weights of ``keys`` (float64, 0 for keys not stored)."""
        w = np.empty(keys.shape[0])
        slots = np.empty(keys.shape[0], dtype=np.int64)
        kt.ftrl_pull(self.table_keys, self.table_values, keys, *self._params, slots, w)
        return w

    def push(self, keys, grads):
        """Apply one FTRL-Proximal step per key with its aggregated gradient."""
        self._reserve(keys.shape[0])
        slots = np.empty(keys.shape[0], dtype=np.int64)
        self.n_keys += kt.insert_slots(self.table_keys, keys, slots)
        kt.ftrl_push(self.table_values, slots, grads, *self._params)

    def train_epoch(self, data, indices, indptr, y, order, batch_size, with_bias):
        """Fast path of :func:`train_epoch` for this in-process table: the whole pass runs in
        one compiled call (:func:`~pai_algos_native.cpu.keyed_table.ftrl_train_epoch`), with
        the same pull -> gradient -> push arithmetic per minibatch. Returns the summed loss.
        """
        table_keys, table_values, n_keys, loss = kt.ftrl_train_epoch(
            data,
            indices,
            indptr,
            y,
            order,
            int(batch_size),
            bool(with_bias),
            self.table_keys,
            self.table_values,
            int(self.n_keys),
            *self._params,
        )
        self.table_keys, self.table_values, self.n_keys = table_keys, table_values, int(n_keys)
        return float(loss)

    def state(self, keys):
        """Raw ``(z, n)`` of ``keys``, shape ``(len(keys), 2)`` (zeros for absent keys)."""
        slots = np.empty(keys.shape[0], dtype=np.int64)
        kt.find_slots(self.table_keys, keys, slots)
        out = np.empty((keys.shape[0], self.n_values))
        kt.gather(self.table_values, slots, out)
        return out

    def weights(self):
        """All stored keys (sorted, the bias key excluded) and their weights."""
        keys, slots = kt.stored_keys(self.table_keys)
        keep = keys != kt.BIAS_KEY
        keys, slots = keys[keep], slots[keep]
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order]
        w = np.empty(keys.shape[0])
        kt.ftrl_weights(self.table_values, slots, *self._params, w)
        return keys, w

    def bias(self) -> float:
        """The intercept: the weight of the reserved key ``BIAS_KEY``."""
        return float(self.pull(np.array([kt.BIAS_KEY], dtype=np.int64))[0])

    def decision(self, data, indices, indptr, with_bias):
        """Margins ``b + sum_k x_k w_k`` of CSR rows (float64)."""
        bias = self.bias() if with_bias else 0.0
        out = np.empty(indptr.shape[0] - 1)
        kt.ftrl_decision_csr(
            data, indices, indptr, self.table_keys, self.table_values, *self._params, bias, out
        )
        return out


def train_epoch(store, X, y, order, batch_size, with_bias):
    """One pass over the rows ``order`` of CSR ``X``: pull -> compute -> push per minibatch.

    A :class:`LocalStore` runs the pass in one compiled call (:meth:`LocalStore.train_epoch`,
    same arithmetic); any other store is driven through ``pull`` and ``push``.

    Parameters
    ----------
    store : object with ``pull(keys)`` and ``push(keys, grads)``
        Where the weights live.
    X : scipy.sparse.csr_matrix
        Rows to learn from; column indices are the int64 keys.
    y : ndarray of shape (n_samples,)
        Targets in {0, 1} (float64).
    order : ndarray of int64
        The rows to visit, in order.
    batch_size : int
        Rows per minibatch: all rows of a minibatch see the weights pulled at its start.
    with_bias : bool
        Whether to learn an intercept under the reserved key ``BIAS_KEY``.

    Returns
    -------
    loss : float
        Summed log loss of the rows, each scored before its minibatch's update
        (progressive validation).
    """
    data, indices, indptr = X.data, X.indices, X.indptr
    if isinstance(store, LocalStore):
        return store.train_epoch(data, indices, indptr, y, order, batch_size, with_bias)
    total = 0.0
    margins = np.empty(min(batch_size, order.shape[0]))
    for start in range(0, order.shape[0], batch_size):
        rows = order[start : start + batch_size]
        keys, inverse = kt.unique_keys(indices, indptr, rows, with_bias)
        w = store.pull(keys)
        grad = np.empty(keys.shape[0])
        total += kt.logistic_batch_grad(data, indptr, rows, inverse, y, w, with_bias, grad, margins)
        store.push(keys, grad)
    return total


class FTRLJob(MinibatchJob):
    """FTRL training as a parameter-server job: each worker step pulls its minibatch's keys,
    computes the logistic gradient and pushes it (the same arithmetic as :func:`train_epoch`);
    the shards apply FTRL-Proximal. See :class:`pai_algos.ps._job.MinibatchJob` for the split of
    rows over workers and steps; ``y`` holds targets in {0, 1} (float64).
    """

    def gradient(self, t, rows, inverse, w, grad):
        margins = np.empty(rows.shape[0])
        return kt.logistic_batch_grad(
            self.data, self.indptr, rows, inverse, self.y, w, self.with_bias, grad, margins
        )

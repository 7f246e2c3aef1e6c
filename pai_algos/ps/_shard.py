"""A server shard: its keyed table, its optimizer, its dedup table and its checkpoints.

The same class runs in-process (the local backend) and inside a Ray actor. Every message is
flat NumPy arrays: ``pull(keys)`` and ``push(worker, seq, clock, keys, grads)`` with sorted,
distinct int64 keys and gradients already summed per key by the worker.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import numpy as np

from pai_algos_native.cpu import keyed_table as kt
from pai_algos_native.cpu import ps as kps

__all__ = ["Shard", "TableSpec"]


@dataclass(frozen=True)
class TableSpec:
    """A sparse table's server-side optimizer and its hyper-parameters.

    ``optimizer`` is ``"sgd"`` (``lr``), ``"adagrad"`` (``lr``, ``eps``), ``"ftrl"``
    (``alpha``, ``beta``, ``l1``, ``l2``) or ``"sum"`` (pushes are added: aggregation, e.g.
    of the per-worker histograms of gradient boosting).

    ``dense_size``: a dense table of that many entries (keys are the indices
    ``0 .. dense_size - 1``), split across the shards in contiguous ranges and stored as plain
    arrays; None (default) is a sparse table of arbitrary 64-bit keys stored in hash maps.
    """

    optimizer: str = "sgd"
    lr: float = 0.1
    eps: float = 1e-8
    alpha: float = 0.1
    beta: float = 1.0
    l1: float = 0.0
    l2: float = 0.0
    dense_size: int | None = None

    def __post_init__(self):
        if self.optimizer not in ("sgd", "adagrad", "ftrl", "sum"):
            raise ValueError(
                f"optimizer must be 'sgd', 'adagrad', 'ftrl' or 'sum', got {self.optimizer!r}."
            )
        if self.dense_size is not None and (
            not isinstance(self.dense_size, int) or self.dense_size < 1
        ):
            raise ValueError(f"dense_size must be a positive integer, got {self.dense_size!r}.")

    @property
    def n_values(self) -> int:
        return 1 if self.optimizer in ("sgd", "sum") else 2


class _Dedup:
    """Per worker: every seq up to ``high`` was applied, plus the seqs in ``above``."""

    def __init__(self):
        self.high = {}
        self.above = {}

    def seen(self, worker, seq) -> bool:
        return seq <= self.high.get(worker, -1) or seq in self.above.get(worker, ())

    def add(self, worker, seq):
        high = self.high.get(worker, -1)
        above = self.above.setdefault(worker, set())
        above.add(seq)
        while high + 1 in above:
            high += 1
            above.discard(high)
        self.high[worker] = high

    def to_arrays(self):
        rows = [(w, h, -1) for w, h in self.high.items()]
        rows += [(w, -2, s) for w, seqs in self.above.items() for s in seqs]
        return np.array(rows, dtype=np.int64).reshape(-1, 3)

    @classmethod
    def from_arrays(cls, rows):
        out = cls()
        for w, h, s in rows.tolist():
            if s == -1:
                out.high[w] = h
            else:
                out.above.setdefault(w, set()).add(s)
        return out


class Shard:
    """One server shard.

    Parameters
    ----------
    shard_id : int
        Its index.
    spec : TableSpec
        The optimizer applied on push.
    bsp : bool
        Buffer the pushes of a step and apply their sum at :meth:`apply_clock` (in worker
        order) instead of on arrival.
    checkpoint_dir : str, default=None
        Where :meth:`checkpoint` writes ``shard-<id>.npz``; a new shard with the same
        directory and ``restore=True`` starts from that file.
    restore : bool, default=False
        Load the checkpoint at construction (how a restarted Ray actor comes back).
    """

    def __init__(self, shard_id, spec, bsp, checkpoint_dir=None, restore=False, n_shards=1):
        self.shard_id = int(shard_id)
        self.spec = spec
        self.dense = spec.dense_size is not None
        if self.dense:  # this shard's contiguous range of a dense table
            self.lo = self.shard_id * spec.dense_size // n_shards
            self.hi = (self.shard_id + 1) * spec.dense_size // n_shards
        self.bsp = bool(bsp)
        self.checkpoint_dir = checkpoint_dir
        self._reset()
        if restore:
            self.restore()

    # -- state -----------------------------------------------------------------------------
    def _reset(self):
        if self.dense:
            self.table_keys = np.empty(0, dtype=np.int64)
            self.table_values = np.zeros((self.hi - self.lo, self.spec.n_values))
            self.n_keys = self.hi - self.lo
        else:
            self.table_keys, self.table_values = kt.new_table(kt.MIN_CAPACITY, self.spec.n_values)
            self.n_keys = 0
        self.dedup = _Dedup()
        self.pending = {}  # clock -> {worker: (seq, keys, grads)} (bsp only)
        self.clock = 0

    @property
    def path(self):
        return os.path.join(self.checkpoint_dir, f"shard-{self.shard_id}.npz")

    def n_stored(self) -> int:
        return int(self.n_keys)

    # -- messages --------------------------------------------------------------------------
    def pull(self, keys):
        """Current weights of ``keys`` (0 for keys never pushed)."""
        out = np.empty(keys.shape[0])
        s = self.spec
        if self.dense:
            slots = self._dense_slots(keys)
            if s.optimizer == "ftrl":
                kt.ftrl_weights(self.table_values, slots, s.alpha, s.beta, s.l1, s.l2, out)
            else:
                out[:] = self.table_values[slots, 0]
        elif s.optimizer == "ftrl":
            slots = np.empty(keys.shape[0], dtype=np.int64)
            kt.ftrl_pull(
                self.table_keys, self.table_values, keys, s.alpha, s.beta, s.l1, s.l2, slots, out
            )
        else:
            kps.values_pull(self.table_keys, self.table_values, keys, 0, out)
        return out

    def _dense_slots(self, keys):
        slots = np.asarray(keys, dtype=np.int64) - self.lo
        if slots.shape[0] and (slots.min() < 0 or slots.max() >= self.hi - self.lo):
            raise IndexError(
                f"keys outside shard {self.shard_id}'s range [{self.lo}, {self.hi}) of the "
                "dense table"
            )
        return slots

    def push(self, worker, seq, clock, keys, grads):
        """Apply (or, under BSP, buffer) one push; returns False when it was a duplicate."""
        worker, seq, clock = int(worker), int(seq), int(clock)
        if self.dedup.seen(worker, seq) or (self.bsp and worker in self.pending.get(clock, {})):
            return False
        if self.bsp:
            self.pending.setdefault(clock, {})[worker] = (seq, keys, grads)
            return True
        self._apply(keys, grads)
        self.dedup.add(worker, seq)
        return True

    def apply_clock(self, clock):
        """BSP: sum the buffered pushes of step ``clock`` in worker order and apply them once."""
        pushes = self.pending.pop(int(clock), {})
        if pushes:
            workers = sorted(pushes)
            keys = np.concatenate([pushes[w][1] for w in workers])
            grads = np.concatenate([pushes[w][2] for w in workers])
            if len(workers) > 1:
                keys, grads = kps.sum_by_key(keys, grads)
            self._apply(keys, grads)
            for w in workers:
                self.dedup.add(w, pushes[w][0])
        self.clock = int(clock) + 1
        return len(pushes)

    def _grow(self, n_new):
        if self.dense:
            return
        capacity = kt.capacity_for(self.n_keys + n_new)
        if capacity > self.table_keys.shape[0]:
            new_keys, new_values = kt.new_table(capacity, self.spec.n_values)
            kt.rehash(self.table_keys, self.table_values, new_keys, new_values)
            self.table_keys, self.table_values = new_keys, new_values

    def _apply(self, keys, grads):
        if keys.shape[0] == 0:
            return
        slots = self._slots(keys)
        s = self.spec
        grads = np.ascontiguousarray(grads, dtype=np.float64)
        if s.optimizer == "ftrl":
            kt.ftrl_push(self.table_values, slots, grads, s.alpha, s.beta, s.l1, s.l2)
        elif s.optimizer == "adagrad":
            kps.adagrad_push(self.table_values, slots, grads, s.lr, s.eps)
        elif s.optimizer == "sum":
            kps.sgd_push(self.table_values, slots, grads, -1.0)
        else:
            kps.sgd_push(self.table_values, slots, grads, s.lr)

    def _slots(self, keys):
        """Rows of ``keys`` in ``table_values``, inserting new keys of a sparse table."""
        if self.dense:
            return self._dense_slots(keys)
        self._grow(keys.shape[0])
        slots = np.empty(keys.shape[0], dtype=np.int64)
        self.n_keys += kt.insert_slots(self.table_keys, keys, slots)
        return slots

    # -- checkpoints -----------------------------------------------------------------------
    def checkpoint(self, clock):
        """Write the table, optimizer state, dedup table and clock atomically (temp + rename)."""
        os.makedirs(self.checkpoint_dir, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.checkpoint_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                table_keys=self.table_keys,
                table_values=self.table_values,
                n_keys=np.int64(self.n_keys),
                dedup=self.dedup.to_arrays(),
                clock=np.int64(clock),
            )
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
        return int(clock)

    def restore(self):
        """Drop the in-memory state and reload the last checkpoint (empty if there is none).

        What the reload loses is counted by the engine, from the acknowledgements it received.
        """
        self._reset()
        if self.checkpoint_dir is not None and os.path.exists(self.path):
            with np.load(self.path) as f:
                self.table_keys = f["table_keys"].copy()
                self.table_values = f["table_values"].copy()
                self.n_keys = int(f["n_keys"])
                self.dedup = _Dedup.from_arrays(f["dedup"])
                self.clock = int(f["clock"])

    def load(self, keys, values):
        """Insert ``keys`` with their optimizer state ``values`` (an existing model)."""
        slots = self._slots(keys)  # may grow (replace) the table: index it afterwards
        self.table_values[slots] = values

    def state(self):
        """``(keys, values)`` of every stored key (sorted by key)."""
        if self.dense:
            return np.arange(self.lo, self.hi, dtype=np.int64), self.table_values.copy()
        keys, slots = kt.stored_keys(self.table_keys)
        order = np.argsort(keys, kind="stable")
        keys, slots = keys[order], slots[order]
        values = np.empty((keys.shape[0], self.spec.n_values))
        kt.gather(self.table_values, slots, values)
        return keys, values

    def stats(self):
        """What the shard holds (the engine counts pushes itself)."""
        return {"keys": self.n_stored()}

"""The driver of a parameter-server job: shards, workers, sync modes, failures, checkpoints.

A *job* says what a worker does at step ``t`` (``job.step(worker, t, client)``: pull weights,
compute with our kernels, push gradients); the engine runs every worker through every step
under the chosen sync mode, routes each push to its shards (one message per worker, shard and
step, with the worker id and a sequence number), keeps a replay log per shard since that
shard's last checkpoint, injects the faults of a :class:`~pai_algos.ps.testing.FaultPlan`
and recovers from them. The local backend calls :class:`~pai_algos.ps._shard.Shard` objects
directly; the Ray backend (:mod:`pai_algos.ps._ray`) gives the same engine actor handles.
"""

from __future__ import annotations

import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from pai_algos_native.cpu import ps as kps

from ._config import PSError
from ._shard import Shard
from .testing import DriverKilled, FaultPlan

__all__ = ["Client", "Engine", "make_engine"]

#: pushes one worker may make within one step (sequence numbers are ``t * this + i``)
MAX_PUSHES_PER_STEP = 1024


def group_keys(keys, n_shards, log2p, part_to_shard, dense_size):
    """``(order, offsets)``: shard ``s`` gets ``keys[order[offsets[s]:offsets[s + 1]]]`` (hash
    partitions for a sparse table, contiguous ranges for a dense one of ``dense_size``)."""
    order = np.empty(keys.shape[0], dtype=np.int64)
    offsets = np.empty(n_shards + 1, dtype=np.int64)
    if dense_size is not None:
        if keys.shape[0] and (keys.min() < 0 or keys.max() >= dense_size):
            raise IndexError(f"dense table keys must lie in [0, {dense_size}).")
        kps.group_by_range(keys, dense_size, n_shards, order, offsets)
    else:
        kps.group_by_shard(keys, log2p, part_to_shard, n_shards, order, offsets)
    return order, offsets


class Client:
    """What a worker sees: ``pull(keys)`` and ``push(keys, grads)``.

    Keys must be sorted and distinct (int64), gradients summed per key (float64), as the
    minibatch kernels produce them.
    """

    def __init__(self, engine, worker):
        self.engine = engine
        self.worker = int(worker)
        self.step = 0
        self._n_push = 0

    def _begin(self, step):
        self.step = int(step)
        self._n_push = 0

    def pull(self, keys):
        """Current weights of ``keys`` from their shards."""
        return self.engine.pull(np.ascontiguousarray(keys, dtype=np.int64))

    def push(self, keys, grads):
        """Send per-key gradients; each shard applies its server-side optimizer."""
        if self._n_push >= MAX_PUSHES_PER_STEP:
            raise PSError(f"more than {MAX_PUSHES_PER_STEP} pushes in one step")
        seq = self.step * MAX_PUSHES_PER_STEP + self._n_push
        self._n_push += 1
        self.engine.push(
            self.worker,
            seq,
            self.step,
            np.ascontiguousarray(keys, dtype=np.int64),
            np.ascontiguousarray(grads, dtype=np.float64),
        )


class _LocalShards:
    """The local backend: shards are objects in this process, one lock each."""

    def __init__(self, config, spec):
        bsp = config.sync == "bsp"
        n = config.num_servers
        self.shards = [Shard(i, spec, bsp, config.checkpoint_dir, n_shards=n) for i in range(n)]
        self.locks = [threading.Lock() for _ in self.shards]

    def pull(self, s, keys):
        return self.shards[s].pull(keys)

    def push(self, s, worker, seq, clock, keys, grads):
        with self.locks[s]:
            return self.shards[s].push(worker, seq, clock, keys, grads)

    def apply_clock(self, s, clock):
        with self.locks[s]:
            return self.shards[s].apply_clock(clock)

    def checkpoint(self, s, clock):
        with self.locks[s]:
            return self.shards[s].checkpoint(clock)

    def kill_and_restore(self, s):
        """The shard loses its memory and comes back from its checkpoint."""
        with self.locks[s]:
            self.shards[s].restore()

    def restore(self, s):
        with self.locks[s]:
            self.shards[s].restore()

    def state(self, s):
        return self.shards[s].state()

    def load(self, s, keys, values):
        with self.locks[s]:
            self.shards[s].load(keys, values)

    def stats(self, s):
        return self.shards[s].stats()

    def close(self):
        pass


class Engine:
    """Runs a job through the shards of a :class:`~pai_algos.ps.PSConfig`."""

    def __init__(self, config, spec, shards=None):
        self.config = config
        # set by the Ray backend when workers run as Ray actors (see pai_algos.ps._ray)
        self.remote_workers = None
        self.spec = spec
        self.plan = config.fault_plan or FaultPlan()
        p = config.partitions
        self.log2p = p.bit_length() - 1
        self.part_to_shard = (np.arange(p) % config.num_servers).astype(np.int64)
        self.n_shards = config.num_servers
        self.shards = shards if shards is not None else _LocalShards(config, spec)
        self.logs = [[] for _ in range(self.n_shards)]
        self.log_locks = [threading.Lock() for _ in range(self.n_shards)]
        self.restarts = [0] * self.n_shards
        # applied pushes since each shard's last checkpoint, counted from the acknowledgements
        # (so that a Ray shard's loss is known after its memory is gone)
        self.since_checkpoint = [0] * self.n_shards
        self.stats = {
            "steps": 0,
            "pushes_applied": 0,
            "pushes_deduplicated": 0,
            "pushes_lost": 0,
            "pushes_replayed": 0,
            "server_restarts": 0,
            "worker_retries": 0,
            "workers_lost": 0,
            "checkpoints": 0,
            "messages": 0,
            "keys_pushed": 0,
            "max_staleness": 0,
            "resumed_from_step": 0,
            "recovery_seconds": 0.0,
            "seconds": 0.0,
        }
        self._stats_lock = threading.Lock()

    # -- routing -----------------------------------------------------------------------------
    def _group(self, keys):
        return group_keys(keys, self.n_shards, self.log2p, self.part_to_shard, self.spec.dense_size)

    def pull(self, keys):
        out = np.empty(keys.shape[0])
        order, offsets = self._group(keys)
        for s in range(self.n_shards):
            idx = order[offsets[s] : offsets[s + 1]]
            if idx.shape[0]:
                out[idx] = self.shards.pull(s, keys[idx])
        return out

    def push(self, worker, seq, clock, keys, grads):
        order, offsets = self._group(keys)
        for s in range(self.n_shards):
            idx = order[offsets[s] : offsets[s + 1]]
            if not idx.shape[0]:
                continue
            msg = (worker, seq, clock, keys[idx], grads[idx])
            self.record(s, msg, self.shards.push(s, *msg))

    def record(self, s, msg, applied):
        """Log a message sent to shard ``s`` (for replay) and count its acknowledgement."""
        with self.log_locks[s]:
            self.logs[s].append(msg)
        with self._stats_lock:
            if not applied:
                self.stats["pushes_deduplicated"] += 1
            elif self.config.sync != "bsp":
                self.since_checkpoint[s] += 1
                self.stats["pushes_applied"] += 1
            self.stats["messages"] += 1
            self.stats["keys_pushed"] += int(msg[3].shape[0])

    # -- failures ----------------------------------------------------------------------------
    def _fail_shard(self, s, step):
        c = self.config
        self.restarts[s] += 1
        self.stats["server_restarts"] += 1
        if c.on_server_failure == "raise":
            raise PSError(f"server shard {s} failed at step {step} (on_server_failure='raise').")
        if self.restarts[s] > c.max_retries:
            raise PSError(
                f"server shard {s} failed at step {step} and has no restarts left "
                f"(max_retries={c.max_retries})."
            )
        t0 = time.perf_counter()
        self.shards.kill_and_restore(s)
        lost = self.since_checkpoint[s]
        self.since_checkpoint[s] = 0
        with self.log_locks[s]:
            log = list(self.logs[s])
            if c.on_server_failure == "restore":
                self.logs[s].clear()
        if c.on_server_failure == "restore":
            self.stats["pushes_lost"] += int(lost)
            self.stats["recovery_seconds"] += time.perf_counter() - t0
            return
        # restore_replay: the checkpoint plus every logged push since it, clock by clock
        for clock in sorted({m[2] for m in log}):
            for msg in log:
                if msg[2] == clock:
                    if self.shards.push(s, *msg) and c.sync != "bsp":
                        self.since_checkpoint[s] += 1
                        self.stats["pushes_applied"] += 1
                    self.stats["pushes_replayed"] += 1
            if c.sync == "bsp" and clock < step:
                n_applied = self.shards.apply_clock(s, clock)
                self.since_checkpoint[s] += n_applied
                self.stats["pushes_applied"] += n_applied
        # from the kill until the shard is back with every update: it takes pushes again
        self.stats["recovery_seconds"] += time.perf_counter() - t0

    def _checkpoint(self, clock):
        for s in range(self.n_shards):
            with self.log_locks[s]:
                self.shards.checkpoint(s, clock)
                self.logs[s].clear()
                self.since_checkpoint[s] = 0
        self.stats["checkpoints"] += 1

    # -- manifest (driver restart) -------------------------------------------------------------
    def _manifest_path(self):
        return os.path.join(self.config.checkpoint_dir, "manifest.json")

    def _write_manifest(self, signature, clock, complete):
        path = self._manifest_path()
        tmp = path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump({"signature": signature, "clock": clock, "complete": complete}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)

    def _resume_clock(self, signature):
        c = self.config
        if c.checkpoint_dir is None or c.sync != "bsp" or not os.path.exists(self._manifest_path()):
            return 0
        with open(self._manifest_path()) as fh:
            manifest = json.load(fh)
        if manifest.get("signature") != signature or manifest.get("complete"):
            return 0
        for s in range(self.n_shards):
            self.shards.kill_and_restore(s)
        return int(manifest["clock"])

    # -- running -------------------------------------------------------------------------------
    def run(self, job):
        """Run every worker of ``job`` through its steps; returns the per-step summed losses."""
        start = time.perf_counter()
        signature = job.signature()
        first = self._resume_clock(signature)
        self.stats["resumed_from_step"] = first
        losses = np.zeros(job.n_steps())
        if self.remote_workers is not None:
            self.remote_workers.start(job, self.log2p, self.part_to_shard)
        try:
            if self.config.sync == "bsp":
                self._run_bsp(job, first, losses, signature)
            else:
                self._run_free(job, losses)
        finally:
            self.stats["seconds"] = time.perf_counter() - start
            if self.remote_workers is not None:
                self.remote_workers.stop()
        if self.config.checkpoint_dir is not None and self.config.sync == "bsp":
            self._write_manifest(signature, job.n_steps(), True)
        return losses

    def _worker_step(self, job, client, t):
        """One step of one worker, with the planned deaths and their retries."""
        w = client.worker
        tries = 0
        while True:
            die = (w, t) in self._worker_kills
            self._worker_kills.discard((w, t))
            try:
                return self._attempt(job, client, t, die)
            except _Died:
                tries += 1
                with self._stats_lock:
                    self.stats["worker_retries"] += 1
                if tries > self.config.max_retries:
                    raise _WorkerDead(w, t) from None

    def _attempt(self, job, client, t, die):
        """Run step ``t`` of a worker once; ``die``: the worker dies after its pushes went out
        and before the step is acknowledged (its retry re-sends the same sequence numbers)."""
        slow = self.plan.slow_workers.get(client.worker, 0.0)
        if self.remote_workers is not None:
            return self.remote_workers.step(self, client.worker, t, die, slow)
        client._begin(t)
        if slow:
            time.sleep(slow)
        loss = job.step(client.worker, t, client)
        if die:
            raise _Died
        return loss

    def _run_bsp(self, job, first, losses, signature):
        c = self.config
        server_kills = self.plan.server_kills()
        self._worker_kills = self.plan.worker_kills()
        clients = [Client(self, w) for w in range(c.num_workers)]
        with ThreadPoolExecutor(max_workers=c.num_workers) as pool:
            for t in range(first, job.n_steps()):
                if self.plan.kill_driver is not None and t == self.plan.kill_driver:
                    raise DriverKilled(f"driver killed at step {t} (fault plan)")
                for s in server_kills.get(t, ()):
                    self._fail_shard(s, t)
                futures = [pool.submit(self._worker_step, job, cl, t) for cl in clients]
                for f in futures:
                    try:
                        losses[t] += f.result(timeout=c.timeout)
                    except _WorkerDead as dead:
                        raise PSError(
                            f"worker {dead.worker} failed at step {dead.step} and has no "
                            f"retries left (max_retries={c.max_retries})."
                        ) from None
                for s in range(self.n_shards):
                    n_applied = self.shards.apply_clock(s, t)
                    self.since_checkpoint[s] += n_applied
                    self.stats["pushes_applied"] += n_applied
                self.stats["steps"] += c.num_workers
                if c.checkpoint_every and (t + 1) % c.checkpoint_every == 0:
                    self._checkpoint(t + 1)
                    self._write_manifest(signature, t + 1, False)

    def _run_free(self, job, losses):
        """ssp / async: one thread per worker; pushes applied on arrival."""
        c = self.config
        n_steps = job.n_steps()
        bound = c.staleness if c.sync == "ssp" else None
        server_kills = self.plan.server_kills()
        self._worker_kills = self.plan.worker_kills()
        clocks = [0] * c.num_workers
        alive = [True] * c.num_workers
        cond = threading.Condition()
        done_kills = set()
        last_ckpt = [0]
        errors = []
        loss_lock = threading.Lock()

        def min_clock():
            live = [clocks[w] for w in range(c.num_workers) if alive[w]]
            return min(live) if live else n_steps

        def loop(w):
            client = Client(self, w)
            try:
                for t in range(n_steps):
                    with cond:
                        if bound is not None:
                            ok = cond.wait_for(lambda t=t: t - min_clock() <= bound, c.timeout)
                            if not ok:
                                raise PSError(
                                    f"worker {w} waited more than {c.timeout} s at step {t} "
                                    f"for the slowest worker (ssp, staleness={bound})."
                                )
                        lag = t - min_clock()
                        self.stats["max_staleness"] = max(self.stats["max_staleness"], lag)
                        for s in server_kills.get(t, ()):
                            if (s, t) not in done_kills:
                                done_kills.add((s, t))
                                self._fail_shard(s, t)
                    try:
                        loss = self._worker_step(job, client, t)
                    except _WorkerDead:
                        with cond:
                            alive[w] = False
                            self.stats["workers_lost"] += 1
                            cond.notify_all()
                        return
                    with loss_lock:
                        losses[t] += loss
                    with cond:
                        clocks[w] = t + 1
                        self.stats["steps"] += 1
                        m = min_clock()
                        if c.checkpoint_every and m // c.checkpoint_every > last_ckpt[0]:
                            last_ckpt[0] = m // c.checkpoint_every
                            self._checkpoint(m)
                        cond.notify_all()
            except BaseException as exc:  # surfaced by the driver below
                errors.append(exc)
                with cond:
                    alive[w] = False
                    cond.notify_all()

        threads = [threading.Thread(target=loop, args=(w,)) for w in range(c.num_workers)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if errors:
            raise errors[0]

    def seed(self, keys, values):
        """Load an existing model's ``(keys, values)`` into the shards (before a run)."""
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        order, offsets = self._group(keys)
        for s in range(self.n_shards):
            idx = order[offsets[s] : offsets[s + 1]]
            self.shards.load(s, keys[idx], np.ascontiguousarray(values[idx]))

    def gather(self):
        """Every shard's ``(keys, values)``, concatenated (the final model)."""
        parts = [self.shards.state(s) for s in range(self.n_shards)]
        keys = np.concatenate([p[0] for p in parts])
        values = np.concatenate([p[1] for p in parts])
        order = np.argsort(keys, kind="stable")
        return keys[order], values[order]

    def close(self):
        """Release the backend (stop Ray actors); the local backend holds nothing."""
        self.shards.close()

    def table_sizes(self):
        """Keys stored per shard."""
        return [self.shards.stats(s)["keys"] for s in range(self.n_shards)]


class _Died(Exception):
    """A worker attempt died (planned, or its Ray actor was lost)."""


class _WorkerDead(Exception):
    def __init__(self, worker, step):
        super().__init__(worker, step)
        self.worker = worker
        self.step = step


def make_engine(config, spec):
    """The engine of ``config.backend``: shards (and, on Ray, workers) ready to run a job.

    The Ray backend is imported only when asked for (it needs the ``ray`` extra).
    """
    if config.backend == "ray":
        from ._ray import make_ray_engine

        return make_ray_engine(config, spec)
    return Engine(config, spec)

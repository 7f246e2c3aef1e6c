"""The Ray backend: each server shard is a Ray actor.

The actor is the same :class:`~pai_algos.ps._shard.Shard` class the local backend calls, so
the two backends apply the same arithmetic in the same order (``sync="bsp"`` gives equal
weights). Messages are flat NumPy arrays (one call per worker, shard and step). Actors restart
(``max_restarts=-1``; the engine enforces ``PSConfig.max_retries`` itself) and a restarted
actor's constructor reloads its last checkpoint, as Ray's fault-tolerance guide recommends for
actors with critical state; the engine then replays the logged pushes
(``on_server_failure="restore_replay"``). Imported only when ``backend="ray"``.
"""

from __future__ import annotations

import os

import numpy as np

from ._shard import Shard

__all__ = ["RayShards"]


class _ShardActor(Shard):
    """A shard that reloads its checkpoint whenever Ray (re)starts it."""

    def __init__(self, shard_id, spec, bsp, checkpoint_dir, n_shards):
        super().__init__(
            shard_id, spec, bsp, checkpoint_dir, restore=checkpoint_dir is not None,
            n_shards=n_shards,
        )  # fmt: skip

    def ping(self):
        return os.getpid()

    def restore_from_checkpoint(self):
        return self.restore()


def _ray():
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise ImportError(
            "PSConfig(backend='ray') needs Ray: pip install 'pai-algos[ray]'."
        ) from exc
    return ray


class RayShards:
    """Shard actors behind the interface the engine uses for in-process shards."""

    def __init__(self, config, spec):
        ray = _ray()
        self._owns_ray = False
        if not ray.is_initialized():
            kwargs = {"include_dashboard": False, "log_to_driver": False}
            if config.address is None:
                kwargs["num_cpus"] = max(2, os.cpu_count() or 2)
            ray.init(address=config.address, **kwargs)
            self._owns_ray = True
        actor = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=-1)(_ShardActor)
        bsp = config.sync == "bsp"
        self.actors = [
            actor.remote(i, spec, bsp, config.checkpoint_dir, config.num_servers)
            for i in range(config.num_servers)
        ]
        self.pids = ray.get([a.ping.remote() for a in self.actors])  # all started, in parallel
        self.first_pids = list(self.pids)
        self.ray = ray
        self.timeout = config.timeout

    def _call(self, s, method, *args):
        return self.ray.get(getattr(self.actors[s], method).remote(*args))

    def pull(self, s, keys):
        return self._call(s, "pull", keys)

    def push(self, s, worker, seq, clock, keys, grads):
        return self._call(s, "push", worker, seq, clock, keys, grads)

    def apply_clock(self, s, clock):
        return self._call(s, "apply_clock", clock)

    def checkpoint(self, s, clock):
        return self._call(s, "checkpoint", clock)

    def restore(self, s):
        return self._call(s, "restore_from_checkpoint")

    def kill_and_restore(self, s):
        """``ray.kill`` the actor; Ray restarts it and its constructor reloads the checkpoint."""
        import time

        old = self.pids[s]
        self.ray.kill(self.actors[s], no_restart=False)
        # ray.kill is asynchronous: wait for a new process (Ray retries the ping meanwhile)
        deadline = time.monotonic() + self.timeout
        pid = self._call(s, "ping")
        while pid == old:
            if time.monotonic() > deadline:
                raise RuntimeError(f"shard actor {s} did not restart within {self.timeout} s")
            time.sleep(0.02)
            pid = self._call(s, "ping")
        self.pids[s] = pid

    def load(self, s, keys, values):
        return self._call(s, "load", keys, values)

    def state(self, s):
        keys, values = self._call(s, "state")
        return np.array(keys), np.array(values)

    def stats(self, s):
        return self._call(s, "stats")

    def close(self):
        for a in self.actors:
            self.ray.kill(a, no_restart=True)
        self.actors = []
        if self._owns_ray:
            self.ray.shutdown()


class _RemoteClient:
    """A worker actor's client: one Ray call per shard touched, issued to all shards at once."""

    def __init__(self, owner, step):
        self.owner = owner
        self.worker = owner.worker
        self.step = int(step)
        self._n_push = 0
        self.sent = []
        self.acks = []

    def _group(self, keys):
        from ._engine import group_keys

        o = self.owner
        return group_keys(keys, len(o.shards), o.log2p, o.part_to_shard, o.dense_size)

    def pull(self, keys):
        ray = _ray()
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        out = np.empty(keys.shape[0])
        order, offsets = self._group(keys)
        calls = []
        for s, shard in enumerate(self.owner.shards):
            idx = order[offsets[s] : offsets[s + 1]]
            if idx.shape[0]:
                calls.append((idx, shard.pull.remote(keys[idx])))
        for idx, values in zip([c[0] for c in calls], ray.get([c[1] for c in calls])):
            out[idx] = values
        return out

    def push(self, keys, grads):
        from ._engine import MAX_PUSHES_PER_STEP

        ray = _ray()
        keys = np.ascontiguousarray(keys, dtype=np.int64)
        grads = np.ascontiguousarray(grads, dtype=np.float64)
        seq = self.step * MAX_PUSHES_PER_STEP + self._n_push
        self._n_push += 1
        order, offsets = self._group(keys)
        refs = []
        for s, shard in enumerate(self.owner.shards):
            idx = order[offsets[s] : offsets[s + 1]]
            if idx.shape[0]:
                msg = (self.worker, seq, self.step, keys[idx], grads[idx])
                self.sent.append((s, msg))
                refs.append(shard.push.remote(*msg))
        self.acks.extend(ray.get(refs))


class _WorkerActor:
    """A worker: its job (and so its data slice) lives in this process; each step pulls from
    and pushes to the shard actors directly and returns its loss and what it sent."""

    def __init__(self, worker, job, shards, log2p, part_to_shard, dense_size):
        self.worker = int(worker)
        self.dense_size = dense_size
        self.job = job
        self.shards = shards
        self.log2p = log2p
        self.part_to_shard = part_to_shard

    def ping(self):
        return os.getpid()

    def step(self, t, die, slow):
        import time

        client = _RemoteClient(self, t)
        if slow:
            time.sleep(slow)
        loss = self.job.step(self.worker, t, client)
        if die:
            os._exit(1)  # a real death, after the pushes went out
        return loss, client.sent, client.acks


class RayWorkers:
    """Workers as Ray actors; the engine drives their steps and keeps the replay log."""

    def __init__(self, shards, config, dense_size=None):
        self.ray = _ray()
        self.dense_size = dense_size
        self.shard_actors = shards.actors
        self.config = config
        self.actors = []

    def start(self, job, log2p, part_to_shard):
        ray = self.ray
        actor = ray.remote(num_cpus=0, max_restarts=-1, max_task_retries=0)(_WorkerActor)
        # kept referenced for the run: a restarted worker actor gets its job from it again
        self.job_ref = ray.put(job)
        self.actors = [
            actor.remote(w, self.job_ref, self.shard_actors, log2p, part_to_shard, self.dense_size)
            for w in range(self.config.num_workers)
        ]

    def step(self, engine, w, t, die, slow):
        from ._engine import _Died

        try:
            loss, sent, acks = self.ray.get(self.actors[w].step.remote(t, die, slow))
        except self.ray.exceptions.RayActorError:
            self._wait_restarted(w)
            raise _Died from None
        for (s, msg), applied in zip(sent, acks):
            engine.record(s, msg, applied)
        return loss

    def _wait_restarted(self, w):
        """Block until Ray has restarted worker ``w``'s actor (or the timeout passes)."""
        import time

        deadline = time.monotonic() + self.config.timeout
        while True:
            try:
                return self.ray.get(self.actors[w].ping.remote(), timeout=self.config.timeout)
            except self.ray.exceptions.RayActorError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        for a in self.actors:
            self.ray.kill(a, no_restart=True)
        self.actors = []
        self.job_ref = None


def make_ray_engine(config, spec):
    """An engine whose shards and workers are Ray actors."""
    from ._engine import Engine

    shards = RayShards(config, spec)
    engine = Engine(config, spec, shards=shards)
    engine.remote_workers = RayWorkers(shards, config, spec.dense_size)
    return engine

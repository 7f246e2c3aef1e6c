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

    def __init__(self, shard_id, spec, bsp, checkpoint_dir):
        super().__init__(shard_id, spec, bsp, checkpoint_dir, restore=checkpoint_dir is not None)

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
            actor.remote(i, spec, bsp, config.checkpoint_dir) for i in range(config.num_servers)
        ]
        self.pids = ray.get([a.ping.remote() for a in self.actors])  # all started, in parallel
        self.first_pids = list(self.pids)
        self.ray = ray

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
        self.ray.kill(self.actors[s], no_restart=False)
        pid = self._call(s, "ping")  # retried by Ray until the new incarnation answers
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

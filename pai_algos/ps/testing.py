"""Fault injection for the parameter server's tests: kill shards and workers at given steps."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DriverKilled", "FaultPlan"]


class DriverKilled(RuntimeError):
    """Raised out of ``fit`` where :class:`FaultPlan` kills the driver (a simulated crash)."""


def _as_steps(value):
    if isinstance(value, int):
        return (value,)
    return tuple(sorted(int(v) for v in value))


@dataclass
class FaultPlan:
    """Which shards and workers die, and at which step.

    Parameters
    ----------
    kill_servers : dict of {int: int or list of int}, default={}
        ``{shard: step}``: the shard's in-memory state is lost when the job reaches that step
        (local backend: dropped and rebuilt from its checkpoint; Ray: the actor is killed
        with ``ray.kill`` and restarted). A list of steps kills it several times.
    kill_workers : dict of {int: int or list of int}, default={}
        ``{worker: step}``: the worker dies right after it pushed that step's gradients and
        before the step is acknowledged, so its retry sends the same pushes again (which the
        shards must drop as duplicates).
    kill_driver : int, default=None
        The driver "crashes" (raises :class:`DriverKilled` out of ``fit``) when this step
        begins; a new fit with the same ``checkpoint_dir`` resumes from the last checkpoint.
    slow_workers : dict of {int: float}, default={}
        ``{worker: seconds}``: the worker sleeps this long in every step (for the SSP tests).
    """

    kill_servers: dict = field(default_factory=dict)
    kill_workers: dict = field(default_factory=dict)
    kill_driver: int | None = None
    slow_workers: dict = field(default_factory=dict)

    def server_kills(self):
        """``{step: [shards]}`` of the planned shard kills."""
        out = {}
        for shard, steps in self.kill_servers.items():
            for step in _as_steps(steps):
                out.setdefault(step, []).append(int(shard))
        return out

    def worker_kills(self):
        """Set of ``(worker, step)`` pairs where a worker dies."""
        return {
            (int(w), step) for w, steps in self.kill_workers.items() for step in _as_steps(steps)
        }

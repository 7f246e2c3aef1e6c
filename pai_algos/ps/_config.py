"""``PSConfig``: how an estimator trains through the parameter server."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PSConfig", "PSError"]

BACKENDS = ("local", "ray")
SYNC_MODES = ("bsp", "ssp", "async")
FAILURE_POLICIES = ("restore_replay", "restore", "raise")


class PSError(RuntimeError):
    """A parameter-server job that cannot go on (restart budget spent, a barrier timed out)."""


@dataclass(frozen=True)
class PSConfig:
    """Where and how a model trains through the parameter server.

    Parameters
    ----------
    backend : {"local", "ray"}, default="local"
        ``"local"``: shards and workers in this process (worker threads; the kernels release
        the GIL). ``"ray"``: each shard a Ray actor, each worker a Ray task (needs the ``ray``
        extra).
    num_servers : int, default=1
        Server shards. Keys are split across them by a hash of the key (virtual partitions).
    num_workers : int, default=1
        Workers; each learns from its own slice of the rows.
    sync : {"bsp", "ssp", "async"}, default="bsp"
        ``"bsp"``: every worker finishes step ``t`` before any starts ``t + 1``; a shard sums
        the pushes of step ``t`` in worker order and applies them once (deterministic).
        ``"ssp"``: a worker may run at most ``staleness`` steps ahead of the slowest live
        worker; pushes are applied on arrival. ``"async"``: no bound.
    staleness : int, default=0
        The bound of ``"ssp"``.
    checkpoint_dir : str or path, default=None
        Where shards write their checkpoints (and the driver its manifest). A fit started
        again with the same directory after the driver died resumes from the last checkpoint.
    checkpoint_every : int, default=0
        Checkpoint every this many steps (0: never).
    max_retries : int, default=3
        Restarts allowed per shard and retries per worker before the fit fails.
    on_server_failure : {"restore_replay", "restore", "raise"}, default="restore_replay"
        What a failed shard does: reload its last checkpoint and replay the workers' logged
        pushes since then (no update lost), reload only (updates since the checkpoint are
        lost, and counted), or fail the fit.
    address : str, default=None
        Ray cluster address; None starts (or joins) a local Ray.
    fault_plan : pai_algos.ps.testing.FaultPlan, default=None
        Kills shards and workers at given steps, for tests.
    num_partitions : int, default=None
        Virtual partitions (a power of two); default ``16 * num_servers`` rounded up.
    batch_size : int, default=256
        Rows per worker step for estimators without a ``batch_size`` of their own
        (SGDClassifier, SGDRegressor); under ``"bsp"`` the workers split it.
    timeout : float, default=120.0
        Seconds a barrier or a staleness wait may block before the fit fails with
        :class:`PSError` (no hang).
    """

    backend: str = "local"
    num_servers: int = 1
    num_workers: int = 1
    sync: str = "bsp"
    staleness: int = 0
    checkpoint_dir: str | None = None
    checkpoint_every: int = 0
    max_retries: int = 3
    on_server_failure: str = "restore_replay"
    address: str | None = None
    fault_plan: object = field(default=None, compare=False)
    num_partitions: int | None = None
    batch_size: int = 256
    timeout: float = 120.0

    def __post_init__(self):
        if self.backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}, got {self.backend!r}.")
        if self.sync not in SYNC_MODES:
            raise ValueError(f"sync must be one of {SYNC_MODES}, got {self.sync!r}.")
        if self.on_server_failure not in FAILURE_POLICIES:
            raise ValueError(
                f"on_server_failure must be one of {FAILURE_POLICIES}, "
                f"got {self.on_server_failure!r}."
            )
        for name in ("num_servers", "num_workers", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}.")
        for name in ("staleness", "checkpoint_every", "max_retries"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}.")
        if self.checkpoint_every and self.checkpoint_dir is None:
            raise ValueError("checkpoint_every > 0 needs a checkpoint_dir to write to.")
        p = self.num_partitions
        if p is not None and (not isinstance(p, int) or p < self.num_servers or p & (p - 1)):
            raise ValueError(
                "num_partitions must be a power of two at least num_servers, "
                f"got {p!r} for {self.num_servers} servers."
            )
        if not self.timeout > 0:
            raise ValueError(f"timeout must be positive, got {self.timeout!r}.")

    @property
    def partitions(self) -> int:
        """The number of virtual partitions in use."""
        if self.num_partitions is not None:
            return self.num_partitions
        p = 1
        while p < 16 * self.num_servers:
            p *= 2
        return p

"""The parameter server: sharded keyed tables with server-side optimizers, for models and data
that outgrow one process.

An estimator that can train through it takes ``ps=PSConfig(...)``
(:class:`~pai_algos.linear_model.FTRLClassifier` today). Workers pull the weights of a
minibatch's keys, compute gradients with our kernels and push them; each shard applies its
optimizer (SGD, AdaGrad, FTRL-Proximal) to the keys it owns. Pushes carry (worker, sequence
number) and shards drop duplicates, so a retried push is applied exactly once; shards
checkpoint every ``checkpoint_every`` steps and a failed shard comes back from its checkpoint,
with the workers' logged pushes replayed (``on_server_failure="restore_replay"``).
:mod:`pai_algos.ps.testing` kills shards and workers on purpose, for the tests.
"""

from __future__ import annotations

from ._config import PSConfig, PSError
from ._engine import Client, Engine, make_engine
from ._shard import Shard, TableSpec

__all__ = ["Client", "Engine", "PSConfig", "PSError", "Shard", "TableSpec", "make_engine"]

"""The Ray backend against the local one: same weights under bsp, real actor kills.

A local Ray with 2 CPUs is started once for this module and stopped at its end; the tests run
in one xdist group so that only one Ray instance exists.
"""

from __future__ import annotations

import numpy as np
import pytest

ray = pytest.importorskip("ray", reason="the Ray backend needs the 'ray' extra")

from sklearn.metrics import roc_auc_score  # noqa: E402

from pai_algos.datasets import make_ctr  # noqa: E402
from pai_algos.linear_model import FTRLClassifier  # noqa: E402
from pai_algos.ps import PSConfig, TableSpec, make_engine  # noqa: E402
from pai_algos.ps.testing import FaultPlan  # noqa: E402

from .test_ps import CounterJob, _assert_exact, _counter_data  # noqa: E402

pytestmark = pytest.mark.xdist_group("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _ray_counter(batches, **config):
    cfg = PSConfig(backend="ray", num_servers=2, num_workers=len(batches), **config)
    spec = TableSpec("sgd", lr=1.0)
    engine = make_engine(cfg, spec)
    try:
        engine.run(CounterJob(batches))
        keys, values = engine.gather()
        pids = (list(engine.shards.first_pids), list(engine.shards.pids))
    finally:
        engine.close()
    return engine, keys, values[:, 0], pids


def test_counter_model_exact_and_one_message_per_worker_shard_step(rng):
    batches = _counter_data(rng, n_workers=2, n_steps=6, n_keys=2000)
    engine, keys, w, _ = _ray_counter(batches)
    _assert_exact(batches, keys, w)
    # one message per (worker, step, shard the batch touches); a short batch (5 keys drawn)
    # can miss a shard, so count the touched shards with the engine's key partition
    touched = 0
    for worker in batches:
        for step_keys in worker:
            _, offsets = engine._group(np.asarray(step_keys))
            touched += int(np.count_nonzero(np.diff(offsets)))
    assert 6 * 2 <= touched <= 6 * 2 * 2
    assert engine.stats["messages"] == touched


def test_server_killed_for_real_replays_to_the_exact_counts(rng, tmp_path):
    batches = _counter_data(rng, n_workers=2, n_steps=8)
    plan = FaultPlan(kill_servers={1: 5}, kill_workers={0: 2})
    engine, keys, w, pids = _ray_counter(
        batches, fault_plan=plan, checkpoint_dir=str(tmp_path), checkpoint_every=3
    )
    _assert_exact(batches, keys, w)
    assert engine.stats["server_restarts"] == 1
    assert engine.stats["pushes_deduplicated"] >= 1
    assert engine.stats["pushes_lost"] == 0
    first, last = pids
    assert last[1] != first[1] and last[0] == first[0]  # shard 1's process was replaced


def test_ftrl_ray_equals_local_under_bsp():
    X, y = make_ctr(n_samples=3000, n_fields=6, random_state=4)[:2]
    kw = dict(num_servers=2, num_workers=2)
    local = FTRLClassifier(random_state=0, batch_size=512, ps=PSConfig(**kw)).fit(X, y)
    remote = FTRLClassifier(random_state=0, batch_size=512, ps=PSConfig(backend="ray", **kw)).fit(
        X, y
    )
    np.testing.assert_array_equal(remote.get_weights()[1], local.get_weights()[1])
    auc = [roc_auc_score(y, m.predict_proba(X)[:, 1]) for m in (local, remote)]
    assert abs(auc[0] - auc[1]) < 0.002
    assert remote.ps_stats_["server_restarts"] == 0


def test_dense_sum_table_on_ray(rng):
    from .test_ps import HistogramJob

    codes = rng.integers(0, 40, size=2000)
    grads = rng.normal(size=2000)
    job = HistogramJob(codes, grads, n_workers=2, n_bins=40)
    cfg = PSConfig(backend="ray", num_servers=2, num_workers=2)
    engine = make_engine(cfg, TableSpec("sum", dense_size=40))
    try:
        engine.run(job)
        keys, values = engine.gather()
    finally:
        engine.close()
    np.testing.assert_allclose(values[:, 0], np.bincount(codes, grads, minlength=40), rtol=1e-12)
    np.testing.assert_array_equal(keys, np.arange(40))

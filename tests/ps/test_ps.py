"""The parameter server (local backend): exactly-once pushes, failures, sync modes, resume.

The counter model (PS.md): plain SGD with learning rate 1 where every occurrence of a key
pushes a gradient of exactly -1, so a key's final weight must equal its number of
occurrences; a lost or doubled update shows as a wrong count.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from pai_algos.datasets import make_ctr
from pai_algos.linear_model import FTRLClassifier
from pai_algos.ps import Engine, PSConfig, PSError, TableSpec
from pai_algos.ps.testing import DriverKilled, FaultPlan


class CounterJob:
    """Worker ``w`` at step ``t`` pushes -1 for each key occurrence of its batch ``t``."""

    def __init__(self, batches):
        self.batches = batches  # batches[w][t]: int64 keys (with repeats)

    def n_steps(self):
        return max(len(b) for b in self.batches)

    def step(self, worker, t, client):
        if t >= len(self.batches[worker]):
            return 0.0
        keys, counts = np.unique(self.batches[worker][t], return_counts=True)
        client.pull(keys)
        client.push(keys, -counts.astype(np.float64))
        return float(counts.sum())

    def signature(self):
        h = hashlib.sha1()
        for b in self.batches:
            for k in b:
                h.update(k.tobytes())
        return h.hexdigest()


def _counter_data(rng, n_workers=3, n_steps=12, key_space=2**40, n_keys=300):
    vocab = rng.integers(0, key_space, size=n_keys, dtype=np.int64)
    return [
        [vocab[rng.integers(0, n_keys, size=rng.integers(5, 40))] for _ in range(n_steps)]
        for _ in range(n_workers)
    ]


def _true_counts(batches):
    keys, counts = np.unique(np.concatenate([k for b in batches for k in b]), return_counts=True)
    return keys, counts.astype(np.float64)


def _run_counter(batches, **config):
    config.setdefault("num_servers", 3)
    config.setdefault("num_workers", len(batches))
    engine = Engine(PSConfig(**config), TableSpec("sgd", lr=1.0))
    engine.run(CounterJob(batches))
    keys, values = engine.gather()
    return engine, keys, values[:, 0]


def _assert_exact(batches, keys, weights):
    ref_keys, ref_counts = _true_counts(batches)
    np.testing.assert_array_equal(keys, ref_keys)
    np.testing.assert_array_equal(weights, ref_counts)


@pytest.mark.parametrize("sync", ["bsp", "ssp", "async"])
def test_counter_model_exact_without_faults(rng, sync):
    batches = _counter_data(rng)
    engine, keys, w = _run_counter(batches, sync=sync, staleness=2)
    _assert_exact(batches, keys, w)
    assert engine.stats["pushes_deduplicated"] == 0
    assert engine.stats["pushes_lost"] == 0
    # one message per (worker, shard, step) that had keys for that shard
    assert engine.stats["messages"] == engine.stats["pushes_applied"]


@pytest.mark.parametrize("sync", ["bsp", "async"])
def test_killed_worker_resends_and_shards_drop_the_duplicates(rng, sync):
    batches = _counter_data(rng)
    plan = FaultPlan(kill_workers={0: 3, 2: [5, 9]})
    engine, keys, w = _run_counter(batches, sync=sync, fault_plan=plan)
    _assert_exact(batches, keys, w)
    assert engine.stats["worker_retries"] == 3
    assert engine.stats["pushes_deduplicated"] >= 3  # each retry re-sent its step's pushes


@pytest.mark.parametrize("every", [0, 4])
@pytest.mark.parametrize("sync", ["bsp", "async"])
def test_killed_server_restore_replay_loses_nothing(rng, tmp_path, sync, every):
    batches = _counter_data(rng)
    plan = FaultPlan(kill_servers={1: 6, 0: [3, 10]})
    engine, keys, w = _run_counter(
        batches,
        sync=sync,
        fault_plan=plan,
        checkpoint_dir=str(tmp_path) if every else None,
        checkpoint_every=every,
    )
    _assert_exact(batches, keys, w)
    assert engine.stats["server_restarts"] == 3
    assert engine.stats["pushes_replayed"] > 0
    assert engine.stats["pushes_lost"] == 0
    if every:
        assert engine.stats["checkpoints"] >= 2


def test_killed_server_restore_loses_at_most_the_pushes_since_its_checkpoint(rng, tmp_path):
    batches = _counter_data(rng)
    plan = FaultPlan(kill_servers={1: 7})
    engine, keys, w = _run_counter(
        batches,
        fault_plan=plan,
        on_server_failure="restore",
        checkpoint_dir=str(tmp_path),
        checkpoint_every=4,
    )
    ref_keys, ref_counts = _true_counts(batches)
    got = dict(zip(keys.tolist(), w.tolist()))
    missing = sum(c - got.get(k, 0.0) for k, c in zip(ref_keys.tolist(), ref_counts.tolist()))
    # the shard checkpointed at step 4 and died at the start of step 7: the pushes of steps
    # 4, 5 and 6 to that shard are gone, and nothing else
    lost_keys = sum(
        np.count_nonzero(_shard_of(engine, batches[wk][t]) == 1)
        for wk in range(len(batches))
        for t in (4, 5, 6)
    )
    assert missing == lost_keys > 0
    assert 0 < engine.stats["pushes_lost"] <= 3 * len(batches)


def _shard_of(engine, keys):
    order, offsets = engine._group(np.asarray(keys, dtype=np.int64))
    shard = np.empty(len(keys), dtype=np.int64)
    for s in range(engine.n_shards):
        shard[order[offsets[s] : offsets[s + 1]]] = s
    return shard


def test_restart_budget_exhausted_is_a_clear_error(rng):
    batches = _counter_data(rng)
    plan = FaultPlan(kill_servers={0: [2, 3]})
    with pytest.raises(PSError, match=r"server shard 0 failed at step 3 .*max_retries=1"):
        _run_counter(batches, fault_plan=plan, max_retries=1, timeout=30)


def test_raise_policy_names_the_shard_and_step(rng):
    batches = _counter_data(rng)
    with pytest.raises(PSError, match=r"server shard 2 failed at step 5"):
        _run_counter(batches, fault_plan=FaultPlan(kill_servers={2: 5}), on_server_failure="raise")


def test_worker_out_of_retries_fails_bsp_but_async_goes_on(rng):
    batches = _counter_data(rng)
    plan = FaultPlan(kill_workers={1: 4})
    with pytest.raises(PSError, match=r"worker 1 failed at step 4 .*max_retries=0"):
        _run_counter(batches, fault_plan=plan, max_retries=0)
    engine, keys, w = _run_counter(batches, sync="async", fault_plan=plan, max_retries=0)
    assert engine.stats["workers_lost"] == 1
    # the dead worker's pushes up to and including step 4 count; the others' all count
    kept = [b if i != 1 else b[:5] for i, b in enumerate(batches)]
    _assert_exact(kept, keys, w)


def test_ssp_respects_the_staleness_bound_with_a_slow_worker(rng):
    batches = _counter_data(rng, n_steps=10)
    plan = FaultPlan(slow_workers={0: 0.02})
    engine, keys, w = _run_counter(batches, sync="ssp", staleness=2, fault_plan=plan)
    _assert_exact(batches, keys, w)
    assert 0 < engine.stats["max_staleness"] <= 2
    engine, _, _ = _run_counter(batches, sync="async", fault_plan=plan)
    assert engine.stats["max_staleness"] > 2  # without the bound the fast workers run ahead


def test_driver_restart_resumes_from_the_checkpoint(rng, tmp_path):
    batches = _counter_data(rng)
    full_engine, keys_full, w_full = _run_counter(batches)
    cfg = dict(checkpoint_dir=str(tmp_path), checkpoint_every=3)
    with pytest.raises(DriverKilled):
        _run_counter(batches, fault_plan=FaultPlan(kill_driver=8), **cfg)
    engine, keys, w = _run_counter(batches, **cfg)
    assert engine.stats["resumed_from_step"] == 6
    np.testing.assert_array_equal(keys, keys_full)
    np.testing.assert_array_equal(w, w_full)
    # a finished job is not resumed: a new fit starts from step 0
    engine, _, _ = _run_counter(batches, **cfg)
    assert engine.stats["resumed_from_step"] == 0


def test_memory_grows_with_distinct_keys_not_key_space(rng):
    batches = _counter_data(rng, key_space=2**62, n_keys=500)
    engine, keys, _ = _run_counter(batches, num_servers=4)
    sizes = engine.table_sizes()
    assert sum(sizes) == keys.shape[0] == np.unique(np.concatenate(sum(batches, []))).shape[0]
    assert min(sizes) > 0  # the keys spread over every shard


# -- FTRLClassifier through the parameter server -----------------------------------------------


@pytest.fixture(scope="module")
def ctr():
    X, y = make_ctr(n_samples=6000, n_fields=8, random_state=3)[:2]
    return X, y


def _auc(model, X, y):
    return roc_auc_score(y, model.predict_proba(X)[:, 1])


def test_ftrl_one_worker_bsp_equals_in_process(ctr):
    X, y = ctr
    base = FTRLClassifier(random_state=0, max_iter=2).fit(X, y)
    ps = FTRLClassifier(random_state=0, max_iter=2, ps=PSConfig(num_servers=3)).fit(X, y)
    np.testing.assert_array_equal(ps.get_weights()[0], base.get_weights()[0])
    np.testing.assert_array_equal(ps.get_weights()[1], base.get_weights()[1])
    np.testing.assert_array_equal(ps.intercept_, base.intercept_)
    assert ps.ps_stats_["steps"] > 0 and sum(ps.ps_stats_["table_sizes"]) == ps.n_keys_ + 1


@pytest.mark.parametrize("sync", ["bsp", "ssp", "async"])
def test_ftrl_several_workers_match_the_in_process_auc(sync):
    X, y = make_ctr(n_samples=12000, n_fields=8, random_state=3)[:2]
    train, test = slice(0, 6000), slice(6000, None)
    base = FTRLClassifier(random_state=0, max_iter=3).fit(X[train], y[train])
    cfg = PSConfig(num_servers=2, num_workers=2, sync=sync, staleness=1)
    model = FTRLClassifier(random_state=0, max_iter=3, ps=cfg).fit(X[train], y[train])
    # held-out AUC, as the issue asks: within 0.002 of the in-process fit
    assert abs(_auc(model, X[test], y[test]) - _auc(base, X[test], y[test])) < 0.002


def test_ftrl_bsp_is_deterministic(ctr):
    X, y = ctr
    cfg = PSConfig(num_servers=2, num_workers=3)
    a = FTRLClassifier(random_state=0, ps=cfg).fit(X, y)
    b = FTRLClassifier(random_state=0, ps=cfg).fit(X, y)
    np.testing.assert_array_equal(a.get_weights()[1], b.get_weights()[1])


def test_ftrl_server_killed_under_restore_keeps_the_auc(ctr, tmp_path):
    X, y = ctr
    cfg = dict(num_servers=2, num_workers=2, checkpoint_dir=str(tmp_path), checkpoint_every=5)
    clean = FTRLClassifier(random_state=0, max_iter=2, ps=PSConfig(**cfg)).fit(X, y)
    plan = FaultPlan(kill_servers={0: 12})
    hurt = FTRLClassifier(
        random_state=0,
        max_iter=2,
        ps=PSConfig(**cfg, on_server_failure="restore", fault_plan=plan),
    ).fit(X, y)
    assert 0 < hurt.ps_stats_["pushes_lost"] <= 2 * 2  # steps 10, 11 of two workers
    assert abs(_auc(hurt, X, y) - _auc(clean, X, y)) < 0.005
    replay = FTRLClassifier(random_state=0, max_iter=2, ps=PSConfig(**cfg, fault_plan=plan)).fit(
        X, y
    )
    np.testing.assert_array_equal(replay.get_weights()[1], clean.get_weights()[1])


def test_ftrl_fitted_through_ps_pickles_and_predicts_alone(ctr):
    import pickle

    X, y = ctr
    model = FTRLClassifier(random_state=0, ps=PSConfig(num_servers=2, num_workers=2)).fit(X, y)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict_proba(X), model.predict_proba(X))


def test_ftrl_partial_fit_through_ps_continues_the_model(ctr):
    X, y = ctr
    half = X.shape[0] // 2
    base = FTRLClassifier(shuffle=False)
    base.partial_fit(X[:half], y[:half], classes=[0, 1]).partial_fit(X[half:], y[half:])
    ps = FTRLClassifier(shuffle=False, ps=PSConfig(num_servers=2))
    ps.partial_fit(X[:half], y[:half], classes=[0, 1]).partial_fit(X[half:], y[half:])
    np.testing.assert_array_equal(ps.get_weights()[1], base.get_weights()[1])


def test_bad_configs_are_clear_errors():
    with pytest.raises(ValueError, match="sync must be one of"):
        PSConfig(sync="eventual")
    with pytest.raises(ValueError, match="num_servers must be a positive integer"):
        PSConfig(num_servers=0)
    with pytest.raises(ValueError, match="checkpoint_every > 0 needs a checkpoint_dir"):
        PSConfig(checkpoint_every=3)
    with pytest.raises(ValueError, match="num_partitions must be a power of two"):
        PSConfig(num_servers=2, num_partitions=12)
    with pytest.raises(ValueError, match="optimizer must be"):
        TableSpec("adam")
    X, y = make_ctr(n_samples=50, random_state=0)[:2]
    with pytest.raises(TypeError, match="ps must be None or a pai_algos.ps.PSConfig"):
        FTRLClassifier(ps={"num_servers": 2}).fit(X, y)


# -- SGDClassifier / SGDRegressor through the parameter server ---------------------------------


@pytest.fixture(scope="module")
def blobs():
    from sklearn.datasets import make_classification
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(3000, 20, n_informative=10, random_state=0)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("loss", ["hinge", "log_loss", "modified_huber"])
@pytest.mark.parametrize("sync", ["bsp", "async"])
def test_sgd_classifier_through_ps_learns_as_well(blobs, loss, sync):
    from pai_algos.linear_model import SGDClassifier

    X, y = blobs
    kw = dict(loss=loss, max_iter=10, tol=None, random_state=0)
    plain = SGDClassifier(**kw).fit(X, y).score(X, y)
    cfg = PSConfig(num_servers=2, num_workers=2, sync=sync)
    model = SGDClassifier(**kw, ps=cfg).fit(X, y)
    assert model.score(X, y) >= plain - 0.02
    assert model.ps_stats_["steps"] > 0 and model.ps_stats_["pushes_lost"] == 0
    assert model.coef_.shape == (1, 20) and model.n_iter_ == 10


def test_sgd_multiclass_and_regressor_through_ps(blobs):
    from sklearn.datasets import make_regression

    from pai_algos.linear_model import SGDClassifier, SGDRegressor

    X, _ = blobs
    y3 = np.digitize(X[:, 0] + X[:, 1], [-1, 1])
    plain = SGDClassifier(max_iter=10, tol=None, random_state=0).fit(X, y3).score(X, y3)
    cfg = PSConfig(num_servers=2, batch_size=32)
    model = SGDClassifier(max_iter=10, tol=None, random_state=0, ps=cfg).fit(X, y3)
    assert model.score(X, y3) > plain - 0.04 and model.coef_.shape == (3, 20)
    Xr, yr = make_regression(2000, 20, noise=1, random_state=0)
    cfg = PSConfig(num_servers=2, num_workers=2, batch_size=32)
    reg = SGDRegressor(max_iter=10, tol=None, learning_rate="constant", random_state=0, ps=cfg)
    assert reg.fit(Xr, yr).score(Xr, yr) > 0.999


def test_sgd_through_ps_is_deterministic_and_continues_with_partial_fit(blobs):
    from pai_algos.linear_model import SGDClassifier

    X, y = blobs
    cfg = PSConfig(num_servers=3, num_workers=2)
    kw = dict(max_iter=3, tol=None, random_state=0, learning_rate="constant", eta0=0.01)
    a = SGDClassifier(**kw, ps=cfg).fit(X, y)
    b = SGDClassifier(**kw, ps=cfg).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    before, score = a.coef_.copy(), a.score(X, y)
    a.partial_fit(X[:500], y[:500])
    assert not np.array_equal(a.coef_, before)
    # the shards were seeded with the fitted weights: a small step on, not a restart
    assert np.corrcoef(a.coef_.ravel(), before.ravel())[0, 1] > 0.99
    assert a.score(X, y) > score - 0.02


def test_sgd_options_the_ps_path_lacks_are_clear_errors(blobs):
    from pai_algos.linear_model import SGDClassifier, SGDRegressor

    X, y = blobs
    with pytest.raises(ValueError, match=r"does not support penalty='l1', average"):
        SGDClassifier(penalty="l1", average=True, ps=PSConfig()).fit(X, y)
    with pytest.raises(ValueError, match=r"SGDRegressor\(ps=...\) .* early_stopping"):
        SGDRegressor(early_stopping=True, ps=PSConfig()).fit(X, X[:, 0])
    with pytest.raises(TypeError, match="ps must be None or a pai_algos.ps.PSConfig"):
        SGDClassifier(ps="local").fit(X, y)


# -- dense tables -------------------------------------------------------------------------------


@pytest.mark.parametrize("sync", ["bsp", "async"])
def test_dense_table_counter_model_exact_through_a_killed_shard(rng, tmp_path, sync):
    size = 1000
    batches = _counter_data(rng, key_space=size, n_keys=300)
    cfg = PSConfig(
        num_servers=3,
        num_workers=len(batches),
        sync=sync,
        checkpoint_dir=str(tmp_path),
        checkpoint_every=4,
        fault_plan=FaultPlan(kill_servers={1: 6}, kill_workers={0: 2}),
    )
    engine = Engine(cfg, TableSpec("sgd", lr=1.0, dense_size=size))
    engine.run(CounterJob(batches))
    keys, values = engine.gather()
    np.testing.assert_array_equal(keys, np.arange(size))  # every index, in three ranges
    ref_keys, ref_counts = _true_counts(batches)
    expected = np.zeros(size)
    expected[ref_keys] = ref_counts
    np.testing.assert_array_equal(values[:, 0], expected)
    assert engine.table_sizes() == [333, 333, 334]
    assert engine.stats["pushes_lost"] == 0 and engine.stats["server_restarts"] == 1


class HistogramJob:
    """Each worker pushes the histogram of its rows (bins x gradient sums), then every worker
    pulls the total: the aggregation PAI's PS-SMART does for gradient boosting."""

    def __init__(self, codes, grads, n_workers, n_bins):
        self.parts = np.array_split(np.arange(codes.shape[0]), n_workers)
        self.codes, self.grads, self.n_bins = codes, grads, n_bins
        self.pulled = {}

    def n_steps(self):
        return 2

    def step(self, worker, t, client):
        keys = np.arange(self.n_bins, dtype=np.int64)
        if t == 0:
            rows = self.parts[worker]
            hist = np.bincount(self.codes[rows], self.grads[rows], minlength=self.n_bins)
            client.push(keys, hist)
        else:
            self.pulled[worker] = client.pull(keys)
        return 0.0

    def signature(self):
        return "hist"


def test_dense_sum_table_aggregates_worker_histograms(rng):
    codes = rng.integers(0, 64, size=5000)
    grads = rng.normal(size=5000)
    job = HistogramJob(codes, grads, n_workers=3, n_bins=64)
    engine = Engine(PSConfig(num_servers=2, num_workers=3), TableSpec("sum", dense_size=64))
    engine.run(job)
    total = np.bincount(codes, grads, minlength=64)
    for w in range(3):
        np.testing.assert_allclose(job.pulled[w], total, rtol=1e-12)


def test_dense_table_rejects_keys_out_of_range():
    engine = Engine(PSConfig(num_servers=2), TableSpec("sum", dense_size=10))
    with pytest.raises(IndexError, match=r"dense table keys must lie in \[0, 10\)"):
        engine.pull(np.array([3, 10]))
    with pytest.raises(ValueError, match="dense_size must be a positive integer"):
        TableSpec(dense_size=0)

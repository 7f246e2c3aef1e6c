"""FTRLClassifier: Algorithm 1 reference, sparsity, key-space memory, online use, AUC, bad input.

Hyperparameters of the quality test: alpha=0.3, beta=1, l1=1, l2=1, batch_size=128, one pass
(max_iter=1) for FTRL; SGDClassifier(loss="log_loss", max_iter=1, alpha=1e-4) and
LogisticRegression(C=1, lbfgs) on the same features remapped to dense column ids. Tolerances:
AUC >= SGD's - 0.005 and >= LogisticRegression's - 0.003 on 30,000 training rows.
"""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import roc_auc_score

from pai_algos.datasets import make_ctr
from pai_algos.linear_model import FTRLClassifier, LogisticRegression
from pai_algos_native.cpu import keyed_table as kt

from ..native import naive_keyed_table as naive

PARAMS = dict(alpha=0.3, beta=1.0, l1=0.5, l2=0.5)


def _ctr(seed, n=300, fields=4, key_bits=64, **kw):
    return make_ctr(n_samples=n, n_fields=fields, key_bits=key_bits, random_state=seed, **kw)


def _assert_same_model(est, table, rtol=1e-10):
    keys, w = est.get_weights()
    assert sorted(keys.tolist()) == sorted(k for k in table.state if k != kt.BIAS_KEY)
    np.testing.assert_allclose(w, table.pull(keys), rtol=rtol, atol=1e-14)
    if est.fit_intercept:
        np.testing.assert_allclose(est.intercept_, [table.weight(kt.BIAS_KEY)], rtol=rtol)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_batch_size_one_is_algorithm_1(seed, fit_intercept):
    X, y = _ctr(seed, n=150)
    est = FTRLClassifier(
        **PARAMS, batch_size=1, max_iter=2, shuffle=False, fit_intercept=fit_intercept
    ).fit(X, y)
    ref = naive.ftrl_per_sample(X, y, **PARAMS, fit_intercept=fit_intercept, passes=2)
    _assert_same_model(est, ref)
    m = est.decision_function(X[:20])
    expected = [
        sum(X.data[p] * ref.weight(X.indices[p]) for p in range(X.indptr[i], X.indptr[i + 1]))
        + (ref.weight(kt.BIAS_KEY) if fit_intercept else 0.0)
        for i in range(20)
    ]
    np.testing.assert_allclose(m, expected, rtol=1e-10, atol=1e-14)


def test_minibatch_is_pull_then_aggregated_push(seed):
    X, y = _ctr(seed, n=200)
    batch = 16
    est = FTRLClassifier(**PARAMS, batch_size=batch, shuffle=False).fit(X, y)
    ref = naive.NaiveFTRLTable(*PARAMS.values())
    for start in range(0, 200, batch):
        grads = {}
        pulled = {}
        for i in range(start, min(start + batch, 200)):
            keys = [kt.BIAS_KEY, *X.indices[X.indptr[i] : X.indptr[i + 1]].tolist()]
            for k in keys:
                pulled.setdefault(k, ref.weight(k))  # weights as pulled at the batch start
            g = naive.sigmoid(sum(pulled[k] for k in keys)) - y[i]
            for k in keys:
                grads[k] = grads.get(k, 0.0) + g
        order = sorted(grads)
        ref.push(order, [grads[k] for k in order])
    _assert_same_model(est, ref)


def test_l1_gives_real_sparsity(seed):
    X, y = _ctr(seed, n=3000, fields=6)
    counts = [FTRLClassifier(l1=l1, shuffle=False).fit(X, y).n_weights_ for l1 in (0, 1, 5)]
    n_keys = FTRLClassifier(shuffle=False).fit(X, y).n_keys_
    # without L1 every key has a weight, but for the rare one whose gradients summed to 0
    # (e.g. a click and a non-click at margin 0 in the first minibatch)
    assert 0.99 * n_keys <= counts[0] <= n_keys
    assert counts[0] > counts[1] > counts[2]
    assert counts[2] < 0.5 * n_keys


def test_memory_grows_with_distinct_keys_not_key_space(seed):
    X, y = _ctr(seed, n=5000, fields=8, key_bits=40)
    assert X.shape[1] == 2**40
    est = FTRLClassifier(random_state=0).fit(X, y)
    distinct = np.unique(X.indices).shape[0]
    assert est.n_keys_ == distinct
    store = est.store_
    assert distinct <= store.capacity // 2 < 2 * distinct + kt.MIN_CAPACITY
    table_bytes = store.table_keys.nbytes + store.table_values.nbytes
    assert table_bytes <= 24 * 4 * distinct + 1024  # 8 B key + 16 B (z, n) per slot
    # the keys really spread over the 2**40 key space
    assert X.indices.max() > 2**39


def test_partial_fit_equals_fit_on_concatenated_data(seed):
    X, y = _ctr(seed, n=500)
    full = FTRLClassifier(**PARAMS, batch_size=25, shuffle=False).fit(X, y)
    online = FTRLClassifier(**PARAMS, batch_size=25)
    for lo, hi in ((0, 100), (100, 350), (350, 500)):  # chunk edges on batch edges
        online.partial_fit(X[lo:hi], y[lo:hi], classes=[0, 1])
    np.testing.assert_array_equal(online.get_weights()[0], full.get_weights()[0])
    np.testing.assert_allclose(online.get_weights()[1], full.get_weights()[1], rtol=1e-12)
    np.testing.assert_allclose(online.decision_function(X), full.decision_function(X), rtol=1e-12)
    assert online.t_ == full.t_ == 500
    assert len(online.history_["loss"]) == 3


def test_shuffle_and_several_passes(seed):
    X, y = _ctr(seed, n=1000)
    a = FTRLClassifier(max_iter=3, random_state=4).fit(X, y)
    b = FTRLClassifier(max_iter=3, random_state=4).fit(X, y)
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))
    assert a.n_iter_ == 3 and a.t_ == 3000 and len(a.history_["loss"]) == 3
    assert a.history_["loss"][2] < a.history_["loss"][0]
    stopped = FTRLClassifier(max_iter=50, tol=10.0, random_state=4).fit(X, y)
    assert stopped.n_iter_ == 2  # the first pass has nothing to compare with


def test_dense_input_reads_columns_as_keys(seed):
    rng = np.random.default_rng(seed)
    D = rng.normal(size=(200, 5)) * (rng.random((200, 5)) < 0.6)
    y = (D[:, 0] + D[:, 1] > 0).astype(int)
    dense = FTRLClassifier(shuffle=False).fit(D, y)
    sparse = FTRLClassifier(shuffle=False).fit(sp.csr_matrix(D), y)
    np.testing.assert_array_equal(dense.decision_function(D), sparse.decision_function(D))
    assert set(dense.get_weights()[0].tolist()) <= set(range(5))


def test_float32_kept_and_close_to_float64(seed):
    X, y = _ctr(seed, n=400)
    X32 = X.astype(np.float32)
    est = FTRLClassifier(shuffle=False).fit(X32, y)
    assert est.decision_function(X32).dtype == np.float32
    assert est.predict_proba(X32).dtype == np.float32
    ref = FTRLClassifier(shuffle=False).fit(X, y)
    np.testing.assert_allclose(est.decision_function(X), ref.decision_function(X), rtol=1e-12)


def test_pickle_round_trip(seed):
    X, y = _ctr(seed, n=500)
    est = FTRLClassifier(random_state=0).fit(X, y)
    clone = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(clone.predict_proba(X), est.predict_proba(X))
    clone.partial_fit(X, y)  # the unpickled table keeps learning
    assert clone.t_ == est.t_ + 500


def _remap(X_train, *others):
    """One-hot columns 0..m-1 for the keys of X_train (unseen keys dropped)."""
    keys = np.unique(X_train.indices)

    def remap(A):
        pos = np.minimum(np.searchsorted(keys, A.indices), keys.shape[0] - 1)
        data = A.data * (keys[pos] == A.indices)
        out = sp.csr_matrix((data, pos, A.indptr), shape=(A.shape[0], keys.shape[0]))
        out.eliminate_zeros()
        return out

    return [remap(A) for A in (X_train, *others)]


def test_auc_matches_sgd_and_logistic_regression():
    X, y = make_ctr(n_samples=40_000, n_fields=8, random_state=0)
    X_train, y_train, X_test, y_test = X[:30_000], y[:30_000], X[30_000:], y[30_000:]
    ours = FTRLClassifier(alpha=0.3, beta=1.0, l1=1.0, l2=1.0, batch_size=128, random_state=0)
    auc = roc_auc_score(y_test, ours.fit(X_train, y_train).decision_function(X_test))
    R_train, R_test = _remap(X_train, X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch: SGD warns it did not converge
        sgd = SGDClassifier(loss="log_loss", max_iter=1, random_state=0).fit(R_train, y_train)
    auc_sgd = roc_auc_score(y_test, sgd.decision_function(R_test))
    lr = LogisticRegression(device="cpu").fit(R_train, y_train)
    auc_lr = roc_auc_score(y_test, lr.decision_function(R_test))
    assert auc >= auc_sgd - 0.005, (auc, auc_sgd)
    assert auc >= auc_lr - 0.003, (auc, auc_lr)


# --- bad input -----------------------------------------------------------------------------


def test_multiclass_is_rejected():
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(ValueError, match="Only binary classification is supported"):
        FTRLClassifier().fit(X, np.arange(30) % 3)
    with pytest.raises(ValueError, match="classes must hold 2 labels"):
        FTRLClassifier().partial_fit(X, np.arange(30) % 2, classes=[0, 1, 2])


def test_one_class_is_rejected():
    X = np.ones((10, 2))
    with pytest.raises(ValueError, match="only one class"):
        FTRLClassifier().fit(X, np.zeros(10))
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        FTRLClassifier().partial_fit(X, np.zeros(10))
    est = FTRLClassifier().partial_fit(X, np.zeros(10), classes=[0, 1])
    with pytest.raises(ValueError, match=r"labels not in classes \[0, 1\]: \[7\]"):
        est.partial_fit(X, np.full(10, 7))
    with pytest.raises(ValueError, match="not the same as on the first call"):
        est.partial_fit(X, np.zeros(10), classes=[0, 2])
    with pytest.raises(ValueError, match="X has 3 features"):
        est.partial_fit(np.ones((10, 3)), np.zeros(10))


def test_negative_keys_are_rejected():
    X = sp.csr_matrix((np.ones(2), np.array([3, -5]), np.array([0, 1, 2])), shape=(2, 10))
    with pytest.raises(ValueError, match=r"keys .* must lie in \[0, 10\); got key -5"):
        FTRLClassifier().fit(X, [0, 1])


def test_non_integer_keys_are_rejected():
    X = sp.csr_matrix(np.eye(4))
    X.indices = X.indices.astype(np.float64)
    with pytest.raises(ValueError, match="integer feature keys; got indices of dtype float64"):
        FTRLClassifier().fit(X, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="could not convert string to float"):
        FTRLClassifier().fit(np.array([["a", "b"], ["c", "d"]], dtype=object), [0, 1])


def test_ps_of_the_wrong_type_leaves_nothing_fitted():
    X, y = _ctr(0, n=50)
    est = FTRLClassifier(ps={"backend": "local"})
    with pytest.raises(TypeError, match=r"ps must be None or a pai_algos.ps.PSConfig, got dict"):
        est.fit(X, y)
    with pytest.raises(NotFittedError):
        est.predict(X)


def test_predict_before_fit():
    with pytest.raises(NotFittedError, match="not fitted yet"):
        FTRLClassifier().predict_proba(np.ones((2, 2)))

"""KMeans: parity with scikit-learn from the same initial centers, and bad input.

Tolerance: inertia within 1% of scikit-learn's and labels agreeing (ARI > 0.99) when both
start from the same centers (init=array, n_init=1).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import load_iris, load_wine, make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.metrics import adjusted_rand_score

from pai_algos.cluster import KMeans


def _blobs(seed, dtype=np.float64):
    X, _ = make_blobs(n_samples=600, n_features=5, centers=6, random_state=seed)
    return X.astype(dtype)


def _real(name):
    X = (load_iris if name == "iris" else load_wine)().data
    return (X - X.mean(0)) / X.std(0) if name == "wine" else X


@pytest.mark.parametrize(
    "data", ["blobs32", "blobs64", "iris", "wine"], ids=lambda s: s.replace("blobs", "blobs-f")
)
def test_same_init_matches_sklearn(seed, data):
    rng = np.random.default_rng(seed)
    if data.startswith("blobs"):
        X = _blobs(seed % 1000, np.float32 if data == "blobs32" else np.float64)
    else:
        X = _real(data)
    k = 6 if data.startswith("blobs") else 3
    init = X[rng.choice(len(X), k, replace=False)]
    ours = KMeans(k, init=init, n_init=1, device="cpu").fit(X)
    ref = SkKMeans(k, init=init, n_init=1).fit(X)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=0.01)
    assert adjusted_rand_score(ref.labels_, ours.labels_) > 0.99
    assert ours.cluster_centers_.dtype == X.dtype


def test_kmeanspp_same_draws_as_sklearn(seed):
    X = _blobs(seed % 1000)
    ours = KMeans(6, random_state=seed, device="cpu").fit(X)
    ref = SkKMeans(6, random_state=seed).fit(X)
    assert ours.inertia_ == pytest.approx(ref.inertia_, rel=0.01)


def test_attributes_history_and_methods(seed):
    X = _blobs(seed % 1000, np.float32)
    w = np.random.default_rng(seed).uniform(0.5, 2, len(X))
    km = KMeans(6, random_state=seed, n_init=2, device="cpu").fit(X, sample_weight=w)
    assert km.device_ == "cpu" and km.n_features_in_ == 5
    assert len(km.history_["inertia"]) == km.n_iter_ == len(km.history_["seconds"])
    np.testing.assert_array_equal(km.predict(X), km.labels_)
    dist = km.transform(X)
    assert dist.dtype == np.float32 and dist.shape == (len(X), 6)
    np.testing.assert_array_equal(dist.argmin(1), km.labels_)
    assert km.score(X, sample_weight=w) == pytest.approx(-km.inertia_, rel=1e-5)
    np.testing.assert_array_equal(km.fit_predict(X, sample_weight=w), km.labels_)
    assert km.fit_transform(X).shape == (len(X), 6)


def test_sparse_input_same_as_dense(seed):
    X = _blobs(seed % 1000)
    init = X[:6]
    dense = KMeans(6, init=init, device="cpu").fit(X)
    sparse = KMeans(6, init=init, device="cpu").fit(sp.csr_matrix(X))
    np.testing.assert_allclose(sparse.cluster_centers_, dense.cluster_centers_)


def test_empty_cluster_is_relocated():
    X = np.array([[0.0, 0], [0.1, 0], [10, 10], [10.1, 10], [20, 0], [20.1, 0]])
    init = np.array([[0.0, 0], [10, 10], [100, 100]])  # the third center gets no point
    km = KMeans(3, init=init, device="cpu").fit(X)
    assert np.unique(km.labels_).size == 3
    assert km.inertia_ < 0.1


@pytest.mark.parametrize(
    "X, match",
    [
        (np.array([[1.0, np.nan], [2, 3], [4, 5]]), "NaN"),
        (np.array([[1.0, np.inf], [2, 3], [4, 5]]), "infinity"),
        (np.arange(5.0), "Expected 2D array"),
        (np.empty((0, 3)), "0 sample"),
    ],
)
def test_bad_input(X, match):
    with pytest.raises(ValueError, match=match):
        KMeans(2, device="cpu").fit(X)


def test_too_few_samples_and_bad_weights():
    X = np.random.default_rng(0).normal(size=(4, 2))
    with pytest.raises(ValueError, match="n_samples=4 should be >= n_clusters=5"):
        KMeans(5, device="cpu").fit(X)
    with pytest.raises(ValueError, match="sample_weight.shape == \\(3,\\), expected \\(4,\\)"):
        KMeans(2, device="cpu").fit(X, sample_weight=np.ones(3))


def test_predict_before_fit_and_wrong_features():
    X = np.random.default_rng(0).normal(size=(20, 3))
    with pytest.raises(NotFittedError, match="not fitted yet"):
        KMeans(2).predict(X)
    km = KMeans(2, device="cpu", random_state=0).fit(X)
    with pytest.raises(ValueError, match="X has 2 features, but KMeans is expecting 3"):
        km.predict(X[:, :2])
    with pytest.raises(ValueError, match="does not match the number of clusters"):
        KMeans(3, init=X[:2], device="cpu").fit(X)

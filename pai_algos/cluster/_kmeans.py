"""K-means clustering: greedy k-means++ seeding and Lloyd iterations on our kernels."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from pai_algos_native import kernels

from ..base import (
    DeviceMixin,
    History,
    blas_single_thread,
    numba_threads,
    predict_device,
    progress_bar,
)
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_sample_weight,
    _fit_context,
    validate_data,
)

__all__ = ["KMeans"]


def _tolerance(X, tol):
    """scikit-learn's rule: ``tol`` times the mean of the per-feature variances of X."""
    if tol == 0:
        return 0.0
    return float(np.mean(np.var(X, axis=0))) * tol


def _kmeans_plusplus(X, x_sq_norms, n_clusters, sample_weight, random_state, kern):
    """Greedy k-means++ (Arthur & Vassilvitskii 2007), drawing as scikit-learn does.

    The random draws are scikit-learn's, in the same order, so that the same ``random_state``
    gives the same seeds up to rounding; the distance updates run in ``kmeanspp_trials``.
    """
    n_samples, n_features = X.shape
    n_local_trials = 2 + int(np.log(n_clusters))
    centers = np.empty((n_clusters, n_features), dtype=X.dtype)
    first = random_state.choice(n_samples, p=sample_weight / sample_weight.sum())
    centers[0] = X[first]
    closest = np.full(n_samples, np.inf, dtype=X.dtype)
    out = np.empty((1, n_samples), dtype=X.dtype)
    current_pot = kern.kmeanspp_trials(X, x_sq_norms, X[[first]], closest, sample_weight, out)[0]
    closest = out[0].copy()
    out = np.empty((n_local_trials, n_samples), dtype=X.dtype)
    for c in range(1, n_clusters):
        rand_vals = random_state.uniform(size=n_local_trials) * current_pot
        candidate_ids = np.searchsorted(np.cumsum(sample_weight * closest), rand_vals)
        np.clip(candidate_ids, None, n_samples - 1, out=candidate_ids)
        pots = kern.kmeanspp_trials(
            X, x_sq_norms, np.ascontiguousarray(X[candidate_ids]), closest, sample_weight, out
        )
        best = int(np.argmin(pots))
        current_pot = pots[best]
        closest[:] = out[best]
        centers[c] = X[candidate_ids[best]]
    return centers


def _relocate_empty_clusters(X, sample_weight, centers_old, labels, sums, weights):
    """Move each empty cluster to one of the points farthest from their center (sklearn)."""
    empty = np.flatnonzero(weights == 0)
    if empty.size == 0:
        return
    dist = ((X - centers_old[labels]) ** 2).sum(axis=1)
    if dist.max() == 0:  # more clusters than distinct points: nothing to gain
        return
    far = np.argpartition(dist, -empty.size)[: -empty.size - 1 : -1]
    for new_id, idx in zip(empty, far):
        w = float(sample_weight[idx])
        old_id = labels[idx]
        sums[old_id] -= X[idx] * w
        sums[new_id] = X[idx] * w
        weights[new_id] = w
        weights[old_id] -= w


def _is_same_clustering(labels_a, labels_b):
    """Whether ``labels_b`` is a function of ``labels_a`` (the same partition, relabelled)."""
    pairs = np.unique(np.stack([labels_a, labels_b]), axis=1)
    return pairs.shape[1] == np.unique(labels_a).size


class KMeans(
    DeviceMixin, ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator
):
    """K-means clustering with Numba (CPU) and CUDA kernels.

    A drop-in for :class:`sklearn.cluster.KMeans` (Lloyd's algorithm) with ``n_jobs`` and
    ``device`` added.

    Parameters
    ----------
    n_clusters : int, default=8
        The number of clusters and centers.
    init : {"k-means++", "random"} or array-like of shape (n_clusters, n_features), \
default="k-means++"
        "k-means++": greedy k-means++ seeding (``2 + log(n_clusters)`` candidates per center,
        the one that lowers the potential most is kept). "random": ``n_clusters`` rows drawn
        with probability proportional to ``sample_weight``. An array gives the initial centers.
    n_init : "auto" or int, default="auto"
        Number of runs with different seeds; the run with the lowest inertia is kept. "auto"
        is 1 for "k-means++" and an array, 10 for "random".
    max_iter : int, default=300
        Maximum number of Lloyd iterations per run.
    tol : float, default=1e-4
        Relative tolerance: a run stops when the sum of the squared center shifts is at most
        ``tol`` times the mean of the per-feature variances of X. It also stops as soon as the
        labels do not change (strict convergence).
    verbose : int, default=0
        Show a progress bar over the iterations.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialisation.
    copy_x : bool, default=True
        Kept for compatibility with scikit-learn. Our kernels never centre or otherwise modify
        X, so no copy is made either way (except to convert dtype, order or sparse input).
    algorithm : {"lloyd"}, default="lloyd"
        Only Lloyd's algorithm is implemented.
    n_jobs : int, default=None
        Numba threads for the fit and predictions; None uses the global configuration, -1 all
        cores.
    device : {"cpu", "cuda", "auto"}, default="auto"
        Where the Lloyd iterations run. "auto" picks the GPU for large inputs when one is
        present. Seeding always runs on the CPU; fitted attributes are host arrays.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_clusters, n_features)
        Cluster centers, in the dtype of X (float32 stays float32).
    labels_ : ndarray of shape (n_samples,)
        Label of each training row (consistent with ``predict`` on the training data).
    inertia_ : float
        Sum of the weighted squared distances of the rows to their closest center.
    n_iter_ : int
        Number of iterations of the kept run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X has string column names.
    device_ : str
        "cpu" or "cuda": where the fit ran.
    history_ : dict of lists
        Per iteration of the kept run: "iteration", "seconds" and "inertia" (with respect to the
        centers at the start of the iteration).

    See Also
    --------
    sklearn.cluster.KMeans : The reference implementation.

    Notes
    -----
    Lloyd's algorithm alternates the assignment ``l_i = argmin_j ||x_i - c_j||^2`` and the
    update ``c_j = sum_{l_i = j} w_i x_i / sum_{l_i = j} w_i``, minimising the inertia
    ``sum_i w_i ||x_i - c_{l_i}||^2``. One fused kernel pass per iteration assigns the labels
    and accumulates per-chunk sums, weights and inertia, which are then reduced in a fixed
    order (results do not depend on the thread count). Empty clusters are moved to the points
    farthest from their centers, as scikit-learn does. Sparse CSR input is accepted and
    converted to a dense array (k-means centers are dense anyway); mind the memory for very
    wide data.

    References
    ----------
    .. [1] S. Lloyd, "Least squares quantization in PCM", IEEE Trans. Information Theory,
       28(2), 1982.
    .. [2] D. Arthur and S. Vassilvitskii, "k-means++: the advantages of careful seeding",
       SODA 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.cluster import KMeans
    >>> X = np.array([[1, 2], [1, 4], [1, 0], [10, 2], [10, 4], [10, 0]], dtype=float)
    >>> km = KMeans(n_clusters=2, random_state=0, device="cpu").fit(X)
    >>> sorted(km.cluster_centers_.tolist())
    [[1.0, 2.0], [10.0, 2.0]]
    >>> km.predict([[0, 0], [12, 3]]).tolist() == [km.labels_[0], km.labels_[3]]
    True
    >>> round(km.inertia_, 2)
    16.0
    """

    _parameter_constraints: dict = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions({"k-means++", "random"}), "array-like"],
        "n_init": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "copy_x": ["boolean"],
        "algorithm": [StrOptions({"lloyd"})],
        "n_jobs": [Integral, None],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
    }

    _fast_params = {"n_clusters": 3, "max_iter": 20, "n_init": 2}
    _preserves_float32 = True
    _expected_failed_checks = {
        # as for scikit-learn's KMeans: the random seeding draws differently from weighted rows
        # than from repeated rows, so the local optimum found differs
        "check_sample_weight_equivalence_on_dense_data": (
            "random seeding differs between weighted and repeated rows (as in scikit-learn)"
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "random seeding differs between weighted and repeated rows (as in scikit-learn)"
        ),
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        verbose=0,
        random_state=None,
        copy_x=True,
        algorithm="lloyd",
        n_jobs=None,
        device="auto",
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state
        self.copy_x = copy_x
        self.algorithm = algorithm
        self.n_jobs = n_jobs
        self.device = device

    def _validate_X(self, X, reset):
        X = validate_data(
            self,
            X,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            reset=reset,
            accept_large_sparse=True,
        )
        if sp.issparse(X):
            X = np.ascontiguousarray(X.toarray())
        return X

    def _n_init_runs(self):
        if self.n_init != "auto":
            n_init = self.n_init
        else:
            n_init = 10 if isinstance(self.init, str) and self.init == "random" else 1
        if not isinstance(self.init, str) and n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init in "
                f"KMeans instead of n_init={n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            n_init = 1
        return n_init

    def _init_centers(self, X, x_sq_norms, sample_weight, random_state, init, kern):
        if isinstance(init, str) and init == "k-means++":
            return _kmeans_plusplus(
                X, x_sq_norms, self.n_clusters, sample_weight, random_state, kern
            )
        if isinstance(init, str):  # "random"
            seeds = random_state.choice(
                X.shape[0],
                size=self.n_clusters,
                replace=False,
                p=sample_weight / sample_weight.sum(),
            )
            return X[seeds]
        return init.copy()

    def _lloyd(self, X, X_dev, x_sq_norms, sample_weight, centers, tol, lloyd, packed):
        """One run of Lloyd's algorithm; returns labels, inertia, centers, n_iter, history."""
        n_samples = X.shape[0]
        k = self.n_clusters
        labels = np.full(n_samples, -1, dtype=np.int32)
        labels_old = labels.copy()
        sums = np.zeros((k, X.shape[1]), dtype=np.float64)
        weights = np.zeros(k, dtype=np.float64)
        hist = History()
        strict = False
        with progress_bar(self.max_iter, "KMeans", self.verbose) as bar:
            for it in range(self.max_iter):  # noqa: B007 (n_iter is it + 1)
                inertia = lloyd.lloyd_step(
                    X_dev, x_sq_norms, sample_weight, centers, labels, sums, weights, packed
                )
                hist.record(inertia=inertia)
                bar.update(1)
                _relocate_empty_clusters(X, sample_weight, centers, labels, sums, weights)
                new = np.empty_like(sums)
                filled = weights > 0
                new[filled] = sums[filled] / weights[filled, None]
                new[~filled] = new[np.argmax(weights)]
                new = new.astype(X.dtype)
                shift = float(((new.astype(np.float64) - centers) ** 2).sum())
                centers = new
                if np.array_equal(labels, labels_old):
                    strict = True
                    break
                if shift <= tol:
                    break
                labels_old[:] = labels
        inertia = lloyd.assign_labels(X_dev, x_sq_norms, sample_weight, centers, labels, packed)
        del strict  # labels are re-assigned either way, so labels_ matches predict
        return labels, inertia, centers, it + 1, hist.as_dict()

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute k-means clustering.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training rows. Sparse input is converted to a dense array.
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None
            Weight of each row; not used by an explicit ``init`` array.

        Returns
        -------
        self : KMeans
        """
        # before validate_data sets n_features_in_: a missing GPU leaves nothing fitted
        device = self._resolve_device(X)
        X = self._validate_X(X, reset=True)
        n_samples = X.shape[0]
        if n_samples < self.n_clusters:
            raise ValueError(f"n_samples={n_samples} should be >= n_clusters={self.n_clusters}.")
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        init = self.init
        if not isinstance(init, str):
            init = check_array(init, dtype=X.dtype, copy=True, order="C")
            if init.shape != (self.n_clusters, X.shape[1]):
                raise ValueError(
                    f"The shape of the initial centers {init.shape} does not match the "
                    f"number of clusters {self.n_clusters} and features {X.shape[1]}."
                )
        n_init = self._n_init_runs()
        random_state = check_random_state(self.random_state)
        tol = _tolerance(X, self.tol)
        cpu = kernels("cluster", "cpu")
        lloyd = kernels("cluster", device)

        best = None
        with numba_threads(self.n_jobs), blas_single_thread():
            x_sq_norms = cpu.row_sq_norms(X)
            X_dev = lloyd.to_device(X)
            sw_dev = lloyd.to_device(sample_weight)
            xsq_dev = lloyd.to_device(x_sq_norms)
            # the CPU kernels want X in row blocks stored feature-major (one copy per fit,
            # reused by every iteration); the CUDA kernels read X_dev as it is
            packed = lloyd.pack_rows(X) if device == "cpu" else None
            for _ in range(n_init):
                centers = self._init_centers(X, x_sq_norms, sample_weight, random_state, init, cpu)
                run = self._lloyd(X, X_dev, xsq_dev, sw_dev, centers, tol, lloyd, packed)
                if best is None or (run[1] < best[1] and not _is_same_clustering(run[0], best[0])):
                    best = run
        labels, inertia, centers, n_iter, history = best

        distinct = np.count_nonzero(np.bincount(labels, minlength=self.n_clusters))
        if distinct < self.n_clusters:
            warnings.warn(
                f"Number of distinct clusters ({distinct}) found smaller than n_clusters "
                f"({self.n_clusters}). Possibly due to duplicate points in X.",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.device_ = device
        self.cluster_centers_ = centers
        self._n_features_out = self.n_clusters
        self.labels_ = labels
        self.inertia_ = float(inertia)
        self.n_iter_ = n_iter
        self.history_ = history
        return self

    def _kernels(self):
        return kernels("cluster", predict_device(self))

    def _labels_inertia(self, X, sample_weight):
        labels = np.empty(X.shape[0], dtype=np.int32)
        centers = self.cluster_centers_.astype(X.dtype, copy=False)
        with numba_threads(self.n_jobs), blas_single_thread():
            kern = self._kernels()
            inertia = kern.assign_labels(X, np.zeros(X.shape[0]), sample_weight, centers, labels)
        return labels, inertia

    def predict(self, X):
        """Index of the closest cluster center of each row.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,), int32
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._labels_inertia(X, np.ones(X.shape[0], dtype=X.dtype))[0]

    def fit_predict(self, X, y=None, sample_weight=None):
        """Fit and return ``labels_``; see :meth:`fit`."""
        return self.fit(X, sample_weight=sample_weight).labels_

    def transform(self, X):
        """Euclidean distance of each row to every cluster center.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_clusters), in the dtype of X
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        out = np.empty((X.shape[0], self.n_clusters), dtype=X.dtype)
        with numba_threads(self.n_jobs):
            kernels("cluster", "cpu").pairwise_distances(
                X, self.cluster_centers_.astype(X.dtype, copy=False), out
            )
        return out

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then return :meth:`transform` of X."""
        return self.fit(X, sample_weight=sample_weight).transform(X)

    def score(self, X, y=None, sample_weight=None):
        """Opposite of the inertia of X with respect to the fitted centers.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : Ignored
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        return -float(self._labels_inertia(X, sample_weight)[1])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

"""Standardize features: remove the mean and scale to unit variance."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from pai_algos_native import kernels

from ..utils._sklearn_compat import _check_sample_weight, _fit_context, validate_data

__all__ = ["StandardScaler"]

_SPARSE_CENTER_MSG = (
    "Cannot center sparse matrices: pass `with_mean=False` "
    "instead. See docstring for motivation and alternatives."
)
_SPARSE_UNCENTER_MSG = (
    "Cannot uncenter sparse matrices: pass `with_mean=False` "
    "instead See docstring for motivation and alternatives."
)


def _is_constant_feature(var, mean, n_samples):
    """Features whose variance is within the rounding error of a two-pass computation.

    The bound is the error bound of the corrected two-pass algorithm (Chan, Golub & LeVeque,
    1983) for float64 accumulation: ``n eps var + (n mean eps)**2``.
    """
    eps = np.finfo(np.float64).eps
    upper_bound = n_samples * eps * var + (n_samples * mean * eps) ** 2
    return var <= upper_bound


def _weights(sample_weight, X):
    if sample_weight is None:
        return np.empty(0, dtype=np.float64)
    return np.ascontiguousarray(_check_sample_weight(sample_weight, X, dtype=X.dtype), np.float64)


def _batch_moments(X, weights):
    """(count, mean, m2) per column of one batch, float64, NaN skipped."""
    k = kernels("preprocessing")
    if sp.issparse(X):
        if X.format == "csr":
            return k.csr_moments(X.data, X.indices, X.indptr, X.shape[1], weights)
        return k.csc_moments(X.data, X.indices, X.indptr, X.shape[0], weights)
    return k.dense_moments(np.ascontiguousarray(X), weights)


class StandardScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Standardize features by removing the mean and scaling to unit variance.

    The standard score of a sample ``x`` is ``z = (x - u) / s``, with ``u`` the mean and ``s``
    the standard deviation of the training samples (``u = 0`` if ``with_mean=False``,
    ``s = 1`` if ``with_std=False``). A drop-in for :class:`sklearn.preprocessing.StandardScaler`
    whose column statistics come from one parallel pass of our Numba kernels.

    Parameters
    ----------
    copy : bool, default=True
        If False, try to scale in place (when the input is already a float NumPy array or
        CSR matrix of a supported dtype).
    with_mean : bool, default=True
        Center the data before scaling. Not possible on sparse matrices (raises ValueError).
    with_std : bool, default=True
        Scale the data to unit variance.

    Attributes
    ----------
    scale_ : ndarray of shape (n_features,) or None
        Per-feature scaling, ``sqrt(var_)``; features with (near-)zero variance get 1.
        None when ``with_std=False``.
    mean_ : ndarray of shape (n_features,) or None
        Per-feature mean (float64). None when both ``with_mean`` and ``with_std`` are False.
    var_ : ndarray of shape (n_features,) or None
        Per-feature (population) variance (float64). None when ``with_std=False``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.
    n_samples_seen_ : int or ndarray of shape (n_features,)
        Samples (or sum of sample weights) per feature seen so far, NaNs excluded; a scalar
        when every feature saw the same number. Reset by fit, increased by partial_fit.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : The scikit-learn estimator this one mirrors.

    Notes
    -----
    NaNs are treated as missing values: disregarded in fit, kept in transform.

    The data are read once. Each thread takes blocks of rows that fit in cache, computes a
    block's mean and its corrected two-pass sum of squares
    :math:`M_2 = \\sum_i w_i (x_i - \\bar x)^2 - (\\sum_i w_i (x_i - \\bar x))^2 / W`
    there, and merges blocks, threads and successive ``partial_fit`` batches with the pairwise
    update of Chan, Golub and LeVeque (eq. 1.5a/b):
    :math:`M_{2,AB} = M_{2,A} + M_{2,B} + \\delta^2 W_A W_B / (W_A + W_B)`, with
    :math:`\\delta = \\bar x_B - \\bar x_A`. Accumulation is in float64.

    References
    ----------
    .. [1] T. F. Chan, G. H. Golub and R. J. LeVeque, "Algorithms for computing the sample
       variance: analysis and recommendations", The American Statistician 37(3), 242-247,
       1983.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.preprocessing import StandardScaler
    >>> X = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    >>> scaler = StandardScaler().fit(X)
    >>> scaler.mean_
    array([0.5, 0.5])
    >>> scaler.transform([[2.0, 2.0]])
    array([[3., 3.]])
    """

    _parameter_constraints: dict = {
        "copy": ["boolean"],
        "with_mean": ["boolean"],
        "with_std": ["boolean"],
    }

    _preserves_float32 = True

    def __init__(self, *, copy=True, with_mean=True, with_std=True):
        self.with_mean = with_mean
        self.with_std = with_std
        self.copy = copy

    def _reset(self):
        for name in ("scale_", "n_samples_seen_", "mean_", "var_"):
            if hasattr(self, name):
                delattr(self, name)

    def fit(self, X, y=None, sample_weight=None):
        """Compute the mean and standard deviation used for later scaling.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data whose per-feature mean and standard deviation are computed.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Individual weights for each sample.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        self._reset()
        return self.partial_fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the mean and standard deviation with one more batch of samples.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The batch.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Individual weights for each sample.

        Returns
        -------
        self : object
            Fitted scaler.
        """
        first_call = not hasattr(self, "n_samples_seen_")
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            dtype=[np.float64, np.float32],
            ensure_all_finite="allow-nan",
            reset=first_call,
        )
        n_features = X.shape[1]
        if sp.issparse(X) and self.with_mean:
            raise ValueError(_SPARSE_CENTER_MSG)
        weights = _weights(sample_weight, X)
        weighted = sample_weight is not None
        count_dtype = X.dtype if weighted else np.int64

        if first_call:
            seen = np.zeros(n_features, dtype=count_dtype)
        else:
            seen = np.asarray(self.n_samples_seen_)
            if seen.ndim == 0:
                seen = np.repeat(seen, n_features)
            seen = seen.astype(count_dtype, copy=False)

        stats = self.with_std or (self.with_mean and not sp.issparse(X))
        if not stats and not sp.issparse(X):
            # scikit-learn counts the non-NaN entries of dense data here, ignoring the weights
            weights = np.empty(0, dtype=np.float64)
        count, mean, m2 = _batch_moments(X, weights)
        if not stats:
            mean_, var_ = None, None
            seen = seen + count.astype(seen.dtype)
        else:
            last_n = seen.astype(np.float64)
            if first_call or getattr(self, "mean_", None) is None:
                last_mean = np.zeros(n_features)
                last_m2 = np.zeros(n_features)
            else:
                last_mean = np.asarray(self.mean_, dtype=np.float64)
                last_var = self.var_ if self.var_ is not None else np.zeros(n_features)
                last_m2 = np.asarray(last_var, dtype=np.float64) * last_n
            seen, mean_, m2_ = kernels("preprocessing").merge_moments(
                np.ascontiguousarray(last_n), last_mean, last_m2, count, mean, m2
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                # a column with no finite value: 0/0 gives NaN, as in scikit-learn
                var_ = m2_ / seen
                mean_ = np.where(seen > 0, mean_, np.nan)
            var_ = var_ if self.with_std else None

        if seen.max() == seen.min():
            seen = seen[0]
        self.n_samples_seen_ = seen
        self.mean_ = mean_
        self.var_ = var_
        if self.with_std:
            constant = _is_constant_feature(self.var_, self.mean_, self.n_samples_seen_)
            scale = np.sqrt(self.var_)
            scale[constant] = 1.0
            self.scale_ = scale
        else:
            self.scale_ = None
        return self

    def _scaled(self, X, copy, inverse):
        k = kernels("preprocessing")
        if sp.issparse(X):
            if self.with_mean:
                raise ValueError(_SPARSE_UNCENTER_MSG if inverse else _SPARSE_CENTER_MSG)
            X = X.copy() if copy else X
            if self.scale_ is not None:
                factor = self.scale_ if inverse else 1.0 / self.scale_
                k.sparse_scale(X.data, X.indices, np.asarray(factor, np.float64), X.data)
            return X
        d = X.shape[1]
        mean = self.mean_ if self.with_mean else np.zeros(d)
        scale = self.scale_ if self.with_std else np.ones(d)
        mean = np.ascontiguousarray(mean, dtype=X.dtype)
        scale = np.ascontiguousarray(scale, dtype=X.dtype)
        out = np.empty_like(X, order="C") if copy else X
        k.dense_scale(X, mean, scale, out, inverse)
        return out

    def transform(self, X, copy=None):
        """Center and scale X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data to scale along the features axis.
        copy : bool, default=None
            Copy the input X or not; None uses ``self.copy``.

        Returns
        -------
        X_tr : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Transformed array.
        """
        check_is_fitted(self)
        copy = copy if copy is not None else self.copy
        X = validate_data(
            self,
            X,
            reset=False,
            accept_sparse="csr",
            copy=False,
            dtype=[np.float64, np.float32],
            force_writeable=not copy,
            ensure_all_finite="allow-nan",
        )
        return self._scaled(X, copy, inverse=False)

    def inverse_transform(self, X, copy=None):
        """Scale back the data to the original representation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Scaled data.
        copy : bool, default=None
            Copy the input X or not; None uses ``self.copy``.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Data in the original units.
        """
        check_is_fitted(self)
        copy = copy if copy is not None else self.copy
        X = check_array(
            X,
            accept_sparse="csr",
            copy=False,
            dtype=[np.float64, np.float32],
            force_writeable=not copy,
            ensure_all_finite="allow-nan",
        )
        return self._scaled(X, copy, inverse=True)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = not self.with_mean
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

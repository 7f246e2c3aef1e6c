"""Field-aware factorization machines (Juan, Zhuang, Chin and Lin, RecSys 2016)."""

from __future__ import annotations

import numpy as np

from ..utils._sklearn_compat import _fit_context
from ._fm import _ATTRIBUTES_DOC, _PARAMS_DOC, _BaseFM, _FMClassifierMixin

__all__ = ["FieldAwareFMClassifier"]

# fields=None gives every column its own field: the table has n_keys * n_fields * k entries
_MAX_AUTO_FIELDS = 256


class FieldAwareFMClassifier(_FMClassifierMixin, _BaseFM):
    __doc__ = (
        """Binary classifier: a field-aware factorization machine (FFM) on the log loss.

    Each feature belongs to a field (e.g. "user", "ad", "site" for click logs) and keeps one
    latent vector per field: the interaction of features ``j`` (field ``F(j)``) and ``l``
    (field ``F(l)``) is ``<v_{j, F(l)}, v_{l, F(j)}>``. This is the model that won the
    Criteo and Avazu click-prediction contests. Binary only.

    Parameters
    ----------
    fields : array-like of int of shape (n_features,), default=None
        Field of each column of ``X`` (0-based). None gives every column its own field
        (at most 256 columns; pass ``fields`` for wider data)."""
        + _PARAMS_DOC.replace("    Parameters\n    ----------\n", "")
        .replace("n_factors : int, default=8", "n_factors : int, default=4")
        .replace("learning_rate : float, default=0.05", "learning_rate : float, default=0.1")
        + """
    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The class labels; ``classes_[1]`` is the positive class.
    n_fields_ : int
        Number of fields.
    factors_ : ndarray of shape (n_keys, `n_fields_`, n_factors)
        ``factors_[i, f]`` is the latent vector of key ``keys_[i]`` towards field ``f``."""
        + _ATTRIBUTES_DOC.replace("(n_keys + 1, 1 + width)", "(n_keys + 1, 1 + n_fields * k)")
        + """
    See Also
    --------
    FactorizationMachineClassifier : One latent vector per feature.
    pai_algos.linear_model.LogisticRegression : The model without interactions.

    Notes
    -----
    The model of Juan et al. [1]_, eq. (3), with a linear part:

    .. math::

        \\hat y(x) = w_0 + \\sum_j w_j x_j
        + \\sum_{j < l} \\langle v_{j, F(l)}, v_{l, F(j)} \\rangle x_j x_l,

    :math:`O(k \\, \\mathrm{nnz}^2)` per row. Trained as libffm does, by AdaGrad (accumulators
    start at 1) with an L2 term ``reg_v * v`` per pair that touches ``v``; unlike libffm the
    rows are not normalised to unit length and the minibatch is ``batch_size`` rows
    (libffm: one row, ``batch_size=1`` here). Input is dense or CSR with the column ids
    as features (each column's field given by ``fields``); features never seen in fit weigh
    0. Each minibatch pulls the rows of its distinct features, computes the gradient against
    them (:func:`pai_algos_native.cpu.fm.ffm_batch_grad`) and pushes it through the optimizer.

    References
    ----------
    .. [1] Juan, Y., Zhuang, Y., Chin, W.-S. and Lin, C.-J., "Field-aware factorization
       machines for CTR prediction", RecSys 2016, 43-50.
    .. [2] Rendle, S., "Factorization machines", IEEE ICDM 2010, 995-1000.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from pai_algos.recommend import FieldAwareFMClassifier
    >>> rng = np.random.RandomState(0)
    >>> user, ad = rng.randint(0, 20, 3000), rng.randint(0, 20, 3000)
    >>> X = sp.csr_matrix((np.ones(6000), np.c_[user, 20 + ad].ravel(),
    ...                    np.arange(0, 6001, 2)), shape=(3000, 40))
    >>> y = ((user % 2) == (ad % 2)).astype(int)  # a user x ad interaction
    >>> fields = np.repeat([0, 1], 20)
    >>> clf = FieldAwareFMClassifier(fields=fields, max_iter=30, random_state=0)
    >>> bool(clf.fit(X, y).score(X, y) > 0.95)
    True
    """
    )

    _parameter_constraints: dict = {
        **_BaseFM._parameter_constraints,
        "fields": ["array-like", None],
    }

    _fast_params = {"max_iter": 30, "learning_rate": 0.2, "n_factors": 2}

    def __init__(
        self,
        fields=None,
        n_factors=4,
        *,
        solver="adagrad",
        learning_rate=0.1,
        reg_w0=0.0,
        reg_w=1e-5,
        reg_v=1e-4,
        init_std=0.1,
        max_iter=20,
        batch_size=32,
        tol=1e-4,
        n_iter_no_change=3,
        fit_intercept=True,
        shuffle=True,
        random_state=None,
        verbose=0,
        warm_start=False,
        n_jobs=None,
    ):
        self.fields = fields
        super().__init__(
            n_factors, solver=solver, learning_rate=learning_rate, reg_w0=reg_w0,
            reg_w=reg_w, reg_v=reg_v, init_std=init_std, max_iter=max_iter,
            batch_size=batch_size, tol=tol, n_iter_no_change=n_iter_no_change,
            fit_intercept=fit_intercept, shuffle=shuffle, random_state=random_state,
            verbose=verbose, warm_start=warm_start, n_jobs=n_jobs,
        )  # fmt: skip

    def _check_fields(self, n_features):
        if self.fields is None:
            if n_features > _MAX_AUTO_FIELDS:
                raise ValueError(
                    f"fields=None gives each of the {n_features} columns its own field "
                    f"(at most {_MAX_AUTO_FIELDS}); pass fields, the field of each column."
                )
            return np.arange(n_features, dtype=np.int64)
        fields = np.asarray(self.fields)
        if fields.ndim != 1 or fields.shape[0] != n_features:
            raise ValueError(
                f"fields must have one entry per column of X: got shape {fields.shape}, "
                f"X has {n_features} features."
            )
        if fields.dtype.kind not in "iu" or (fields.size and fields.min() < 0):
            raise ValueError("fields must hold non-negative integers (the field of each column).")
        return fields.astype(np.int64)

    def _setup(self, X):
        column_fields = self._check_fields(X.shape[1])
        n_fields = int(column_fields.max()) + 1 if column_fields.size else 1
        if self.warm_start and hasattr(self, "n_fields_") and n_fields != self.n_fields_:
            raise ValueError(
                f"warm_start fit got {n_fields} fields, the previous fit had {self.n_fields_}."
            )
        self._column_fields, self._n_fields = column_fields, n_fields

    def _width(self):
        return self._n_fields * int(self.n_factors)

    def _prepare_fields(self, keys):
        field = np.zeros(keys.shape[0] + 1, dtype=np.int64)
        field[1:] = self._column_fields[keys]
        self._row_fields = field
        return field, self._n_fields

    def _run_epoch(self, km, *args):
        return km.ffm_epoch(*args)

    def _scores(self, data, indices, indptr, out):
        from pai_algos_native import kernels

        kernels("fm", "cpu").ffm_predict(
            data, indices, indptr, self._row_fields, self.n_fields_, self.table_,
            bool(self.fit_intercept), out,
        )  # fmt: skip

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Learn the field-aware factorization machine.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features; columns are features, ``fields`` gives each one's field.
        y : array-like of shape (n_samples,)
            Two class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative row weights (scale each row's loss).

        Returns
        -------
        self : FieldAwareFMClassifier
            The fitted estimator.
        """
        self._fit_classifier(X, y, sample_weight)
        self.n_fields_ = self._n_fields
        self.factors_ = self.table_[1:, 1:].reshape(-1, self.n_fields_, int(self.n_factors))
        return self

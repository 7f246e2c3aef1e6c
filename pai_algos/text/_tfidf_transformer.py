"""TfidfTransformer: re-weight a count matrix by inverse document frequency."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import StrOptions, _fit_context, validate_data
from . import _engine as eng


def tfidf_weights(X, smooth_idf):
    """The idf vector of a CSR/CSC count matrix, in X's floating dtype (float64 otherwise)."""
    dtype = X.dtype if X.dtype in (np.float64, np.float32) else np.float64
    n_samples, n_features = X.shape
    if X.format == "csr":
        df = np.bincount(X.indices, minlength=n_features)
    else:
        df = np.diff(X.indptr)
    df = df.astype(dtype, copy=False)
    df += float(smooth_idf)
    n_samples += int(smooth_idf)
    idf = np.full_like(df, fill_value=n_samples, dtype=dtype)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    return idf


def apply_tfidf(X, idf, sublinear_tf, norm):
    """Tf-idf in place on a CSR matrix: sublinear tf, idf weights, row normalization."""
    if sublinear_tf:  # NumPy's log: bit-identical to scikit-learn's
        np.log(X.data, X.data)
        X.data += 1.0
    if idf is None and norm is None:
        return X
    # idf keeps its dtype: a float64 idf times float32 data rounds once, as NumPy's does
    scale = np.empty(0, dtype=X.dtype) if idf is None else idf
    code = {None: 0, "l1": 1, "l2": 2}[norm]
    eng._k().csr_idf_normalize(X.indptr, X.indices, X.data, scale, code)
    return X


class TfidfTransformer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Transform a count matrix to a normalized tf or tf-idf representation.

    Same parameters and results as scikit-learn's ``TfidfTransformer``; the row
    normalization runs in our kernel, rows in parallel.

    Parameters
    ----------
    norm : {"l1", "l2"} or None, default="l2"
        Each output row has unit norm (``None``: no normalization).
    use_idf : bool, default=True
        Enable inverse-document-frequency reweighting.
    smooth_idf : bool, default=True
        Add one to document frequencies, as if an extra document contained every term once.
    sublinear_tf : bool, default=False
        Replace tf with ``1 + log(tf)``.

    Attributes
    ----------
    idf_ : ndarray of shape (`n_features_in_`,)
        The inverse document frequency vector (when ``use_idf``).
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    TfidfVectorizer : CountVectorizer and TfidfTransformer in one.
    sklearn.feature_extraction.text.TfidfTransformer : The reference implementation.

    Notes
    -----
    With ``smooth_idf=True``, :math:`\\mathrm{idf}(t) = \\ln\\frac{1 + n}{1 + \\mathrm{df}(t)} + 1`,
    otherwise :math:`\\ln\\frac{n}{\\mathrm{df}(t)} + 1` (Manning, Raghavan & Schütze [1]_,
    sec. 6.2, with the ``+ 1`` of scikit-learn so that terms in every document are kept).

    References
    ----------
    .. [1] Manning, C. D., Raghavan, P. and Schütze, H. (2008). Introduction to Information
       Retrieval. Cambridge University Press.

    Examples
    --------
    >>> import numpy as np
    >>> from pai_algos.text import TfidfTransformer
    >>> counts = np.array([[3, 0, 1], [2, 0, 0], [3, 0, 0], [4, 0, 0]])
    >>> tfidf = TfidfTransformer().fit(counts)
    >>> np.round(tfidf.idf_, 4)
    array([1.    , 2.6094, 1.9163])
    >>> np.round(tfidf.transform(counts).toarray()[0], 4)
    array([0.8427, 0.    , 0.5383])
    """

    _preserves_float32 = True

    _parameter_constraints: dict = {
        "norm": [StrOptions({"l1", "l2"}), None],
        "use_idf": ["boolean"],
        "smooth_idf": ["boolean"],
        "sublinear_tf": ["boolean"],
    }

    def __init__(self, *, norm="l2", use_idf=True, smooth_idf=True, sublinear_tf=False):
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the idf vector (global term weights).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A matrix of term counts.
        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        X = validate_data(self, X, accept_sparse=("csr", "csc"))
        if not sp.issparse(X):
            X = sp.csr_matrix(X)
        if self.use_idf:
            self.idf_ = tfidf_weights(X, self.smooth_idf)
        return self

    def transform(self, X, copy=True):
        """Transform a count matrix to a tf or tf-idf representation.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A matrix of term counts.
        copy : bool, default=True
            Work on a copy of X (``False`` works in place on a CSR float matrix).

        Returns
        -------
        vectors : sparse matrix of shape (n_samples, n_features)
            Tf-idf-weighted document-term matrix.
        """
        check_is_fitted(self)
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], copy=copy, reset=False
        )
        if not sp.issparse(X):
            X = sp.csr_matrix(X, dtype=X.dtype)
        with eng.threads_for(X.shape[0]):
            X = apply_tfidf(X, getattr(self, "idf_", None), self.sublinear_tf, self.norm)
        return eng.sparse_interface(X)

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": est.transform(X).toarray()}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

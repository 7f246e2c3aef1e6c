"""What every linear classifier shares: scores from ``coef_`` / ``intercept_`` and labels."""

from __future__ import annotations

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import validate_data

__all__: list[str] = []


class _LinearClassifierMixin:
    """``decision_function`` and ``predict`` from ``coef_`` (n_outputs, n_features).

    Binary models keep one row of ``coef_``: a positive score means ``classes_[1]``.
    """

    def decision_function(self, X):
        """Scores: one per sample for two classes, one per class otherwise.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
        coef = self.coef_.astype(X.dtype, copy=False)
        scores = np.asarray(X @ coef.T) + self.intercept_.astype(X.dtype, copy=False)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predicted class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

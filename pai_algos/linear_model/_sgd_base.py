"""Shared machinery of the SGD estimators: parameters, the one-vs-all driver, prediction.

The numerical core is :func:`pai_algos_native.cpu.linear_sgd.plain_sgd`; this module turns
estimator parameters into its arguments, draws the seeds as scikit-learn does (so that the
same ``random_state`` visits the rows in the same order), splits off the early-stopping
validation set and fits the one-vs-all problems of a multiclass classifier on threads (the
epoch kernels release the GIL).
"""

from __future__ import annotations

import warnings
from concurrent.futures import ThreadPoolExecutor
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from pai_algos_native.cpu import linear_sgd as _k

from ..base import History, _effective_threads, progress_bar
from ..utils._sklearn_compat import (
    Interval,
    StrOptions,
    _check_partial_fit_first_call,
    _check_sample_weight,
    validate_data,
)
from ._linear_classifier import _LinearClassifierMixin
from ._sgd_ps import check_ps_params, run_sgd_ps

__all__ = ["BaseSGDClassifier", "BaseSGDRegressor"]

MAX_INT = np.iinfo(np.int32).max
DEFAULT_EPSILON = 0.1
# scikit-learn damps the intercept steps on sparse data to avoid oscillation
SPARSE_INTERCEPT_DECAY = 0.01


def _draw_seed(random_state):
    """The shuffling seed scikit-learn's ``fit_binary`` draws (after ``make_dataset``'s)."""
    rng = check_random_state(random_state)
    rng.randint(1, MAX_INT)
    return int(rng.randint(MAX_INT))


def _kernel_input(X):
    if sp.issparse(X):
        return (X.data, X.indices, X.indptr), _k.row_sq_norms_csr(X.data, X.indptr)
    return X, _k.row_sq_norms(X)


class _BaseSGD(BaseEstimator):
    """Parameters and checks common to every SGD estimator."""

    _parameter_constraints: dict = {
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "average": [Interval(Integral, 0, None, closed="neither"), "boolean"],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "penalty": [StrOptions({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both"), None],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="left")],
        "learning_rate": [
            StrOptions({"constant", "optimal", "invscaling", "adaptive", "pa1", "pa2"})
        ],
        "ps": "no_validation",
    }

    # the kernel's loss, learning rate and alpha; PassiveAggressiveClassifier overrides them
    def _sgd_loss(self):
        return self.loss

    def _sgd_learning_rate(self):
        return self.learning_rate

    def _sgd_penalty(self):
        return self.penalty

    def _sgd_alpha(self):
        return float(self.alpha)

    def _more_validate_params(self, for_partial_fit=False):
        if getattr(self, "ps", None) is not None:
            check_ps_params(self)
        if self.early_stopping and for_partial_fit:
            raise ValueError("early_stopping should be False with partial_fit")
        lr = self._sgd_learning_rate()
        if lr == "optimal" and self._sgd_alpha() == 0:
            raise ValueError(
                "alpha must be > 0 since learning_rate is 'optimal'. alpha is used to "
                "compute the optimal learning rate."
            )
        if lr in ("pa1", "pa2"):
            needed = "hinge" if isinstance(self, ClassifierMixin) else "epsilon_insensitive"
            if self._sgd_loss() != needed:
                raise ValueError(f"Learning rate '{lr}' only works with loss '{needed}'.")
        if self.penalty == "elasticnet" and self.l1_ratio is None:
            raise ValueError("l1_ratio must be set when penalty is 'elasticnet'")

    def _loss_param(self, loss):
        if loss == "perceptron":
            return "hinge", 0.0
        if loss in ("hinge", "squared_hinge"):
            return loss, 1.0
        if loss in ("huber", "epsilon_insensitive", "squared_epsilon_insensitive"):
            return loss, float(self.epsilon)
        return loss, 0.0

    def _validation_mask(self, y, sample_mask):
        n_samples = y.shape[0]
        mask = np.zeros(n_samples, dtype=bool)
        if not self.early_stopping:
            return mask
        splitter = StratifiedShuffleSplit if isinstance(self, ClassifierMixin) else ShuffleSplit
        cv = splitter(test_size=self.validation_fraction, random_state=self.random_state)
        idx_train, idx_val = next(cv.split(np.zeros((n_samples, 1)), y))
        if not np.any(sample_mask[idx_val]):
            raise ValueError(
                "The sample weights for validation set are all zero, consider using a "
                "different random state."
            )
        if idx_train.shape[0] == 0 or idx_val.shape[0] == 0:
            raise ValueError(
                f"Splitting {n_samples} samples into a train set and a validation set with "
                f"validation_fraction={self.validation_fraction!r} led to an empty set "
                f"({idx_train.shape[0]} and {idx_val.shape[0]} samples). Please either change "
                "validation_fraction, increase number of samples, or disable early_stopping."
            )
        mask[idx_val] = True
        return mask

    def _run(self, Xk, row_sq, y, sw, w, aw, intercept, avg_intercept, *, max_iter, seed,
             weight_pos, weight_neg, intercept_decay, index, score_fn, on_epoch):  # fmt: skip
        """Run the epoch loop on one binary (or regression) problem; returns the new state."""
        if getattr(self, "ps", None) is not None:
            b, n_iter = run_sgd_ps(
                self, Xk, y, sw, w, intercept, max_iter=max_iter, seed=seed,
                weight_pos=weight_pos, weight_neg=weight_neg, index=index, on_epoch=on_epoch,
            )  # fmt: skip
            return b, avg_intercept, n_iter
        loss, loss_param = self._loss_param(self._sgd_loss())
        penalty = self._sgd_penalty()
        state = np.array([self.t_, 0.0, intercept, avg_intercept, 0.0])
        n_iter = _k.plain_sgd(
            Xk, y, sw, index.copy(), w, aw, state,
            loss=loss, loss_param=loss_param, penalty=penalty, alpha=self._sgd_alpha(),
            l1_ratio=0.0 if self.l1_ratio is None else float(self.l1_ratio),
            max_iter=max_iter, tol=self.tol, n_iter_no_change=int(self.n_iter_no_change),
            fit_intercept=self.fit_intercept, shuffle=self.shuffle, seed=seed,
            weight_pos=weight_pos, weight_neg=weight_neg,
            learning_rate=self._sgd_learning_rate(), eta0=float(self.eta0),
            power_t=float(self.power_t), intercept_decay=intercept_decay,
            average=int(self.average), validation_score=score_fn, on_epoch=on_epoch,
            row_sq=row_sq,
        )  # fmt: skip
        return state[2], state[3], n_iter

    def _warn_max_iter(self, max_iter):
        if self.tol is not None and self.n_iter_ == max_iter:
            warnings.warn(
                "Maximum number of iteration reached before convergence. Consider "
                "increasing max_iter to improve the fit.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _set_public_coef(self, n_rows):
        """``coef_``/``intercept_``: the averaged weights once averaging has started."""
        if self.average and self.average <= self.t_ - 1.0:
            coef, intercept = self._average_coef, self._average_intercept
        else:
            coef, intercept = self._standard_coef, self._standard_intercept
        self.coef_ = coef.copy() if n_rows else coef.ravel().copy()
        self.intercept_ = intercept.copy()


class BaseSGDClassifier(_LinearClassifierMixin, ClassifierMixin, _BaseSGD):
    """One-vs-all SGD classification (binary problems on labels {-1, 1}, or {0, 1} for
    the log loss)."""

    _parameter_constraints: dict = {
        **_BaseSGD._parameter_constraints,
        "loss": [
            StrOptions(
                {
                    "hinge",
                    "squared_hinge",
                    "perceptron",
                    "log_loss",
                    "modified_huber",
                    "squared_error",
                    "huber",
                    "epsilon_insensitive",
                    "squared_epsilon_insensitive",
                }  # fmt: skip
            )
        ],
        "n_jobs": [Integral, None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def _fit(self, X, y, sample_weight, coef_init, intercept_init):
        if self.warm_start and hasattr(self, "_standard_coef"):
            coef_init = self._standard_coef if coef_init is None else coef_init
            if intercept_init is None:
                intercept_init = self._standard_intercept
        self.t_ = 1.0
        self._partial_fit(
            X, y, None, sample_weight, self.max_iter, coef_init, intercept_init, reset=True
        )
        self._warn_max_iter(self.max_iter)
        return self

    def _partial_fit(self, X, y, classes, sample_weight, max_iter, coef_init, intercept_init,
                     reset):  # fmt: skip
        first_call = reset or not hasattr(self, "classes_")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            accept_large_sparse=False,
            reset=first_call,
        )
        check_classification_targets(y)
        if reset:
            classes = np.unique(y)
            if hasattr(self, "classes_"):
                delattr(self, "classes_")
        _check_partial_fit_first_call(self, classes)
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y contains labels {unseen.tolist()} that are not in classes "
                f"{self.classes_.tolist()} (pass every label in `classes` on the first call "
                "to partial_fit)."
            )
        n_classes = self.classes_.shape[0]
        if n_classes < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got {n_classes} class"
            )
        class_weight = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, allow_all_zero_weights=self.early_stopping
        )
        n_rows = 1 if n_classes == 2 else n_classes
        n_features = X.shape[1]
        if not hasattr(self, "_standard_coef") or first_call or coef_init is not None:
            coef = np.zeros((n_rows, n_features), dtype=X.dtype)
            intercept = np.zeros(n_rows, dtype=X.dtype)
            if coef_init is not None:
                coef_init = np.asarray(coef_init, dtype=X.dtype)
                if coef_init.size != coef.size:
                    raise ValueError("Provided coef_init does not match dataset.")
                coef[:] = coef_init.reshape(coef.shape)
            if intercept_init is not None:
                intercept_init = np.asarray(intercept_init, dtype=X.dtype).ravel()
                if intercept_init.shape != (n_rows,):
                    raise ValueError("Provided intercept_init does not match dataset.")
                intercept[:] = intercept_init
            self._standard_coef, self._standard_intercept = coef, intercept
            self._average_coef = np.zeros_like(coef)
            self._average_intercept = np.zeros_like(intercept)
        elif n_features != self._standard_coef.shape[1]:
            raise ValueError(
                f"Number of features {n_features} does not match previous data "
                f"{self._standard_coef.shape[1]}."
            )
        if self._standard_coef.dtype != X.dtype:
            for name in ("_standard_coef", "_standard_intercept", "_average_coef",
                         "_average_intercept"):  # fmt: skip
                setattr(self, name, getattr(self, name).astype(X.dtype))
        if not hasattr(self, "t_"):
            self.t_ = 1.0
        if sp.issparse(X):
            intercept_decay = SPARSE_INTERCEPT_DECAY
        else:
            intercept_decay = 1.0
        Xk, row_sq = _kernel_input(X)
        val_mask = self._validation_mask(y, sample_weight > 0)
        index = np.flatnonzero(~val_mask).astype(np.int64)
        if n_classes == 2:
            seeds = [_draw_seed(self.random_state)]
            weights = [(class_weight[1], class_weight[0])]
        else:
            rng = check_random_state(self.random_state)
            seeds = [_draw_seed(int(s)) for s in rng.randint(MAX_INT, size=n_classes)]
            weights = [(class_weight[i], 1.0) for i in range(n_classes)]
        label_encode = self._sgd_loss() == "log_loss"
        histories = [[] for _ in range(n_rows)]
        hist = History()
        bar = progress_bar(total=max_iter * n_rows, desc=type(self).__name__, verbose=self.verbose)

        def fit_one(k):
            positive = self.classes_[1] if n_rows == 1 else self.classes_[k]
            y_k = np.where(y == positive, 1.0, 0.0 if label_encode else -1.0)
            score_fn = None
            if self.early_stopping:
                Xv, yv, sv = X[val_mask], y_k[val_mask] > 0, sample_weight[val_mask]

                def score_fn(w, b):
                    pred = (np.asarray(Xv @ w).ravel() + b) > 0
                    return float(np.average(pred == yv, weights=sv))

            def on_epoch(epoch, objective):
                histories[k].append(objective)
                if n_rows == 1:
                    hist.record(loss=objective)
                bar.update(1)

            b, ab, n_iter = self._run(
                Xk, row_sq, y_k, sample_weight, self._standard_coef[k],
                self._average_coef[k] if self.average else None,
                float(self._standard_intercept[k]), float(self._average_intercept[k]),
                max_iter=max_iter, seed=seeds[k], weight_pos=weights[k][0],
                weight_neg=weights[k][1], intercept_decay=intercept_decay, index=index,
                score_fn=score_fn, on_epoch=on_epoch,
            )  # fmt: skip
            self._standard_intercept[k] = b
            self._average_intercept[k] = ab
            return n_iter

        with bar:
            n_threads = min(n_rows, _effective_threads(self.n_jobs))
            if n_threads > 1:
                with ThreadPoolExecutor(n_threads) as pool:
                    n_iters = list(pool.map(fit_one, range(n_rows)))
            else:
                n_iters = [fit_one(k) for k in range(n_rows)]
        self.n_iter_ = int(max(n_iters))
        self.t_ += self.n_iter_ * X.shape[0]
        self._set_public_coef(n_rows=True)
        if n_rows > 1:
            for e in range(self.n_iter_):
                hist.record(loss=np.mean([h[min(e, len(h) - 1)] for h in histories]))
        self.history_ = hist.as_dict()
        return self

    def _proba(self, X, loss):
        scores = self.decision_function(X)
        if loss == "log_loss":
            prob = expit(scores)
        else:
            prob = (np.clip(scores, -1, 1) + 1.0) / 2.0
        if prob.ndim == 1:
            return np.column_stack([1 - prob, prob])
        # one-vs-all normalisation (Zadrozny and Elkan, 2002)
        total = prob.sum(axis=1)
        zero = total == 0
        prob[zero, :] = 1
        total[zero] = prob.shape[1]
        return prob / total[:, None]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class BaseSGDRegressor(RegressorMixin, _BaseSGD):
    """SGD regression on one target."""

    _parameter_constraints: dict = {
        **_BaseSGD._parameter_constraints,
        "loss": [
            StrOptions(
                {"squared_error", "huber", "epsilon_insensitive", "squared_epsilon_insensitive"}
            )
        ],
    }

    def _fit(self, X, y, sample_weight, coef_init, intercept_init):
        if self.warm_start and hasattr(self, "_standard_coef"):
            coef_init = self._standard_coef if coef_init is None else coef_init
            if intercept_init is None:
                intercept_init = self._standard_intercept
        elif hasattr(self, "_standard_coef"):
            del self._standard_coef
        self.t_ = 1.0
        self._partial_fit(X, y, sample_weight, self.max_iter, coef_init, intercept_init, True)
        self._warn_max_iter(self.max_iter)
        return self

    def _partial_fit(self, X, y, sample_weight, max_iter, coef_init, intercept_init, reset):
        first_call = reset or not hasattr(self, "_standard_coef")
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse="csr",
            dtype=[np.float64, np.float32],
            order="C",
            accept_large_sparse=False,
            reset=first_call,
            y_numeric=True,
        )
        y = np.ascontiguousarray(y, dtype=np.float64)
        sample_weight = _check_sample_weight(
            sample_weight, X, dtype=np.float64, allow_all_zero_weights=self.early_stopping
        )
        n_features = X.shape[1]
        if first_call:
            coef = np.zeros(n_features, dtype=X.dtype)
            intercept = np.zeros(1, dtype=X.dtype)
            if coef_init is not None:
                coef_init = np.asarray(coef_init, dtype=X.dtype).ravel()
                if coef_init.shape != (n_features,):
                    raise ValueError("Provided coef_init does not match dataset.")
                coef[:] = coef_init
            if intercept_init is not None:
                intercept_init = np.asarray(intercept_init, dtype=X.dtype).ravel()
                if intercept_init.shape != (1,):
                    raise ValueError("Provided intercept_init does not match dataset.")
                intercept[:] = intercept_init
            self._standard_coef, self._standard_intercept = coef, intercept
            self._average_coef = np.zeros_like(coef)
            self._average_intercept = np.zeros_like(intercept)
        elif n_features != self._standard_coef.shape[0]:
            raise ValueError(
                f"Number of features {n_features} does not match previous data "
                f"{self._standard_coef.shape[0]}."
            )
        if self._standard_coef.dtype != X.dtype:
            for name in ("_standard_coef", "_standard_intercept", "_average_coef",
                         "_average_intercept"):  # fmt: skip
                setattr(self, name, getattr(self, name).astype(X.dtype))
        if not hasattr(self, "t_"):
            self.t_ = 1.0
        intercept_decay = SPARSE_INTERCEPT_DECAY if sp.issparse(X) else 1.0
        Xk, row_sq = _kernel_input(X)
        val_mask = self._validation_mask(y, sample_weight > 0)
        index = np.flatnonzero(~val_mask).astype(np.int64)
        score_fn = None
        if self.early_stopping:
            Xv, yv, sv = X[val_mask], y[val_mask], sample_weight[val_mask]

            def score_fn(w, b):
                return r2_score(yv, np.asarray(Xv @ w).ravel() + b, sample_weight=sv)

        hist = History()
        with progress_bar(total=max_iter, desc=type(self).__name__, verbose=self.verbose) as bar:

            def on_epoch(epoch, objective):
                hist.record(loss=objective)
                bar.update(1)

            b, ab, n_iter = self._run(
                Xk, row_sq, y, sample_weight, self._standard_coef,
                self._average_coef if self.average else None,
                float(self._standard_intercept[0]), float(self._average_intercept[0]),
                max_iter=max_iter, seed=_draw_seed_regressor(self.random_state),
                weight_pos=1.0, weight_neg=1.0, intercept_decay=intercept_decay, index=index,
                score_fn=score_fn, on_epoch=on_epoch,
            )  # fmt: skip
        self._standard_intercept[0] = b
        self._average_intercept[0] = ab
        self.n_iter_ = int(n_iter)
        self.t_ += self.n_iter_ * X.shape[0]
        self._set_public_coef(n_rows=False)
        self.history_ = hist.as_dict()
        return self

    def predict(self, X):
        """Predicted target values.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False)
        coef = self.coef_.astype(X.dtype, copy=False)
        return np.asarray(X @ coef).ravel() + self.intercept_.astype(X.dtype, copy=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _draw_seed_regressor(random_state):
    # scikit-learn's _fit_regressor draws the shuffling seed before make_dataset's
    rng = check_random_state(random_state)
    return int(rng.randint(0, MAX_INT))

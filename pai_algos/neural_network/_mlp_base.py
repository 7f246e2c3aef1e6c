"""The training engine shared by MLPClassifier and MLPRegressor.

The parameters live in one packed vector (all weight matrices, then all bias vectors, the
layout of scikit-learn's ``_pack``); ``coefs_`` and ``intercepts_`` are views into it, and the
gradient has the same layout, so that an optimizer step is one kernel over one vector. A
mini-batch reuses preallocated buffers: the matrix products write into them through NumPy's
BLAS (``np.dot(..., out=)``) and the kernels of :mod:`pai_algos_native.cpu.mlp` do the
elementwise work in place.
"""

from __future__ import annotations

import warnings
from itertools import pairwise
from numbers import Integral, Real

import numpy as np
import scipy.optimize
import scipy.sparse as sp
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state

from pai_algos_native import kernels

from ..base import History, progress_bar
from ..utils._sklearn_compat import Interval, Options, StrOptions, _check_sample_weight

_STOCHASTIC_SOLVERS = ("sgd", "adam")
# log-loss probabilities are clipped to [eps, 1 - eps] of the working dtype, as in sklearn
_EPS = {np.float32: float(np.finfo(np.float32).eps), np.float64: float(np.finfo(np.float64).eps)}


def _layer_views(packed, layer_units):
    """``coefs_`` and ``intercepts_`` as views of the packed vector (weights first)."""
    coefs, intercepts, start = [], [], 0
    for fan_in, fan_out in pairwise(layer_units):
        coefs.append(packed[start : start + fan_in * fan_out].reshape(fan_in, fan_out))
        start += fan_in * fan_out
    for fan_out in layer_units[1:]:
        intercepts.append(packed[start : start + fan_out])
        start += fan_out
    return coefs, intercepts


class _Optimizer:
    """State of the stochastic solvers (scikit-learn's SGDOptimizer / AdamOptimizer).

    The moments are flat vectors in the packed layout; the step itself is a kernel.
    """

    def __init__(self, est, n_params, dtype):
        self.solver = est.solver
        self.learning_rate_init = float(est.learning_rate_init)
        self.learning_rate = float(est.learning_rate_init)
        self.lr_schedule = est.learning_rate
        self.power_t = est.power_t
        self.momentum = float(est.momentum)
        self.nesterov = bool(est.nesterovs_momentum)
        self.beta_1, self.beta_2, self.epsilon = est.beta_1, est.beta_2, est.epsilon
        self.t = 0
        self.first = np.zeros(n_params, dtype=dtype)  # velocities (sgd) or m (adam)
        self.second = np.zeros(n_params, dtype=dtype) if est.solver == "adam" else None

    def step(self, k, params, grads, n_coef, alpha, inv_sw):
        """Apply one update; returns the squared norm of the weights before it."""
        if self.first.dtype != params.dtype:
            self.first = self.first.astype(params.dtype)
            if self.second is not None:
                self.second = self.second.astype(params.dtype)
        if self.solver == "adam":
            self.t += 1
            self.learning_rate = (
                self.learning_rate_init
                * np.sqrt(1 - self.beta_2**self.t)
                / (1 - self.beta_1**self.t)
            )
            return k.adam_step(
                params, grads, self.first, self.second, n_coef, alpha, inv_sw,
                self.learning_rate, self.beta_1, self.beta_2, self.epsilon,
            )  # fmt: skip
        return k.sgd_step(params, grads, self.first, n_coef, alpha, inv_sw,
                          self.learning_rate, self.momentum, self.nesterov)  # fmt: skip

    def iteration_ends(self, time_step):
        if self.solver == "sgd" and self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t

    def trigger_stopping(self):
        """Whether to stop after ``n_iter_no_change`` epochs without improvement."""
        if self.solver == "adam" or self.lr_schedule != "adaptive":
            return True
        if self.learning_rate <= 1e-6:
            return True
        self.learning_rate /= 5.0
        return False


class _Buffers:
    """Per-layer activation and error buffers for mini-batches of up to ``rows`` rows."""

    def __init__(self, rows, layer_units, dtype, n_features, dense_input):
        self.rows = rows
        self.acts = [np.empty((rows, u), dtype=dtype) for u in layer_units[1:]]
        self.deltas = [np.empty((rows, u), dtype=dtype) for u in layer_units[1:-1]]
        self.x = np.empty((rows, n_features), dtype=dtype) if dense_input else None
        self.y = np.empty((rows, layer_units[-1]), dtype=dtype)


class BaseMultilayerPerceptron(BaseEstimator):
    """Shared fit/partial_fit/forward code of the MLP estimators (do not use directly)."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

    # ---------------------------------------------------------------- set-up

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        sizes = list(sizes) if hasattr(sizes, "__iter__") else [sizes]
        if np.any(np.array(sizes) <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _out_activation(self):
        if not is_classifier(self):
            return "exp" if getattr(self, "loss", "squared_error") == "poisson" else "identity"
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _initialize(self, layer_units, dtype):
        """Glorot-uniform weights and biases, drawn as scikit-learn draws them."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._out_activation()
        factor = 2.0 if self.activation == "logistic" else 6.0
        coefs, intercepts = [], []
        for fan_in, fan_out in pairwise(layer_units):
            bound = np.sqrt(factor / (fan_in + fan_out))
            coefs.append(self._random_state.uniform(-bound, bound, (fan_in, fan_out)))
            intercepts.append(self._random_state.uniform(-bound, bound, fan_out))
        self._pack(coefs, intercepts, dtype)
        self._optimizer = None
        self._history = History()
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _pack(self, coefs, intercepts, dtype):
        packed = np.concatenate([np.ravel(a) for a in list(coefs) + list(intercepts)])
        self._packed = packed.astype(dtype, copy=False)
        units = [coefs[0].shape[0]] + [c.shape[1] for c in coefs]
        self.coefs_, self.intercepts_ = _layer_views(self._packed, units)

    def _ensure_packed(self, dtype):
        """Re-pack when ``coefs_`` no longer view the packed vector (unpickled, set by hand)."""
        packed = getattr(self, "_packed", None)
        if (
            packed is None
            or packed.dtype != dtype
            or any(a.base is not packed for a in self.coefs_ + self.intercepts_)
        ):
            self._pack(self.coefs_, self.intercepts_, dtype)

    def __getstate__(self):
        state = super().__getstate__()
        state.pop("_packed", None)  # the views in coefs_ / intercepts_ carry the values
        return state

    # ---------------------------------------------------------------- fit

    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        Y = np.ascontiguousarray(y.reshape(len(y), -1), dtype=X.dtype)
        if sp.issparse(X):
            X = X.tocsr()
        else:
            X = np.ascontiguousarray(X)
        self.n_outputs_ = Y.shape[1]
        layer_units = [X.shape[1]] + hidden + [self.n_outputs_]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(layer_units, X.dtype)
        else:
            self._ensure_packed(X.dtype)
        k = kernels("mlp", "cpu")
        if self.solver in _STOCHASTIC_SOLVERS:
            self._fit_stochastic(k, X, Y, sample_weight, layer_units, incremental)
        else:
            self._fit_lbfgs(k, X, Y, sample_weight, layer_units)
        if not np.isfinite(self._packed).all():
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        self.history_ = self._history.as_dict()
        return self

    def _backprop(self, k, Xb, Yb, swb, m, buf, grads, grad_coefs, grad_intercepts):
        """Forward and backward pass over ``m`` rows; fills the raw gradient, returns the
        weighted loss sum."""
        act = k.ACTIVATIONS[self.activation]
        n_hidden = self.n_layers_ - 2
        A = Xb
        for i, W in enumerate(self.coefs_):
            Z = buf.acts[i][:m]
            if i == 0 and sp.issparse(Xb):
                Z[...] = Xb @ W
            else:
                np.dot(A, W, out=Z)
            if i < n_hidden:
                k.bias_activation(Z, self.intercepts_[i], act)
            A = Z
        eps = _EPS[A.dtype.type]
        out = k.OUTPUTS[self.out_activation_]
        loss = k.output_delta(A, self.intercepts_[-1], Yb, swb, out, eps, grad_intercepts[-1])
        D = A
        for i in range(n_hidden, -1, -1):
            A_in = Xb if i == 0 else buf.acts[i - 1][:m]
            if i == 0 and sp.issparse(Xb):
                grad_coefs[0][...] = Xb.T @ D
            else:
                np.dot(A_in.T, D, out=grad_coefs[i])
            if i > 0:
                D_prev = buf.deltas[i - 1][:m]
                np.dot(D, self.coefs_[i].T, out=D_prev)
                k.hidden_delta(D_prev, A_in, act, grad_intercepts[i - 1])
                D = D_prev
        return loss

    def _n_coef(self):
        return sum(c.size for c in self.coefs_)

    def _fit_lbfgs(self, k, X, Y, sample_weight, layer_units):
        n = X.shape[0]
        buf = _Buffers(n, layer_units, X.dtype, X.shape[1], dense_input=False)
        grads = np.empty_like(self._packed)
        grad_coefs, grad_intercepts = _layer_views(grads, layer_units)
        sw = np.empty(0, X.dtype) if sample_weight is None else sample_weight
        sw_sum = float(n if sample_weight is None else sample_weight.sum())
        n_coef = self._n_coef()
        last = {"loss": np.nan}

        def loss_grad(x):
            self._packed[:] = x
            loss = self._backprop(k, X, Y, sw, n, buf, grads, grad_coefs, grad_intercepts)
            sq = k.finish_grad(self._packed, grads, n_coef, self.alpha, 1.0 / sw_sum)
            last["loss"] = (loss + 0.5 * self.alpha * sq) / sw_sum
            return last["loss"], grads.astype(np.float64)

        bar = progress_bar(total=self.max_iter, desc=type(self).__name__, verbose=self.verbose)

        def callback(intermediate_result):
            self._history.record(loss=intermediate_result.fun)
            bar.update(1)
            bar.set_postfix(loss=f"{intermediate_result.fun:.6g}")

        with bar:
            res = scipy.optimize.minimize(
                loss_grad,
                self._packed.astype(np.float64),
                method="L-BFGS-B",
                jac=True,
                callback=callback,
                options={"maxfun": self.max_fun, "maxiter": self.max_iter, "gtol": self.tol},
            )
        if res.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {res.nit} iteration(s) (status={res.status}):"
                f"\n{res.message}\n\nIncrease the number of iterations to improve the "
                "convergence (max_iter or max_fun).",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.n_iter_ = min(int(res.nit), self.max_iter)
        self.loss_ = float(res.fun)
        self._packed[:] = res.x

    def _split_validation(self, X, Y, sample_weight):
        stratify = Y if is_classifier(self) and self.n_outputs_ == 1 else None
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(
            *arrays,
            random_state=self._random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        X_tr, X_val, Y_tr, Y_val = parts[:4]
        sw_tr, sw_val = (parts[4], parts[5]) if sample_weight is not None else (None, None)
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size "
                "of your dataset."
            )
        y_val = self._validation_targets(Y_val)
        if not sp.issparse(X_tr):
            X_tr = np.ascontiguousarray(X_tr)
        return X_tr, np.ascontiguousarray(Y_tr), sw_tr, X_val, y_val, sw_val

    def _fit_stochastic(self, k, X, Y, sample_weight, layer_units, incremental):
        if not incremental or self._optimizer is None:
            self._optimizer = _Optimizer(self, self._packed.size, self._packed.dtype)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        if early_stopping:
            X_tr, Y_tr, sw_tr, X_val, y_val, sw_val = self._split_validation(X, Y, sample_weight)
        else:
            X_tr, Y_tr, sw_tr = X, Y, sample_weight
            X_val = y_val = sw_val = None
        n = X_tr.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n)
        else:
            if self.batch_size > n:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. It is going "
                    "to be clipped",
                    stacklevel=3,
                )
            batch_size = int(np.clip(self.batch_size, 1, n))
        dense = not sp.issparse(X_tr)
        buf = _Buffers(batch_size, layer_units, X_tr.dtype, X_tr.shape[1], dense)
        grads = np.empty_like(self._packed)
        grad_coefs, grad_intercepts = _layer_views(grads, layer_units)
        no_weight = np.empty(0, X_tr.dtype)
        n_coef = self._n_coef()
        sample_idx = np.arange(n)
        max_iter = 1 if incremental else self.max_iter
        bar = progress_bar(total=max_iter, desc=type(self).__name__, verbose=self.verbose)
        try:
            with bar:
                self._epochs(
                    k, X_tr, Y_tr, sw_tr, X_val, y_val, sw_val, buf, grads, grad_coefs,
                    grad_intercepts, no_weight, n_coef, sample_idx, batch_size, incremental,
                    bar,
                )  # fmt: skip
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=3)
        if early_stopping:
            self._packed[:] = self._best_packed

    def _epochs(self, k, X_tr, Y_tr, sw_tr, X_val, y_val, sw_val, buf, grads, grad_coefs,
                grad_intercepts, no_weight, n_coef, sample_idx, batch_size, incremental,
                bar):  # fmt: skip
        n = X_tr.shape[0]
        dense = buf.x is not None
        opt = self._optimizer
        for _ in range(self.max_iter):
            if self.shuffle:
                # sklearn.utils.shuffle's draw, so the same random_state visits the same rows
                order = np.arange(n)
                self._random_state.shuffle(order)
                sample_idx = sample_idx[order]
            accumulated = 0.0
            for start in range(0, n, batch_size):
                stop = min(n, start + batch_size)
                m = stop - start
                if self.shuffle:
                    idx = sample_idx[start:stop]
                    if dense:
                        k.gather_rows(X_tr, idx, buf.x)
                        Xb = buf.x[:m]
                    else:
                        Xb = X_tr[idx]
                    k.gather_rows(Y_tr, idx, buf.y)
                    Yb = buf.y[:m]
                    swb = no_weight if sw_tr is None else sw_tr[idx]
                else:
                    Xb, Yb = X_tr[start:stop], Y_tr[start:stop]
                    swb = no_weight if sw_tr is None else sw_tr[start:stop]
                sw_sum = float(m if sw_tr is None else swb.sum())
                loss = self._backprop(k, Xb, Yb, swb, m, buf, grads, grad_coefs,
                                      grad_intercepts)  # fmt: skip
                sq = opt.step(k, self._packed, grads, n_coef, self.alpha, 1.0 / sw_sum)
                accumulated += (loss + 0.5 * self.alpha * sq) / sw_sum * m
            self.n_iter_ += 1
            self.loss_ = accumulated / n
            self.t_ += n
            self.loss_curve_.append(self.loss_)
            self._history.record(loss=self.loss_)
            bar.update(1)
            bar.set_postfix(loss=f"{self.loss_:.6g}")
            self._update_no_improvement_count(X_val, y_val, sw_val)
            opt.iteration_ends(self.t_)
            if self._no_improvement_count > self.n_iter_no_change:
                if opt.trigger_stopping():
                    break
                self._no_improvement_count = 0
            if incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and "
                    "the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=4,
                )

    def _update_no_improvement_count(self, X_val, y_val, sw_val):
        if self.early_stopping:
            score = self._score(X_val, y_val, sample_weight=sw_val)
            self.validation_scores_.append(score)
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_packed = self._packed.copy()
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    # ---------------------------------------------------------------- predict

    def _forward(self, X):
        """Output-layer activations of validated ``X`` (float dtype of the parameters)."""
        k = kernels("mlp", "cpu")
        dtype = self.coefs_[0].dtype
        if sp.issparse(X):
            X = X.astype(dtype, copy=False)
        else:
            X = np.asarray(X, dtype=dtype)
        act = k.ACTIVATIONS[self.activation]
        A = X
        last = len(self.coefs_) - 1
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            Z = np.ascontiguousarray(A @ W, dtype=dtype)
            b = np.ascontiguousarray(b, dtype=dtype)
            if i < last:
                k.bias_activation(Z, b, act)
            else:
                k.bias_output(Z, b, k.OUTPUTS[self.out_activation_])
            A = Z
        return A

    def _score_with_function(self, X, y, sample_weight, score_function):
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return score_function(y, y_pred, sample_weight=sample_weight)

    def _check_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is "
                "not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

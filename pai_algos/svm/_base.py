"""What LinearSVC and LinearSVR share: solver choice, the data hand-off and the primal Newton.

The formulations are liblinear's, so that the models agree with scikit-learn's: the intercept
is a constant feature ``intercept_scaling`` whose weight is penalised like the others, and
the cost of sample ``i`` is ``C * sample_weight[i] * class_weight[y_i]``.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning

__all__: list[str] = []

# (loss -> penalty -> dual -> solver), as liblinear numbers them
_SOLVERS = {
    "hinge": {"l2": {True: "dual"}},
    "squared_hinge": {"l1": {False: "l1_primal"}, "l2": {False: "primal", True: "dual"}},
    "epsilon_insensitive": {"l2": {True: "dual"}},
    "squared_epsilon_insensitive": {"l2": {False: "primal", True: "dual"}},
}


def _solver_for(multi_class, penalty, loss, dual):
    """The solver of a combination, or scikit-learn's ValueError for an unsupported one."""
    if multi_class == "crammer_singer":
        return "crammer_singer"
    by_penalty = _SOLVERS.get(loss)
    if by_penalty is None:
        error = f"loss='{loss}' is not supported"
    elif penalty not in by_penalty:
        error = f"The combination of penalty='{penalty}' and loss='{loss}' is not supported"
    elif dual not in by_penalty[penalty]:
        error = (
            f"The combination of penalty='{penalty}' and loss='{loss}' are not supported "
            f"when dual={dual}"
        )
    else:
        return by_penalty[penalty][dual]
    raise ValueError(
        f"Unsupported set of arguments: {error}, Parameters: penalty={penalty!r}, "
        f"loss={loss!r}, dual={dual!r}"
    )


def _resolve_dual(dual, loss, penalty, multi_class, X):
    """``dual="auto"``: the dual when features outnumber samples, if the combination allows."""
    if dual != "auto":
        return bool(dual)
    prefer = X.shape[0] < X.shape[1]
    try:
        _solver_for(multi_class, penalty, loss, prefer)
        return prefer
    except ValueError:
        return not prefer


def _kernel_data(X):
    """Arguments before the model ones: ``(X,)`` dense or ``(data, indices, indptr[, d])``."""
    if sp.issparse(X):
        return (X.data, X.indices, X.indptr)
    return (X,)


def _l1_columns(X, bias):
    """CSC columns of ``[X, bias]`` for the L1 primal solver (one copy of the data)."""
    n = X.shape[0]
    base = X if sp.issparse(X) else sp.csr_matrix(X)
    if bias != 0.0:
        extra = sp.csr_matrix(np.full((n, 1), bias, dtype=X.dtype))
        cols = sp.hstack([base, extra], format="csc")
    else:
        cols = base.tocsc()
    cols.sort_indices()
    n_cols = X.shape[1] + int(bias != 0.0)
    return cols.data, cols.indices, cols.indptr, n_cols


def _seeds(random_state, n):
    """One seed per output, drawn as liblinear's wrapper draws its one seed."""
    return random_state.randint(np.iinfo(np.int32).max, size=n).astype(np.int64)


class _PrimalObjective:
    """``f(w) = w'w / 2 + sum_i C_i l_i(w)`` for the squared (hinge / eps-insensitive) losses.

    The loss pass also stores the generalised second derivatives ``D``; ``hessp`` reuses
    them when asked at the point of the last evaluation (trust-region methods ask there).
    """

    def __init__(self, module, X, y, Ci, bias, epsilon, svr):
        self.sparse = sp.issparse(X)
        self.module = module
        self.args = _kernel_data(X)
        self.y, self.Ci = y, Ci
        self.bias, self.epsilon, self.svr = bias, epsilon, svr
        d1 = X.shape[1] + 1
        self.grad = np.empty(d1)
        self.hv = np.empty(d1)
        self.D = np.empty(X.shape[0])
        self.w_at = None

    def __call__(self, w):
        w = np.ascontiguousarray(w, dtype=np.float64)
        call = self.module.primal_loss_grad_csr if self.sparse else self.module.primal_loss_grad
        loss = call(*self.args, self.y, self.Ci, w, self.bias, self.epsilon, self.svr, self.grad,
                    self.D)  # fmt: skip
        self.w_at = w.copy()
        return 0.5 * float(w @ w) + loss, self.grad + w

    def hessp(self, w, v):
        if self.w_at is None or not np.array_equal(w, self.w_at):
            self(w)
        call = self.module.primal_hess_vec_csr if self.sparse else self.module.primal_hess_vec
        call(*self.args, self.D, np.ascontiguousarray(v, dtype=np.float64), self.bias, self.hv)
        return self.hv + v


def _trcg(hessp, w, g, delta, eps_cg=0.1):
    """Truncated conjugate gradient for ``H s = -g`` inside ``||s|| <= delta`` (TRON's trcg).

    Returns the step ``s`` and the residual ``r = -g - H s``.
    """
    s = np.zeros_like(g)
    r = -g
    d = r.copy()
    rtr = float(r @ r)
    cgtol = eps_cg * float(np.linalg.norm(g))
    for _ in range(2 * g.shape[0] + 10):
        if np.sqrt(rtr) <= cgtol:
            break
        Hd = hessp(w, d)
        alpha = rtr / float(d @ Hd)
        s += alpha * d
        if np.linalg.norm(s) > delta:
            # step back, then walk along d to the trust-region boundary
            s -= alpha * d
            std, sts, dtd = float(s @ d), float(s @ s), float(d @ d)
            dsq = delta * delta
            rad = np.sqrt(std * std + dtd * (dsq - sts))
            alpha = (dsq - sts) / (std + rad) if std >= 0 else (rad - std) / dtd
            s += alpha * d
            r -= alpha * Hd
            break
        r -= alpha * Hd
        rnew = float(r @ r)
        d = r + (rnew / rtr) * d
        rtr = rnew
    return s, r


def _primal_newton(objective, n_params, rel_tol, max_iter, hist, output):
    """Trust-region Newton method (Lin, Weng & Keerthi, 2008; liblinear's TRON).

    Stops when ``||g|| <= rel_tol ||g_0||``. Returns ``(w, n_iter)``.
    """
    eta0, eta1, eta2 = 1e-4, 0.25, 0.75
    sigma1, sigma2, sigma3 = 0.25, 0.5, 4.0
    w = np.zeros(n_params)
    f, g = objective(w)
    hist.record(output=output, loss=f)
    gnorm0 = float(np.linalg.norm(g))
    delta = gnorm0
    if gnorm0 <= rel_tol * gnorm0:
        return w, 0
    it = 1
    while it <= max_iter:
        s, r = _trcg(objective.hessp, w, g, delta)
        w_new = w + s
        gs = float(g @ s)
        prered = -0.5 * (gs - float(s @ r))
        f_new, g_new = objective(w_new)
        actred = f - f_new
        snorm = float(np.linalg.norm(s))
        if it == 1:
            delta = min(delta, snorm)
        if f_new - f - gs <= 0:
            alpha = sigma3
        else:
            alpha = max(sigma1, -0.5 * (gs / (f_new - f - gs)))
        if actred < eta0 * prered:
            delta = min(max(alpha, sigma1) * snorm, sigma2 * delta)
        elif actred < eta1 * prered:
            delta = max(sigma1 * delta, min(alpha * snorm, sigma2 * delta))
        elif actred < eta2 * prered:
            delta = max(sigma1 * delta, min(alpha * snorm, sigma3 * delta))
        else:
            delta = max(delta, min(alpha * snorm, sigma3 * delta))
        if actred > eta0 * prered:
            it += 1
            w, f, g = w_new, f_new, g_new
            hist.record(output=output, loss=f)
            if np.linalg.norm(g) <= rel_tol * gnorm0:
                break
        if abs(actred) <= 0 and prered <= 0:
            break
        if abs(actred) <= 1e-12 * abs(f) and abs(prered) <= 1e-12 * abs(f):
            break
    return w, it - 1


def _warn_if_not_converged(n_iter, max_iter, name):
    if max_iter > 0 and n_iter >= max_iter:
        warnings.warn(
            f"{name} failed to converge, increase the number of iterations.",
            ConvergenceWarning,
            stacklevel=3,
        )

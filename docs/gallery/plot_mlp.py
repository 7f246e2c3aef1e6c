"""
Multi-layer perceptron: loss curves of the three solvers
========================================================

:class:`pai_algos.neural_network.MLPClassifier` trains a small network on the wine
data with Adam, SGD with Nesterov momentum, and L-BFGS. The stochastic solvers keep the
loss of every epoch in ``loss_curve_``; ``history_`` has the same for L-BFGS iterations.
"""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from pai_algos.datasets import load_wine
from pai_algos.neural_network import MLPClassifier

X, y = load_wine(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)

solvers = {
    "adam": dict(solver="adam", learning_rate_init=0.01),
    "sgd (nesterov)": dict(solver="sgd", learning_rate_init=0.05),
    "lbfgs": dict(solver="lbfgs"),
}
models = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, params in solvers.items():
        clf = MLPClassifier(hidden_layer_sizes=(32,), max_iter=100, random_state=0, **params)
        models[name] = clf.fit(X_tr, y_tr)
        print(f"{name:15s} test accuracy {clf.score(X_te, y_te):.3f} iterations {clf.n_iter_}")

# %%
# The training loss (log-loss plus the L2 penalty) per epoch or iteration.
fig, ax = plt.subplots(figsize=(6, 4))
for name, clf in models.items():
    ax.plot(clf.history_["iteration"], clf.history_["loss"], label=name)
ax.set_yscale("log")
ax.set_xlabel("epoch / iteration")
ax.set_ylabel("training loss")
ax.set_title("MLPClassifier(hidden_layer_sizes=(32,)) on wine")
ax.legend()
fig.tight_layout()

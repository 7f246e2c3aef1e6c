"""
FTRL-Proximal on click logs: hashed keys, sparsity and the online learning curve
================================================================================

:class:`pai_algos.linear_model.FTRLClassifier` learns a logistic model from click logs whose
columns are 64-bit hashed feature keys (``make_ctr`` gives a key space of ``2**63 - 1``
columns). Its weights live in a hash table holding only the keys seen, and the L1 penalty
keeps most of them exactly zero. Here we train online with ``partial_fit``, one chunk of
impressions at a time, and track the test AUC and the model size as the log streams in.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from pai_algos.datasets import make_ctr
from pai_algos.linear_model import FTRLClassifier

X, y = make_ctr(n_samples=120_000, n_fields=12, random_state=0)
X_train, y_train, X_test, y_test = X[:100_000], y[:100_000], X[100_000:], y[100_000:]
print(f"key space {X.shape[1]:,} columns, {np.unique(X_train.indices).size:,} distinct keys")

# %%
# Stream the training rows in chunks of 5,000, for three L1 strengths.
chunk = 5_000
curves = {}
for l1 in (0.0, 1.0, 5.0):
    clf = FTRLClassifier(l1=l1)
    seen, auc, n_weights = [], [], []
    for start in range(0, X_train.shape[0], chunk):
        stop = start + chunk
        clf.partial_fit(X_train[start:stop], y_train[start:stop], classes=[0, 1])
        seen.append(stop)
        auc.append(roc_auc_score(y_test, clf.decision_function(X_test)))
        n_weights.append(clf.n_weights_)
    curves[l1] = (seen, auc, n_weights)
    print(f"l1={l1}: test AUC {auc[-1]:.4f}, {clf.n_weights_:,} non-zero of {clf.n_keys_:,} keys")

# %%
# Test AUC and non-zero weights against the number of impressions seen.
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
for l1, (seen, auc, n_weights) in curves.items():
    ax0.plot(seen, auc, label=f"l1={l1}")
    ax1.plot(seen, n_weights, label=f"l1={l1}")
ax0.set_xlabel("impressions seen")
ax0.set_ylabel("test AUC")
ax0.set_title("Online learning curve")
ax1.set_xlabel("impressions seen")
ax1.set_ylabel("non-zero weights")
ax1.set_title("Model size (L1 sparsity)")
ax0.legend()
ax1.legend()
fig.tight_layout()
plt.show()

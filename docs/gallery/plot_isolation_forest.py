"""
Isolation forest
================

:class:`pai_algos.ensemble.IsolationForest` scores rows by how quickly random trees isolate
them: anomalies sit on short paths. The left panel shows the score over the plane for a
Gaussian blob with planted uniform outliers, and the flagged rows with ``contamination=0.05``;
the right panel compares the ROC curve with scikit-learn's ``IsolationForest``.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from sklearn.ensemble import IsolationForest as SkIsolationForest
from sklearn.metrics import roc_auc_score, roc_curve

from pai_algos.ensemble import IsolationForest

rng = np.random.default_rng(0)
X = np.vstack([rng.normal(size=(950, 2)), rng.uniform(-5, 5, size=(50, 2))])
y = np.r_[np.zeros(950), np.ones(50)]

clf = IsolationForest(contamination=0.05, random_state=0).fit(X)
ref = SkIsolationForest(contamination=0.05, random_state=0).fit(X)
ours, theirs = -clf.score_samples(X), -ref.score_samples(X)
print(f"pai_algos ROC AUC {roc_auc_score(y, ours):.3f}")
print(f"scikit-learn ROC AUC {roc_auc_score(y, theirs):.3f}")
print(f"flagged share {np.mean(clf.predict(X) == -1):.3f}")

# %%
xx, yy = np.meshgrid(np.linspace(-5.5, 5.5, 150), np.linspace(-5.5, 5.5, 150))
zz = clf.decision_function(np.c_[xx.ravel(), yy.ravel()]).reshape(xx.shape)
fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(9, 4), layout="constrained")
ax0.contourf(xx, yy, zz, levels=20, cmap="Blues_r")
flagged = clf.predict(X) == -1
ax0.scatter(X[~flagged, 0], X[~flagged, 1], s=4, c="k", label="inlier")
ax0.scatter(X[flagged, 0], X[flagged, 1], s=12, c="r", label="flagged")
ax0.set_title("decision_function and flagged rows")
ax0.legend(loc="lower right")
for name, s in (("pai_algos", ours), ("scikit-learn", theirs)):
    fpr, tpr, _ = roc_curve(y, s)
    ax1.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, s):.3f})")
ax1.set_xlabel("false positive rate")
ax1.set_ylabel("true positive rate")
ax1.set_title("ROC of the planted outliers")
ax1.legend()
plt.show()

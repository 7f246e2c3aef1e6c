"""
Factorization machines: learning pairwise interactions
======================================================

A linear model scores each feature on its own; a factorization machine (Rendle 2010) adds a
weight for every pair of features, the dot product of two learned latent vectors, so it can
learn that a *combination* matters. Here the click probability depends on whether a user and
an ad fall in the same hidden group: no per-feature weight can express that, and
:class:`~pai_algos.linear_model.LogisticRegression` stays close to chance, while
:class:`~pai_algos.recommend.FactorizationMachineClassifier` and the field-aware
:class:`~pai_algos.recommend.FieldAwareFMClassifier` (Juan et al. 2016) learn it. We plot the
training loss per epoch (``history_``) and the test ROC curves.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score, roc_curve

from pai_algos.linear_model import LogisticRegression
from pai_algos.recommend import FactorizationMachineClassifier, FieldAwareFMClassifier

rng = np.random.RandomState(0)
n, n_users, n_ads, n_sites = 8_000, 40, 30, 10
user, ad, site = rng.randint(0, n_users, n), rng.randint(0, n_ads, n), rng.randint(0, n_sites, n)
group_user, group_ad = rng.randint(0, 3, n_users), rng.randint(0, 3, n_ads)
logit = np.where(group_user[user] == group_ad[ad], 1.5, -1.5) + 0.5 * (site % 2)
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logit))).astype(int)

# one-hot rows: one non-zero per field (user, ad, site)
columns = np.c_[user, n_users + ad, n_users + n_ads + site]
X = sp.csr_matrix((np.ones(3 * n), columns.ravel(), np.arange(0, 3 * n + 1, 3)))
fields = np.repeat([0, 1, 2], [n_users, n_ads, n_sites])
X_train, y_train, X_test, y_test = X[:6_000], y[:6_000], X[6_000:], y[6_000:]

# %%
# Fit the three models.
models = {
    "LogisticRegression": LogisticRegression(),
    "FM (k=4)": FactorizationMachineClassifier(n_factors=4, max_iter=30, random_state=0),
    "FFM (k=4)": FieldAwareFMClassifier(fields=fields, max_iter=30, random_state=0),
}
scores = {}
for name, model in models.items():
    model.fit(X_train, y_train)
    scores[name] = model.predict_proba(X_test)[:, 1]
    print(f"{name:20s} test AUC {roc_auc_score(y_test, scores[name]):.3f}")

# %%
# Training loss per epoch and test ROC curves.
fig, (ax_loss, ax_roc) = plt.subplots(1, 2, figsize=(10, 4))
for name in ("FM (k=4)", "FFM (k=4)"):
    ax_loss.plot(models[name].history_["loss"], label=name)
ax_loss.set(xlabel="epoch", ylabel="mean log loss (progressive)", title="history_")
ax_loss.legend()
for name, score in scores.items():
    fpr, tpr, _ = roc_curve(y_test, score)
    ax_roc.plot(fpr, tpr, label=f"{name} ({roc_auc_score(y_test, score):.3f})")
ax_roc.plot([0, 1], [0, 1], "k:", lw=0.8)
ax_roc.set(xlabel="false positive rate", ylabel="true positive rate", title="test ROC")
ax_roc.legend()
fig.tight_layout()
plt.show()

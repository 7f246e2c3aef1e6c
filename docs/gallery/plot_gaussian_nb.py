"""
Gaussian naive Bayes on the wine data
=====================================

:class:`pai_algos.naive_bayes.GaussianNB` models each feature within each class by a normal
distribution. It is fitted here on the wine data, trained once in one go and once in
batches with ``partial_fit``; both give the same model and the same predictions as
scikit-learn's ``GaussianNB``. The plot shows the class probabilities on the two most
discriminating features.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.naive_bayes import GaussianNB as SklearnGaussianNB

from pai_algos.naive_bayes import GaussianNB

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0, stratify=y)

model = GaussianNB().fit(X_train, y_train)
print("test accuracy:", round(model.score(X_test, y_test), 3))
reference = SklearnGaussianNB().fit(X_train, y_train)
print(
    "same predictions as scikit-learn:",
    bool(np.all(model.predict(X_test) == reference.predict(X_test))),
)

online = GaussianNB()
for chunk in np.array_split(np.arange(len(y_train)), 4):
    online.partial_fit(X_train[chunk], y_train[chunk], classes=np.unique(y))
print("partial_fit gives the same means:", np.allclose(online.theta_, model.theta_))

# two features: proline (12) and flavanoids (6)
cols = [12, 6]
small = GaussianNB().fit(X_train[:, cols], y_train)
xx, yy = np.meshgrid(
    np.linspace(X[:, 12].min(), X[:, 12].max(), 200),
    np.linspace(X[:, 6].min(), X[:, 6].max(), 200),
)
proba = small.predict_proba(np.column_stack([xx.ravel(), yy.ravel()]))
fig, ax = plt.subplots(figsize=(6, 4.5))
ax.imshow(
    proba.reshape(200, 200, 3),
    origin="lower",
    extent=(xx.min(), xx.max(), yy.min(), yy.max()),
    aspect="auto",
    alpha=0.5,
)
ax.scatter(X_test[:, 12], X_test[:, 6], c=np.eye(3)[y_test], edgecolor="k", s=25)
ax.set_xlabel("proline")
ax.set_ylabel("flavanoids")
ax.set_title("GaussianNB class probabilities (RGB = class 0, 1, 2)")
fig.tight_layout()
plt.show()

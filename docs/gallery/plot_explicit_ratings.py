"""
Explicit ratings with ALS
=========================

:class:`pai_algos.recommend.ALS` factorises a sparse matrix of ratings (here
synthetic: a rank-3 signal plus user and item biases plus Gaussian noise of standard
deviation 0.3) by alternating exact least-squares solves with the weighted-lambda penalty of
Zhou et al. (2008). A fifth of every user's ratings is held out; the plot shows the training
and held-out RMSE per number of iterations against the noise floor and the bias-only
baseline (global mean + user and item biases).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp

from pai_algos.recommend import ALS, train_test_split_interactions

rng = np.random.default_rng(0)
n_users, n_items, noise = 600, 300, 0.3
U, V = rng.normal(size=(n_users, 3)), rng.normal(size=(n_items, 3))
bu, bi = rng.normal(0, 0.5, n_users), rng.normal(0, 0.5, n_items)
r, c = np.nonzero(rng.random((n_users, n_items)) < 0.12)
ratings = 8 + bu[r] + bi[c] + 0.6 * (U[r] * V[c]).sum(1) + rng.normal(0, noise, len(r))
X = sp.csr_matrix((ratings, (r, c)), shape=(n_users, n_items))
train, test = train_test_split_interactions(X, 0.2, random_state=0)
test = test.tocoo()
pairs = np.column_stack([test.row, test.col])

# %%
# Held-out RMSE per number of iterations (each fit starts from the same seed).
iterations = [1, 2, 3, 5, 8, 12]
held_out, training = [], []
for it in iterations:
    model = ALS(3, regularization=0.01, iterations=it, random_state=0).fit(train)
    held_out.append(np.sqrt(np.mean((model.predict(pairs) - test.data) ** 2)))
    training.append(model.history_["rmse"][-1])

# the bias-only baseline: global mean plus damped user and item biases
mu = train.data.mean()
coo = train.tocoo()
b_u, b_i = np.zeros(n_users), np.zeros(n_items)
for _ in range(10):
    b_u = np.bincount(coo.row, coo.data - mu - b_i[coo.col], n_users) / (
        np.bincount(coo.row, None, n_users) + 5
    )
    b_i = np.bincount(coo.col, coo.data - mu - b_u[coo.row], n_items) / (
        np.bincount(coo.col, None, n_items) + 5
    )
baseline = np.sqrt(np.mean((mu + b_u[test.row] + b_i[test.col] - test.data) ** 2))
print(f"held-out RMSE {held_out[-1]:.3f}, bias baseline {baseline:.3f}, noise {noise}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(iterations, held_out, "o-", label="ALS, held out")
ax.plot(iterations, training, "s--", label="ALS, training")
ax.axhline(baseline, color="grey", label="bias-only baseline")
ax.axhline(noise, color="k", linestyle=":", label="noise floor")
ax.set_xlabel("iterations")
ax.set_ylabel("RMSE")
ax.set_yscale("log")
ax.legend()
fig.tight_layout()
plt.show()

"""
Training through the parameter server, and surviving a failed shard
===================================================================

``FTRLClassifier(ps=PSConfig(...))`` splits the weights over server shards and the rows over
workers. Here a shard is killed in the middle of training: with
``on_server_failure="restore_replay"`` it comes back from its checkpoint, the workers' logged
pushes are replayed, and the model is the same as without the failure; with ``"restore"`` the
updates since the checkpoint are lost (and counted), and the AUC barely moves.
"""

import tempfile

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import roc_auc_score

from pai_algos.datasets import make_ctr
from pai_algos.linear_model import FTRLClassifier
from pai_algos.ps import PSConfig
from pai_algos.ps.testing import FaultPlan

X, y = make_ctr(n_samples=40_000, n_fields=8, random_state=0)[:2]
X_train, y_train, X_test, y_test = X[:30_000], y[:30_000], X[30_000:], y[30_000:]

results = {}
with tempfile.TemporaryDirectory() as ckpt:
    base = dict(num_servers=4, num_workers=2, checkpoint_dir=ckpt, checkpoint_every=10)
    plan = FaultPlan(kill_servers={2: 25})
    for name, cfg in [
        ("no failure", PSConfig(**base)),
        ("shard killed, restore_replay", PSConfig(**base, fault_plan=plan)),
        ("shard killed, restore", PSConfig(**base, fault_plan=plan, on_server_failure="restore")),
    ]:
        model = FTRLClassifier(random_state=0, max_iter=2, ps=cfg).fit(X_train, y_train)
        auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
        results[name] = (auc, model)
        print(
            f"{name:30s} AUC {auc:.4f}  lost {model.ps_stats_['pushes_lost']}  "
            f"replayed {model.ps_stats_['pushes_replayed']}  "
            f"restarts {model.ps_stats_['server_restarts']}"
        )

clean = results["no failure"][1].get_weights()[1]
replayed = results["shard killed, restore_replay"][1].get_weights()[1]
print("restore_replay gives the fault-free weights:", np.array_equal(clean, replayed))

fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(results), [auc for auc, _ in results.values()])
ax.set_xlim(min(a for a, _ in results.values()) - 0.01, max(a for a, _ in results.values()) + 0.005)
ax.set_xlabel("held-out AUC")
ax.set_title("FTRL through 4 shards x 2 workers")
fig.tight_layout()

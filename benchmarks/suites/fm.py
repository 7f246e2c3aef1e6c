"""Factorization machines on click logs: seconds per epoch and rows per second.

``make_ctr`` data: 200,000 training rows x 16 hashed fields (keys in a 2**63 - 1 key space),
50,000 test rows. No library with a factorization machine is installed here (libFM, libffm,
fastFM, xlearn are not in the environment), so a speed ratio against an FM peer is impossible:
the "peer" column is our own FTRLClassifier (one pass of a *linear* model over the same rows),
there only to give the FM's throughput a scale; the ratio is not a target (target 0). The
quality column reports test AUCs (FM / FFM vs FTRL) and the FM's rows/s from ``history_``.

FactorizationMachineClassifier reads the hashed keys as they are; FieldAwareFMClassifier gets
the keys remapped to dense column ids 0..m-1 with the field of each (from ``make_ctr``'s true
model), done once in ``make_data`` and not timed.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import roc_auc_score

from benchmarks._harness import Case

N_TRAIN = 200_000
N_TEST = 50_000
N_FIELDS = 16


def _ctr_data():
    from pai_algos.datasets import make_ctr

    X, y, truth = make_ctr(
        n_samples=N_TRAIN + N_TEST, n_fields=N_FIELDS, random_state=0, return_weights=True
    )
    keys = np.unique(X.indices)
    order = np.argsort(truth.key)
    fields = truth.field[order][np.searchsorted(truth.key[order], keys)].astype(np.int64)
    R = sp.csr_matrix((X.data, np.searchsorted(keys, X.indices), X.indptr), (X.shape[0], len(keys)))
    return {
        "X": X[:N_TRAIN],
        "y": y[:N_TRAIN],
        "X_test": X[N_TRAIN:],
        "y_test": y[N_TRAIN:],
        "R": R[:N_TRAIN],
        "R_test": R[N_TRAIN:],
        "fields": fields,
    }


def _fit_fm(data):
    from pai_algos.recommend import FactorizationMachineClassifier

    fm = FactorizationMachineClassifier(n_factors=8, max_iter=1, batch_size=256, random_state=0)
    return fm.fit(data["X"], data["y"])


def _fit_ffm(data):
    from pai_algos.recommend import FieldAwareFMClassifier

    ffm = FieldAwareFMClassifier(
        fields=data["fields"], n_factors=4, max_iter=1, batch_size=256, random_state=0
    )
    return ffm.fit(data["R"], data["y"])


def _fit_ftrl(data):
    from pai_algos.linear_model import FTRLClassifier

    return FTRLClassifier(random_state=0).fit(data["X"], data["y"])


def _quality(test_key):
    def quality(data, ours, peer):
        auc = roc_auc_score(data["y_test"], ours.decision_function(data[test_key]))
        auc_ftrl = roc_auc_score(data["y_test"], peer.decision_function(data["X_test"]))
        seconds = ours.history_["seconds"][-1]
        return (
            f"AUC ours {auc:.4f} FTRL {auc_ftrl:.4f}; {seconds:.2f} s/epoch, "
            f"{N_TRAIN / seconds:,.0f} rows/s x {N_FIELDS} fields; keys {ours.keys_.shape[0]:,}"
        )

    return quality


CASES = [
    Case(
        name=f"FactorizationMachineClassifier(k=8) 1 epoch {N_TRAIN}x{N_FIELDS} fields",
        make_data=_ctr_data,
        ours=_fit_fm,
        peer=_fit_ftrl,
        peer_name="pai_algos FTRLClassifier (linear; no FM peer installed)",
        target=0.0,
        repeats=2,
        quality=_quality("X_test"),
    ),
    Case(
        name=f"FieldAwareFMClassifier(k=4) 1 epoch {N_TRAIN}x{N_FIELDS} fields",
        make_data=_ctr_data,
        ours=_fit_ffm,
        peer=_fit_ftrl,
        peer_name="pai_algos FTRLClassifier (linear; no FM peer installed)",
        target=0.0,
        repeats=2,
        quality=_quality("R_test"),
    ),
]

"""
The estimator registry
======================

:func:`pai_algos.all_estimators` walks the subpackages of :mod:`pai_algos` and returns every
estimator as a ``(name, class)`` pair. It filters by family (the subpackage) and by task
(classifier, regressor, cluster, transformer, recommender, outlier). This example prints the
registry as a table and draws how many estimators each family has, split by task.
"""

# %%
# The table
# ---------
# One row per estimator: its public module, its task, and whether it has CUDA kernels
# (estimators with a ``device`` parameter).
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from pai_algos import all_estimators
from pai_algos.registry import TASKS, estimator_task

rows = []
for name, cls in all_estimators():
    family = cls.__module__.split(".")[1]
    devices = "cpu, cuda" if getattr(cls, "_has_cuda_path", False) else "cpu"
    rows.append((name, f"pai_algos.{family}", estimator_task(cls), devices))

header = ("estimator", "module", "task", "devices")
widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
for row in [header, *rows]:
    print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)))
print(f"{len(rows)} estimators")

# %%
# Estimators per family and task
# ------------------------------
# A stacked bar per family; ``all_estimators(family=..., task=...)`` gives the same counts.
families = sorted({row[1].split(".")[1] for row in rows})
counts = np.array(
    [
        [sum(r[1] == f"pai_algos.{fam}" and r[2] == task for r in rows) for fam in families]
        for task in TASKS
    ]
).reshape(len(TASKS), len(families))

fig, ax = plt.subplots(figsize=(7, 3.5), layout="constrained")
bottom = np.zeros(len(families))
for task, row in zip(TASKS, counts):
    if row.any():
        ax.bar(families, row, bottom=bottom, label=task)
        bottom += row
if families:
    ax.legend(title="task", fontsize="small", loc="upper left", bbox_to_anchor=(1, 1))
    ax.tick_params(axis="x", labelrotation=30)
else:
    ax.text(0.5, 0.5, "no estimators registered yet", ha="center", va="center")
ax.set_ylabel("estimators")
ax.yaxis.set_major_locator(MaxNLocator(integer=True))
ax.set_title("pai_algos.all_estimators() by family")
plt.show()

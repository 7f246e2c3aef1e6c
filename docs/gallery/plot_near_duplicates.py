"""
Near-duplicate documents and fuzzy string matching
==================================================

:class:`pai_algos.text.MinHashLSH` summarizes each document by MinHash signatures of its
word 3-shingles and finds candidate near-duplicates by banded locality-sensitive hashing,
without comparing all pairs; :meth:`~pai_algos.text.MinHashLSH.find_duplicates` reports the
estimated and the exact Jaccard index of each pair found. The left plot shows, for every pair
of a corpus with planted near-duplicates, the exact Jaccard index and whether LSH found it,
with the theoretical S-curve ``1 - (1 - s^r)^b`` of the chosen bands. On the right,
:class:`pai_algos.text.StringSimilarity` matches misspelled names to a reference list with
the normalized Levenshtein similarity.
"""

import matplotlib.pyplot as plt
import numpy as np

from pai_algos.text import MinHashLSH, StringSimilarity

rng = np.random.default_rng(0)
words = [f"w{i}" for i in range(3000)]
originals = [" ".join(rng.choice(words, size=60)) for _ in range(300)]
copies = []
for i in range(150):
    tokens = originals[i].split()
    n_edits = int(rng.integers(1, 12))  # from near-identical to clearly different
    for pos in rng.choice(60, size=n_edits, replace=False):
        tokens[pos] = rng.choice(words)
    copies.append(" ".join(tokens))
docs = originals + copies

lsh = MinHashLSH(threshold=0.7, analyzer="word", ngram_size=3, random_state=0).fit(docs)
pairs, estimated, exact = lsh.find_duplicates(threshold=0.0)
found = set(map(tuple, lsh.duplicates_.tolist()))
print(f"bands x rows: {lsh.bands_} x {lsh.rows_}; candidate pairs {len(lsh.candidate_pairs_)}")


def shingles(doc):
    t = doc.split()
    return {tuple(t[i : i + 3]) for i in range(len(t) - 2)}


# exact Jaccard of every planted pair (original i, copy 300 + i)
planted = np.array([(i, 300 + i) for i in range(150)])
planted_j = np.array(
    [
        len(shingles(docs[i]) & shingles(docs[j])) / len(shingles(docs[i]) | shingles(docs[j]))
        for i, j in planted
    ]
)
hit = np.array([(i, j) in found for i, j in planted])
above = planted_j >= 0.8
print(f"recall of planted pairs with Jaccard >= 0.8: {hit[above].mean():.2f} ({above.sum()} pairs)")
print(
    f"largest |estimated - exact| Jaccard among found pairs: {np.abs(estimated - exact).max():.3f}"
)

names = ["Zhang Wei", "Li Na", "Müller GmbH", "Peking University", "Alibaba Cloud", "José García"]
queries = ["Zang Wei", "Li Naa", "Mueller GmbH", "Peking Universty", "AliBaba cloud", "Jose Garcia"]
sim = StringSimilarity("levenshtein", lowercase=True).fit(names)
idx, score = sim.top_n(queries, n=1)
for q, i, s in zip(queries, idx[:, 0], score[:, 0]):
    print(f"{q!r:16} -> {names[i]!r:16} similarity {s:.2f}")

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
s = np.linspace(0, 1, 200)
ax0.plot(s, 1 - (1 - s**lsh.rows_) ** lsh.bands_, color="gray", label="P(candidate)")
ax0.scatter(planted_j[hit], np.ones(hit.sum()), marker="|", s=200, color="tab:green", label="found")
ax0.scatter(
    planted_j[~hit], np.zeros((~hit).sum()), marker="|", s=200, color="tab:red", label="missed"
)
ax0.axvline(0.7, linestyle="--", color="k", linewidth=0.8)
ax0.set_xlabel("exact Jaccard of the planted pair")
ax0.set_ylabel("found by LSH")
ax0.legend(loc="center left")
matrix = sim.transform(queries)
ax1.imshow(matrix, vmin=0, vmax=1, cmap="viridis")
ax1.set_xticks(range(len(names)), names, rotation=45, ha="right")
ax1.set_yticks(range(len(queries)), queries)
ax1.set_title("normalized Levenshtein similarity")
fig.tight_layout()
plt.show()

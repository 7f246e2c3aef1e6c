"""
Word and document embeddings
============================

:class:`pai_algos.text.Word2Vec` learns word vectors by skip-gram with negative sampling on a
corpus generated from four topics (:func:`pai_algos.datasets.make_corpus`; topic ``k`` owns
the words of block ``k`` of the vocabulary). The nearest neighbours of a word are words of
its topic, :class:`pai_algos.text.PMI` finds the same associations by counting, and
:class:`pai_algos.text.Doc2Vec` places documents of a topic together. The figure shows the
word vectors projected on their first two principal components, coloured by topic.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from pai_algos.datasets import make_corpus
from pai_algos.text import PMI, Doc2Vec, Word2Vec

n_topics, vocabulary_size = 4, 200
docs, _, _, doc_topic = make_corpus(
    n_documents=400,
    n_topics=n_topics,
    vocabulary_size=vocabulary_size,
    document_length=(30, 60),
    alpha=0.05,
    random_state=0,
)
print(f"{len(docs)} documents, {sum(len(d.split()) for d in docs)} tokens")

w2v = Word2Vec(vector_size=32, sg=1, min_count=3, epochs=5, n_jobs=1, random_state=0).fit(docs)


def topic_of(word):
    return int(word[1:]) * n_topics // vocabulary_size


for word in ["w0003", "w0060", "w0120", "w0180"]:
    neighbours = w2v.most_similar(word, topn=5)
    same = sum(topic_of(w) == topic_of(word) for w, _ in neighbours)
    print(word, [w for w, _ in neighbours], f"{same}/5 from its topic")

# %%
# PMI counts co-occurrences in the same windows: the most associated words come from the
# same topic too.
pmi = PMI(window=5, min_count=3).fit(docs)
print("PPMI", [w for w, _ in pmi.most_associated("w0003", n=5)])

# %%
# Doc2Vec (PV-DBOW): documents inferred with frozen weights, nearest documents by topic.
d2v = Doc2Vec(vector_size=32, min_count=3, epochs=20, n_jobs=1, random_state=0).fit(docs)
Z = d2v.transform(docs)
Z /= np.linalg.norm(Z, axis=1, keepdims=True)
S = Z @ Z.T
np.fill_diagonal(S, -np.inf)
nearest = S.argmax(axis=1)
print(f"nearest document has the same main topic: {np.mean(doc_topic[nearest] == doc_topic):.2f}")

# %%
V = w2v.vectors_ - w2v.vectors_.mean(axis=0)
_, _, vt = np.linalg.svd(V, full_matrices=False)
xy = V @ vt[:2].T
colours = [topic_of(w) for w in w2v.index_to_key_]
fig, ax = plt.subplots(figsize=(6, 5))
points = ax.scatter(xy[:, 0], xy[:, 1], c=colours, cmap="tab10", s=12)
ax.legend(*points.legend_elements(), title="topic", loc="best")
ax.set_title("Word2Vec word vectors (first two principal components)")
fig.tight_layout()
plt.show()

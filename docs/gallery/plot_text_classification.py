"""
Text classification with TF-IDF features
========================================

:class:`pai_algos.text.TfidfVectorizer` turns documents into TF-IDF weighted word and
bigram counts (the same matrix as scikit-learn's ``TfidfVectorizer``, computed by our Numba
text kernels); :class:`pai_algos.linear_model.LogisticRegression` then learns each document's
dominant topic. The documents come from :func:`pai_algos.datasets.make_corpus`, an LDA topic
model whose topics own blocks of the vocabulary. The plot shows, for each topic, the words
with the largest coefficients: they fall in the topic's own block.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer as SklearnTfidfVectorizer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from pai_algos.datasets import make_corpus
from pai_algos.linear_model import LogisticRegression
from pai_algos.text import TfidfVectorizer

docs, _, _, topic = make_corpus(
    n_documents=2000, n_topics=4, vocabulary_size=400, document_length=(10, 40), random_state=0
)
docs_train, docs_test, y_train, y_test = train_test_split(docs, topic, random_state=0)

model = make_pipeline(
    TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
    LogisticRegression(C=10.0),
)
model.fit(docs_train, y_train)
print("test accuracy:", round(model.score(docs_test, y_test), 3))

vectorizer = model[0]
reference = SklearnTfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
same = abs(vectorizer.transform(docs_test) - reference.fit(docs_train).transform(docs_test))
print("same features as scikit-learn:", vectorizer.vocabulary_ == reference.vocabulary_)
print("largest difference from scikit-learn's matrix:", float(same.max()) if same.nnz else 0.0)

# the five heaviest features of each topic
names = vectorizer.get_feature_names_out()
coef = model[-1].coef_
fig, axes = plt.subplots(1, coef.shape[0], figsize=(11, 3.2), sharex=True)
for k, ax in enumerate(axes):
    top = np.argsort(coef[k])[-5:]
    ax.barh(names[top], coef[k, top], color=f"C{k}")
    ax.set_title(f"topic {k} (words w{k * 100:04d}-w{k * 100 + 99:04d})", fontsize=9)
    ax.tick_params(labelsize=8)
fig.suptitle("Largest logistic-regression coefficients per topic")
fig.tight_layout()
plt.show()

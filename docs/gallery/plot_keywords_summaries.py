"""
Keywords and extractive summaries with TextRank
===============================================

:class:`pai_algos.text.KeywordExtractor` ranks the words of each document by TextRank
(PageRank over the co-occurrence graph of its non-stop words) or by TF-IDF against a corpus;
:class:`pai_algos.text.TextSummarizer` ranks sentences by TextRank over Mihalcea and Tarau's
word-overlap similarity and keeps the best ones in reading order;
:class:`pai_algos.text.SentenceSplitter` finds the sentences. The corpus is generated: each
document repeats a few planted keywords among filler words, and has a few "salient"
sentences that share a topic vocabulary among sentences that share nothing. The plots show
precision@5 of both keyword methods and the sentence scores of one document.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from pai_algos.text import KeywordExtractor, SentenceSplitter, TextSummarizer

rng = np.random.default_rng(0)
letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
vocab = sorted(
    {"".join(rng.choice(letters, size=int(rng.integers(5, 9)))) for _ in range(4000)}
    - ENGLISH_STOP_WORDS
)
topic_words, planted_pool, filler = vocab[:8], vocab[8:48], vocab[48:]


def make_document():
    """Five planted keywords repeated in the salient sentences; filler everywhere else."""
    keywords = list(rng.choice(planted_pool, size=5, replace=False))
    sentences, salient = [], []
    for _ in range(6):
        words = list(rng.choice(topic_words, size=3, replace=False)) + keywords
        words += list(rng.choice(filler, size=4)) + ["the", "of", "and"]
        rng.shuffle(words)
        sentences.append(" ".join(words).capitalize() + ".")
        salient.append(sentences[-1])
    for _ in range(10):
        words = list(rng.choice(filler, size=8)) + ["a", "to"]
        rng.shuffle(words)
        sentences.append(" ".join(words).capitalize() + ".")
    rng.shuffle(sentences)
    return " ".join(sentences), set(keywords) | set(topic_words), salient


corpus = [make_document() for _ in range(60)]
docs = [doc for doc, _, _ in corpus]

precision = {}
for method in ("textrank", "tfidf"):
    found = KeywordExtractor(method, top_k=5).fit(docs).transform(docs)
    precision[method] = np.mean(
        [len(set(k) & truth) / 5 for k, (_, truth, _) in zip(found, corpus)]
    )
    print(f"{method:9s} keywords of document 0: {found[0]}  precision@5 {precision[method]:.2f}")

summarizer = TextSummarizer(n_sentences=5).fit(docs)
summaries = summarizer.transform(docs)
summary_precision = np.mean(
    [len(set(s) & set(salient)) / 5 for s, (_, _, salient) in zip(summaries, corpus)]
)
print(f"summary precision@5 (salient sentences): {summary_precision:.2f}")
print("summary of document 0:")
for sentence in summaries[0]:
    print("  ", sentence)

sentences, scores = summarizer.sentence_scores(docs[:1])
frame = SentenceSplitter(output="frame").fit(docs).transform(docs[:3])
print(frame.groupby("doc_id").size().rename("sentences"))

fig, (ax0, ax1) = plt.subplots(1, 2, figsize=(10, 4))
ax0.bar(
    ["TextRank\nkeywords", "TF-IDF\nkeywords", "TextRank\nsummary"],
    [precision["textrank"], precision["tfidf"], summary_precision],
    color=["tab:blue", "tab:orange", "tab:green"],
)
ax0.axhline(0.6, color="gray", linestyle="--", label="required 0.6")
ax0.set_ylim(0, 1.05)
ax0.set_ylabel("precision@5")
ax0.legend(loc="lower right")
is_salient = [s in corpus[0][2] for s in sentences[0]]
ax1.bar(
    range(len(scores[0])),
    scores[0],
    color=["tab:green" if s else "lightgray" for s in is_salient],
)
ax1.set_xlabel("sentence (reading order) of document 0")
ax1.set_ylabel("TextRank score")
ax1.set_title("salient sentences in green")
fig.tight_layout()
plt.show()

"""Text vectorizers against scikit-learn on 100,000 short documents."""

from __future__ import annotations

from benchmarks._harness import Case

N_DOCUMENTS = 100_000


def _documents():
    from pai_algos.datasets import make_corpus

    return make_corpus(
        n_documents=N_DOCUMENTS,
        n_topics=20,
        vocabulary_size=20_000,
        document_length=(5, 30),
        random_state=0,
        return_topics=False,
    )


def _tfidf(module, **params):
    def run(docs):
        if module == "ours":
            from pai_algos.text import TfidfVectorizer
        else:
            from sklearn.feature_extraction.text import TfidfVectorizer
        return TfidfVectorizer(**params).fit_transform(docs)

    return run


def _hashing(module):
    def run(docs):
        if module == "ours":
            from pai_algos.text import HashingVectorizer
        else:
            from sklearn.feature_extraction.text import HashingVectorizer
        return HashingVectorizer().fit_transform(docs)

    return run


def _quality(docs, ours, peer):
    same = ours.shape == peer.shape and ours.nnz == peer.nnz
    diff = abs(ours - peer).max() if same else float("nan")
    return f"shape {ours.shape} nnz {ours.nnz}/{peer.nnz} max abs diff {diff:.1e}"


CASES = [
    Case(
        name=f"TfidfVectorizer fit_transform unigrams {N_DOCUMENTS} docs",
        make_data=_documents,
        ours=_tfidf("ours"),
        peer=_tfidf("sklearn"),
        target=2.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name=f"TfidfVectorizer fit_transform (1,2)-grams {N_DOCUMENTS} docs",
        make_data=_documents,
        ours=_tfidf("ours", ngram_range=(1, 2)),
        peer=_tfidf("sklearn", ngram_range=(1, 2)),
        target=2.0,
        repeats=3,
        quality=_quality,
    ),
    Case(
        name=f"HashingVectorizer fit_transform {N_DOCUMENTS} docs",
        make_data=_documents,
        ours=_hashing("ours"),
        peer=_hashing("sklearn"),
        target=2.0,
        repeats=3,
        quality=_quality,
    ),
]

__all__ = ["CASES"]

"""The other text estimators against their peers, and pyarrow.compute against our tokenizer.

CountVectorizer and TfidfTransformer run against scikit-learn with the same parameters (the
quality column checks the matrices are the same); Doc2Vec (PV-DBOW) against gensim's
``Doc2Vec(dm=0)`` with the same parameters and 2 threads (training speed in documents per
second and the topic purity of each document's nearest documents). Where no library does
the same job, the peer is a plain Python/NumPy/scipy implementation written here:

- KeywordExtractor (TextRank) and TextSummarizer: TextRank computed with ``re``, a scipy
  sparse graph of all documents at once and a batched power iteration (scikit-learn's
  TfidfVectorizer for the TF-IDF keywords); quality is precision@5 on generated documents
  with planted keywords / salient sentences;
- SentenceSplitter: a regular-expression split after ``.!?`` (no abbreviation rules);
- PMI: co-occurrence counts by NumPy shifts and a scipy COO matrix, the same PMI formula;
- RegexTokenizer: ``re.findall`` over the lowercased documents;
- StopWordsRemover: a list comprehension against a set.

The last two rows measure what the issue leaves open, pyarrow's compute kernels against our
Numba tokenizer for lowercasing and tokenizing a pyarrow string column: ours is the path the
vectorizers take (``pc.ascii_lower`` on an all-ASCII column, Python's ``str.lower``
otherwise, then the UTF-8 tokenizer kernel; token spans out), the peer ``pc.utf8_lower`` (or
``pc.ascii_lower`` when the column is ASCII, as ours) then ``pc.split_pattern_regex`` and a
length filter (token strings out, in Arrow).

``PAI_BENCH_TEXT_MORE_SCALE`` (default 1) scales every data size, for a quick run.
"""

from __future__ import annotations

import os
import re
import statistics
import time

import numpy as np
import scipy.sparse as sp

from benchmarks._harness import Case

SCALE = float(os.environ.get("PAI_BENCH_TEXT_MORE_SCALE", 1.0))
TOKEN_PATTERN = r"(?u)\b\w\w+\b"
THREADS = 2


def _n(count):
    return max(int(count * SCALE), 20)


def _stop_words():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


# --------------------------------------------------------------------------- data
def _short_documents(n):
    from pai_algos.datasets import make_corpus

    return make_corpus(
        n_documents=n,
        n_topics=20,
        vocabulary_size=20_000,
        document_length=(5, 30),
        random_state=0,
        return_topics=False,
    )


def _prose(n, seed=0, accents=False):
    """Documents of 1 to 5 sentences of 3 to 15 words, about 30% of them stop words, with
    capitals, commas, numbers and abbreviations ("e.g.", "Dr.", "U.S.")."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz" + ("éüñ" if accents else "")))
    vocab = ["".join(rng.choice(letters, size=int(rng.integers(1, 10)))) for _ in range(5000)]
    vocab = np.array(vocab + ["3.14", "e.g.", "Dr.", "U.S."], dtype=object)
    stop = np.array(sorted(_stop_words()), dtype=object)
    n_sentences = rng.integers(1, 6, size=n)
    lengths = rng.integers(3, 16, size=int(n_sentences.sum()))
    n_words = int(lengths.sum())
    words = np.where(
        rng.random(n_words) < 0.3,
        stop[rng.integers(0, len(stop), n_words)],
        vocab[rng.integers(0, len(vocab), n_words)],
    )
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    words[first] = [w.capitalize() for w in words[first]]
    commas = first + (rng.random(len(lengths)) * lengths).astype(np.int64)
    commas = commas[rng.random(len(lengths)) < 0.3]
    words[commas] = words[commas] + ","
    last = first + lengths - 1
    words[last] = (
        words[last]
        + np.array([".", ".", ".", "!", "?"], dtype=object)[rng.integers(0, 5, len(lengths))]
    )
    sentence_bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
    sentences = [" ".join(words[a:b]) for a, b in zip(sentence_bounds[:-1], sentence_bounds[1:])]
    doc_bounds = np.concatenate([[0], np.cumsum(n_sentences)]).tolist()
    return [" ".join(sentences[a:b]) for a, b in zip(doc_bounds[:-1], doc_bounds[1:])]


def _pseudo_words(rng, n, length=(5, 9)):
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    stop = _stop_words()
    words = set()
    while len(words) < n:
        w = "".join(rng.choice(letters, size=int(rng.integers(*length))))
        if w not in stop:
            words.add(w)
    return sorted(words)


def _planted_keywords(n_docs, n_planted=5, repeats=5, n_filler=100):
    """Documents repeating 5 planted keywords among filler words (as tests/text/test_keywords)."""
    rng = np.random.default_rng(0)
    vocab = _pseudo_words(rng, 20_040)
    pool, filler = vocab[:40], np.array(vocab[40:], dtype=object)
    stop = np.array(sorted(_stop_words()), dtype=object)
    docs, truth = [], []
    for _ in range(n_docs):
        planted = list(rng.choice(pool, size=n_planted, replace=False))
        tokens = planted * repeats + list(rng.choice(filler, size=n_filler))
        tokens += list(rng.choice(stop, size=30))
        rng.shuffle(tokens)
        docs.append(" ".join(tokens[:40]) + ". " + " ".join(tokens[40:]) + ".")
        truth.append(set(planted))
    return docs, truth


def _planted_sentences(n_docs, n_salient=6, n_noise=10):
    """Salient sentences share topic words, noise sentences have unique words (as
    tests/text/test_summarizer)."""
    rng = np.random.default_rng(0)
    vocab = _pseudo_words(rng, 20_000)
    per_doc = 6 + 7 * n_noise + 3 * n_salient
    docs, truth = [], []
    for _ in range(n_docs):
        words_of_doc = list(rng.choice(vocab, size=per_doc, replace=False))
        topic, rest = words_of_doc[:6], words_of_doc[6:]
        sentences, salient = [], []
        for i in range(n_salient):
            words = list(rng.choice(topic, size=4, replace=False)) + rest[3 * i : 3 * i + 3]
            rng.shuffle(words)
            sentences.append(" ".join(words).capitalize() + ".")
            salient.append(sentences[-1])
        noise_words = rest[3 * n_salient :]
        for i in range(n_noise):
            sentences.append(" ".join(noise_words[7 * i : 7 * i + 7]).capitalize() + ".")
        rng.shuffle(sentences)
        docs.append(" ".join(sentences))
        truth.append(set(salient))
    return docs, truth


class _Clock:
    """A side of a case that records its run times, for a quality column that compares them."""

    def __init__(self, fn):
        self.fn = fn
        self.times = []

    def __call__(self, data):
        t0 = time.perf_counter()
        out = self.fn(data)
        self.times.append(time.perf_counter() - t0)
        return out

    def median(self, skip_first=False):
        times = self.times[1:] if skip_first and len(self.times) > 1 else self.times
        return statistics.median(times)


# --------------------------------------------------------------------------- vectorizers
def _count_vectorizer(module):
    def run(docs):
        if module == "ours":
            from pai_algos.text import CountVectorizer
        else:
            from sklearn.feature_extraction.text import CountVectorizer
        vec = CountVectorizer()
        return vec.fit_transform(docs), vec.vocabulary_

    return run


def _same_counts(docs, ours, peer):
    (a, vocab_a), (b, vocab_b) = ours, peer
    same = a.shape == b.shape and a.nnz == b.nnz and vocab_a == vocab_b
    diff = abs(a - b).max() if same else float("nan")
    return (
        f"shape {a.shape} nnz {a.nnz}/{b.nnz} same vocabulary {vocab_a == vocab_b} "
        f"max abs diff {diff:.1e}"
    )


def _count_matrix():
    """Counts of 1,000,000 documents x 30,000 terms, ~25 distinct terms per document."""
    rng = np.random.default_rng(0)
    n, m, per_row = _n(1_000_000), 30_000, 25
    # Zipf-like term popularity, as in real text
    p = 1.0 / np.arange(1, m + 1) ** 0.9
    cols = rng.choice(m, size=n * per_row, p=p / p.sum()).astype(np.int32)
    rows = np.repeat(np.arange(n, dtype=np.int32), per_row)
    X = sp.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(n, m))
    X.sum_duplicates()
    return X


def _tfidf_transformer(module):
    def run(X):
        if module == "ours":
            from pai_algos.text import TfidfTransformer
        else:
            from sklearn.feature_extraction.text import TfidfTransformer
        return TfidfTransformer(sublinear_tf=True).fit_transform(X)

    return run


def _same_matrix(X, ours, peer):
    same = ours.shape == peer.shape and ours.nnz == peer.nnz
    diff = abs(ours - peer).max() if same else float("nan")
    return f"{X.shape} nnz {X.nnz}; nnz {ours.nnz}/{peer.nnz} max abs diff {diff:.1e}"


# --------------------------------------------------------------------------- Doc2Vec
# 10 epochs (the default of both): with 5 the document vectors are still near random
D2V_PARAMS = dict(vector_size=100, window=5, min_count=5, sample=1e-3, negative=5, epochs=10)


def _doc2vec_data():
    from pai_algos.datasets import make_corpus

    docs, _, _, dominant = make_corpus(
        n_documents=_n(4_000),
        n_topics=20,
        vocabulary_size=5_000,
        document_length=(50, 150),
        random_state=0,
    )
    return [d.split() for d in docs], dominant


def _doc2vec_ours(data):
    from pai_algos.text import Doc2Vec

    tokens, _ = data
    return Doc2Vec(**D2V_PARAMS, n_jobs=THREADS, random_state=0).fit(tokens)


def _doc2vec_gensim(data):
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument

    tokens, _ = data
    tagged = [TaggedDocument(t, [i]) for i, t in enumerate(tokens)]
    params = {**D2V_PARAMS, "epochs": 1}
    model = Doc2Vec(**params, dm=0, workers=THREADS, seed=0)
    model.build_vocab(tagged)
    start = time.perf_counter()
    model.train(tagged, total_examples=len(tagged), epochs=D2V_PARAMS["epochs"])
    model.train_seconds_ = time.perf_counter() - start
    return model


def _neighbour_purity(vectors, topics, n_queries=500, topn=10):
    """Share of the ``topn`` nearest documents (cosine) of the queries with the query's topic."""
    v = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    q = np.arange(min(n_queries, len(v)))
    sims = v[q] @ v.T
    sims[q, q] = -np.inf
    nearest = np.argpartition(-sims, topn, axis=1)[:, :topn]
    return float(np.mean(topics[nearest] == topics[q, None]))


def _doc2vec_quality(data, ours, peer):
    tokens, topics = data
    n_docs, epochs = len(tokens), D2V_PARAMS["epochs"]
    ours_dps = n_docs * epochs / ours.history_["seconds"][-1]
    peer_dps = n_docs * epochs / peer.train_seconds_
    peer_dv = peer.dv.vectors[[peer.dv.get_index(i) for i in range(n_docs)]]
    return (
        f"{n_docs} docs, {sum(map(len, tokens))} tokens; training docs/s ours "
        f"{ours_dps:,.0f} gensim {peer_dps:,.0f} (ratio {ours_dps / peer_dps:.2f}); "
        f"top-10 nearest-document topic purity ours "
        f"{_neighbour_purity(ours.dv_, topics):.2f} gensim "
        f"{_neighbour_purity(peer_dv, topics):.2f}"
    )


# --------------------------------------------------------------------------- TextRank
def _pagerank_blocks(W, block_of, n_blocks, damping=0.85, tol=1e-6, max_iter=100):
    """Weighted PageRank of a block-diagonal graph, all blocks at once, each block's scores
    summing to 1 (dangling mass spread over its block), as ``naive_strings.pagerank``."""
    n_in_block = np.bincount(block_of, minlength=n_blocks).astype(np.float64)
    size = n_in_block[block_of]
    strength = np.asarray(W.sum(axis=1)).ravel()
    dangling = strength <= 0
    inv = np.divide(1.0, strength, out=np.zeros_like(strength), where=~dangling)
    trans_t = (sp.diags(inv) @ W).T.tocsr()
    x = 1.0 / size
    for _ in range(max_iter):
        lost = np.bincount(block_of, weights=x * dangling, minlength=n_blocks)[block_of]
        new = (1 - damping) / size + damping * (trans_t @ x + lost / size)
        change = np.bincount(block_of, weights=np.abs(new - x), minlength=n_blocks)
        x = new
        if np.all(change < n_in_block * tol):
            break
    return x


def _top_per_block(scores, block_of, n_blocks, k):
    """Per block, the positions of its ``k`` best scores, best first (ties: lower position)."""
    order = np.lexsort((np.arange(len(scores)), -scores, block_of))
    starts = np.searchsorted(block_of[order], np.arange(n_blocks))
    rank = np.arange(len(order)) - starts[block_of[order]]
    keep = order[rank < k]
    bounds = np.searchsorted(block_of[keep], np.arange(n_blocks + 1))
    return [keep[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]


def _textrank_keywords_reference(docs, top_k=5, window=2):
    """TextRank keywords with ``re`` and scipy: the candidates of each document are the nodes
    of one block of a block-diagonal graph; neighbours within ``window`` are linked."""
    findall = re.compile(TOKEN_PATTERN).findall
    stop = _stop_words()
    seq, doc_of_token, node_word, node_doc = [], [], [], []
    for d, doc in enumerate(docs):
        local = {}
        for t in findall(doc.lower()):
            if t not in stop:
                if t not in local:
                    local[t] = len(node_word)
                    node_word.append(t)
                    node_doc.append(d)
                seq.append(local[t])
                doc_of_token.append(d)
    seq = np.asarray(seq, dtype=np.int64)
    doc_of_token = np.asarray(doc_of_token, dtype=np.int64)
    rows, cols = [], []
    for k in range(1, window):
        ok = (doc_of_token[:-k] == doc_of_token[k:]) & (seq[:-k] != seq[k:])
        rows += [seq[:-k][ok], seq[k:][ok]]
        cols += [seq[k:][ok], seq[:-k][ok]]
    n = len(node_word)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    W = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    node_doc = np.asarray(node_doc, dtype=np.int64)
    scores = _pagerank_blocks(W, node_doc, len(docs))
    return [
        [node_word[i] for i in sel] for sel in _top_per_block(scores, node_doc, len(docs), top_k)
    ]


def _keywords_ours(method):
    def run(data):
        from pai_algos.text import KeywordExtractor

        docs, _ = data
        return KeywordExtractor(method, top_k=5).fit(docs).transform(docs)

    return run


def _keywords_textrank_peer(data):
    docs, _ = data
    return _textrank_keywords_reference(docs, top_k=5)


def _keywords_tfidf_peer(data):
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs, _ = data
    vec = TfidfVectorizer(stop_words="english")
    X = vec.fit_transform(docs).tocsr()
    names = vec.get_feature_names_out()
    out = []
    for a, b in zip(X.indptr[:-1].tolist(), X.indptr[1:].tolist()):
        cols, vals = X.indices[a:b], X.data[a:b]
        out.append(names[cols[np.lexsort((cols, -vals))[:5]]].tolist())
    return out


def _precision_quality(data, ours, peer):
    _, truth = data
    p_ours = np.mean([len(set(k) & t) / 5 for k, t in zip(ours, truth)])
    p_peer = np.mean([len(set(k) & t) / 5 for k, t in zip(peer, truth)])
    same = np.mean([set(a) == set(b) for a, b in zip(ours, peer)])
    return (
        f"{len(truth)} docs; precision@5 ours {p_ours:.3f} peer {p_peer:.3f}; "
        f"same top-5 set {same:.1%}"
    )


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _textrank_summaries_reference(docs, n_sentences=5):
    """TextRank summaries with ``re`` and scipy: sentence-by-(document, word) incidence B,
    overlaps B B^T (block-diagonal by construction), the TextRank weights, batched PageRank."""
    findall = re.compile(TOKEN_PATTERN).findall
    stop = _stop_words()
    sentences, sent_doc, indptr, indices, columns = [], [], [0], [], {}
    for d, doc in enumerate(docs):
        for s in _SENTENCE_END.split(doc.strip()):
            if not s:
                continue
            words = set(findall(s.lower())) - stop
            indices.extend(columns.setdefault((d, w), len(columns)) for w in words)
            indptr.append(len(indices))
            sentences.append(s)
            sent_doc.append(d)
    n = len(sentences)
    B = sp.csr_matrix(
        (np.ones(len(indices)), np.asarray(indices), np.asarray(indptr)), shape=(n, len(columns))
    )
    overlap = (B @ B.T).tocoo()
    off = overlap.row != overlap.col
    r, c, common = overlap.row[off], overlap.col[off], overlap.data[off]
    log_len = np.log(np.maximum(np.diff(B.indptr), 1))
    den = log_len[r] + log_len[c]
    W = sp.csr_matrix((common / np.where(den > 0, den, 1.0), (r, c)), shape=(n, n))
    sent_doc = np.asarray(sent_doc, dtype=np.int64)
    scores = _pagerank_blocks(W, sent_doc, len(docs))
    return [
        [sentences[i] for i in np.sort(sel)]
        for sel in _top_per_block(scores, sent_doc, len(docs), n_sentences)
    ]


def _summaries_ours(data):
    from pai_algos.text import TextSummarizer

    docs, _ = data
    return TextSummarizer(n_sentences=5).fit(docs).transform(docs)


def _summaries_peer(data):
    docs, _ = data
    return _textrank_summaries_reference(docs, 5)


# --------------------------------------------------------------------------- sentences
def _sentences_ours(docs):
    from pai_algos.text import SentenceSplitter

    return SentenceSplitter().fit(docs).transform(docs)


def _sentences_peer(docs):
    split = _SENTENCE_END.split
    return [[s for s in split(d.strip()) if s] for d in docs]


def _sentences_quality(docs, ours, peer):
    n_ours, n_peer = sum(map(len, ours)), sum(map(len, peer))
    same = np.mean([a == b for a, b in zip(ours, peer)])
    return (
        f"{len(docs)} docs; sentences ours {n_ours} regex {n_peer}; same split {same:.1%} "
        "(the regex also cuts after e.g./Dr./U.S.)"
    )


# --------------------------------------------------------------------------- PMI
PMI_WINDOW, PMI_MIN_COUNT = 5, 5


def _pmi_data():
    from pai_algos.datasets import make_corpus

    return make_corpus(
        n_documents=_n(5_000),
        n_topics=20,
        vocabulary_size=20_000,
        document_length=(50, 150),
        random_state=0,
        return_topics=False,
    )


def _pmi_ours(docs):
    from pai_algos.text import PMI

    return PMI(window=PMI_WINDOW, min_count=PMI_MIN_COUNT, n_jobs=THREADS).fit(docs)


def _pmi_peer(docs):
    """Co-occurrence counts by NumPy shifts and a scipy COO matrix, then PPMI."""
    findall = re.compile(TOKEN_PATTERN).findall
    index, ids, doc_ptr = {}, [], [0]
    for doc in docs:
        ids.extend(index.setdefault(t, len(index)) for t in findall(doc.lower()))
        doc_ptr.append(len(ids))
    ids = np.asarray(ids, dtype=np.int64)
    counts = np.bincount(ids, minlength=len(index))
    keep = counts >= PMI_MIN_COUNT
    remap = np.full(len(index), -1, np.int64)
    remap[keep] = np.arange(keep.sum())
    tok = remap[ids]
    doc_of = np.repeat(np.arange(len(docs)), np.diff(doc_ptr))
    rows, cols = [], []
    for k in range(1, PMI_WINDOW + 1):
        ok = (doc_of[:-k] == doc_of[k:]) & (tok[:-k] >= 0) & (tok[k:] >= 0)
        rows += [tok[:-k][ok], tok[k:][ok]]
        cols += [tok[k:][ok], tok[:-k][ok]]
    n = int(keep.sum())
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    cooc = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n)).tocsr()
    coo = cooc.tocoo()
    total = coo.data.sum()
    row_sum = np.asarray(cooc.sum(axis=1)).ravel()
    col_sum = np.asarray(cooc.sum(axis=0)).ravel()
    values = np.log(coo.data * total / (row_sum[coo.row] * col_sum[coo.col]))
    pmi = sp.csr_matrix((np.maximum(values, 0.0), (coo.row, coo.col)), shape=(n, n))
    pmi.eliminate_zeros()
    words = np.array(list(index), dtype=object)[keep]
    return pmi, words


def _pmi_quality(docs, ours, peer):
    pmi, words = peer
    order = np.argsort(np.array([ours.vocabulary_[w] for w in words]))
    aligned = pmi[order][:, order]
    same = aligned.shape == ours.pmi_.shape and aligned.nnz == ours.pmi_.nnz
    diff = abs(aligned - ours.pmi_).max() if same else float("nan")
    return (
        f"{int(ours.counts_.sum())} tokens, {len(words)} words; PPMI nnz "
        f"{ours.pmi_.nnz}/{pmi.nnz} max abs diff {diff:.1e}"
    )


# --------------------------------------------------------------------------- tokens
def _tokenizer_ours(docs):
    from pai_algos.text import RegexTokenizer

    return RegexTokenizer().fit_transform(docs)


def _tokenizer_peer(docs):
    findall = re.compile(TOKEN_PATTERN).findall
    return [findall(d.lower()) for d in docs]


def _same_lists(docs, ours, peer):
    n = sum(map(len, ours))
    return f"{len(docs)} docs, {n} tokens; same output {ours == peer}"


def _token_lists():
    """Token lists of prose, about a third of them stop words, some capitalized."""
    docs = _prose(_n(100_000), seed=1)
    return [d.replace(",", "").replace(".", " ").split() for d in docs]


def _stop_ours(tokens):
    from pai_algos.text import StopWordsRemover

    return StopWordsRemover().fit_transform(tokens)


def _stop_peer(tokens):
    stop = _stop_words()
    return [[t for t in doc if t.lower() not in stop] for doc in tokens]


def _stop_quality(tokens, ours, peer):
    kept, total = sum(map(len, ours)), sum(map(len, tokens))
    return f"{len(tokens)} docs, {total} tokens, {kept} kept; same output {ours == peer}"


# --------------------------------------------------------------------------- pyarrow
def _arrow_column(accents):
    def make():
        import pyarrow as pa

        return pa.array(_prose(_n(200_000), seed=2, accents=accents), pa.string())

    return make


def _arrow_ours(arr):
    """The vectorizers' path: lowercase (pc.ascii_lower when ASCII) and the Numba tokenizer."""
    from pai_algos.text import CountVectorizer
    from pai_algos.text import _engine as eng

    data, tok_ptr, starts, ends = eng.word_tokens(CountVectorizer(), arr)
    return tok_ptr, int((ends - starts).sum())


def _arrow_peer(arr):
    """pyarrow.compute: lowercase, split at non-word runs, keep tokens of 2+ characters."""
    import pyarrow.compute as pc

    ascii_only = pc.all(pc.string_is_ascii(arr)).as_py()
    lower = pc.ascii_lower(arr) if ascii_only else pc.utf8_lower(arr)
    pieces = pc.split_pattern_regex(lower, r"[^\p{L}\p{N}_]+")
    flat = pc.list_flatten(pieces)
    keep = pc.greater_equal(pc.utf8_length(flat), 2)
    tokens = pc.filter(flat, keep)
    parents = pc.filter(pc.list_parent_indices(pieces), keep).to_numpy()
    tok_ptr = np.zeros(len(arr) + 1, np.int64)
    np.cumsum(np.bincount(parents, minlength=len(arr)), out=tok_ptr[1:])
    return tok_ptr, tokens


def _arrow_case(accents):
    ours, peer = _Clock(_arrow_ours), _Clock(_arrow_peer)

    def quality(arr, ours_result, peer_result):
        (ptr_a, n_bytes), (ptr_b, tokens) = ours_result, peer_result
        import pyarrow.compute as pc

        same = np.array_equal(ptr_a, ptr_b) and n_bytes == pc.sum(pc.binary_length(tokens)).as_py()
        t_ours, t_peer = ours.median(skip_first=True), peer.median()
        faster = "ours (Numba)" if t_ours < t_peer else "pyarrow.compute"
        return (
            f"{len(arr)} docs, {ptr_a[-1]} tokens, same tokens {same}; faster: {faster} "
            f"({min(t_ours, t_peer):.3f} s vs {max(t_ours, t_peer):.3f} s)"
        )

    kind = "non-ASCII (é, ü, ñ)" if accents else "ASCII"
    return Case(
        name=f"lowercase+tokenize pyarrow string column, {kind}, {_n(200_000)} docs",
        make_data=_arrow_column(accents),
        ours=ours,
        peer=peer,
        peer_name="pyarrow.compute",
        repeats=3,
        quality=quality,
    )


CASES = [
    Case(
        name=f"CountVectorizer fit_transform unigrams {_n(100_000)} docs",
        make_data=lambda: _short_documents(_n(100_000)),
        ours=_count_vectorizer("ours"),
        peer=_count_vectorizer("sklearn"),
        repeats=3,
        quality=_same_counts,
    ),
    Case(
        name=f"TfidfTransformer(sublinear_tf) fit_transform {_n(1_000_000)}x30000 counts",
        make_data=_count_matrix,
        ours=_tfidf_transformer("ours"),
        peer=_tfidf_transformer("sklearn"),
        repeats=3,
        quality=_same_matrix,
    ),
    Case(
        name=f"Doc2Vec PV-DBOW fit {_n(4_000)} docs, 10 epochs, 2 threads",
        make_data=_doc2vec_data,
        ours=_doc2vec_ours,
        peer=_doc2vec_gensim,
        peer_name="gensim",
        repeats=2,
        quality=_doc2vec_quality,
    ),
    Case(
        name=f"KeywordExtractor textrank top-5 {_n(5_000)} docs",
        make_data=lambda: _planted_keywords(_n(5_000)),
        ours=_keywords_ours("textrank"),
        peer=_keywords_textrank_peer,
        peer_name="re + scipy TextRank",
        repeats=3,
        quality=_precision_quality,
    ),
    Case(
        name=f"KeywordExtractor tfidf top-5 {_n(10_000)} docs",
        make_data=lambda: _planted_keywords(_n(10_000)),
        ours=_keywords_ours("tfidf"),
        peer=_keywords_tfidf_peer,
        peer_name="scikit-learn TfidfVectorizer",
        repeats=3,
        quality=_precision_quality,
    ),
    Case(
        name=f"TextSummarizer 5 sentences {_n(5_000)} docs",
        make_data=lambda: _planted_sentences(_n(5_000)),
        ours=_summaries_ours,
        peer=_summaries_peer,
        peer_name="re + scipy TextRank",
        repeats=3,
        quality=_precision_quality,
    ),
    Case(
        name=f"SentenceSplitter {_n(50_000)} docs",
        make_data=lambda: _prose(_n(50_000)),
        ours=_sentences_ours,
        peer=_sentences_peer,
        peer_name="Python re.split",
        repeats=3,
        quality=_sentences_quality,
    ),
    Case(
        name=f"PMI fit window=5 {_n(5_000)} docs",
        make_data=_pmi_data,
        ours=_pmi_ours,
        peer=_pmi_peer,
        peer_name="NumPy + scipy.sparse",
        repeats=3,
        quality=_pmi_quality,
    ),
    Case(
        name=f"RegexTokenizer fit_transform {_n(100_000)} docs",
        make_data=lambda: _prose(_n(100_000)),
        ours=_tokenizer_ours,
        peer=_tokenizer_peer,
        peer_name="Python re.findall",
        repeats=3,
        quality=_same_lists,
    ),
    Case(
        name=f"StopWordsRemover fit_transform {_n(100_000)} docs",
        make_data=_token_lists,
        ours=_stop_ours,
        peer=_stop_peer,
        peer_name="Python list comprehension",
        repeats=3,
        quality=_stop_quality,
    ),
    _arrow_case(accents=False),
    _arrow_case(accents=True),
]

__all__ = ["CASES"]

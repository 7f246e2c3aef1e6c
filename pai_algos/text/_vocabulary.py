"""Vocabulary learning and lookup for CountVectorizer / TfidfVectorizer, on our kernels.

``learn`` counts the documents and learns scikit-learn's vocabulary (terms sorted, then pruned
by ``max_df``, ``min_df`` and ``max_features`` with scikit-learn's tie rule); ``count`` maps
new documents onto a fitted (or given) vocabulary. Both return CSR matrices with sorted indices.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from . import _engine as eng


def _kernels():
    return eng._k()


# --------------------------------------------------------------------------- fitted state
def _stop_key(est):
    stop = est.stop_words
    return tuple(stop) if isinstance(stop, list) else stop


def _word_units(est, strings):
    """Unit table of the word path: ``strings`` then the stop words it lacks, with flags."""
    stop = est.get_stop_words()
    strings = list(strings)
    is_stop = np.zeros(len(strings), dtype=np.bool_)
    if stop:
        seen = set(strings)
        for i, s in enumerate(strings):
            is_stop[i] = s in stop
        extra = sorted(w for w in stop if w not in seen)
        strings += extra
        is_stop = np.concatenate([is_stop, np.ones(len(extra), np.bool_)])
    keys, key_offsets = eng.encode_keys(strings)
    return keys, key_offsets, is_stop


def _finish_state(state):
    """Build the hash slots of a state (lazily: the first transform after fit pays for it)."""
    k = _kernels()
    if state["path"] == "word" and state.get("uni_slots") is None:
        state["uni_slots"] = k.span_table(state["uni_keys"], state["uni_offsets"])
    if state.get("feat_slots") is None:
        state["feat_slots"] = k.span_table(state["feat_keys"], state["feat_offsets"])
    return state


def _split_at(text, offsets):
    """Cut ``text`` at ``offsets`` (C speed: insert NULs through NumPy, then ``str.split``)."""
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    n = len(offsets) - 1
    out = np.zeros(len(cps) + n, dtype=np.uint32)
    pos = np.arange(len(cps)) + np.searchsorted(offsets[1:], np.arange(len(cps)), side="right")
    out[pos] = cps
    return out[:-1].tobytes().decode("utf-32-le", "surrogatepass").split("\x00") if n else []


def state_from_vocabulary(est):
    """Lookup arrays for the word or char path from ``vocabulary_`` (a fixed vocabulary)."""
    terms = list(est.vocabulary_.keys())
    cols = np.fromiter(est.vocabulary_.values(), np.int64, count=len(terms))
    path = est._engine_path()
    if path == "word":
        unit_id = {}
        feat_units = []
        lengths = np.empty(len(terms), np.int64)
        for i, term in enumerate(terms):
            parts = term.split(" ")
            lengths[i] = len(parts)
            feat_units.extend(unit_id.setdefault(p, len(unit_id)) for p in parts)
        uni_keys, uni_offsets, uni_stop = _word_units(est, list(unit_id))
        feat_keys = np.asarray(feat_units, dtype=np.int64)
    else:
        feat_keys, lengths_ptr = eng.code_points(terms)
        lengths = np.diff(lengths_ptr)
        uni_keys = uni_offsets = uni_stop = None
    feat_offsets = np.zeros(len(terms) + 1, np.int64)
    np.cumsum(lengths, out=feat_offsets[1:])
    state = {
        "path": path,
        "stop": _stop_key(est),
        "uni_keys": uni_keys,
        "uni_offsets": uni_offsets,
        "uni_stop": uni_stop,
        "feat_keys": feat_keys,
        "feat_offsets": feat_offsets,
        "feat_cols": cols,
    }
    return _finish_state(state)


def current_state(est):
    state = getattr(est, "_text_state_", None)
    path = est._engine_path()
    if state is not None and state["path"] == path and state["stop"] == _stop_key(est):
        return _finish_state(state)
    return state_from_vocabulary(est)


# --------------------------------------------------------------------------- counting
def _ones(n):
    return np.ones(n, dtype=np.float64)


def count(est, docs):
    """Document-term counts on ``vocabulary_`` (a CSR matrix with sorted indices)."""
    n_cols = len(est.vocabulary_)
    path = est._engine_path()
    if path == "python":
        flat, doc_ptr = eng.python_features(est, docs)
        get = est.vocabulary_.get
        ids = np.fromiter((get(f, -1) for f in flat), np.int64, count=len(flat))
        doc_ptr, ids = eng.occurrences(doc_ptr, ids)
        return eng.assemble(doc_ptr, ids, _ones(len(ids)), n_cols, est.dtype)
    k = _kernels()
    state = current_state(est)

    def lookup(data, starts, ends):
        ids = k.lookup_spans(
            data, starts, ends, state["uni_keys"], state["uni_offsets"], state["uni_slots"]
        )
        is_stop = (ids >= 0) & state["uni_stop"][np.maximum(ids, 0)] if len(ids) else None
        return ids, is_stop, None

    streams = eng.analyzed_streams(est, docs, lookup)
    fids = k.lookup_spans(
        streams["stream"],
        streams["starts"],
        streams["ends"],
        state["feat_keys"],
        state["feat_offsets"],
        state["feat_slots"],
    )
    doc_ptr, fids = eng.occurrences(streams["doc_ptr"], fids)
    cols = state["feat_cols"][fids]
    return eng.assemble(doc_ptr, cols, _ones(len(cols)), n_cols, est.dtype)


def _limit(est, X):
    """scikit-learn's pruning on a term-sorted X: returns ``(X, kept column indices)``."""
    n_doc, n_feat = X.shape
    max_df, min_df, max_features = est.max_df, est.min_df, est.max_features
    high = max_df if isinstance(max_df, Integral) else max_df * n_doc
    low = min_df if isinstance(min_df, Integral) else min_df * n_doc
    if high < low:
        raise ValueError("max_df corresponds to < documents than min_df")
    dfs = np.bincount(X.indices, minlength=n_feat)
    mask = (dfs <= high) & (dfs >= low)
    if max_features is not None and mask.sum() > max_features:
        tfs = np.asarray(X.sum(axis=0)).ravel()  # in X's dtype, for scikit-learn's tie order
        mask_inds = (-tfs[mask]).argsort()[:max_features]
        new_mask = np.zeros(n_feat, dtype=bool)
        new_mask[np.where(mask)[0][mask_inds]] = True
        mask = new_mask
    kept = np.flatnonzero(mask)
    if len(kept) == 0:
        raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
    if len(kept) < n_feat:
        new_col = np.full(n_feat, -1, np.int64)
        new_col[kept] = np.arange(len(kept))
        data, indices, indptr = _kernels().csr_remap_columns(X.indptr, X.indices, X.data, new_col)
        import scipy.sparse as sp

        X = sp.csr_matrix((data, indices, indptr), shape=(n_doc, len(kept)))
        X.has_sorted_indices = True
    return X, kept


def learn(est, docs):
    """Count the documents and learn the vocabulary.

    Returns
    -------
    X : csr_matrix of shape (n_documents, n_terms)
    vocabulary : dict
    state : dict or None
        Lookup arrays for ``transform`` (None on the Python path).
    """
    k = _kernels()
    path = est._engine_path()
    if path == "python":
        flat, doc_ptr = eng.python_features(est, docs)
        table = {}
        setdefault = table.setdefault
        fids = np.fromiter((setdefault(f, len(table)) for f in flat), np.int64, count=len(flat))
        strings = list(table)
        n_feat = len(strings)
        order = np.asarray(sorted(range(n_feat), key=strings.__getitem__), dtype=np.int64)
        unit = None
    else:
        unit = {}
        if path == "word":
            stop = est.get_stop_words()
            est._check_stop_words_consistency(stop, est.build_preprocessor(), est.build_tokenizer())

            def lookup(data, starts, ends):
                # token ids are ranks: the order of the token strings
                ids, first = k.intern_spans(data, starts, ends)
                keys, key_offsets = k.gather_spans(data, starts[first], ends[first])
                strings = eng.decode_keys(keys, key_offsets)
                order_u = np.asarray(
                    sorted(range(len(strings)), key=strings.__getitem__), dtype=np.int64
                )
                rank = np.empty(len(strings), np.int64)
                rank[order_u] = np.arange(len(strings))
                keys, key_offsets = k.gather_spans(
                    keys, key_offsets[:-1][order_u], key_offsets[1:][order_u]
                )
                strings = [strings[i] for i in order_u]
                unit.update(keys=keys, offsets=key_offsets, strings=strings)
                ids = rank[ids]
                if not stop:
                    return ids, None, None
                flags = np.fromiter((s in stop for s in strings), np.bool_, count=len(strings))
                return ids, flags[ids], None

            streams = eng.analyzed_streams(est, docs, lookup)
            stream = streams["stream"]
            n_units = len(unit["strings"])
        else:
            streams = eng.analyzed_streams(est, docs, None)
            unit["code_points"], stream = np.unique(streams["stream"], return_inverse=True)
            stream = stream.astype(np.int64, copy=False)
            n_units = len(unit["code_points"])
        doc_ptr = streams["doc_ptr"]
        starts, ends = streams["starts"], streams["ends"]
        width = est.ngram_range[1]
        bits = max(int(n_units + 1).bit_length(), 1)
        if bits * width <= 63:
            packed = k.pack_spans(stream, starts, ends, bits, width)
            uniq, fids = np.unique(packed, return_inverse=True)
            fids = fids.astype(np.int64, copy=False)
            feat_keys, feat_offsets = k.unpack_keys(uniq, bits, width)
            order = np.arange(len(uniq), dtype=np.int64)
        else:
            fids, first = k.intern_spans(stream, starts, ends)
            feat_keys, feat_offsets = k.gather_spans(stream, starts[first], ends[first])
            order = eng.all_sorted_by_tuples(feat_keys, feat_offsets, None)
        if path == "char":
            feat_keys = unit["code_points"].astype(np.int64)[feat_keys]
            unit = None
        n_feat = len(feat_offsets) - 1
    if n_feat == 0:
        raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
    position = np.empty(n_feat, np.int64)
    position[order] = np.arange(n_feat)
    X = eng.assemble(doc_ptr, position[fids], _ones(len(fids)), n_feat, np.float64)
    if est.binary:
        X.data.fill(1)
    X.data = X.data.astype(est.dtype, copy=False)
    X, kept = _limit(est, X)
    kept_ids = order[kept]  # first-appearance ids of the kept terms, in column order
    if path == "python":
        terms = [strings[i] for i in kept_ids]
        state = None
    else:
        if path == "word":
            buf, _ = k.join_keys(
                unit["keys"], unit["offsets"], feat_keys, feat_offsets, kept_ids, _SPACE, 0
            )
            terms = eng.split_keys(buf, len(kept_ids))
        else:
            cps, offsets = k.gather_spans(
                feat_keys, feat_offsets[:-1][kept_ids], feat_offsets[1:][kept_ids]
            )
            text = cps.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")
            if "\x00" in text:
                bounds = offsets.tolist()
                terms = [text[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
            else:
                terms = _split_at(text, offsets)
        keys, offsets = k.gather_spans(
            feat_keys, feat_offsets[:-1][kept_ids], feat_offsets[1:][kept_ids]
        )
        state = {
            "path": path,
            "stop": _stop_key(est),
            "uni_keys": None,
            "uni_offsets": None,
            "uni_stop": None,
            "feat_keys": keys,
            "feat_offsets": offsets,
            "feat_cols": np.arange(len(kept_ids), dtype=np.int64),
        }
        if path == "word":
            uni_keys, uni_offsets, uni_stop = _word_units(est, unit["strings"])
            state.update(uni_keys=uni_keys, uni_offsets=uni_offsets, uni_stop=uni_stop)
    vocabulary = dict(zip(terms, range(len(terms))))
    return X, vocabulary, state


_SPACE = 32

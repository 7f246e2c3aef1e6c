"""Synthetic data with a known ground truth: click logs, user-item interactions, corpora.

Each generator draws from a stated model, so tests and examples can check that an estimator
recovers what was put in: the logistic weights behind the clicks (:func:`make_ctr`), the latent
factors and popularity behind the interactions (:func:`make_interactions`), the topics behind
the documents (:func:`make_corpus`).
"""

from __future__ import annotations

import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch, check_random_state

__all__ = ["make_corpus", "make_ctr", "make_interactions"]

# scipy shapes are signed 64-bit, so the widest key space a CSR matrix can have.
_MAX_COLUMNS = 2**63 - 1
# Users' interactions are drawn in blocks of about this many (user, item) cells.
_CHUNK_CELLS = 1 << 22
# Scale of the user-item affinity in the interaction logits (see make_interactions' Notes).
_AFFINITY_SCALE = 2.0


# ---------------------------------------------------------------------------------------------
# helpers


def _check_int(name, value, low, high=None):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}.")
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name} must be {bound}, got {value}.")
    return int(value)


def _check_real(name, value, low, high=None, low_open=False, high_open=False):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    value = float(value)
    bad_low = value <= low if low_open else value < low
    bad_high = high is not None and (value >= high if high_open else value > high)
    if not np.isfinite(value) or bad_low or bad_high:
        left = "(" if low_open else "["
        right = "inf)" if high is None else f"{high})" if high_open else f"{high}]"
        raise ValueError(f"{name} must be in {left}{low}, {right}, got {value}.")
    return value


def _splitmix64(x):
    """The splitmix64 finalizer (Steele, Lea & Flood 2014) on a uint64 array: a bijection."""
    z = np.asarray(x, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _hash_keys(field, value, key_bits):
    """64-bit keys of (field, value) pairs, reduced to the key space of ``key_bits`` bits.

    ``(field << 32) | value`` is injective for field, value < 2**32 and splitmix64 is a
    bijection, so distinct pairs get distinct 64-bit hashes; only the reduction to fewer bits
    can make two pairs share a key.
    """
    packed = (np.asarray(field, dtype=np.uint64) << np.uint64(32)) | np.asarray(
        value, dtype=np.uint64
    )
    h = _splitmix64(packed)
    if key_bits >= 63:
        h = h % np.uint64(_MAX_COLUMNS)
    else:
        h = h & np.uint64((1 << key_bits) - 1)
    return h.astype(np.int64)


def _zipf_probabilities(n, alpha):
    p = np.arange(1, n + 1, dtype=np.float64) ** -alpha
    return p / p.sum()


def _sample_from(cdf, u):
    """Inverse-CDF draws: indices into ``cdf`` (non-decreasing, last value 1) for uniforms."""
    return np.minimum(np.searchsorted(cdf, u * cdf[-1], side="right"), len(cdf) - 1)


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _solve_bias(scores, ctr):
    """Intercept b with mean(sigmoid(b + scores)) == ctr (the function is increasing in b)."""
    lo, hi = -60.0, 60.0
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if _sigmoid(mid + scores).mean() < ctr:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# ---------------------------------------------------------------------------------------------
# click logs


def make_ctr(
    n_samples=10_000,
    n_fields=10,
    cardinality=None,
    alpha=1.1,
    key_bits=64,
    ctr=0.1,
    weight_scale=1.5,
    random_state=None,
    return_weights=False,
):
    """Generate click logs: hashed categorical features and clicks from a logistic model.

    Each row is an impression with one categorical value per field. Within a field, value
    ``k`` (0-based popularity rank) is drawn with probability proportional to
    ``(k + 1) ** -alpha`` (a Zipf law truncated at the field's cardinality), and the field
    cardinalities themselves are spread log-uniformly from 10 to 100 000. Each (field, value)
    pair is hashed to a 64-bit key (splitmix64 of ``(field << 32) | value``), reduced to
    ``key_bits`` bits, and the key *is* the column index of the sparse matrix. The click label
    is drawn from a logistic model with one true weight per (field, value) pair.

    Parameters
    ----------
    n_samples : int, default=10000
        Number of impressions (rows).
    n_fields : int, default=10
        Number of categorical fields; every row has one non-zero (1.0) per field.
    cardinality : int or array-like of int of shape (n_fields,), default=None
        Number of distinct values per field. None spreads them log-uniformly from 10 to
        100 000 (``np.geomspace``); an int gives every field that many values (at most
        ``2**32 - 1``). The true weights are drawn for every pair, so memory grows with
        ``sum(cardinality)``.
    alpha : float, default=1.1
        Zipf exponent of value popularity within a field (0 gives uniform values).
    key_bits : int, default=64
        Bits of the hashed keys, in [1, 64]. For ``key_bits <= 62`` keys are the low
        ``key_bits`` bits of the hash and ``X.shape[1] == 2**key_bits``. scipy's shapes are
        signed 64-bit integers, so for 63 and 64 the keys are the hash modulo ``2**63 - 1``
        and ``X.shape[1] == 2**63 - 1``. With few bits distinct pairs may share a key (as in
        any feature hashing); their entries in a row are then summed.
    ctr : float, default=0.1
        Mean click probability over the generated rows; the intercept is solved for it.
    weight_scale : float, default=1.5
        Standard deviation of the true weights, divided by ``sqrt(n_fields)`` so that the
        spread of the logit does not grow with the number of fields.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws. The keys do not depend on it: a (field, value) pair always has the
        same key for a given ``key_bits``.
    return_weights : bool, default=False
        Also return the true model.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_samples, 2**key_bits or 2**63 - 1)
        float64 ones, ``int64`` indices (the keys, sorted within each row) and indptr.
    y : ndarray of shape (n_samples,)
        Clicks, int64 0/1.
    weights : :class:`~sklearn.utils.Bunch`
        Only when ``return_weights`` is True, the true model over all
        ``sum(cardinality)`` pairs: ``key`` (int64), ``field`` and ``value`` (the pair each
        key came from, value = popularity rank), ``coef`` (float64 weight of each pair),
        ``intercept`` (float), ``cardinality`` (int64 per field), ``probability`` (the
        Zipf probability of each pair within its field) and ``logit`` (the true logit of
        each row, shape (n_samples,)).

    See Also
    --------
    make_interactions : Users x items implicit feedback.
    sklearn.feature_extraction.FeatureHasher : Hashing of arbitrary feature names.

    Notes
    -----
    The label model is :math:`P(y_i = 1) = \\sigma(b + \\sum_f w_{f, v_{if}})` with
    :math:`w_{f,v} \\sim N(0, s^2 / F)`, :math:`s` = ``weight_scale``, :math:`F` =
    ``n_fields`` and :math:`b` chosen so that the mean probability over the rows is ``ctr``.
    Power-law value popularity is what makes click logs long-tailed: most keys are seen a
    handful of times, a few in a large share of the rows.

    References
    ----------
    .. [1] G. L. Steele, D. Lea and C. H. Flood, "Fast splittable pseudorandom number
       generators", OOPSLA 2014 (the splitmix64 finalizer).
    .. [2] H. B. McMahan et al., "Ad click prediction: a view from the trenches", KDD 2013.

    Examples
    --------
    >>> from pai_algos.datasets import make_ctr
    >>> X, y = make_ctr(n_samples=1000, n_fields=4, random_state=0)
    >>> X.shape == (1000, 2**63 - 1), X.indices.dtype.name, int(X.getnnz(axis=1).max())
    (True, 'int64', 4)
    >>> bool(0.05 < y.mean() < 0.2)
    True
    >>> X, y, w = make_ctr(n_samples=500, n_fields=3, key_bits=20, random_state=0,
    ...                    return_weights=True)
    >>> X.shape, w.cardinality.tolist()
    ((500, 1048576), [10, 1000, 100000])
    """
    n_samples = _check_int("n_samples", n_samples, 1)
    n_fields = _check_int("n_fields", n_fields, 1)
    alpha = _check_real("alpha", alpha, 0.0)
    key_bits = _check_int("key_bits", key_bits, 1, 64)
    ctr = _check_real("ctr", ctr, 0.0, 1.0, low_open=True, high_open=True)
    weight_scale = _check_real("weight_scale", weight_scale, 0.0)
    if cardinality is None:
        cardinality = np.rint(np.geomspace(10, 100_000, n_fields)).astype(np.int64)
    elif isinstance(cardinality, numbers.Integral) and not isinstance(cardinality, bool):
        cardinality = np.full(n_fields, _check_int("cardinality", cardinality, 1, 2**32 - 1))
    else:
        cardinality = np.asarray(cardinality)
        if cardinality.shape != (n_fields,) or cardinality.dtype.kind not in "iu":
            raise ValueError(
                f"cardinality must be an int or {n_fields} ints (one per field), got "
                f"{cardinality!r}."
            )
        if cardinality.min() < 1 or cardinality.max() > 2**32 - 1:
            raise ValueError(f"cardinality values must be in [1, 2**32 - 1], got {cardinality}.")
        cardinality = cardinality.astype(np.int64)
    rng = check_random_state(random_state)

    offsets = np.concatenate([[0], np.cumsum(cardinality)])
    n_pairs = int(offsets[-1])
    field_of = np.repeat(np.arange(n_fields, dtype=np.int64), cardinality)
    value_of = np.arange(n_pairs, dtype=np.int64) - offsets[field_of]
    coef = rng.normal(0.0, weight_scale / np.sqrt(n_fields), size=n_pairs)
    probability = np.empty(n_pairs)

    pair = np.empty((n_samples, n_fields), dtype=np.int64)  # global pair id per row and field
    for f in range(n_fields):
        p = _zipf_probabilities(int(cardinality[f]), alpha)
        probability[offsets[f] : offsets[f + 1]] = p
        pair[:, f] = offsets[f] + _sample_from(np.cumsum(p), rng.random_sample(n_samples))

    scores = coef[pair].sum(axis=1)
    intercept = _solve_bias(scores, ctr)
    logit = intercept + scores
    y = (rng.random_sample(n_samples) < _sigmoid(logit)).astype(np.int64)

    keys = _hash_keys(field_of, value_of, key_bits)
    cols = np.sort(keys[pair], axis=1)
    n_columns = _MAX_COLUMNS if key_bits >= 63 else 1 << key_bits
    indptr = np.arange(0, n_samples * n_fields + 1, n_fields, dtype=np.int64)
    X = sp.csr_matrix(
        (np.ones(n_samples * n_fields), cols.ravel(), indptr), shape=(n_samples, n_columns)
    )
    if (cols[:, 1:] == cols[:, :-1]).any():  # hash collisions within a row
        X.sum_duplicates()
    # scipy downcasts indices to int32 when they fit; the contract is int64 keys.
    X.indices = X.indices.astype(np.int64, copy=False)
    X.indptr = X.indptr.astype(np.int64, copy=False)

    if not return_weights:
        return X, y
    weights = Bunch(
        key=keys,
        field=field_of,
        value=value_of,
        coef=coef,
        intercept=float(intercept),
        cardinality=cardinality,
        probability=probability,
        logit=logit,
    )
    return X, y, weights


# ---------------------------------------------------------------------------------------------
# user-item interactions


def make_interactions(
    n_users=1000,
    n_items=500,
    n_factors=8,
    density=0.02,
    popularity_alpha=1.0,
    random_state=None,
    return_factors=False,
):
    """Generate implicit feedback: a users x items matrix of interaction counts.

    Items have a power-law popularity and users and items have latent factors; each user
    interacts with a set of distinct items drawn with probability proportional to
    ``popularity[j] * exp(2 * <u, v_j> / sqrt(n_factors))``, and each interaction is repeated
    a Poisson number of extra times that grows with the affinity. Every user has at least one
    interaction.

    Parameters
    ----------
    n_users : int, default=1000
        Number of users (rows).
    n_items : int, default=500
        Number of items (columns).
    n_factors : int, default=8
        Dimension of the latent factors.
    density : float, default=0.02
        Expected fraction of (user, item) cells that are non-zero, in (0, 1]. User activity
        is log-normal around ``density * n_items`` items (at least 1, at most ``n_items``).
    popularity_alpha : float, default=1.0
        Exponent of item popularity: the item of popularity rank ``r`` (0-based, ranks in a
        random order of the items) has weight ``(r + 1) ** -popularity_alpha``; 0 turns the
        skew off.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    return_factors : bool, default=False
        Also return the true user and item factors.

    Returns
    -------
    X : scipy.sparse.csr_matrix of shape (n_users, n_items)
        float32 interaction counts (>= 1 where non-zero), sorted indices.
    user_factors : ndarray of shape (n_users, n_factors)
        Only when ``return_factors`` is True: the true user factors (standard normal).
    item_factors : ndarray of shape (n_items, n_factors)
        Only when ``return_factors`` is True: the true item factors (standard normal).

    See Also
    --------
    make_ctr : Click logs with hashed categorical features.

    Notes
    -----
    With :math:`a_{uj} = 2\\,u_u^\\top v_j / \\sqrt{k}` and item weights
    :math:`\\pi_j \\propto (r_j + 1)^{-\\alpha}`, user :math:`u` picks :math:`n_u` distinct
    items by sampling without replacement from :math:`p_{uj} \\propto \\pi_j e^{a_{uj}}`
    (the Gumbel top-k trick [1]_), then each chosen item's count is
    :math:`1 + \\mathrm{Poisson}(2\\,\\sigma(a_{uj}))`.

    References
    ----------
    .. [1] W. Kool, H. van Hoof and M. Welling, "Stochastic beams and where to find them: the
       Gumbel-top-k trick for sampling sequences without replacement", ICML 2019.

    Examples
    --------
    >>> from pai_algos.datasets import make_interactions
    >>> X = make_interactions(n_users=100, n_items=50, density=0.1, random_state=0)
    >>> X.shape, X.dtype.name, bool(X.getnnz(axis=1).min() >= 1)
    ((100, 50), 'float32', True)
    >>> X, U, V = make_interactions(n_users=100, n_items=50, n_factors=4, random_state=0,
    ...                             return_factors=True)
    >>> U.shape, V.shape
    ((100, 4), (50, 4))
    """
    n_users = _check_int("n_users", n_users, 1)
    n_items = _check_int("n_items", n_items, 1)
    n_factors = _check_int("n_factors", n_factors, 1)
    density = _check_real("density", density, 0.0, 1.0, low_open=True)
    popularity_alpha = _check_real("popularity_alpha", popularity_alpha, 0.0)
    rng = check_random_state(random_state)

    user_factors = rng.standard_normal((n_users, n_factors))
    item_factors = rng.standard_normal((n_items, n_factors))
    rank = rng.permutation(n_items)
    log_popularity = -popularity_alpha * np.log1p(rank)

    sigma = 0.5
    mean_items = density * n_items
    n_per_user = np.rint(
        mean_items * np.exp(sigma * rng.standard_normal(n_users) - 0.5 * sigma**2)
    ).astype(np.int64)
    n_per_user = np.clip(n_per_user, 1, n_items)

    rows, cols, vals = [], [], []
    chunk = max(1, _CHUNK_CELLS // n_items)
    for start in range(0, n_users, chunk):
        stop = min(n_users, start + chunk)
        affinity = _AFFINITY_SCALE * (user_factors[start:stop] @ item_factors.T)
        affinity /= np.sqrt(n_factors)
        perturbed = affinity + log_popularity + rng.gumbel(size=affinity.shape)
        k = n_per_user[start:stop]
        order = np.argsort(-perturbed, axis=1, kind="stable")[:, : k.max()]
        keep = np.arange(order.shape[1]) < k[:, None]
        r = np.broadcast_to(np.arange(start, stop)[:, None], order.shape)[keep]
        c = order[keep]
        lam = 2.0 * _sigmoid(affinity[r - start, c])
        rows.append(r)
        cols.append(c)
        vals.append(1.0 + rng.poisson(lam))
    rows, cols, vals = (np.concatenate(a) for a in (rows, cols, vals))
    X = sp.csr_matrix(
        (vals.astype(np.float32), (rows, cols)), shape=(n_users, n_items), dtype=np.float32
    )
    X.sort_indices()
    if return_factors:
        return X, user_factors, item_factors
    return X


# ---------------------------------------------------------------------------------------------
# topic-model corpora


def make_corpus(
    n_documents=200,
    n_topics=5,
    vocabulary_size=1000,
    document_length=(50, 200),
    alpha=0.1,
    beta=0.01,
    random_state=None,
    return_topics=True,
):
    """Generate a corpus from an LDA topic model whose topics own blocks of the vocabulary.

    The vocabulary ``w0000, w0001, ...`` is cut into ``n_topics`` contiguous blocks of
    (nearly) equal size; topic ``k`` puts most of its mass on block ``k``. Each document
    draws its topic proportions from a Dirichlet, then each word's topic and the word.

    Parameters
    ----------
    n_documents : int, default=200
        Number of documents.
    n_topics : int, default=5
        Number of topics; at most ``vocabulary_size``.
    vocabulary_size : int, default=1000
        Number of distinct words.
    document_length : int or tuple of (int, int), default=(50, 200)
        ``(low, high)``: lengths uniform on ``low..high`` inclusive; an int: lengths
        ``1 + Poisson(document_length - 1)`` (mean ``document_length``).
    alpha : float, default=0.1
        Concentration of the symmetric Dirichlet prior on each document's topic proportions;
        small values give documents dominated by one topic.
    beta : float, default=0.01
        Concentration of the topic-word Dirichlet off a topic's own block (its own block gets
        ``1 + beta``); smaller values keep topics more strictly inside their blocks.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws.
    return_topics : bool, default=True
        Also return the true topic structure.

    Returns
    -------
    documents : list of str
        Space-separated words.
    doc_topic : ndarray of shape (n_documents, n_topics)
        Only when ``return_topics`` is True: each document's topic proportions (rows sum
        to 1).
    topic_word : ndarray of shape (n_topics, vocabulary_size)
        Only when ``return_topics`` is True: each topic's word distribution (rows sum to 1).
    dominant_topic : ndarray of shape (n_documents,)
        Only when ``return_topics`` is True: ``doc_topic.argmax(axis=1)``. Topic ``k`` owns
        the words ``w`` with ``w * n_topics // vocabulary_size == k``.

    See Also
    --------
    sklearn.decomposition.LatentDirichletAllocation : Fits this model.

    Notes
    -----
    The generative process of latent Dirichlet allocation [1]_:
    :math:`\\phi_k \\sim \\mathrm{Dir}(\\beta + \\mathbb{1}[\\mathrm{block}(w) = k])`,
    :math:`\\theta_d \\sim \\mathrm{Dir}(\\alpha)`, and for each word of document :math:`d`,
    :math:`z \\sim \\mathrm{Cat}(\\theta_d)`, :math:`w \\sim \\mathrm{Cat}(\\phi_z)`.

    References
    ----------
    .. [1] D. M. Blei, A. Y. Ng and M. I. Jordan, "Latent Dirichlet allocation", JMLR 3,
       993-1022, 2003.

    Examples
    --------
    >>> from pai_algos.datasets import make_corpus
    >>> docs, doc_topic, topic_word, dominant = make_corpus(n_documents=3, random_state=0)
    >>> len(docs), doc_topic.shape, topic_word.shape, dominant.shape
    (3, (3, 5), (5, 1000), (3,))
    >>> docs[0].split()[0][0], len(docs[0].split()[0])
    ('w', 5)
    """
    n_documents = _check_int("n_documents", n_documents, 1)
    vocabulary_size = _check_int("vocabulary_size", vocabulary_size, 1)
    n_topics = _check_int("n_topics", n_topics, 1, vocabulary_size)
    alpha = _check_real("alpha", alpha, 0.0, low_open=True)
    beta = _check_real("beta", beta, 0.0, low_open=True)
    rng = check_random_state(random_state)

    if isinstance(document_length, numbers.Integral) and not isinstance(document_length, bool):
        mean_length = _check_int("document_length", document_length, 1)
        lengths = 1 + rng.poisson(mean_length - 1, size=n_documents)
    else:
        try:
            low, high = (int(v) for v in document_length)
        except (TypeError, ValueError):
            raise ValueError(
                f"document_length must be an int or a (low, high) pair, got {document_length!r}."
            ) from None
        if not 1 <= low <= high:
            raise ValueError(f"document_length must satisfy 1 <= low <= high, got {(low, high)}.")
        lengths = rng.randint(low, high + 1, size=n_documents)

    block = np.arange(vocabulary_size) * n_topics // vocabulary_size
    topic_word = np.empty((n_topics, vocabulary_size))
    for k in range(n_topics):
        topic_word[k] = rng.dirichlet(beta + (block == k))
    doc_topic = rng.dirichlet(np.full(n_topics, alpha), size=n_documents)
    # Tiny alphas can underflow a whole row to zeros; such a document gets one topic.
    empty = ~(doc_topic.sum(axis=1) > 0)
    doc_topic[empty] = np.eye(n_topics)[rng.randint(n_topics, size=empty.sum())]
    doc_topic /= doc_topic.sum(axis=1, keepdims=True)
    topic_word /= topic_word.sum(axis=1, keepdims=True)

    doc_of_token = np.repeat(np.arange(n_documents), lengths)
    cum_doc = np.cumsum(doc_topic, axis=1)
    u = rng.random_sample(doc_of_token.size)
    topic = (u[:, None] * cum_doc[doc_of_token, -1:] >= cum_doc[doc_of_token]).sum(axis=1)
    topic = np.minimum(topic, n_topics - 1)
    words = np.empty(doc_of_token.size, dtype=np.int64)
    u = rng.random_sample(doc_of_token.size)
    for k in range(n_topics):
        mask = topic == k
        words[mask] = _sample_from(np.cumsum(topic_word[k]), u[mask])

    width = max(4, len(str(vocabulary_size - 1)))
    vocabulary = np.array([f"w{i:0{width}d}" for i in range(vocabulary_size)], dtype=object)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    documents = [" ".join(vocabulary[words[bounds[d] : bounds[d + 1]]]) for d in range(n_documents)]
    if not return_topics:
        return documents
    return documents, doc_topic, topic_word, doc_topic.argmax(axis=1)

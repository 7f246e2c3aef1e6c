"""SentenceSplitter: documents to sentences (PAI's sentence-splitting component)."""

from __future__ import annotations

import re
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..utils._sklearn_compat import Interval, StrOptions, _fit_context
from . import _engine as eng
from ._base import decode_bytes

# Lowercased, with their final dot. "e.g." and "i.e." are the classic traps; titles, Latin
# abbreviations and common English short forms follow.
DEFAULT_ABBREVIATIONS = frozenset(
    """
    e.g. i.e. etc. vs. cf. al. approx. ca. viz. resp. incl. esp. et.
    mr. mrs. ms. dr. prof. sr. jr. st. mt. rev. gen. col. capt. lt. sgt. gov. sen. rep. hon.
    inc. ltd. co. corp. dept. univ. assn. bros.
    no. nos. vol. vols. fig. figs. eq. eqs. ch. sec. p. pp. ed. eds. op. cit. ibid.
    jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec.
    mon. tue. wed. thu. fri. sat. sun.
    a.m. p.m. u.s. u.k. u.n. e.u. ph.d. b.a. m.a. b.sc. m.sc.
    """.split()
)

# A run of sentence-final marks and the closing quotes or brackets that follow it.
_TERMINAL = re.compile(
    r"(?:[.!?\u2026]+|[\u3002\uff01\uff1f\uff0e]+)[\"'\u201d\u2019)\]}\u300d\u300f\uff09]*"
)
_CJK_FINAL = frozenset("\u3002\uff01\uff1f\uff0e")
_OPENING = "\"'(\u201c\u2018[{\u300c\u300e"
_CLOSING = "\"'\u201d\u2019)]}\u300d\u300f\uff09"


def check_documents(X, encoding="utf-8", decode_error="strict", *, allow_empty=False):
    """The documents as a list of str: bytes decoded, anything else not a string refused.

    Parameters
    ----------
    X : iterable of str or bytes, pandas Series or pyarrow string array
    encoding : str
        Encoding of bytes documents.
    decode_error : {"strict", "ignore", "replace"}
    allow_empty : bool
        Whether an empty collection is accepted (``transform``) or refused (``fit``).

    Returns
    -------
    docs : list of str
    """
    docs = eng.as_documents(X)
    if not isinstance(docs, list):
        docs = docs.to_pylist()
    out = []
    for i, doc in enumerate(docs):
        if isinstance(doc, bytes):
            doc = decode_bytes(doc, encoding, decode_error, i)
        elif not isinstance(doc, str):
            raise eng.invalid_document(doc, i)
        out.append(doc)
    if not out and not allow_empty:
        raise ValueError("Empty corpus: at least one document is needed to fit.")
    return out


def split_spans(text, abbreviations, split_on_newlines=False):
    """``(start, end)`` character spans of the sentences of ``text``, whitespace stripped."""
    bounds = []
    for m in _TERMINAL.finditer(text):
        s, e = m.span()
        if _CJK_FINAL.isdisjoint(m.group()):
            if e < len(text) and not text[e].isspace():
                continue  # "3.14", "a.b", "?!x": not a boundary
            if m.group()[0] in ".\u2026":
                k = e  # the next non-space character (no copy of the rest of the text)
                while k < len(text) and text[k].isspace():
                    k += 1
                if text[k : k + 1].islower():
                    continue  # "etc. and", "... then"
                if m.group().rstrip(_CLOSING) == ".":
                    # the word ending with this "." (a backward scan: searching the prefix
                    # with a "\S+$" pattern was quadratic in the document's length)
                    k = s
                    while k > 0 and not text[k - 1].isspace():
                        k -= 1
                    token = text[k : s + 1].lstrip(_OPENING)
                    if token.lower() in abbreviations:
                        continue
                    if len(token) == 2 and token[0].isupper():
                        continue  # an initial: "J. Smith"
        bounds.append(e)
    if split_on_newlines:
        bounds.extend(m.start() for m in re.finditer(r"\n", text))
        bounds.sort()
    spans = []
    start = 0
    for b in [*bounds, len(text)]:
        if b <= start:
            continue
        a, z = start, b
        while a < z and text[a].isspace():
            a += 1
        while z > a and text[z - 1].isspace():
            z -= 1
        if z > a:
            spans.append((a, z))
        start = b
    return spans


class SentenceSplitter(BaseEstimator):
    """Split documents into sentences with punctuation rules.

    A sentence ends at a run of ``.``, ``!``, ``?`` or ``…`` (with the closing quotes or
    brackets after it) followed by white space or the end of the text, and right after the
    CJK full stops ``。``, ``！``, ``？`` and ``．``, which need no space. A period does not end
    a sentence after a known abbreviation ("e.g.", "Dr."), after an uppercase initial ("J. Smith"),
    inside a number ("3.14") or when the next word starts with a lowercase letter ("etc. and").
    Sentences are returned with surrounding white space stripped; empty ones are dropped.

    Parameters
    ----------
    abbreviations : list of str, default=None
        Words, lowercased with their final period, after which a period does not end a
        sentence. None: a built-in English list (``DEFAULT_ABBREVIATIONS``, about 110 words).
    split_on_newlines : bool, default=False
        Also end a sentence at every line break (for titles, lists and verse).
    min_length : int, default=1
        Drop sentences shorter than this many characters.
    output : {"list", "frame"}, default="list"
        What :meth:`transform` returns: a list of lists of sentences, or one flat pandas
        DataFrame with columns ``doc_id`` (position of the document), ``sentence_id``
        (position in the document), ``sentence``, ``start`` and ``end`` (character offsets).
    encoding : str, default="utf-8"
        Encoding of documents given as bytes.
    decode_error : {"strict", "ignore", "replace"}, default="strict"
        What to do with bytes that are not valid in ``encoding``; "strict" raises a
        ``ValueError`` naming the document.

    Attributes
    ----------
    abbreviations_ : frozenset of str
        The effective abbreviations.
    n_documents_ : int
        Number of documents seen in ``fit`` (the splitter learns nothing else).

    See Also
    --------
    TextSummarizer : Ranks the sentences found by this splitter.
    RegexTokenizer : Splits documents into words.

    Notes
    -----
    Rule-based splitting in the manner of Grefenstette and Tapanainen (1994): punctuation
    candidates filtered by an abbreviation list and capitalization. It does not learn
    abbreviations from the corpus (Kiss and Strunk's Punkt does).

    References
    ----------
    Grefenstette, G. and Tapanainen, P. (1994). What is a word, what is a sentence? Problems
    of tokenization. Proceedings of COMPLEX.

    Examples
    --------
    >>> from pai_algos.text import SentenceSplitter
    >>> SentenceSplitter().fit_transform(["Dr. Smith paid 3.50 dollars, e.g. for tea. Nice!"])
    [['Dr. Smith paid 3.50 dollars, e.g. for tea.', 'Nice!']]
    >>> SentenceSplitter().fit_transform(["今天天气很好。我们去公园吧！"])
    [['今天天气很好。', '我们去公园吧！']]
    """

    _parameter_constraints: dict = {
        "abbreviations": [list, None],
        "split_on_newlines": ["boolean"],
        "min_length": [Interval(Integral, 1, None, closed="left")],
        "output": [StrOptions({"list", "frame"})],
        "encoding": [str],
        "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    }

    def __init__(
        self,
        *,
        abbreviations=None,
        split_on_newlines=False,
        min_length=1,
        output="list",
        encoding="utf-8",
        decode_error="strict",
    ):
        self.abbreviations = abbreviations
        self.split_on_newlines = split_on_newlines
        self.min_length = min_length
        self.output = output
        self.encoding = encoding
        self.decode_error = decode_error

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the parameters and the documents.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.
        y : None
            Ignored.

        Returns
        -------
        self : object
        """
        docs = check_documents(X, self.encoding, self.decode_error)
        if self.abbreviations is None:
            self.abbreviations_ = DEFAULT_ABBREVIATIONS
        else:
            self.abbreviations_ = frozenset(str(a).lower() for a in self.abbreviations)
        self.n_documents_ = len(docs)
        return self

    def fit_transform(self, X, y=None):
        """Fit, then split ``X``.

        Parameters
        ----------
        X : iterable
            As for :meth:`transform`.
        y : None
            Ignored.

        Returns
        -------
        sentences : list of list of str or pandas.DataFrame
        """
        return self.fit(X, y).transform(X)

    def spans(self, X):
        """Character spans of the sentences of each document.

        Parameters
        ----------
        X : iterable of str or bytes
            The documents.

        Returns
        -------
        spans : list of list of (int, int)
            ``(start, end)`` of each sentence, in document order.
        """
        check_is_fitted(self)
        docs = check_documents(X, self.encoding, self.decode_error, allow_empty=True)
        return self._spans(docs)

    def _spans(self, docs):
        out = []
        for doc in docs:
            spans = split_spans(doc, self.abbreviations_, self.split_on_newlines)
            if self.min_length > 1:
                spans = [(a, b) for a, b in spans if b - a >= self.min_length]
            out.append(spans)
        return out

    def transform(self, X):
        """Split each document into sentences.

        Parameters
        ----------
        X : iterable of str or bytes, pandas Series or pyarrow string array
            The documents.

        Returns
        -------
        sentences : list of list of str or pandas.DataFrame
            The sentences of each document in reading order; with ``output="frame"`` a
            DataFrame with one row per sentence (see ``output``).
        """
        check_is_fitted(self)
        docs = check_documents(X, self.encoding, self.decode_error, allow_empty=True)
        spans = self._spans(docs)
        sentences = [[doc[a:b] for a, b in sp] for doc, sp in zip(docs, spans)]
        if self.output == "list":
            return sentences
        import pandas as pd

        counts = [len(s) for s in sentences]
        flat = [s for sent in sentences for s in sent]
        return pd.DataFrame(
            {
                "doc_id": np.repeat(np.arange(len(docs), dtype=np.int64), counts),
                "sentence_id": np.concatenate(
                    [np.arange(c, dtype=np.int64) for c in counts] or [np.zeros(0, np.int64)]
                ),
                "sentence": pd.Series(flat, dtype=object),
                "start": np.array([a for sp in spans for a, _ in sp], dtype=np.int64),
                "end": np.array([b for sp in spans for _, b in sp], dtype=np.int64),
            }
        )

    @staticmethod
    def _common_test_data(seed=0, n_samples=40, dtype=np.float64):
        rng = np.random.default_rng(seed)
        words = ["alpha", "beta", "gamma", "Dr.", "e.g.", "3.14", "café", "北京"]
        docs = []
        for _ in range(n_samples):
            k = int(rng.integers(1, 4))
            sentences = [
                " ".join(rng.choice(words, size=int(rng.integers(1, 6)))).capitalize() + end
                for end in rng.choice([".", "!", "?", "。"], size=k)
            ]
            docs.append(" ".join(sentences))
        return docs, None

    @staticmethod
    def _common_test_outputs(est, X):
        return {"transform": np.array([" | ".join(s) for s in est.transform(X)], dtype=object)}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

"""What every text vectorizer shares: scikit-learn's analysis options and their validation.

:class:`_TextMixin` gives the public helpers of scikit-learn's vectorizers (``decode``,
``build_preprocessor``, ``build_tokenizer``, ``get_stop_words``, ``build_analyzer``) with the
same semantics, and the input handling (lists, NumPy arrays, pandas Series, Arrow string
arrays). The heavy lifting is in :mod:`pai_algos.text._engine`.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Iterable, Mapping
from functools import partial
from numbers import Integral

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from ..utils._sklearn_compat import StrOptions

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"

# The parameters shared by CountVectorizer, TfidfVectorizer and HashingVectorizer.
COMMON_CONSTRAINTS = {
    "input": [StrOptions({"filename", "file", "content"})],
    "encoding": [str],
    "decode_error": [StrOptions({"strict", "ignore", "replace"})],
    "strip_accents": [StrOptions({"ascii", "unicode"}), None, callable],
    "lowercase": ["boolean"],
    "preprocessor": [callable, None],
    "tokenizer": [callable, None],
    "segmenter": [callable, None],
    "stop_words": [StrOptions({"english"}), list, None],
    "token_pattern": [str, None],
    "ngram_range": [tuple],
    "analyzer": [StrOptions({"word", "char", "char_wb"}), callable],
    "binary": ["boolean"],
    "dtype": "no_validation",
}
VOCABULARY_CONSTRAINT = [Mapping, Iterable, None]


def strip_accents_unicode(s):
    """Remove accents: NFKD decomposition, then drop the combining characters.

    Parameters
    ----------
    s : str

    Returns
    -------
    str
    """
    if s.isascii():
        return s
    normalized = unicodedata.normalize("NFKD", s)
    return "".join([c for c in normalized if not unicodedata.combining(c)])


def strip_accents_ascii(s):
    """Transliterate to ASCII: NFKD decomposition, then drop what ASCII cannot encode.

    Parameters
    ----------
    s : str

    Returns
    -------
    str
    """
    return unicodedata.normalize("NFKD", s).encode("ASCII", "ignore").decode("ASCII")


def _check_stop_list(stop):
    if stop == "english":
        return ENGLISH_STOP_WORDS
    if isinstance(stop, str):
        raise ValueError(f"not a built-in stop list: {stop}")
    if stop is None:
        return None
    return frozenset(stop)


def _preprocess(doc, accent_function=None, lower=False):
    if lower:
        doc = doc.lower()
    if accent_function is not None:
        doc = accent_function(doc)
    return doc


def _analyze(
    doc,
    analyzer=None,
    tokenizer=None,
    ngrams=None,
    preprocessor=None,
    decoder=None,
    stop_words=None,
):
    if decoder is not None:
        doc = decoder(doc)
    if analyzer is not None:
        return analyzer(doc)
    if preprocessor is not None:
        doc = preprocessor(doc)
    if tokenizer is not None:
        doc = tokenizer(doc)
    if ngrams is not None:
        doc = ngrams(doc) if stop_words is None else ngrams(doc, stop_words)
    return doc


class UnknownEncodingError(ValueError, LookupError):
    """``encoding`` names no codec: a ValueError, and the LookupError that ``bytes.decode``
    (and so scikit-learn) raises."""


class DocumentDecodeError(UnicodeDecodeError):
    """A bytes document that is not valid in ``encoding``.

    A ValueError naming the document (once its index is known) and the way out, and still the
    UnicodeDecodeError that ``bytes.decode`` (and so scikit-learn) raises.
    """

    def __init__(self, encoding, obj, start, end, reason, index=None, requested=None):
        super().__init__(encoding, obj, start, end, reason)
        self.index = index
        self.requested = encoding if requested is None else requested

    def __reduce__(self):
        return type(self), (*self.args, self.index, self.requested)

    def __str__(self):
        which = "A document" if self.index is None else f"Document {self.index}"
        return (
            f"{which} cannot be decoded as {self.requested!r} ({self.reason} at byte "
            f"{self.start}); pass its encoding or decode_error='replace'."
        )


def decode_bytes(doc, encoding, decode_error, index=None):
    """``doc.decode(encoding, decode_error)`` with errors that name the problem.

    Raises
    ------
    UnknownEncodingError
        ``encoding`` is not a codec ("Unknown encoding 'x'.").
    DocumentDecodeError
        The bytes are not valid in ``encoding`` ("Document i cannot be decoded as ...").
    """
    try:
        return doc.decode(encoding, decode_error)
    except LookupError:
        raise UnknownEncodingError(f"Unknown encoding {encoding!r}.") from None
    except UnicodeDecodeError as exc:
        raise DocumentDecodeError(
            exc.encoding, exc.object, exc.start, exc.end, exc.reason, index, encoding
        ) from None


def name_document(exc, index):
    """Set the index of the document a :class:`DocumentDecodeError` is about, if unset."""
    if exc.index is None:
        exc.index = index
    return exc


def invalid_document(doc, index):
    """The error for a document that is neither str nor bytes."""
    return ValueError(
        f"{type(doc).__name__} is an invalid document (document {index}), expected byte or "
        "unicode string."
    )


def as_documents(raw_documents):
    """The documents as a list or, for an Arrow string array, the array itself.

    A lone string is refused as scikit-learn does; pandas Series and NumPy arrays become lists.
    """
    if isinstance(raw_documents, (str, bytes)):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    try:
        import pyarrow as pa
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pa = None
    if pa is not None and isinstance(raw_documents, (pa.Array, pa.ChunkedArray)):
        return raw_documents
    if hasattr(raw_documents, "to_numpy") and hasattr(raw_documents, "index"):
        return raw_documents.to_numpy(dtype=object).tolist()  # pandas Series
    if isinstance(raw_documents, np.ndarray):
        if raw_documents.ndim != 1:
            raise ValueError(
                "Expected a 1-D sequence of documents, got an array of shape "
                f"{raw_documents.shape}."
            )
        return raw_documents.tolist()
    return list(raw_documents)


class _TextMixin:
    """Analysis options of scikit-learn's text vectorizers, with the same semantics."""

    _white_spaces = re.compile(r"\s\s+")

    def decode(self, doc):
        """Decode the input into a string of unicode symbols.

        Parameters
        ----------
        doc : bytes or str
            The string to decode (a file name or a file object, depending on ``input``).

        Returns
        -------
        doc : str
            A string of unicode symbols.

        Raises
        ------
        ValueError
            For bytes in an unknown encoding (also a LookupError, as scikit-learn raises) or
            not valid in ``encoding`` (also a UnicodeDecodeError); the fit and transform
            methods name the document.
        """
        if self.input == "filename":
            with open(doc, "rb") as fh:
                doc = fh.read()
        elif self.input == "file":
            doc = doc.read()
        if isinstance(doc, bytes):
            doc = decode_bytes(doc, self.encoding, self.decode_error)
        if doc is np.nan:
            raise ValueError("np.nan is an invalid document, expected byte or unicode string.")
        return doc

    def _word_ngrams(self, tokens, stop_words=None):
        if stop_words is not None:
            tokens = [w for w in tokens if w not in stop_words]
        min_n, max_n = self.ngram_range
        if max_n == 1:
            return tokens
        n_tokens = len(tokens)
        out = list(tokens) if min_n == 1 else []
        for n in range(max(min_n, 2), min(max_n + 1, n_tokens + 1)):
            for i in range(n_tokens - n + 1):
                out.append(" ".join(tokens[i : i + n]))
        return out

    def _char_ngrams(self, text):
        text = self._white_spaces.sub(" ", text)
        min_n, max_n = self.ngram_range
        length = len(text)
        out = []
        for n in range(min_n, min(max_n + 1, length + 1)):
            for i in range(length - n + 1):
                out.append(text[i : i + n])
        return out

    def _char_wb_ngrams(self, text):
        text = self._white_spaces.sub(" ", text)
        min_n, max_n = self.ngram_range
        out = []
        for w in text.split():
            w = " " + w + " "
            length = len(w)
            for n in range(min_n, max_n + 1):
                if length <= n:  # a short word counts once
                    out.append(w)
                    break
                for i in range(length - n + 1):
                    out.append(w[i : i + n])
        return out

    def build_preprocessor(self):
        """Return a function to preprocess the text before tokenization.

        Returns
        -------
        preprocessor : callable
            ``preprocessor`` if given; else lowercasing (``lowercase``) then accent stripping
            (``strip_accents``).
        """
        if self.preprocessor is not None:
            return self.preprocessor
        if not self.strip_accents:
            strip = None
        elif callable(self.strip_accents):
            strip = self.strip_accents
        elif self.strip_accents == "ascii":
            strip = strip_accents_ascii
        elif self.strip_accents == "unicode":
            strip = strip_accents_unicode
        else:
            raise ValueError(f'Invalid value for "strip_accents": {self.strip_accents}')
        return partial(_preprocess, accent_function=strip, lower=self.lowercase)

    def build_tokenizer(self):
        """Return a function that splits a string into a sequence of tokens.

        With a ``segmenter``, the string is first cut into words by it and the words are
        joined by single spaces, so that the tokenizer then sees word boundaries in scripts
        written without spaces.

        Returns
        -------
        tokenizer : callable
        """
        if self.tokenizer is not None:
            tokenize = self.tokenizer
        else:
            pattern = re.compile(self.token_pattern)
            if pattern.groups > 1:
                raise ValueError(
                    "More than 1 capturing group in token pattern. Only a single group should "
                    "be captured."
                )
            tokenize = pattern.findall
        segmenter = getattr(self, "segmenter", None)
        if segmenter is None:
            return tokenize
        return lambda doc: tokenize(" ".join(segmenter(doc)))

    def get_stop_words(self):
        """Build or fetch the effective stop words list.

        Returns
        -------
        stop_words : frozenset or None
        """
        return _check_stop_list(self.stop_words)

    def _check_stop_words_consistency(self, stop_words, preprocess, tokenize):
        if id(self.stop_words) == getattr(self, "_stop_words_id", None):
            return None
        try:
            inconsistent = set()
            for w in stop_words or ():
                for token in tokenize(preprocess(w)):
                    if token not in stop_words:
                        inconsistent.add(token)
            self._stop_words_id = id(self.stop_words)
            if inconsistent:
                warnings.warn(
                    "Your stop_words may be inconsistent with your preprocessing. Tokenizing "
                    f"the stop words generated tokens {sorted(inconsistent)!r} not in "
                    "stop_words.",
                    stacklevel=2,
                )
            return not inconsistent
        except Exception:
            self._stop_words_id = id(self.stop_words)
            return "error"

    def build_analyzer(self):
        """Return a callable that turns one raw document into its list of features.

        Returns
        -------
        analyzer : callable
            Decoding, preprocessing, tokenization and n-gram generation, as scikit-learn's.
        """
        if callable(self.analyzer):
            return partial(_analyze, analyzer=self.analyzer, decoder=self.decode)
        preprocess = self.build_preprocessor()
        if self.analyzer == "char":
            return partial(
                _analyze, ngrams=self._char_ngrams, preprocessor=preprocess, decoder=self.decode
            )
        if self.analyzer == "char_wb":
            return partial(
                _analyze,
                ngrams=self._char_wb_ngrams,
                preprocessor=preprocess,
                decoder=self.decode,
            )
        if self.analyzer == "word":
            stop_words = self.get_stop_words()
            tokenize = self.build_tokenizer()
            self._check_stop_words_consistency(stop_words, preprocess, tokenize)
            return partial(
                _analyze,
                ngrams=self._word_ngrams,
                tokenizer=tokenize,
                preprocessor=preprocess,
                decoder=self.decode,
                stop_words=stop_words,
            )
        raise ValueError(f"{self.analyzer} is not a valid tokenization scheme/analyzer")

    def _validate_vocabulary(self):
        vocabulary = self.vocabulary
        if vocabulary is not None:
            if isinstance(vocabulary, set):
                vocabulary = sorted(vocabulary)
            if not isinstance(vocabulary, Mapping):
                vocab = {}
                for i, t in enumerate(vocabulary):
                    if vocab.setdefault(t, i) != i:
                        raise ValueError(f"Duplicate term in vocabulary: {t!r}")
                vocabulary = vocab
            else:
                indices = set(vocabulary.values())
                if len(indices) != len(vocabulary):
                    raise ValueError("Vocabulary contains repeated indices.")
                for i in range(len(vocabulary)):
                    if i not in indices:
                        raise ValueError(
                            f"Vocabulary of size {len(vocabulary)} doesn't contain index {i}."
                        )
            if not vocabulary:
                raise ValueError("empty vocabulary passed to fit")
            self.fixed_vocabulary_ = True
            self.vocabulary_ = dict(vocabulary)
        else:
            self.fixed_vocabulary_ = False

    def _check_vocabulary(self):
        if not hasattr(self, "vocabulary_"):
            self._validate_vocabulary()
            if not self.fixed_vocabulary_:
                raise NotFittedError("Vocabulary not fitted or provided")
        if len(self.vocabulary_) == 0:
            raise ValueError("Vocabulary is empty")

    def _validate_ngram_range(self):
        min_n, max_n = self.ngram_range
        if not (isinstance(min_n, Integral) and isinstance(max_n, Integral)) or min_n < 1:
            raise ValueError(
                f"Invalid value for ngram_range={self.ngram_range}: two integers >= 1 expected."
            )
        if min_n > max_n:
            raise ValueError(
                f"Invalid value for ngram_range={self.ngram_range} lower boundary larger than "
                "the upper boundary."
            )

    def _warn_for_unused_params(self):
        if self.tokenizer is not None and self.token_pattern is not None:
            warnings.warn(
                "The parameter 'token_pattern' will not be used since 'tokenizer' is not None'",
                stacklevel=2,
            )
        if self.preprocessor is not None and callable(self.analyzer):
            warnings.warn(
                "The parameter 'preprocessor' will not be used since 'analyzer' is callable'",
                stacklevel=2,
            )
        if self.ngram_range != (1, 1) and self.ngram_range is not None and callable(self.analyzer):
            warnings.warn(
                "The parameter 'ngram_range' will not be used since 'analyzer' is callable'",
                stacklevel=2,
            )
        if self.analyzer != "word" or callable(self.analyzer):
            if self.stop_words is not None:
                warnings.warn(
                    "The parameter 'stop_words' will not be used since 'analyzer' != 'word'",
                    stacklevel=2,
                )
            if self.token_pattern is not None and self.token_pattern != DEFAULT_TOKEN_PATTERN:
                warnings.warn(
                    "The parameter 'token_pattern' will not be used since 'analyzer' != 'word'",
                    stacklevel=2,
                )
            if self.tokenizer is not None:
                warnings.warn(
                    "The parameter 'tokenizer' will not be used since 'analyzer' != 'word'",
                    stacklevel=2,
                )

    def _engine_path(self):
        """Which engine path serves these parameters: "word", "char" or "python"."""
        if callable(self.analyzer):
            return "python"
        if self.analyzer in ("char", "char_wb"):
            return "char"
        if self.tokenizer is None and self.token_pattern == DEFAULT_TOKEN_PATTERN:
            return "word"
        return "python"

    def _more_tags_text(self, tags):
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

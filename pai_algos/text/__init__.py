"""Text: tokenizers and vectorizers (counts, tf-idf, feature hashing)."""

from __future__ import annotations

from ._count_vectorizer import CountVectorizer
from ._hashing_vectorizer import HashingVectorizer
from ._regex_tokenizer import RegexTokenizer
from ._stop_words_remover import StopWordsRemover
from ._tfidf_transformer import TfidfTransformer
from ._tfidf_vectorizer import TfidfVectorizer

__all__ = [
    "CountVectorizer",
    "HashingVectorizer",
    "RegexTokenizer",
    "StopWordsRemover",
    "TfidfTransformer",
    "TfidfVectorizer",
]

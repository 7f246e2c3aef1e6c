"""Text: tokenizers and vectorizers (counts, tf-idf, feature hashing)."""

from __future__ import annotations

from ._count_vectorizer import CountVectorizer
from ._doc2vec import Doc2Vec
from ._hashing_vectorizer import HashingVectorizer
from ._keyword_extractor import KeywordExtractor
from ._minhash_lsh import MinHashLSH
from ._pmi import PMI
from ._regex_tokenizer import RegexTokenizer
from ._sentence_splitter import SentenceSplitter
from ._stop_words_remover import StopWordsRemover
from ._string_similarity import StringSimilarity
from ._text_summarizer import TextSummarizer
from ._tfidf_transformer import TfidfTransformer
from ._tfidf_vectorizer import TfidfVectorizer
from ._word2vec import Word2Vec

__all__ = [
    "CountVectorizer",
    "Doc2Vec",
    "HashingVectorizer",
    "KeywordExtractor",
    "MinHashLSH",
    "PMI",
    "RegexTokenizer",
    "SentenceSplitter",
    "StopWordsRemover",
    "StringSimilarity",
    "TextSummarizer",
    "TfidfTransformer",
    "TfidfVectorizer",
    "Word2Vec",
]

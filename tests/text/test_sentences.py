"""SentenceSplitter: boundaries, abbreviations, CJK, frame output and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from pai_algos.text import SentenceSplitter


def split(text, **params):
    return SentenceSplitter(**params).fit([text]).transform([text])[0]


@pytest.mark.parametrize(
    "text, want",
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        ("Wait… What... Yes.", ["Wait…", "What...", "Yes."]),
        (
            "Dr. Smith met Mr. Jones, e.g. at noon. Then i.e. later.",
            ["Dr. Smith met Mr. Jones, e.g. at noon.", "Then i.e. later."],
        ),
        (
            "Pi is 3.14 roughly. Version 1.2.3 ships.",
            ["Pi is 3.14 roughly.", "Version 1.2.3 ships."],
        ),
        (
            "J. R. R. Tolkien wrote it. The U.S. Army agreed.",
            ["J. R. R. Tolkien wrote it.", "The U.S. Army agreed."],
        ),
        (
            'He said "Stop!" Then left. (Really.) Ok',
            ['He said "Stop!"', "Then left.", "(Really.)", "Ok"],
        ),
        ("Apples, pears etc. and plums. Fine.", ["Apples, pears etc. and plums.", "Fine."]),
        (
            "今天天气很好。我们去公园吧！你来吗？好",
            ["今天天气很好。", "我们去公园吧！", "你来吗？", "好"],
        ),
        ("Mixed 中文。And English. 日本語！", ["Mixed 中文。", "And English.", "日本語！"]),
        ("What?! Really?? yes", ["What?!", "Really??", "yes"]),
        ("", []),
        ("   \n ", []),
        ("no final mark", ["no final mark"]),
    ],
)
def test_boundaries(text, want):
    assert split(text) == want


def test_options():
    text = "Title line\nFirst sentence. Cf. the note. Ok."
    assert split(text) == ["Title line\nFirst sentence.", "Cf. the note.", "Ok."]
    assert split(text, split_on_newlines=True) == [
        "Title line",
        "First sentence.",
        "Cf. the note.",
        "Ok.",
    ]
    assert split("See Foo. Bar.", abbreviations=["foo."]) == ["See Foo. Bar."]
    assert split("See Dr. Bar.", abbreviations=[]) == ["See Dr.", "Bar."]
    assert split("Aa. Bb. Ccc ddd.", min_length=4) == ["Ccc ddd."]


def test_frame_output_and_spans(rng):
    words = ["alpha", "beta", "北京", "café"]
    docs = []
    for _ in range(6):
        k = int(rng.integers(0, 4))
        docs.append(
            " ".join(" ".join(rng.choice(words, size=3)).capitalize() + "." for _ in range(k))
        )
    est = SentenceSplitter().fit(docs)
    lists = est.transform(docs)
    frame = SentenceSplitter(output="frame").fit(docs).transform(docs)
    assert list(frame.columns) == ["doc_id", "sentence_id", "sentence", "start", "end"]
    assert len(frame) == sum(map(len, lists))
    for row in frame.itertuples():
        assert lists[row.doc_id][row.sentence_id] == row.sentence
        assert docs[row.doc_id][row.start : row.end] == row.sentence
    spans = est.spans(docs)
    for d in range(len(docs)):
        rows = frame[frame["doc_id"] == d]
        assert spans[d] == list(zip(rows["start"].tolist(), rows["end"].tolist()))


def test_inputs_pandas_arrow_bytes():
    import pyarrow as pa

    docs = ["Un café. Deux.", "Ein Satz."]
    want = [["Un café.", "Deux."], ["Ein Satz."]]
    est = SentenceSplitter().fit(docs)
    assert est.transform(pd.Series(docs)) == want
    assert est.transform(pa.array(docs)) == want
    assert est.transform(np.array(docs, dtype=object)) == want
    assert est.transform([d.encode() for d in docs]) == want
    latin = SentenceSplitter(encoding="latin-1").fit(["x"])
    assert latin.transform([docs[0].encode("latin-1")]) == [want[0]]


def test_bad_input():
    with pytest.raises(NotFittedError):
        SentenceSplitter().transform(["A."])
    with pytest.raises(ValueError, match="Empty corpus"):
        SentenceSplitter().fit([])
    with pytest.raises(ValueError, match="NoneType is an invalid document \\(document 1\\)"):
        SentenceSplitter().fit(["ok", None])
    with pytest.raises(ValueError, match="int is an invalid document"):
        SentenceSplitter().fit([3])
    with pytest.raises(ValueError, match="string object received"):
        SentenceSplitter().fit("one document")
    with pytest.raises(ValueError, match="Document 0 cannot be decoded as 'utf-8'"):
        SentenceSplitter().fit([b"caf\xe9 au lait"])
    with pytest.raises(ValueError, match="Unknown encoding 'klingon'"):
        SentenceSplitter(encoding="klingon").fit([b"abc"])
    assert SentenceSplitter(decode_error="replace").fit_transform([b"caf\xe9."]) == [["caf\ufffd."]]
    with pytest.raises(ValueError, match="output"):
        SentenceSplitter(output="table").fit(["A."])


def _split_spans_reference(text, abbreviations):
    """The splitter's rules with the last word found by a regex over the whole prefix (the
    former, quadratic implementation), to check the backward scan that replaced it."""
    import re

    from pai_algos.text._sentence_splitter import _CJK_FINAL, _CLOSING, _OPENING, _TERMINAL

    bounds = []
    for m in _TERMINAL.finditer(text):
        s, e = m.span()
        if _CJK_FINAL.isdisjoint(m.group()):
            if e < len(text) and not text[e].isspace():
                continue
            if m.group()[0] in ".\u2026":
                if text[e:].lstrip()[:1].islower():
                    continue
                if m.group().rstrip(_CLOSING) == ".":
                    word = re.compile(r"(\S+)$").search(text, 0, s + 1)
                    token = word.group(1).lstrip(_OPENING)
                    if token.lower() in abbreviations or (len(token) == 2 and token[0].isupper()):
                        continue
        bounds.append(e)
    return bounds


def test_last_word_scan_matches_regex_reference():
    from pai_algos.text._sentence_splitter import split_spans

    rng = np.random.default_rng(0)
    pieces = ["Dr.", "J.", "e.g.", "(etc.", "Smith", "went", "home.", "It", "rained!", "x.y",
              "3.14", "\u201cQuoted.\u201d", "A.", "\t", "\n", "Ok?", "wow...", "end."]  # fmt: skip
    abbreviations = frozenset({"dr.", "e.g.", "etc."})
    for _ in range(300):
        words = rng.choice(pieces, size=rng.integers(1, 25))
        text = "".join(w + rng.choice([" ", "  ", "\n"]) for w in words).strip()
        bounds = _split_spans_reference(text, abbreviations)
        want, start = [], 0
        for b in [*bounds, len(text)]:
            if b <= start:
                continue
            a, z = start, b
            while a < z and text[a].isspace():
                a += 1
            while z > a and text[z - 1].isspace():
                z -= 1
            if z > a:
                want.append((a, z))
            start = b
        assert split_spans(text, abbreviations) == want, text

"""Paragraphs and sentences of ``clean_text`` with character offsets.

Input ``docs``: ``doc_id, clean_text``.  Output (table ``sentences``): ``sentence_id`` (=
``stable_id(doc_id, start_char)``), ``doc_id, paragraph_no, sentence_no, start_char, end_char,
text`` with ``clean_text[start_char:end_char] == text`` (code-point offsets, as Polars'
``str.slice`` and DuckDB's ``substring`` count).

A paragraph is a line of ``clean_text``.  A sentence ends at ``.`` ``!`` ``?`` ``؟`` ``…`` (plus
closing quotes/brackets) followed by whitespace or the paragraph end — not at ``؛`` (an Arabic
semicolon joins clauses), not inside «…» or “…”, not in decimals (``3.5``) and not after a
one-letter abbreviation (``د. محمد``).  Example: ``"قال لافروف «نحن هنا. وسنبقى». وغادر."`` →
``["قال لافروف «نحن هنا. وسنبقى».", "وغادر."]``.
"""
from __future__ import annotations

import re

import polars as pl

from transforms.ids import stable_id_expr

_PARAGRAPH_RE = re.compile(r"[^\n]+")
_ENDS = frozenset(".!?؟…")
_CLOSERS = frozenset("\"'»”’)]")
_OPEN_Q, _CLOSE_Q = frozenset("«“"), frozenset("»”")
_STOP_RE = re.compile("[«“»”.!?؟…]")
_SPAN = pl.Struct({"paragraph_no": pl.Int32, "sentence_no": pl.Int32, "start_char": pl.Int32, "end_char": pl.Int32})
SENTENCES_SCHEMA = {"sentence_id": pl.Utf8, "doc_id": pl.Utf8, "paragraph_no": pl.Int32, "sentence_no": pl.Int32,
                    "start_char": pl.Int32, "end_char": pl.Int32, "text": pl.Utf8}


def _sentence_ends(text: str, start: int, end: int) -> list[int]:
    """Offsets one past each sentence end inside ``text[start:end]`` (the last is ``end``).

    Only quote marks and sentence-final marks change the state, so the scan jumps between them
    with one compiled regex instead of visiting every character in Python.
    """
    cuts, depth, skip = [], 0, start
    for m in _STOP_RE.finditer(text, start, end):
        i = m.start()
        if i < skip:
            continue
        c = text[i]
        if c in _OPEN_Q:
            depth += 1
        elif c in _CLOSE_Q:
            depth = max(0, depth - 1)
        elif depth == 0:
            j = i + 1
            while j < end and (text[j] in _ENDS or text[j] in _CLOSERS):
                j += 1
            followed_ok = j == end or text[j].isspace()
            abbrev = (c == "." and j == i + 1 and i - 1 >= start and text[i - 1].isalpha()
                      and (i - 2 < start or text[i - 2].isspace()))
            if followed_ok and not abbrev:
                cuts.append(j)
            skip = j
    if not cuts or cuts[-1] != end:
        cuts.append(end)
    return cuts


def sentence_spans(text: str | None) -> list[dict]:
    """Per-document spans; plain Python because quote depth is sequential state a regex cannot
    carry (Rust regex has no recursion/lookaround)."""
    spans: list[dict] = []
    if not text:
        return spans
    sent = 0
    for para_no, m in enumerate(_PARAGRAPH_RE.finditer(text)):
        s = m.start()
        for cut in _sentence_ends(text, m.start(), m.end()):
            a, b = s, cut
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if b > a:
                spans.append({"paragraph_no": para_no, "sentence_no": sent, "start_char": a, "end_char": b})
                sent += 1
            s = cut
    return spans


def sentences(docs: pl.DataFrame) -> pl.DataFrame:
    """Sentence rows for every document (documents with empty ``clean_text`` yield none).

    One ``map_batches`` over the ``clean_text`` column runs :func:`sentence_spans` per document
    (stated reason: sequential quote state); offsets, texts and ids are then Polars expressions.
    """
    spans = docs.select(
        "doc_id", "clean_text",
        pl.col("clean_text").map_batches(
            lambda s: pl.Series([sentence_spans(t) for t in s], dtype=pl.List(_SPAN)),
            return_dtype=pl.List(_SPAN)).alias("_spans"),
    ).explode("_spans").drop_nulls("_spans").unnest("_spans")
    if spans.height == 0:
        return pl.DataFrame(schema=SENTENCES_SCHEMA)
    return spans.with_columns(
        stable_id_expr("doc_id", "start_char").alias("sentence_id"),
        pl.col("clean_text").str.slice(pl.col("start_char"), pl.col("end_char") - pl.col("start_char")).alias("text"),
    ).select(list(SENTENCES_SCHEMA)).cast(SENTENCES_SCHEMA)

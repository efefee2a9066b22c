"""The whole transform stage for one batch of documents: a pure function of data.

``transform_documents(docs_raw)`` takes staged records (``doc_id, source_uri, source_name,
raw_text, title_raw, published_raw, url, author_raw``) and returns one frame per warehouse table:
``documents`` (with ``clean_text``, topic, tone etc.), ``removed_lines``, ``sentences``, ``mentions``,
``entities``, ``quotes``, ``time_expressions`` and ``doc_sketches``.  It does no I/O, so the flow can run it in a
process pool or on Dask workers and get the same rows.
"""
from __future__ import annotations

import hashlib
from typing import Callable

import polars as pl

from transforms.ids import stable_id, stable_id_expr

STAGED_SCHEMA = {
    "source_uri": pl.Utf8, "raw_text": pl.Utf8, "title_raw": pl.Utf8, "published_raw": pl.Utf8,
    "url": pl.Utf8, "author_raw": pl.Utf8, "source_name": pl.Utf8,
}


def _sha256_series(texts: pl.Series) -> pl.Series:
    """SHA-256 hex of each text in one pass: hashing the UTF-8 bytes straight from Arrow skips
    a str round-trip per row (2× faster than ``map_elements``; this is most of an unchanged rerun)."""
    return pl.Series([None if b is None else hashlib.sha256(b).hexdigest() for b in texts.cast(pl.Binary).to_list()],
                     dtype=pl.Utf8)


# The longest of the 72,716 articles in the shared corpora has 33,687 characters (99.9th percentile
# 12,424); a "record" 60x that is a dump or a concatenation, and tagging it as one document would
# take many minutes in one task.
MAX_RECORD_CHARS = 2_000_000


def split_oversized(docs_raw: pl.DataFrame, max_chars: int = MAX_RECORD_CHARS) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(docs, rejects)``: records whose ``raw_text`` exceeds ``max_chars`` become ``too_long``
    rejects (``source_uri, reason, detail, bytes``) instead of documents."""
    n = pl.col("raw_text").str.len_chars()
    too_long = docs_raw.filter(n > max_chars)
    rejects = too_long.select(
        "source_uri", reason=pl.lit("too_long"),
        detail=pl.format("{} characters in one record; the limit is {} (split the file into articles)",
                         pl.col("raw_text").str.len_chars(), pl.lit(max_chars)),
        bytes=pl.col("raw_text").str.len_bytes().cast(pl.Int64),
    )
    return docs_raw.filter(n <= max_chars), rejects


def with_identity(docs_raw: pl.DataFrame) -> pl.DataFrame:
    """Add ``content_sha256``, ``doc_id`` and ``source_id`` (all derived from content).

    ``doc_id`` = ``stable_id(source_uri, content_sha256)``: the same article from another URI is
    another document (stories cluster them); a changed file gets a new ``doc_id``.
    ``source_name`` falls back to ``unknown`` so every document has a source.
    """
    return docs_raw.with_columns(
        content_sha256=pl.col("raw_text").map_batches(_sha256_series, return_dtype=pl.Utf8),
        source_name=pl.col("source_name").fill_null("unknown"),
    ).with_columns(
        doc_id=stable_id_expr("source_uri", "content_sha256"),
        source_id=pl.col("source_name").str.to_lowercase().map_elements(stable_id, return_dtype=pl.Utf8),
    )


def templates_for(docs: pl.DataFrame, stored: pl.DataFrame | None) -> pl.DataFrame | None:
    """Template lines to clean this batch with: those learned before (``stored``) plus those
    learned from ``docs`` (``source_name, raw_text``), keeping the larger count per line.

    Returns ``source_name, line_key, n_docs`` or ``None`` when nothing is known yet.
    """
    from transforms.boilerplate import learn_templates

    frames = [f for f in (stored, learn_templates(docs)) if f is not None and f.height]
    if not frames:
        return None
    return (
        pl.concat([f.select("source_name", "line_key", pl.col("n_docs").cast(pl.Int64)) for f in frames])
        .group_by("source_name", "line_key").agg(pl.col("n_docs").max())
        .sort("source_name", "line_key")
    )


def transform_documents(
    docs: pl.DataFrame, templates: pl.DataFrame | None = None, ner_backend: str = "default",
    tag: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> dict[str, pl.DataFrame]:
    """Clean, segment, tag and resolve one batch; returns frames keyed by warehouse table name.

    ``tag(sentences) -> mentions`` replaces ``mentions(sentences, backend=ner_backend)`` when given
    (the flow passes one that tags in a helper process); it must return the same rows."""
    from transforms.clean import clean_documents
    from transforms.entities import quotes, resolve, time_expressions
    from transforms.ner import mentions
    from transforms.segment import sentences
    from transforms.stories import story_sketches
    from transforms.tone import document_tone, mention_tone, sentence_tone, text_words
    from transforms.topics import topics

    cleaned, removed = clean_documents(docs, templates)
    sents = sentences(cleaned)
    ments = tag(sents) if tag is not None else mentions(sents, backend=ner_backend)
    ments, ents = resolve(ments, cleaned)
    ments = ments.with_columns(entity_id_local=pl.col("entity_id"))
    # tone after tagging: the document's names are masked so that they never count as sentiment;
    # tone and topics read the same words of the sentences
    words = text_words(sents["text"])
    sent_tone = sentence_tone(sents, ments, words)
    cleaned = (cleaned.join(topics(cleaned, sentences=sents, words=words), on="doc_id", how="left", maintain_order="left")
               .join(document_tone(sent_tone), on="doc_id", how="left", maintain_order="left"))
    ments = mention_tone(ments, sent_tone)
    return {
        "staged_records": docs.select("doc_id", "source_uri", "source_name", "title_raw", "published_raw", "author_raw", "url"),
        "documents": cleaned,
        "removed_lines": removed,
        "sentences": sents,
        "mentions": ments,
        "entities": ents,
        "quotes": quotes(cleaned, ments).with_columns(speaker_entity_id_local=pl.col("speaker_entity_id")),
        "time_expressions": time_expressions(cleaned),
        "doc_sketches": story_sketches(cleaned),
    }

"""The whole transform stage for one batch of documents: a pure function of data.

``transform_documents(docs_raw)`` takes staged records (``doc_id, source_uri, source_name,
raw_text, title_raw, published_raw, url, author_raw``) and returns one frame per warehouse table:
``documents`` (with ``clean_text`` etc.), ``removed_lines``, ``sentences``, ``mentions``,
``entities``, ``quotes`` and ``time_expressions``.  It does no I/O, so the flow can run it in a
process pool or on Dask workers and get the same rows.
"""
from __future__ import annotations

import polars as pl

from transforms.ids import sha256_text, stable_id, stable_id_expr

STAGED_SCHEMA = {
    "source_uri": pl.Utf8, "raw_text": pl.Utf8, "title_raw": pl.Utf8, "published_raw": pl.Utf8,
    "url": pl.Utf8, "author_raw": pl.Utf8, "source_name": pl.Utf8,
}


def with_identity(docs_raw: pl.DataFrame) -> pl.DataFrame:
    """Add ``content_sha256``, ``doc_id`` and ``source_id`` (all derived from content).

    ``doc_id`` = ``stable_id(source_uri, content_sha256)``: the same article from another URI is
    another document (stories cluster them); a changed file gets a new ``doc_id``.
    ``source_name`` falls back to ``unknown`` so every document has a source.
    """
    return docs_raw.with_columns(
        content_sha256=pl.col("raw_text").map_elements(sha256_text, return_dtype=pl.Utf8),
        source_name=pl.col("source_name").fill_null("unknown"),
    ).with_columns(
        doc_id=stable_id_expr("source_uri", "content_sha256"),
        source_id=pl.col("source_name").str.to_lowercase().map_elements(stable_id, return_dtype=pl.Utf8),
    )


def transform_documents(
    docs: pl.DataFrame, templates: pl.DataFrame | None = None, ner_backend: str = "default"
) -> dict[str, pl.DataFrame]:
    """Clean, segment, tag and resolve one batch; returns frames keyed by warehouse table name."""
    from transforms.clean import clean_documents
    from transforms.entities import quotes, resolve, time_expressions
    from transforms.ner import mentions
    from transforms.segment import sentences

    cleaned, removed = clean_documents(docs, templates)
    sents = sentences(cleaned)
    ments = mentions(sents, backend=ner_backend)
    ments, ents = resolve(ments, cleaned)
    ments = ments.with_columns(entity_id_local=pl.col("entity_id"))
    return {
        "documents": cleaned,
        "removed_lines": removed,
        "sentences": sents,
        "mentions": ments,
        "entities": ents,
        "quotes": quotes(cleaned, ments),
        "time_expressions": time_expressions(cleaned),
    }

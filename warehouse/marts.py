"""Cross-document marts, recomputed from the document-level tables: ``refresh_marts``.

``sources`` counts, ``entities``, ``entity_aliases`` and ``entity_redirects`` (decided over the whole
corpus: ``warehouse/entities.py``) and ``stories`` are a pure function of the documents loaded (``load.load_batch``), the same whatever
order or number of runs loaded them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb
import polars as pl

from warehouse.db import memory_limit_bytes, release_cached_blocks, with_memory_retry
from warehouse.entities import entity_inputs, write_entities
from warehouse.load import insert_frame
from warehouse.stories import story_pairs


def refresh_marts(
    con: duckdb.DuckDBPyConnection,
    resolve_entities: Callable[[pl.DataFrame, pl.DataFrame],
                               tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]] | None = None,
    stories: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    story_params: Mapping[str, float] | None = None,
) -> None:
    """Recompute cross-document marts from document-level tables; every write is in one transaction
    (same-story pairs are computed before it opens: they only read tables it does not change).

    ``resolve_entities(units, docs) -> (units + entity_id, entities, redirects)`` (see
    ``warehouse.entities``) and ``stories(pairs) -> (story_id, doc_id, similarity)`` are pure
    transforms passed in by the flow (warehouse never imports transforms); same-story ``pairs``
    come from ``story_pairs``.
    Both see the whole warehouse, so the result does not depend on how many runs loaded it.
    """
    # Pairs only read doc_shingles and documents, which nothing below changes: computing them
    # first keeps their temporary tables out of the marts transaction. The entity merge is
    # decided before it opens too. Both are Polars work in this process, each after DuckDB's
    # cached blocks are handed back (otherwise the merge's memory comes on top of what the story
    # join left in DuckDB's cache); the release stays outside the transaction, where a refused
    # lower limit would abort it.
    limit = f"{memory_limit_bytes(con)}B"
    clusters = decided = None
    if stories is not None:
        pairs = with_memory_retry(con, lambda: story_pairs(con, **(story_params or {})))
        release_cached_blocks(con, limit)
        clusters = stories(pairs)
        del pairs
    if resolve_entities is not None:
        units, docs = entity_inputs(con)
        release_cached_blocks(con, limit)
        decided = resolve_entities(units, docs)
        del units, docs
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            """
            UPDATE sources SET n_documents = coalesce(d.n, 0), first_published_at = d.lo,
                   last_published_at = d.hi
            FROM (SELECT s.source_id, count(doc_id) AS n, min(published_at) AS lo, max(published_at) AS hi
                  FROM sources s LEFT JOIN documents USING (source_id) GROUP BY s.source_id) d
            WHERE sources.source_id = d.source_id
            """
        )
        con.execute("DELETE FROM sources WHERE n_documents = 0")
        if decided is not None:
            write_entities(con, *decided)
        if clusters is not None:
            con.execute("DELETE FROM stories")
            insert_frame(con, "stories", clusters)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise

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
from warehouse.stories import StoryInputs, add_missing_sketches, story_inputs, write_stories


def refresh_marts(
    con: duckdb.DuckDBPyConnection,
    resolve_entities: Callable[[pl.DataFrame, pl.DataFrame],
                               tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]] | None = None,
    stories: Callable[..., tuple[pl.DataFrame, pl.DataFrame]] | None = None,
    story_params: Mapping[str, float] | None = None,
    sketch: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> None:
    """Recompute cross-document marts from document-level tables; every write is in one transaction
    (same-story pairs are computed before it opens: they only read tables it does not change).

    ``resolve_entities(units, docs) -> (units + entity_id, entities, redirects)`` (see
    ``warehouse.entities``), ``stories(todo, pairs, context, known_duplicates, params) -> (stories,
    duplicates)`` and ``sketch(documents) -> doc_sketches`` (for documents loaded before sketches
    existed) are pure transforms passed in by the flow (warehouse never imports transforms); the
    stories' inputs come from ``warehouse.stories.story_inputs``, which redoes only the stories
    from the earliest changed document on. The result does not depend on how many runs loaded
    the warehouse.
    """
    # Story inputs only read doc_sketches, stories and documents, which nothing below changes
    # (sketches missing from an older warehouse are added first): computing them
    # first keeps their temporary tables out of the marts transaction. The entity merge is
    # decided before it opens too. Both are Polars work in this process, each after DuckDB's
    # cached blocks are handed back (otherwise the merge's memory comes on top of what the story
    # join left in DuckDB's cache); the release stays outside the transaction, where a refused
    # lower limit would abort it.
    limit = f"{memory_limit_bytes(con)}B"
    clusters = decided = None
    inputs: StoryInputs | None = None
    if stories is not None:
        if sketch is not None:
            add_missing_sketches(con, sketch)
        inputs = with_memory_retry(con, lambda: story_inputs(con, story_params or {}))
        release_cached_blocks(con, limit)
        if inputs is not None:
            clusters = stories(inputs.todo, inputs.pairs, inputs.context, inputs.known_duplicates,
                               dict(story_params or {}))
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
        if inputs is not None and clusters is not None:
            write_stories(con, inputs, *clusters)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise

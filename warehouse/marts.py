"""Cross-document marts, recomputed from the document-level tables: ``refresh_marts``.

``sources`` counts, ``entities`` and ``entity_aliases`` (after the cross-document entity merge) and
``stories`` are a pure function of the documents loaded (``load.load_batch``), the same whatever
order or number of runs loaded them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb
import polars as pl

from warehouse.db import memory_limit_bytes, release_cached_blocks, with_memory_retry
from warehouse.load import insert_frame
from warehouse.stories import story_pairs


def refresh_marts(
    con: duckdb.DuckDBPyConnection,
    merge_entities: Callable[[pl.DataFrame, pl.DataFrame], pl.DataFrame] | None = None,
    stories: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    story_params: Mapping[str, float] | None = None,
) -> None:
    """Recompute cross-document marts from document-level tables; every write is in one transaction
    (same-story pairs are computed before it opens: they only read tables it does not change).

    ``merge_entities(entities, mention_stats) -> (entity_id, canonical_entity_id)`` and
    ``stories(pairs) -> (story_id, doc_id, similarity)`` are pure transforms passed in by the
    flow (warehouse never imports transforms); same-story ``pairs`` come from ``story_pairs``.
    Both see the whole warehouse, so the result does not depend on how many runs loaded it.
    """
    # Pairs only read doc_shingles and documents, which nothing below changes: computing them
    # first keeps their temporary tables out of the marts transaction. The entity merge is
    # decided before it opens too. Both are Polars work in this process, each after DuckDB's
    # cached blocks are handed back (otherwise the merge's memory comes on top of what the story
    # join left in DuckDB's cache); the release stays outside the transaction, where a refused
    # lower limit would abort it.
    limit = f"{memory_limit_bytes(con)}B"
    clusters = mapping = names = None
    if stories is not None:
        pairs = with_memory_retry(con, lambda: story_pairs(con, **(story_params or {})))
        release_cached_blocks(con, limit)
        clusters = stories(pairs)
        del pairs
    if merge_entities is not None:
        ents, stats = _merge_inputs(con)
        release_cached_blocks(con, limit)
        mapping = merge_entities(ents, stats).select("entity_id", "canonical_entity_id")
        names = ents.select("entity_id", "canonical_name")  # stored in the transaction, not recomputed
        del ents, stats
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
        if mapping is not None:
            _apply_entity_merges(con, names, mapping)
        _refresh_entities(con)
        if clusters is not None:
            con.execute("DELETE FROM stories")
            insert_frame(con, "stories", clusters)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _cut_name(surface: str) -> str:
    """SQL: candidate ``c``'s name is the ``surface`` column without its proclitics (و، ف، ب، ك، ل;
    ل + ال written لل) — what ``resolve.display_name`` gives a gazetteer place."""
    name = "c.canonical_name"
    return (f"({name} <> {surface} AND (regexp_replace({surface}, '^[وف]?لل', 'ال') = {name}"
            f" OR (suffix({surface}, {name})"
            f" AND regexp_full_match(left({surface}, length({surface}) - length({name})), '[وف]?[بكل]?'))))")


def _merge_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The candidates that have mentions (with their recomputed ``canonical_name``) and their
    mention counts per surface: what ``merge_entities`` decides on."""
    # The proposed name of a candidate is recomputed from all its mentions, so that it does not
    # depend on how documents were split into batches (resolve only sees one batch).
    ents = con.execute(
        f"""
        SELECT c.* REPLACE (CASE WHEN {_cut_name('b.surface')} THEN c.canonical_name ELSE b.surface END AS canonical_name)
        FROM entity_candidates c
        JOIN (
            SELECT entity_id_local, surface FROM (
                SELECT entity_id_local, surface, row_number() OVER (PARTITION BY entity_id_local
                    ORDER BY contains(surface, ' ') DESC, count(*) DESC, strlen(surface), surface) AS rn
                FROM mentions WHERE entity_id_local IS NOT NULL GROUP BY entity_id_local, surface)
            WHERE rn = 1
        ) b ON b.entity_id_local = c.entity_id
        ORDER BY c.entity_id
        """
    ).pl()
    stats = con.execute(
        "SELECT entity_id_local AS entity_id, surface, count(*) AS n, count(DISTINCT doc_id) AS n_documents"
        " FROM mentions WHERE entity_id_local IS NOT NULL GROUP BY ALL"
    ).pl()
    return ents, stats


def _apply_entity_merges(con: duckdb.DuckDBPyConnection, names: pl.DataFrame, mapping: pl.DataFrame) -> None:
    """Store the recomputed candidate names (``names``: entity_id, canonical_name, from
    ``_merge_inputs``) and point mentions and quotes at canonical entities (``mapping``: entity_id →
    canonical_entity_id); ``mentions.entity_id_local`` keeps the per-document resolution so that a
    merge decision can be revisited when more documents arrive."""
    con.register("_names", names.to_arrow())
    con.execute(
        "UPDATE entity_candidates SET canonical_name = n.canonical_name FROM _names n"
        " WHERE entity_candidates.entity_id = n.entity_id"
    )
    con.unregister("_names")
    con.register("_merge", mapping.to_arrow())
    con.execute(
        "UPDATE mentions SET entity_id = coalesce(m.canonical_entity_id, mentions.entity_id_local)"
        " FROM (SELECT DISTINCT entity_id_local FROM mentions) l"
        " LEFT JOIN _merge m ON m.entity_id = l.entity_id_local"
        " WHERE mentions.entity_id_local = l.entity_id_local"
    )
    con.execute(
        "UPDATE quotes SET speaker_entity_id = coalesce(m.canonical_entity_id, quotes.speaker_entity_id_local)"
        " FROM (SELECT DISTINCT speaker_entity_id_local FROM quotes WHERE speaker_entity_id_local IS NOT NULL) l"
        " LEFT JOIN _merge m ON m.entity_id = l.speaker_entity_id_local"
        " WHERE quotes.speaker_entity_id_local = l.speaker_entity_id_local"
    )
    con.unregister("_merge")


def _refresh_entities(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild ``entities`` (canonical entities that have mentions) and ``entity_aliases``.

    Name: the most frequent multi-word spelling without a proclitic before the article (الهند, not
    والهند), else the most frequent; ties broken by text so the result is deterministic. A name
    that only occurs behind such a proclitic loses it when the bare spelling is some mention's.  Links come from the canonical candidate, else any member's.
    """
    con.execute("DELETE FROM entities")
    con.execute(
        f"""
        INSERT INTO entities
        WITH s AS (
            SELECT entity_id, surface, count(*) AS cnt FROM mentions
            WHERE entity_id IS NOT NULL GROUP BY ALL
        ), best AS (
            SELECT entity_id, surface FROM (
                SELECT *, row_number() OVER (PARTITION BY entity_id
                    ORDER BY contains(surface, ' ') DESC,
                             regexp_matches(surface, '^([وفبكل]ال|لل)') ASC,  -- وال/بال/لل: a clitic on the article
                             cnt DESC, strlen(surface), surface) AS rn
                FROM s) WHERE rn = 1
        ), tot AS (
            SELECT entity_id, count(*) AS n, count(DISTINCT doc_id) AS nd FROM mentions
            WHERE entity_id IS NOT NULL GROUP BY entity_id
        ), geo AS (
            SELECT m.entity_id,
                   arg_min(struct_pack(cc := c.country_code, g := c.geonames_id, lat := c.lat, lon := c.lon),
                           c.entity_id) FILTER (WHERE c.country_code IS NOT NULL OR c.geonames_id IS NOT NULL) AS l
            FROM (SELECT DISTINCT entity_id, entity_id_local FROM mentions WHERE entity_id IS NOT NULL) m
            JOIN entity_candidates c ON c.entity_id = m.entity_id_local
            GROUP BY m.entity_id
        )
        , bare AS (  -- display form: a proclitic glued to the article is not part of the name
            SELECT entity_id, surface, regexp_replace(surface, '^[وفبك](ال)', '\\1') AS stripped
            FROM (SELECT entity_id, regexp_replace(surface, '^لل', 'ال') AS surface FROM best)  -- للحزب → الحزب
        )
        SELECT c.entity_id,
               -- والهند → الهند only when some mention is spelled الهند: فالنسيا and بالي start
               -- with the same letters and are names whole
               CASE WHEN bare.stripped <> bare.surface
                         AND bare.stripped IN (SELECT DISTINCT surface FROM mentions)
                    THEN bare.stripped
                    -- وهونغ كونغ → هونغ كونغ: transforms named the candidate without the proclitic
                    -- because the rest is a gazetteer place (resolve.display_name)
                    WHEN {_cut_name('bare.surface')} THEN c.canonical_name
                    ELSE bare.surface END,
               c.label, c.key,
               coalesce(c.country_code, geo.l.cc), coalesce(c.geonames_id, geo.l.g),
               coalesce(c.lat, geo.l.lat), coalesce(c.lon, geo.l.lon), tot.n, tot.nd
        FROM tot JOIN bare USING (entity_id) JOIN entity_candidates c USING (entity_id)
        LEFT JOIN geo USING (entity_id)
        ORDER BY c.entity_id
        """
    )
    con.execute("DELETE FROM entity_aliases")
    con.execute(
        "INSERT INTO entity_aliases SELECT entity_id, surface, count(*) FROM mentions"
        " WHERE entity_id IS NOT NULL GROUP BY ALL ORDER BY ALL"
    )

"""Exactly-once, incremental loads into DuckDB.

A document's identity is ``(source_uri, content_sha256)``.  ``known_documents`` lets the flow skip
unchanged inputs before any transform work; ``load_batch`` replaces a changed input's old rows and
inserts a batch's rows for every table in ONE transaction, so a run that dies leaves the previous
state intact; ``refresh_marts`` recomputes the cross-document marts (sources, entities,
entity_aliases, stories) from the document-level tables, which makes them a pure function of the
documents loaded — the same whatever order or number of runs loaded them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb
import polars as pl

from warehouse.db import memory_limit_bytes, release_cached_blocks, utcnow, with_memory_retry
from warehouse.stories import story_pairs
from warehouse.ddl import quote_ident
from warehouse.schema import BY_NAME, TABLES

DOC_TABLES = [t.name for t in TABLES if t.doc_key == "doc_id" and t.name != "documents"]


def _conform(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Select the declared columns in order, adding missing nullable ones as nulls."""
    table = BY_NAME[name]
    cols = []
    for c in table.columns:
        if c.name in frame.columns:
            cols.append(pl.col(c.name))
        elif c.nullable:
            cols.append(pl.lit(None).alias(c.name))
        else:
            raise ValueError(f"{name}: required column {c.name!r} missing from the batch")
    return frame.select(cols)


def known_documents(con: duckdb.DuckDBPyConnection, source_uris: list[str]) -> pl.DataFrame:
    """``(source_uri, content_sha256, doc_id)`` already in the warehouse for these inputs."""
    if not source_uris:
        return pl.DataFrame(schema={"source_uri": pl.Utf8, "content_sha256": pl.Utf8, "doc_id": pl.Utf8})
    wanted = pl.DataFrame({"source_uri": source_uris}).unique()
    con.register("_wanted", wanted.to_arrow())
    try:
        return con.execute(
            "SELECT d.source_uri, d.content_sha256, d.doc_id FROM documents d JOIN _wanted USING (source_uri)"
        ).pl()
    finally:
        con.unregister("_wanted")


def count_new_rejects(con: duckdb.DuckDBPyConnection, reject_ids: list[str]) -> int:
    known = con.execute("SELECT count(*) FROM rejects WHERE list_contains(?, reject_id)", [reject_ids]).fetchone()[0]
    return len(set(reject_ids)) - int(known)


def last_run_completed(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the most recent run finished (or there is none)."""
    row = con.execute("SELECT status FROM runs ORDER BY started_at DESC, run_id DESC LIMIT 1").fetchone()
    return row is None or row[0] == "completed"


def start_run(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    con.execute(
        "INSERT OR REPLACE INTO runs (run_id, started_at, status) VALUES (?, ?, 'running')",
        [run_id, utcnow()],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: Mapping[str, int]) -> None:
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, n_seen = ?, n_new = ?, n_unchanged = ?, n_rejected = ?"
        " WHERE run_id = ?",
        [utcnow(), status, counts.get("n_seen", 0), counts.get("n_new", 0),
         counts.get("n_unchanged", 0), counts.get("n_rejected", 0), run_id],
    )


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Write the WAL into the database file now, if no other transaction is open (best effort:
    DuckDB checkpoints on its own at ``checkpoint_threshold`` and on close)."""
    try:
        con.execute("CHECKPOINT")
    except duckdb.Error:
        pass


def _insert(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    rel = f"_batch_{name}"
    table = BY_NAME[name]
    frame = _conform(name, frame)
    if table.primary_key:
        frame = frame.unique(list(table.primary_key), keep="first", maintain_order=True)
    con.register(rel, frame.to_arrow())
    try:
        cols = ", ".join(quote_ident(c) for c in BY_NAME[name].column_names)
        # unenforced keys: the frame is unique on the key (above) and the document's old rows were
        # deleted, so a plain INSERT gives the same table
        verb = "INSERT OR REPLACE" if table.primary_key and table.enforce_key else "INSERT"
        con.execute(f"{verb} INTO {quote_ident(name)} ({cols}) SELECT {cols} FROM {rel}")
    finally:
        con.unregister(rel)


def load_batch(
    con: duckdb.DuckDBPyConnection,
    tables: Mapping[str, pl.DataFrame],
    before_commit: Callable[[], None] | None = None,
) -> None:
    """Replace and insert one batch in a single transaction.

    ``tables["documents"]`` holds new or changed documents; any older version of the same
    ``source_uri`` (and all its dependent rows) is deleted first.  ``tables["rejects"]`` upserts
    rejects, keeping the first ``first_seen_at``.  ``before_commit`` is a test hook (crash tests).
    """
    docs = tables.get("documents")
    con.execute("BEGIN TRANSACTION")
    try:
        if docs is not None and docs.height:
            con.register("_new_docs", docs.select("source_uri", "doc_id").to_arrow())
            old = "SELECT d.doc_id FROM documents d JOIN _new_docs n USING (source_uri)"
            # Each DELETE scans its whole table: only pay for it when a changed input replaces rows
            # (a new corpus never does; without this a run is quadratic in the warehouse size).
            if con.execute(f"SELECT count(*) FROM ({old})").fetchone()[0]:
                for name in DOC_TABLES:
                    con.execute(f"DELETE FROM {quote_ident(name)} WHERE doc_id IN ({old})")
                con.execute(f"DELETE FROM documents WHERE doc_id IN ({old})")
            # a source that used to be rejected and now parses is no longer a reject
            con.execute("DELETE FROM rejects WHERE source_uri IN (SELECT source_uri FROM _new_docs)")
            con.unregister("_new_docs")
            _insert(con, "documents", docs)
            con.register("_srcs", docs.select("source_id", "source_name").unique("source_id").to_arrow())
            con.execute(
                "INSERT INTO sources (source_id, name, n_documents) SELECT source_id, source_name, 0"
                " FROM _srcs ON CONFLICT DO NOTHING"
            )
            con.unregister("_srcs")
        for name in DOC_TABLES:
            if name in tables:
                _insert(con, name, tables[name])
        rejects = tables.get("rejects")
        if rejects is not None and rejects.height:
            con.register("_rej", _conform("rejects", rejects).unique("reject_id").to_arrow())
            con.execute(
                "INSERT INTO rejects SELECT * FROM _rej ON CONFLICT (reject_id) DO UPDATE SET "
                "detail = excluded.detail, bytes = excluded.bytes, run_id = excluded.run_id"
            )
            con.unregister("_rej")
        if "entities" in tables:
            _upsert_entity_attributes(con, tables["entities"])
        if "source_templates" in tables:
            _insert(con, "source_templates", tables["source_templates"])
        if before_commit is not None:
            before_commit()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _upsert_entity_attributes(con: duckdb.DuckDBPyConnection, ents: pl.DataFrame) -> None:
    """Entity attributes are a function of (label, key), so an upsert never changes an existing row
    except to fill geo attributes learned later; the ``entities`` mart is rebuilt by ``refresh_marts``."""
    if ents.height == 0:
        return
    con.register("_ents", _conform("entity_candidates", ents).unique("entity_id").to_arrow())
    con.execute(
        "INSERT INTO entity_candidates SELECT * FROM _ents ON CONFLICT (entity_id) DO UPDATE SET "
        "country_code = COALESCE(entity_candidates.country_code, excluded.country_code), "
        "geonames_id = COALESCE(entity_candidates.geonames_id, excluded.geonames_id), "
        "lat = COALESCE(entity_candidates.lat, excluded.lat), lon = COALESCE(entity_candidates.lon, excluded.lon)"
    )
    con.unregister("_ents")


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
    # cached blocks are handed back (~290k articles: DuckDB still held ~1 GB of RSS after the
    # story join, and the merge took ~570 MB more on top); the release stays outside the
    # transaction, where a refused lower limit would abort it.
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
            _insert(con, "stories", clusters)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _merge_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The candidates that have mentions (with their recomputed ``canonical_name``) and their
    mention counts per surface: what ``merge_entities`` decides on."""
    # The proposed name of a candidate is recomputed from all its mentions, so that it does not
    # depend on how documents were split into batches (resolve only sees one batch).
    ents = con.execute(
        """
        SELECT c.* REPLACE (b.surface AS canonical_name) FROM entity_candidates c
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
        """
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
                    THEN bare.stripped ELSE bare.surface END,
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

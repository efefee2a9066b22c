"""Exactly-once, incremental loads into DuckDB.

A document's identity is ``(source_uri, content_sha256)``.  ``known_documents`` lets the flow skip
unchanged inputs before any transform work; ``load_batch`` replaces a changed input's old rows and
inserts a batch's rows for every table in ONE transaction, so a run that dies leaves the previous
state intact; ``marts.refresh_marts`` then recomputes the cross-document marts from the
document-level tables.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import duckdb
import polars as pl

from warehouse.db import utcnow
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


def insert_frame(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """Insert ``frame``'s rows into table ``name`` (columns conformed to the schema, unique on its key)."""
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
            insert_frame(con, "documents", docs)
            con.register("_srcs", docs.select("source_id", "source_name").unique("source_id").to_arrow())
            con.execute(
                "INSERT INTO sources (source_id, name, n_documents) SELECT source_id, source_name, 0"
                " FROM _srcs ON CONFLICT DO NOTHING"
            )
            con.unregister("_srcs")
        for name in DOC_TABLES:
            if name in tables:
                insert_frame(con, name, tables[name])
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
            insert_frame(con, "source_templates", tables["source_templates"])
        if before_commit is not None:
            before_commit()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _upsert_entity_attributes(con: duckdb.DuckDBPyConnection, ents: pl.DataFrame) -> None:
    """Entity attributes are a function of (label, key), so an upsert never changes an existing row
    except to fill geo attributes learned later; the ``entities`` mart is rebuilt by ``marts.refresh_marts``."""
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

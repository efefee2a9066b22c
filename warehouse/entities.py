"""Corpus-level entities in the warehouse: read the evidence, write what was decided.

``marts.refresh_marts`` calls :func:`entity_inputs` before its transaction (what every mention
of the warehouse says, grouped by document, label and spelling) and :func:`write_entities` in it
with the frames the transform decided (``transforms.entities.corpus.corpus_entities`` and
``redirects``, passed in by the flow: warehouse never imports transforms).
"""
from __future__ import annotations

import duckdb
import polars as pl

from warehouse.load import insert_frame


def entity_inputs(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``units`` (``doc_id, label, surface, n, n_glued``) and ``docs`` (``doc_id, source_id,
    published_at``): the whole warehouse's mentions, one row per document, label and spelling;
    ``n_glued`` counts the PERS mentions written one space from another PERS mention without a
    و (``كينيدي`` of ``كينيدي ماكين``, a name the tagger split in two)."""
    units = con.execute(
        "SELECT doc_id, label, surface, count(*) AS n FROM mentions GROUP BY ALL ORDER BY ALL").pl()
    glued = con.execute(
        """
        WITH p AS (
            SELECT doc_id, surface, start_char, end_char, lead(start_char) OVER w AS next_start,
                   lead(surface) OVER w AS next_surface, lag(end_char) OVER w AS prev_end
            FROM mentions WHERE label = 'PERS'
            WINDOW w AS (PARTITION BY doc_id ORDER BY start_char, end_char)),
        beside AS (
            SELECT doc_id, surface, start_char, end_char AS gap FROM p
            WHERE next_start = end_char + 1 AND NOT starts_with(next_surface, 'و')
            UNION ALL
            SELECT doc_id, surface, start_char, start_char - 1 FROM p
            WHERE prev_end = start_char - 1 AND NOT starts_with(surface, 'و'))
        SELECT b.doc_id, 'PERS' AS label, b.surface, count(DISTINCT b.start_char) AS n_glued
        FROM beside b JOIN documents d USING (doc_id)
        WHERE substr(d.clean_text, b.gap + 1, 1) = ' ' GROUP BY ALL
        """).pl()
    units = units.join(glued, on=["doc_id", "label", "surface"], how="left").with_columns(
        pl.col("n_glued").fill_null(0).cast(units.schema["n"]))
    docs = con.execute("SELECT doc_id, source_id, published_at FROM documents ORDER BY doc_id").pl()
    return units, docs


def write_entities(con: duckdb.DuckDBPyConnection, units: pl.DataFrame, entities: pl.DataFrame,
                   redirects: pl.DataFrame) -> None:
    """Point mentions and quotes at the decided entities and rebuild ``entities``,
    ``entity_aliases`` and ``entity_redirects`` (inside the caller's transaction).

    ``units``: ``doc_id, mention_label, surface, entity_id``; ``redirects``: ``entity_id_old,
    entity_id`` derived from the data.  Ids of the previous ``entities`` that are neither kept nor
    redirected there (a code change, a re-ingested article) are redirected to where most of their
    mentions went; earlier redirects whose target is gone follow it.
    """
    con.register("_units", units.select("doc_id", "mention_label", "surface", "entity_id").to_arrow())
    con.register("_ents", entities.to_arrow())
    con.register("_red", redirects.to_arrow())
    try:
        # Where the mentions of each id listed before and derived no more go now (before mentions
        # change); with unchanged code and articles there is none, and no mention is joined.
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _moved AS
            WITH gone AS (SELECT entity_id FROM entities
                          WHERE entity_id NOT IN (SELECT entity_id FROM _ents)
                            AND entity_id NOT IN (SELECT entity_id_old FROM _red))
            SELECT old, arg_max(new, n) AS new FROM (
                SELECT m.entity_id AS old, u.entity_id AS new, count(*) AS n
                FROM mentions m JOIN _units u
                  ON u.doc_id = m.doc_id AND u.mention_label = m.label AND u.surface = m.surface
                WHERE m.entity_id IN (SELECT entity_id FROM gone) AND u.entity_id IS NOT NULL GROUP BY ALL)
            GROUP BY old
            """
        )
        con.execute(
            "UPDATE mentions SET entity_id = u.entity_id FROM _units u WHERE u.doc_id = mentions.doc_id"
            " AND u.mention_label = mentions.label AND u.surface = mentions.surface"
            " AND mentions.entity_id IS DISTINCT FROM u.entity_id"
        )
        # A quote's speaker is the entity most of its in-document entity's mentions went to.
        con.execute(
            """
            UPDATE quotes SET speaker_entity_id = s.eid FROM (
                SELECT q.quote_id, s.eid FROM quotes q LEFT JOIN (
                    SELECT doc_id, entity_id_local, arg_max(entity_id, n) AS eid FROM (
                        SELECT doc_id, entity_id_local, entity_id, count(*) AS n FROM mentions
                        WHERE entity_id IS NOT NULL AND entity_id_local IS NOT NULL GROUP BY ALL)
                    GROUP BY ALL) s
                  ON s.doc_id = q.doc_id AND s.entity_id_local = q.speaker_entity_id_local) s
            WHERE quotes.quote_id = s.quote_id
            """
        )
        con.execute("DELETE FROM entities")
        insert_frame(con, "entities", entities)
        con.execute("DELETE FROM entity_aliases")
        con.execute(
            "INSERT INTO entity_aliases SELECT entity_id, surface, count(*) FROM mentions"
            " WHERE entity_id IS NOT NULL GROUP BY ALL ORDER BY ALL"
        )
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE _redirects AS
            WITH live AS (SELECT entity_id FROM entities),
            derived AS (SELECT entity_id_old, entity_id FROM _red),
            moved AS (SELECT old AS entity_id_old, new AS entity_id FROM _moved
                      WHERE old NOT IN (SELECT entity_id FROM live)
                        AND old NOT IN (SELECT entity_id_old FROM derived)),
            now AS (SELECT * FROM derived UNION ALL SELECT * FROM moved),
            earlier AS (  -- kept from before, following their target when it moved too
                SELECT r.entity_id_old, coalesce(n.entity_id, r.entity_id) AS entity_id
                FROM entity_redirects r LEFT JOIN now n ON n.entity_id_old = r.entity_id
                WHERE r.entity_id_old NOT IN (SELECT entity_id_old FROM now)
                  AND r.entity_id_old NOT IN (SELECT entity_id FROM live))
            SELECT * FROM now UNION ALL
            SELECT * FROM earlier WHERE entity_id IN (SELECT entity_id FROM live)
            """
        )
        con.execute("DELETE FROM entity_redirects")
        con.execute("INSERT INTO entity_redirects SELECT * FROM _redirects ORDER BY entity_id_old")
        con.execute("DROP TABLE _redirects")
        con.execute("DROP TABLE _moved")
    finally:
        for name in ("_units", "_ents", "_red"):
            con.unregister(name)


def audit_inputs(out_dir: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``entities`` and ``labels`` (``entity_id, label, n``: mentions per entity and tagger label)
    of the warehouse in ``out_dir``, read-only: what ``akhbar audit-entities`` checks."""
    from warehouse.db import connect

    con = connect(out_dir, read_only=True)
    try:
        ents = con.execute("SELECT * FROM entities ORDER BY entity_id").pl()
        labels = con.execute(
            "SELECT entity_id, label, count(*) AS n FROM mentions WHERE entity_id IS NOT NULL"
            " GROUP BY ALL ORDER BY ALL").pl()
    finally:
        con.close()
    return ents, labels

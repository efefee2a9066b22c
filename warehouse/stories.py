"""Same-story candidate pairs, joined out of core in DuckDB from ``doc_shingles``.

The clustering itself is a pure transform (``transforms.stories.stories_from_pairs``).
"""
from __future__ import annotations

import duckdb
import polars as pl


def story_pairs(
    con: duckdb.DuckDBPyConnection, min_containment: float = 0.05, min_shared: int = 15,
    max_df: int = 30, max_days: int = 7,
) -> pl.DataFrame:
    """Same-story pairs ``(doc_a, doc_b, shared, containment)`` from ``doc_shingles``, out of core.

    Shingles in more than ``max_df`` documents are stock phrases and ignored; a pair needs
    ``min_shared`` common shingles covering ``min_containment`` of the smaller document, and
    publication dates within ``max_days`` when both are known.
    """
    return con.execute(
        """
        WITH useful AS (
            SELECT shingle FROM doc_shingles GROUP BY shingle HAVING count(*) BETWEEN 2 AND $max_df
        ), u AS (
            SELECT doc_id, shingle FROM doc_shingles SEMI JOIN useful USING (shingle)
        ), pairs AS (
            SELECT a.doc_id AS doc_a, b.doc_id AS doc_b, count(*) AS shared
            FROM u a JOIN u b ON a.shingle = b.shingle AND a.doc_id < b.doc_id
            GROUP BY ALL HAVING count(*) >= $min_shared
        ), sizes AS (
            SELECT doc_id, count(*) AS size FROM doc_shingles
            WHERE doc_id IN (SELECT doc_a FROM pairs UNION SELECT doc_b FROM pairs) GROUP BY doc_id
        )
        SELECT p.doc_a, p.doc_b, p.shared, p.shared / least(sa.size, sb.size) AS containment
        FROM pairs p
        JOIN sizes sa ON sa.doc_id = p.doc_a JOIN sizes sb ON sb.doc_id = p.doc_b
        JOIN documents da ON da.doc_id = p.doc_a JOIN documents db ON db.doc_id = p.doc_b
        WHERE p.shared / least(sa.size, sb.size) >= $min_containment
          AND (da.published_at IS NULL OR db.published_at IS NULL
               OR abs(date_diff('second', da.published_at, db.published_at)) <= $max_days * 86400)
        ORDER BY p.doc_a, p.doc_b
        """,
        {"min_containment": min_containment, "min_shared": min_shared, "max_df": max_df, "max_days": max_days},
    ).pl()

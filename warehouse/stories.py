"""Same-story candidate pairs, joined out of core in DuckDB from ``doc_shingles``.

The clustering itself is a pure transform (``transforms.stories.stories_from_pairs``).

Memory is bounded whatever the size of the warehouse: the join runs in slices of documents, each
small enough that its hash table and its per-pair counts fit in a few hundred MB.  As one query
(every pair of the warehouse counted in one aggregation) it would hold gigabytes on a large
warehouse with many near-copies, where every shingle is "useful" and every article a member of a
pair.
"""
from __future__ import annotations

import duckdb
import polars as pl

# Shingle rows per slice of the `useful` aggregation (one pass over doc_shingles per slice).
SHINGLES_PER_PASS = 16_000_000
# Useful shingle rows on the left side of one slice of the self-join.  A shingle is in at most
# max_df documents, so a slice yields at most (max_df - 1) x this many joined rows to count.
LEFT_ROWS_PER_SLICE = 4_000_000
_TEMP = ("_story_docs", "_story_u", "_story_a", "_story_pairs")


def story_pairs(
    con: duckdb.DuckDBPyConnection, min_containment: float = 0.05, min_shared: int = 15,
    max_df: int = 30, max_days: int = 7,
) -> pl.DataFrame:
    """Same-story pairs ``(doc_a, doc_b, shared, containment)`` from ``doc_shingles``, out of core.

    Shingles in more than ``max_df`` documents are stock phrases and ignored; a pair needs
    ``min_shared`` common shingles covering ``min_containment`` of the smaller document, and
    publication dates within ``max_days`` when both are known.  Sorted by ``doc_a, doc_b``
    (``doc_a < doc_b``).
    """
    try:
        return _story_pairs(con, min_containment, min_shared, max_df, max_days)
    finally:
        for t in _TEMP:
            con.execute(f"DROP TABLE IF EXISTS temp.{t}")


def _story_pairs(con, min_containment: float, min_shared: int, max_df: int, max_days: int) -> pl.DataFrame:
    # Documents get dense integer keys in doc_id order, so `a.d < b.d` is `doc_a < doc_b` and the
    # join and counts carry 4-byte keys instead of 16-character strings.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _story_docs AS
        SELECT (row_number() OVER (ORDER BY s.doc_id))::INTEGER AS d, s.doc_id, s.size,
               doc.published_at, doc.doc_id IS NOT NULL AS is_document
        FROM (SELECT doc_id, count(*) AS size FROM doc_shingles GROUP BY doc_id) s
        LEFT JOIN documents doc USING (doc_id)
        """
    )
    n_rows = con.execute("SELECT coalesce(sum(size), 0) FROM _story_docs").fetchone()[0]
    con.execute("CREATE OR REPLACE TEMP TABLE _story_u (shingle UBIGINT, d INTEGER)")
    # A shingle's document frequency only depends on the rows with that shingle, so the
    # aggregation is exact per slice of shingle values.  (SEMI JOIN and UBIGINT operands: an
    # `IN (subquery)` with a mixed-type modulo is an order of magnitude slower.)
    passes = max(1, -(-int(n_rows) // SHINGLES_PER_PASS))
    for p in range(passes):
        con.execute(
            """
            INSERT INTO _story_u
            WITH useful AS (
                SELECT shingle FROM doc_shingles WHERE shingle % $passes::UBIGINT = $p::UBIGINT
                GROUP BY shingle HAVING count(*) BETWEEN 2 AND $max_df
            )
            SELECT s.shingle, k.d FROM doc_shingles s SEMI JOIN useful USING (shingle)
            JOIN _story_docs k USING (doc_id) WHERE s.shingle % $passes::UBIGINT = $p::UBIGINT
            """,
            {"passes": passes, "p": p, "max_df": max_df},
        )
    con.execute("CREATE OR REPLACE TEMP TABLE _story_pairs (a INTEGER, b INTEGER, shared BIGINT)")
    # A pair (a, b) with a < b is counted entirely in the slice that holds a, so each slice's
    # counts are final and the HAVING can run per slice.
    for lo, hi in _slices(con):
        con.execute("CREATE OR REPLACE TEMP TABLE _story_a AS SELECT shingle, d FROM _story_u WHERE d BETWEEN ? AND ?",
                    [lo, hi])
        con.execute(
            """
            INSERT INTO _story_pairs
            SELECT a.d, b.d, count(*) FROM _story_a a JOIN _story_u b ON a.shingle = b.shingle AND a.d < b.d
            WHERE b.d > $lo GROUP BY ALL HAVING count(*) >= $min_shared
            """,
            {"lo": lo, "min_shared": min_shared},
        )
    return con.execute(
        """
        SELECT sa.doc_id AS doc_a, sb.doc_id AS doc_b, p.shared, p.shared / least(sa.size, sb.size) AS containment
        FROM _story_pairs p
        JOIN _story_docs sa ON sa.d = p.a JOIN _story_docs sb ON sb.d = p.b
        WHERE sa.is_document AND sb.is_document
          AND p.shared / least(sa.size, sb.size) >= $min_containment
          AND (sa.published_at IS NULL OR sb.published_at IS NULL
               OR abs(date_diff('second', sa.published_at, sb.published_at)) <= $max_days * 86400)
        ORDER BY doc_a, doc_b
        """,
        {"min_containment": min_containment, "max_days": max_days},
    ).pl()


def _slices(con: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """Consecutive ``(lo, hi)`` document-key ranges holding about ``LEFT_ROWS_PER_SLICE`` useful rows."""
    counts = con.execute("SELECT d, count(*) FROM _story_u GROUP BY d ORDER BY d").fetchall()
    out, lo, rows = [], None, 0
    for d, n in counts:
        lo = d if lo is None else lo
        rows += n
        if rows >= LEFT_ROWS_PER_SLICE:
            out.append((lo, d))
            lo, rows = None, 0
    if lo is not None:
        out.append((lo, counts[-1][0]))
    return out

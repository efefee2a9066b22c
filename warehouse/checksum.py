"""Table checksums: proof that two warehouses hold the same rows (idempotence and crash tests).

Columns that record *when* or *which run* loaded a row (``ingested_at``, ``run_id``,
``first_seen_at``) differ between two correct histories and are left out, as is the ``runs``
log itself, the ``fetch_log`` of HTTP requests and ``schema_version``. So is
``entity_candidates.canonical_name``: the name the first batch to see an entity proposed, which
depends on how articles were batched; the ``entities`` mart names every entity from the whole
corpus, and it is compared in full.
"""
from __future__ import annotations

import duckdb

from warehouse.ddl import quote_ident
from warehouse.schema import TABLES

VOLATILE_COLUMNS = {"ingested_at", "run_id", "first_seen_at", "applied_at"}
BATCH_PROPOSALS = {("entity_candidates", "canonical_name")}
SKIP_TABLES = {"runs", "schema_version", "fetch_log"}


def table_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int, str]]:
    """``{table: (row_count, order-independent hash of all stable columns)}``."""
    out = {}
    for t in TABLES:
        if t.name in SKIP_TABLES:
            continue
        cols = [quote_ident(c) for c in t.column_names
                if c not in VOLATILE_COLUMNS and (t.name, c) not in BATCH_PROPOSALS]
        row = con.execute(
            f"SELECT count(*), coalesce(bit_xor(hash(({', '.join(cols)}))), 0)::VARCHAR,"
            f" coalesce(sum(hash(({', '.join(cols)}))::HUGEINT), 0)::VARCHAR FROM {quote_ident(t.name)}"
        ).fetchone()
        out[t.name] = (int(row[0]), f"{row[1]}:{row[2]}")
    return out

"""The Parquet mirror: ``DIR/parquet/<table>/`` written atomically for BI tools.

Each table is written into a hidden temporary directory (``.tmp-<table>-<pid>``; readers globbing
``parquet/<table>/**/*.parquet`` never see it), then swapped in with ``rename``.  Tables declared
``partition_by_published`` are hive-partitioned by ``published_year/published_month`` (zstd, level 1); rows
with no known date land in ``published_year=0/published_month=0`` so every reader sees an integer
partition column.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb

from warehouse.db import release_cached_blocks, with_memory_retry
from warehouse.ddl import quote_ident
from warehouse.schema import TABLES, Table

PARQUET_DIR = "parquet"
# Documents per Parquet file of a partition (bounds each COPY's sort; each file's COPY scans the
# whole table, so smaller files cost time). 20,000 runs out of memory at ~290k articles under the
# export's 384 MB memory_limit (docs/benchmarks.md).
ROWS_PER_FILE = 10_000
# zstd at level 1 rather than DuckDB's default (3): the export is a serial tail of every run, and
# level 1 writes 1.2-1.5x faster for files ~10% larger.
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1"


def _sql_path(p: Path) -> str:
    return "'" + str(p).replace("'", "''") + "'"


def _copy_table(con: duckdb.DuckDBPyConnection, table: Table, dest: Path) -> None:
    cols = ", ".join(quote_ident(c) for c in table.column_names)
    if table.partition_by_published:
        _copy_partitioned(con, table, dest)
    else:
        dest.mkdir(parents=True)
        order = ", ".join(quote_ident(k) for k in table.primary_key) or cols
        sql = (f"COPY (SELECT {cols} FROM {quote_ident(table.name)} ORDER BY {order}) "
               f"TO {_sql_path(dest / 'part-0.parquet')} ({PARQUET_OPTIONS})")
        with_memory_retry(con, lambda: con.execute(sql))


def _copy_partitioned(con: duckdb.DuckDBPyConnection, table: Table, dest: Path) -> None:
    """``dest/published_year=Y/published_month=M/part-K.parquet`` (partition columns in the path
    only), one COPY per partition and per ``ROWS_PER_FILE`` documents of it, in ``doc_id`` order.

    One partitioned COPY keeps a row group per open partition in memory, and one COPY per whole
    partition sorts all of that partition's text at once; both run out of memory on a large
    warehouse. Files of at most ``ROWS_PER_FILE`` documents keep each sort the same size whatever
    the corpus."""
    year = "coalesce(published_year, 0)"
    month = "coalesce(published_month, 0)"
    cols = ", ".join(quote_ident(c) for c in table.column_names if c not in ("published_year", "published_month"))
    name = quote_ident(table.name)
    dest.mkdir(parents=True)
    # every partition with the first doc_id of each ROWS_PER_FILE-document run, in one pass
    # (doc_id is the key, so the ranges between consecutive starts are exact)
    runs = con.execute(
        f"SELECT y, m, list(doc_id ORDER BY doc_id) FROM (SELECT {year} AS y, {month} AS m, doc_id, "
        f"row_number() OVER (PARTITION BY {year}, {month} ORDER BY doc_id) - 1 AS i FROM {name}) "
        f"WHERE i % {int(ROWS_PER_FILE)} = 0 GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    for y, m, starts in runs:
        part = dest / f"published_year={int(y)}" / f"published_month={int(m)}"
        part.mkdir(parents=True)
        for k, (lo, hi) in enumerate(zip(starts, starts[1:] + [None])):
            upper, params = ("", [lo]) if hi is None else (" AND doc_id < ?", [lo, hi])
            sql = (f"COPY (SELECT {cols} FROM {name} WHERE {year} = {int(y)} AND {month} = {int(m)} "
                   f"AND doc_id >= ?{upper} ORDER BY doc_id) "
                   f"TO {_sql_path(part / f'part-{k}.parquet')} ({PARQUET_OPTIONS})")
            with_memory_retry(con, lambda: con.execute(sql, params))


def export_parquet(con: duckdb.DuckDBPyConnection, dest_root: str | os.PathLike, tables: list[str] | None = None) -> list[Path]:
    """Write every exported table under ``dest_root/<table>/``; returns the table directories."""
    root = Path(dest_root)
    root.mkdir(parents=True, exist_ok=True)
    sweep_temp(root)
    written = []
    for table in TABLES:
        if not table.export or (tables is not None and table.name not in tables):
            continue
        final = root / table.name
        tmp = root / f".tmp-{table.name}-{os.getpid()}"
        old = root / f".old-{table.name}-{os.getpid()}"
        _copy_table(con, table, tmp)
        if final.exists():
            os.rename(final, old)
        os.rename(tmp, final)
        shutil.rmtree(old, ignore_errors=True)
        written.append(final)
    # Each COPY scans its whole table, and DuckDB keeps what it read: handed back here, once, as
    # releasing after each COPY costs far more time than it saves memory (docs/experiments.md).
    release_cached_blocks(con)
    return written


def sweep_temp(root: Path) -> None:
    """Remove temporary directories left by a run that was killed mid-export."""
    if not root.exists():
        return
    for p in sorted(root.iterdir()):
        if p.name.startswith(".old-"):
            final = root / p.name[len(".old-"):].rsplit("-", 1)[0]
            if not final.exists():  # killed between the two renames: put the old mirror back
                os.rename(p, final)
                continue
        if p.name.startswith((".tmp-", ".old-")):
            shutil.rmtree(p, ignore_errors=True)

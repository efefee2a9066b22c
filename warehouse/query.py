"""Read-only access for `akhbar query` and `akhbar export`."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from warehouse.db import connect
from warehouse.export import export_parquet


def run_query(out_dir: str | os.PathLike, sql: str, params: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
    """Run SQL on a read-only connection (writes fail inside DuckDB); values are bound, never formatted."""
    with connect(out_dir, read_only=True) as con:
        cur = con.execute(sql, params or None)
        columns = [d[0] for d in cur.description] if cur.description else []
        return columns, cur.fetchall()


def export_copy(out_dir: str | os.PathLike, dest: str | os.PathLike) -> list[Path]:
    """Write the Parquet tables of the warehouse into ``dest`` (atomic per table)."""
    with connect(out_dir, read_only=True) as con:
        return export_parquet(con, dest)

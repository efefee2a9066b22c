"""Opening the warehouse: the DuckDB file, schema creation, forward migrations and the writer lock.

``DIR/akhbar.duckdb`` is the warehouse; ``DIR/parquet/<table>/`` its Parquet mirror.  One writer at a
time: ``writer_lock(DIR)`` holds an exclusive ``flock`` on ``DIR/.akhbar.lock`` for a whole run.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

import duckdb

from warehouse.ddl import comment_sql, create_table_sql, view_sql
from warehouse.schema import SCHEMA_VERSION, TABLES

DB_FILE = "akhbar.duckdb"
LOCK_FILE = ".akhbar.lock"

# version -> statements that bring a warehouse from version-1 to version.  Version 1 is the
# baseline created from the declaration; later versions append ALTERs here, never edit old ones.
MIGRATIONS: dict[int, list[str]] = {
    1: [],
    2: [f"ALTER TABLE documents ADD COLUMN IF NOT EXISTS {c} {t}" for c, t in (
        ("topic", "VARCHAR"), ("topic_score", "DOUBLE"), ("tone", "DOUBLE"), ("positive_score", "DOUBLE"),
        ("negative_score", "DOUBLE"), ("polarity", "DOUBLE"), ("word_count", "INTEGER"))]
       + ["ALTER TABLE mentions ADD COLUMN IF NOT EXISTS tone DOUBLE"],
    3: ["ALTER TABLE quotes RENAME COLUMN speaker TO speaker_text"],
    # stories by sketches (docs/stories.md): shingle rows go; stories and duplicates are recomputed
    # from the sketches, which the next refresh computes for the documents that lack one
    4: ["DROP TABLE IF EXISTS doc_shingles", "DROP TABLE IF EXISTS stories"],
}


class WarehouseError(RuntimeError):
    """A warehouse problem with a message that tells the user what to do."""


class WarehouseBusy(WarehouseError):
    pass


def db_path(out_dir: str | os.PathLike) -> Path:
    return Path(out_dir) / DB_FILE


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@contextlib.contextmanager
def writer_lock(out_dir: str | os.PathLike, wait_seconds: float = 0.0) -> Iterator[None]:
    """Exclusive lock on the warehouse directory for the duration of a run.

    Waits up to ``wait_seconds`` for another run to finish, then raises ``WarehouseBusy``.
    A ``flock`` dies with its process, so a killed run never leaves a stale lock behind.
    """
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    fd = os.open(Path(out_dir) / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_seconds
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(
                        f"another akhbar run is writing to {out_dir} (lock {LOCK_FILE}); "
                        "wait for it to finish or pass --wait SECONDS"
                    ) from None
                time.sleep(0.5)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


def connect(out_dir: str | os.PathLike, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (and for writers create/migrate) the warehouse in ``out_dir``."""
    path = db_path(out_dir)
    if read_only:
        if not path.exists():
            raise WarehouseError(f"no warehouse at {path}; run `akhbar run INPUT --out {out_dir}` first")
        try:
            con = duckdb.connect(str(path), read_only=True)
        except duckdb.IOException as exc:
            raise WarehouseBusy(f"cannot open {path} read-only while a run writes to it: {exc}") from None
        check_version(con)
        return con
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    # A run opens the warehouse once per batch load: re-running every COMMENT ON and CREATE VIEW
    # each time would cost time and put catalog changes in the WAL at every batch.
    key = str(path.resolve())
    if key not in _MIGRATED or current_version(con) != SCHEMA_VERSION:
        migrate(con)
        _MIGRATED.add(key)
    return con


_MIGRATED: set[str] = set()  # warehouse files this process has brought to SCHEMA_VERSION


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    has = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    ).fetchone()[0]
    if not has:
        return 0
    v = con.execute("SELECT max(version) FROM schema_version").fetchone()[0]
    return int(v or 0)


def check_version(con: duckdb.DuckDBPyConnection) -> None:
    v = current_version(con)
    if v > SCHEMA_VERSION:
        raise WarehouseError(
            f"this warehouse has schema version {v}, newer than this akhbar ({SCHEMA_VERSION}); "
            "upgrade akhbar (pip install -U akhbar) or use a different --out directory"
        )
    if 0 < v < SCHEMA_VERSION:
        raise WarehouseError(
            f"this warehouse has schema version {v}; this akhbar needs {SCHEMA_VERSION}. "
            "Run `akhbar run` (any input) once to migrate it in place."
        )


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Create missing tables/views and apply forward migrations; returns the resulting version."""
    v = current_version(con)
    if v > SCHEMA_VERSION:
        check_version(con)
    con.execute("BEGIN TRANSACTION")
    try:
        if v == 0:
            for t in TABLES:
                con.execute(create_table_sql(t))
            v_done = SCHEMA_VERSION
        else:
            for version in range(v + 1, SCHEMA_VERSION + 1):
                for stmt in MIGRATIONS.get(version, []):
                    con.execute(stmt)
            for t in TABLES:  # tables added by later declarations
                con.execute(create_table_sql(t))
            v_done = SCHEMA_VERSION
        for t in TABLES:
            for stmt in comment_sql(t):
                con.execute(stmt)
        for stmt in view_sql():
            con.execute(stmt)
        if v_done != v:
            con.execute("INSERT INTO schema_version VALUES (?, ?)", [v_done, utcnow()])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return v_done


def release_cached_blocks(con: duckdb.DuckDBPyConnection, limit: str | None = None) -> None:
    """Hand back the memory DuckDB keeps after a query, then restore its ``memory_limit``.

    The buffer pool keeps every block a query touched up to ``memory_limit``, and after a scan of
    the text columns the process holds more than ``duckdb_memory()`` reports. Lowering the limit
    evicts all of it (blocks are re-read from the file when needed); setting it back (``limit``,
    default the current one) leaves the next query the same room. Best effort: when pinned data
    cannot be evicted, DuckDB refuses the lower limit but still reports it as the setting (DuckDB
    1.x), so ``limit`` is set again either way (otherwise a later retry would read the refused
    16 MB as the limit to double).
    """
    limit = limit or f"{memory_limit_bytes(con)}B"
    try:
        con.execute("SET memory_limit = '16MB'")
    except duckdb.Error:
        pass  # pinned data: nothing evicted, and the limit is set back below all the same
    con.execute(f"SET memory_limit = '{limit}'")


_T = TypeVar("_T")
_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """The connection's ``memory_limit`` in bytes, within half a display step.

    DuckDB reads the limit back truncated to one decimal (``'384MB'`` reads ``'366.2 MiB'``, and
    setting ``'366.2 MiB'`` reads ``'366.1 MiB'``), so the midpoint of the step is returned: set
    back in bytes, it reads the same as before."""
    value, unit = con.execute("SELECT current_setting('memory_limit')").fetchone()[0].split()
    return int((float(value) + 0.05) * _UNITS[unit]) if unit != "bytes" else int(value)


def with_memory_retry(con: duckdb.DuckDBPyConnection, run: Callable[[], _T]) -> _T:
    """``run()``; if DuckDB runs out of memory, once more with twice the ``memory_limit`` (set back after).

    The run's limits are sized to keep the process's peak down on the benchmark corpus (see
    ``flows/ingest.py``); a warehouse whose export or story join needs more should cost memory,
    not fail the run. ``run`` must be safe to repeat (a COPY rewrites its file; the story join
    drops its temporary tables).
    """
    try:
        return run()
    except duckdb.OutOfMemoryException:
        limit = memory_limit_bytes(con)
        con.execute(f"SET memory_limit = '{2 * limit}B'")
        try:
            return run()
        finally:
            con.execute(f"SET memory_limit = '{limit}B'")

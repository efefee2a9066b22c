"""Warehouse mechanics without the flow: migrations, the writer lock, atomic exports, stories."""
from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

import duckdb
import polars as pl
import pytest

from warehouse import db, export
from warehouse.schema import SCHEMA_VERSION


def test_new_warehouse_records_schema_version(tmp_path: Path) -> None:
    con = db.connect(tmp_path)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_warehouse_is_refused_with_instructions(tmp_path: Path) -> None:
    con = db.connect(tmp_path)
    con.execute("INSERT INTO schema_version VALUES (?, now())", [SCHEMA_VERSION + 1])
    con.close()
    with pytest.raises(db.WarehouseError, match="upgrade akhbar"):
        db.connect(tmp_path)
    with pytest.raises(db.WarehouseError, match="upgrade akhbar"):
        db.connect(tmp_path, read_only=True)


def test_older_warehouse_is_migrated_forward(tmp_path: Path, monkeypatch) -> None:
    con = db.connect(tmp_path)
    con.close()
    # pretend the next release adds a column through a migration
    monkeypatch.setattr(db, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    monkeypatch.setitem(db.MIGRATIONS, SCHEMA_VERSION + 1, ["ALTER TABLE documents ADD COLUMN IF NOT EXISTS extra VARCHAR"])
    ro = duckdb.connect(str(db.db_path(tmp_path)), read_only=True)
    with pytest.raises(db.WarehouseError, match="migrate it in place"):
        db.check_version(ro)
    ro.close()
    con = db.connect(tmp_path)
    assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION + 1
    assert "extra" in [r[0] for r in con.execute("DESCRIBE documents").fetchall()]


def test_a_process_migrates_a_warehouse_once(tmp_path: Path, monkeypatch) -> None:
    """A run connects once per batch: later connections skip the DDL, but a warehouse file that
    was replaced (version 0 again) is created anew."""
    db.connect(tmp_path).close()
    real, calls = db.migrate, []
    monkeypatch.setattr(db, "migrate", lambda con: calls.append(1) or real(con))
    db.connect(tmp_path).close()
    assert calls == []
    db.db_path(tmp_path).unlink()
    with db.connect(tmp_path) as con:
        assert calls == [1]
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION


def _hold_lock(out: str, ready, release) -> None:
    with db.writer_lock(out):
        ready.set()
        release.wait(10)


def test_second_writer_gets_a_clear_message(tmp_path: Path) -> None:
    ctx = mp.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    proc.start()
    try:
        assert ready.wait(30)
        with pytest.raises(db.WarehouseBusy, match="another akhbar run"):
            with db.writer_lock(tmp_path, wait_seconds=0.5):
                pass
    finally:
        release.set()
        proc.join(10)
    with db.writer_lock(tmp_path, wait_seconds=5):  # free again once the holder exits
        pass


def test_export_leaves_no_temp_dirs_and_restores_after_kill(tmp_path: Path) -> None:
    con = db.connect(tmp_path)
    root = tmp_path / "parquet"
    export.export_parquet(con, root)
    # simulate a run killed between the two renames of the swap
    (root / "documents").rename(root / ".old-documents-999")
    (root / ".tmp-sentences-999").mkdir()
    export.sweep_temp(root)
    assert (root / "documents").is_dir()
    assert not [p for p in root.iterdir() if p.name.startswith(".")]


def test_load_batch_rolls_back_on_failure(tmp_path: Path) -> None:
    from warehouse import load

    con = db.connect(tmp_path)
    docs = pl.DataFrame({
        "doc_id": ["a" * 16], "source_uri": ["x.txt"], "source_id": ["s"], "source_name": ["x"],
        "content_sha256": ["0" * 64], "raw_text": ["نص"], "ingested_at": [db.utcnow()], "run_id": ["r"],
    })

    def boom() -> None:
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        load.load_batch(con, {"documents": docs}, before_commit=boom)
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 0
    load.load_batch(con, {"documents": docs})
    assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 1


def test_every_declared_key_is_unique(seeds_warehouse: Path) -> None:
    """Keys DuckDB does not enforce (``enforce_key=False``: the big per-document child tables) still
    hold: one row per key value after a real run."""
    from warehouse.ddl import quote_ident
    from warehouse.schema import TABLES

    with db.connect(seeds_warehouse, read_only=True) as con:
        for t in TABLES:
            if not t.primary_key:
                continue
            key = ", ".join(quote_ident(k) for k in t.primary_key)
            n, distinct = con.execute(
                f"SELECT count(*), count(DISTINCT ({key})) FROM {quote_ident(t.name)}").fetchone()
            assert n == distinct, f"{t.name}: {n} rows but {distinct} distinct ({key})"
        assert con.execute("SELECT count(*) FROM sentences").fetchone()[0] > 0


def test_entity_names_drop_a_proclitic_only_for_a_known_spelling(seeds_warehouse: Path) -> None:
    r"""Display names: no control characters (the SQL's backreference ``'\1'`` once sat in a non-raw
    Python string, which put U+0001 in ``والهند``'s name), ``لل`` read as ``ال`` (``للأمم المتحدة`` →
    ``الأمم المتحدة``), and a proclitic dropped only where the rest is a spelling we know: some
    mention's, or a gazetteer place's (the seeds write only ``وهونغ كونغ``, ``والهند``,
    ``والبرازيل``, ``ودونيتسك``); a name that merely starts with those letters (``فالنسيا``,
    ``واشنطن``) stays whole, and so does ``والمحيط الهادي``, which no gazetteer lists."""
    with db.connect(seeds_warehouse, read_only=True) as con:
        names = [r[0] for r in con.execute("SELECT canonical_name FROM entities").fetchall()]
        surfaces = {r[0] for r in con.execute("SELECT DISTINCT surface FROM mentions").fetchall()}
    assert names and not [n for n in names if any(ord(ch) < 32 for ch in n)]
    assert "الأمم المتحدة" in names and not [n for n in names if n.startswith("لل")]
    assert {"هونغ كونغ", "الهند", "البرازيل", "دونيتسك"} <= set(names)
    assert not {"وهونغ كونغ", "والهند", "والبرازيل", "ودونيتسك"} & set(names)
    assert "هونغ كونغ" not in surfaces and "وهونغ كونغ" in surfaces  # the name comes from the gazetteer
    clitic = [n for n in names if n[:1] in "وفبك" and n[1:3] == "ال"]
    assert not [n for n in clitic if n[1:] in surfaces]


def test_unenforced_keys_are_not_indexes(tmp_path: Path) -> None:
    from warehouse.schema import TABLES

    with db.connect(tmp_path) as con:
        constrained = {r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY'").fetchall()}
    assert {t.name for t in TABLES if t.primary_key and t.enforce_key} == constrained
    assert {"sentences", "mentions", "quotes", "time_expressions", "removed_lines", "staged_records"}.isdisjoint(constrained)


def test_big_partitions_are_split_in_doc_id_order(seeds_warehouse: Path, tmp_path: Path, monkeypatch) -> None:
    """A partition with more than ROWS_PER_FILE documents is written as several files that together
    hold each of its documents once, in doc_id order across files (bounded sorts at any size)."""
    import pyarrow.dataset as ds

    monkeypatch.setattr(export, "ROWS_PER_FILE", 2)
    with db.connect(seeds_warehouse, read_only=True) as con:
        export.export_parquet(con, tmp_path / "parquet", ["documents"])
        expected = sorted(r[0] for r in con.execute("SELECT doc_id FROM documents").fetchall())
    root = tmp_path / "parquet" / "documents"
    files = sorted(root.rglob("*.parquet"))
    assert any(f.name == "part-1.parquet" for f in files)  # the seeds' biggest partition was split
    got = []
    for part in sorted({f.parent for f in files}):
        ids = [i for k in range(len(list(part.glob("*.parquet"))))
               for i in ds.dataset(part / f"part-{k}.parquet").to_table(columns=["doc_id"])["doc_id"].to_pylist()]
        assert ids == sorted(ids) and len(list(part.glob("*.parquet"))) == -(-len(ids) // 2)
        got += ids
    assert sorted(got) == expected
    assert ds.dataset(root, format="parquet", partitioning="hive").count_rows() == len(expected)


def test_release_cached_blocks_evicts_and_restores_the_limit(seeds_warehouse: Path) -> None:
    """After a scan DuckDB keeps the blocks it read; releasing evicts them (what it reports drops
    to the 16 MB floor or below), sets the given limit back, and every row reads the same again."""
    query = "SELECT count(*), sum(length(clean_text)), sum(length(raw_text)) FROM documents"
    with db.connect(seeds_warehouse, read_only=True) as con:
        con.execute("SET memory_limit = '300MiB'")  # reads back exactly ('300.0 MiB')
        expected = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        before = con.execute(query).fetchone()
        db.release_cached_blocks(con, "300MiB")
        held = con.execute("SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0]
        assert held <= 16 << 20
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == expected
        assert con.execute(query).fetchone() == before
        db.release_cached_blocks(con)  # no limit given: the current one comes back
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == expected


def test_release_cached_blocks_sets_the_limit_back_when_duckdb_refuses() -> None:
    """Pinned data (an in-memory table with nowhere to spill) makes DuckDB refuse the lower limit,
    yet it then reports the refused 16 MB as the setting; the limit must come back all the same
    (else the export's retry would ask for 2 x 16 MB and fail the run)."""
    con = duckdb.connect()
    con.execute("SET memory_limit = '1GB'")
    con.execute("SET temp_directory = ''")
    con.execute("CREATE TABLE t AS SELECT repeat('x', 100) || i::VARCHAR AS s FROM range(2000000) r(i)")
    expected = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    with pytest.raises(duckdb.OutOfMemoryException):  # the DuckDB behaviour this guards against
        con.execute("SET memory_limit = '16MB'")
    con.execute("SET memory_limit = '1GB'")
    db.release_cached_blocks(con)
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == expected
    db.release_cached_blocks(con, "2GB")
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "1.8 GiB"


def test_memory_limit_reads_back_in_bytes_and_sets_back_unchanged() -> None:
    """DuckDB shows the limit truncated ('384MB' reads '366.2 MiB'); the bytes returned are within
    a display step of the true value and, set back, read the same, however often."""
    con = duckdb.connect()
    for value, true in (("384MB", 384 * 10**6), ("2GiB", 2 << 30), ("300MiB", 300 << 20)):
        con.execute(f"SET memory_limit = '{value}'")
        shown = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
        step = 0.1 * db._UNITS[shown.split()[1]]
        assert abs(db.memory_limit_bytes(con) - true) < step
        for _ in range(3):
            con.execute(f"SET memory_limit = '{db.memory_limit_bytes(con)}B'")
            assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == shown


def test_out_of_memory_is_retried_once_with_twice_the_limit() -> None:
    """A query that runs out of memory under the run's limit runs again with twice the limit,
    which is set back afterwards; a second failure is the caller's."""
    con = duckdb.connect()
    con.execute("SET memory_limit = '300MiB'")
    start = db.memory_limit_bytes(con)
    seen: list[int] = []

    def flaky() -> str:
        seen.append(db.memory_limit_bytes(con))
        if len(seen) == 1:
            raise duckdb.OutOfMemoryException("failed to pin block of size 256.0 KiB")
        return "done"

    assert db.with_memory_retry(con, flaky) == "done"
    assert seen[0] == start and abs(seen[1] - 2 * start) < 0.1 * (1 << 20)
    assert db.memory_limit_bytes(con) == start

    def always() -> None:
        raise duckdb.OutOfMemoryException("still too big")

    with pytest.raises(duckdb.OutOfMemoryException):
        db.with_memory_retry(con, always)
    assert db.memory_limit_bytes(con) == start


def test_a_copy_that_runs_out_of_memory_is_retried(seeds_warehouse: Path, tmp_path: Path, monkeypatch) -> None:
    """The export's COPY statements go through the retry: the first attempt failing leaves the
    mirror complete and identical to an export that never failed."""
    calls = {"n": 0}
    retry = db.with_memory_retry

    def failing_once(con, run):
        def first():
            calls["n"] += 1
            if calls["n"] == 1:
                raise duckdb.OutOfMemoryException("failed to pin block")
            return run()
        return retry(con, first)

    monkeypatch.setattr(export, "with_memory_retry", failing_once)
    with db.connect(seeds_warehouse, read_only=True) as con:
        export.export_parquet(con, tmp_path / "a", ["documents", "sentences"])
    monkeypatch.undo()
    with db.connect(seeds_warehouse, read_only=True) as con:
        export.export_parquet(con, tmp_path / "b", ["documents", "sentences"])
    assert calls["n"] > 1
    for table in ("documents", "sentences"):
        a = pl.read_parquet(tmp_path / "a" / table, hive_partitioning=True)
        b = pl.read_parquet(tmp_path / "b" / table, hive_partitioning=True)
        assert a.sort(a.columns[0]).equals(b.sort(b.columns[0]))

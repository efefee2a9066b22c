"""The ingest flow end to end on seeds/ under a real Prefect test server."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.dataset as ds

from flows.ingest import ingest
from warehouse import db
from warehouse.checksum import table_checksums

SEED_URIS = sorted(p.name for p in (Path(__file__).resolve().parents[1] / "seeds").glob("*.txt"))


def test_seeds_land_in_documents(seeds_warehouse: Path) -> None:
    con = db.connect(seeds_warehouse, read_only=True)
    rows = con.execute("SELECT source_uri, doc_id, content_sha256, raw_text FROM documents ORDER BY source_uri").fetchall()
    assert [Path(r[0]).name for r in rows] == SEED_URIS
    for uri, doc_id, sha, raw in rows:
        assert len(doc_id) == 16 and len(sha) == 64
        assert raw == Path(uri).read_text(encoding="utf-8")  # raw_text is the input, untouched
    run = con.execute("SELECT status, n_seen, n_new, n_unchanged, n_rejected FROM runs").fetchall()
    assert run == [("completed", 5, 5, 0, 0)]


def test_rerun_is_a_no_op(prefect_server, seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "wh"
    first = ingest(inputs=[str(seeds_copy)], out=str(out))
    with db.connect(out, read_only=True) as con:
        before = table_checksums(con)
    second = ingest(inputs=[str(seeds_copy)], out=str(out))
    assert (first["n_new"], second["n_new"], second["n_unchanged"]) == (5, 0, 5)
    with db.connect(out, read_only=True) as con:
        assert table_checksums(con) == before
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 5


def test_changed_input_replaces_its_rows(prefect_server, seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "wh"
    ingest(inputs=[str(seeds_copy)], out=str(out))
    target = sorted(seeds_copy.glob("*.txt"))[0]
    target.write_text(target.read_text(encoding="utf-8") + "\nوأضاف باتروشيف أن الحوار سيستمر.\n", encoding="utf-8")
    summary = ingest(inputs=[str(seeds_copy)], out=str(out))
    assert (summary["n_new"], summary["n_unchanged"]) == (1, 4)
    with db.connect(out, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
        orphans = con.execute("SELECT count(*) FROM sentences WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchone()[0]
        assert orphans == 0


def test_delete_half_and_restore_gives_identical_tables(prefect_server, seeds_copy: Path, tmp_path: Path) -> None:
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    ingest(inputs=[str(seeds_copy)], out=str(out_a))
    hidden = tmp_path / "hidden"
    hidden.mkdir()
    moved = sorted(seeds_copy.glob("*.txt"))[:2]
    for p in moved:
        p.rename(hidden / p.name)
    ingest(inputs=[str(seeds_copy)], out=str(out_b))
    for p in moved:
        (hidden / p.name).rename(p)
    ingest(inputs=[str(seeds_copy)], out=str(out_b))
    with db.connect(out_a, read_only=True) as a, db.connect(out_b, read_only=True) as b:
        assert table_checksums(a) == table_checksums(b)


def test_parquet_mirror_is_readable_everywhere(seeds_warehouse: Path) -> None:
    root = seeds_warehouse / "parquet"
    with db.connect(seeds_warehouse, read_only=True) as con:
        expected = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                    for t in ("documents", "sentences", "mentions", "entities", "runs")}
    for table, n in expected.items():
        assert ds.dataset(root / table, format="parquet", partitioning="hive").count_rows() == n, table
        assert pl.scan_parquet(root / table / "**" / "*.parquet", hive_partitioning=True).select(pl.len()).collect().item() == n
    # a separate DuckDB process, with hive partition pruning on published_year/month
    script = (
        "import duckdb, json, sys; root = sys.argv[1]; c = duckdb.connect();"
        "n = c.execute(f\"select count(*) from read_parquet('{root}/documents/**/*.parquet', hive_partitioning=true)\").fetchone()[0];"
        "plan = c.execute(f\"explain analyze select count(*) from read_parquet('{root}/documents/**/*.parquet', hive_partitioning=true) where published_year = 2024 and published_month = 4\").fetchall();"
        "k = c.execute(f\"select count(*) from read_parquet('{root}/documents/**/*.parquet', hive_partitioning=true) where published_year = 2024 and published_month = 4\").fetchone()[0];"
        "print(json.dumps({'n': n, 'k': k, 'plan': str(plan)}))"
    )
    res = json.loads(subprocess.run([sys.executable, "-c", script, str(root)], check=True, capture_output=True, text=True).stdout)
    assert res["n"] == expected["documents"]
    assert res["k"] >= 1  # seed 004 is dated 2024-04-29
    parts = sorted(p.name for p in (root / "documents").iterdir())
    assert "published_year=2024" in parts
    # pruning: the filtered scan reads only the matching partition's files
    scanned = re.search(r"Scanning Files: (\d+)/(\d+)", res["plan"])
    assert scanned and scanned.group(1) == "1" and int(scanned.group(2)) >= 2, res["plan"][-1500:]


def test_duckdb_parquet_types_round_trip(seeds_warehouse: Path) -> None:
    with db.connect(seeds_warehouse, read_only=True) as con:
        table_types = dict(con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE table_name='documents'").fetchall())
    c = duckdb.connect()
    pq = {r[0]: r[1] for r in c.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{seeds_warehouse}/parquet/documents/**/*.parquet', hive_partitioning=true)"
    ).fetchall()}
    for col in ("doc_id", "raw_text", "published_at", "is_arabic", "n_chars"):
        assert pq[col] == table_types[col], col

"""Peak memory and time of ``warehouse.marts.refresh_marts`` (and optionally the Parquet export) on a
copy of an existing warehouse, optionally grown ``K`` times in SQL first (replica ``k`` of a document
gets a new ``doc_id`` and ``source_uri`` and the same sketch, like ``bench.pipeline --replicate``).

    .venv/bin/python -m bench.profile_marts WAREHOUSE_DIR [--replicate 4] [--export] [--work /tmp/x]

Stories are placed from scratch (the copy's ``stories`` and ``duplicates`` rows are dropped first).

Prints the process's peak RSS while refreshing (sampled every 0.1 s), DuckDB's peak
``duckdb_memory()`` and temp-file use, seconds, and a checksum of ``stories`` so that two versions
of the code can be compared on the same copy.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil


def replicate(con, k: int) -> None:
    """Add ``k - 1`` copies of every document and its sketch (new ids, same content)."""
    for r in range(1, k):
        con.execute("CREATE OR REPLACE TEMP TABLE _ids AS SELECT doc_id, substr(sha256(doc_id || ?), 1, 16) AS nid"
                    " FROM documents WHERE NOT contains(source_uri, '?r=')", [f"r{r}"])
        con.execute(
            "INSERT INTO documents SELECT d.* REPLACE (i.nid AS doc_id, d.source_uri || ? AS source_uri)"
            " FROM documents d JOIN _ids i USING (doc_id)", [f"?r={r}"])
        con.execute("INSERT INTO doc_sketches SELECT k.* REPLACE (i.nid AS doc_id) FROM doc_sketches k JOIN _ids i USING (doc_id)")
    con.execute("CHECKPOINT")


class Peaks(threading.Thread):
    """Peak RSS of this process and peak ``duckdb_memory()`` / temp files of one DuckDB instance."""

    def __init__(self, con, every: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.cur, self.every, self.halt = con.cursor(), every, threading.Event()
        self.rss = self.duck = self.temp = 0

    def run(self) -> None:
        proc = psutil.Process()
        while not self.halt.wait(self.every):
            self.rss = max(self.rss, proc.memory_info().rss >> 20)
            try:
                self.duck = max(self.duck, self.cur.execute(
                    "SELECT sum(memory_usage_bytes) FROM duckdb_memory()").fetchone()[0] >> 20)
                self.temp = max(self.temp, (self.cur.execute(
                    "SELECT sum(temporary_storage_bytes) FROM duckdb_memory()").fetchone()[0] or 0) >> 20)
            except Exception:  # the cursor is busy or closing
                pass


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("warehouse", help="a warehouse directory (holding akhbar.duckdb); it is copied first")
    ap.add_argument("--replicate", type=int, default=1)
    ap.add_argument("--export", action="store_true", help="also time the Parquet export")
    ap.add_argument("--memory-limit", default=None, help="DuckDB memory_limit (default: the flow's marts limit)")
    ap.add_argument("--work", help="where the copy goes (kept); default a temp dir that is removed")
    a = ap.parse_args()
    import flows  # noqa: F401  (allocator settings before polars is imported)
    from flows import ingest as fi
    from transforms.entities import corpus_resolution
    from transforms.story_clusters import place_stories
    from transforms.stories import STORY_PARAMS, story_sketches
    from warehouse import db, export, marts

    work = Path(a.work or tempfile.mkdtemp(prefix="mem-marts-"))
    work.mkdir(parents=True, exist_ok=True)
    src = Path(a.warehouse) / db.DB_FILE
    if not (work / db.DB_FILE).exists():
        shutil.copy(src, work / db.DB_FILE)
        if a.replicate > 1:
            with db.connect(work) as con:
                t = time.perf_counter()
                replicate(con, a.replicate)
                print(f"replicated x{a.replicate} in {time.perf_counter() - t:.1f} s", flush=True)
    try:
        with db.connect(work) as con:
            con.execute(f"SET memory_limit = '{a.memory_limit or fi.MARTS_MEMORY_LIMIT}'")
            n = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM doc_sketches)").fetchone()
            print(f"documents {n[0]:,}, doc_sketches {n[1]:,}; RSS before {psutil.Process().memory_info().rss >> 20} MB",
                  flush=True)
            con.execute("DELETE FROM stories")
            con.execute("DELETE FROM duplicates")
            peaks = Peaks(con)
            peaks.start()
            t = time.perf_counter()
            marts.refresh_marts(con, resolve_entities=corpus_resolution, stories=place_stories, story_params=STORY_PARAMS,
                                sketch=story_sketches)
            marts_s = time.perf_counter() - t
            print(f"refresh_marts {marts_s:.1f} s; peak RSS {peaks.rss} MB, DuckDB {peaks.duck} MB, temp {peaks.temp} MB",
                  flush=True)
            if a.export:
                t = time.perf_counter()
                export.export_parquet(con, work / export.PARQUET_DIR)
                print(f"export {time.perf_counter() - t:.1f} s; peak RSS so far {peaks.rss} MB, DuckDB {peaks.duck} MB",
                      flush=True)
            peaks.halt.set()
            peaks.join()
            s = con.execute("SELECT count(*), count(DISTINCT story_id), sum(hash(story_id, doc_id, similarity))"
                            " FROM stories").fetchone()
            print(f"stories rows {s[0]:,}, stories {s[1]:,}, checksum {s[2]}")
    finally:
        if not a.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

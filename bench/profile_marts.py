"""Peak memory and time of ``warehouse.marts.refresh_marts`` (and optionally the Parquet export) on a
copy of an existing warehouse, optionally grown ``K`` times in SQL first (replica ``k`` of a document
gets a new ``doc_id`` and ``source_uri`` and the same shingles, like ``bench.pipeline --replicate``).

    .venv/bin/python -m bench.profile_marts WAREHOUSE_DIR [--replicate 4] [--export] [--work /tmp/x]
    .venv/bin/python -m bench.profile_marts WAREHOUSE_DIR --check-pairs   # sliced pairs == one query

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
    """Add ``k - 1`` copies of every document and its shingles (new ids, same content)."""
    for r in range(1, k):
        con.execute("CREATE OR REPLACE TEMP TABLE _ids AS SELECT doc_id, substr(sha256(doc_id || ?), 1, 16) AS nid"
                    " FROM documents WHERE NOT contains(source_uri, '?r=')", [f"r{r}"])
        con.execute(
            "INSERT INTO documents SELECT d.* REPLACE (i.nid AS doc_id, d.source_uri || ? AS source_uri)"
            " FROM documents d JOIN _ids i USING (doc_id)", [f"?r={r}"])
        con.execute("INSERT INTO doc_shingles SELECT i.nid, s.shingle FROM doc_shingles s JOIN _ids i USING (doc_id)")
    con.execute("CHECKPOINT")


# story_pairs as one query, without slices: the reference for --check-pairs
ONE_QUERY = """
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
"""


def check_pairs(con) -> None:
    """The sliced ``story_pairs`` against the single query it replaced (same rows, same types)."""
    from transforms.stories import STORY_PARAMS
    from warehouse.stories import story_pairs

    t = time.perf_counter()
    new = story_pairs(con, **STORY_PARAMS)
    t_new = time.perf_counter() - t
    t = time.perf_counter()
    old = con.execute(ONE_QUERY, STORY_PARAMS).pl()
    t_old = time.perf_counter() - t
    print(f"pairs: sliced {new.height:,} rows in {t_new:.1f} s, one query {old.height:,} rows in {t_old:.1f} s; "
          f"schemas equal {new.schema == old.schema}; frames equal {new.equals(old)}")


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
    ap.add_argument("--one-query", action="store_true", help="refresh with story_pairs as one query (the old code)")
    ap.add_argument("--check-pairs", action="store_true", help="compare story_pairs with the one-query version")
    ap.add_argument("--work", help="where the copy goes (kept); default a temp dir that is removed")
    a = ap.parse_args()
    import flows  # noqa: F401  (allocator settings before polars is imported)
    from flows import ingest as fi
    from transforms.entities import corpus_resolution
    from transforms.stories import STORY_PARAMS, stories_from_pairs
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
            n = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM doc_shingles)").fetchone()
            print(f"documents {n[0]:,}, doc_shingles {n[1]:,}; RSS before {psutil.Process().memory_info().rss >> 20} MB",
                  flush=True)
            if a.check_pairs:
                return check_pairs(con)
            if a.one_query:
                marts.story_pairs = lambda c, **kw: c.execute(ONE_QUERY, kw).pl()
            peaks = Peaks(con)
            peaks.start()
            t = time.perf_counter()
            marts.refresh_marts(con, resolve_entities=corpus_resolution, stories=stories_from_pairs, story_params=STORY_PARAMS)
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

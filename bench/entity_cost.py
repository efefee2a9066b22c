"""CPU cost of the corpus-level entity resolution in ``refresh_marts``, on a copy of a warehouse.

Runs ``warehouse.marts.refresh_marts`` on the copy twice, one after the other: without entity
resolution (``off``: the sources update alone) and with
``transforms.entities.corpus_resolution`` (``on``), after clearing the copy's entity ids, table,
aliases and redirects so that every mention is written as on a warehouse's first run (an upper
bound: a later run rewrites only the mentions whose entity changed). Stories are left out of
both. CPU seconds are the process's (all threads: DuckDB and Polars), so they do not depend on
other load the way wall seconds do.

    .venv/bin/python bench/entity_cost.py WAREHOUSE_DIR --work /tmp/x \
        [--bench-json /tmp/bench1/run-….json]

With ``--bench-json`` (a ``bench.pipeline`` result of the same corpus) the cost is also given as
a share of that run's CPU seconds (``cpu_s``). Prints one JSON object.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("warehouse", help="a warehouse directory (holding akhbar.duckdb); it is copied first")
    ap.add_argument("--work", required=True, help="where the copy goes (kept, reused when present)")
    ap.add_argument("--bench-json", help="a bench.pipeline JSON result of the same corpus")
    a = ap.parse_args()
    import flows  # noqa: F401  (allocator settings before polars is imported)
    from flows import ingest as fi
    from transforms.entities import corpus_resolution
    from warehouse import db, marts

    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    if not (work / db.DB_FILE).exists():
        shutil.copy(Path(a.warehouse) / db.DB_FILE, work / db.DB_FILE)
    spent: dict[str, float] = {}

    def timed(units, docs):
        t = time.process_time()
        out = corpus_resolution(units, docs)
        spent["transform"] = time.process_time() - t
        return out

    with db.connect(work) as con:
        con.execute(f"SET memory_limit = '{fi.MARTS_MEMORY_LIMIT}'")
        n_docs, n_ment = con.execute("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM mentions)").fetchone()
        t = time.process_time()
        marts.refresh_marts(con)
        off = time.process_time() - t
        con.execute("UPDATE mentions SET entity_id = NULL")
        for table in ("entities", "entity_aliases", "entity_redirects"):
            con.execute(f"DELETE FROM {table}")
        con.execute("CHECKPOINT")
        t, w = time.process_time(), time.perf_counter()
        marts.refresh_marts(con, resolve_entities=timed)
        on, on_wall = time.process_time() - t, time.perf_counter() - w
        n_ent = con.execute("SELECT count(*) FROM entities").fetchone()[0]
    res = {"documents": n_docs, "mentions": n_ment, "entities": n_ent, "refresh_off_cpu_s": round(off, 2),
           "refresh_on_cpu_s": round(on, 2), "refresh_on_wall_s": round(on_wall, 2),
           "resolution_cpu_s": round(on - off, 2), "of_which_transform_cpu_s": round(spent["transform"], 2)}
    if a.bench_json:
        total = json.loads(Path(a.bench_json).read_text())["cpu_s"]
        res |= {"run_cpu_s": total, "resolution_share_of_run": round((on - off) / total, 4)}
    print(json.dumps(res))


if __name__ == "__main__":
    main()

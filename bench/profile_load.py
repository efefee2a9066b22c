"""How ``warehouse.load.load_batch`` scales with warehouse size: one transformed batch loaded K times
(ids perturbed so every copy is new) into a fresh warehouse; prints seconds per load and per statement.

    .venv/bin/python -m bench.profile_load [--docs 1000] [--loads 10]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from collections import defaultdict

import duckdb
import polars as pl

from bench.pipeline import _empty_mentions
from bench.profile_transforms import docs_for


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--loads", type=int, default=10)
    ap.add_argument("--checkpoint", help="e.g. 1GB: SET checkpoint_threshold before loading")
    ap.add_argument("--reconnect", action="store_true", help="open/close the warehouse per load, as the flow does")
    ap.add_argument("--flow-like", action="store_true", help="no connection held between loads (implies --reconnect)")
    ap.add_argument("--keepalive", action="store_true", help="with --flow-like: hold one extra connection (the diff)")
    ap.add_argument("--plain-insert", action="store_true", help="INSERT instead of INSERT OR REPLACE")
    a = ap.parse_args()
    import transforms.ner as ner

    ner.mentions = _empty_mentions
    from transforms.pipeline import transform_documents
    from warehouse import db, load

    docs, templates = docs_for(a.docs)
    tables = transform_documents(docs, templates)
    id_cols = {"doc_id", "sentence_id", "mention_id", "quote_id", "time_expression_id", "source_uri"}
    stmt_t: dict[str, float] = defaultdict(float)
    orig_execute = duckdb.DuckDBPyConnection.execute
    out = tempfile.mkdtemp(prefix="akhbar-loadbench-")
    if a.flow_like:
        return flow_like(a, out, tables, id_cols, db, load)
    with db.connect(out) as con:
        class Timed:
            def __init__(self, c): self.c = c
            def execute(self, sql, *p):
                t = time.perf_counter()
                r = self.c.execute(sql, *p)
                stmt_t[" ".join(sql.split()[:5])[:60]] += time.perf_counter() - t
                return r
            def __getattr__(self, k): return getattr(self.c, k)
        tc = Timed(con)
        if a.checkpoint:
            con.execute(f"SET checkpoint_threshold = '{a.checkpoint}'")
        if a.plain_insert:
            orig_insert = load.insert_frame

            def plain(c, name, frame):
                class C:
                    def execute(self, sql, *p):
                        return c.execute(sql.replace("INSERT OR REPLACE", "INSERT"), *p)
                    def __getattr__(self, k): return getattr(c, k)
                return orig_insert(C(), name, frame)
            load.insert_frame = plain
        for k in range(a.loads):
            batch = {name: f.with_columns([(pl.col(c) + f"~{k}") for c in f.columns if c in id_cols])
                     for name, f in tables.items()}
            batch["documents"] = batch["documents"].with_columns(ingested_at=pl.lit(db.utcnow()), run_id=pl.lit("r"))
            t = time.perf_counter()
            if a.reconnect:
                with db.connect(out) as c2:
                    if a.checkpoint:
                        c2.execute(f"SET checkpoint_threshold = '{a.checkpoint}'")
                    load.load_batch(Timed(c2), batch)
            else:
                load.load_batch(tc, batch)
            print(f"load {k + 1}: {time.perf_counter() - t:.2f} s  (docs in warehouse {(k + 1) * docs.height})", flush=True)
        t = time.perf_counter()
        con.execute("CHECKPOINT")
        print(f"final CHECKPOINT {time.perf_counter() - t:.2f} s")
    for s, v in sorted(stmt_t.items(), key=lambda kv: -kv[1])[:12]:
        print(f"  {v:7.2f} s  {s}")


def flow_like(a, out, tables, id_cols, db, load) -> None:
    """Like the flow: connect → load → close per batch; optionally one connection held throughout."""
    keep = db.connect(out) if a.keepalive else None
    if keep is not None and a.checkpoint:
        keep.execute(f"SET checkpoint_threshold = '{a.checkpoint}'")
    for k in range(a.loads):
        batch = {name: f.with_columns([(pl.col(c) + f"~{k}") for c in f.columns if c in id_cols])
                 for name, f in tables.items()}
        batch["documents"] = batch["documents"].with_columns(ingested_at=pl.lit(db.utcnow()), run_id=pl.lit("r"))
        t0 = time.perf_counter()
        con = db.connect(out)
        t1 = time.perf_counter()
        load.load_batch(con, batch)
        t2 = time.perf_counter()
        con.close()
        t3 = time.perf_counter()
        print(f"load {k + 1}: connect {t1 - t0:.2f}  load {t2 - t1:.2f}  close {t3 - t2:.2f} s", flush=True)
    if keep is not None:
        t = time.perf_counter()
        keep.close()
        print(f"final close (checkpoint) {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()

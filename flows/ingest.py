"""The ``ingest`` Prefect flow: discover inputs → read → transform → load → refresh marts → export.

Tasks are batch-sized (thousands of articles per task), never one per article.  Unchanged inputs
are skipped before any transform work; every batch lands in one DuckDB transaction.

    from flows.ingest import ingest
    summary = ingest(["seeds/"], out="data")      # ephemeral Prefect, or PREFECT_API_URL's server
"""
from __future__ import annotations

import dataclasses
import gc
import time
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import polars as pl
from prefect import flow, task

from flows import inputs as inp
from flows.batches import TASK_OPTS, Batches, chunks
from flows.memory import release_workers
from flows.progress import Progress
from transforms.ids import stable_id
from transforms.pipeline import STAGED_SCHEMA, split_oversized, templates_for, with_identity
from warehouse import db, export, load, marts

# DuckDB settings of the run's writer connection (docs/benchmarks.md, "Trade-offs"). Appended data
# stays in memory until a checkpoint, and the buffer pool keeps every block it touched up to
# memory_limit: both bound what DuckDB holds next to the batch frames and, with the default runner,
# the tagging process. Smaller limits cost a few seconds of loading, which runs beside the tagging
# process, off the run's critical path.
CHECKPOINT_THRESHOLD = "128MB"
LOADS_MEMORY_LIMIT = "256MB"
DUCKDB_MEMORY_LIMIT = "384MB"  # the export's
# The marts refresh and the export run after the loads, each after DuckDB's cached blocks are
# released (``db.release_cached_blocks``). The same-story self-join completes at ~290k articles
# from 384 MB up; 512 MB leaves it room. The export runs under 384 MB in files of at most
# ``export.ROWS_PER_FILE`` documents; a query that runs out of memory anyway is retried once with
# twice the limit (``db.with_memory_retry``).
MARTS_MEMORY_LIMIT = "512MB"


@task(name="discover-inputs", **TASK_OPTS)
def discover_inputs(paths: list[str]) -> tuple[list[inp.InputFile], list[dict]]:
    return inp.discover(paths)


@task(name="read-and-parse", retries=2, retry_delay_seconds=1, **TASK_OPTS)
def read_and_parse(
    files: list[inp.InputFile], fields: dict[str, str] | None, max_records: int | None = inp.MAX_RECORDS_PER_READ,
) -> tuple[pl.DataFrame, pl.DataFrame, list[inp.InputFile]]:
    """Read a batch of files and split at most ``max_records`` records into ``docs_raw`` and
    rejects; returns the files (or the rest of a multi-record file) still to read."""
    raw, unreadable = inp.read_files(files)
    docs_raw, rejects, resume = _parse(raw, fields, max_records)
    by_uri = {f.source_uri: f for f in files}
    rest = [dataclasses.replace(by_uri[uri], start=start) for uri, start in resume]
    return docs_raw, pl.concat([unreadable, rejects], how="vertical_relaxed"), rest


def _parse(raw: pl.DataFrame, fields: dict[str, str] | None, max_records: int | None = None):
    """Records of the payloads; unparseable inputs and oversized records become rejects."""
    from transforms.records import records_bounded

    docs, rejects, resume = records_bounded(raw, fields, max_records)
    docs, too_long = split_oversized(docs)
    return docs, pl.concat([rejects.select(list(inp.REJECT_SCHEMA)), too_long], how="vertical_relaxed"), resume


@task(name="parse-records", **TASK_OPTS)
def parse_records(raw: pl.DataFrame, fields: dict[str, str] | None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Records and rejects from already-fetched payloads (feed article pages); the feed's own
    title/date/author/url win over what was guessed from the page."""
    docs, rejects, _ = _parse(raw, fields)
    meta = [c for c in ("title_raw", "published_raw", "author_raw", "url") if c in raw.columns]
    if meta and docs.height:
        feed = raw.select("source_uri", *[pl.col(c).alias(f"{c}__feed") for c in meta])
        docs = (docs.join(feed, on="source_uri", how="left")
                .with_columns([pl.coalesce(f"{c}__feed", c).alias(c) for c in meta])
                .select(docs.columns))
    return docs, rejects


@task(name="refresh-marts", **TASK_OPTS)
def refresh_marts(out: str) -> None:
    from transforms.entities import corpus_resolution
    from transforms.story_clusters import place_stories
    from transforms.stories import STORY_PARAMS, story_sketches

    with db.connect(out) as con:
        marts.refresh_marts(con, resolve_entities=corpus_resolution, stories=place_stories,
                            story_params=STORY_PARAMS, sketch=story_sketches)


@task(name="record-rejects", **TASK_OPTS)
def record_rejects(out: str, rejects: pl.DataFrame) -> int:
    """Upsert this run's rejects; returns how many were not known before."""
    if rejects.height == 0:
        return 0
    with db.connect(out) as con:
        n_new = load.count_new_rejects(con, rejects["reject_id"].to_list())
        load.load_batch(con, {"rejects": rejects})
    return n_new


@task(name="export-parquet", **TASK_OPTS)
def export_parquet(out: str, tables: list[str] | None) -> None:
    with db.connect(out) as con:
        export.export_parquet(con, f"{out}/{export.PARQUET_DIR}", tables)


def _reject_rows(rejects: pl.DataFrame, run_id: str, now: datetime) -> pl.DataFrame:
    return rejects.with_columns(
        reject_id=pl.struct("source_uri", "reason").map_elements(
            lambda r: stable_id(r["source_uri"], r["reason"]), return_dtype=pl.Utf8),
        first_seen_at=pl.lit(now), run_id=pl.lit(run_id),
    )


def _new_run_id(paths: list[str], started: datetime) -> str:
    return f"{started:%Y%m%dT%H%M%S}-{stable_id(started.isoformat(), *paths)[:8]}"


@flow(name="ingest", log_prints=True)
def ingest(
    inputs: list[str] | None = None,
    out: str = "data",
    fields: dict[str, str] | None = None,
    batch_size: int = 2000,
    ner_backend: str = "default",
    wait_seconds: float = 0.0,
    show_progress: bool = False,
    in_flight: int = 1,
    tagger_process: bool | None = None,
) -> dict[str, Any]:
    """Ingest files/directories into the warehouse in ``out``; returns the run summary.

    ``tagger_process``: with the default (thread) runner, tag in a helper process while this one
    cleans and loads (``flows.tagging``); ``None`` decides per run: yes when its first read brings
    at least ``batch_size`` new articles (a small run would mostly wait for the helper's start)."""
    paths = list(inputs or ["seeds"])
    t0 = time.monotonic()
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    run_id = _new_run_id(paths, started)
    counts = {"n_seen": 0, "n_new": 0, "n_unchanged": 0, "n_rejected": 0}
    with db.writer_lock(out, wait_seconds=wait_seconds), db.connect(out) as run_con:
        # Held for the whole run so every task's connection shares this DuckDB instance: closing
        # them does not checkpoint, and batch commits append to the WAL rather than running a
        # checkpoint each; a checkpoint runs every CHECKPOINT_THRESHOLD of WAL (unwritten appends
        # stay in memory) and when run_con closes.
        run_con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        # DuckDB's default memory_limit is 80% of RAM and its buffer pool keeps what it touched,
        # so the stories join and the export would hold gigabytes. Bounded, it spills.
        run_con.execute(f"SET memory_limit = '{LOADS_MEMORY_LIMIT}'")
        # a previous run that died (e.g. killed during the Parquet export) left marts or the mirror
        # possibly stale: refresh and export even if this run loads nothing new
        previous_ok = load.last_run_completed(run_con)
        load.start_run(run_con, run_id)
        status = "failed"
        batches: Batches | None = None
        try:
            files, walk_rejects = discover_inputs(paths)
            with Progress(show_progress, total=sum(f.size for f in files)) as progress:
                all_rejects = [pl.DataFrame(walk_rejects, schema=inp.REJECT_SCHEMA)]
                # Bounded reads: a multi-record file is read MAX_RECORDS_PER_READ records at a time, so
                # memory does not grow with one file's size. Template lines are learned per read and
                # merged with the stored ones; a line frequent in a file but rare in every read of it
                # is missed (docs/benchmarks.md, "Trade-offs").
                reads = deque(inp.batches(files))
                urls = [p for p in paths if inp.is_url(p)]
                # One pipeline for the whole run: the next read is parsed and its first chunks
                # submitted while the previous read's last transforms still run, so no worker
                # waits at a read's end.
                batches = Batches(out, run_id, started, ner_backend, counts, in_flight, tagger_process, batch_size)
                # Everything alive now (Prefect, the server client, imported modules) lives for the
                # run: frozen, the full collection after each load skips it.
                gc.freeze()
                while reads:
                    file_batch = reads.popleft()
                    docs_raw, rejects, rest = read_and_parse(file_batch, fields, inp.MAX_RECORDS_PER_READ)
                    if rest:
                        reads.appendleft(rest)
                    all_rejects.append(rejects)
                    _ingest_records(out, docs_raw, batches, counts, last=not reads and not urls)
                    del docs_raw
                    pending = {f.source_uri for f in rest}
                    progress.advance(sum(f.size for f in file_batch if f.source_uri not in pending))
                if urls:
                    from flows.feeds import fetch_feeds

                    batches.drain()  # fetch_feeds skips URLs already in the warehouse: load first
                    fetched, fetch_rejects = fetch_feeds(urls, out=out, run_id=run_id)
                    docs_raw, bad = parse_records(fetched, fields)
                    all_rejects += [fetch_rejects, bad]
                    _ingest_records(out, docs_raw, batches, counts, last=True)
                batches.drain()
                batches.close()
                release_workers()  # the marts refresh and the export run here alone
                rejects = _reject_rows(pl.concat(all_rejects, how="vertical_relaxed"), run_id, started)
                counts["n_rejected"] = rejects.height
                new_rejects = record_rejects(out, rejects)
                if counts["n_new"] or new_rejects or not _mirror_exists(out) or not previous_ok or _stories_pending(out):
                    progress.stage("refreshing marts")
                    # the loads' cached blocks go first (written out, then evicted): the marts
                    # refresh reads other tables and fills its own room
                    load.checkpoint(run_con)
                    db.release_cached_blocks(run_con, MARTS_MEMORY_LIMIT)
                    refresh_marts(out)
                    progress.stage("exporting Parquet")
                    # the refresh's writes too: until written out DuckDB cannot evict them, and a
                    # release that finds them pinned leaves the export less room (run_con's close
                    # would write them anyway)
                    load.checkpoint(run_con)
                    db.release_cached_blocks(run_con, DUCKDB_MEMORY_LIMIT)
                    export_parquet(out, None)
            status = "completed"
        finally:
            if batches is not None:
                batches.close()
            gc.unfreeze()  # a long-lived process (serve) collects this run's objects again
            with db.connect(out) as con:
                load.finish_run(con, run_id, status, counts)
            if status == "completed":
                export_parquet(out, ["runs", "fetch_log"])
    return {"run_id": run_id, "out": out, "status": status,
            "seconds": round(time.monotonic() - t0, 2), **counts}


def _mirror_exists(out: str) -> bool:
    return (Path(out) / export.PARQUET_DIR / "documents").is_dir()


def _stories_pending(out: str) -> bool:
    """Documents without a story (a warehouse migrated from before ``doc_sketches``)."""
    from warehouse.stories import stories_pending

    with db.connect(out) as con:
        return stories_pending(con)


def _ingest_records(out: str, docs_raw: pl.DataFrame, batches: Batches, counts: dict[str, int],
                    last: bool = False) -> None:
    """Skip unchanged records, then queue the rest in chunks of ``batches.chunk_size`` (after
    ``warm``: ``batch_size`` or, with the tagging process, half of it) on ``batches`` (smaller ones
    at the end of the ``last`` read of the run, see ``chunks``)."""
    if docs_raw.height == 0:
        return
    docs = with_identity(docs_raw.select(list(STAGED_SCHEMA)))
    counts["n_seen"] += docs.height
    with db.connect(out) as con:
        # a source_uri is read once per run (one file, or one record index of it), so chunks
        # still in flight cannot hold a document this query should know about
        known = load.known_documents(con, docs["source_uri"].to_list())
        if batches.templates is None:
            batches.templates = con.execute("SELECT source_name, line_key, n_docs FROM source_templates").pl()
    fresh = docs.join(known.select("source_uri", "content_sha256"), on=["source_uri", "content_sha256"], how="anti")
    fresh = fresh.unique("source_uri", keep="last", maintain_order=True)
    counts["n_unchanged"] += docs.height - fresh.height
    if fresh.height == 0:
        return
    batches.warm(fresh.height)
    # Learned lines merge with those of earlier reads, kept here rather than read back from the
    # warehouse: the earlier read's first chunk (which stores them) may still be in flight.
    templates = templates_for(docs, batches.templates)
    if templates is not None:
        batches.templates = templates
    for i, (o, n) in enumerate(chunks(fresh.height, batches.chunk_size, batches.limit if last else 1)):
        batches.add(fresh.slice(o, n), templates, store_templates=i == 0 and templates is not None)

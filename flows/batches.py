"""Transform batches in flight on the flow's task runner, and loaded one by one in order.

``Batches`` is the ingest flow's pipeline: ``add(chunk)`` submits a ``transform-batch`` task (threads
by default, worker processes with ``--procs``, Dask workers with ``--dask``/``--workers``) and loads
the oldest finished one (``load-batch``, always in the flow process: one DuckDB writer). With the
default runner the tagging goes to a helper process (``flows.tagging``). ``chunks`` cuts one read
into transform batches.
"""
from __future__ import annotations

from collections import deque
from datetime import datetime
from typing import Any, Callable

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed

from flows.memory import release_freed_memory
from flows.tagging import TaggerProcess
from transforms.pipeline import transform_documents
from warehouse import db, load

# Batch payloads are large frames: hashing them for Prefect's cache would cost more than the work.
TASK_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


@task(name="transform-batch", **TASK_OPTS)
def transform_batch(docs: pl.DataFrame, templates: pl.DataFrame | None, ner_backend: str,
                    tag: Callable[[pl.DataFrame], pl.DataFrame] | None = None) -> dict[str, pl.DataFrame]:
    release_freed_memory()  # the previous batch's leftovers, in a worker process (see flows.memory)
    return transform_documents(docs, templates, ner_backend, tag)


@task(name="warm-worker", **TASK_OPTS)
def warm_worker(ner_backend: str) -> None:
    """Import the transforms and load the tagger in a worker before its first batch arrives.

    A worker process spends seconds on imports and the model; submitted as soon as a read has new
    documents, that overlaps the flow's template learning rather than following it."""
    from transforms.ner.tagger import preload

    preload(ner_backend)


@task(name="load-batch", **TASK_OPTS)
def load_batch(out: str, tables: dict[str, pl.DataFrame]) -> None:
    with db.connect(out) as con:
        load.load_batch(con, tables)


def chunks(n: int, batch_size: int, workers: int) -> list[tuple[int, int]]:
    """``(offset, length)`` chunks of ``n`` rows: ``batch_size`` each, except that with several
    workers the last ``workers × batch_size`` rows (plus the remainder) go in ``2 × workers`` smaller chunks.

    Why: at the end of a run, a worker that finished its last batch waits for the other one's;
    half-size chunks at the end halve that wait."""
    if workers < 2 or n <= batch_size:
        return [(o, min(batch_size, n - o)) for o in range(0, n, batch_size)]
    start = max(0, (n - workers * batch_size) // batch_size) * batch_size  # the tail takes the remainder
    size = -(-(n - start) // (2 * workers))
    return [(o, batch_size) for o in range(0, start, batch_size)] + [(o, min(size, n - o)) for o in range(start, n, size)]


class Batches:
    """Transforms in flight on the flow's task runner, loaded one by one in submission order.

    At most ``max(in_flight, 1)`` transforms are pending (threads by default, worker processes with
    --procs, Dask workers with --dask/--workers); when full, ``add`` takes the oldest result,
    submits the new chunk, then loads the result, so the new transform runs while it loads.
    (Submitting before taking a result would run in_flight + 1 transforms at once: twice the batch
    memory, and a shared CRF tagger used from two threads.) Loads stay in this process: one writer.

    With the thread runner and ``tagger_process`` (see ``ingest``), the tagging of every batch goes
    to one helper process (``flows.tagging``) and two transforms are in flight: one waits for its
    mentions while the other is cleaned and segmented here. They are half ``batch_size`` each, so
    the articles being transformed at once stay ``batch_size`` (and the flow process's memory with
    them), and the helper's first batch starts sooner.
    """

    def __init__(self, out: str, run_id: str, now: datetime, ner_backend: str, counts: dict[str, int], in_flight: int,
                 tagger_process: bool | None = False, batch_size: int = 2000) -> None:
        self.out, self.run_id, self.now, self.ner_backend = out, run_id, now, ner_backend
        self.counts, self.limit = counts, max(in_flight, 1)
        self.pending: deque = deque()
        self.templates: pl.DataFrame | None = None  # stored + learned template lines so far
        self.warming: list | None = None
        self.tagger_process, self.batch_size = tagger_process, batch_size
        self.chunk_size = batch_size  # articles per transform task
        self.tagger: TaggerProcess | None = None

    def warm(self, n_fresh: int) -> None:
        """Once per run, when there is work: start the workers (or the tagging process) while the
        flow learns templates."""
        if self.warming is not None:
            return
        self.warming = []
        wanted = self.tagger_process if self.tagger_process is not None else n_fresh >= self.batch_size
        if wanted and thread_runner():
            self.tagger = TaggerProcess(self.ner_backend)  # loads the model while the flow learns templates
            self.limit = max(self.limit, 2)
            self.chunk_size = max(self.batch_size // self.limit, 1)
        else:
            self.warming = [warm_worker.submit(self.ner_backend) for _ in range(self.limit)]

    def close(self) -> None:
        """Stop the tagging process, if any (idempotent): the run's tail needs no tagger."""
        if self.tagger is not None:
            self.tagger.close()
            self.tagger = None

    def add(self, chunk: pl.DataFrame, templates: pl.DataFrame | None, store_templates: bool) -> None:
        ready = self._take() if len(self.pending) >= self.limit else None
        tag = self.tagger.mentions if self.tagger is not None else None
        self.pending.append((chunk.height, transform_batch.submit(chunk, templates, self.ner_backend, tag),
                             templates if store_templates else None))
        if ready is not None:
            self._load(*ready)

    def drain(self) -> None:
        for future in self.warming or ():  # a warm-up that failed is reported by the batch that needs the model
            future.wait()
        if self.pending:
            # Nothing is left to submit: once a worker has no batch left, write the WAL out while
            # the other transforms finish rather than in a commit after them.
            if len(self.pending) > 1:
                next(as_completed([future for _, future, _ in self.pending]))
            with db.connect(self.out) as con:
                load.checkpoint(con)
        while self.pending:
            self._load(*self._take())

    def _take(self) -> tuple[int, dict[str, pl.DataFrame], pl.DataFrame | None]:
        n, future, templates = self.pending.popleft()
        return n, future.result(), templates

    def _load(self, n: int, tables: dict[str, pl.DataFrame], templates: pl.DataFrame | None) -> None:
        tables["documents"] = tables["documents"].with_columns(ingested_at=pl.lit(self.now), run_id=pl.lit(self.run_id))
        if templates is not None:
            tables["source_templates"] = templates
        load_batch(self.out, tables)
        self.counts["n_new"] += n
        del tables
        release_freed_memory()


def thread_runner() -> bool:
    """Whether this flow run transforms in this process's threads (the default runner)."""
    from prefect.context import FlowRunContext
    from prefect.task_runners import ThreadPoolTaskRunner

    ctx = FlowRunContext.get()
    return ctx is not None and isinstance(ctx.task_runner, ThreadPoolTaskRunner)

"""Measuring instruments for ``bench.pipeline``: stage timers installed in every process that runs
a flow task or a transform, and a sampler of the process tree's peak RSS and CPU.

Timers append one JSON line per call (``stage, s, cpu, pid, end``) to ``$AKHBAR_BENCH_TIMINGS/<pid>.jsonl``,
so Dask/process-pool workers report too; ``read_timings`` sums them per stage.
"""
from __future__ import annotations

import functools
import json
import os
import threading
import time
from pathlib import Path
from typing import Callable

import polars as pl

_TIMINGS_ENV = "AKHBAR_BENCH_TIMINGS"
_NO_NER_ENV = "AKHBAR_BENCH_NO_NER"
TRANSFORM_STAGES = [
    ("transforms.clean", "clean_documents"), ("transforms.segment", "sentences"), ("transforms.ner", "mentions"),
    ("transforms.entities", "resolve"), ("transforms.entities", "quotes"),
    ("transforms.entities", "time_expressions"), ("transforms.stories", "story_sketches"),
    ("transforms.story_clusters", "place_stories"),
    ("transforms.tone", "text_words"), ("transforms.tone", "sentence_tone"), ("transforms.topics", "topics"),
]


# ---------------------------------------------------------------- stage timers (every process)
def _record(stage: str, seconds: float, cpu: float = 0.0) -> None:
    d = os.environ.get(_TIMINGS_ENV)
    if d:
        with open(Path(d) / f"{os.getpid()}.jsonl", "a") as fh:
            fh.write(json.dumps({"stage": stage, "s": seconds, "cpu": cpu, "pid": os.getpid(), "end": time.time()}) + "\n")


def _timed(stage: str, fn: Callable) -> Callable:
    if getattr(fn, "_bench_timed", False):
        return fn

    @functools.wraps(fn)
    def wrapper(*a, **kw):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*a, **kw)
        finally:
            _record(stage, time.perf_counter() - t, time.process_time() - c)

    wrapper._bench_timed = True  # type: ignore[attr-defined]
    return wrapper


def _empty_mentions(sentences: pl.DataFrame, backend: str = "default", model_path: str | None = None) -> pl.DataFrame:
    from transforms.ner.mentions import SCHEMA

    return pl.DataFrame(schema=SCHEMA)


@functools.cache
def install_worker_timers() -> None:
    """Wrap each transform (looked up at call time by ``transform_documents``) with a timer."""
    import importlib

    if os.environ.get(_NO_NER_ENV) == "1":
        import transforms.ner as ner

        ner.mentions = _empty_mentions
    for mod_name, attr in TRANSFORM_STAGES:
        mod = importlib.import_module(mod_name)
        setattr(mod, attr, _timed(f"transform.{attr}", getattr(mod, attr)))


def bench_transform_batch(docs: pl.DataFrame, templates: pl.DataFrame | None, ner_backend: str,
                          tag: Callable | None = None) -> dict[str, pl.DataFrame]:
    """The flow's ``transform-batch`` body, with the timers installed in whichever process runs it
    (``tag``: the flow's tagging process, whose own timers ``TAGGER_INIT`` installs)."""
    from flows.memory import release_freed_memory
    from transforms.pipeline import transform_documents

    release_freed_memory()
    install_worker_timers()
    return transform_documents(docs, templates, ner_backend, _timed("flow.wait_for_tagger", tag) if tag else None)


# what the flow's tagging process (flows.tagging) runs first: the same timers there
TAGGER_INIT = "bench.measure:install_worker_timers"


def install_flow_timers() -> None:
    """Replace the flow's tasks by same-named tasks whose bodies are timed (this process)."""
    from prefect import task

    import flows.batches as fb
    import flows.ingest as fi
    from warehouse import load

    for mod, attr in ((fi, "read_and_parse"), (fb, "load_batch"), (fi, "refresh_marts"), (fi, "record_rejects"),
                      (fi, "export_parquet"), (fi, "discover_inputs")):
        orig = getattr(mod, attr)
        setattr(mod, attr, task(name=orig.name, retries=orig.retries, retry_delay_seconds=orig.retry_delay_seconds,
                                **fi.TASK_OPTS)(_timed(f"flow.{attr}", orig.fn)))
    fb.transform_batch = task(name="transform-batch", **fi.TASK_OPTS)(_timed("flow.transform_batch", bench_transform_batch))
    fi._ingest_records = _timed("flow._ingest_records", fi._ingest_records)
    fi.with_identity = _timed("flow.with_identity", fi.with_identity)
    fi.templates_for = _timed("flow.templates_for", fi.templates_for)
    load.known_documents = _timed("flow.known_documents", load.known_documents)
    from warehouse import marts  # the stories' SQL inside refresh-marts (the clustering is transform.place_stories)

    marts.story_inputs = _timed("flow.story_inputs", marts.story_inputs)
    marts.add_missing_sketches = _timed("flow.add_missing_sketches", marts.add_missing_sketches)
    orig_load = load.load_batch
    if not getattr(orig_load, "_bench_mem", False):
        def load_and_note_memory(con, tables, before_commit=None):
            orig_load(con, tables, before_commit)
            _note_memory(con)

        load_and_note_memory._bench_mem = True  # type: ignore[attr-defined]
        load.load_batch = load_and_note_memory
    install_worker_timers()


def _note_memory(con) -> None:
    """After each batch load: DuckDB's own memory (``duckdb_memory()``, MB by tag) and this
    process's RSS, one JSON line in ``memory.jsonl`` (the growth curve within a run)."""
    import psutil

    d = os.environ.get(_TIMINGS_ENV)
    if not d:
        return
    tags = {t: round(b / (1 << 20)) for t, b in con.execute(
        "SELECT tag, memory_usage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0").fetchall()}
    with open(Path(d) / "memory.jsonl.txt", "a") as fh:
        fh.write(json.dumps({"t": time.time(), "rss_mb": psutil.Process().memory_info().rss >> 20,
                             "duckdb_mb": sum(tags.values()), "duckdb_tags": tags}) + "\n")


def read_memory(d: Path) -> list[dict]:
    f = Path(d) / "memory.jsonl.txt"
    return [json.loads(line) for line in f.read_text().splitlines()] if f.exists() else []


def stage_peaks(d: Path, history: list[tuple[float, float]]) -> dict[str, int]:
    """Peak RSS (tree without the Prefect server, MB) while each flow-level stage ran."""
    out: dict[str, int] = {}
    for f in d.glob("*.jsonl"):
        for line in f.read_text().splitlines():
            r = json.loads(line)
            if not r["stage"].startswith("flow.") or r["stage"] in ("flow.body", "flow._ingest_records") or "end" not in r:
                continue
            inside = [mb for t, mb in history if r["end"] - r["s"] <= t <= r["end"]]
            if inside:
                out[r["stage"]] = max(out.get(r["stage"], 0), round(max(inside)))
    return dict(sorted(out.items()))


def read_timings(d: Path) -> dict[str, dict[str, float]]:
    rows = [json.loads(line) for f in d.glob("*.jsonl") for line in f.read_text().splitlines() if line]
    out: dict[str, dict[str, float]] = {}
    for r in rows:
        s = out.setdefault(r["stage"], {"s": 0.0, "cpu": 0.0, "calls": 0, "pids": set()})
        s["s"] += r["s"]
        s["cpu"] += r.get("cpu", 0.0)
        s["calls"] += 1
        s["pids"].add(r["pid"])
    return {k: {"s": round(v["s"], 2), "cpu": round(v["cpu"], 2), "calls": v["calls"], "procs": len(v["pids"])}
            for k, v in sorted(out.items())}


# ---------------------------------------------------------------- peak RSS of the process tree
class RssSampler(threading.Thread):
    """Peak RSS (MB) of this process + all descendants, and of the Prefect server apart."""

    def __init__(self, every: float = 0.2, pss: bool = False) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc, self.every, self._halt = psutil.Process(), every, threading.Event()
        self.peak_tree = self.peak_self = self.peak_server = self.peak_workers = 0.0
        # PSS (proportional set size): a page shared by k processes counts 1/k in each, so the
        # tree's sum counts shared-library pages (numba/LLVM, Polars: ~180 MB per worker)
        # once, where the RSS sum counts them per process. Read with the tree listing (once a
        # second: ~5 ms per process to walk its page tables), and only when asked for.
        self.pss, self.peak_pss = pss, 0.0
        self.history: list[tuple[float, float]] = []  # (time, tree MB without the server)
        self._kids: list = []
        self._listed_at = float("-inf")
        self.cpu: dict[int, float] = {}  # pid -> last seen user+system seconds (server excluded)
        c = self.proc.cpu_times()
        self.cpu0 = c.user + c.system

    def sample(self) -> None:
        import psutil

        me = self.proc.memory_info().rss
        server = workers = 0
        pss_pids = [self.proc.pid]  # this process and the current list's non-server processes
        # listing the tree reads /proc/*/stat of every process on the machine: ~3% of a core at
        # 5 Hz (py-spy, 72k run), taken from the flow it measures; so the tree is listed once a second
        now = time.monotonic()
        listed = now - self._listed_at >= 1.0
        if listed:
            self._kids, self._listed_at = self.proc.children(recursive=True), now
        for c in self._kids:
            try:
                rss = c.memory_info().rss
                cmd = " ".join(c.cmdline())
            except psutil.Error:
                continue
            if "prefect.server" in cmd or "uvicorn" in cmd:
                server += rss
            else:
                workers += rss
                pss_pids.append(c.pid)
                try:
                    ct = c.cpu_times()
                    self.cpu[c.pid] = ct.user + ct.system
                except psutil.Error:
                    pass
        mb = 1 << 20
        self.peak_self = max(self.peak_self, me / mb)
        self.peak_server = max(self.peak_server, server / mb)
        self.peak_workers = max(self.peak_workers, workers / mb)
        self.peak_tree = max(self.peak_tree, (me + server + workers) / mb)
        self.history.append((time.time(), (me + workers) / mb))
        if self.pss and listed:
            self.peak_pss = max(self.peak_pss, sum(map(_pss_bytes, pss_pids)) / mb)

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.sample()

    def stop(self) -> dict[str, float]:
        self._halt.set()
        self.join()
        self.sample()
        c = self.proc.cpu_times()
        self.cpu_s = round(c.user + c.system - self.cpu0 + sum(self.cpu.values()), 1)
        return {"tree_mb": round(self.peak_tree), "flow_process_mb": round(self.peak_self),
                "workers_mb": round(self.peak_workers), "prefect_server_mb": round(self.peak_server),
                "tree_without_server_mb": round(self.peak_tree - self.peak_server),
                **({"tree_without_server_pss_mb": round(self.peak_pss)} if self.pss else {})}


def _pss_bytes(pid: int) -> int:
    """A process's PSS from ``/proc/<pid>/smaps_rollup`` (0 when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) << 10
    except OSError:
        pass
    return 0

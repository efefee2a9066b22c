"""``akhbar run --procs 2``: transforms in two worker processes (Prefect's ``ProcessPoolTaskRunner``)
write the same tables as the default in-process run; loads stay in the flow's process.
Same inputs and ``batch_size`` as the Dask test (three transform batches for the five seeds)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from warehouse import db
from warehouse.checksum import table_checksums

REPO = Path(__file__).resolve().parents[2]
BATCH = 2


def _checksums(out: Path) -> dict:
    with db.connect(out, read_only=True) as con:
        return table_checksums(con)


def test_process_runner_same_tables_as_default(prefect_server, tmp_path: Path) -> None:
    from flows.cli import _with_runner
    from flows.ingest import ingest

    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    local = ingest(inputs=[str(seeds)], out=str(tmp_path / "local"), batch_size=BATCH)
    flow_fn, in_flight = _with_runner(ingest, 0, None, procs=2)
    assert in_flight == 2
    flow_fn.task_runner.start_workers()  # as the CLI does
    pooled = flow_fn(inputs=[str(seeds)], out=str(tmp_path / "procs"), batch_size=BATCH, in_flight=in_flight)

    assert local["status"] == pooled["status"] == "completed"
    assert local["n_new"] == pooled["n_new"] == 5
    expected = _checksums(tmp_path / "local")
    assert expected["documents"][0] == 5
    assert _checksums(tmp_path / "procs") == expected


_WORKER_SEES = '''
import os
from prefect import flow, task
from flows.runners import SharedServerDaskRunner, SharedServerProcessPool

from prefect.server.api.server import SubprocessASGIServer

@task
def api_url_in_worker():
    own_server = any(getattr(s, "running", False) for s in SubprocessASGIServer._instances.values())
    return os.environ.get("PREFECT_API_URL"), os.getpid(), own_server

runner = RUNNER
early_pids = None
if EARLY:  # what `akhbar run --procs` does: the workers start before the flow and its server
    runner.start_workers(os.getpid)
    early_pids = set(runner._early[0]._processes)

@flow(task_runner=runner)
def probe():
    return api_url_in_worker.submit().result()

url, pid, own_server = probe()
server = SubprocessASGIServer()
took_over = early_pids is None or pid in early_pids
print("RESULT", url, server.api_url, pid != os.getpid() and not own_server and took_over, os.environ.get("PREFECT_API_URL"))
'''


@pytest.mark.parametrize(("runner", "early"), [
    ("SharedServerProcessPool(max_workers=1)", True),  # akhbar run --procs: workers started first
    ("SharedServerProcessPool(max_workers=1)", False),
    ("SharedServerDaskRunner(cluster_kwargs={'n_workers': 1, 'threads_per_worker': 1, 'processes': True})", False),  # --workers
])
def test_workers_report_to_the_flows_temporary_server(tmp_path: Path, runner: str, early: bool) -> None:
    """Without PREFECT_API_URL (what `akhbar run --procs 2` or `--workers 2` meets), the worker
    processes get the flow's own temporary server instead of each starting one — also when they
    were started before it — and the flow process's environment is restored afterwards."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    # a fresh PREFECT_HOME migrates a new database: slow on a busy machine, so a generous timeout
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="240",
               PYTHONPATH=str(REPO))
    code = _WORKER_SEES.replace("RUNNER", runner).replace("EARLY", str(early))
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=480)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line is not None, done.stderr[-2000:]
    _, worker_url, server_url, other_process, restored = line.split()
    assert other_process == "True"
    assert worker_url == server_url and server_url.startswith("http://127.0.0.1:")
    assert restored == "None"


def test_early_workers_not_taken_over_are_shut_down() -> None:
    """``close_early`` ends workers started for a flow run that never entered the runner."""
    import os

    from flows.runners import SharedServerProcessPool

    runner = SharedServerProcessPool(max_workers=1)
    runner.start_workers(os.getpid)
    pool = runner._early[0]
    assert pool.submit(os.getpid).result(timeout=120) != os.getpid()
    runner.close_early()
    assert runner._early is None
    with pytest.raises(RuntimeError):  # shut down: no new work
        pool.submit(os.getpid)


def test_workers_released_once_nothing_is_left_to_submit(prefect_server) -> None:
    """``release_workers`` (called by the flow after its last transform) stops the worker processes
    while the flow run goes on — the marts refresh and export then run without them — and the
    run still ends cleanly."""
    import os

    import psutil
    from prefect import flow, task

    from flows.memory import release_workers
    from flows.runners import SharedServerProcessPool

    @task
    def worker_pid() -> int:
        return os.getpid()

    @flow(task_runner=SharedServerProcessPool(max_workers=1))
    def probe() -> tuple[int, bool, bool]:
        pid = worker_pid.submit().result()
        before = psutil.pid_exists(pid)
        release_workers()
        gone = not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        return pid, before, gone

    pid, alive_before, gone_after = probe()
    assert pid != os.getpid()
    assert alive_before and gone_after


def test_release_workers_outside_a_process_pool_is_a_no_op(prefect_server) -> None:
    from prefect import flow

    from flows.memory import release_workers

    release_workers()  # no flow run

    @flow
    def threads() -> str:
        release_workers()  # the default (thread) runner has no workers to stop
        return "ok"

    assert threads() == "ok"


def test_ingest_releases_workers_before_the_marts_refresh(prefect_server, tmp_path: Path, monkeypatch) -> None:
    """The flow lets its workers go after the last load and before the run's tail (marts, export)."""
    import flows.batches as fb
    import flows.ingest as fi

    calls: list[str] = []
    monkeypatch.setattr(fi, "release_workers", lambda: calls.append("release_workers"))
    for mod, name in ((fb, "load_batch"), (fi, "refresh_marts"), (fi, "export_parquet")):
        task = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda *a, _t=task, _n=name, **k: (calls.append(_n), _t(*a, **k))[1])
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    assert fi.ingest(inputs=[str(seeds)], out=str(tmp_path / "wh"), batch_size=BATCH)["status"] == "completed"
    released = calls.index("release_workers")
    assert calls.count("release_workers") == 1
    assert "load_batch" not in calls[released:]
    assert calls[released + 1 :].count("refresh_marts") == 1 and calls.index("refresh_marts") > released


def test_the_marts_refresh_alone_runs_under_the_larger_memory_limit(prefect_server, tmp_path: Path, monkeypatch) -> None:
    """DuckDB's buffer pool keeps what it touched up to ``memory_limit``: loads share the machine
    with the transforms and the tagging process and get the smallest limit, the export (it bounds
    its sorts by file size) a larger one; the marts refresh, whose story join must complete at
    ~290k articles, the largest."""
    import flows.batches as fb
    import flows.ingest as fi
    from warehouse import db

    def limit_now(out: str) -> str:
        with db.connect(out) as con:  # the run's DuckDB instance: the setting is shared
            return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

    def formatted(value: str) -> str:
        import duckdb

        con = duckdb.connect()
        con.execute(f"SET memory_limit = '{value}'")
        return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]

    seen: dict[str, set[str]] = {}
    for mod, name in ((fb, "load_batch"), (fi, "refresh_marts"), (fi, "export_parquet")):
        task = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda out, *a, _t=task, _n=name, **k: (
            seen.setdefault(_n, set()).add(limit_now(out)), _t(out, *a, **k))[1])
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    assert fi.ingest(inputs=[str(seeds)], out=str(tmp_path / "wh"), batch_size=BATCH)["status"] == "completed"
    loads, small, large = (formatted(fi.LOADS_MEMORY_LIMIT), formatted(fi.DUCKDB_MEMORY_LIMIT),
                           formatted(fi.MARTS_MEMORY_LIMIT))
    assert len({loads, small, large}) == 3
    assert seen["load_batch"] == {loads}
    assert seen["refresh_marts"] == {large}
    assert seen["export_parquet"] == {small}



def test_cached_blocks_released_before_the_marts_and_before_the_export(prefect_server, tmp_path: Path, monkeypatch) -> None:
    """After the last load DuckDB's cached blocks are released and the refresh gets the marts'
    limit; after the refresh they are released again and the export gets the loads' limit."""
    import flows.batches as fb
    import flows.ingest as fi
    from warehouse import db

    calls: list[tuple[str, str | None]] = []
    release = db.release_cached_blocks
    monkeypatch.setattr(db, "release_cached_blocks", lambda con, limit=None: (calls.append(("release", limit)),
                                                                             release(con, limit))[1])
    for mod, name in ((fb, "load_batch"), (fi, "refresh_marts"), (fi, "export_parquet")):
        task = getattr(mod, name)
        monkeypatch.setattr(mod, name, lambda out, *a, _t=task, _n=name, **k: (calls.append((_n, None)), _t(out, *a, **k))[1])
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    assert fi.ingest(inputs=[str(seeds)], out=str(tmp_path / "wh"), batch_size=BATCH)["status"] == "completed"
    last_load = max(i for i, c in enumerate(calls) if c[0] == "load_batch")
    assert calls[last_load + 1:] == [("release", fi.MARTS_MEMORY_LIMIT), ("refresh_marts", None),
                                     ("release", fi.DUCKDB_MEMORY_LIMIT), ("export_parquet", None),
                                     ("export_parquet", None)]  # the runs/fetch_log export in `finally`

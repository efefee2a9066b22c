"""The Prefect *scheduler* starts the runs (issue 30): a real ``prefect server start`` with a 1 s
scheduler loop (conftest ``real_server``), ``akhbar serve --cron`` with a schedule due every 10 s,
and nothing else triggering runs. test_serve.py starts its runs with ``run_deployment``, which
bypasses the scheduler service, so it passed while the scheduler failed on every loop with
SQLAlchemy 2.1.9 ("Can't evaluate bulk DML statement") and no scheduled run ever happened.

Bounded waits; the serve process is stopped with SIGTERM at the end, as systemd stops a service
(test_serve.py uses SIGINT), and SIGKILLed in ``finally``, with any flow-run process it left, if a
step failed.
"""
from __future__ import annotations

import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from prefect_procs import BIN, Server, api_post, descendants, kill_all, start, stop, tail

from warehouse import db

REPO = Path(__file__).resolve().parents[2]
NAME = "scheduler-test"
# Seconds in the 6th field (croniter): a run every 10 s, so the first one is due within seconds.
EVERY_10_SECONDS = "* * * * * */10"
FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")


def _check_log(what: str, text: str) -> None:
    """Fail on a traceback or an ERROR line in a Prefect process's output, showing its end."""
    problems = [line for line in text.splitlines() if line.startswith("Traceback") or "| ERROR" in line]
    if problems:
        pytest.fail(f"{what} has {len(problems)} traceback/ERROR lines, the first: {problems[0]}\n"
                    f"--- its last lines:\n{text[-2500:]}", pytrace=False)


def _wait_for_runs(server: Server, n: int, serve: subprocess.Popen, log_from: int, serve_log: Path,
                   timeout: float = 300) -> list[dict]:
    """The deployment's first ``n`` flow runs once all are final; fails at once on a traceback or
    an ERROR line in the server's or the serve process's output."""
    deadline = time.monotonic() + timeout
    runs: list[dict] = []
    while time.monotonic() < deadline:
        _check_log("the server log", server.log_since(log_from))
        _check_log("akhbar serve's output", tail(serve_log, 10**7))
        assert serve.poll() is None, f"akhbar serve exited (rc={serve.returncode}):\n{tail(serve_log)}"
        runs = api_post(server.api, "/flow_runs/filter", {  # type: ignore[assignment]
            "deployments": {"name": {"any_": [NAME]}}, "sort": "EXPECTED_START_TIME_ASC", "limit": n})
        if len(runs) == n and all(r["state"] and r["state"]["type"] in FINAL for r in runs):
            return runs
        time.sleep(1)
    states = [(r["name"], r["state"] and r["state"]["name"]) for r in runs]
    raise AssertionError(f"{n} scheduled runs not finished after {timeout}s; runs {states}\n"
                         f"server log:\n{server.log_since(log_from)[-3000:]}\nserve log:\n{tail(serve_log)}")


@pytest.mark.slow  # ~1 min: a real server, a serve process and two scheduled flow runs
def test_scheduler_runs_served_deployment(real_server: Server, tmp_path: Path, seeds_copy: Path) -> None:
    out, serve_log = tmp_path / "wh", tmp_path / "serve.log"
    log_from = real_server.log.stat().st_size
    for page in ("/", "/deployments"):  # the pages an operator opens (a browser asks for text/html)
        req = urllib.request.Request(real_server.root + page, headers={"Accept": "text/html"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read().lower(), page
    serve = start([str(BIN / "akhbar"), "serve", str(seeds_copy), "--out", str(out),
                   "--cron", EVERY_10_SECONDS, "--name", NAME], real_server.client_env, REPO, serve_log)
    children = []
    try:
        first, second = _wait_for_runs(real_server, 2, serve, log_from, serve_log)
        for run in (first, second):
            assert run["auto_scheduled"], f"{run['name']} was not created by the scheduler"
            assert run["state"]["type"] == "COMPLETED", f"{run['name']}: {run['state']}\n{tail(serve_log)}"
        assert first["end_time"] <= second["start_time"], "scheduled runs overlapped"

        children = descendants(serve)
        assert stop(serve, sig=signal.SIGTERM, group=False) == 0, tail(serve_log)
        assert "never awaited" not in tail(serve_log, 10**7), tail(serve_log)
        # Whether Prefect's runner pauses the schedule on SIGTERM depends on its shutdown racing the
        # exit (seen both ways on a loaded machine); a restarted `serve` re-activates it either way.
        # the first run loaded the seeds, the second found nothing new (a third may have been cut off)
        with db.connect(out, read_only=True) as con:
            runs = con.execute("SELECT status, n_new, n_unchanged FROM runs ORDER BY started_at LIMIT 2").fetchall()
        assert runs == [("completed", 5, 0), ("completed", 0, 5)]
        _check_log("the server log", real_server.log_since(log_from))
    finally:
        kill_all([serve], children)

"""A real ``prefect server start`` (conftest ``real_server``: 127.0.0.1, free port, temporary
PREFECT_HOME), ``akhbar serve`` on a copy of seeds, runs triggered through the API with
``run_deployment`` (issue 8, acceptance 1); test_scheduler.py has the scheduler start them.

Everything is a child process with bounded waits; the server and the serve process are stopped
with SIGINT (what Ctrl-C sends) and must exit by themselves.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from prefect_procs import BIN, Server, kill_all, server_env, start, stop, tail

from warehouse import db

REPO = Path(__file__).resolve().parents[2]
DEPLOYMENT = "ingest/ops-test"

# Runs in a child process: wait for the deployment, run it once and wait for the result, then
# fire two runs at once and wait for both (they must queue, not overlap).
TRIGGER = r"""
import json, sys, time
from prefect.client.orchestration import get_client
from prefect.deployments import run_deployment

name, phase = sys.argv[1], sys.argv[2]
deadline = time.monotonic() + 90
with get_client(sync_client=True) as client:
    while True:
        try:
            client.read_deployment_by_name(name)
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
if phase == "one":
    run = run_deployment(name, timeout=240, poll_interval=1)
    print(json.dumps([[run.state.type.value, run.state.name]]))
else:
    runs = [run_deployment(name, timeout=0) for _ in range(2)]
    deadline = time.monotonic() + 240
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            states = [client.read_flow_run(r.id).state for r in runs]
            if all(s is not None and s.is_final() for s in states):
                break
            time.sleep(1)
    print(json.dumps([[s.type.value, s.name] for s in states]))
"""


@pytest.mark.slow  # ~2-4 min: a serve process and four flow-run processes on the shared server
def test_serve_on_real_prefect_server(real_server: Server, tmp_path: Path, seeds_copy: Path) -> None:
    client_env = real_server.client_env
    out = tmp_path / "wh"
    logs = tmp_path / "logs"
    logs.mkdir()
    serve = None
    t0 = time.monotonic()
    phases: dict[str, float] = {}

    def mark(name: str) -> None:
        phases[name] = round(time.monotonic() - t0, 1)
        print(f"[serve test] {name} at {phases[name]}s", flush=True)

    try:
        # A schedule that never fires during the test (1 January): runs come from run_deployment.
        serve = start([str(BIN / "akhbar"), "serve", str(seeds_copy), "--out", str(out), "--cron", "0 0 1 1 *",
                       "--name", DEPLOYMENT.split("/")[1]], client_env, REPO, logs / "serve.log")
        one = subprocess.run([sys.executable, "-c", TRIGGER, DEPLOYMENT, "one"], env=client_env,
                             capture_output=True, text=True, timeout=300)
        assert one.returncode == 0, one.stderr[-3000:] + tail(logs / "serve.log")
        assert json.loads(one.stdout.strip().splitlines()[-1]) == [["COMPLETED", "Completed"]], tail(logs / "serve.log")
        mark("first run completed")
        with db.connect(out, read_only=True) as con:
            assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
            assert con.execute("SELECT status, n_new FROM runs").fetchall() == [("completed", 5)]

        # Inbox semantics + no overlap: a new file arrives, two runs are requested at once.
        (seeds_copy / "new_article.txt").write_text((seeds_copy / "000_2b676b022e1b6d99.txt").read_text(
            encoding="utf-8").replace("روسيا", "روسيا الاتحادية"), encoding="utf-8")
        two = subprocess.run([sys.executable, "-c", TRIGGER, DEPLOYMENT, "two"], env=client_env,
                             capture_output=True, text=True, timeout=300)
        assert two.returncode == 0, two.stderr[-3000:]
        mark("two queued runs completed")
        assert json.loads(two.stdout.strip().splitlines()[-1]) == [["COMPLETED", "Completed"]] * 2, tail(logs / "serve.log")
        with db.connect(out, read_only=True) as con:
            runs = con.execute("SELECT started_at, finished_at, n_new, n_unchanged FROM runs ORDER BY started_at").fetchall()
            assert con.execute("SELECT count(*) FROM documents").fetchone()[0] == 6
        assert [r[2:] for r in runs] == [(5, 0), (1, 5), (0, 6)], "each run ingests only what is new"
        for a, b in zip(runs, runs[1:]):
            assert a[1] <= b[0], f"runs overlapped: {a} / {b}"

        # A manual `akhbar run` while a writer holds the warehouse: a clear message, exit code 2.
        with db.writer_lock(out):
            busy = subprocess.run([str(BIN / "akhbar"), "run", str(seeds_copy), "--out", str(out), "--no-progress"],
                                  env=client_env, cwd=tmp_path, capture_output=True, text=True, timeout=180)
        mark("busy run refused")
        assert busy.returncode == 2, busy.stdout[-2000:] + busy.stderr[-2000:]
        assert "another akhbar run is writing" in busy.stderr and "--wait" in busy.stderr

        assert stop(serve) in (0, 130, -signal.SIGINT), tail(logs / "serve.log")
        serve = None
        mark("serve stopped")
    finally:
        kill_all([serve])


@pytest.mark.parametrize("given", [["inbox"], ["inbox", "https://example.org/rss.xml"]])
def test_deployment_parameters(given: list[str], tmp_path: Path, monkeypatch) -> None:
    """Local paths become absolute (flow runs start in their own process); URLs stay as given."""
    from flows.serve import deployment_parameters

    monkeypatch.chdir(tmp_path)
    params = deployment_parameters(given, "data", 60)
    assert params["inputs"][0] == str(tmp_path / "inbox") and params["out"] == str(tmp_path / "data")
    assert params["inputs"][1:] == given[1:] and params["wait_seconds"] == 60.0


def test_serve_refuses_without_a_server(tmp_path: Path) -> None:
    """Without PREFECT_API_URL Prefect would use a temporary server, which never runs schedules."""
    env = server_env(tmp_path / "prefect_home")  # no PREFECT_API_URL, and a profile without one
    done = subprocess.run([str(BIN / "akhbar"), "serve", str(tmp_path), "--out", str(tmp_path / "wh")], env=env,
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout[-2000:] + done.stderr[-2000:]
    assert "needs a running Prefect server" in done.stderr and "PREFECT_API_URL" in done.stderr
    assert not (tmp_path / "wh").exists()

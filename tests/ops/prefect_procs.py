"""Child processes for the tests that need a real ``prefect server start`` and ``akhbar serve``:
free loopback ports, bounded waits, SIGINT (what Ctrl-C sends) before anything harder, and a
clean environment (no PREFECT_* of the caller, a private PREFECT_HOME)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a server and its clients: none of the caller's PREFECT_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    # an offline machine: the telemetry heartbeat would log "Failed to send telemetry" errors
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PYTHONUNBUFFERED="1")
    env.update(extra)
    return env


def start(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    """A child in its own process group (so SIGINT reaches it and its helpers), output to ``log``."""
    with open(log, "wb") as out:
        return subprocess.Popen(args, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def start_server(port: int, env: dict[str, str], cwd: Path, log: Path, ui: bool = False) -> subprocess.Popen:
    args = [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    return start(args if ui else [*args, "--no-ui"], env, cwd, log)


def wait_healthy(api: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"prefect server exited early (rc={proc.returncode})"
        try:
            with urllib.request.urlopen(f"{api}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"prefect server not healthy after {timeout}s")


def api_get(api: str, path: str) -> object:
    with urllib.request.urlopen(f"{api}{path}", timeout=10) as r:
        return json.load(r)


def api_post(api: str, path: str, body: dict) -> object:
    req = urllib.request.Request(f"{api}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def descendants(proc: subprocess.Popen) -> list[psutil.Process]:
    """The child's process tree now (flow-run processes start in sessions of their own)."""
    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def stop(proc: subprocess.Popen, timeout: float = 30, sig: int = signal.SIGINT, group: bool = True) -> int:
    """Send ``sig`` to the child's process group (or only to the child), wait, and only then force it."""
    if proc.poll() is None:
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        try:
            return proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
            raise AssertionError(f"process {proc.args[:3]} ignored {signal.Signals(sig).name} for {timeout}s") from None
    return proc.returncode


def kill_all(procs: list[subprocess.Popen | None], others: list[psutil.Process] = ()) -> None:
    """Last resort in ``finally``: SIGKILL whatever is still running."""
    for proc in procs:
        if proc is not None and proc.poll() is None:
            others = [*others, *descendants(proc)]
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
    for p in others:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass


def tail(path: Path, n: int = 3000) -> str:
    return path.read_text(errors="replace")[-n:] if path.exists() else ""


class Server:
    """A running ``prefect server start``: its URLs, log, and the environment of its clients."""

    def __init__(self, home: Path, logs: Path) -> None:
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.api = f"{self.root}/api"
        self.log = logs / "server.log"
        # The scheduler loops every 1 s (default 60 s; 5 s for just-created deployments) so that
        # scheduled runs start within seconds. Runs due every few seconds fall behind on a loaded
        # machine, and marking them Late (after 15 s by default) races the runner's own state
        # change in SQLite ("database is locked" tracebacks): not what these tests are about.
        self.env = server_env(home, PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="1",
                              PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS="1",
                              PREFECT_SERVER_SERVICES_LATE_RUNS_AFTER_SECONDS="600")
        # the runner polls for due runs every 10 s by default
        self.client_env = {**self.env, "PREFECT_API_URL": self.api, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
        self.proc: subprocess.Popen | None = start_server(self.port, self.env, home.parent, self.log, ui=True)

    def log_since(self, offset: int) -> str:
        """What the server wrote after ``offset`` bytes of its log."""
        with open(self.log, "rb") as f:
            f.seek(offset)
            return f.read().decode(errors="replace")

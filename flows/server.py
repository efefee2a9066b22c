"""Prefect's temporary API server, started by ``akhbar run`` before its slow imports.

Why: without ``PREFECT_API_URL`` Prefect starts a temporary server when the flow is called, that is
after this process has imported Prefect, Polars, DuckDB and the transforms, and then waits for it;
on a small run such as the seeds, that wait is a third of the run. ``start_temporary_server``
launches the same server process (the command and server variables of
``SubprocessASGIServer._run_uvicorn_command``; the other settings reach it from the same
environment and Prefect profile, which it reads) before the imports, so its start-up runs on the
other core meanwhile; ``adopt`` then hands it to Prefect's
``SubprocessASGIServer`` singleton, which Prefect's client uses and stops at exit as if it had
started it. Anything unexpected (a real server configured, the process dead or not answering)
stops it, and Prefect starts its own as it otherwise would: never worse than not trying.
"""
from __future__ import annotations

import atexit
import os
import random
import socket
import subprocess
import sys
import time
from importlib.util import find_spec
from typing import Callable

# the server process Prefect 3.8 runs (prefect/server/api/server.py: _run_uvicorn_command)
_SERVER_ENV = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
_PORTS = range(8000, 9000)


def start_temporary_server() -> Callable[[float], bool]:
    """Launch the server process now, unless this run will not use one; returns ``adopt(timeout)``,
    to call before the flow, which answers whether Prefect now uses that process (``adopt.process``
    is the process, or None when none was launched)."""
    if os.environ.get("PREFECT_API_URL") or os.environ.get("PREFECT_SERVER_EPHEMERAL_ENABLED", "").lower() in (
            "0", "false", "no", "off"):
        return _not_needed()
    if "prefect.settings" in sys.modules:  # already imported (e.g. tests under a harness): asking is free
        from prefect.settings import PREFECT_API_URL

        if PREFECT_API_URL.value():
            return _not_needed()
    spec = find_spec("prefect")  # finds the package without importing it (the slow part)
    port = _free_port()
    if spec is None or spec.origin is None or port is None:
        return _not_needed()
    app_dir = os.path.dirname(os.path.dirname(spec.origin))
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", app_dir, "--factory", "prefect.server.api.server:create_app",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env={**os.environ, **_SERVER_ENV})
    atexit.register(_stop, proc)  # a run that ends before ``adopt`` (a usage error) leaves no server behind

    def adopt(timeout: float = 120.0) -> bool:
        try:
            return _adopt(proc, port, timeout)
        except Exception:  # noqa: BLE001 - Prefect starts its own server, as it always did
            _stop(proc)
            return False

    adopt.process = proc  # type: ignore[attr-defined]
    return adopt


def _not_needed() -> Callable[[float], bool]:
    def adopt(timeout: float = 0.0) -> bool:
        return False

    adopt.process = None  # type: ignore[attr-defined]
    return adopt


def _adopt(proc: subprocess.Popen, port: int, timeout: float) -> bool:
    import httpx
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    server = SubprocessASGIServer()  # the singleton Prefect's client starts and uses
    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value() or server.running:
        _stop(proc)  # e.g. a profile names a real server: this one is not needed
        return False
    url = f"http://127.0.0.1:{port}/api/health"
    deadline = time.monotonic() + timeout
    with httpx.Client() as client:
        while True:
            if proc.poll() is not None:  # e.g. exit code 3: the port was taken meanwhile
                return False
            try:
                if client.get(url).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                _stop(proc)
                return False
            time.sleep(0.1)
    server.port, server.server_process, server.running = port, proc, True
    atexit.register(server.stop)  # as SubprocessASGIServer.start does
    return True


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _free_port() -> int | None:
    """A port in Prefect's range that nothing listens on now (as ``find_available_port``)."""
    for _ in range(50):
        port = random.choice(_PORTS)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    return None

"""``akhbar run`` starts Prefect's temporary server before its imports (``flows/server.py``) and
hands it to Prefect; a server it does not need is stopped, and none outlives the process."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:  # refused: nothing listens (a bind test would trip on TIME_WAIT connections)
        return False
    return True


def test_the_cli_runs_the_seeds_on_the_server_it_started_early(tmp_path: Path) -> None:
    """No ``PREFECT_API_URL``: Prefect does not start a server of its own ("Starting temporary
    server" never appears), the run completes without a traceback, and the adopted server is
    stopped at exit (nothing listens on its port)."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(tmp_path / "prefect-home")
    res = subprocess.run([sys.executable, "-m", "flows.cli", "run", str(REPO / "seeds"), "--out", str(tmp_path / "wh"),
                          "--no-progress"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    log = res.stdout + res.stderr
    assert res.returncode == 0, log
    assert "Starting temporary server" not in log
    for bad in ("Traceback", "Error flushing", "CancelledError"):
        assert bad not in log, log
    stopped = re.search(r"Stopping temporary server on http://127\.0\.0\.1:(\d+)", log)
    assert stopped, log
    assert not _listening(int(stopped.group(1)))


def test_a_server_prefect_will_not_use_is_stopped(prefect_server, monkeypatch) -> None:
    """Under a configured API (here the test harness's server) no process is launched when this
    process already knows it, and ``adopt`` declines and stops one launched before it knew."""
    import flows.server as fs

    assert fs.start_temporary_server().process is None  # prefect.settings imported: asked first
    monkeypatch.delitem(sys.modules, "prefect.settings")  # as in a fresh `akhbar run`
    adopt = fs.start_temporary_server()
    monkeypatch.undo()
    assert adopt.process is not None
    assert adopt(120.0) is False
    assert adopt.process.poll() is not None


def test_a_process_that_exits_before_adopting_leaves_no_server() -> None:
    """E.g. ``akhbar run --ner camel`` without camel-tools' data exits with a usage error first."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    script = "from flows.server import start_temporary_server; print(start_temporary_server().process.pid)"
    res = subprocess.run([sys.executable, "-c", script], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    pid = int(res.stdout.strip())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return
    # the pid still exists: at most a zombie for an instant, never a running server
    stat = Path(f"/proc/{pid}/stat")
    state = stat.read_text().rsplit(")", 1)[1].split()[0] if stat.exists() else "gone"
    assert state in ("Z", "X", "gone"), state

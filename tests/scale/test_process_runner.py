"""``akhbar run --procs 2``: transforms in two worker processes (Prefect's ``ProcessPoolTaskRunner``)
write the same tables as the default in-process run; loads stay in the flow's process.
Same inputs and ``batch_size`` as the Dask test (three transform batches for the five seeds)."""
from __future__ import annotations

import shutil
from pathlib import Path

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
    pooled = flow_fn(inputs=[str(seeds)], out=str(tmp_path / "procs"), batch_size=BATCH, in_flight=in_flight)

    assert local["status"] == pooled["status"] == "completed"
    assert local["n_new"] == pooled["n_new"] == 5
    expected = _checksums(tmp_path / "local")
    assert expected["documents"][0] == 5
    assert _checksums(tmp_path / "procs") == expected


_WORKER_SEES = '''
import os
from prefect import flow, task
from flows.runners import SharedServerProcessPool

@task
def api_url_in_worker():
    return os.environ.get("PREFECT_API_URL"), os.getpid()

@flow(task_runner=SharedServerProcessPool(max_workers=1))
def probe():
    return api_url_in_worker.submit().result()

from prefect.server.api.server import SubprocessASGIServer
url, pid = probe()
server = SubprocessASGIServer()
print("RESULT", url, server.api_url, pid != os.getpid(), os.environ.get("PREFECT_API_URL"))
'''


def test_workers_report_to_the_flows_temporary_server(tmp_path: Path) -> None:
    """Without PREFECT_API_URL (what `akhbar run --procs 2` meets), the workers get the flow's own
    temporary server instead of each starting one, and the flow process's environment is restored."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(PREFECT_HOME=str(tmp_path / "prefect"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
               PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-c", _WORKER_SEES], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=240)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line is not None, done.stderr[-2000:]
    _, worker_url, server_url, other_process, restored = line.split()
    assert other_process == "True"
    assert worker_url == server_url and server_url.startswith("http://127.0.0.1:")
    assert restored == "None"

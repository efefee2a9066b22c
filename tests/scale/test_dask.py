"""The ingest flow on a Dask cluster (2 worker processes) writes the same tables as the default runner.

Transforms run on the workers (``DaskTaskRunner(address=…)``, as ``akhbar run --dask ADDRESS`` does);
loads stay in the flow's process (single writer).  Both runs use the same inputs and ``batch_size``
(2 → three transform batches for the five seeds, so both workers get work) and are compared with
``warehouse.checksum.table_checksums``.
"""
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


@pytest.fixture
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as c:
        yield c


def test_dask_runner_same_tables_as_default(prefect_server, cluster, tmp_path: Path) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.ingest import ingest

    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    local = ingest(inputs=[str(seeds)], out=str(tmp_path / "local"), batch_size=BATCH)
    on_dask = ingest.with_options(task_runner=DaskTaskRunner(address=cluster.scheduler_address))(
        inputs=[str(seeds)], out=str(tmp_path / "dask"), batch_size=BATCH, in_flight=2)

    assert local["status"] == on_dask["status"] == "completed"
    assert local["n_new"] == on_dask["n_new"] == 5
    expected = _checksums(tmp_path / "local")
    assert expected["documents"][0] == 5
    assert _checksums(tmp_path / "dask") == expected

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

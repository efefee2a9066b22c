"""The default runner's tagging process (``flows.tagging``): the same rows as tagging in the flow
process, errors that reach the flow, and a child that holds neither Prefect nor DuckDB."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from warehouse import db
from warehouse.checksum import table_checksums

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seed_sentences() -> pl.DataFrame:
    from transforms.clean import clean_documents
    from transforms.pipeline import STAGED_SCHEMA, with_identity
    from transforms.records import records_bounded
    from flows.inputs import discover, read_files
    from transforms.segment import sentences

    files, _ = discover([str(REPO / "seeds")])
    raw, _ = read_files(files)
    docs, _, _ = records_bounded(raw, None, None)
    cleaned, _ = clean_documents(with_identity(docs.select(list(STAGED_SCHEMA))), None)
    return sentences(cleaned)


def test_the_tagging_process_gives_the_rows_of_tagging_here(seed_sentences: pl.DataFrame) -> None:
    """Same frame (columns, types, rows, order) as ``transforms.ner.mentions`` in this process,
    request after request (the second one meets the child's warm tables and sentence cache)."""
    from flows.tagging import TaggerProcess
    from transforms.ner import mentions

    expected = mentions(seed_sentences)
    assert expected.filter(pl.col("surface") == "نيكولاي باتروشيف").height >= 1
    with TaggerProcess("default") as tagger:
        for _ in range(2):
            got = tagger.mentions(seed_sentences)
            assert got.schema == expected.schema
            assert got.equals(expected)
        assert tagger.mentions(seed_sentences.head(0)).height == 0


def test_a_tagger_error_reaches_the_flow_with_its_message(seed_sentences: pl.DataFrame, tmp_path: Path,
                                                          monkeypatch) -> None:
    """camel-tools' model missing in the child raises ``CamelModelMissing`` here, with its one-line
    advice, and the child keeps serving."""
    from flows.tagging import TaggerProcess
    from transforms.ner import CamelModelMissing

    monkeypatch.setenv("CAMELTOOLS_DATA", str(tmp_path / "no-camel-data"))
    with TaggerProcess("camel") as tagger:
        with pytest.raises(CamelModelMissing, match="camel_data -i ner-arabert"):
            tagger.mentions(seed_sentences.head(3))
        with pytest.raises(CamelModelMissing):
            tagger.mentions(seed_sentences.head(3))


def test_a_child_that_died_is_reported_not_waited_for(seed_sentences: pl.DataFrame) -> None:
    from flows.tagging import TaggerProcess, TaggerProcessError

    tagger = TaggerProcess("default")
    tagger._proc.kill()
    with pytest.raises(TaggerProcessError, match="exited"):
        tagger.mentions(seed_sentences.head(3))
    tagger.close()
    tagger.close()  # idempotent


def test_close_ends_the_child() -> None:
    from flows.tagging import TaggerProcess

    tagger = TaggerProcess("default")
    proc = tagger._proc
    tagger.close()
    assert proc.poll() == 0


def test_the_child_imports_neither_prefect_nor_duckdb() -> None:
    """What ``_serve`` imports (the model included): the helper stays small."""
    code = ("import flows.tagging, flows.memory, transforms.ner, sys\n"
            "from transforms.ner.tagger import preload\n"
            "preload('default')\n"
            "print(sorted(m for m in ('prefect', 'duckdb', 'torch') if m in sys.modules))")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def _checksums(out: Path) -> dict:
    with db.connect(out, read_only=True) as con:
        return table_checksums(con)


def test_flow_with_the_tagging_process_writes_the_same_tables(prefect_server, tmp_path: Path, monkeypatch) -> None:
    """``tagger_process=True`` (two transforms of half a batch in flight, tagging in the child) and
    ``False`` (all in the flow process) load the same tables; ``None`` starts the child only when
    the first read brings a whole batch of new articles."""
    import flows.batches as fb
    from flows.ingest import ingest

    started: list[str] = []
    real = fb.TaggerProcess
    monkeypatch.setattr(fb, "TaggerProcess", lambda backend: (started.append(backend), real(backend))[1])
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    runs = {}
    for name, option, batch in (("here", False, 2), ("child", True, 2), ("auto-small", None, 2000)):
        summary = ingest(inputs=[str(seeds)], out=str(tmp_path / name), batch_size=batch, tagger_process=option)
        assert summary["status"] == "completed" and summary["n_new"] == 5
        runs[name] = _checksums(tmp_path / name)
    assert started == ["default"]  # only the run that asked for it
    assert runs["child"] == runs["here"] == runs["auto-small"]
    assert runs["here"]["mentions"][0] > 0

    summary = ingest(inputs=[str(seeds)], out=str(tmp_path / "auto-batch"), batch_size=2)
    assert summary["n_new"] == 5 and started == ["default", "default"]  # 5 new articles >= batch_size 2


def test_the_child_ends_when_the_flow_process_is_killed() -> None:
    """SIGKILL leaves no orphan: the child sees its stdin close and exits."""
    import psutil

    code = ("import os, signal, sys\n"
            "from flows.tagging import TaggerProcess\n"
            "t = TaggerProcess('default')\n"
            "print(t.pid, flush=True)\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    child = int(done.stdout.split()[0])
    try:
        psutil.Process(child).wait(timeout=120)
    except psutil.NoSuchProcess:
        pass
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE

"""The `akhbar` CLI through Typer's test runner (in-process, against the test Prefect server)."""
from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()


def test_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.output.startswith("akhbar ")


def test_help_lists_commands() -> None:
    res = runner.invoke(app, ["--help"])
    assert res.exit_code == 0
    for cmd in ("run", "query", "schema", "export", "train-ner", "eval-ner"):
        assert cmd in res.output


def test_run_then_query(prefect_server, seeds_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "wh"
    res = runner.invoke(app, ["run", str(seeds_copy), "--out", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert "seen" in res.output and "unchanged" in res.output
    res = runner.invoke(app, ["query", "select count(*) from documents", "--out", str(out)])
    assert res.exit_code == 0 and res.output.strip() == "5"
    res = runner.invoke(app, ["query", "select n_new, n_unchanged from runs", "--out", str(out), "--format", "json"])
    assert json.loads(res.output) == [{"n_new": 5, "n_unchanged": 0}]
    res = runner.invoke(app, ["run", str(seeds_copy), "--out", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["query", "select n_new, n_unchanged from runs order by started_at", "--out", str(out), "-f", "csv"])
    assert res.output.strip().splitlines() == ["n_new,n_unchanged", "5,0", "0,5"]
    res = runner.invoke(app, ["query", "select count(*) from documents where source_uri like ?", "-p", "%000_%", "--out", str(out)])
    assert res.output.strip() == "1"


def test_query_is_read_only(seeds_warehouse: Path) -> None:
    res = runner.invoke(app, ["query", "delete from documents", "--out", str(seeds_warehouse)])
    assert res.exit_code == 1 and "read-only" in res.output.lower()


def test_query_without_warehouse_says_what_to_do(tmp_path: Path) -> None:
    res = runner.invoke(app, ["query", "select 1", "--out", str(tmp_path / "nothing")])
    assert res.exit_code == 2 and "akhbar run" in res.output


def test_schema_prints_dictionary() -> None:
    res = runner.invoke(app, ["schema"])
    assert res.exit_code == 0 and "### `documents`" in res.output


def test_export(seeds_warehouse: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["export", "--format", "parquet", "--dest", str(tmp_path / "bi"), "--out", str(seeds_warehouse)])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "bi" / "documents").is_dir()


FIXTURES = Path(__file__).resolve().parent / "ner" / "fixtures"


def test_eval_ner_prints_micro_f1_last() -> None:
    res = runner.invoke(app, ["eval-ner", str(FIXTURES / "tiny_gold.txt")])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1].startswith("micro-F1: ")


def test_camel_backend_without_model_is_one_clear_line(tmp_path: Path) -> None:
    res = runner.invoke(app, ["run", str(tmp_path), "--ner", "camel", "--out", str(tmp_path / "wh")])
    assert res.exit_code == 2 and "camel_data -i" in " ".join(res.output.split())


def test_train_ner_then_eval_ner_with_that_model(tmp_path: Path) -> None:
    """The dev recipe of docs/ner.md from the command line: train-ner --dev-fraction/--epochs/--model-out,
    then eval-ner --model (here on the tiny fixture, two epochs)."""
    import numpy as np

    vec = tmp_path / "vectors.npz"
    words = ["قال", "الرئيس", "في", "موسكو", "منظمة", "شنغهاي", "للتعاون", "بوتين", "فلاديمير"]
    np.savez_compressed(vec, words=np.array(words),
                        vectors=np.random.default_rng(0).normal(size=(9, 16)).astype(np.float16))
    res = runner.invoke(app, ["train-ner", str(FIXTURES / "tiny_gold.txt"), "--model-out", str(tmp_path / "m"),
                              "--vectors", str(vec), "--epochs", "2", "--dev-fraction", "0"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "m" / "ner.pt").exists()
    res = runner.invoke(app, ["eval-ner", str(FIXTURES / "tiny_gold.txt"), "--model", str(tmp_path / "m")])
    assert res.exit_code == 0, res.output
    assert res.output.strip().splitlines()[-1].startswith("micro-F1: ")

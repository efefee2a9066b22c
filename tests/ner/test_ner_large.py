"""The slower, more accurate option (``--ner large``): ships, loads offline, runs through every entry point."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from transforms.ner import mentions
from transforms.ner.build import LARGE_RECIPE
from transforms.ner.tagger import NEURAL_FILES, load_model, neural_path, tag_with

FIX = Path(__file__).parent / "fixtures"


def test_large_model_ships_within_20_mb_and_loads_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    path = NEURAL_FILES["large"]
    assert path.stat().st_size <= 20 * 2**20
    assert load_model(str(path)).config["hidden"] == LARGE_RECIPE["hidden"] == 128
    tags = tag_with("large", [["قال", "الرئيس", "فلاديمير", "بوتين", "في", "موسكو"]])[0][0]
    assert [t for t, _ in tags][2:4] == ["B-PERS", "I-PERS"]


def test_a_model_directory_names_each_backend_file(tmp_path: Path) -> None:
    """``--model DIR`` (what train-ner --model-out writes) reads the file of the backend asked for."""
    assert neural_path("large", str(tmp_path)) == str(tmp_path / "ner_large.pt")
    assert neural_path("default", str(tmp_path)) == str(tmp_path / "ner.pt")
    assert neural_path("default", None) is None and neural_path("large", None) == str(NEURAL_FILES["large"])


def test_mentions_and_eval_ner_run_the_large_model() -> None:
    import polars as pl

    from flows.cli import app

    sents = pl.DataFrame({"sentence_id": ["d:0"], "doc_id": ["d"], "start_char": [0],
                          "text": ["التقى وانغ يي نيكولاي باتروشيف في موسكو"]})
    got = mentions(sents, backend="large")
    assert set(got["method"]) <= {"large", "rule", "consistency"} and "LOC" in got["label"].to_list()
    out = CliRunner().invoke(app, ["eval-ner", str(FIX / "tiny_gold.txt"), "--ner", "large"])
    assert out.exit_code == 0 and out.output.strip().splitlines()[-1].startswith("micro-F1: ")

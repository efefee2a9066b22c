"""``akhbar eval-entities``: document-level, count-based scoring against gold (``transforms.ner.entity_score``)."""
from __future__ import annotations

import json
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from flows.cli import app
from transforms.ner.entity_score import score_entities, surface_key, variants

FIXTURE = Path(__file__).resolve().parents[1] / "golden" / "entity_eval" / "fixture.json"


def test_hand_computed_fixture() -> None:
    fx = json.loads(FIXTURE.read_text(encoding="utf-8"))
    pred = pl.DataFrame(fx["predicted"], schema=["doc_key", "surface", "label", "entity_id"], orient="row")
    rep = score_entities(pred, fx["gold"])
    o = rep["overall"]
    assert (o["tp"], o["predicted"], o["gold"]) == (6, 9, 8), fx["note"]
    assert o["precision"] == pytest.approx(6 / 9) and o["recall"] == pytest.approx(6 / 8)
    assert rep["labels"]["PERS"]["recall"] == 1.0 and rep["labels"]["LOC"]["recall"] == pytest.approx(2 / 3)
    assert rep["labels"]["ORG"]["tp"] == 0 and rep["labels"]["MISC"]["predicted"] == 1
    assert rep["b_cubed"]["precision"] == 1.0 and rep["b_cubed"]["recall"] == pytest.approx(0.75)
    assert rep["documents"] == 2


def test_normalization_and_one_proclitic() -> None:
    assert surface_key("أَحْمَد  الشَّرْع") == surface_key("احمد الشرع")
    assert surface_key("وزارة الصحة") == surface_key("وزاره الصحه")  # ta marbuta folded
    assert variants(surface_key("للجيش الإسرائيلي")) & variants(surface_key("الجيش الإسرائيلي"))
    assert not variants(surface_key("وبلبنان")) & variants(surface_key("نان"))  # only one proclitic


def test_cli_on_seeds_warehouse(seeds_warehouse: Path, tmp_path: Path) -> None:
    """Gold of one seed document listing one of its predicted mentions twice: recall 1/2 on it."""
    con = duckdb.connect(str(seeds_warehouse / "akhbar.duckdb"), read_only=True)
    uri, surface, label, n = con.execute(
        "select d.source_uri, m.surface, m.label, count(*) over (partition by d.doc_id) "
        "from mentions m join documents d using (doc_id) order by d.source_uri, m.start_char limit 1").fetchone()
    con.close()
    gold = tmp_path / "gold.json"
    gold.write_text(json.dumps({uri: {"mentions": [{"surface": surface, "label": label, "count": 2}]}},
                               ensure_ascii=False), encoding="utf-8")
    res = CliRunner().invoke(app, ["eval-entities", str(gold), "--out", str(seeds_warehouse), "--json"])
    assert res.exit_code == 0, res.output
    o = json.loads(res.output)["overall"]
    assert o["gold"] == 2 and o["predicted"] == n and 1 <= o["tp"] <= 2
    res = CliRunner().invoke(app, ["eval-entities", str(gold), "--out", str(seeds_warehouse)])
    assert res.output.strip().splitlines()[-1].startswith("overall: P ")

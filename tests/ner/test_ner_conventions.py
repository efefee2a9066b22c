"""ANERcorp's tags brought to akhbar's conventions (``transforms.ner.conventions``): golden cases."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from transforms.ner.conventions import to_akhbar
from transforms.ner.gazetteer import gazetteer

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ner_conventions" / "cases.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case: dict) -> None:
    [(_, tags)] = to_akhbar([(case["tokens"], case["tags"])], gazetteer()["country"])
    assert tags == case["expected"], case["note"]

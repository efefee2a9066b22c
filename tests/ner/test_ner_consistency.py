"""The document-level pass (``transforms.ner.consistency``): golden cases, each an article of a few
sentences with the tagger's spans and the spans expected in one sentence after it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from transforms.ner.consistency import consistency
from transforms.ner.gazetteer import place_words
from transforms.ner.mentions import _key
from transforms.ner.text import token_surfaces

from .conftest import locate

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ner_consistency" / "cases.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case: dict) -> None:
    sents = [token_surfaces(text) for text in case["sentences"]]
    found = [[(*locate(toks, s), label, 0.9, "neural") for s, label in tagged]
             for toks, tagged in zip(sents, case["tagged"])]
    consistency([_key(s) for s in sents], found, place_words("default", None))
    toks = sents[case["check"]]
    got = sorted((a, " ".join(toks[a:b]), label) for a, b, label, _, _ in found[case["check"]])
    assert [g[1:] for g in got] == [tuple(e) for e in case["expected"]], case["note"]

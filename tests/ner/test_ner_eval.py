"""Exact-span scoring on a hand-made fixture (numbers computed by hand in the comments)."""
from __future__ import annotations

from pathlib import Path

import pytest

from transforms.ner import format_report, read_conll, score
from transforms.ner.conll import dev_split, spans, well_formed

FIX = Path(__file__).parent / "fixtures"


def test_spans_follow_seqeval_iob2() -> None:
    assert spans(["B-PERS", "I-PERS", "O", "B-LOC"]) == [("PERS", 0, 2), ("LOC", 3, 4)]
    assert spans(["I-ORG", "I-ORG", "B-ORG"]) == [("ORG", 0, 2), ("ORG", 2, 3)]  # stray I- opens a span
    assert spans(["B-LOC", "I-ORG"]) == [("LOC", 0, 1), ("ORG", 1, 2)]  # type change closes a span


def test_hand_computed_scores() -> None:
    gold = [t for _, t in read_conll(FIX / "tiny_gold.txt")]
    pred = [t for _, t in read_conll(FIX / "tiny_pred.txt")]
    rep = score(gold, pred)
    # gold: PERS فلاديمير بوتين, LOC موسكو, ORG منظمة شنغهاي للتعاون, LOC كازان (4 spans)
    # pred: PERS فلاديمير بوتين ✓, ORG موسكو ✗, ORG شنغهاي للتعاون ✗ (boundary), LOC كازان ✓
    assert rep["PERS"] == pytest.approx({"precision": 1, "recall": 1, "f1": 1, "support": 1})
    assert rep["LOC"] == pytest.approx({"precision": 1, "recall": 0.5, "f1": 2 / 3, "support": 2})
    assert rep["ORG"] == pytest.approx({"precision": 0, "recall": 0, "f1": 0, "support": 1})
    assert rep["micro"] == pytest.approx({"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 4})
    text = format_report(rep)
    assert text.splitlines()[-1] == "micro-F1: 0.500"
    assert "LOC" in text and "0.667" in text


def test_read_conll_strips_bidi_marks(tmp_path: Path) -> None:
    f = tmp_path / "g.txt"
    f.write_text("\u200fبوتين B-PERS\nقال O\n\n\nموسكو B-LOC\n", encoding="utf-8")
    assert read_conll(f) == [(["بوتين", "قال"], ["B-PERS", "O"]), (["موسكو"], ["B-LOC"])]


def test_dev_split_is_contiguous() -> None:
    sents = [([str(i)], ["O"]) for i in range(20)]
    tr, dev = dev_split(sents, 0.15)
    assert tr + dev == sents and len(dev) == 3


def test_well_formed_starts_a_span_where_spans_does() -> None:
    """Training input for the CRF: an ``I-X`` that continues nothing becomes ``B-X`` (ANERcorp has a
    dozen), and the spans are unchanged."""
    tags = ["O", "I-ORG", "I-ORG", "B-PERS", "I-LOC", "I-PERS"]
    assert well_formed(tags) == ["O", "B-ORG", "I-ORG", "B-PERS", "B-LOC", "B-PERS"]
    assert spans(well_formed(tags)) == spans(tags)

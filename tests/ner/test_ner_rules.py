"""Sentence-level rules after the tagger (``transforms.ner.rules``): golden cases and properties."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ner.gazetteer import rule_gazetteer
from transforms.ner.mentions import _key
from transforms.ner.rules import apply_rules as _apply
from transforms.ner.text import token_surfaces

from .conftest import locate

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "ner_rules" / "cases.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line.strip()]


def apply_rules(tokens: list[str], spans: list) -> list:
    _apply(_key(tokens), spans, rule_gazetteer("default", None))
    return spans


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden(case: dict) -> None:
    tokens = token_surfaces(case["text"])
    spans = [(*locate(tokens, s), label, 0.5, "neural") for s, label in case["tagged"]]
    got = sorted((" ".join(tokens[a:b]), label, how) for a, b, label, _, how in apply_rules(tokens, spans))
    assert got == sorted(tuple(e) for e in case["expected"]), case["note"]


_WORDS = ["الحزب", "للحزب", "حزب", "الشيوعي", "الصيني", "العدالة", "والتنمية", "الله", "اللبناني",
          "سان", "سانت", "بطرسبرغ", "بطرسبرج", "الحاكم", "قال", "في", "،", "منظمة", "شنغهاي", "للتعاون",
          "الاتحاد", "الدولي", "لكرة", "القدم", "للطاقة", "الذرية", "والتعمير", "التي", "ميليشيات", "إرهابية", "كتائب", "وسرايا", "حركة", "القدس", "مستشفى", "تنظيم"]


@st.composite
def tagged_sentences(draw):
    tokens = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12))
    spans, i = [], 0
    while i < len(tokens):  # non-overlapping spans, as the tagger gives
        n = draw(st.integers(0, 3))
        if n and i + n <= len(tokens):
            spans.append((i, i + n, draw(st.sampled_from(["LOC", "ORG", "PERS"])), 0.5, "neural"))
            i += n
        else:
            i += 1
    return tokens, spans


@settings(max_examples=200, deadline=None)
@given(tagged_sentences())
def test_rules_keep_spans_apart_and_apply_once(sentence) -> None:
    """Spans never overlap after the rules, and running them again changes nothing."""
    tokens, spans = sentence
    once = apply_rules(tokens, list(spans))
    covered: set[int] = set()
    for a, b, *_ in once:
        assert 0 <= a < b <= len(tokens) and covered.isdisjoint(range(a, b))
        covered.update(range(a, b))
    assert sorted(apply_rules(tokens, list(once))) == sorted(once)


def test_eval_scores_what_the_rules_add(tmp_path, monkeypatch) -> None:
    """``evaluate`` runs the rules by default (as ``mentions`` does); ``rules=False`` is the tagger
    alone. A stand-in rule that drops every span shows which of the two ran."""
    import importlib

    ev = importlib.import_module("transforms.ner.evaluate")  # the package exports a function of that name

    gold = tmp_path / "party.txt"
    words = "عضو للحزب الشيوعي الصيني".split()
    gold.write_text("".join(f"{w} {t}\n" for w, t in zip(words, ["O", "B-ORG", "I-ORG", "I-ORG"])), encoding="utf-8")
    assert ev.evaluate(gold)["ORG"]["f1"] == 1.0
    monkeypatch.setattr(ev, "apply_rules", lambda keys, spans, gaz: spans.clear())
    assert ev.evaluate(gold)["ORG"]["f1"] == 0.0
    assert ev.evaluate(gold, rules=False)["ORG"]["f1"] == 1.0


def test_every_shipped_backend_brings_its_own_gazetteer() -> None:
    """The rules read the model's stored gazetteer (no package data at tagging time)."""
    for backend in ("default", "crf"):
        countries, places, longest, tails = rule_gazetteer(backend, None)
        assert "الصين" in countries and "سانت بطرسبرغ" in places and longest >= 2 and "فرانس برس" in tails

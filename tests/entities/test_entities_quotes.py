"""Quotes: the seeds against their hand-checked golden file, one golden case per attribution pattern
(real ANT excerpts with hand-tagged names), and span properties."""
from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.entities import quotes, resolve
from transforms.entities.key import key_of
from transforms.entities.quotes import quote_spans
from transforms.ids import stable_id

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "quotes"
CASES = [json.loads(line) for line in (GOLDEN / "seeds.jsonl").read_text(encoding="utf-8").splitlines() if line]
PATTERNS = [json.loads(line) for line in (GOLDEN / "patterns.jsonl").read_text(encoding="utf-8").splitlines() if line]
_L = "\u0621-\u064a"
_CLITICS = "(?:[وف]?(?:[بكل]|لل)?)"


def _entity_keys(resolved: pl.DataFrame) -> dict[tuple[str, str], set[str]]:
    """(doc_id, entity_id) → keys of the surfaces resolved to it."""
    out: dict[tuple[str, str], set[str]] = {}
    for doc_id, eid, surface in resolved.select("doc_id", "entity_id", "surface").iter_rows():
        out.setdefault((doc_id, eid), set()).add(key_of(surface))
    return out


def _is_entity(keys: dict, doc_id: str, eid: str | None, name: str | None) -> bool:
    return eid is None if name is None else key_of(name) in keys.get((doc_id, eid), set())


def test_seed_quotes_match_golden(docs, mentions):
    resolved, _ = resolve(mentions, docs)
    q = quotes(docs, resolved)
    keys = _entity_keys(resolved)
    got = {(r["doc_id"][-3:], r["start_char"]): r for r in q.iter_rows(named=True)}
    for case in CASES:
        exp = case["expected"]
        r = got.get((case["input"]["seed"], exp["start_char"]))
        assert r is not None, case["id"]
        assert r["text"] == exp["text"] and r["end_char"] == exp["end_char"], case["id"]
        assert r["speaker_text"] == exp["speaker"], (case["id"], r["speaker_text"])
        assert _is_entity(keys, r["doc_id"], r["speaker_entity_id"], exp["speaker_entity"]), (case["id"], case["note"])
        if exp["verb"]:
            assert r["verb"] == exp["verb"], case["id"]


def test_acceptance_speakers(docs, mentions):
    """Issue 6 acceptance 3: وانغ يي (seed 000) and لافروف (seeds 003, 004)."""
    resolved, _ = resolve(mentions, docs)
    q = quotes(docs, resolved)
    wang, lavrov = stable_id("PERS", key_of("وانغ يي")), stable_id("PERS", key_of("سيرغي لافروف"))
    rock = q.filter(pl.col("text").str.starts_with("العلاقات الصينية الروسية ناضجة وصلبة كالصخر"))
    assert rock["speaker_entity_id"].to_list() == [wang]
    for seed in ("seed003", "seed004"):
        assert lavrov in q.filter(pl.col("doc_id") == seed)["speaker_entity_id"].to_list()


def _hand_mentions(doc_id: str, text: str, names: list[list[str]]) -> list[dict]:
    """Every occurrence of each name (longest first, no overlaps), with its proclitics."""
    rows, taken = [], []
    for surface, label in sorted(names, key=lambda x: -len(x[0])):
        for m in re.finditer(f"(?<![{_L}]){_CLITICS}{re.escape(surface)}(?![{_L}])", text):
            s, e = m.span()
            if not any(s < te and ts < e for ts, te in taken):
                taken.append((s, e))
                rows.append({"mention_id": f"{doc_id}{s}", "doc_id": doc_id, "sentence_id": doc_id, "start_char": s,
                             "end_char": e, "surface": text[s:e], "label": label, "score": 1.0, "method": "hand"})
    return rows


@pytest.fixture(scope="module")
def pattern_quotes() -> tuple[pl.DataFrame, dict]:
    docs = pl.DataFrame({"doc_id": [c["id"] for c in PATTERNS], "clean_text": [c["input"]["text"] for c in PATTERNS]})
    rows = [r for c in PATTERNS for r in _hand_mentions(c["id"], c["input"]["text"], c["input"]["mentions"])]
    ments = pl.DataFrame(rows, schema={"mention_id": pl.Utf8, "doc_id": pl.Utf8, "sentence_id": pl.Utf8,
                                       "start_char": pl.Int64, "end_char": pl.Int64, "surface": pl.Utf8,
                                       "label": pl.Utf8, "score": pl.Float64, "method": pl.Utf8})
    resolved, _ = resolve(ments, docs)
    return quotes(docs, resolved), _entity_keys(resolved)


@pytest.mark.parametrize("case", PATTERNS, ids=[c["id"] for c in PATTERNS])
def test_pattern(case, pattern_quotes):
    q, keys = pattern_quotes
    got = q.filter(pl.col("doc_id") == case["id"]).sort("start_char").to_dicts()
    want = case["expected"]["quotes"]
    assert len(got) == len(want), (case["note"], [g["text"][:20] for g in got])
    for g, w in zip(got, want):
        assert g["text"].startswith(w["text_prefix"]), case["note"]
        assert (g["speaker_text"], g["verb"]) == (w["speaker_text"], w["verb"]), case["note"]
        assert _is_entity(keys, case["id"], g["speaker_entity_id"], w["speaker_entity"]), case["note"]


def test_offsets_slice_text(docs, mentions):
    q = quotes(docs, mentions)
    texts = dict(docs.select("doc_id", "clean_text").iter_rows())
    for r in q.iter_rows(named=True):
        assert texts[r["doc_id"]][r["start_char"]:r["end_char"]] == r["text"]
        assert r["quote_id"] == stable_id(r["doc_id"], r["start_char"])


def test_no_entity_column_and_empty():
    docs = pl.DataFrame({"doc_id": ["d"], "clean_text": ['وقال الوزير "هذا يوم مهم جدا".']})
    no_names = pl.DataFrame(schema={"doc_id": pl.Utf8, "start_char": pl.Int64, "end_char": pl.Int64,
                                    "surface": pl.Utf8, "label": pl.Utf8})
    q = quotes(docs, no_names)
    assert q["text"].to_list() == ["هذا يوم مهم جدا"] and q["speaker_text"].to_list() == ["الوزير"]
    empty = quotes(docs.clear(), no_names)
    assert empty.height == 0 and "speaker_entity_id" in empty.columns


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ابت «»\"“”\n.،", max_size=80))
def test_spans_are_inside_text_and_disjoint(text):
    spans = quote_spans(text)
    for (s, e), nxt in zip(spans, spans[1:] + [(len(text) + 1, 0)]):
        assert 0 <= s < e <= len(text) and e <= nxt[0]
        assert text[s:e] == text[s:e].strip()


_WORDS = st.sampled_from(["قال", "وقال", "فأضاف", "وأكدت", "قائلا", "بحسب", "نقلت", "عن", "الرئيس", "وزير الخارجية",
                          "لافروف", "المصدر نفسه", "البيان", "لرويترز", "«", "»", '"', "“", "”", ".", "،", ":", "\n",
                          "نعم هذا صحيح تماما", "في", "مع", "اليوم", "اتفاقية", "تحت شعار", "أن", "إن"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_WORDS, max_size=40).map(" ".join), min_size=1, max_size=3))
def test_any_text_gives_well_formed_rows(texts):
    """Every word of the cue lists in any order: no crash, offsets slice, a speaker entity only from a mention."""
    docs = pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "clean_text": texts})
    rows = [{"doc_id": d, "start_char": m.start(), "end_char": m.end(), "surface": m.group(), "label": "PERS",
             "entity_id": "e:" + m.group()} for d, t in zip(docs["doc_id"], texts) for m in re.finditer("لافروف", t)]
    ments = pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "start_char": pl.Int64, "end_char": pl.Int64,
                                       "surface": pl.Utf8, "label": pl.Utf8, "entity_id": pl.Utf8})
    q = quotes(docs, ments)
    for r in q.iter_rows(named=True):
        assert texts[int(r["doc_id"][1:])][r["start_char"]:r["end_char"]] == r["text"]
        assert r["speaker_entity_id"] in (None, "e:لافروف")

"""Quotes on the seeds against the hand-checked golden file, plus span properties."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.entities import quotes, resolve
from transforms.entities.key import key_of
from transforms.entities.quotes import quote_spans
from transforms.ids import stable_id

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "quotes" / "seeds.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line]


def test_seed_quotes_match_golden(docs, mentions):
    resolved, _ = resolve(mentions, docs)
    q = quotes(docs, resolved)
    got = {(r["doc_id"][-3:], r["start_char"]): r for r in q.iter_rows(named=True)}
    for case in CASES:
        exp = case["expected"]
        r = got.get((case["input"]["seed"], exp["start_char"]))
        assert r is not None, case["id"]
        assert r["text"] == exp["text"] and r["end_char"] == exp["end_char"], case["id"]
        assert r["speaker"] == exp["speaker"], (case["id"], r["speaker"])
        want = stable_id("PERS", key_of(exp["speaker_entity"])) if exp["speaker_entity"] else None
        assert r["speaker_entity_id"] == want, (case["id"], case["note"])
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


def test_offsets_slice_text(docs, mentions):
    q = quotes(docs, mentions)
    texts = dict(docs.select("doc_id", "clean_text").iter_rows())
    for r in q.iter_rows(named=True):
        assert texts[r["doc_id"]][r["start_char"]:r["end_char"]] == r["text"]
        assert r["quote_id"] == stable_id(r["doc_id"], r["start_char"])


def test_no_entity_column_and_empty():
    docs = pl.DataFrame({"doc_id": ["d"], "clean_text": ['وقال الوزير "هذا يوم مهم جدا".']})
    q = quotes(docs, pl.DataFrame(schema={"doc_id": pl.Utf8, "start_char": pl.Int64,
                                          "end_char": pl.Int64, "surface": pl.Utf8,
                                          "label": pl.Utf8}))
    assert q["text"].to_list() == ["هذا يوم مهم جدا"] and q["speaker"].to_list() == ["الوزير"]
    empty = quotes(docs.clear(), pl.DataFrame(schema={"doc_id": pl.Utf8, "start_char": pl.Int64,
                                                     "end_char": pl.Int64, "surface": pl.Utf8,
                                                     "label": pl.Utf8}))
    assert empty.height == 0 and "speaker_entity_id" in empty.columns


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ابت «»\"“”\n.،", max_size=80))
def test_spans_are_inside_text_and_disjoint(text):
    spans = quote_spans(text)
    for (s, e), nxt in zip(spans, spans[1:] + [(len(text) + 1, 0)]):
        assert 0 <= s < e <= len(text) and e <= nxt[0]
        assert text[s:e] == text[s:e].strip()

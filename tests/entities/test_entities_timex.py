"""Time expressions: golden cases (one change each) and the seeds."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.entities import time_expressions
from transforms.entities.timex import find_time_expressions
from transforms.ids import stable_id

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "entities" / "timex.jsonl"
CASES = [json.loads(line) for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line]


def test_golden():
    for case in CASES:
        pub = case["input"]["published_at"]
        got = find_time_expressions(case["input"]["text"], date.fromisoformat(pub) if pub else None)
        if case["expected"] is None:
            assert got == [], case["id"]
        else:
            assert [(g[2], g[3]) for g in got] == [tuple(case["expected"])], (case["id"], got)


def test_seeds(docs):
    t = time_expressions(docs)
    texts = dict(docs.select("doc_id", "clean_text").iter_rows())
    for r in t.iter_rows(named=True):
        assert texts[r["doc_id"]][r["start_char"]:r["end_char"]] == r["surface"]
        assert r["time_expression_id"] == stable_id(r["doc_id"], r["start_char"])
    got = {(r["doc_id"], r["surface"]): r["value"] for r in t.iter_rows(named=True)}
    assert got[("seed000", "اليوم الثلاثاء")] == "2023-02-21"
    assert got[("seed000", "غداً الأربعاء")] == "2023-02-22"
    assert got[("seed002", "الشهر المقبل")] == "2024-10"
    assert got[("seed004", "أمس الإثنين")] == "2024-04-08"


def test_schema_and_null_published():
    docs = pl.DataFrame({"doc_id": ["a"], "clean_text": ["اليوم الثلاثاء وفي 3 مايو 2020"],
                         "published_at": [None]}, schema_overrides={"published_at": pl.Datetime("us", "UTC")})
    t = time_expressions(docs)
    assert t.columns == ["time_expression_id", "doc_id", "surface", "value", "start_char", "end_char"]
    assert t["value"].to_list() == [None, "2020-05-03"]
    assert time_expressions(docs.clear()).height == 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["اليوم", "الثلاثاء", "14", "١٤", "شباط", "/", "فبراير", "2024",
                                 "الماضي", "المقبل", "الشهر", "يوم", "في", "عام", "،", "نص"]),
                max_size=12))
def test_spans_slice_and_do_not_overlap(words):
    text = " ".join(words)
    got = find_time_expressions(text, date(2024, 2, 20))
    for (s, e, surface, _), nxt in zip(got, got[1:] + [(len(text), 0, "", None)]):
        assert text[s:e] == surface and e <= nxt[0]

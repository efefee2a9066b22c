"""The optimized time-expression code returns exactly what the straightforward implementation (kept
verbatim in ``tests/scale/legacy/``) returns: on the seeds, on a sample of the shared corpora (skipped
when absent), and on hypothesis-generated text.  Quotes changed behaviour (issue 34: quotations only,
speakers as descriptions); they are checked by their golden files in ``tests/entities/``, and here only
for rows that slice the text on the same inputs, with pseudo-random mentions so every attribution
path runs."""
from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import importlib
quotes_new = importlib.import_module("transforms.entities.quotes")
timex_new = importlib.import_module("transforms.entities.timex")

REPO = Path(__file__).resolve().parents[2]


def _legacy(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"akhbar_legacy_{name}", Path(__file__).parent / "legacy" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


timex_v0 = _legacy("timex_v0")
CORPORA = REPO / ".." / "shared" / "corpora"
LABELS = ["PERS", "PERS", "LOC", "ORG"]


def _fake_mentions(docs: pl.DataFrame, seed: int = 7) -> pl.DataFrame:
    """Every word has a 1 in 8 chance to open a 1-2 word mention (PERS half of the time)."""
    rng = random.Random(seed)
    rows = []
    for doc_id, text in docs.select("doc_id", "clean_text").iter_rows():
        toks = list(re.finditer(r"\S+", text or ""))
        i = 0
        while i < len(toks):
            if rng.random() < 0.125:
                j = min(len(toks) - 1, i + rng.choice([0, 0, 1]))
                s, e = toks[i].start(), toks[j].end()
                lab = rng.choice(LABELS)
                rows.append({"doc_id": doc_id, "start_char": s, "end_char": e, "surface": text[s:e], "label": lab,
                             "entity_id": f"{lab}:{text[s:e]}"})
                i = j + 1
            else:
                i += 1
    return pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "start_char": pl.Int64, "end_char": pl.Int64,
                                      "surface": pl.Utf8, "label": pl.Utf8, "entity_id": pl.Utf8})


def _docs_from_texts(texts: list[str], seed: int = 3) -> pl.DataFrame:
    rng = random.Random(seed)
    base = datetime(2018, 1, 1)
    return pl.DataFrame({
        "doc_id": [f"d{i}" for i in range(len(texts))],
        "clean_text": texts,
        "published_at": [None if rng.random() < 0.1 else base + timedelta(days=rng.randrange(900), hours=rng.randrange(24))
                         for _ in texts],
    }, schema={"doc_id": pl.Utf8, "clean_text": pl.Utf8, "published_at": pl.Datetime("us")})


def _assert_same(docs: pl.DataFrame) -> None:
    ments = _fake_mentions(docs)
    texts = dict(docs.select("doc_id", "clean_text").iter_rows())
    for m in (ments, ments.clear()):
        for r in quotes_new.quotes(docs, m).iter_rows(named=True):
            assert texts[r["doc_id"]][r["start_char"]:r["end_char"]] == r["text"]
    assert timex_new.time_expressions(docs).to_dicts() == timex_v0.time_expressions(docs).to_dicts()


def test_same_on_seeds():
    texts = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").iterdir()) if p.is_file()]
    _assert_same(_docs_from_texts(texts))


def test_same_on_corpus_sample():
    files = sorted(CORPORA.glob("*.parquet"))
    if not files:
        pytest.skip(f"{CORPORA} not present (benchmark fixtures only on developer machines)")
    texts = []
    for f in files:  # 1,000 articles spread over each file
        t = pl.read_parquet(f, columns=["text"])["text"]
        texts += t.gather(list(range(0, t.len(), max(1, t.len() // 1000)))).drop_nulls().to_list()
    _assert_same(_docs_from_texts(texts))


_ALPHABET = st.sampled_from(list("\x1c\u00a0\u2028\u0085قال أكد وزير الرئيس لافروف «» \"“”.،:؟\n 12 ٣ مارس شباط/فبراير 2024 اليوم غداً الأربعاء "
                                 "يوم الماضي المقبل الشهر العام عام في منذ وقال فأضاف مشيرا ت َ ـ"))
_WORDS = st.sampled_from(["قال", "وقال", "فأضاف", "وأكدت", "قائلا", "الرئيس", "وزير الخارجية", "لافروف", "«", "»", '"',
                          "“", "”", ".", "،", "\n", "نعم هذا صحيح تماما", "في", "مع", "اليوم", "غداً الأربعاء", "أمس",
                          "يوم الثلاثاء الماضي", "14 شباط/فبراير", "22 مارس الماضي", "عام 2022", "الشهر المقبل",
                          "هذا العام", "مايو/ أيار المقبل", "اليوم الأول", "٢٩ أبريل ٢٠٢٤", "والأسبوع الماضي", "مارس"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(_WORDS, max_size=40).map(" ".join) | st.text(_ALPHABET, max_size=200), min_size=1, max_size=4))
def test_same_on_generated_text(texts):
    _assert_same(_docs_from_texts(texts))

"""normalize: golden cases, camel-tools agreement on real text, idempotence properties."""
from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from transforms.normalize import clean_unicode, line_key, text_key

from .conftest import CORPORA, GOLDEN, SEEDS


def _apply(fn, values: list[str | None]) -> list[str | None]:
    return pl.DataFrame({"x": values}, schema={"x": pl.Utf8}).select(fn(pl.col("x")))["x"].to_list()


def _golden(name: str) -> list[dict]:
    return [json.loads(ln) for ln in (GOLDEN / "normalize" / f"{name}.jsonl").read_text("utf-8").splitlines() if ln]


@pytest.mark.parametrize("name,fn", [("clean_unicode", clean_unicode), ("text_key", text_key)])
def test_golden(name, fn):
    rows = _golden(name)
    got = _apply(fn, [r["input"] for r in rows])
    bad = [(r["id"], g, r["expected"]) for r, g in zip(rows, got) if g != r["expected"]]
    assert not bad


def _camel_key(s: str) -> str:
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (normalize_alef_ar, normalize_alef_maksura_ar,
                                             normalize_teh_marbuta_ar)

    return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(dediac_ar(s))))


def _real_texts() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    if (CORPORA / "ant_multisource.parquet").exists():
        df = pl.read_parquet(CORPORA / "ant_multisource.parquet", columns=["text"])
        texts += df.sample(400, seed=7)["text"].to_list()
    return texts


def test_text_key_agrees_with_camel_tools_on_real_text():
    texts = _real_texts()
    ours = _apply(text_key, texts)
    assert ours == [_camel_key(t) for t in texts]
    assert any("\u064e" in t or "\u0651" in t for t in texts)  # the sample does exercise diacritics


_ARABICISH = st.text(alphabet=st.sampled_from(
    list("ابتثجحخدذرزسشصضطظعغفقكلمنهويىةأإآٱؤئءًٌٍَُِّْٰـ ،؛؟.!«»\"()\n\t\r0123456789٠١٢٣")
    + ["\u200f", "\u200e", "\u200b", "\u200c", "\u202a", "\u202c", "\ufeff", "\u00a0", "\u2003",
       "ﻻ", "ﺍ", "ﻟ", "ﷲ", "ﷺ", "ﹰ", "ﹱ", "\u2028", "a", "B"]), max_size=80)


@settings(max_examples=300, deadline=None)
@given(_ARABICISH)
def test_clean_unicode_idempotent(s):
    once = _apply(clean_unicode, [s])[0]
    assert _apply(clean_unicode, [once])[0] == once


@settings(max_examples=300, deadline=None)
@given(st.one_of(_ARABICISH, st.text(max_size=60)))
def test_text_key_idempotent_never_longer_and_matches_camel(s):
    key = _apply(text_key, [s])[0]
    assert _apply(text_key, [key])[0] == key
    assert len(key) <= len(s)
    assert key == _camel_key(s)


@settings(max_examples=200, deadline=None)
@given(_ARABICISH)
def test_line_key_idempotent(s):
    k = _apply(line_key, [s])[0]
    assert _apply(line_key, [k])[0] == k


def test_nulls_stay_null():
    assert _apply(clean_unicode, [None]) == [None] and _apply(text_key, [None]) == [None]

"""Tone: golden behaviours (negation, masked names, clitics, homographs, phrases), GDELT figures,
and the word lists' licences."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from transforms.tone import document_tone, mention_tone, sentence_tone, text_words, tone_lexicon

GOLDEN = Path(__file__).parent / "golden" / "tone"
CASES = [json.loads(line) for line in (GOLDEN / "cases.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _one(text: str, names: list[str]) -> dict:
    sents = pl.DataFrame({"sentence_id": ["s"], "doc_id": ["d"], "text": [text]})
    ments = pl.DataFrame({"doc_id": ["d"] * len(names), "surface": names}, schema={"doc_id": pl.Utf8, "surface": pl.Utf8})
    return sentence_tone(sents, ments).row(0, named=True)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_golden_case(case: dict) -> None:
    got = _one(case["input"]["text"], case["input"]["names"])
    assert (got["n_positive"], got["n_negative"]) == (case["expected"]["positive"], case["expected"]["negative"]), case["note"]


def test_gdelt_figures_of_a_document() -> None:
    sents = pl.DataFrame({"sentence_id": ["a", "b"], "doc_id": ["d", "d"],
                          "text": ["نجحت المفاوضات بعد الحرب", "وقتل ثلاثة في انفجار"]})
    doc = document_tone(sentence_tone(sents)).row(0, named=True)
    # 8 words; نجحت positive; الحرب, وقتل, انفجار negative
    assert doc["word_count"] == 8
    assert doc["positive_score"] == pytest.approx(100 / 8)
    assert doc["negative_score"] == pytest.approx(300 / 8)
    assert doc["tone"] == pytest.approx(doc["positive_score"] - doc["negative_score"])
    assert doc["polarity"] == pytest.approx(doc["positive_score"] + doc["negative_score"])


def test_mention_tone_is_its_sentence_with_names_masked() -> None:
    sents = pl.DataFrame({"sentence_id": ["a", "b"], "doc_id": ["d", "d"],
                          "text": ["أشاد لافروف بنجاح المحادثات", "وقالت أمل إن الهجوم فشل"]})
    ments = pl.DataFrame({"doc_id": ["d", "d"], "sentence_id": ["a", "b"], "surface": ["لافروف", "أمل"]})
    got = dict(mention_tone(ments, sentence_tone(sents, ments)).select("surface", "tone").iter_rows())
    assert got["لافروف"] == pytest.approx(50.0)  # أشاد, بنجاح of 4 words
    assert got["أمل"] == pytest.approx(-40.0)  # الهجوم, فشل of 5 words; أمل masked


def test_shared_words_give_the_same_tone() -> None:
    sents = pl.DataFrame({"sentence_id": ["a", "b"], "doc_id": ["d", "e"], "text": ["لم تنجح المفاوضات", "فاز الفريق"]})
    assert sentence_tone(sents).equals(sentence_tone(sents, words=text_words(sents["text"])))


def test_empty_and_null_sentences() -> None:
    sents = pl.DataFrame({"sentence_id": ["a", "b"], "doc_id": ["d", "d"], "text": ["", None]}, schema={
        "sentence_id": pl.Utf8, "doc_id": pl.Utf8, "text": pl.Utf8})
    got = sentence_tone(sents)
    assert got["n_words"].to_list() == [0, 0]
    assert document_tone(got)["tone"].to_list() == [0.0]


def test_afinn_file_keeps_its_odbl_notice() -> None:
    head = (Path(__file__).parents[1] / "transforms" / "lexicon" / "tone" / "afinn_ar.tsv").read_text(encoding="utf-8")[:2000]
    assert "Open Database License" in head and "@nlpjs/lang-ar" in head


def test_dropped_homographs_are_not_listed() -> None:
    keys = set(tone_lexicon()["forms"].filter(pl.col("sign") != 0)["key"].to_list())
    for word in ("عبد", "خالد", "مصر", "الله", "كره", "امن"):
        assert word not in keys, word

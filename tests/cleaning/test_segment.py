"""sentences(): offsets slice clean_text exactly; Arabic sentence rules."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings, strategies as st

from transforms.ids import stable_id
from transforms.segment import sentence_spans, sentences
from warehouse.schema import BY_NAME


def _texts(text: str) -> list[str]:
    return [text[s["start_char"]:s["end_char"]] for s in sentence_spans(text)]


def test_arabic_rules():
    assert _texts("قال لافروف «نحن هنا. وسنبقى». وغادر.") == ["قال لافروف «نحن هنا. وسنبقى».", "وغادر."]
    assert _texts("ارتفع المؤشر 3.5 في المئة؛ ثم هبط! هل يعود؟ ربما…") == [
        "ارتفع المؤشر 3.5 في المئة؛ ثم هبط!", "هل يعود؟", "ربما…"]
    assert _texts("التقى د. محمد بالوفد. ثم غادر") == ["التقى د. محمد بالوفد.", "ثم غادر"]


def test_paragraphs_and_ids():
    docs = pl.DataFrame({"doc_id": ["a", "b"], "clean_text": ["جملة أولى. جملة ثانية.\n\nفقرة ثانية", ""]})
    s = sentences(docs)
    assert s.columns == BY_NAME["sentences"].column_names
    assert s["paragraph_no"].to_list() == [0, 0, 1] and s["sentence_no"].to_list() == [0, 1, 2]
    assert s["sentence_id"][0] == stable_id("a", 0)
    assert s["text"].to_list() == ["جملة أولى.", "جملة ثانية.", "فقرة ثانية"]


def test_seed_sentences_slice_exactly(seed_clean):
    docs, _ = seed_clean
    s = sentences(docs.select("doc_id", "clean_text")).join(docs.select("doc_id", "clean_text"), on="doc_id")
    assert s.height > 80
    assert (s["clean_text"].str.slice(s["start_char"], s["end_char"] - s["start_char"]) == s["text"]).all()


_CHARS = st.lists(st.sampled_from(list("ابت ثجح.؟!…؛«»\"\n 123،") + ["د.", "3.5", "\u00a0"]), max_size=60).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CHARS, min_size=1, max_size=3))
def test_property_offsets_slice_exactly_and_cover_text(texts):
    docs = pl.DataFrame({"doc_id": [str(i) for i in range(len(texts))], "clean_text": texts})
    s = sentences(docs)
    by_doc = dict(zip(docs["doc_id"], docs["clean_text"]))
    for r in s.iter_rows(named=True):
        assert by_doc[r["doc_id"]][r["start_char"]:r["end_char"]] == r["text"] and r["text"].strip() == r["text"]
    for doc_id, text in by_doc.items():
        rows = s.filter(pl.col("doc_id") == doc_id)
        assert rows["start_char"].is_sorted() and (rows["start_char"] < rows["end_char"]).all()
        got = "".join(rows["text"].to_list())
        assert "".join(got.split()) == "".join(text.split())  # no non-space character is lost

"""Boilerplate rules: lexicon cases, read-also blocks vs trailing sections, label-file integrity,
and (slow, needs ../shared) precision/recall on the hand-labelled sample."""
from __future__ import annotations

import json
import subprocess
import sys

import polars as pl
import pytest

from transforms.boilerplate import LEXICON, lexicon_reason, lines

from .conftest import GOLDEN, ROOT, needs_corpora

LABELS = GOLDEN / "boilerplate_labels" / "ant_sample.jsonl"


def _reasons(text: str, source: str = "s") -> list[str | None]:
    """Reason per non-blank line as clean_documents records it (None = kept)."""
    from transforms.clean import clean_documents

    docs = pl.DataFrame({"doc_id": ["d"], "source_name": [source], "raw_text": [text]})
    _, removed = clean_documents(docs)
    by_no = dict(zip(removed["line_no"], removed["reason"]))
    return [by_no.get(i) for i, ln in enumerate(text.split("\n")) if ln.strip()]


@pytest.mark.parametrize("line,rule", [
    ("شارك هذا المقالمحادثة", "share"), ("شارك القصة", "share"), ("تابع القراءة", "follow"),
    ("Close Button", "nav"), ("اعلان", "ad"), ("أوافق", "cookie"), ("بيان الخصوصية وسياسة ملفات تعريف الارتباط", "cookie"),
    ("Copyright Sergei Bobylev, Sputnik, Kremlin Pool Photo via AP", "copyright"),
    ("كلمات دلالية: روسيا الصين", "keywords"), ("اقرأ أيضاً: هستيريا غربية جماعية", "related_link"),
    ("إقرأ ايضا - عنوان", "related_link"), ("للمزيد: ضربات جوية تستهدف مطار التيفور", "related_link"),
    ("** جميع المقالات المنشورة تمثل رأي كتابها فقط.", "disclaimer"),
    ("يمكنكم تسلم إشعارات بأهم الموضوعات بعد تحميل أحدث نسخة من تطبيق بي بي سي عربي على هاتفكم المحمول", "app_notice"),
    ("هذا المقال بقلم بشار جرار، والآراء الواردة أدناه تعبر عن رأي الكاتب، ولا تعكس بالضرورة وجهة نظر شبكة CNN.", "disclaimer"),
    ("------------------------------", "separator"), ("// انتهى //", "end_marker"),
])
def test_lexicon_rules(line, rule):
    df = pl.DataFrame({"doc_id": ["d"], "source_name": ["s"], "raw_text": [line]})
    got = lines(df).select(lexicon_reason(pl.col("fold")).alias("r")).collect()["r"].to_list()
    assert got == [f"lexicon:{rule}"]


@pytest.mark.parametrize("line", [
    "شارك آلاف الفلسطينيين الخميس في مسيرة العودة بقرية عتليت جنوب مدينة حيفا.",
    "وتابع وزير الخارجية الصيني قائلًا: دعم الشعب هو مصدر التقدم في روسيا.",
    "المصادر أوضحت أن المتهم أقر أنهم توجهوا في اتجاه أحد البنوك.",
    "أعلنت مجموعة قنوات بي ان سبورتس الرياضية القطرية، الجمعة، تأمينها لحقوق بث الدوري الإنجليزي.",
    "روسيا والصين.. نحو تعميق الشراكة الاستراتيجيّة",
])
def test_body_lines_are_not_lexicon(line):
    assert _reasons(line) == [None]


def test_read_also_block_in_the_middle_keeps_the_body_after_it():
    text = "فقرة أولى طويلة من الخبر تنتهي بنقطة.\nاقرأ أيضاً:\nعنوان خبر آخر\nعنوان ثالث\nفقرة ثانية من الخبر تنتهي بنقطة."
    assert _reasons(text) == [None, "related_links", "related_links", "related_links", None]


def test_read_also_after_credits_opens_a_trailing_section():
    text = ("فقرة أولى طويلة من الخبر تنتهي بنقطة.\nالمصدر: وكالات\nاقرأ أيضاً:\nعنوان خبر آخر\n"
            "نص خبر آخر كامل ينتهي بنقطة.")
    assert _reasons(text) == [None, "credit", "related_section", "related_section", "related_section"]


def test_section_marker_at_the_top_is_only_a_block():
    text = "مقالات مشابهة\nعنوان\n" + "\n".join(f"فقرة رقم {i} من متن الخبر الطويل تنتهي بنقطة." for i in range(5))
    assert _reasons(text)[:3] == ["related_links", "related_links", None]


def test_lexicon_file_is_well_formed():
    assert {r.kind for r in LEXICON} <= {"line", "prefix", "contains", "block", "section"}
    assert all(r.max_chars for r in LEXICON if r.kind == "contains")


def test_label_file_integrity():
    rows = [json.loads(ln) for ln in LABELS.read_text("utf-8").splitlines() if ln]
    assert len(rows) >= 40 and len({r["source"] for r in rows}) >= 6
    assert all(r["corpus"].startswith("ant_") for r in rows)  # nothing derived from saudinewsnet ships
    for r in rows:
        assert len(r["line_sha256_12"]) == r["n_lines"]
        assert all(0 <= int(k) < r["n_lines"] for k in r["boilerplate"])
        assert set(r["excerpts"]) == set(r["boilerplate"])


@pytest.mark.slow
def test_precision_recall_on_labels():
    """Runs bench/boilerplate_eval.py (≈ 1 min: learns templates over 41k ANT articles)."""
    needs_corpora()
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "boilerplate_eval.py")], capture_output=True,
                         text=True, check=True).stdout
    overall = json.loads(out[out.index("{"):out.index("\n}\n") + 2])["overall"]
    assert overall["precision"] >= 0.95 and overall["recall"] >= 0.45

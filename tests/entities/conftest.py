"""Hand-written mentions for the five seed articles (stand-ins for the NER tagger's output).

Each seed lists the names a careful annotator would tag; every occurrence in the seed text is a
mention, with its attached proclitics (``وبكين``, ``لروسيا``) as a tagger emits them.  Offsets are
into the raw seed text, used here as ``clean_text``.
"""
from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest

from transforms.ids import stable_id

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").glob("*.txt"))

PUBLISHED = {  # dates stated in or known for the seeds (UTC midnight)
    "000": datetime(2023, 2, 21, tzinfo=timezone.utc),
    "001": datetime(2022, 9, 19, tzinfo=timezone.utc),
    "002": datetime(2024, 9, 10, tzinfo=timezone.utc),
    "003": datetime(2024, 4, 9, tzinfo=timezone.utc),
    "004": datetime(2024, 4, 9, tzinfo=timezone.utc),
}

NAMES: dict[str, dict[str, list[str]]] = {
    "000": {
        "PERS": ["نيكولاي باتروشيف", "باتروشيف", "وانغ يي", "سيرغي لافروف", "إيغور مورغولوف",
                 "ما تشاو تشو"],
        "LOC": ["روسيا", "الصين", "موسكو", "أوكرانيا", "بكين", "ميونخ", "تايوان", "شينجيانغ",
                "التبت", "هونغ كونغ", "واشنطن", "لوغانسك", "دونيتسك", "دونباس"],
        "ORG": ["مجلس الأمن", "حلف الناتو", "الحزب الشيوعي الصيني"],
    },
    "001": {
        "PERS": ["شي جين بينغ", "فلاديمير بوتين", "بوتين", "نيكولاي باتروشيف", "باتروشيف",
                 "غوو شنغكون", "شي", "لافروف"],
        "LOC": ["روسيا", "الصين", "موسكو", "بكين", "نانبينغ", "أوزبكستان", "أوكرانيا", "تايوان",
                "الهند", "دونباس", "خيرسون", "كييف", "أوروبا"],
        "ORG": ["منظمة شنغهاي للتعاون", "الكرملين"],
    },
    "002": {
        "PERS": ["وانغ يي", "وانغ", "سيرغي شويغو", "شويغو"],
        "LOC": ["سان بطرسبرج", "الصين", "روسيا", "كازان", "أوكرانيا", "البرازيل"],
        "ORG": ["بريكس", "البريكس", "منظمة شانغهاي للتعاون", "الحزب الشيوعي الصيني",
                "مجلس الأمن"],
    },
    "003": {
        "PERS": ["سيرجي لافروف", "لافروف", "وانج يي", "فلاديمير بوتين", "بوتين", "شي جين بينج",
                 "شي", "ألكسندر جابويف", "نيكولاي نوزدريف", "نوزدريف", "أندريه رودينكو",
                 "رودينكو", "ترامب"],
        "LOC": ["بكين", "موسكو", "روسيا", "الصين", "أوكرانيا", "غزة", "اليابان", "طوكيو", "كييف",
                "أوراسيا", "الولايات المتحدة", "مصر", "تركيا", "الضفة الغربية", "إسرائيل"],
        "ORG": ["بريكس", "منظمة شنغهاي للتعاون", "تاس", "حلف شمال الأطلسي",
                "مركز كارنيجي روسيا وأوراسيا"],
    },
    "004": {
        "PERS": ["وانغ يي", "وانغ", "سيرغي لافروف", "لافروف", "فلاديمير بوتين", "بوتين",
                 "شي جين بينغ", "شي"],
        "LOC": ["الصين", "روسيا", "بكين", "موسكو", "أوكرانيا", "أوراسيا", "آسيا"],
        "ORG": ["رويترز", "ريا نوفوستي"],
    },
}
_L = "\u0621-\u064a"
_CLITICS = "(?:[وف]?(?:[بكل]|لل)?)"


def seed_docs() -> pl.DataFrame:
    rows = []
    for p in SEEDS:
        n = p.name[:3]
        rows.append({"doc_id": f"seed{n}", "clean_text": p.read_text(encoding="utf-8"),
                     "published_at": PUBLISHED[n]})
    return pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "clean_text": pl.Utf8,
                                      "published_at": pl.Datetime("us", "UTC")})


def seed_mentions(docs: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every occurrence of the listed names (longest first, no overlaps), with clitics attached."""
    docs = seed_docs() if docs is None else docs
    rows = []
    for doc_id, text in docs.select("doc_id", "clean_text").iter_rows():
        names = [(s, lab) for lab, ss in NAMES[doc_id[-3:]].items() for s in ss]
        taken: list[tuple[int, int]] = []
        for surface, label in sorted(names, key=lambda x: -len(x[0])):
            pat = re.compile(f"(?<![{_L}]){_CLITICS}{re.escape(surface)}(?![{_L}])")
            for m in pat.finditer(text):
                s, e = m.span()
                if any(s < te and ts < e for ts, te in taken):
                    continue
                taken.append((s, e))
                rows.append({
                    "mention_id": stable_id(doc_id, s, e, label), "doc_id": doc_id,
                    "sentence_id": stable_id(doc_id, "s", s), "start_char": s, "end_char": e,
                    "surface": text[s:e], "label": label, "score": 1.0, "method": "hand",
                })
    return pl.DataFrame(rows).sort("doc_id", "start_char")


@pytest.fixture(scope="session")
def docs() -> pl.DataFrame:
    return seed_docs()


@pytest.fixture(scope="session")
def mentions(docs) -> pl.DataFrame:
    return seed_mentions(docs)

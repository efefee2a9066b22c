"""Article metadata as Polars expressions: publication time, dateline lines, byline and agency
credits, language.

* ``published_at(pl.col("published_raw"))`` parses RFC 2822 (``Wed, 16 May 2018 11:08:39 +0400``),
  ISO 8601 and plain ``YYYY-MM-DD hh:mm:ss`` strings, and Arabic dates → ``Datetime("us", "UTC")``.
* ``arabic_date(expr)`` reads a date written in Arabic: both month systems (أبريل / نيسان, and the
  Maghreb جانفي / أفريل), an optional day name, Arabic-Indic digits:
  ``"الإثنين 29 أبريل / أبريل 2024"`` → ``2024-04-29 00:00 UTC``; ``is_dateline`` is true when a whole
  line is such a date.
* ``byline_value`` / ``credit_value`` read lines like ``"بقلم:  يورونيوز"`` → ``"يورونيوز"`` and
  ``"المصادر الإضافية • أ ب"`` → ``"أ ب"``; ``dateline_agency`` reads ``"عواصم «وكالات»: قال …"`` → ``"وكالات"``.
"""
from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from transforms.normalize import text_key

_DATA = Path(__file__).parent / "lexicon"  # not "data/": .gitignore excludes data/
_FOLD_DIAC = re.compile("[\u064b-\u0652\u0670\u0640]")
_FOLD_TABLE = str.maketrans({"\u0625": "\u0627", "\u0623": "\u0627", "\u0671": "\u0627",
                             "\u0622": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647"})


def _fold(s: str) -> str:
    return _FOLD_DIAC.sub("", s).translate(_FOLD_TABLE).lower()


_MONTHS_NATURAL: dict[int, tuple[str, ...]] = {
    1: ("يناير", "كانون الثاني", "كانون ثاني", "جانفي", "january", "jan"),
    2: ("فبراير", "شباط", "فيفري", "فبرابر", "february", "feb"),
    3: ("مارس", "آذار", "march", "mar"),
    4: ("أبريل", "إبريل", "نيسان", "أفريل", "april", "apr"),
    5: ("مايو", "أيار", "ماي", "may"),
    6: ("يونيو", "يونيه", "حزيران", "جوان", "june", "jun"),
    7: ("يوليو", "يوليه", "تموز", "جويلية", "جويلة", "july", "jul"),
    8: ("أغسطس", "آب", "أوت", "august", "aug"),
    9: ("سبتمبر", "أيلول", "شتنبر", "september", "sep", "sept"),
    10: ("أكتوبر", "تشرين الأول", "تشرين أول", "october", "oct"),
    11: ("نوفمبر", "تشرين الثاني", "تشرين ثاني", "نونبر", "november", "nov"),
    12: ("ديسمبر", "كانون الأول", "كانون أول", "دجنبر", "december", "dec"),
}
MONTHS: dict[str, int] = {_fold(n): m for m, names in _MONTHS_NATURAL.items() for n in names}
_DAYS = ("الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت")
_DIGITS = {**{chr(0x660 + i): str(i) for i in range(10)}, **{chr(0x6F0 + i): str(i) for i in range(10)}}

_MONTH_ALT = "|".join(re.escape(m) for m in sorted(MONTHS, key=len, reverse=True))
_DAY_ALT = "|".join(sorted({_fold(d) for d in _DAYS}, key=len, reverse=True))
_TIME = r"(?:\s*[-–|،,]?\s*(?:الساعه\s*)?\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:ص|م|am|pm))?)?"
_TZ = r"(?:\s*\(?(?:بتوقيت|gmt|utc|توقيت)[^\n]{0,30})?"
# day month [/ month] year, e.g. "الاثنين 29 ابريل / ابريل 2024" (folded, ASCII digits)
_AR_DATE = (rf"(?i)^(?:(?:يوم\s*)?(?:{_DAY_ALT})\s*[،,\-–]?\s*)?(\d{{1,2}})\s*(?:من\s*)?({_MONTH_ALT})"
            rf"(?:\s*[/\-–]\s*(?:{_MONTH_ALT}))?\s*[،,]?\s*(\d{{4}})(?:\s*م)?{_TIME}{_TZ}\s*$")
_NUM_DATE = rf"^(?:(?:{_DAY_ALT})\s*[،,\-–]?\s*)?(\d{{1,2}})[/.\-](\d{{1,2}})[/.\-](\d{{4}}){_TIME}\s*$"
_ISO_DATE = r"^(\d{4})-(\d{2})-(\d{2})(?:[ t]\d{2}:\d{2}(?::\d{2})?)?\s*$"

_AGENCIES = [ln.strip() for ln in (_DATA / "agencies.txt").read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
_AGENCY_ALT = "|".join(re.escape(a) for a in sorted(_AGENCIES + ["فرانس 24", "فرانس24", "العربية.نت",
                                                                 "سكاي نيوز عربية", "CNN"], key=len, reverse=True))
_SEP = r"[\s/،,\-–—•&+و]"
_AGENCY_ONLY = rf"(?i)^[*(«\"\s]*(?:{_AGENCY_ALT})(?:{_SEP}+(?:{_AGENCY_ALT}))*[)»\"\s.]*$"
_CREDIT = r"^\*?\s*(?:المصدر|المصادر|المصادر الإضافية|المصادر الاضافية|مصدر الخبر|المصدر الأصلي)\s*(?:[:：•\-–]\s*(.{0,60})|)\s*$"
_QUOTED_FROM = r"^\*?\s*نقلا?ً? عن (.{2,60})$"
_BYLINE = r"(?i)^(?:بقلم|كتب|كتبت|إعداد|اعداد|تحرير|by)\s*[:：]\s*(.{2,60})$|^بقلم\s+(.{2,40})$"
_DATELINE_AGENCY = rf"^[^:«(\n]{{0,30}}[«(]\s*({_AGENCY_ALT})\s*[»)]\s*[:\-–]"
_CORE_ALT = "|".join(re.escape(a) for a in sorted(_AGENCIES, key=len, reverse=True))
_AGENCY_IN = rf"(?:^|[\s\-–/،,(«])({_CORE_ALT})(?:$|[\s\-–/،,)».])"


def _digits_ascii(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(_DIGITS)


def _ymd(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    s = pl.concat_str([y, pl.lit("-"), m.cast(pl.Utf8).str.zfill(2), pl.lit("-"), d.str.zfill(2)])
    return s.str.to_datetime("%Y-%m-%d", strict=False, time_zone="UTC", time_unit="us")


def arabic_date(expr: pl.Expr) -> pl.Expr:
    """Date of a string that *is* a date (day name and time allowed), else null."""
    f = _digits_ascii(text_key(expr.str.strip_chars())).str.to_lowercase()
    ar = f.str.extract_groups(_AR_DATE)
    num = f.str.extract_groups(_NUM_DATE)
    iso = f.str.extract_groups(_ISO_DATE)
    month = ar.struct.field("2").replace_strict(MONTHS, default=None, return_dtype=pl.Int32)
    return pl.coalesce(
        _ymd(ar.struct.field("3"), month, ar.struct.field("1")),
        _ymd(iso.struct.field("1"), iso.struct.field("2"), iso.struct.field("3")),
        _ymd(num.struct.field("3"), num.struct.field("2"), num.struct.field("1")),
    )


def is_dateline(norm: pl.Expr) -> pl.Expr:
    return arabic_date(norm).is_not_null()


_TS_FORMATS_TZ = ("%a, %d %b %Y %H:%M:%S %z", "%d %b %Y %H:%M:%S %z", "%Y-%m-%dT%H:%M:%S%z",
                  "%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M%z")
_TS_FORMATS_NAIVE = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f",
                     "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y/%m/%d %H:%M:%S", "%a, %d %b %Y %H:%M:%S")


def published_at(raw: pl.Expr) -> pl.Expr:
    """``published_raw`` → ``Datetime("us", "UTC")``; times without a zone are taken as UTC."""
    s = (raw.str.strip_chars().str.replace(r"(?i)\s*(GMT|UTC)$", " +0000").str.replace(r"Z$", "+00:00"))
    tries = [s.str.to_datetime(f, strict=False, time_zone="UTC", time_unit="us") for f in _TS_FORMATS_TZ]
    tries += [s.str.to_datetime(f, strict=False, time_unit="us").dt.replace_time_zone("UTC")
              for f in _TS_FORMATS_NAIVE]
    return pl.coalesce(*tries, arabic_date(s))


def byline_value(norm: pl.Expr) -> pl.Expr:
    g = norm.str.extract_groups(_BYLINE)
    return pl.coalesce(g.struct.field("1"), g.struct.field("2")).str.strip_chars(" :.-–")


def credit_line(norm: pl.Expr) -> pl.Expr:
    """True for source-credit lines (``المصدر: …``, ``*نقلاً عن …``, agency-only lines)."""
    return norm.str.contains(_CREDIT) | norm.str.contains(_QUOTED_FROM) | norm.str.contains(_AGENCY_ONLY)


def credit_value(norm: pl.Expr) -> pl.Expr:
    """Credited source named by a credit line (null for a bare ``المصادر:``)."""
    agency_only = pl.when(norm.str.contains(_AGENCY_ONLY)).then(norm.str.strip_chars(" *()«»\"."))
    v = pl.coalesce(norm.str.extract(_CREDIT, 1), norm.str.extract(_QUOTED_FROM, 1), agency_only)
    v = v.str.strip_chars(" :.-–•")
    return pl.when(v.str.len_chars() > 0).then(v)


def dateline_agency(norm: pl.Expr) -> pl.Expr:
    """Agency credited at the start of a body line: ``"عواصم «وكالات»: قال …"`` → ``"وكالات"``."""
    return norm.str.extract(_DATELINE_AGENCY, 1)


def agency_in(text: pl.Expr) -> pl.Expr:
    """First agency name inside a short field such as ``author_raw`` (``"العربية.نت - وكالات"``)."""
    return text.str.extract(_AGENCY_IN, 1)


# Language is decided on the first 2,000 characters: counting over whole articles costs more
# than the rest of cleaning together.
_SAMPLE = 2000
_ARABIC_LETTER = "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff]"
_LATIN_LETTER = "[A-Za-z\u00c0-\u024f]"


def is_arabic(text: pl.Expr) -> pl.Expr:
    """True when most words (of the first 2,000 characters) are written in Arabic letters.

    Counting words (letter runs) rather than letters: 5× fewer regex matches, same decision.
    """
    sample = text.str.slice(0, _SAMPLE)
    arabic = sample.str.count_matches(_ARABIC_LETTER + "+")
    latin = sample.str.count_matches(_LATIN_LETTER + "+")
    return ((arabic > latin) & (arabic > 0)).fill_null(False)


def language(text: pl.Expr) -> pl.Expr:
    """``ar`` when most words are Arabic; ``en``/``fr`` by common function words; else ``und``."""
    sample = pl.concat_str([pl.lit(" "), text.str.slice(0, _SAMPLE), pl.lit(" ")])
    en = sample.str.count_matches(r"(?i) (?:the|and|of|to|in|is|that|for) ")
    fr = sample.str.count_matches(r"(?i) (?:le|la|les|des|et|du|est|une|dans) ")
    return (pl.when(is_arabic(text)).then(pl.lit("ar"))
            .when((en > fr) & (en >= 2)).then(pl.lit("en"))
            .when((fr > en) & (fr >= 2)).then(pl.lit("fr"))
            .otherwise(pl.lit("und")))

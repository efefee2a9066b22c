"""Metadata expressions: dates in Arabic and in metadata strings, bylines, credits, language."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from transforms.metadata import (agency_in, arabic_date, byline_value, credit_value, dateline_agency, is_arabic,
                                 language, published_at)

UTC = dt.timezone.utc


def _one(expr_fn, value):
    return pl.DataFrame({"x": [value]}, schema={"x": pl.Utf8}).select(expr_fn(pl.col("x")).alias("y"))["y"][0]


@pytest.mark.parametrize("text,expected", [
    ("الإثنين 29 أبريل / أبريل 2024", dt.date(2024, 4, 29)),  # seed 004: both spellings of April
    ("29 نيسان 2024", dt.date(2024, 4, 29)),  # Levantine month name
    ("٢٩ نيسان ٢٠٢٤", dt.date(2024, 4, 29)),  # Arabic-Indic digits
    ("الثلاثاء، 3 كانون الثاني 2023 - 10:30", dt.date(2023, 1, 3)),  # day name, two-word month, time
    ("السبت 18 جانفي 2017", dt.date(2017, 1, 18)),  # Maghreb month name
    ("14 شباط/فبراير 2022", dt.date(2022, 2, 14)),  # month / month with slash
    ("2024-04-29", dt.date(2024, 4, 29)),
    ("29/04/2024", dt.date(2024, 4, 29)),
    ("قال في 29 أبريل 2024 إن", None),  # not a whole-line date
    ("30 فبراير 2024", None),  # impossible date → null, not an error
])
def test_arabic_date(text, expected):
    got = _one(arabic_date, text)
    assert (got.date() if got else None) == expected


@pytest.mark.parametrize("raw,expected", [
    ("Wed, 16 May 2018 11:08:39 +0400", dt.datetime(2018, 5, 16, 7, 8, 39, tzinfo=UTC)),  # ANT RFC 2822
    ("2017-01-20T21:43:00+01:00", dt.datetime(2017, 1, 20, 20, 43, tzinfo=UTC)),  # Jawhara ISO with offset
    ("2015-07-21 02:51:32", dt.datetime(2015, 7, 21, 2, 51, 32, tzinfo=UTC)),  # naive → UTC
    ("2024-04-29T10:00:00Z", dt.datetime(2024, 4, 29, 10, tzinfo=UTC)),
    ("الإثنين 29 أبريل / أبريل 2024", dt.datetime(2024, 4, 29, tzinfo=UTC)),
    ("not a date", None), (None, None),
])
def test_published_at(raw, expected):
    assert _one(published_at, raw) == expected


def test_bylines_credits_agencies():
    assert _one(byline_value, "بقلم:  يورونيوز") == "يورونيوز"
    assert _one(credit_value, "المصادر الإضافية • أ ب") == "أ ب"
    assert _one(credit_value, "*نقلاً عن الرؤية الإماراتية") == "الرؤية الإماراتية"
    assert _one(credit_value, "المصادر:") is None
    assert _one(dateline_agency, "عواصم «وكالات»: قال وزير الخارجية") == "وكالات"
    assert _one(agency_in, "العربية.نت - وكالات") == "وكالات"
    assert _one(agency_in, "لندن - رويترز") == "رويترز"


def test_language():
    assert _one(language, "قال وزير الخارجية الروسي إن بلاده") == "ar"
    assert _one(language, "The minister said that the talks in Beijing were good") == "en"
    assert _one(language, "Le ministre a dit que les discussions et la visite") == "fr"
    assert _one(is_arabic, "") is False and _one(language, "12 34") == "und"

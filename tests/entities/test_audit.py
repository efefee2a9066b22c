"""``audit_entities``: what ``akhbar audit-entities`` lists, one behaviour per case."""
from __future__ import annotations

import polars as pl

from transforms.entities.audit import audit_entities

COLS = {"entity_id": pl.Utf8, "canonical_name": pl.Utf8, "label": pl.Utf8, "key": pl.Utf8,
        "country_code": pl.Utf8, "geonames_id": pl.Int64, "lat": pl.Float64, "lon": pl.Float64,
        "n_mentions": pl.Int64, "n_documents": pl.Int64}


def _audit(rows: list[tuple]) -> dict[str, pl.DataFrame]:
    ents = pl.DataFrame([(f"e{i}", name, label, key, None, None, None, None, n, 2)
                         for i, (name, label, key, n) in enumerate(rows)], schema=COLS, orient="row")
    labels = ents.select("entity_id", "label", n=pl.col("n_mentions"))
    return audit_entities(ents, labels, top=10)


def test_the_same_name_twice_is_a_twin() -> None:
    out = _audit([("مصر", "LOC", "iso3166:EG", 20), ("مصر", "ORG", "مصر", 3)])
    assert out["twins"].height >= 1


def test_a_person_named_with_a_title_is_listed() -> None:
    # the title should have gone before the name: الرئيس ترامب is ترامب
    out = _audit([("الرئيس دونالد ترامب", "PERS", "رييس دونلد ترمب", 9)])
    assert out["title_names"]["canonical_name"].to_list() == ["الرئيس دونالد ترامب"]


def test_a_title_word_in_another_name_is_not() -> None:
    # الفريق is "the team" in الفريق الملكي (Real Madrid), not the rank; الشيخ starts a place's name
    out = _audit([("الفريق الملكي", "ORG", "فريك ملكي", 9), ("الشيخ جراح", "LOC", "شيخ جراح", 5)])
    assert out["title_names"].height == 0

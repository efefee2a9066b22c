"""Geocoding in context: which of the places a name can be is chosen per document.

``رفح`` is a town of Gaza and one of Egypt, ``عمان`` is Oman and (spelled ``عمّان``) Amman,
``طرابلس`` is in Libya and in Lebanon.  Every place the gazetteers give a name's key is a
candidate (:func:`gazetteer`, keyed by :func:`~transforms.entities.key.name_key_of`, so a
clitic is never peeled off a place name: ``كولومبيا`` is not the Tanzanian ``مبيا``).  A
candidate scores

* 4 when its country is named in the same document by a place that has one reading only
  (``غزة`` for ``رفح``; a nationality adjective such as ``الأردني`` counts too);
* 2 when it is in the source's country (the country a source names most among such places);
* 1 when it is a country rather than a city (``الجزائر`` is the country);
* a fraction by population (the larger town wins ties); a town under a tenth of the largest
  candidate's population is no candidate (Paris, Texas).

A spelling that keeps a disambiguating mark decides alone (``data/places_marked.tsv``:
``عمّان`` with its shadda is Amman), which is why marks are read before keys drop them.
"""
from __future__ import annotations

from functools import lru_cache

import polars as pl

from transforms.entities import places
from transforms.entities.key import name_key, orthography_expr

_PLACE = {"key": pl.Utf8, "place_key": pl.Utf8, "country_code": pl.Utf8, "geonames_id": pl.Int64,
          "lat": pl.Float64, "lon": pl.Float64, "population": pl.Int64, "is_country": pl.Boolean}
_SHADDA = "\u0651"
_BIG_CITY = 1_000_000
_NAMESAKE = 0.1


@lru_cache(maxsize=1)
def gazetteer() -> pl.DataFrame:
    """Every place a name key can be: ``key, place_key, country_code, geonames_id, lat, lon,
    population, is_country`` (``iso3166:OM`` for countries, ``geonames:250441`` for cities)."""
    names = places.country_names()
    ctry = pl.DataFrame({"name": list(names), "country_code": list(names.values())}).with_columns(
        key=name_key(pl.col("name")), place_key=pl.format("iso3166:{}", pl.col("country_code")),
        geonames_id=pl.lit(None, pl.Int64), lat=pl.lit(None, pl.Float64),
        lon=pl.lit(None, pl.Float64), population=pl.lit(None, pl.Int64), is_country=pl.lit(True))
    city = places.cities().with_columns(
        key=name_key(pl.col("name")), place_key=pl.format("geonames:{}", pl.col("geonames_id")),
        is_country=pl.lit(False))
    spell = orthography_expr(pl.col("name")).str.replace("^ال", "")
    ctry, city = ctry.with_columns(spell=spell), city.with_columns(spell=spell)
    # A city competes with a country of the same key only when spelled alike and a city of a
    # million (عمان: Oman and Amman), not through a loose alternate name (ئاممان, a GeoNames name
    # of Amman, keys as يمن) nor as a small namesake (Columbia, South Carolina).
    clash = city.join(ctry.select("key"), on="key", how="semi").join(
        ctry.select("key", "spell").with_columns(alike=pl.lit(True)), on=["key", "spell"], how="left"
    ).filter(pl.col("alike").is_null() | (pl.col("population") < _BIG_CITY))
    city = city.join(clash.select("key", "geonames_id"), on=["key", "geonames_id"], how="anti")
    return (pl.concat([ctry.select(list(_PLACE)), city.select(list(_PLACE))])
            .filter(pl.col("key") != "").unique(["key", "place_key"]).sort("key", "place_key"))


@lru_cache(maxsize=1)
def marked_forms() -> pl.DataFrame:
    """``form`` (dediacritized except the shadda) → ``place_key`` from ``data/places_marked.tsv``."""
    rows = places._read_tsv("places_marked.tsv")
    return pl.DataFrame({"form": [r[0] for r in rows], "place_key": [r[1] for r in rows]},
                        schema={"form": pl.Utf8, "place_key": pl.Utf8}).with_columns(
        form=_marked(pl.col("form")))


def _marked(expr: pl.Expr) -> pl.Expr:
    """Letters and shadda only: ``"عَمّان"`` → ``"عمّان"``."""
    return expr.str.replace_all("[\u064b-\u0650\u0652-\u065f\u0670\u0640]", "")


def geocode(locs: pl.DataFrame, nationalities: pl.DataFrame | None = None) -> pl.DataFrame:
    """Choose a place for each LOC name of each document.

    Input ``locs``: ``doc_id, source_id, key, stem, n`` (one row per LOC spelling per document;
    ``key`` is the name key, ``stem`` the spelling without clitics); ``nationalities``:
    ``doc_id, country_code`` of nationality adjectives in the documents.
    Output: ``doc_id, key, stem, place_key, country_code, geonames_id, lat, lon`` for the rows
    that name a place (unlinked rows are left out).
    Example: ``رفح`` in a document that also names ``غزة`` → ``geonames:281102`` (PS).
    """
    gaz = gazetteer()
    cand = locs.join(gaz, on="key", how="inner")
    # A town a tenth the size of the key's largest is a namesake (Paris, Texas; Moscow, Idaho):
    # context cannot outvote population that far.
    top_pop = pl.col("population").max().over("doc_id", "key", "stem")
    cand = cand.filter(pl.col("is_country") | top_pop.is_null()
                       | (pl.col("population") >= _NAMESAKE * top_pop))
    marked = (cand.filter(pl.col("stem").str.contains(_SHADDA, literal=True))
              .with_columns(form=_marked(pl.col("stem")).str.replace("^[وفبكل]?ال?", ""))
              .join(marked_forms(), on=["form", "place_key"], how="semi")
              .select("doc_id", "key", "stem", "place_key", mark=pl.lit(100.0)))
    n_cand = gaz.group_by("key").agg(pl.col("country_code").n_unique().alias("n_cc"))
    single = cand.join(n_cand.filter(pl.col("n_cc") == 1), on="key", how="semi")
    doc_cc = single.select("doc_id", "country_code")
    if nationalities is not None:
        doc_cc = pl.concat([doc_cc, nationalities.select("doc_id", "country_code")])
    doc_cc = doc_cc.drop_nulls().unique().with_columns(in_doc=pl.lit(4.0))
    src = (single.filter(pl.col("is_country")).group_by("source_id", "country_code")
           .agg(pl.col("n").sum()).with_columns(share=pl.col("n") / pl.col("n").sum().over("source_id"))
           .filter(pl.col("share") >= 0.15)
           .sort("source_id", "n", "country_code", descending=[False, True, False])
           .unique("source_id", keep="first").select("source_id", "country_code", src=pl.lit(2.0)))
    pop = pl.col("population").fill_null(0).cast(pl.Float64)
    scored = (
        cand.join(doc_cc, on=["doc_id", "country_code"], how="left")
        .join(src, on=["source_id", "country_code"], how="left")
        .join(marked, on=["doc_id", "key", "stem", "place_key"], how="left")
        .with_columns(score=pl.col("in_doc").fill_null(0.0) + pl.col("src").fill_null(0.0)
                      + pl.col("is_country").cast(pl.Float64) + pl.col("mark").fill_null(0.0)
                      + pop / (pop.max().over("doc_id", "key") + 1.0) * 0.5)
    )
    return (
        scored.sort(["doc_id", "key", "stem", "score", "place_key"],
                    descending=[False, False, False, True, False])
        .unique(["doc_id", "key", "stem"], keep="first", maintain_order=True)
        .select("doc_id", "key", "stem", "place_key", "country_code", "geonames_id", "lat", "lon")
    )

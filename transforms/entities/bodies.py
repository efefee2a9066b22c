"""Bodies every country has: ``وزارة الداخلية`` of a Tunisian article is not the Egyptian one.

News names a ministry, a parliament or a civil defence without saying whose when the article's
context makes it plain. Such names (``data/country_bodies.tsv``: whole names and leading words)
are never one entity across articles on their words alone:

* a country written in the name decides (``وزارة الصحة الفلسطينية``, ``وزارة الصحة في غزة``,
  ``وزارة خارجية قطر``): the key is the name without it plus the country, ``وزاره صحه@PS``, so
  each country's body is one entity across the corpus;
* a bare name in an article that also writes the same body with its country is that body
  (``وزارة الصحة`` after ``وزارة الصحة الفلسطينية``);
* else the name is scoped to its article (``key@doc_id``). The country the article's places
  point to is no evidence enough: read on 30 such mentions it was the body's country in 19
  (Gaza's health ministry in articles that name Israel more often than Gaza; the US Treasury in
  articles about Iran).
"""
from __future__ import annotations

from functools import lru_cache

import polars as pl

from transforms.entities import places
from transforms.entities.key import name_key, name_key_of
from transforms.entities.linking import DOC_SCOPE

_PREP = ("في", "ب")  # وزارة الصحة في غزة / بغزة (the clitic is a word of its own in keys)
_NOT_COUNTRY = ("مالي", "ماليه")  # "financial" far more often than "Malian": وزارة المالية


@lru_cache(maxsize=1)
def body_names() -> tuple[frozenset[str], frozenset[str]]:
    """(name keys of whole names, keys of leading words) of ``data/country_bodies.tsv``."""
    rows = places._read_tsv("country_bodies.tsv")
    whole = frozenset(name_key_of(n) for n, kind, _ in rows if kind == "name")
    heads = frozenset(name_key_of(n) for n, kind, _ in rows if kind == "head")
    return whole, heads


@lru_cache(maxsize=1)
def country_words() -> pl.DataFrame:
    """``w, cc, city, glued``: one-word name keys of countries and nationality adjectives
    (``فلسطينيه`` → PS), and of cities of ≥ 100,000 people (``جزه`` → PS), which count only after
    في or ب (``glued``: the ب written onto the word, ``بجزه``)."""
    c = places.countries().select(w=name_key(pl.col("name")), cc="country_code", city=pl.lit(False))
    t = places.cities().filter(pl.col("population") >= 100_000).select(
        w=pl.col("key"), cc="country_code", city=pl.lit(True))
    both = pl.concat([c, t]).filter(~pl.col("w").str.contains(" ", literal=True) & ~pl.col("w").is_in(list(_NOT_COUNTRY)))
    both = both.sort("city").unique("w", keep="first").with_columns(glued=pl.lit(False))
    glued = both.with_columns(w=pl.lit("ب") + pl.col("w"), glued=pl.lit(True))  # بغزه
    return pl.concat([both, glued.join(both, on="w", how="anti")])


def body_keys(keys: pl.DataFrame) -> pl.DataFrame:
    """``keys`` (``doc_id, key`` of ORG and LOC names) → ``doc_id, key, body_key, body_cc,
    named_cc`` for the names of a country's body (``named_cc``: the name itself names the
    country or its people, not only a city of it: ``الحرس الوطني ببنزرت`` is a regional unit).
    Example: ``وزاره صحه فلسطينيه`` → ``وزاره صحه@PS``, PS, true."""
    whole, heads = body_names()
    firsts = list(heads | {w.split(" ")[0] for w in whole})
    # only names that start like a body are split into words (a few percent of the keys)
    d = keys.select("doc_id", "key").filter(pl.col("key").str.extract(r"^(\S+)").is_in(firsts)).unique()
    words = d.select("key").unique().with_columns(w=pl.col("key").str.split(" ")).with_row_index("i")
    words = words.explode("w").with_columns(pos=pl.int_range(pl.len()).over("i"))
    words = words.join(country_words(), on="w", how="left", maintain_order="left")
    prev = pl.col("w").shift(1).over("i")
    after_prep = pl.col("glued") | prev.is_in(list(_PREP))
    words = words.with_columns(cc=pl.when(pl.col("city") & ~after_prep).then(None)
                               .otherwise(pl.col("cc")))
    # a country word and the preposition before it are not part of the body's name
    drop = pl.col("cc").is_not_null() & (pl.col("pos") > 0)
    words = words.with_columns(drop=drop | (pl.col("w").is_in(list(_PREP)) & drop.shift(-1).over("i")))
    base = words.group_by("i", "key", maintain_order=True).agg(
        base=pl.col("w").filter(~pl.col("drop")).str.join(" "),
        named_cc=pl.col("cc").filter(pl.col("drop")).drop_nulls().first(),
        says=(pl.col("drop") & pl.col("cc").is_not_null() & ~pl.col("city")).any())
    first = pl.col("base").str.split(" ").list.first()
    is_body = pl.col("base").is_in(list(whole)) | (
        first.is_in(list(heads)) & pl.col("base").str.contains(" ", literal=True))
    base = base.filter(is_body).select("key", "base", "named_cc", "says")
    out = d.join(base, on="key")
    # the same body written with its country elsewhere in the article (one country only)
    doc_cc = (out.filter(pl.col("named_cc").is_not_null()).group_by("doc_id", "base")
              .agg(doc_cc=pl.col("named_cc").unique()).filter(pl.col("doc_cc").list.len() == 1)
              .with_columns(pl.col("doc_cc").list.first()))
    out = out.join(doc_cc, on=["doc_id", "base"], how="left")
    cc = pl.coalesce("named_cc", "doc_cc")
    return out.select(
        "doc_id", "key",
        body_key=pl.when(cc.is_not_null()).then(pl.concat_str([pl.col("base"), pl.lit(DOC_SCOPE), cc]))
        .otherwise(pl.concat_str([pl.col("key"), pl.lit(DOC_SCOPE), pl.col("doc_id")])),
        body_cc=cc, named_cc=pl.col("says"))


@lru_cache(maxsize=1)
def _country_display() -> pl.DataFrame:
    """``cc, country``: each code's CLDR name, the first :func:`places.country_names` lists."""
    first: dict[str, str] = {}
    for name, code in places.country_names().items():
        first.setdefault(code, name)
    return pl.DataFrame({"cc": list(first), "country": list(first.values())})


def with_country(names: pl.DataFrame) -> pl.DataFrame:
    """``entity_id, rep, named_cc, canonical_name`` → the same, a country's body whose name does
    not say whose followed by the country (``وزارة الداخلية`` of ``وزاره دخليه@TN`` →
    ``وزارة الداخلية (تونس)``)."""
    cc = pl.col("rep").str.extract(r"@([A-Z]{2})$")
    return (names.with_columns(cc=cc).join(_country_display(), on="cc", how="left")
            .with_columns(canonical_name=pl.when(pl.col("country").is_not_null() & ~pl.col("named_cc"))
                          .then(pl.format("{} ({})", "canonical_name", "country"))
                          .otherwise(pl.col("canonical_name")))
            .drop("cc", "country"))

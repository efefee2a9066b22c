"""Mentions → entities: matching key, in-document coreference, place and organisation linking.

``entity_id = stable_id(label, key)`` where ``key`` is

* LOC linked to a country / city: ``iso3166:RU`` / ``geonames:524901`` (every spelling of the
  place, in any article, is one entity: ``بموسكو``, ``موسكو``);
* ORG listed in ``data/orgs_ar.tsv``: the canonical name's key (``الناتو`` = ``حلف شمال الأطلسي``);
* PERS: the key of the one full name that contains it in the same article (``لافروف`` →
  ``سيرغي لافروف``), else its own key — scoped to the article (``افروف@<doc_id>``) when it
  is a single word, since a lone name in two articles is no evidence of one person;
* otherwise the phonetic key of the surface (:func:`~transforms.entities.key.entity_key`).

All of it is a function of the batch's rows only, so re-ingesting an article yields the same ids.
Cross-document merges (lone surnames, transliteration variants) are
:func:`transforms.entities.merge.merge_entities`' job.
"""
from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from transforms.entities import coref, orgs, places
from transforms.entities.key import entity_key, key_of, orthography
from transforms.ids import stable_id_expr
from transforms.ner.text import PROCLITICS

DOC_SCOPE = "@"  # keys hold only letters, digits and spaces, so "@" cannot clash
ENTITY_COLUMNS = {
    "entity_id": pl.Utf8, "label": pl.Utf8, "key": pl.Utf8, "canonical_name": pl.Utf8,
    "country_code": pl.Utf8, "geonames_id": pl.Int64, "lat": pl.Float64, "lon": pl.Float64,
}
_CLITIC_PREFIX = re.compile("^(?:[وف]?(?:[بكل]|ال|لل|بال|كال)?|[وف]?ال)$")


def _is_clitic_form(s: str, others: set[str]) -> bool:
    """``وبكين`` is a clitic form when ``بكين`` is also a surface of the entity."""
    return any(s != t and s.endswith(t) and _CLITIC_PREFIX.match(s[: len(s) - len(t)])
               for t in others)


_TITLES = ("الرئيس", "رئيس", "الزعيم", "زعيم", "الوزير", "وزير", "الملك", "الأمير", "الشيخ",
           "السيد", "السيدة", "الدكتور", "د", "المستشار", "المستشارة", "الجنرال", "العقيد",
           "الرئيسان", "الزعيمان", "نظيره", "الإمام", "البابا", "السفير", "النائب")


@lru_cache(maxsize=1)
def _person_noise() -> frozenset[str]:
    nat = places.countries().filter(pl.col("is_nationality"))["key"].to_list()
    return frozenset(nat) | frozenset(key_of(t) for t in _TITLES)


def _strip_person_key(key: str) -> str:
    """Drop leading title and nationality tokens from a PERS key (keep ≥ 1 token); trailing
    ones stay — ``فيصل السويدي`` has a surname, not a nationality.
    Called once per distinct key (``map_elements`` over a few thousand strings)."""
    toks, noise = key.split(" "), _person_noise()
    while len(toks) > 1 and toks[0] in noise:
        toks = toks[1:]
    return " ".join(toks)


def display_name(surface: str) -> str:
    """``surface`` without the proclitic glued to it when the rest is a place name of the gazetteer
    (``وهونغ كونغ`` → ``هونغ كونغ``, ``والبرازيل`` → ``البرازيل``, ``للهند`` → ``الهند``);
    ``واشنطن`` and ``فالنسيا`` are names whole (``اشنطن`` is none)."""
    known = places.place_names()
    if orthography(surface) in known:
        return surface
    for cut in PROCLITICS:  # shortest first: وبكين is و + بكين
        rest = surface[len(cut):]
        if surface.startswith(cut + "ل") and cut.endswith("ل"):  # ل + ال is written لل
            rest = "ا" + rest
        if surface.startswith(cut) and len(rest.split(" ")[0]) >= 3 and orthography(rest) in known:
            return rest
    return surface


def canonical_names(surfaces: pl.DataFrame) -> pl.DataFrame:
    """``entity_id, key, surface, n`` → ``entity_id, canonical_name``: the most frequent surface
    that is a *full* spelling (as many words as the key; ``سيرغي لافروف`` over ``لافروف``) and
    not a clitic form of another surface (``بكين`` over ``وبكين``); ties → shorter, then
    lexicographic; then a proclitic before a gazetteer place name goes (:func:`display_name`).
    Python over distinct surfaces per entity (suffix tests are not expressions).
    """
    rows = []
    groups: dict[str, list[tuple]] = {}
    for eid, key, surface, n in surfaces.select("entity_id", "key", "surface", "n").iter_rows():
        groups.setdefault(eid, []).append((surface, n, key))
    for eid, cand in groups.items():
        names = {s for s, _, _ in cand}
        exact = [c for c in cand if len(c[0].split()) == len(c[2].split())]
        full = exact or [c for c in cand if len(c[0].split()) > len(c[2].split())] or cand
        clean = [c for c in full if not _is_clitic_form(c[0], names)] or full
        best = sorted(clean, key=lambda c: (-c[1], len(c[0]), c[0]))[0]
        rows.append((eid, display_name(best[0])))
    return pl.DataFrame(rows, schema={"entity_id": pl.Utf8, "canonical_name": pl.Utf8},
                        orient="row")


def resolve(mentions: pl.DataFrame, docs: pl.DataFrame | None = None
            ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Assign ``entity_id`` to mentions and describe the entities they name.

    Input ``mentions``: mention_id, doc_id, sentence_id, start_char, end_char, surface, label,
    score, method; ``docs`` (doc_id, clean_text, published_at) is accepted for the pipeline
    contract and not needed by the current rules.
    Output: (``mentions`` + ``entity_id``, entities_partial with ``entity_id, label, key,
    canonical_name, country_code, geonames_id, lat, lon`` — one row per entity_id).
    Example: surfaces ``سيرغي لافروف`` and ``لافروف`` in one article → one entity_id, key
    ``سيرجي افروف``, canonical_name ``سيرغي لافروف``.
    """
    mentions = mentions.drop("entity_id", strict=False)  # re-resolving stored mentions
    if mentions.height == 0:
        return (mentions.with_columns(entity_id=pl.lit(None, pl.Utf8)),
                pl.DataFrame(schema=ENTITY_COLUMNS))
    m = mentions.with_columns(key=entity_key(pl.col("surface")))

    # ORG aliases: the canonical name's key.
    m = m.join(orgs.org_aliases(), on="key", how="left", maintain_order="left").with_columns(
        key=pl.when(pl.col("label") == "ORG").then(pl.coalesce("org_key", "key"))
        .otherwise(pl.col("key"))).drop("org_key")

    # LOC: place identity — except a one-word "place" that is a token of a person's name in the
    # same article (a tagger slip: سيرجي tagged LOC must not become Cergy, France).
    name_tokens = (
        m.filter(pl.col("label") == "PERS")
        .select("doc_id", key=pl.col("key").str.split(" ")).explode("key").unique()
    )
    locs = m.filter(pl.col("label") == "LOC").select("doc_id", "key") \
        .join(name_tokens, on=["doc_id", "key"], how="anti")
    linked = places.link(locs)
    m = m.join(linked, on=["doc_id", "key"], how="left", maintain_order="left").with_columns(
        key=pl.when((pl.col("label") == "LOC") & pl.col("place_key").is_not_null())
        .then(pl.col("place_key")).otherwise(pl.col("key"))
    )
    # Nationality adjectives (الروسي) keep their own key but carry the country.
    nat = places.nationality(m.select("key")).rename({"country_code": "nat_cc"})
    m = m.join(nat, on="key", how="left", maintain_order="left").with_columns(
        country_code=pl.coalesce("country_code", "nat_cc")).drop("nat_cc")

    # PERS: leading titles and nationality words the tagger swept into the span are not the name
    # ("الصيني شي جين بينغ" is شي جين بينغ); then short forms join the full name of the article.
    pkeys = m.filter(pl.col("label") == "PERS").select("key").unique()
    if pkeys.height:
        bare = pkeys.with_columns(bare=pl.col("key").map_elements(_strip_person_key,
                                                                 return_dtype=pl.Utf8))
        m = m.join(bare, on="key", how="left", maintain_order="left").with_columns(
            key=pl.when(pl.col("label") == "PERS").then(pl.coalesce("bare", "key"))
            .otherwise(pl.col("key"))).drop("bare")
    # PERS: short forms join the full name in the same article.
    pers = coref.person_coref(m.filter(pl.col("label") == "PERS"), _person_noise())
    m = m.join(pers, on=["doc_id", "key"], how="left", maintain_order="left").with_columns(
        key=pl.coalesce("coref_key", "key")).drop("coref_key")
    # A lone one-word name is no evidence across articles (two articles' "إسماعيل" need not be
    # one man): it is scoped to its document, "key@doc_id".  merge_entities joins it to the one
    # full name it can belong to (لافروف → سيرغي لافروف).
    m = m.with_columns(key=pl.when((pl.col("label") == "PERS") & (pl.col("key") != "")
                                   & ~pl.col("key").str.contains(" ", literal=True))
                       .then(pl.concat_str([pl.col("key"), pl.lit(DOC_SCOPE), pl.col("doc_id")]))
                       .otherwise(pl.col("key")))

    # A surface with no letters or digits ("-----") names nothing: no entity.
    m = m.with_columns(entity_id=pl.when(pl.col("key") != "")
                       .then(stable_id_expr("label", "key")))
    named = m.filter(pl.col("entity_id").is_not_null())
    surfaces = named.group_by("entity_id", "key", "surface").len("n").sort("entity_id", "surface")
    ents = (
        named.sort("entity_id", "geonames_id", "country_code", nulls_last=True)
        .group_by("entity_id", maintain_order=True)
        .agg(pl.col("label", "key", "country_code", "geonames_id", "lat", "lon").first())
        .join(canonical_names(surfaces), on="entity_id", how="left")
        .select(list(ENTITY_COLUMNS))
        .cast(ENTITY_COLUMNS)
        .sort("entity_id")
    )
    return m.select(*mentions.columns, "entity_id"), ents


__all__ = ["resolve", "canonical_names", "key_of"]

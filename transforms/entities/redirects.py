"""Redirects: every id a spelling could have been listed under, mapped to its entity now.

An entity's id is ``stable_id(label, key)`` of one of its members, and which member, label, place
or clitic reading wins depends on the evidence the warehouse held at the time.  Rather than
remembering which ids were shown (which would depend on the order batches arrived in), the
redirects are derived from the data alone: for every mention spelling, each id it would carry
under each decision the evidence could have taken — each clitic reading of its first word, each
label the tagger gave that key anywhere, a person name with titles dropped and scoped to its
article, each place the gazetteer gives the key — points to the entity its mentions belong to
now (the one with most mentions when several).  Ids that are entities themselves are left out.
So an id saved after any earlier run still resolves, and two batch orders give the same table.
"""
from __future__ import annotations

import polars as pl

from transforms.entities import clitics, geocode
from transforms.entities.corpus import _strip_titles, pers_surfaces
from transforms.entities.key import name_key
from transforms.entities.linking import DOC_SCOPE
from transforms.ids import stable_id_expr


def redirects(units: pl.DataFrame, entity_ids: pl.Series, readings: pl.DataFrame | None = None
              ) -> pl.DataFrame:
    """``units`` as :func:`~transforms.entities.corpus.corpus_entities` returns them
    (``doc_id, mention_label, surface, n, entity_id``) and the ids of the entities now →
    ``entity_id_old, entity_id`` (sorted; old ids unique).

    Example: ``لحزب الله`` (ORG, 2 mentions) in entity ``stable_id("ORG", "حزب اله")`` yields
    ``stable_id("ORG", "لحزب اله")`` (the reading that keeps the ل) → that entity.
    """
    u = units.filter(pl.col("entity_id").is_not_null())
    surf = u.group_by("surface").agg(pl.col("n").sum())
    pers = u.filter(pl.col("mention_label") == "PERS").group_by("surface").agg(pl.col("n").sum())
    read = clitics.clitic_readings(surf, pers=pers) if readings is None else readings
    cut1 = r"^\p{L}[\x{064B}-\x{065F}\x{0670}\x{0640}]*"
    alt = read.with_columns(stem=pl.when(pl.col("prefix").str.ends_with("لل")).then(pl.lit("ا")).otherwise(pl.lit(""))
                            + pl.when(pl.col("cut") == 1).then(pl.col("surface").str.replace(cut1, ""))
                            .otherwise(pl.col("surface").str.replace(cut1, "").str.replace(cut1, "")))
    stems = pl.concat([surf.select("surface", stem="surface"), alt.select("surface", "stem")]).unique()
    keyed = stems.select("stem").unique().with_columns(key=name_key(pl.col("stem")))
    # Spellings are read once per label and entity, not per document; documents come back only
    # for the article-scoped lone person names.
    by_spelling = u.group_by("mention_label", "surface", "entity_id").agg(pl.col("n").sum())
    forms = by_spelling.join(stems, on="surface").join(keyed, on="stem")
    labels = forms.select("key", label="mention_label").unique()
    cand = forms.join(labels, on="key")
    pers = cand.filter(pl.col("label") == "PERS")
    bare = _strip_titles(pers["stem"])
    bare = bare.join(bare.select("bare").unique().with_columns(pkey=name_key(pl.col("bare"))), on="bare")
    pers = pers.join(bare.select("stem", "pkey"), on="stem", how="left").with_columns(
        key=pl.coalesce("pkey", "key")).drop("pkey")
    lone = (pers.filter(~pl.col("key").str.contains(" ", literal=True)).select("mention_label", "surface", "entity_id", "label", "key")
            .join(u.select("doc_id", "mention_label", "surface", "entity_id", "n"), on=["mention_label", "surface", "entity_id"])
            .with_columns(key=pl.concat_str([pl.col("key"), pl.lit(DOC_SCOPE), pl.col("doc_id")])))
    locs = cand.filter(pl.col("label") == "LOC").join(
        geocode.gazetteer().select("key", "place_key"), on="key").with_columns(key=pl.col("place_key"))
    cols = ["label", "key", "entity_id", "n"]
    every = pl.concat([c.select(cols) for c in (cand, pers, lone, locs)])
    every = every.group_by("label", "key", "entity_id").agg(pl.col("n").sum())
    ids = every.select("label", "key").unique().with_columns(entity_id_old=stable_id_expr("label", "key"))
    every = every.join(ids, on=["label", "key"])
    return (
        every.filter(~pl.col("entity_id_old").is_in(entity_ids.implode()))
        .sort(["entity_id_old", "n", "entity_id"], descending=[False, True, False])
        .unique("entity_id_old", keep="first").select("entity_id_old", "entity_id").sort("entity_id_old")
    )


def corpus_resolution(units: pl.DataFrame, docs: pl.DataFrame
                      ) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """:func:`~transforms.entities.corpus.corpus_entities` plus :func:`redirects`: what
    ``warehouse.marts.refresh_marts`` writes (``units`` with ``entity_id``, ``entities``,
    ``redirects``), from ``units`` (``doc_id, label, surface, n``) and ``docs``."""
    from transforms.entities.corpus import corpus_entities

    readings = clitics.clitic_readings(units.group_by("surface").agg(pl.col("n").sum()),
                                       pers=pers_surfaces(units))
    out, ents = corpus_entities(units, docs, readings)
    return out, ents, redirects(out, ents["entity_id"], readings)

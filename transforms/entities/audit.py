"""The entity table's health: what ``akhbar audit-entities`` prints.

Checks, each a frame of offending rows (:func:`audit_entities`):

* ``twins`` — a top-N entity whose canonical name, once spelled by
  :func:`~transforms.entities.key.name_key`, is another entity's (``مصر`` twice, ``بريكس`` ORG
  and LOC); two linked places of different ids are homonyms, not twins (``homonyms``: ``رفح`` of
  Gaza and of Egypt);
* ``clitic_names`` — a top-N name whose first word is a proclitic plus a word that names
  something else (another entity's first word or a gazetteer place) and that the word-frequency
  list finds at least 4 times as often (``لحركة`` = ل + ``حركة``, not ``بايدن`` = ب + ``ايدن``);
* ``title_names`` — a top-N name that starts with a title (``الرئيس``), or a person's that holds one;
* ``lone_surnames`` — one-document, one-word person entities whose word ends a person of several
  documents (``نتنياهو`` beside ``بنيامين نتنياهو``), with the share of PERS mentions they hold;
* ``mixed_labels`` — entities whose mentions the tagger labelled differently (second label ≥ 10%).
"""
from __future__ import annotations

import polars as pl

from transforms.entities import clitics, places
from transforms.entities.corpus import TITLES
from transforms.entities.key import name_key, name_key_of, orthography_expr

_CLITIC_RATIO = 0.25
_MIXED_SHARE = 0.1


def _first_word(expr: pl.Expr) -> pl.Expr:
    return orthography_expr(expr).str.split(" ").list.first()


def audit_entities(entities: pl.DataFrame, labels: pl.DataFrame, top: int = 500) -> dict[str, pl.DataFrame]:
    """``entities`` (the table's columns) and ``labels`` (``entity_id, label, n``: mentions per
    entity and tagger label) → ``{"summary", "twins", "homonyms", "clitic_names", "title_names",
    "lone_surnames", "mixed_labels"}``; ``summary`` has one row per check (``check, n, detail``).

    Example: entities ``مصر`` (LOC, iso3166:EG) and ``مصر`` (ORG) → one row in ``twins``.
    """
    e = entities.with_columns(norm=name_key(pl.col("canonical_name")),
                              place=pl.col("key").str.contains(":", literal=True))
    ranked = e.sort(["n_mentions", "entity_id"], descending=[True, False]).head(top)
    pairs = ranked.join(e, on="norm", suffix="_b").filter(pl.col("entity_id") != pl.col("entity_id_b"))
    homonym = pl.col("place") & pl.col("place_b") & (pl.col("key") != pl.col("key_b"))
    cols = ["canonical_name", "label", "key", "n_mentions", "canonical_name_b", "label_b", "key_b", "n_mentions_b"]
    twins = pairs.filter(~homonym).select(cols)
    homonyms = pairs.filter(homonym).select(cols)

    f = clitics.prior()
    word = _first_word(pl.col("canonical_name"))
    known = pl.concat([e.select(w=_first_word(pl.col("canonical_name"))),
                       pl.DataFrame({"w": list(places.place_names())})]).unique()
    reads = []
    for prefix, cut, put in clitics.PREFIXES:
        reads.append(ranked.filter(word.str.starts_with(prefix)).with_columns(
            t=word, r=pl.lit(put) + word.str.slice(cut), prefix=pl.lit(prefix)))
    cl = pl.concat(reads).filter(pl.col("r").str.replace("^ال", "").str.len_chars() >= 3)
    cl = (cl.join(known, left_on="r", right_on="w", how="semi")
          .join(f.rename({"word": "t", "freq": "f_t"}), on="t", how="left")
          .join(f.rename({"word": "r", "freq": "f_r"}), on="r", how="inner")
          .filter(pl.col("f_t").fill_null(0.0) < _CLITIC_RATIO * pl.col("f_r"))
          .unique("entity_id").select("canonical_name", "label", "n_mentions", "prefix", "r"))

    titles = [name_key_of(t) for t in TITLES]
    toks = name_key(pl.col("canonical_name")).str.split(" ")
    title_names = ranked.filter(toks.list.first().is_in(titles) | (
        (pl.col("label") == "PERS") & toks.list.eval(pl.element().is_in(titles)).list.any())
    ).select("canonical_name", "label", "n_mentions")

    pers = e.filter(pl.col("label") == "PERS")
    multi = pers.filter((pl.col("n_documents") >= 2) & (toks.list.len() >= 2)).select(
        w=toks.list.last(), person="canonical_name", person_mentions="n_mentions")
    lone = (pers.filter((pl.col("n_documents") == 1) & (toks.list.len() == 1)).with_columns(w=toks.list.first())
            .join(multi, on="w", how="inner").unique("entity_id"))
    n_pers = max(int(pers["n_mentions"].sum() or 0), 1)
    lone_share = float(lone["n_mentions"].sum() or 0) / n_pers
    lone = lone.select("canonical_name", "n_mentions", "person", "person_mentions")

    mixed = (labels.with_columns(share=pl.col("n") / pl.col("n").sum().over("entity_id"),
                                 n_labels=pl.len().over("entity_id"))
             .filter((pl.col("n_labels") > 1) & (pl.col("share") < 1.0))
             .group_by("entity_id").agg(second=pl.col("share").sort(descending=True).get(1),
                                        labels=pl.col("label").sort_by("n", descending=True).str.join(","))
             .filter(pl.col("second") >= _MIXED_SHARE)
             .join(entities.select("entity_id", "canonical_name", "n_mentions"), on="entity_id")
             .sort("n_mentions", descending=True).select("canonical_name", "labels", "second", "n_mentions"))
    summary = pl.DataFrame({
        "check": ["twins", "homonyms", "clitic_names", "title_names", "lone_surnames", "mixed_labels"],
        "n": [twins.height, homonyms.height, cl.height, title_names.height, lone.height, mixed.height],
        "detail": [f"among the top {top}", f"among the top {top} (linked places of other ids)",
                   f"among the top {top}", f"among the top {top}",
                   f"{lone_share:.2%} of PERS mentions", "second label ≥ 10% of mentions"],
    })
    return {"summary": summary, "twins": twins, "homonyms": homonyms, "clitic_names": cl,
            "title_names": title_names, "lone_surnames": lone.sort("n_mentions", descending=True),
            "mixed_labels": mixed}

"""The entity table's health: what ``akhbar audit-entities`` prints.

Checks, each a frame of offending rows (:func:`audit_entities`):

* ``twins`` — a top-N entity whose canonical name, once spelled by
  :func:`~transforms.entities.key.name_key`, is another entity's (``مصر`` twice, ``بريكس`` ORG
  and LOC); listed apart: two linked places of different ids (``homonyms``: ``رفح`` of Gaza and of
  Egypt), a name of two types with ≥ 50 mentions each (``two_types``: the club and the city
  ``إشبيلية``), and article-scoped lone names (counted by ``lone_surnames``);
* ``clitic_names`` — a top-N name that is a proclitic plus the name of another entity or a
  gazetteer place, whose first word the word-frequency list finds at least 4 times as often
  without it (``لحزب الله`` = ل + ``حزب الله``; not ``بوروسيا دورتموند``, ``بيونغ يانغ``);
* ``title_names`` — a top-N person's name that starts with a title (``الرئيس``; other names
  hold title words by right: ``الفريق الملكي``, "the royal team", ``حي الشيخ جراح``);
* ``lone_surnames`` — one-document, one-word person entities whose word ends the name of the
  person of several documents who holds ≥ 75% of that word's full-name mentions (``نتنياهو``
  beside ``بنيامين نتنياهو``), with the share of PERS mentions they hold;
* ``mixed_labels`` — entities whose mentions the tagger labelled differently (second label ≥ 10%).
"""
from __future__ import annotations

import polars as pl

from transforms.entities import clitics, places
from transforms.entities.corpus import TITLES
from transforms.entities.key import name_key, name_key_of, orthography_expr

_CLITIC_RATIO = 0.25
_MIXED_SHARE = 0.1
_DOMINANT = 0.75
_TWO_TYPES = 50  # mentions of each: a club and its city (إشبيلية), a channel and a region (الجزيرة)


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
    two = (pl.col("label") != pl.col("label_b")) & (pl.min_horizontal("n_mentions", "n_mentions_b") >= _TWO_TYPES)
    scoped = pl.col("key_b").str.contains("@", literal=True)  # an unlinked lone name: lone_surnames
    cols = ["canonical_name", "label", "key", "n_mentions", "canonical_name_b", "label_b", "key_b", "n_mentions_b"]
    twins = pairs.filter(~homonym & ~two & ~scoped).select(cols)
    homonyms = pairs.filter(homonym).select(cols)
    two_types = pairs.filter(two & ~homonym).select(cols)

    f = clitics.prior()
    word = _first_word(pl.col("canonical_name"))
    known = pl.concat([e.select(w=orthography_expr(pl.col("canonical_name"))),
                       pl.DataFrame({"w": list(places.place_names())})]).unique()
    reads = []
    for prefix, cut, put in clitics.PREFIXES:
        reads.append(ranked.filter(word.str.starts_with(prefix)).with_columns(
            t=word, r=pl.lit(put) + word.str.slice(cut), prefix=pl.lit(prefix),
            rest=pl.lit(put) + orthography_expr(pl.col("canonical_name")).str.slice(cut)))
    cl = pl.concat(reads).filter(pl.col("r").str.replace("^ال", "").str.len_chars() >= 3)
    # ب، ك، ل never stand before the conjunctions و، ف: بوروسيا is not ب + وروسيا (و + روسيا).
    cl = cl.filter(~(pl.col("prefix").is_in(["ب", "ك", "ل"]) & pl.col("r").str.contains("^[وف]")
                     & pl.col("r").str.slice(1).is_in(known["w"].implode())))
    cl = (cl.join(known, left_on="rest", right_on="w", how="semi")
          .join(f.rename({"word": "t", "freq": "f_t"}), on="t", how="left")
          .join(f.rename({"word": "r", "freq": "f_r"}), on="r", how="inner")
          .filter(pl.col("f_t").fill_null(0.0) < _CLITIC_RATIO * pl.col("f_r"))
          .unique("entity_id").select("canonical_name", "label", "n_mentions", "prefix", "r"))

    titles = [name_key_of(t) for t in TITLES]
    toks = name_key(pl.col("canonical_name")).str.split(" ")
    # a person's name only: الفريق is "the team" in الفريق الملكي, الشيخ starts the place الشيخ جراح
    title_names = ranked.filter((pl.col("label") == "PERS") & toks.list.first().is_in(titles)).select(
        "canonical_name", "label", "n_mentions")

    pers = e.filter(pl.col("label") == "PERS")
    multi = pers.filter((pl.col("n_documents") >= 2) & (toks.list.len() >= 2)).select(
        w=toks.list.last(), person="canonical_name", person_mentions="n_mentions")
    # A surname matches a person when one person holds most of the word's full-name mentions
    # (صدام حسين, طه حسين and محمود حسين: حسين matches nobody).
    multi = multi.with_columns(share=pl.col("person_mentions") / pl.col("person_mentions").sum().over("w")) \
        .filter(pl.col("share") >= _DOMINANT).drop("share")
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
        "check": ["twins", "homonyms", "two_types", "clitic_names", "title_names", "lone_surnames", "mixed_labels"],
        "n": [twins.height, homonyms.height, two_types.height, cl.height, title_names.height, lone.height, mixed.height],
        "detail": [f"among the top {top}", f"among the top {top} (linked places of other ids)",
                   f"among the top {top} (another label, both ≥ {_TWO_TYPES} mentions)",
                   f"among the top {top}", f"among the top {top}",
                   f"{lone_share:.2%} of PERS mentions", "second label ≥ 10% of mentions"],
    })
    return {"summary": summary, "twins": twins, "homonyms": homonyms, "two_types": two_types, "clitic_names": cl,
            "title_names": title_names, "lone_surnames": lone.sort("n_mentions", descending=True),
            "mixed_labels": mixed}

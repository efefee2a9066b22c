"""Entities decided over the whole corpus: one entity per real-world thing, whatever the batch.

:func:`corpus_entities` takes every (document, label, spelling) of the warehouse's mentions with
its count and decides, from evidence across all of them:

1. the clitics of each spelling (:mod:`~transforms.entities.clitics`: ``لحزب الله`` → ``حزب الله``,
   ``بايدن`` stays whole) and its name key (:func:`~transforms.entities.key.name_key`);
2. the stop list (``data/stop_entities.tsv``: currencies, months, titles without a name): such
   mentions name no entity;
3. the label, by vote over the corpus per name key (``بريكس`` tagged ORG 40 times and LOC 9 is
   one ORG); where a name is genuinely two types (the second label holds ≥ 30% and ≥ 50
   mentions in ≥ 20 documents), each document's own majority decides;
4. places in context (:mod:`~transforms.entities.geocode`), people by linking
   (:mod:`~transforms.entities.linking`), organisation aliases (``data/orgs_ar.tsv``), a
   country's bodies (:mod:`~transforms.entities.bodies`: ``وزارة الصحة`` per country);
5. cross-key merges (:func:`~transforms.entities.merge.merge_entities`: transliteration variants,
   ``حركة حماس`` = ``حماس``), and ids ``stable_id(label, key)`` of each group's representative,
   which merge chooses without counts.

Every decision is a function of the whole table, so batches and runs in any order give the same
entities; :func:`transforms.entities.redirects.redirects` lists the ids a spelling could have had.
"""
from __future__ import annotations

from functools import lru_cache

import polars as pl

from transforms.entities import bodies, clitics, geocode, linking, orgs, places
from transforms.entities.key import name_key, name_key_of, orthography_expr
from transforms.entities.merge import merge_entities
from transforms.ids import stable_id_expr

TWO_TYPES = (0.3, 50, 20)  # second label's share, mentions and documents
TITLES = ("الرئيس", "رئيس", "الزعيم", "زعيم", "الوزير", "وزير", "الملك", "الأمير", "الشيخ",
          "السيد", "السيدة", "الدكتور", "د", "المستشار", "المستشارة", "الجنرال", "العقيد",
          "الرئيسان", "الزعيمان", "نظيره", "الإمام", "البابا", "السفير", "النائب", "العاهل",
          "ولي", "المرشد", "اللواء", "الفريق", "المشير", "القاضي", "الأستاذ", "المهندس", "الحاج")
# Function words the tagger sweeps into the start of a span (فإن نيمار, فإن بريكست): any label.
_FUNCTION = "^(?:[فو]?[إأا]ن|ب[أا]ن|ل[أا]ن|و?لكن) +"
ENTITY_COLUMNS = {
    "entity_id": pl.Utf8, "canonical_name": pl.Utf8, "label": pl.Utf8, "key": pl.Utf8,
    "country_code": pl.Utf8, "geonames_id": pl.Int64, "lat": pl.Float64, "lon": pl.Float64,
    "n_mentions": pl.Int64, "n_documents": pl.Int64,
}


@lru_cache(maxsize=1)
def stop_list() -> pl.DataFrame:
    """``key, label, reason``: one row per label a stopped name is stopped under."""
    rows = []
    for name, labels, reason in places._read_tsv("stop_entities.tsv"):
        for label in (("PERS", "LOC", "ORG", "MISC") if labels == "ALL" else labels.split(",")):
            rows.append((name_key_of(name), label, reason))
    return pl.DataFrame(rows, schema={"key": pl.Utf8, "label": pl.Utf8, "reason": pl.Utf8},
                        orient="row").unique(["key", "label"])


@lru_cache(maxsize=1)
def person_noise() -> frozenset[str]:
    """Name keys of titles and nationality adjectives: never part of a person's name at its start."""
    nat = places.countries().filter(pl.col("is_nationality"))["name"].to_list()
    return frozenset(name_key_of(t) for t in list(TITLES) + nat)


def _title_form(expr: pl.Expr) -> pl.Expr:
    return orthography_expr(expr).str.replace("^ال", "")


@lru_cache(maxsize=1)
def title_forms() -> frozenset[str]:
    """Titles and nationality adjectives as written (orthography, article off), the words
    :func:`_strip_titles` drops; name keys would be too loose (``لبنى`` keys as ``لبناني``)."""
    nat = places.countries().filter(pl.col("is_nationality"))["name"].to_list()
    forms = pl.DataFrame({"w": list(TITLES) + nat}).select(_title_form(pl.col("w")))["w"]
    return frozenset(forms.to_list())


def _strip_titles(stems: pl.Series) -> pl.DataFrame:
    """``stem`` → ``stem, bare`` for the stems that lose something: leading title/nationality
    words dropped, one word kept at least (``الرئيس الأمريكي دونالد ترامب`` → ``دونالد ترامب``;
    ``لبنى العليان`` stays whole, so it has no row).

    A title without the article before a word with it is a construct phrase: a title of two
    words before a name (``ولي العهد محمد بن سلمان`` → ``محمد بن سلمان``), or, with nothing after
    it, a name whole (``شيخ الجبل``, a family, is not ``الجبل``, "the mountain")."""
    noise = list(title_forms())
    d = pl.DataFrame({"stem": stems}).unique()
    # Most names start with no title: only those whose first word is one are split into words.
    d = d.filter(_title_form(pl.col("stem").str.extract(r"^(\S+)")).is_in(noise))
    words = d.select("stem", w=pl.col("stem").str.split(" ")).with_row_index("i").explode("w")
    words = words.join(words.select("w").unique().with_columns(k=_title_form(pl.col("w"))), on="w",
                       maintain_order="left")
    definite = pl.col("w").str.starts_with("ال")
    words = words.with_columns(pos=pl.int_range(pl.len()).over("i"), n=pl.len().over("i"),
                               title=pl.col("k").is_in(noise))
    construct = (pl.col("title") & ~definite & (pl.col("w") != "د")
                 & definite.shift(-1).over("i").fill_null(False))
    words = words.with_columns(complement=construct.shift(1).over("i").fill_null(False))
    words = words.with_columns(noise=pl.col("title") | pl.col("complement"))
    lead = (words.with_columns(keep=pl.col("noise").not_().cum_max().over("i")
                               | (pl.col("pos") == pl.col("n") - 1),
                               whole=pl.col("noise").all().over("i") & pl.col("complement").last().over("i"))
            .filter(pl.col("keep") | pl.col("whole"))
            .group_by("i", maintain_order=True).agg(pl.col("stem").first(), bare=pl.col("w").str.join(" ")))
    return lead.filter(pl.col("bare") != pl.col("stem")).select("stem", "bare")


def pers_surfaces(units: pl.DataFrame) -> pl.DataFrame:
    """``units`` (``doc_id, label, surface, n``) → ``surface, n``: the mentions tagged PERS,
    the evidence that keeps a given name whole (:func:`~transforms.entities.clitics.given_names`)."""
    return units.filter(pl.col("label") == "PERS").group_by("surface").agg(pl.col("n").sum())


def _vote(u: pl.DataFrame) -> pl.DataFrame:
    """Label per (doc, key): the corpus majority, or the document's where a name is two types."""
    share, n_min, d_min = TWO_TYPES
    per = u.group_by("key", "label").agg(n=pl.col("n").sum(), nd=pl.col("doc_id").n_unique())
    per = per.sort(["key", "n", "label"], descending=[False, True, False]).with_columns(
        rank=pl.int_range(pl.len()).over("key"), share=pl.col("n") / pl.col("n").sum().over("key"))
    top = per.filter(pl.col("rank") == 0).select("key", top="label")
    two = per.filter((pl.col("rank") == 1) & (pl.col("share") >= share) & (pl.col("n") >= n_min)
                     & (pl.col("nd") >= d_min)).select("key")
    doc = (u.join(two, on="key", how="semi").group_by("doc_id", "key", "label").agg(pl.col("n").sum())
           .sort(["doc_id", "key", "n", "label"], descending=[False, False, True, False])
           .unique(["doc_id", "key"], keep="first").select("doc_id", "key", doc_label="label"))
    return (u.join(top, on="key", how="left").join(doc, on=["doc_id", "key"], how="left")
            .with_columns(label=pl.coalesce("doc_label", "top")).drop("top", "doc_label"))


def _org_alias() -> pl.DataFrame:
    rows = {}
    for canonical, alias in places._read_tsv("orgs_ar.tsv"):
        rows.setdefault(name_key_of(canonical), name_key_of(canonical))
        rows.setdefault(name_key_of(alias), name_key_of(canonical))
    return pl.DataFrame({"key": list(rows), "org_key": list(rows.values())})


def resolved_units(units: pl.DataFrame, docs: pl.DataFrame, readings: pl.DataFrame | None = None
                   ) -> pl.DataFrame:
    """``units`` (``doc_id, label, surface, n``) and ``docs`` (``doc_id, source_id,
    published_at``) → ``doc_id, label, surface, n, raw_label, stem, key, group_key,
    country_code, geonames_id, lat, lon`` (``group_key`` null: not an entity).  Step 1–4 above;
    ``readings``: :func:`~transforms.entities.clitics.clitic_readings` of the spellings, if known."""
    surf = units.group_by("surface").agg(pl.col("n").sum())
    if readings is None:
        readings = clitics.clitic_readings(surf, pers=pers_surfaces(units))
    st = clitics.stems(surf, readings).with_columns(stem=pl.when(pl.col("stem").str.contains(_FUNCTION + r"\S"))
                                                     .then(pl.col("stem").str.replace(_FUNCTION, ""))
                                                     .otherwise(pl.col("stem")))
    st = st.join(st.select("stem").unique().with_columns(key=name_key(pl.col("stem"))), on="stem")
    u = units.rename({"label": "raw_label"}).join(st, on="surface", how="left")
    # Titles go before the vote, so that الرئيس بيونغ يانغ votes with بيونغ يانغ.
    raw_pers = u.filter(pl.col("raw_label") == "PERS")["stem"]
    bare = _strip_titles(raw_pers)
    bare = bare.join(bare.select("bare").unique().with_columns(bkey=name_key(pl.col("bare"))), on="bare")
    u = u.join(bare.rename({"stem": "s0"}), left_on="stem", right_on="s0", how="left").with_columns(
        key=pl.when(pl.col("raw_label") == "PERS").then(pl.coalesce("bkey", "key")).otherwise(pl.col("key"))
    ).drop("bare", "bkey")
    u = _vote(u.with_columns(label=pl.col("raw_label")))
    u = u.join(stop_list().select("key", "label", stop=pl.lit(True)), on=["key", "label"], how="left")
    u = u.with_columns(named=(pl.col("key") != "") & pl.col("stop").is_null()).drop("stop")
    pers = u.filter(pl.col("named") & (pl.col("label") == "PERS") & (pl.col("raw_label") != "PERS"))
    more = _strip_titles(pers["stem"])
    bare = pl.concat([bare, more.join(more.select("bare").unique().with_columns(
        bkey=name_key(pl.col("bare"))), on="bare")]).unique("stem")
    is_pers = pl.col("label") == "PERS"
    u = u.join(bare, on="stem", how="left").with_columns(
        stem=pl.when(is_pers).then(pl.coalesce("bare", "stem")).otherwise(pl.col("stem")),
        key=pl.when(is_pers).then(pl.coalesce("bkey", "key")).otherwise(pl.col("key"))
    ).drop("bare", "bkey")
    u = u.join(_org_alias(), on="key", how="left").with_columns(
        key=pl.when(pl.col("label") == "ORG").then(pl.coalesce("org_key", "key")).otherwise(pl.col("key"))
    ).drop("org_key")
    u = u.join(docs.select("doc_id", "source_id"), on="doc_id", how="left")
    # Places: a LOC the tagger took from a person's name (سيرجي of سيرغي لافروف) is voted PERS above.
    locs = u.filter(pl.col("named") & (pl.col("label") == "LOC"))
    nat = places.countries().filter(pl.col("is_nationality")).select(
        key=name_key(pl.col("name")), nat_cc="country_code").unique("key")
    u = u.join(nat, on="key", how="left")
    nat_docs = u.filter(pl.col("nat_cc").is_not_null()).select("doc_id", country_code="nat_cc")
    geo = geocode.geocode(locs.group_by("doc_id", "source_id", "key", "stem").agg(pl.col("n").sum()), nat_docs)
    is_loc = pl.col("label") == "LOC"
    u = u.join(geo, on=["doc_id", "key", "stem"], how="left").with_columns(
        [pl.when(is_loc).then(pl.col(c)).alias(c) for c in ("place_key", "geonames_id", "lat", "lon")]
        + [pl.when(is_loc).then(pl.col("country_code")).when(pl.col("label") == "MISC")
           .then(pl.col("nat_cc")).alias("country_code")]).drop("nat_cc")
    pers = u.filter(pl.col("named") & (pl.col("label") == "PERS"))
    cols = ["doc_id", "key", "stem", "n"] + (["n_glued"] if "n_glued" in pers.columns else [])
    context = u.filter(pl.col("named") & (pl.col("label") != "PERS")).select("doc_id", "key")
    pk = linking.person_keys(pers.select(cols), docs, person_noise(), context)
    u = u.join(pk, on=["doc_id", "key"], how="left")
    # A ministry, an army, a parliament: one entity per country (transforms.entities.bodies).
    body = pl.col("named") & pl.col("label").is_in(["ORG", "LOC"]) & pl.col("place_key").is_null()
    bk = bodies.body_keys(u.filter(body).select("doc_id", "key"))
    u = u.join(bk, on=["doc_id", "key"], how="left").with_columns(
        country_code=pl.coalesce("country_code", "body_cc"), named_cc=pl.col("named_cc").fill_null(False))
    return u.with_columns(group_key=pl.when(~pl.col("named")).then(None)
                          .when(pl.col("place_key").is_not_null()).then(pl.col("place_key"))
                          .when(pl.col("label") == "PERS").then(pl.col("person_key"))
                          .when(pl.col("body_key").is_not_null()).then(pl.col("body_key"))
                          .otherwise(pl.col("key"))).drop("named", "person_key", "source_id", "body_key", "body_cc")


def corpus_entities(units: pl.DataFrame, docs: pl.DataFrame, readings: pl.DataFrame | None = None
                    ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Resolve every mention of the warehouse.

    Input ``units``: ``doc_id, label, surface, n`` (mentions per document, label and spelling;
    optionally ``n_glued``: those of the ``n`` written right beside another PERS mention);
    ``docs``: ``doc_id, source_id, published_at``.
    Output: (``units`` + ``entity_id`` (null: names no entity), ``entities`` with
    :data:`ENTITY_COLUMNS`).
    Example: ``لحزب الله`` ×2 and ``حزب الله`` ×5 (ORG) and ``وحزب الله`` ×1 (LOC) → one ORG
    entity named ``حزب الله`` with 8 mentions.
    """
    u = resolved_units(units, docs, readings)
    groups = u.filter(pl.col("group_key").is_not_null()).group_by("label", "group_key").agg(
        pl.col("country_code", "geonames_id").first()).rename({"group_key": "key"})
    plain = groups.filter(~pl.col("key").str.contains("[@:]"))
    rep = _merge(plain).select("label", group_key="key", rep="rep")
    u = u.join(rep, on=["label", "group_key"], how="left").with_columns(
        rep=pl.coalesce("rep", "group_key"))
    ids = u.select("label", "rep").unique().drop_nulls().with_columns(entity_id=stable_id_expr("label", "rep"))
    u = u.join(ids, on=["label", "rep"], how="left")
    return u.select("doc_id", "raw_label", "surface", "n", "entity_id", "stem", "label", "rep",
                    "country_code", "geonames_id", "lat", "lon").rename({"raw_label": "mention_label"}), \
        _entities(u)


def _loose(key: pl.Expr) -> pl.Expr:
    """Vectorized ``merge._loose``: medial ا و ي dropped from words still ≥ 5 letters after it."""
    def word(w: pl.Expr) -> pl.Expr:
        n = w.str.len_chars()
        lt = pl.concat_str([w.str.slice(0, 1), w.str.slice(1, (n - 2).clip(lower_bound=0))
                            .str.replace_all("[اوي]", ""), w.str.slice(-1, 1)])
        lt = pl.when(n > 2).then(lt).otherwise(w)
        return pl.when(lt.str.len_chars() >= 5).then(lt).otherwise(w)
    return key.str.split(" ").list.eval(word(pl.element())).list.join(" ")


def _merge(plain: pl.DataFrame) -> pl.DataFrame:
    """``label, key`` (+ geo) → ``label, key, rep``: :func:`merge_entities` over the groups that can
    merge at all (a loose key shared with another group, or an organisation type word and the
    name it would leave), every other group its own representative.  A name that two types of
    organisation carry (``صحيفة أساهي``, ``شركة أساهي``) is left out: neither joins ``أساهي``,
    which would join them to each other."""
    types = list(orgs.org_type_keys())
    toks = pl.col("key").str.split(" ")
    p = plain.with_columns(loose=_loose(pl.col("key")))
    shared = pl.len().over("label", "loose") > 1
    typed = (pl.col("label") == "ORG") & (toks.list.len() > 1) & toks.list.first().is_in(types)
    rests = p.filter(typed).select("label", type=toks.list.first(), key=toks.list.slice(1).list.join(" "))
    two = rests.group_by("label", "key").agg(pl.col("type").n_unique()).filter(pl.col("type") > 1).drop("type")
    cand = p.filter(shared | typed).vstack(p.join(rests, on=["label", "key"], how="semi")).unique(["label", "key"])
    cand = cand.join(two, on=["label", "key"], how="anti")
    cand = cand.with_columns(entity_id=stable_id_expr("label", "key"))
    canon = merge_entities(cand.drop("loose")).join(
        cand.select("entity_id", "label", rep="key"), left_on="canonical_entity_id", right_on="entity_id")
    rep = cand.select("entity_id", "label", "key").join(canon.select("entity_id", "rep"), on="entity_id")
    return plain.select("label", "key").join(rep.select("label", "key", "rep"), on=["label", "key"], how="left") \
        .with_columns(rep=pl.coalesce("rep", "key"))


def _entities(u: pl.DataFrame) -> pl.DataFrame:
    """One row per entity, named by its most frequent spelling; a person by the most frequent
    spelling with as many words as its key (``بنيامين نتنياهو`` over ``نتنياهو``), else the
    longest in words. Ties by length then text. An organisation is not named by the longest
    spelling its group holds: that is often a tagger's run-on span (``المنظمة مجلس الأمن الدولي``)."""
    e = u.filter(pl.col("entity_id").is_not_null())
    if "named_cc" not in e.columns:  # units resolved without a country's bodies
        e = e.with_columns(named_cc=pl.lit(False))
    ntok = pl.col("rep").str.split("@").list.first().str.count_matches(" ") + 1
    is_pers = pl.col("label") == "PERS"
    spellings = e.group_by("entity_id", "label", "rep", "stem").agg(pl.col("n").sum(), pl.col("named_cc").any())
    # A spelling that is a proclitic plus another spelling of the entity is never its name, however
    # often the corpus writes it (``لبي بي سي``, "told the BBC", beside ``بي بي سي``).
    rest = pl.concat([spellings.select("entity_id", "stem", rest=pl.col("stem").str.replace(p, r))
                      for p, r in (("^[وف]", ""), ("^[وف]?[بكل]", ""), ("^([وف]?)لل", "${1}ال"))])
    clitic = rest.filter(pl.col("rest") != pl.col("stem")).join(
        spellings.select("entity_id", rest="stem"), on=["entity_id", "rest"], how="semi").select(
        "entity_id", "stem").unique().with_columns(clitic=pl.lit(True))
    names = (spellings.join(clitic, on=["entity_id", "stem"], how="left")
             .with_columns(clitic=pl.col("clitic").fill_null(False),
                           full=is_pers & ((pl.col("stem").str.count_matches(" ") + 1) == ntok))
             .with_columns(len=pl.col("stem").str.len_chars(),
                           words=pl.when(is_pers).then(pl.col("stem").str.count_matches(" ")).otherwise(0))
             .sort(["entity_id", "clitic", "named_cc", "full", "words", "n", "len", "stem"],
                   descending=[False, False, True, True, True, True, False, False])
             .unique("entity_id", keep="first").select("entity_id", "rep", "named_cc", canonical_name="stem"))
    names = bodies.with_country(names).select("entity_id", "canonical_name")
    geo = (e.filter(pl.col("country_code").is_not_null())
           .group_by("entity_id", "country_code", "geonames_id", "lat", "lon").agg(pl.col("n").sum())
           .sort(["entity_id", "n", "country_code"], descending=[False, True, False])
           .unique("entity_id", keep="first").drop("n"))
    return (
        e.group_by("entity_id").agg(pl.col("label").first(), key=pl.col("rep").first(),
                                    n_mentions=pl.col("n").sum(), n_documents=pl.col("doc_id").n_unique())
        .join(names, on="entity_id").join(geo, on="entity_id", how="left")
        .select(list(ENTITY_COLUMNS)).cast(ENTITY_COLUMNS).sort("entity_id")
    )

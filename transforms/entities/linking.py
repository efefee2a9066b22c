"""Person linking: a bare surname or first name joins the full-name person it most likely is.

In the order of the evidence:

1. the full name of the same article (``نتنياهو`` after ``بنيامين نتنياهو``:
   :func:`transforms.entities.coref.person_coref`);
2. else the corpus's dominant person with that name, when unambiguous by share and time: among
   the full names (of ≥ 2 documents) that end with the word — or, for a first name, every full
   name that starts with it, however few its documents — mentioned within a year of the
   article, one of ≥ 2 documents holds at least :data:`DOMINANT_SHARE` of the mentions
   (``ترامب`` → ``دونالد ترامب`` beside ``إيفانكا ترامب``; ``مصعب`` is not ``مصعب المدرس`` when
   ``مصعب ساسي`` and ``مصعب أبو قرين`` are named once each); the article must match
   (``الصادق`` is not ``محمد صادق``), a word right after a compound particle (``بن``، ``عبد``،
   ``أبو``) is not a surname, a first word with the article is no given name
   (``الموسيقار`` of ``الموسيقار طلال`` is a descriptor), and the article shares a place,
   organisation or other name with an article of the full name (:func:`_in_context`);
3. else the name stays its own entity, scoped to its article (``key@doc_id``): two articles'
   ``إسماعيل`` need not be one man.

In an article, a two-word name that ends a longer one where both start with a given name is
the father of the nasab (``سليمان العليان`` in ``لبنى سليمان العليان``), not a short form; and a
word the corpus ends more names with than it starts is a surname, so a span it starts holds two
people (``ترمب كومي``, "Trump fired Comey") and is no full name of ``ترمب``.

A one-word name each of whose mentions in the article is written right beside another person's
name (one space apart, no و between) is a piece of a name the tagger split — ``كينيدي`` of
``كينيدي ماكين`` (Cindy McCain) in an article that also names ``جون كينيدي`` — and joins nobody.
"""
from __future__ import annotations

import polars as pl

from transforms.entities import coref
from transforms.entities.key import orthography_expr

DOMINANT_SHARE = 0.75
GIVEN_MIN = 3  # different names a word must start to be taken for a given name (as in clitics)
DOC_SCOPE = "@"
_MIN_LONE = 3  # letters: شي alone is too short to name someone across articles
_YEAR_WINDOW = (-1, 0, 1)


def _coref_docs(pairs: pl.DataFrame) -> pl.DataFrame:
    """Documents where a short name's words all occur in a longer name of the same document: the
    only ones where in-document coreference can link anything (the rest skip its Python)."""
    p = pairs.with_columns(ntok=pl.col("key").str.count_matches(" ") + 1)
    words = p.select("doc_id", "ntok", w=pl.col("key").str.split(" ")).explode("w")
    longest = p.group_by("doc_id").agg(top=pl.col("ntok").max())
    long_words = words.join(longest, on="doc_id").filter(pl.col("ntok") >= 2).select("doc_id", "w").unique()
    short = p.filter(pl.col("ntok") <= 2).join(longest, on="doc_id").filter(pl.col("ntok") < pl.col("top"))
    hits = (short.select("doc_id", "key", "ntok", w=pl.col("key").str.split(" ")).explode("w")
            .join(long_words, on=["doc_id", "w"], how="semi")
            .group_by("doc_id", "key", "ntok").len().filter(pl.col("len") == pl.col("ntok")))
    return hits.select("doc_id").unique()


def _not_the_father(coref_map: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Undo the in-article links of a two-word name to a longer name it ends, when both start
    with a given name (a word that starts :data:`GIVEN_MIN` different names of the corpus): in
    ``لبنى سليمان العليان`` (Lubna, daughter of Sulaiman Olayan) ``سليمان العليان`` is her
    father. ``بن سلمان`` of ``محمد بن سلمان`` starts with a particle and keeps its link."""
    toks = pl.col("key").str.split(" ")
    multi = pairs.select("key").unique().filter(toks.list.len() >= 2)
    given = (multi.select(w=toks.list.first(), second=toks.list.get(1)).unique().group_by("w").len()
             .filter(pl.col("len") >= GIVEN_MIN)["w"].implode())
    ctoks = pl.col("coref_key").str.split(" ")
    father = ((toks.list.len() == 2) & (ctoks.list.len() > 2)
              & ~pl.col("coref_key").str.starts_with(pl.col("key") + " ")
              & toks.list.first().is_in(given) & ~toks.list.first().is_in(list(coref._COMPOUND))
              & ctoks.list.first().is_in(given))
    return coref_map.with_columns(coref_key=pl.when(father).then(pl.col("key")).otherwise(pl.col("coref_key")))


def _not_two_people(coref_map: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Undo the in-article link of a one-word name to a longer name it starts, when the corpus
    ends more names with that word than it starts: a surname followed by another name is two
    people in one span (``ترمب`` of ``ترمب كومي``, "Trump fired Comey"), while ``إيما`` of
    ``إيما جاكسون`` is a given name."""
    toks = pl.col("key").str.split(" ")
    multi = pairs.select("key").unique().filter(toks.list.len() >= 2)
    ends = multi.group_by(w=toks.list.last()).agg(ends=pl.len())
    starts = multi.group_by(w=toks.list.first()).agg(starts=pl.len())
    surnames = (ends.join(starts, on="w", how="left").filter(pl.col("ends") > pl.col("starts").fill_null(0))
                ["w"].implode())
    undo = (~pl.col("key").str.contains(" ", literal=True) & pl.col("coref_key").str.starts_with(pl.col("key") + " ")
            & pl.col("key").is_in(surnames))
    return coref_map.with_columns(coref_key=pl.when(undo).then(pl.col("key")).otherwise(pl.col("coref_key")))


def _letters(word: pl.Expr) -> pl.Expr:
    return orthography_expr(word).str.len_chars().cast(pl.UInt32)


def _year(docs: pl.DataFrame) -> pl.DataFrame:
    return docs.select("doc_id", year=pl.col("published_at").dt.year())


def _in_context(linked: pl.DataFrame, full: pl.DataFrame, context: pl.DataFrame) -> pl.DataFrame:
    """The ``linked`` rows (``doc_id, key, link``) whose article names a place, organisation or
    other name (``context``: ``doc_id, key``) that an article of the full name also names: a
    footballer ``أوتيرو`` among clubs and leagues is not the judge ``جيمس أوتيرو`` of court cases."""
    targets = linked.select("link").unique()
    pdocs = full.join(targets, left_on="pkey", right_on="link", how="semi").select(
        link="pkey", doc_id="doc_id").unique()
    context = context.join(pl.concat([pdocs.select("doc_id"), linked.select("doc_id")]).unique(),
                           on="doc_id", how="semi").unique()
    profile = pdocs.join(context, on="doc_id").select("link", "key").unique()
    mine = linked.select("doc_id", "link", lone="key").join(context, on="doc_id")
    ok = mine.join(profile, on=["link", "key"], how="semi").select("doc_id", key="lone").unique()
    return linked.join(ok, on=["doc_id", "key"], how="semi")


def person_keys(pers: pl.DataFrame, docs: pl.DataFrame, noise: frozenset[str],
                context: pl.DataFrame | None = None) -> pl.DataFrame:
    """``pers``: ``doc_id, key, stem, n`` of PERS names (name keys without titles; ``stem`` as
    written without clitics or titles), and optionally ``n_glued`` (how many of the ``n`` sit
    right beside another PERS mention); ``docs``: ``doc_id, published_at``; ``context``
    (``doc_id, key`` of the other names of each article), when given, must share a name between
    a lone name's article and the articles of the full name it links to.
    Output: ``doc_id, key, person_key`` — the full name's key, the key itself (a full name), or
    ``key@doc_id`` (a lone name linked to nobody).
    Example: ``نتنياهو`` in an article without the full name, in a corpus where
    ``بنيامين نتنياهو`` holds the mentions of that surname → ``person_key`` ``بنيامين نتنياهو``.
    """
    glued = pl.col("n_glued") if "n_glued" in pers.columns else pl.lit(0)
    piece = pers.group_by("doc_id", "key").agg(piece=(glued.sum() == pl.col("n").sum())
                                                & ~pl.col("key").first().str.contains(" ", literal=True))
    pers = pers.select("doc_id", "key", "stem", "n").join(piece, on=["doc_id", "key"])
    pairs = pers.filter(~pl.col("piece")).select("doc_id", "key").unique()
    coref_map = _not_the_father(coref.person_coref(pairs.join(_coref_docs(pairs), on="doc_id", how="semi"),
                                                   noise), pairs)
    coref_map = _not_two_people(coref_map, pairs)
    p = pers.join(coref_map, on=["doc_id", "key"], how="left").with_columns(
        pkey=pl.coalesce("coref_key", "key")).join(_year(docs), on="doc_id", how="left")
    ntok = pl.col("pkey").str.count_matches(" ") + 1
    full = p.filter(ntok >= 2)
    fstats = full.group_by("pkey").agg(n=pl.col("n").sum(), nd=pl.col("doc_id").n_unique())
    display = (full.group_by("pkey", "stem").agg(pl.col("n").sum())
               .sort(["pkey", "n", "stem"], descending=[False, True, False])
               .unique("pkey", keep="first").select("pkey", fstem="stem"))
    toks = pl.col("pkey").str.split(" ")
    ftoks = pl.col("fstem").str.split(" ")
    # Every full name counts towards a word's share, but only one of two documents or more is a
    # link target: the corpus names many men مصعب once each, so مصعب alone is not مصعب المدرس.
    per_year = full.group_by("pkey", "year").agg(pl.col("n").sum()).join(
        fstats.select("pkey", multi=pl.col("nd") >= 2), on="pkey").join(display, on="pkey")
    # One candidate row per (word, full name): the last word unless after a compound particle,
    # and the first word; "al" says whether the full name writes that word with the article.
    last = per_year.filter(pl.col("multi") & ~toks.list.get(-2).is_in(list(coref._COMPOUND))).with_columns(
        word=toks.list.last(), al=ftoks.list.last().str.starts_with("ال"), letters=pl.lit(None, pl.UInt32))
    # A first word with the article is a descriptor more often than a given name (الموسيقار طلال,
    # الفنان محمد عبده): a lone one names a different person in other articles.  A first name
    # links with as many letters as written: keys drop a medial alef, and سوريان ("two
    # Syrians") is not سورين of سورين سكو.
    first = per_year.filter(~ftoks.list.first().str.starts_with("ال")).with_columns(
        word=toks.list.first(), al=pl.lit(False), letters=_letters(ftoks.list.first()))
    cands = pl.concat([last, first]).unique(["pkey", "year", "word"])
    cands = pl.concat([cands.with_columns(year=pl.col("year") + d) for d in _YEAR_WINDOW])
    def dominant(by: list[str]) -> pl.DataFrame:
        g = cands.group_by(*by, "pkey", "al", "letters", "multi").agg(pl.col("n").sum())
        g = g.with_columns(share=pl.col("n") / pl.col("n").sum().over(by))
        return (g.sort([*by, "n", "pkey"], descending=[*([False] * len(by)), True, False])
                .unique(by, keep="first").filter((pl.col("share") >= DOMINANT_SHARE) & pl.col("multi"))
                .select(*by, link="pkey", link_al="al", link_letters="letters"))
    lone = p.filter((ntok == 1) & (pl.col("pkey").str.len_chars() >= _MIN_LONE) & ~pl.col("piece")
                    & ~pl.col("pkey").is_in(list(noise)))
    lone = lone.with_columns(word=pl.col("pkey"), al=pl.col("stem").str.starts_with("ال"))
    dated = lone.filter(pl.col("year").is_not_null()).join(dominant(["word", "year"]), on=["word", "year"], how="left")
    undated = lone.filter(pl.col("year").is_null()).join(dominant(["word"]), on="word", how="left")
    linked = pl.concat([dated, undated], how="diagonal_relaxed").filter(
        pl.col("link").is_not_null() & (pl.col("al") == pl.col("link_al"))
        & (pl.col("link_letters").is_null() | (pl.col("link_letters") == _letters(pl.col("stem"))))).select(
        "doc_id", "key", link="link").unique(["doc_id", "key"])
    if context is not None:
        linked = _in_context(linked, full, context)
    return (
        p.join(linked, on=["doc_id", "key"], how="left")
        .with_columns(person_key=pl.when(pl.col("link").is_not_null()).then(pl.col("link"))
                      .when(ntok == 1).then(pl.concat_str([pl.col("pkey"), pl.lit(DOC_SCOPE), pl.col("doc_id")]))
                      .otherwise(pl.col("pkey")))
        .select("doc_id", "key", "person_key").unique(["doc_id", "key"])
    )

"""Proclitics decided from evidence: is the leading و ف ب ك ل (or لل) of a name a clitic?

A fixed rule cannot tell ``لروسيا`` (ل + روسيا) from ``بايدن`` (a name, not ب + ايدن) or ``كريم``
(not ك + ريم).  For the first word ``t`` of every name and each way to read a clitic off it
(``c + r``: و ف ب ك ل, وب ول وك فب فل فك, and لل = ل + ال), two kinds of evidence are weighed:

* the corpus — how often ``t`` and ``r`` are written as words of the warehouse's mentions
  (``ρ = (n(t) + ½) / (n(r) + ½)``), and whether ``t`` itself follows another clitic that cannot
  stand before ``c`` (``لبايدن``, ``البريكس``, ``بواشنطن``: then ``t`` is a whole word, when
  such forms are at least a fifth as frequent as ``t``: بوروسيا is a club, not ب + وروسيا);
* a general prior — the word frequencies of wordfreq's Arabic list (``π = f(t) / f(r)``, CC BY-SA
  4.0 data read from the installed package): ``f(لروسيا) / f(روسيا) = 0.04`` while
  ``f(بايدن) / f(ايدن) ≈ 1``.

``c`` is read off when ``r`` is a name (a word of some mention, a place of the gazetteers, or a
common word after the article: ``للحزب`` is ل + ``الحزب``),
``t`` is not written more often than ``r`` (from two mentions on), and the weighted mean
of ``ln ρ`` (weight ``n / (n + 10)``, ``n = n(t) + n(r)``) and ``ln π`` (weight 1 when the list
knows either word) is below ``ln 0.25`` — a clitic form is rarely a quarter as frequent as its
word — or below ``ln 1`` when the rest has the article (``للأمم`` is ل + ``الأمم`` though a
third as frequent: a word that starts with لل, or a proclitic and ال, is almost never whole).
With no evidence either way the word stays whole, and so does a word the list finds at least as
often as its rest, whatever names the corpus ends with the rest (``بليغ``, "eloquent" and the
composer Baligh, is not ب + ``ليغ``, Liège, though ``يوروبا ليغ`` writes ``ليغ`` often).

A given name whose first letter is a proclitic letter (``لبنى``, ``فراس``) is a rare word next to
the common word it would leave (بنى "built", راس "head"), so both kinds of evidence read it as a
clitic.  The corpus's people decide instead: a word that starts the names of at least
:data:`GIVEN_MIN` different people (distinct second words of multi-word PERS spellings: ``لبنى
سليمان العليان``, ``لبنى نعمان``, ``لبنى أبيضار``), more than twice as many as its rest does,
stays whole in a spelling tagged PERS mostly — unless the corpus also writes that very name
without the letter (``لدونالد ترامب`` beside ``دونالد ترامب``).
"""
from __future__ import annotations

import gzip
import importlib.util
import math
from functools import lru_cache
from pathlib import Path

import polars as pl

from transforms.entities import places
from transforms.entities.key import orthography_expr

THRESHOLD = 0.25
_CORPUS_WEIGHT = 10.0  # mentions at which corpus counts weigh as much as the prior
_ONE = "وفبكل"
# (prefix in orthography, letters cut, replacement put back): لل is ل + ال written short.
PREFIXES: tuple[tuple[str, int, str], ...] = tuple(
    [(c, 1, "") for c in _ONE]
    + [(a + b, 2, "") for a in "وف" for b in "بكل"]
    + [("لل", 1, "ا"), ("ولل", 2, "ا"), ("فلل", 2, "ا")]
)
# Clitics that cannot stand before a word starting with these letters' clitic readings.
_BLOCKERS = {"بكل": ("ب", "ك", "ل", "ال"), "وف": ("و", "ف", "ب", "ك", "ل", "ال")}
_MIN_REST = 3
_BLOCK_SHARE = 0.2  # بوروسيا (Borussia) is no evidence that وروسيا is a word of its own
_EPS = 1e-9  # below the list's smallest frequency (1e-8): a word it lacks is rarer than any it has
GIVEN_MIN = 3  # different people whose names a word must start to count as a given name


@lru_cache(maxsize=1)
def prior() -> pl.DataFrame:
    """``word`` (orthography form) → ``freq`` from wordfreq's large Arabic list (the file is read
    directly: importing wordfreq costs seconds). Empty when the package is absent."""
    spec = importlib.util.find_spec("wordfreq")
    empty = pl.DataFrame(schema={"word": pl.Utf8, "freq": pl.Float64})
    if spec is None or not spec.submodule_search_locations:
        return empty
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "large_ar.msgpack.gz"
    if not path.exists():
        return empty
    import msgpack

    with gzip.open(path, "rb") as f:
        bins = msgpack.load(f, raw=False)[1:]  # [header, words at -0 cB, at -1 cB, …]
    words = [w for b in bins for w in b]
    cb = [i for i, b in enumerate(bins) for _ in b]
    return (
        pl.DataFrame({"word": words, "cb": cb}, schema={"word": pl.Utf8, "cb": pl.Int32})
        .with_columns(word=orthography_expr(pl.col("word")),
                      freq=pl.lit(10.0).pow(-pl.col("cb").cast(pl.Float64) / 100))
        .group_by("word").agg(pl.col("freq").sum())
    )


def word_counts(surfaces: pl.DataFrame) -> pl.DataFrame:
    """``surface, n`` (mentions per spelling) → ``word, n``: how often each word (orthography form)
    is written in mentions, in any position (``سيرغي لافروف`` ×3 counts ``لافروف`` 3 times)."""
    return (
        surfaces.select(word=orthography_expr(pl.col("surface")).str.split(" "), n="n")
        .explode("word").filter(pl.col("word") != "")
        .group_by("word").agg(pl.col("n").sum())
    )


def given_names(pers: pl.DataFrame) -> pl.DataFrame:
    """``surface, n`` of PERS mentions → ``word, n_given``: how many different names (by their
    second word) of two words or more start with each word (orthography form).

    Example: ``لبنى سليمان العليان``, ``لبنى نعمان``, ``لبنى العليان`` → ``لبني``: 3.
    """
    w = pers.select(w=orthography_expr(pl.col("surface")).str.split(" ")).filter(pl.col("w").list.len() >= 2)
    return (w.select(word=pl.col("w").list.first(), second=pl.col("w").list.get(1)).unique()
            .group_by("word").agg(n_given=pl.len().cast(pl.Int64)))


def _given_kept(r: pl.DataFrame, surfaces: pl.DataFrame, pers: pl.DataFrame) -> pl.DataFrame:
    """``r`` (readings with ``surface, word, rest, tail``) + ``given``: the reading would cut a
    given name (see the module docstring) off a spelling tagged PERS mostly."""
    g = given_names(pers)
    share = surfaces.select("surface", "n").join(pers.select("surface", n_p="n"), on="surface", how="left")
    mostly = share.filter(pl.col("n_p").fill_null(0) * 2 > pl.col("n")).select("surface", is_pers=pl.lit(True))
    written = surfaces.select(form=orthography_expr(pl.col("surface"))).unique().with_columns(without=pl.lit(True))
    r = (r.join(g.rename({"n_given": "g_t"}), on="word", how="left")
         .join(g.rename({"word": "rest", "n_given": "g_r"}), on="rest", how="left")
         .join(mostly, on="surface", how="left")
         .join(written, left_on=pl.col("rest") + pl.col("tail"), right_on="form", how="left"))
    given = ((pl.col("g_t").fill_null(0) >= GIVEN_MIN) & (pl.col("g_t") > 2 * pl.col("g_r").fill_null(0))
             & pl.col("is_pers").fill_null(False) & pl.col("without").is_null())
    return r.with_columns(given=given).drop("g_t", "g_r", "is_pers", "without")


def _readings(first: pl.DataFrame) -> pl.DataFrame:
    """``word`` → one row per clitic reading: ``prefix, cut, rest`` (rest ≥ 3 letters)."""
    parts = []
    for prefix, cut, put in PREFIXES:
        parts.append(
            first.filter(pl.col("word").str.starts_with(prefix)).select(
                "word", prefix=pl.lit(prefix), cut=pl.lit(cut, pl.Int32),
                rest=pl.lit(put) + pl.col("word").str.slice(cut))
        )
    r = pl.concat(parts)
    letters = r["rest"].str.replace("^ال", "").str.len_chars()
    return r.filter(letters >= _MIN_REST)


def clitic_readings(surfaces: pl.DataFrame, counts: pl.DataFrame | None = None,
                    pers: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every possible clitic reading of the first word of each ``surface`` with its evidence:
    ``surface, prefix, cut, rest, split`` (``split`` true for the one reading the evidence
    chooses, if any).  ``counts`` (``word, n``) defaults to :func:`word_counts` of ``surfaces``;
    ``pers`` (``surface, n``: the mentions tagged PERS) lets given names stay whole."""
    counts = word_counts(surfaces) if counts is None else counts
    words = orthography_expr(pl.col("surface")).str.split(" ")
    first = surfaces.select("surface", word=words.list.first(),
                            tail=pl.concat_str([pl.lit(" "), words.list.slice(1).list.join(" ")])
                            .str.strip_chars_end()).filter(pl.col("word").is_not_null())
    words = first.select("word").unique()
    r = _readings(words)
    if r.height == 0:
        return first.join(r, on="word").select("surface", "prefix", "cut", "rest", split=pl.lit(False))
    n = counts.select("word", "n")
    need = pl.concat([r["word"], r["rest"]]).unique()
    f = prior().filter(pl.col("word").is_in(need.implode()))  # a join would hash the whole list
    blocked = []
    for letters, blockers in _BLOCKERS.items():
        w = r.filter(pl.col("prefix").str.slice(0, 1).is_in(list(letters))).select("word").unique()
        hits = pl.concat([w.select("word", form=pl.lit(b) + pl.col("word")) for b in blockers])
        hits = hits.filter(~pl.col("form").str.starts_with("لل"))  # لل is ل + ال, not ل + ل
        blocked.append(hits.join(n, left_on="form", right_on="word").group_by("word")
                       .agg(blk=pl.col("n").sum()).with_columns(letters=pl.lit(letters)))
    blk = pl.concat(blocked)
    r = (
        r.with_columns(letters=pl.when(pl.col("prefix").str.slice(0, 1).is_in(list("بكل")))
                       .then(pl.lit("بكل")).otherwise(pl.lit("وف")))
        .join(blk, on=["word", "letters"], how="left")
        .join(n.rename({"n": "n_t"}), on="word", how="left")
        .join(n.rename({"word": "rest", "n": "n_r"}), on="rest", how="left")
        .join(f.rename({"freq": "f_t"}), on="word", how="left")
        .join(f.rename({"word": "rest", "freq": "f_r"}), on="rest", how="left")
        .with_columns(pl.col("blk", "n_t", "n_r").fill_null(0), pl.col("f_t", "f_r").fill_null(0.0))
    )
    nn = (pl.col("n_t") + pl.col("n_r")).cast(pl.Float64)
    # A common word behind the article (للحزب) is rarely a mention's word by itself: no
    # corpus count of it is no evidence against the reading.
    silent = pl.col("rest").str.starts_with("ال") & (pl.col("n_r") == 0)
    w_c = pl.when(silent).then(0.0).otherwise(nn / (nn + _CORPUS_WEIGHT))
    log_rho = ((pl.col("n_t") + 0.5) / (pl.col("n_r") + 0.5)).log()
    has_p = ((pl.col("f_t") > 0) | (pl.col("f_r") > 0)).cast(pl.Float64)
    log_pi = ((pl.col("f_t") + _EPS) / (pl.col("f_r") + _EPS)).log()
    score = (w_c * log_rho + has_p * log_pi) / (w_c + has_p)
    # The rest must be a name: written alone in some mention, or a place of the gazetteers with
    # the words after it, or a word of the list behind the article (للحزب: ل + الحزب); كمال is
    # not ك + مال, a common word but no name. A whole word written more often than its rest is
    # no clitic form either (unless the rest has the article).
    _article_word = pl.col("rest").str.starts_with("ال") & (pl.col("f_r") >= 1e-6)
    # A word the list finds at least as often as its rest is a word of its own, whatever names
    # the rest ends in the corpus: بليغ ("eloquent", and the composer Baligh) beside ليغ of
    # يوروبا ليغ is not ب + ليغ (Liège).
    _word_of_the_list = ((pl.col("f_t") > 0) & (pl.col("f_t") >= pl.col("f_r"))
                         & ~pl.col("rest").str.starts_with("ال"))
    r = first.join(r, on="word").with_columns(score=score).with_columns(
        known=(pl.col("rest") + pl.col("tail")).is_in(list(places.place_names())))
    r = (_given_kept(r, surfaces, pers) if pers is not None and pers.height
         else r.with_columns(given=pl.lit(False)))
    # ب، ك، ل never stand before و or ف: ب + وروسيا is no reading when وروسيا is و + روسيا; and
    # وب + يونغ needs بيونغ itself to be no more frequent than يونغ.
    conj = r.filter(pl.col("prefix").is_in(["و", "ف"]) & (pl.col("n_r") >= pl.col("n_t"))
                    & (pl.col("score") < math.log(THRESHOLD))).select(rest_w="word").unique()
    r = r.join(conj.with_columns(stacked=pl.lit(True)), left_on="rest", right_on="rest_w", how="left")
    r = r.join(n.rename({"word": "mid", "n": "n_mid"}), left_on=pl.col("word").str.slice(1), right_on="mid", how="left")
    r = r.with_columns(
        ok=((pl.col("n_r") > 0) | pl.col("known") | _article_word) & ~pl.col("given")
        & ~(pl.col("stacked").fill_null(False) & pl.col("prefix").str.slice(0, 1).is_in(list("بكل")))
        & ~((pl.col("cut") == 2) & (pl.col("n_mid").fill_null(0) > pl.col("n_r")) & (pl.col("n_mid") >= 2)) & ~((pl.col("n_t") > pl.col("n_r")) & (pl.col("n_t") >= 2) & ~pl.col("rest").str.starts_with("ال"))
        & ~_word_of_the_list
        & ((pl.col("blk") < 2) | (pl.col("blk") < _BLOCK_SHARE * pl.col("n_t")))
        & (pl.col("score") < pl.when(pl.col("rest").str.starts_with("ال")).then(0.0)
           .otherwise(math.log(THRESHOLD))))
    best = (r.filter("ok").sort("surface", "score", "prefix").unique("surface", keep="first")
            .select("surface", "prefix", best=pl.lit(True)))
    r = r.join(best, on=["surface", "prefix"], how="left").with_columns(split=pl.col("best").fill_null(False))
    return r.select("surface", "prefix", "cut", "rest", "split")


def stems(surfaces: pl.DataFrame, readings: pl.DataFrame | None = None) -> pl.DataFrame:
    """``surface, n`` → ``surface, stem``: the name without the clitic the evidence reads off
    (letters as written; لل gives ال back); ``readings`` are :func:`clitic_readings`' when known.

    Example: ``لحركة المقاومة الإسلامية حماس`` → ``حركة المقاومة الإسلامية حماس``; ``بايدن``,
    ``كريم`` and ``كولومبيا`` stay whole; ``للصين`` → ``الصين``.
    """
    r = (clitic_readings(surfaces) if readings is None else readings).filter("split")
    cut = r.select("surface", "cut", put=pl.when(pl.col("prefix").str.ends_with("لل"))
                   .then(pl.lit("ا")).otherwise(pl.lit("")))
    # Cut letters, not characters: a diacritic after a clitic letter goes with it.
    one = r"^\p{L}[\x{064B}-\x{065F}\x{0670}\x{0640}]*"
    s = pl.col("surface")
    out = surfaces.select("surface").unique().join(cut, on="surface", how="left").with_columns(
        stem=pl.when(pl.col("cut") == 1).then(pl.col("put") + s.str.replace(one, ""))
        .when(pl.col("cut") == 2).then(pl.col("put") + s.str.replace(one, "").str.replace(one, ""))
        .otherwise(s))
    return out.select("surface", "stem")

"""Stories: articles that report the same event, and duplicates: the same text republished.

Per document, at transform time, ``story_sketches`` keeps only what clustering needs (one row):

* ``minhash``: a one-permutation MinHash of the word 3-grams of ``text_key`` (``MINHASH_BUCKETS``
  values): an estimate of shingle overlap with any other document, for duplicates;
* ``terms`` / ``weights``: the ``STORY_PARAMS["terms"]`` heaviest words of the title and the lead
  (tf-idf, idf from ``lexicon/story_df.tsv.gz``), L2-normalized: their dot product is the story
  similarity of two articles;
* ``event_day``: the day the lead names (``أعلنت … الثلاثاء`` → that Tuesday), when it names one.

The warehouse joins sketches into candidate pairs (shared terms within ``window_hours``; shared
MinHash bands for duplicates) and ``transforms.story_clusters`` places each document in
publication order; ``STORY_PARAMS`` holds the thresholds of both (docs/stories.md).

Example: seed 004 (لافروف في الصين.. مباحثات حول التعاون الإستراتيجي) and seed 003 (عواصم «وكالات»:
قال وزير الخارجية الروسي سيرجي لافروف، في العاصمة الصينية بكين…) share لفرف, بكن, ونغ, and word
3-grams of one quote.
"""
from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import polars as pl

from transforms.normalize import text_key

STORY_PARAMS: dict[str, float] = {
    "terms": 32,              # words kept per document
    "title_weight": 2.0,      # a title word counts as this many occurrences
    "lead_chars": 600,        # characters of the text read after the title (about 100 words)
    "window_hours": 48,       # candidate pairs: published at most this far apart
    "span_hours": 96,         # a story covers at most four days
    "min_similarity": 0.3,    # average similarity to a story's members needed to join it
    "max_event_gap": 2,       # leads naming days this far apart are two events
    "min_pair": 0.1,          # candidate pairs below this similarity are dropped
    "fade_after_hours": 6,    # a pair's similarity fades linearly from this many hours apart …
    "fade_hours": 144,        # … by this many hours (at 48 hours apart it keeps 1 - 42/144)
    "same_source_penalty": 0.1,  # taken off the similarity of two articles of one outlet
    "shared_text_bonus": 0.2,    # times the 3-gram containment, added across outlets (wire copy)
    "duplicate_containment": 0.8,  # share of the shorter text's 3-grams found in the other
    "undated_containment": 0.05,   # an undated document's pairs must share this much text
}
MINHASH_BUCKETS = 32
DF_FILE = Path(__file__).resolve().parent / "lexicon" / "story_df.tsv.gz"

SKETCH_SCHEMA = {
    "doc_id": pl.Utf8, "minhash": pl.List(pl.UInt32), "n_shingles": pl.UInt32,
    "terms": pl.List(pl.Utf8), "weights": pl.List(pl.Float32), "event_day": pl.Date,
}

_CHAR_REF = r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);"  # &quot; &#8220; left in a title by its feed
_ARTICLE = r"^(?:[وف]?[بكل]?ال|[وف]?لل)(\p{L}{2})"  # والرئيس / بالرئيس / للرئيس → رئيس
_WORD = r"[\p{L}\p{N}]{2,}"
_TOKEN = r"[\p{L}\p{N}]+"
_WEEKDAYS = {"الاثنين": 0, "الإثنين": 0, "الأثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الاربعاء": 2,
             "الخميس": 3, "الجمعة": 4, "السبت": 5, "الأحد": 6, "الاحد": 6}
_WEEKDAY = r"(?:^|[^\p{L}])[وف]?(" + "|".join(_WEEKDAYS) + r")(?:$|[^\p{L}])"
_LEAD_CHARS = 300
_M64 = (1 << 64) - 1
# odd multipliers of the 3-gram mix and of the MinHash permutation (wrapping u64 arithmetic)
_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)


def story_words(expr: pl.Expr) -> pl.Expr:
    """Words of a ``text_key`` column, the article and a proclitic before it dropped, so that
    ``والرئيس``, ``بالرئيس`` and ``الرئيس`` are one word: ``List(Utf8)``."""
    return expr.fill_null("").str.extract_all(_WORD).list.eval(_skeleton(pl.element()))


def _skeleton(word: pl.Expr) -> pl.Expr:
    """A word without the article (and a proclitic before it) and without the long vowels after its
    first letter, so that spellings of one name meet: ``ترامب`` / ``ترمب`` → ``ترمب``, ``إيران`` /
    ``الإيراني`` → ``ارن``, ``ويست`` / ``وست`` → ``وست``."""
    w = word.str.replace(_ARTICLE, "$1")
    return w.str.slice(0, 1) + w.str.slice(1).str.replace_all("[اوىي]", "")


@cache
def document_frequencies() -> tuple[pl.DataFrame, int]:
    """``(word, df)`` of ``lexicon/story_df.tsv.gz`` and the number of articles counted: ANT words
    in two or more of 41,686 articles (a word it lacks counts as in one)."""
    with gzip.open(DF_FILE, "rt", encoding="utf-8") as fh:
        n = int(fh.readline().split("=")[1])
        rows = [line.rstrip("\n").split("\t") for line in fh]
    return pl.DataFrame({"word": [r[0] for r in rows], "df": [int(r[1]) for r in rows]},
                        schema={"word": pl.Utf8, "df": pl.UInt32}), n


def story_sketches(docs: pl.DataFrame, params: dict[str, float] = STORY_PARAMS) -> pl.DataFrame:
    """``doc_id, title, text_key, clean_text, published_at`` → one row per document:
    ``doc_id, minhash, n_shingles, terms, weights, event_day`` (``SKETCH_SCHEMA``).

    E.g. a lead ``أعلنت وزارة الخارجية الروسية، السبت، أنها ستطرد 23 دبلوماسياً`` published on
    Saturday 17 March 2018 gives ``event_day`` 2018-03-17 and terms such as ``دبلوماسيا``, ``23``.
    """
    if docs.height == 0:
        return pl.DataFrame(schema=SKETCH_SCHEMA)
    base = docs.select("doc_id")
    out = (base.join(_minhash(docs), on="doc_id", how="left")
           .join(_terms(docs, params), on="doc_id", how="left")
           .join(docs.select("doc_id", event_day=event_day(pl.col("clean_text"), pl.col("published_at"))),
                 on="doc_id", how="left"))
    return out.with_columns(
        pl.col("n_shingles").fill_null(0),
        pl.col("terms").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
        pl.col("weights").fill_null(pl.lit([], dtype=pl.List(pl.Float32))),
    ).select(list(SKETCH_SCHEMA)).cast(SKETCH_SCHEMA)


def _minhash(docs: pl.DataFrame) -> pl.DataFrame:
    """One-permutation MinHash: each 3-gram's hash picks one of ``MINHASH_BUCKETS`` buckets, which
    keeps its smallest value (0xFFFFFFFF: an empty bucket). Word hashes are combined with wrapping
    arithmetic, so a gram never becomes a string. Polars' seeded ``hash`` is stable for a given
    Polars version, which ``constraints.txt`` pins (a new version needs the sketches recomputed)."""
    k = MINHASH_BUCKETS
    tok = (docs.select(h=pl.col("text_key").fill_null("").str.extract_all(_TOKEN))
           .with_row_index("doc").explode("h").drop_nulls("h")
           .with_columns(pl.col("h").hash(seed=7)))
    # a gram is whole when its last word is in the same document as its first
    same = pl.col("doc").shift(-2) == pl.col("doc")
    gram = pl.col("h") * _MIX[0] + pl.col("h").shift(-1) * _MIX[1] + pl.col("h").shift(-2) * _MIX[2]
    grams = tok.select("doc", g=pl.when(same).then(gram)).drop_nulls("g")
    perm = pl.col("g") * _MIX[3] + _MIX[0]  # wrapping: a fixed permutation of u64
    slot = pl.col("doc") * k + (perm // (1 << 59)).cast(pl.UInt32)  # document and bucket in one key
    # every slot once with the empty value, so that empty buckets exist too
    empty = pl.DataFrame({"slot": pl.int_range(docs.height * k, dtype=pl.UInt32, eager=True)}).with_columns(
        v=pl.lit(0xFFFFFFFF, pl.UInt32))
    mins = (pl.concat([grams.select(slot=slot, v=((perm // (1 << 16)) % (1 << 32)).cast(pl.UInt32)), empty])
            .group_by("slot").agg(pl.col("v").min()).sort("slot"))
    n = grams.group_by("doc").agg(n_shingles=pl.col("g").n_unique().cast(pl.UInt32))
    return (docs.select("doc_id").with_row_index("doc")
            .with_columns(minhash=mins["v"].reshape((docs.height, k)).cast(pl.List(pl.UInt32)))
            .join(n, on="doc", how="left").drop("doc"))


def _terms(docs: pl.DataFrame, params: dict[str, float]) -> pl.DataFrame:
    """The ``terms`` heaviest words of the title (counted twice) and the first ``lead_chars``
    characters of the text, by (1 + ln tf) · ln(N / df), L2-normalized. Character references
    left in a title (``&quot;السعودية&quot;``) go first: ``quot``, absent from the document
    frequencies, would count as the rarest word and tie every such title of one site together."""
    df, n = document_frequencies()
    title = text_key(pl.col("title").fill_null("").str.replace_all(_CHAR_REF, " "))
    text = pl.concat_str([title, title, pl.col("text_key").fill_null("").str.slice(0, int(params["lead_chars"]))],
                         separator=" ")
    raw = (docs.select(w=text.str.extract_all(_WORD)).with_row_index("doc").explode("w").drop_nulls("w")
           .group_by("doc", "w").agg(tf=pl.len()))
    # the skeleton of each distinct word once (a tenth of the occurrences)
    uniq = raw.select(pl.col("w").unique())
    skel = uniq.with_columns(s=_skeleton(pl.col("w"))).filter(pl.col("s").str.len_chars() >= 2)
    x = (1 + pl.col("tf").cast(pl.Float64).log()) * (n / pl.col("df").fill_null(1).cast(pl.Float64)).log()
    top = (raw.join(skel, on="w").group_by("doc", pl.col("s").alias("w")).agg(pl.col("tf").sum())
           .join(df, left_on="w", right_on="word", how="left").with_columns(x=x)
           .sort("doc", "x", "w", descending=[False, True, False])
           .filter(pl.int_range(pl.len()).over("doc") < int(params["terms"]))
           .with_columns(x=pl.col("x") / (pl.col("x") ** 2).sum().sqrt().over("doc")))
    out = top.group_by("doc", maintain_order=True).agg(terms="w", weights=pl.col("x").cast(pl.Float32))
    return docs.select("doc_id").with_row_index("doc").join(out, on="doc").drop("doc")


def event_day(text: pl.Expr, published_at: pl.Expr) -> pl.Expr:
    """Date of the first weekday named in the first 300 characters of ``text``: that weekday within
    the five days before the local day of publication (UTC+3, the Gulf and Moscow) or the day
    after it, e.g. ``قالت الخارجية، السبت،`` published Sunday 18 March 2018 → 2018-03-17. Null
    when none is named or the publication date is unknown."""
    name = text.fill_null("").str.slice(0, _LEAD_CHARS).str.extract(_WEEKDAY, 1)
    wd = name.replace_strict(_WEEKDAYS, default=None, return_dtype=pl.Int8)
    local = (published_at + pl.duration(hours=3)).dt.date()
    back = (local.dt.weekday().cast(pl.Int8) - 1 - wd + 8) % 7 - 1  # days back, -1 … 5
    return (local - pl.duration(days=back.cast(pl.Int64))).alias("event_day")

"""GDELT-style tone of sentences, documents and entity mentions, from word lists (no model).

A word counts as positive or negative when it is in the reviewed Arabic AFINN list
(``lexicon/tone/afinn_ar.tsv``, ODbL) or akhbar's news list (``lexicon/tone/news_ar.tsv``, which wins
where both have a word); multi-word entries (``وقف إطلاق النار``) are matched before their words.
Matching works on the ``text_key`` folding of each word and strips one proclitic cluster (و ف ب ل ك
ال) and one pronoun suffix when the word itself is not listed (``وبالنجاح`` → ``نجاح``). A word within
``NEGATION_WINDOW`` words after a negator (``لا``, ``لم``, ``لن``, ``غير``, ``عدم``…) changes sign when
only auxiliaries stand between (``لم يكن ناجحا``; ``لم ينجح الهجوم`` leaves الهجوم alone), and not
after ``لا يزال``-type pairs. Words that belong to the names the tagger found in the same
document are masked (``أمل`` the person, ``حماس`` the movement), with or without their clitics.

Figures follow GDELT's GKG V1.5 TONE: ``positive_score`` and ``negative_score`` are the percentages
of words that are positive / negative, ``tone`` = positive − negative, ``polarity`` = positive +
negative and ``word_count`` the number of words (runs of letters and digits). Each matched entry
counts once, whatever its AFINN magnitude. Example: ``"لم ينجح الهجوم"`` has 3 words, ``الهجوم``
negative and ``ينجح`` not listed → tone −33.3.
"""
from __future__ import annotations

import functools
from pathlib import Path

import polars as pl

from transforms.normalize import text_key

_DIR = Path(__file__).parent / "lexicon" / "tone"
NEGATION_WINDOW = 3
MAX_PHRASE = 4  # words in the longest list entry that is matched
_WORD = r"[\p{L}\p{M}\p{N}]+"
# One proclitic cluster, longest first (the text_key folding has turned أ/إ into ا). A lone ك and
# the suffix ي are left alone, and ه goes only in the cases of ``_stripped``: after folding they
# mostly make collisions (كامل → امل, أيدي → أيد, الصفقة → صفق, توجه → توج) rather than matches.
_PROCLITIC = r"^(?:[وف]?(?:بال|كال|لل|ال)|[وف][بل]|[وفبل])(\p{L}{3,})$"
_SUFFIX = r"^(\p{L}{3,}?)(?:هما|كما|هم|هن|كم|ها|نا)$"
SENTENCE_TONE_SCHEMA = {"sentence_id": pl.Utf8, "doc_id": pl.Utf8, "n_words": pl.Int32,
                        "n_positive": pl.Int32, "n_negative": pl.Int32}
DOCUMENT_TONE_SCHEMA = {"doc_id": pl.Utf8, "tone": pl.Float64, "positive_score": pl.Float64,
                        "negative_score": pl.Float64, "polarity": pl.Float64, "word_count": pl.Int32}


def _read_tsv(name: str, n_cols: int) -> list[list[str]]:
    rows = []
    for line in (_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t")[:n_cols])
    return rows


def _fold(words: list[str]) -> list[str]:
    return pl.Series(words, dtype=pl.Utf8).to_frame("w").select(
        text_key(pl.col("w")).str.replace_all(r"\s+", " ").str.strip_chars())["w"].to_list()


@functools.cache
def tone_lexicon() -> dict[str, pl.DataFrame]:
    """The folded word lists: ``words`` (``key, sign``), ``phrases`` (``first, words, n, sign``),
    ``negators`` (``key``) and ``not_negation`` (``first, second``)."""
    entries: dict[str, int] = {}
    with_article: dict[str, int] = {}
    for name in ("afinn_ar.tsv", "news_ar.tsv"):  # the news list overrides AFINN
        rows = _read_tsv(name, 2)
        for raw, key, score in zip((r[0] for r in rows), _fold([r[0] for r in rows]), (int(r[1]) for r in rows)):
            entries[key] = (score > 0) - (score < 0)
            # written with the article (ال, not إل of إلهام): the bare word matches too
            if raw.startswith("ال") and " " not in key and len(key) >= 5:
                with_article[key[2:]] = entries[key]
    single = {k: s for k, s in entries.items() if " " not in k}
    for k, s in with_article.items():
        single.setdefault(k, s)
    phrases = [(k.split(" "), s) for k, s in entries.items() if " " in k and len(k.split(" ")) <= MAX_PHRASE]
    neg = _fold([r[0] for r in _read_tsv("negators.txt", 1)])
    skip = _fold([r[0] for r in _read_tsv("negation_skip.txt", 1)])
    pairs = _read_tsv("not_negation.txt", 2)
    return {
        "words": pl.DataFrame({"key": list(single), "sign": list(single.values())},
                              schema={"key": pl.Utf8, "sign": pl.Int8}),
        "phrases": pl.DataFrame({"first": [p[0][0] for p in phrases], "words": [" ".join(p) for p, _ in phrases],
                                 "n": [len(p) for p, _ in phrases], "sign": [s for _, s in phrases]},
                                schema={"first": pl.Utf8, "words": pl.Utf8, "n": pl.Int32, "sign": pl.Int8}),
        "negators": pl.DataFrame({"key": neg}, schema={"key": pl.Utf8}),
        "negation_skip": pl.DataFrame({"key": skip}, schema={"key": pl.Utf8}),
        "not_negation": pl.DataFrame({"first": _fold([p[0] for p in pairs]), "second": _fold([p[1] for p in pairs])}),
    }


def _stripped(key: pl.Expr, written_h: pl.Expr | bool = False) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """The word without its proclitics, without its pronoun suffix, and without both. A final ه
    goes only when it is written ه (not a folded ة) and leaves four letters (اغتياله → اغتيال,
    not توجه → توج)."""
    def unsuffix(e: pl.Expr) -> pl.Expr:
        two = e.str.replace(_SUFFIX, "$1")
        return pl.when(two != e).then(two).when(written_h).then(e.str.replace(r"^(\p{L}{4,})ه$", "$1")).otherwise(e)

    pre = key.str.replace(_PROCLITIC, "$1")
    return pre, unsuffix(key), unsuffix(pre)


def _types(tokens: pl.DataFrame, lex: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per distinct word of the batch that matters: ``tok, key, base, sign, is_negator,
    is_phrase_start``. Folding and clitic stripping run on the distinct words, not on every token."""
    words = lex["words"]
    firsts = lex["phrases"]["first"]
    t = tokens.select(pl.col("tok").unique()).with_columns(key=text_key(pl.col("tok")))
    pre, suf, both = _stripped(pl.col("key"), pl.col("tok").str.replace_all(r"\p{M}+$", "").str.ends_with("ه"))
    t = t.with_columns(pre=pre, suf=suf, both=both)
    for c in ("key", "pre", "suf", "both"):  # the word as written first, then with clitics stripped
        t = t.join(words.rename({"key": c, "sign": f"s_{c}"}), on=c, how="left")
    t = t.with_columns(
        sign=pl.coalesce("s_key", "s_pre", "s_suf", "s_both"),
        base=pl.when(pl.col("pre").is_in(firsts) & ~pl.col("key").is_in(firsts)).then("pre").otherwise("key"),
        is_negator=pl.col("key").is_in(lex["negators"]["key"]),
    ).with_columns(is_phrase_start=pl.col("base").is_in(firsts))
    return t.filter(pl.col("sign").is_not_null() | pl.col("is_negator") | pl.col("is_phrase_start")).select(
        "tok", "key", "pre", "base", "sign", "is_negator", "is_phrase_start")


def _word_at(tokens: pl.DataFrame, at: pl.DataFrame, name: str) -> pl.DataFrame:
    """``at`` (``row, pos``) plus ``name``: the folded word at that position (null past the end)."""
    found = tokens.join(at.select("row", "pos").unique(), on=["row", "pos"]).select(
        "row", "pos", text_key(pl.col("tok")).alias(name))
    return at.join(found, on=["row", "pos"], how="left")


def _phrase_hits(tokens: pl.DataFrame, starts: pl.DataFrame, lex: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``row, pos, n, sign`` of list phrases found at the ``starts``: the longest one per start, and
    none that starts inside an earlier one (``إطلاق النار`` inside ``وقف إطلاق النار``)."""
    schema = {"row": pl.UInt32, "pos": pl.UInt32, "n": pl.Int32, "sign": pl.Int8}
    if starts.height == 0:
        return pl.DataFrame(schema=schema)
    grams = starts.select("row", "pos", g=pl.col("base"))
    found = []
    for i in range(1, MAX_PHRASE):
        nxt = _word_at(tokens, grams.select("row", pos=pl.col("pos") + i), "k").with_columns(pl.col("pos") - i)
        grams = grams.join(nxt, on=["row", "pos"], how="left").with_columns(g=pl.col("g") + " " + pl.col("k")).drop("k")
        found.append(grams.join(lex["phrases"].select("words", "n", "sign"), left_on="g", right_on="words")
                     .select("row", "pos", "n", "sign"))
    hits = (pl.concat(found).sort("row", "pos", "n", descending=[False, False, True])
            .unique(["row", "pos"], keep="first", maintain_order=True))
    inside = hits.select("row", pos=pl.int_ranges(pl.col("pos") + 1, pl.col("pos") + pl.col("n"), dtype=pl.UInt32)).explode("pos")
    return hits.join(inside.drop_nulls(), on=["row", "pos"], how="anti").cast(schema)


def sentence_tone(sentences: pl.DataFrame, mentions: pl.DataFrame | None = None) -> pl.DataFrame:
    """Word counts of each sentence: ``sentence_id, doc_id, n_words, n_positive, n_negative``.

    ``sentences``: ``sentence_id, doc_id, text``; ``mentions``: ``doc_id, surface`` (the words of
    every name found in a document are masked in all its sentences). Example: ``"ولم تنجح المفاوضات
    في وقف القتال"`` with no mention → 6 words, none listed (``القتال`` is not), 0 / 0.
    """
    lex = tone_lexicon()
    base = sentences.select("sentence_id", "doc_id", "text").with_row_index("row")
    tokens = (base.select("row", tok=pl.col("text").fill_null("").str.extract_all(_WORD))
              .explode("tok").drop_nulls("tok")
              .with_columns(pos=pl.int_range(pl.len(), dtype=pl.UInt32).over("row")))
    n_words = tokens.group_by("row").agg(n_words=pl.len().cast(pl.Int32))
    types = _types(tokens, lex)
    hits = tokens.join(types, on="tok", how="inner")
    # names of the document: their folded words, with and without a proclitic
    if mentions is not None and mentions.height:
        names = (mentions.select("doc_id", w=pl.col("surface").str.extract_all(_WORD)).explode("w")
                 .drop_nulls("w").select("doc_id", k=text_key(pl.col("w"))))
        names = pl.concat([names, names.select("doc_id", k=_stripped(pl.col("k"))[0])]).unique()
        docs = base.select("row", "doc_id")
        hits = (hits.join(docs, on="row").join(names.rename({"k": "key"}), on=["doc_id", "key"], how="anti")
                .join(names.rename({"k": "pre"}), on=["doc_id", "pre"], how="anti").drop("doc_id"))
    phrases = _phrase_hits(tokens, hits.filter("is_phrase_start"), lex)
    covered = phrases.select("row", pos=pl.int_ranges(pl.col("pos"), pl.col("pos") + pl.col("n"))).explode("pos")
    words = hits.filter(pl.col("sign").is_not_null()).join(covered.with_columns(pl.col("pos").cast(pl.UInt32)),
                                                           on=["row", "pos"], how="anti")
    scored = pl.concat([words.select("row", "pos", "sign"), phrases.select("row", "pos", "sign")])
    scored = _negate(scored, hits, tokens, lex)
    counts = scored.group_by("row").agg(n_positive=(pl.col("sign") > 0).sum().cast(pl.Int32),
                                        n_negative=(pl.col("sign") < 0).sum().cast(pl.Int32))
    return (base.select("row", "sentence_id", "doc_id")
            .join(n_words, on="row", how="left").join(counts, on="row", how="left")
            .select("sentence_id", "doc_id", pl.col("n_words").fill_null(0), pl.col("n_positive").fill_null(0),
                    pl.col("n_negative").fill_null(0))
            .cast(SENTENCE_TONE_SCHEMA))


def _negate(scored: pl.DataFrame, hits: pl.DataFrame, tokens: pl.DataFrame, lex: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Flip the sign of a scored word that follows a negator by 1..NEGATION_WINDOW words."""
    negs = hits.filter("is_negator").select("row", npos="pos", first="key")
    if negs.height == 0 or scored.height == 0:
        return scored
    # "لا يزال", "لا سيما", "غير أن": the negator is not one
    negs = _word_at(tokens, negs.select("row", pos=pl.col("npos") + 1), "second").select(
        "row", npos=pl.col("pos") - 1, second="second").join(negs, on=["row", "npos"])
    negs = negs.join(lex["not_negation"], on=["first", "second"], how="anti").select("row", "npos")
    pairs = (scored.select("row", "pos").join(negs, on="row")
             .filter((pl.col("pos").cast(pl.Int64) - pl.col("npos").cast(pl.Int64)).is_between(1, NEGATION_WINDOW)))
    # words standing between a negator and the word it would flip must all be auxiliaries
    between = pairs.select("row", "pos", "npos", at=pl.int_ranges(pl.col("npos") + 1, pl.col("pos"), dtype=pl.UInt32)).explode("at")
    between = _word_at(tokens, between.drop_nulls("at").rename({"pos": "p", "at": "pos"}), "w")
    blocked = (between.filter(~pl.col("w").is_in(lex["negation_skip"]["key"]) | pl.col("w").is_null())
               .select("row", pos="p", npos="npos"))
    near = (pairs.join(blocked, on=["row", "pos", "npos"], how="anti")
            .select("row", "pos").unique().with_columns(negated=pl.lit(True)))
    return (scored.join(near, on=["row", "pos"], how="left")
            .with_columns(sign=pl.when(pl.col("negated")).then(-pl.col("sign")).otherwise("sign")).drop("negated"))


def _percent(n: pl.Expr, total: pl.Expr) -> pl.Expr:
    return pl.when(total > 0).then(100.0 * n / total).otherwise(0.0)


def document_tone(sent_tone: pl.DataFrame) -> pl.DataFrame:
    """GDELT V1.5 tone of each document from its sentences' counts (see the module docstring):
    ``doc_id, tone, positive_score, negative_score, polarity, word_count``."""
    g = sent_tone.group_by("doc_id").agg(pl.col("n_words").sum().alias("w"), pl.col("n_positive").sum().alias("p"),
                                         pl.col("n_negative").sum().alias("n"))
    pos, neg = _percent(pl.col("p"), pl.col("w")), _percent(pl.col("n"), pl.col("w"))
    return g.select("doc_id", tone=pos - neg, positive_score=pos, negative_score=neg, polarity=pos + neg,
                    word_count="w").cast(DOCUMENT_TONE_SCHEMA)


def mention_tone(mentions: pl.DataFrame, sent_tone: pl.DataFrame) -> pl.DataFrame:
    """``mentions`` plus ``tone``: the GDELT tone (positive − negative percentage of words) of the
    mention's sentence, in which every name of the document, the mention's own included, is masked.
    Example: in ``"أشاد لافروف بنجاح المحادثات"`` the mention ``لافروف`` gets 100 × 2 / 4 = 50."""
    st = sent_tone.select("sentence_id", tone=_percent(pl.col("n_positive") - pl.col("n_negative"), pl.col("n_words")))
    return mentions.join(st, on="sentence_id", how="left", maintain_order="left")

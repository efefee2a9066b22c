"""GDELT-style tone of sentences, documents and entity mentions, from word lists (no model).

A word counts as positive or negative when it is in the reviewed Arabic AFINN list
(``lexicon/tone/afinn_ar.tsv``, ODbL) or akhbar's news list (``lexicon/tone/news_ar.tsv``, which wins
where both have a word); multi-word entries (``وقف إطلاق النار``) are matched before their words.
Matching works on the ``text_key`` folding of each word, with or without one proclitic cluster and
one pronoun suffix (``وبالنجاح`` → ``نجاح``, ``باغتياله`` → ``اغتيال``). A word within
``NEGATION_WINDOW`` words after a negator (``لا``, ``لم``, ``لن``, ``غير``, ``عدم``…) changes sign when
only auxiliaries stand between (``ليس هناك أي خطر``; ``لم ينجح الهجوم`` flips ينجح, not الهجوم), and
not after ``لا يزال``-type pairs. The words of the names the tagger found in the same document are
masked (``أمل`` the person), with or without their clitics.

Figures follow GDELT's GKG V1.5 TONE: ``positive_score`` and ``negative_score`` are the percentages
of words that are positive / negative, ``tone`` = positive − negative, ``polarity`` = positive +
negative and ``word_count`` the number of words (runs of letters, marks and digits). Each matched
entry counts once, whatever its AFINN magnitude. Example: ``"لم ينجح الهجوم"`` has 3 words, two
negative (``ينجح`` negated, ``الهجوم``) → tone −66.7.
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
# One proclitic cluster (the text_key folding has turned أ/إ into ا) and one pronoun suffix; a word
# matches an entry with them when at least three letters are left. A lone ك and the suffix ي are
# left out, and ه counts only when written ه (not a folded ة) on an entry of four letters or more:
# after folding they mostly make collisions (كامل → امل, أيدي → أيد, الصفقة → صفق, توجه → توج).
_PROCLITICS = ("", "ال", "بال", "كال", "لل", "وال", "وبال", "وكال", "ولل", "فال", "فبال", "فكال", "فلل",
               "وب", "ول", "فب", "فل", "و", "ف", "ب", "ل")
_SUFFIXES = ("", "هما", "كما", "هم", "هن", "كم", "ها", "نا")
_PROCLITIC = r"^(?:" + "|".join(c for c in _PROCLITICS if c) + r")(\p{L}{3,})$"
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


def _expand(single: dict[str, int]) -> pl.DataFrame:
    """Every clitic form of the single-word entries: ``key, sign, entry, via_h``. A form that is an
    entry itself keeps that entry; otherwise the fewest clitics win (proclitic before suffix)."""
    best: dict[str, tuple[int, int, str, bool]] = {}
    for entry, sign in single.items():
        forms = [(s, False) for s in _SUFFIXES] + ([("ه", True)] if len(entry) >= 4 else [])
        for rank_p, pre in enumerate(_PROCLITICS if len(entry) >= 3 else ("",)):
            for rank_s, (suf, via_h) in enumerate(forms if len(entry) >= 3 else [("", False)]):
                rank = (0 if pre == "" and suf == "" else 1 + (suf != "") + 2 * (pre != "" and suf != ""),
                        rank_p * 16 + rank_s)
                key = pre + entry + suf
                if key not in best or rank < best[key][0]:
                    best[key] = (rank, sign, entry, via_h)
    return pl.DataFrame({"key": list(best), "sign": [v[1] for v in best.values()],
                         "entry": [v[2] for v in best.values()], "via_h": [v[3] for v in best.values()]},
                        schema={"key": pl.Utf8, "sign": pl.Int8, "entry": pl.Utf8, "via_h": pl.Boolean})


@functools.cache
def tone_lexicon() -> dict[str, pl.DataFrame]:
    """The folded word lists: ``forms`` (every clitic form of a single-word entry: ``key, sign,
    entry, via_h``), ``starts`` (clitic forms of a phrase's first word: ``key, first``),
    ``phrases`` (``words, n, sign``), ``negators`` and ``negation_skip`` (``key``) and
    ``not_negation`` (``first, second``). Built once per process (~0.3 s)."""
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
    firsts = sorted({p[0] for p, _ in phrases})
    starts = {pre + f: f for f in reversed(firsts) for pre in reversed(_PROCLITICS) if len(f) >= 3 or not pre}
    neg = _fold([r[0] for r in _read_tsv("negators.txt", 1)])
    skip = _fold([r[0] for r in _read_tsv("negation_skip.txt", 1)])
    pairs = _read_tsv("not_negation.txt", 2)
    return {
        "forms": _expand(single).with_columns(kh=pl.col("key").hash()),
        "starts": pl.DataFrame({"key": list(starts), "first": list(starts.values())}).with_columns(kh=pl.col("key").hash()),
        "phrases": pl.DataFrame({"words": [" ".join(p) for p, _ in phrases], "n": [len(p) for p, _ in phrases],
                                 "sign": [s for _, s in phrases]},
                                schema={"words": pl.Utf8, "n": pl.Int32, "sign": pl.Int8}),
        "negators": pl.DataFrame({"key": neg}, schema={"key": pl.Utf8}),
        "negation_skip": pl.DataFrame({"key": skip}, schema={"key": pl.Utf8}),
        "not_negation": pl.DataFrame({"first": _fold([p[0] for p in pairs]), "second": _fold([p[1] for p in pairs])}),
    }


def _types(tokens: pl.DataFrame, lex: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per distinct word of the batch that matters: ``h, key, entry, sign, first,
    is_negator``. Folding runs on the distinct words, and matching joins them with the expanded
    lists on 64-bit hashes of the folded word (those of the lists computed once per process), so no
    regex runs per token and no string is hashed twice; a collision among the few hundred thousand
    words of a batch and the lists has a probability of about 10⁻⁸."""
    t = (tokens.select("h", "tok")[tokens["h"].arg_unique()]
         .with_columns(key=text_key(pl.col("tok")), ta=pl.col("tok").str.replace_all(r"\p{M}+$", "").str.ends_with("ة"))
         .with_columns(kh=pl.col("key").hash()))
    # inner joins first: a left join would hash the ~300k expanded forms on every batch
    listed = t.join(lex["forms"].drop("key"), on="kh").select("h", "entry", "sign", "via_h")
    starts = t.join(lex["starts"].drop("key"), on="kh").select("h", "first")
    t = (t.join(listed, on="h", how="left").join(starts, on="h", how="left")
         .with_columns(sign=pl.when(pl.col("via_h") & pl.col("ta")).then(None).otherwise("sign"),
                       is_negator=pl.col("key").is_in(lex["negators"]["key"].implode())))
    return t.filter(pl.col("sign").is_not_null() | pl.col("is_negator") | pl.col("first").is_not_null()).select(
        "h", "key", "entry", "sign", "first", "is_negator")


def _word_after(tokens: pl.DataFrame, at: pl.DataFrame, i: int) -> pl.Series:
    """The folded word ``i`` tokens after each ``at`` row (``row, ti``), null past its sentence:
    a gather by token index, as the tokens of a sentence are contiguous."""
    n = tokens.height
    idx = (at["ti"].cast(pl.Int64) + i).clip(0, max(n - 1, 0))
    nxt = tokens.select("row", "tok")[idx]
    same = (nxt["row"] == at["row"]) & (at["ti"].cast(pl.Int64) + i < n)
    return nxt.select(pl.when(same).then(text_key(pl.col("tok")))).to_series()


def _phrase_hits(tokens: pl.DataFrame, starts: pl.DataFrame, lex: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """``row, ti, n, sign`` of list phrases found at the ``starts``: the longest one per start, and
    none that starts inside an earlier one (``إطلاق النار`` inside ``وقف إطلاق النار``)."""
    schema = {"row": pl.UInt32, "ti": pl.UInt32, "n": pl.Int32, "sign": pl.Int8}
    phrases = lex["phrases"]
    grams = starts.select("row", "ti", g=pl.col("first"))
    found = []
    for i in range(1, MAX_PHRASE):
        # only grams that some phrase begins with go on to the next word
        prefixes = phrases.filter(pl.col("n") > i)["words"].str.split(" ").list.head(i + 1).list.join(" ")
        grams = grams.with_columns(g=pl.col("g") + " " + _word_after(tokens, grams, i)).drop_nulls("g")
        found.append(grams.join(phrases.select("words", "n", "sign"), left_on="g", right_on="words")
                     .select("row", "ti", "n", "sign"))
        grams = grams.filter(pl.col("g").is_in(prefixes.implode()))
    hits = (pl.concat(found).sort("ti", "n", descending=[False, True]).unique("ti", keep="first", maintain_order=True))
    inside = hits.select(ti=pl.int_ranges(pl.col("ti") + 1, pl.col("ti") + pl.col("n"), dtype=pl.UInt32)).explode("ti")
    return hits.join(inside.drop_nulls(), on="ti", how="anti").cast(schema)


def text_words(texts: pl.Series) -> pl.DataFrame:
    """``row, ti, tok, h``: the words (runs of letters, marks and digits) of each text in order;
    ``row`` is the text's position, ``ti`` the word's position in the whole frame and ``h`` a 64-bit
    hash of the word (distinct words are found and joined on it, not on the strings). Tone and
    topics share them. Example: ``["وقف إطلاق النار."]`` → ``وقف``, ``إطلاق``, ``النار``."""
    return (texts.fill_null("").str.extract_all(_WORD).to_frame("tok").with_row_index("row")
            .explode("tok").drop_nulls("tok").with_row_index("ti").with_columns(h=pl.col("tok").hash()))


def sentence_tone(sentences: pl.DataFrame, mentions: pl.DataFrame | None = None,
                  words: pl.DataFrame | None = None) -> pl.DataFrame:
    """Word counts of each sentence: ``sentence_id, doc_id, n_words, n_positive, n_negative``.

    ``sentences``: ``sentence_id, doc_id, text``; ``mentions``: ``doc_id, surface`` (the words of
    every name found in a document are masked in all its sentences); ``words``: ``text_words`` of
    the sentences' text when already computed. Example: ``"ولم تنجح المفاوضات
    في وقف القتال"`` with no mention → 6 words, two negative: ``تنجح`` negated, ``القتال``.
    """
    lex = tone_lexicon()
    base = sentences.select("sentence_id", "doc_id", "text").with_row_index("row")
    tokens = text_words(sentences["text"]) if words is None else words
    if "h" not in tokens.columns:
        tokens = tokens.with_columns(h=pl.col("tok").hash())
    n_words = tokens.group_by("row").agg(n_words=pl.len().cast(pl.Int32))
    hits = tokens.join(_types(tokens, lex), on="h", how="inner")
    if mentions is not None and mentions.height and hits.height:
        names = _name_keys(mentions, pl.concat([hits["key"], hits["entry"].drop_nulls()]).unique())
        docs = base.select("row", "doc_id")
        hits = (hits.join(docs, on="row").join(names.rename({"k": "key"}), on=["doc_id", "key"], how="anti")
                .join(names.rename({"k": "entry"}), on=["doc_id", "entry"], how="anti").drop("doc_id"))
    phrases = _phrase_hits(tokens, hits.filter(pl.col("first").is_not_null()), lex)
    covered = phrases.select(ti=pl.int_ranges(pl.col("ti"), pl.col("ti") + pl.col("n"), dtype=pl.UInt32)).explode("ti")
    words = hits.filter(pl.col("sign").is_not_null()).join(covered, on="ti", how="anti")
    scored = pl.concat([words.select("row", "ti", "sign"), phrases.select("row", "ti", "sign")])
    scored = _negate(scored, hits, tokens, lex)
    counts = scored.group_by("row").agg(n_positive=(pl.col("sign") > 0).sum().cast(pl.Int32),
                                        n_negative=(pl.col("sign") < 0).sum().cast(pl.Int32))
    return (base.select("row", "sentence_id", "doc_id")
            .join(n_words, on="row", how="left").join(counts, on="row", how="left")
            .select("sentence_id", "doc_id", pl.col("n_words").fill_null(0), pl.col("n_positive").fill_null(0),
                    pl.col("n_negative").fill_null(0))
            .cast(SENTENCE_TONE_SCHEMA))


def _name_keys(mentions: pl.DataFrame, matched: pl.Series) -> pl.DataFrame:
    """``doc_id, k``: the folded words of the names of each document, with and without a proclitic,
    kept only where they are one of the ``matched`` words of the lists (the others mask nothing).
    Each distinct word is folded once."""
    words = (mentions.select("doc_id", "surface").unique()
             .select("doc_id", w=pl.col("surface").str.extract_all(_WORD)).explode("w").drop_nulls("w"))
    folds = (words.select(pl.col("w").unique()).with_columns(k=text_key(pl.col("w")))
             .with_columns(k2=pl.col("k").str.replace(_PROCLITIC, "$1")))
    wanted = matched.implode()
    folds = folds.filter(pl.col("k").is_in(wanted) | pl.col("k2").is_in(wanted))
    named = words.join(folds, on="w")
    return pl.concat([named.select("doc_id", "k"), named.select("doc_id", k="k2")]).unique()


def _negate(scored: pl.DataFrame, hits: pl.DataFrame, tokens: pl.DataFrame, lex: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Flip the sign of a scored word 1..NEGATION_WINDOW words after a negator, when only
    auxiliaries (``negation_skip``) stand between them."""
    negs = hits.filter("is_negator").select("row", "ti", first="key")
    if negs.height == 0 or scored.height == 0:
        return scored
    # "لا يزال", "لا سيما", "غير أن": the negator is not one
    negs = (negs.with_columns(second=_word_after(tokens, negs, 1))
            .join(lex["not_negation"], on=["first", "second"], how="anti").select("row", nti="ti"))
    pairs = (scored.select("row", "ti").join(negs, on="row")
             .filter((pl.col("ti").cast(pl.Int64) - pl.col("nti").cast(pl.Int64)).is_between(1, NEGATION_WINDOW)))
    between = (pairs.with_columns(at=pl.int_ranges(pl.col("nti") + 1, pl.col("ti"), dtype=pl.UInt32))
               .explode("at").drop_nulls("at"))
    words = tokens["tok"].gather(between["at"]).to_frame("w").select(text_key(pl.col("w"))).to_series()
    blocked = between.with_columns(w=words).filter(~pl.col("w").is_in(lex["negation_skip"]["key"].implode()))
    near = (pairs.join(blocked.select("ti", "nti"), on=["ti", "nti"], how="anti")
            .select("ti").unique().with_columns(negated=pl.lit(True)))
    return (scored.join(near, on="ti", how="left")
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

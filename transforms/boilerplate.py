"""Line-level boilerplate detection: lexicon rules, related-content blocks and trailing sections,
per-source learned templates and repeated lines — all as Polars expressions over a frame of lines.

``lines(docs)`` explodes ``raw_text`` into one row per non-blank line:
``doc_id, source_name, line_no, line, norm, fold, key`` (``line`` as in ``raw_text``; ``norm`` =
``clean_unicode(line)``; ``fold`` = ``text_key(norm)`` for rule matching; ``key`` = ``line_key``).
``lexicon_reason(fold)`` names the first matching rule, e.g. ``"شارك هذا المقالمحادثة"`` →
``"lexicon:share"``.  ``learn_templates`` finds lines that repeat across many documents of one
source, e.g. BBC Arabic's ``"يمكنكم تسلم إشعارات بأهم الموضوعات …"``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from transforms.normalize import clean_unicode, key_of_clean, text_key

_LEXICON_PATH = Path(__file__).parent / "lexicon" / "boilerplate_lexicon.tsv"
# Bullets, stars, dashes… that may precede a boilerplate line ("** جميع المقالات…", "• شارك").
_LEAD = r"^[\s*•·▪●◦‣>#\-–—_=|]*"
_TRAIL = r"[\s.:!؟?…]*$"
_FOLD_DIAC = re.compile("[\u064b-\u0652\u0670\u0640]")
_FOLD_TABLE = str.maketrans({"\u0625": "\u0627", "\u0623": "\u0627", "\u0671": "\u0627",
                             "\u0622": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647"})
TEMPLATE_SCHEMA = {"source_name": pl.Utf8, "line_key": pl.Utf8, "n_docs": pl.Int64}


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str  # line | prefix | contains | block | section
    pattern: str  # folded; anchored for line/prefix/block/section
    max_chars: int | None = None  # contains: only lines up to this length


def fold_pattern(pattern: str) -> str:
    """Fold an Arabic regex like ``text_key`` folds text (so patterns match the ``fold`` column)."""
    return _FOLD_DIAC.sub("", pattern).translate(_FOLD_TABLE)


def load_lexicon(path: Path = _LEXICON_PATH) -> tuple[Rule, ...]:
    rules = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        name, kind, pattern = raw.split("\t", 2)
        flags = ""
        if pattern.startswith("(?i)"):
            flags, pattern = "i", pattern[4:]
        body = fold_pattern(pattern)
        max_chars = None
        if kind.startswith("contains"):
            kind, max_chars = "contains", int(kind.split(":")[1])
            anchored = f"(?{flags}:{body})" if flags else body
        else:
            tail = "" if kind == "prefix" else _TRAIL
            anchored = f"(?{flags}:{_LEAD}(?:{body}){tail})" if flags else f"{_LEAD}(?:{body}){tail}"
        rules.append(Rule(name, kind, anchored, max_chars))
    return tuple(rules)


LEXICON: tuple[Rule, ...] = load_lexicon()
# All anchored line rules in one regex with a named group per rule: one pass of the lazy DFA per
# line instead of one pass per rule (≈ 30 rules × 1.5 M lines); leftmost-first alternation keeps the
# file order as priority.
_LINE_RULES = [r for r in LEXICON if r.kind in ("line", "prefix")]
_LINE_RE = "|".join(f"(?P<r{i}>{r.pattern})" for i, r in enumerate(_LINE_RULES))
_CONTAINS_RULES = [r for r in LEXICON if r.kind == "contains"]


def lines(docs: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """One row per non-blank line of ``raw_text`` (``\\r\\n``/``\\r`` count as one line break).

    Blank lines are dropped here: they are layout, not content, and are not audited.
    """
    return (
        docs.lazy()
        .select("doc_id", pl.col("source_name").fill_null(""),
                pl.col("raw_text").fill_null("").str.replace_all("\r\n?", "\n").str.split("\n").alias("line"))
        .explode("line")
        .with_columns(pl.int_range(pl.len()).over("doc_id").cast(pl.Int32).alias("line_no"))
        .filter(pl.col("line").str.strip_chars() != "")
        .with_columns(clean_unicode(pl.col("line")).alias("norm"))
        .with_columns(text_key(pl.col("norm")).alias("fold"), key_of_clean(pl.col("norm")).alias("key"))
    )


def lexicon_reason(fold: pl.Expr) -> pl.Expr:
    """``lexicon:<rule>`` of the first matching line/prefix rule, then of contains-rules; else null."""
    groups = fold.str.extract_groups("^(?:" + _LINE_RE + ")")
    hits = [pl.when(groups.struct.field(f"r{i}").is_not_null()).then(pl.lit(f"lexicon:{r.name}"))
            for i, r in enumerate(_LINE_RULES)]
    n = fold.str.len_chars()
    hits += [pl.when((n <= r.max_chars) & fold.str.contains(r.pattern)).then(pl.lit(f"lexicon:{r.name}"))
             for r in _CONTAINS_RULES]
    return pl.coalesce(hits)


def is_marker(fold: pl.Expr, kind: str) -> pl.Expr:
    """True when the line is a ``block`` or ``section`` marker."""
    pats = [r.pattern for r in LEXICON if r.kind == kind]
    return fold.str.contains("^(?:" + "|".join(pats) + ")") if pats else pl.lit(False)


LINE_SLICE = 2500


def learn_templates(docs: pl.DataFrame, min_docs: int = 20, min_share: float = 0.002,
                    teaser_min_docs: int = 3, teaser_share: float = 0.10,
                    teaser_min_source_docs: int = 30) -> pl.DataFrame:
    """Per-source template lines learned from the documents themselves.

    Input ``docs``: ``doc_id, source_name, raw_text``.  Output: ``source_name, line_key, n_docs``.
    Two kinds of line qualify:

    * furniture: a line key found in ≥ ``min_docs`` distinct documents *and* in ≥ ``min_share``
      of the source's documents — e.g. BBC's app notice (≈ 860 of 3,815 articles);
    * teasers: in sources where ≥ ``teaser_share`` of the documents end with a run of long lines
      (> 60 characters) that also occur in ≥ ``teaser_min_docs`` other documents, those trailing
      lines are other stories' leads appended by the site (CNN Arabic: 26% of articles, e.g.
      ``"أعلن الدفاع المدني السعودي، الأحد، …"``).  Where the phenomenon is rare (France24: 0.5%)
      such repeats are background paragraphs reused in follow-up stories, so nothing is learned;
      a line that opens any document (a lead) is never a teaser, and a source needs
      ≥ ``teaser_min_source_docs`` documents in the batch before its rate is trusted (three
      updates of one story sharing a closing paragraph are not a teaser habit).

    Documents with identical ``raw_text`` count once, so a story republished 30 times does not
    turn its own paragraphs into "template".
    """
    if docs.height == 0:
        return pl.DataFrame(schema=TEMPLATE_SCHEMA)
    docs = docs.select("doc_id", pl.col("source_name").fill_null(""), "raw_text").unique(
        subset=["source_name", "raw_text"], keep="first")
    totals = docs.group_by("source_name").agg(pl.len().alias("n_source"))
    # The lines' text is materialized a slice of documents at a time: each line is held in four
    # copies (line, norm, fold, key), which for a whole 10,000-record read add up to hundreds of MB.
    ls = (pl.concat([
        lines(docs.slice(o, LINE_SLICE)).filter(pl.col("key").str.len_chars() >= 3)
        .select("doc_id", "source_name", "line_no", "key", pl.col("norm").str.len_chars().alias("n_chars"),
                lexicon_reason(pl.col("fold")).is_not_null().alias("_lexicon"))
        .collect() for o in range(0, docs.height, LINE_SLICE)])
          .with_columns(pl.col("doc_id").n_unique().over("source_name", "key").cast(pl.Int64).alias("n_docs"),
                        pl.col("line_no").min().over("source_name", "key").alias("first_pos")))
    furniture = (
        ls.lazy().select("source_name", "key", "n_docs").unique()
        .join(totals.lazy(), on="source_name")
        .filter((pl.col("n_docs") >= min_docs) & (pl.col("n_docs") >= min_share * pl.col("n_source")))
        .select("source_name", "key", "n_docs")
    )
    repeated = (pl.col("n_docs") >= teaser_min_docs) & (pl.col("n_chars") > 60)
    # Furniture (app notices, separators…) is left out, so it neither counts as a teaser run nor
    # hides the body line before one.
    tail = (
        ls.lazy().filter(~pl.col("_lexicon")).join(furniture, on=["source_name", "key"], how="anti")
        .with_columns(repeated.alias("_rep"))
        .with_columns(pl.when(~pl.col("_rep")).then(pl.col("line_no")).max().over("doc_id").alias("_last_body"))
        .with_columns((pl.col("_rep") & (pl.col("line_no") > pl.col("_last_body"))).fill_null(False).alias("_trail"))
    )
    teaser_sources = (
        tail.group_by("source_name", "doc_id").agg(pl.col("_trail").any())
        .group_by("source_name").agg(pl.col("_trail").mean().alias("_rate"), pl.len().alias("_n"))
        .filter((pl.col("_rate") >= teaser_share) & (pl.col("_n") >= teaser_min_source_docs))
        .select("source_name")
    )
    teasers = (
        tail.filter(pl.col("_trail") & (pl.col("first_pos") > 0))
        .join(teaser_sources, on="source_name", how="semi")
        .select("source_name", "key", "n_docs").unique()
    )
    out = (pl.concat([furniture, teasers]).group_by("source_name", "key").agg(pl.col("n_docs").max())
           .select("source_name", pl.col("key").alias("line_key"), "n_docs")
           .sort("source_name", "n_docs", "line_key", descending=[False, True, False]).collect())
    return out.cast(TEMPLATE_SCHEMA)


END_SIGNALS = ("lexicon:keywords", "credit")


def line_reasons(ls: pl.LazyFrame, templates: pl.DataFrame | None,
                 extra_reason: pl.Expr | None = None) -> pl.LazyFrame:
    """Adds ``reason`` (null = keep) to the frame of :func:`lines`.

    Order: empty after normalization → lexicon lines → ``extra_reason`` (metadata lines: dateline,
    byline, credit) → trailing sections → read-also blocks → source templates → duplicate lines.
    After a line removed as one of ``END_SIGNALS`` (credits, keywords) a bare "اقرأ أيضاً" opens a
    trailing section: seed 003 ends "المصدر: … / كلمات دلالية: … / إقرأ أيضاً: <other articles>".
    """
    doc = "doc_id"
    first = (pl.when(pl.col("norm") == "").then(pl.lit("empty"))
             .otherwise(lexicon_reason(pl.col("fold"))))
    if extra_reason is not None:
        first = pl.coalesce(first, extra_reason)
    n_chars = pl.col("norm").str.len_chars()
    headline_like = (n_chars <= 150) & ~pl.col("norm").str.contains(r"[.!:]\W*$")
    ls = ls.with_columns(first.alias("reason")).with_columns(
        is_marker(pl.col("fold"), "section").alias("_section"),
        is_marker(pl.col("fold"), "block").alias("_block"),
        pl.col("reason").is_in(END_SIGNALS).fill_null(False).alias("_end"),
        headline_like.alias("_headline"),
        (n_chars.cum_sum().over(doc) - n_chars).alias("_before"),
        n_chars.sum().over(doc).alias("_total"),
    ).with_columns(
        # A bare "read also" after the credits/keywords is the start of trailing related content.
        (pl.col("_block") & pl.col("_end").cast(pl.Int8).cum_max().over(doc).cast(pl.Boolean))
        .alias("_block_tail"),
    ).with_columns(
        # Section markers near the top are navigation, not a trailing section: treat as blocks.
        ((pl.col("_section") & (pl.col("_before") >= 0.25 * pl.col("_total"))) | pl.col("_block_tail"))
        .alias("_tail_start"),
    ).with_columns(
        pl.col("_tail_start").cast(pl.Int8).cum_max().over(doc).cast(pl.Boolean).alias("_in_tail"),
        (pl.col("_block") | pl.col("_section") | ~pl.col("_headline")).cast(pl.Int32).cum_sum().over(doc)
        .alias("_grp"),
    ).with_columns(
        (pl.col("_block") | pl.col("_section")).first().over(doc, "_grp").alias("_in_block"),
    ).with_columns(
        pl.coalesce(
            pl.col("reason"),
            pl.when(pl.col("_in_tail")).then(pl.lit("related_section")),
            pl.when(pl.col("_in_block")).then(pl.lit("related_links")),
        ).alias("reason")
    )
    if templates is not None and templates.height:
        tpl = templates.lazy().select(pl.col("source_name").fill_null(""), pl.col("line_key").alias("key"),
                                      pl.lit(True).alias("_tpl")).unique(["source_name", "key"])
        ls = ls.join(tpl, on=["source_name", "key"], how="left", maintain_order="left").with_columns(
            pl.coalesce(pl.col("reason"), pl.when(pl.col("_tpl")).then(pl.lit("source_template")))
            .alias("reason"))
    # Repeated line within a document (captions printed twice, a title repeated): keep the first
    # surviving occurrence.  Computed among survivors so an earlier removed copy does not count.
    ls = ls.collect().lazy()  # materialize once: the self-join below would otherwise re-run the plan
    # Short repeats (list items such as "2-محمد صلاح" in two rankings) are content, not captions.
    survivors = ls.filter(pl.col("reason").is_null()).select(
        doc, "line_no", ((~pl.col("key").is_first_distinct().over(doc)) & (pl.col("key").str.len_chars() >= 20))
        .alias("_dup"))
    ls = ls.join(survivors, on=[doc, "line_no"], how="left", maintain_order="left").with_columns(
        pl.coalesce(pl.col("reason"), pl.when(pl.col("_dup")).then(pl.lit("duplicate_line"))).alias("reason"))
    return ls.drop(pl.selectors.starts_with("_"))

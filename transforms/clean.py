"""Cleaning composition: raw documents → documents with every text layer + metadata, and the audit
trail of removed lines.

Input ``docs``: ``doc_id, source_name, raw_text, title_raw, published_raw, url, author_raw`` (extra
columns pass through).  Output ``docs`` adds ``clean_text, text_key, title, published_at
(Datetime us UTC), published_year, published_month, byline, agency, language, is_arabic, n_chars``;
``removed_lines``: ``doc_id, line_no, text, reason``.

Example (seed 001): the lines ``"بقلم:  يورونيوز"`` (reason ``byline``, → ``byline="يورونيوز"``),
``"شارك هذا المقالمحادثة"`` (``lexicon:share``) and ``"مواضيع إضافية"`` + the headlines after it
(``related_section``) are removed; every body paragraph stays, joined by blank lines.

All work is vectorized over one frame of lines (explode → rule expressions → group back); there is
no per-document Python loop.
"""
from __future__ import annotations

import polars as pl

from transforms.boilerplate import learn_templates, line_reasons, lines
from transforms.metadata import (agency_in, arabic_date, byline_value, credit_line, credit_value,
                                 dateline_agency, is_arabic, language, published_at)
from transforms.normalize import clean_unicode, line_key, text_key

REMOVED_SCHEMA = {"doc_id": pl.Utf8, "line_no": pl.Int32, "text": pl.Utf8, "reason": pl.Utf8}
_BULLET = r"^[•·▪●◦‣]+\s*"
_PARAGRAPH_SEP = "\n\n"
_TEXT_COLUMNS = ("doc_id", "source_name", "raw_text", "title_raw", "published_raw", "url", "author_raw")


def _metadata_reason(norm: pl.Expr) -> pl.Expr:
    short = norm.str.len_chars() <= 80
    return (pl.when(pl.col("line_date").is_not_null()).then(pl.lit("dateline"))
            .when(short & byline_value(norm).is_not_null()).then(pl.lit("byline"))
            .when(short & credit_line(norm)).then(pl.lit("credit")))


def _with_line_dates(ls: pl.LazyFrame) -> pl.LazyFrame:
    """Adds ``line_date``: the date of lines that are only a date (``الإثنين 29 أبريل / أبريل 2024``).

    Parsed only on short lines holding a 4-digit year, then joined back: the Arabic-date regexes
    are the costliest expressions of cleaning and almost no line is a candidate.
    """
    cand = (ls.filter((pl.col("norm").str.len_chars() <= 80) & pl.col("norm").str.contains(r"[0-9٠-٩۰-۹]{4}"))
            .select("doc_id", "line_no", arabic_date(pl.col("norm")).alias("line_date"))
            .filter(pl.col("line_date").is_not_null()))
    return ls.join(cand, on=["doc_id", "line_no"], how="left", maintain_order="left")


def _one_line(expr: pl.Expr) -> pl.Expr:
    v = clean_unicode(expr).str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(v.str.len_chars() > 0).then(v)


def clean_documents(docs: pl.DataFrame, templates: pl.DataFrame | None = None,
                    min_docs: int = 20, min_share: float = 0.002) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Remove boilerplate, normalize, extract metadata.  Returns ``(docs, removed_lines)``.

    ``templates`` (``source_name, line_key, n_docs``) are per-source template lines learned by
    :func:`transforms.boilerplate.learn_templates` over the corpus; when None they are learned from
    this batch (sources with fewer than ``min_docs`` documents then learn nothing).
    """
    docs = docs.with_columns(
        [pl.col(c).cast(pl.Utf8) if c in docs.columns else pl.lit(None, dtype=pl.Utf8).alias(c) for c in _TEXT_COLUMNS])
    if templates is None:
        templates = learn_templates(docs, min_docs=min_docs, min_share=min_share)
    doc = "doc_id"
    ls = line_reasons(_with_line_dates(lines(docs)), templates, _metadata_reason(pl.col("norm")))
    ls = ls.with_columns(pl.col("norm").str.replace(_BULLET, "").alias("norm")).collect().lazy()

    # Title: the input's title, or the first surviving line when it looks like a headline.
    meta = docs.lazy().select(doc, _one_line(pl.col("title_raw")).alias("_title_raw"))
    first = (ls.filter(pl.col("reason").is_null())
             .group_by(doc).agg(pl.col("line_no").first().alias("_first_no"), pl.col("norm").first().alias("_first"),
                                pl.col("key").first().alias("_first_key"), pl.len().alias("_n_survivors"))
             .join(meta, on=doc, how="left"))
    headline = ((pl.col("_first").str.len_chars() <= 150) & (pl.col("_first").str.count_matches(r"\S+") <= 25)
                & ~pl.col("_first").str.contains(r"[.:،؛,]\s*$") & (pl.col("_n_survivors") >= 2))
    # Every surviving copy of the title line goes (seed 004 prints its headline twice), unless it
    # is all that is left of the document.
    first = first.with_columns(
        pl.when(pl.col("_title_raw").is_not_null()).then(line_key(pl.col("_title_raw")))
        .when(headline).then(pl.col("_first_key")).alias("_title_key"))
    ls = (ls.join(first.select(doc, "_title_key", "_n_survivors"), on=doc, how="left", maintain_order="left")
          .with_columns(pl.coalesce(
              pl.col("reason"),
              pl.when(pl.col("reason").is_null() & (pl.col("key") == pl.col("_title_key"))
                      & (pl.col("_n_survivors") >= 2)).then(pl.lit("title")))
              .alias("reason"))
          .drop("_title_key", "_n_survivors"))
    ls = ls.collect()

    # Values are computed on the whole lines frame first: a regex inside ``group_by().agg`` runs
    # once per document group, 50× slower than one vectorized pass.
    kept = ls.filter(pl.col("reason").is_null()).with_columns(
        pl.when(pl.int_range(pl.len()).over(doc) < 2).then(dateline_agency(pl.col("norm"))).alias("_dl_agency"))
    body = kept.group_by(doc).agg(
        pl.col("norm").sort_by("line_no").str.join(_PARAGRAPH_SEP).alias("clean_text"),
        pl.col("_dl_agency").sort_by("line_no").drop_nulls().first())
    body = body.with_columns(clean_unicode(pl.col("clean_text")).alias("clean_text"))
    removed = ls.filter(pl.col("reason").is_not_null())
    found = removed.with_columns(
        pl.when(pl.col("reason") == "title").then(pl.col("norm")).alias("_title_line"),
        pl.when(pl.col("reason") == "dateline").then(pl.col("line_date")).alias("_dl_date"),
        pl.when(pl.col("reason") == "byline").then(byline_value(pl.col("norm"))).alias("_byline"),
        pl.when(pl.col("reason") == "credit").then(credit_value(pl.col("norm"))).alias("_credit"),
    ).group_by(doc).agg(
        pl.col(c).sort_by("line_no").drop_nulls().first() for c in ("_title_line", "_dl_date", "_byline", "_credit"))
    out = (
        docs.join(body, on=doc, how="left", maintain_order="left")
        .join(found, on=doc, how="left", maintain_order="left")
        .with_columns(pl.col("clean_text").fill_null(""))
        .with_columns(
            text_key(pl.col("clean_text")).alias("text_key"),
            pl.coalesce(_one_line(pl.col("title_raw")), pl.col("_title_line")).alias("title"),
            pl.coalesce(published_at(pl.col("published_raw")), pl.col("_dl_date"))
            .cast(pl.Datetime("us", "UTC")).alias("published_at"),
            pl.coalesce(_one_line(pl.col("author_raw")), pl.col("_byline")).alias("byline"),
            pl.coalesce(pl.col("_credit"), pl.col("_dl_agency"), agency_in(pl.col("author_raw"))).alias("agency"),
            language(pl.col("clean_text")).alias("language"),
            is_arabic(pl.col("clean_text")).alias("is_arabic"),
            pl.col("clean_text").str.len_chars().cast(pl.Int64).alias("n_chars"),
        )
        .with_columns(pl.col("published_at").dt.year().cast(pl.Int32).alias("published_year"),
                      pl.col("published_at").dt.month().cast(pl.Int32).alias("published_month"))
        .drop(pl.selectors.starts_with("_"))
    )
    removed_lines = removed.select(doc, "line_no", pl.col("line").alias("text"), "reason").sort(doc, "line_no")
    return out, removed_lines.cast(REMOVED_SCHEMA)

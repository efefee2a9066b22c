"""Draw the news NER corpus's articles from the shared ANT corpora (never SaudiNewsNet).

``python -m bench.news_sample --corpora ../shared/corpora --out transforms/ner/data/news/articles.jsonl``

Stratified: ``PER_SOURCE`` articles from each of the six ANT sources, spread evenly over the source's
categories (a category with fewer eligible articles gives its share to the others), drawn with a fixed
seed from articles of at least ``MIN_CHARS`` characters. Each article is cut to an excerpt of whole
paragraphs (about ``EXCERPT_CHARS`` characters; a longer first paragraph is cut at a sentence end),
so one reader can annotate it in a few minutes. Output: one JSON object a line with ``id, corpus,
source, category, url, title, published_raw, text``.

The corpus was drawn in four waves: ``--per-source 80`` (seed 20261207) from all six sources, then
``--per-source 100 --seed 20261208 --skip-source BBC --append`` from the five training sources
(articles whose url an earlier one already has — one article filed under two categories — dropped),
then ``--per-source 40 --seed 20261209 --skip-source BBC --append`` and ``--per-source 80 --seed 20261211
--skip-source BBC --append`` (one article that shares a sentence with a dev article removed by hand).
"""
from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

import polars as pl

SEED = 20261207
PER_SOURCE = 80
MIN_CHARS = 300
EXCERPT_CHARS = 900
MAX_CHARS = 1400
CORPORA = ("ant_multisource", "ant_jawharafm")


def excerpt(text: str, target: int = EXCERPT_CHARS, limit: int = MAX_CHARS) -> str:
    """Leading whole paragraphs of ``text`` up to about ``target`` characters, never past ``limit``."""
    out: list[str] = []
    size = 0
    for para in text.split("\n"):
        if size >= target:
            break
        if size + len(para) > limit:
            room = limit - size
            ends = [m.end() for m in re.finditer(r"[.!?؟]\s", para[:room])]
            if ends:
                out.append(para[: ends[-1]].rstrip())
            elif not out:
                out.append(para[:room].rsplit(" ", 1)[0])
            break
        out.append(para)
        size += len(para) + 1
    return "\n".join(out).strip()


def allocate(counts: dict[str, int], total: int) -> dict[str, int]:
    """Even shares of ``total`` over categories, capped by what each category has."""
    share = {c: 0 for c in counts}
    left = total
    while left > 0:
        open_ = sorted(c for c in counts if share[c] < counts[c])
        if not open_:
            break
        for c in open_:
            if left == 0:
                break
            share[c] += 1
            left -= 1
    return share


def sample(corpora: Path, per_source: int = PER_SOURCE, seed: int = SEED, skip_sources: frozenset = frozenset(),
           exclude: frozenset = frozenset()) -> list[dict]:
    """The drawn articles; ``skip_sources`` draws none from those sources, ``exclude`` skips ids
    already drawn (a second wave draws with another seed)."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for name in CORPORA:
        df = pl.read_parquet(corpora / f"{name}.parquet").filter(
            pl.col("source").is_not_null() & (pl.col("text").str.len_chars() >= MIN_CHARS)
            & ~pl.col("id").is_in(list(exclude)) & ~pl.col("source").is_in(list(skip_sources))
        ).sort("id")
        for source in sorted(df["source"].unique().to_list()):
            part = df.filter(pl.col("source") == source)
            counts = dict(part.group_by("category").len().iter_rows())
            for category, n in sorted(allocate(counts, per_source).items()):
                ids = part.filter(pl.col("category") == category)["id"].to_list()
                for rid in sorted(rng.sample(ids, n)):
                    r = part.filter(pl.col("id") == rid).row(0, named=True)
                    rows.append({"id": r["id"], "corpus": name, "source": r["source"], "category": category,
                                 "url": r["url"], "title": r["title"], "published_raw": r["published_raw"],
                                 "text": excerpt(r["text"])})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--out", type=Path, default=Path("transforms/ner/data/news/articles.jsonl"))
    ap.add_argument("--per-source", type=int, default=PER_SOURCE)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--skip-source", action="append", default=[], help="draw nothing from this source")
    ap.add_argument("--append", action="store_true", help="add to --out, skipping the ids it holds")
    args = ap.parse_args()
    held = set()
    if args.append and args.out.exists():
        held = {json.loads(x)["id"] for x in args.out.read_text(encoding="utf-8").splitlines() if x.strip()}
    rows = sample(args.corpora, args.per_source, args.seed, frozenset(args.skip_source), frozenset(held))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("a" if args.append else "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(rows)} articles → {args.out}")


if __name__ == "__main__":
    main()

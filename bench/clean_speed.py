"""Cleaning throughput over the 72,716 shared articles (benchmark, not a test).

    .venv/bin/python bench/clean_speed.py                 # all three corpora, learn + clean
    .venv/bin/python bench/clean_speed.py --limit 10000   # quicker
    .venv/bin/python bench/clean_speed.py --sentences     # also time segmentation

Reads ../shared/corpora/{ant_multisource,ant_jawharafm,saudinewsnet}.parquet (saudinewsnet is
used here for timing only; nothing derived from it is written).  Prints articles/s for template
learning, ``clean_documents`` and optionally ``sentences``, plus the removed-line reasons.
Polars uses all cores it finds; ``POLARS_MAX_THREADS`` bounds it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.boilerplate import learn_templates  # noqa: E402
from transforms.clean import clean_documents  # noqa: E402
from transforms.segment import sentences  # noqa: E402

CORPORA = ROOT / ".." / "shared" / "corpora"
FILES = ("ant_multisource", "ant_jawharafm", "saudinewsnet")


def load(limit: int | None) -> pl.DataFrame:
    frames = [pl.read_parquet(CORPORA / f"{name}.parquet") for name in FILES]
    df = pl.concat(frames, how="vertical_relaxed")
    if limit:
        df = df.sample(min(limit, df.height), seed=1)
    return df.select(pl.col("id").alias("doc_id"), pl.col("source").alias("source_name"),
                     pl.col("text").alias("raw_text"), pl.col("title").alias("title_raw"), "published_raw", "url",
                     pl.col("author").cast(pl.Utf8).alias("author_raw"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="sample this many articles")
    ap.add_argument("--sentences", action="store_true", help="also time transforms.segment.sentences")
    args = ap.parse_args()
    if not (CORPORA / "ant_multisource.parquet").exists():
        sys.exit(f"shared corpora not found at {CORPORA}")
    docs = load(args.limit)
    n = docs.height
    chars = docs["raw_text"].str.len_chars().sum()
    print(f"{n} articles, {chars / 1e6:.1f} M characters, polars {pl.__version__}, "
          f"{os.cpu_count()} CPUs, POLARS_MAX_THREADS={os.environ.get('POLARS_MAX_THREADS', 'unset')}")

    # Wall time and process CPU time (all threads): on a shared machine the wall figure depends
    # on the other jobs, the CPU figure does not.
    w0, c0 = time.perf_counter(), time.process_time()
    templates = learn_templates(docs)
    w1, c1 = time.perf_counter(), time.process_time()
    out, removed = clean_documents(docs, templates)
    w2, c2 = time.perf_counter(), time.process_time()

    def line(name: str, wall: float, cpu: float, extra: str = "") -> None:
        print(f"{name:16s} wall {wall:6.1f} s ({n / wall:6.0f} articles/s)   "
              f"cpu {cpu:6.1f} s ({n / cpu:6.0f} articles/cpu-s){extra}")

    print(f"load average before: {os.getloadavg()[0]:.1f}")
    line("learn_templates", w1 - w0, c1 - c0, f", {templates.height} template lines")
    line("clean_documents", w2 - w1, c2 - c1)
    line("learn + clean", w2 - w0, c2 - c0)
    if args.sentences:
        s = sentences(out.select("doc_id", "clean_text"))
        w3, c3 = time.perf_counter(), time.process_time()
        line("sentences", w3 - w2, c3 - c2, f", {s.height} sentences")
    kept = out["n_chars"].sum() / chars
    print(f"clean_text keeps {kept:.1%} of raw characters; {removed.height} lines removed")
    print(removed.group_by("reason").len().sort("len", descending=True))


if __name__ == "__main__":
    main()

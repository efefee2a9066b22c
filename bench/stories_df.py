"""Build ``transforms/lexicon/story_df.tsv.gz``: in how many ANT articles each story word occurs.

    .venv/bin/python -m bench.stories_df --corpus ../shared/corpora

The ANT corpora only (multi-source and JawharaFM, Apache-2.0; SaudiNewsNet may not be shipped in
any form). Each article is cleaned as the pipeline cleans it (``templates_for`` +
``clean_documents``), its title and text split by ``transforms.stories.story_words``; a word counts
once per article. Words of two or more articles are kept (a word the file lacks counts as one).
The first line is ``# articles=N``.
"""
from __future__ import annotations

import argparse
import gzip
import io
from pathlib import Path

import polars as pl

from transforms.clean import clean_documents
from transforms.normalize import text_key
from transforms.pipeline import templates_for
from transforms.stories import DF_FILE, story_words

FILES = ("ant_multisource.parquet", "ant_jawharafm.parquet")


def cleaned(corpus: Path) -> pl.DataFrame:
    frames = []
    for f in FILES:
        d = pl.read_parquet(corpus / f).with_row_index("row")
        frames.append(d.select(doc_id=pl.lit(f) + "#" + pl.col("row").cast(pl.Utf8),
                               source_name=pl.col("source").fill_null("unknown"), raw_text=pl.col("text"),
                               title_raw=pl.col("title"), published_raw=pl.col("published_raw"),
                               url=pl.col("url"), author_raw=pl.col("author")))
    docs = pl.concat(frames)
    templates = templates_for(docs, None)
    return pl.concat([clean_documents(docs.slice(o, 2000), templates)[0].select("doc_id", "title", "text_key")
                      for o in range(0, docs.height, 2000)])


def frequencies(docs: pl.DataFrame) -> pl.DataFrame:
    words = docs.select("doc_id", w=pl.concat_list(story_words(text_key(pl.col("title").fill_null(""))),
                                                   story_words(pl.col("text_key"))))
    return (words.explode("w").drop_nulls("w").unique().group_by("w").agg(df=pl.len())
            .filter(pl.col("df") >= 2).sort("w"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--cleaned", type=Path, help="a Parquet of doc_id, title, text_key already cleaned")
    ap.add_argument("--out", type=Path, default=DF_FILE)
    args = ap.parse_args()
    docs = pl.read_parquet(args.cleaned) if args.cleaned else cleaned(args.corpus)
    df = frequencies(docs)
    # mtime=0: the same words give the same bytes
    with gzip.GzipFile(args.out, "wb", compresslevel=9, mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8") as fh:
        fh.write(f"# articles={docs.height}\n")
        for w, n in df.iter_rows():
            fh.write(f"{w}\t{n}\n")
    print(f"{df.height} words of {docs.height} articles → {args.out}")


if __name__ == "__main__":
    main()

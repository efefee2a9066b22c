"""cProfile of one transform batch (in this process): where the per-document time goes.

    .venv/bin/python -m bench.profile_transforms [--docs 1000] [--stage time_expressions] [--no-ner]

Builds ``docs_raw`` from the corpus Parquet (a proportional head of each file) exactly as the flow
does (records → identity → templates), then profiles ``transform_documents`` or one stage.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from pathlib import Path

import polars as pl

from bench.pipeline import SHARED, _empty_mentions, corpus_files


def docs_for(n: int) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    from transforms.pipeline import STAGED_SCHEMA, templates_for, with_identity
    from transforms.records import records

    files = corpus_files(SHARED / "corpora")
    rows = []
    for f in files:
        b = f.read_bytes()
        rows.append({"source_uri": str(f), "payload": b, "n_bytes": len(b), "ext": ".parquet"})
    docs_raw, _ = records(pl.DataFrame(rows))
    total = docs_raw.height
    docs_raw = docs_raw.with_columns(file=pl.col("source_uri").str.split("#").list.first())
    parts = [g.head(max(1, round(n * g.height / total))) for _, g in docs_raw.group_by("file", maintain_order=True)]
    docs = with_identity(pl.concat(parts).select(list(STAGED_SCHEMA)))
    return docs, templates_for(docs, None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--stage", default="all")
    ap.add_argument("--no-ner", action="store_true")
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args()
    if a.no_ner:
        import transforms.ner as ner
        ner.mentions = _empty_mentions
    docs, templates = docs_for(a.docs)
    from transforms.clean import clean_documents
    from transforms.pipeline import transform_documents
    from transforms.segment import sentences

    if a.stage == "all":
        fn = lambda: transform_documents(docs, templates)  # noqa: E731
    else:
        cleaned, _ = clean_documents(docs, templates)
        import transforms.entities as ents
        import transforms.ner as ner
        import transforms.stories as st
        sents = sentences(cleaned)
        ments = ner.mentions(sents)
        ments2, _ = ents.resolve(ments, cleaned)
        fn = {"clean_documents": lambda: clean_documents(docs, templates), "sentences": lambda: sentences(cleaned),
              "mentions": lambda: ner.mentions(sents), "resolve": lambda: ents.resolve(ments, cleaned),
              "quotes": lambda: ents.quotes(cleaned, ments2), "time_expressions": lambda: ents.time_expressions(cleaned),
              "story_sketches": lambda: st.story_sketches(cleaned)}[a.stage]
    pr = cProfile.Profile()
    t = time.perf_counter()
    pr.enable()
    fn()
    pr.disable()
    print(f"{a.stage} on {docs.height} docs: {time.perf_counter() - t:.2f} s")
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("cumulative").print_stats(a.top)
    print(s.getvalue())
    s = io.StringIO()
    pstats.Stats(pr, stream=s).sort_stats("tottime").print_stats(a.top)
    print(s.getvalue())


if __name__ == "__main__":
    main()

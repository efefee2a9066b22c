"""Draw the quote candidates of ``tests/golden/quotes/`` from the shared ANT corpora (never SaudiNewsNet).

``python -m bench.quotes_sample --corpora ../shared/corpora --out tests/golden/quotes``

A candidate is a span that :func:`transforms.entities.quotes.quote_spans` finds (text in «…», “…”
or "…" of at least three words, within a paragraph) in an article's ``clean_text`` as the flow
cleans it (records → identity → templates learned from the read → ``clean_documents``). Strata:
the six ANT sources; in each, ``PER_SOURCE`` articles with at least one candidate are drawn with
``SEED`` and one candidate of each article is picked with the same generator (a held-out set: another
``--seed``, ``--per-source`` and ``--exclude`` the first set's articles). Writes
``ant_articles.jsonl`` (``doc, corpus, source, id, url, text``: ``clean_text`` up to the end of the
paragraph of the article's candidate, so that the attribution before it stays) and
``ant_candidates.jsonl`` (``id, doc, start_char, end_char, quote``) for judging by reading.
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import polars as pl

SEED = 34
PER_SOURCE = 30
CORPORA = ("ant_multisource", "ant_jawharafm")


def cleaned(corpora: Path) -> pl.DataFrame:
    """``doc_id, source_uri, source_name, clean_text`` of the ANT articles, cleaned as the flow does."""
    from transforms.clean import clean_documents
    from transforms.pipeline import STAGED_SCHEMA, templates_for, with_identity
    from transforms.records import records

    rows = []
    for name in CORPORA:
        p = corpora / f"{name}.parquet"
        b = p.read_bytes()
        rows.append({"source_uri": str(p), "payload": b, "n_bytes": len(b), "ext": ".parquet"})
    raw, _ = records(pl.DataFrame(rows))
    docs = with_identity(raw.select(list(STAGED_SCHEMA)))
    out, _ = clean_documents(docs, templates_for(docs, None))
    return out.select("doc_id", "source_uri", "source_name", "clean_text").join(
        docs.select("doc_id", "url"), on="doc_id", how="left")


def draw(docs: pl.DataFrame, per_source: int = PER_SOURCE, seed: int = SEED,
         exclude: frozenset[str] = frozenset()) -> tuple[list[dict], list[dict]]:
    from transforms.entities.quotes import quote_spans

    rng = random.Random(seed)
    articles, candidates = [], []
    docs = docs.filter(pl.col("clean_text").is_not_null() & pl.col("source_name").is_not_null()
                       & ~pl.col("doc_id").is_in(list(exclude))).sort("doc_id")
    for source in sorted(docs["source_name"].unique().to_list()):
        part = [r for r in docs.filter(pl.col("source_name") == source).iter_rows(named=True)
                if quote_spans(r["clean_text"])]
        for r in sorted(rng.sample(part, min(per_source, len(part))), key=lambda r: r["doc_id"]):
            text = r["clean_text"]
            s, e = rng.choice(quote_spans(text))
            end = text.find("\n", e)
            corpus, _, rec = r["source_uri"].rpartition("/")[2].partition("#")
            doc = f"{corpus.removesuffix('.parquet')}#{rec}"
            articles.append({"doc": doc, "source": source, "doc_id": r["doc_id"], "url": r["url"],
                             "text": text if end < 0 else text[:end]})
            candidates.append({"id": f"{doc}@{s}", "doc": doc, "start_char": s, "end_char": e,
                               "quote": text[s:e]})
    return articles, candidates


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--out", type=Path, default=Path("tests/golden/quotes"))
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--per-source", type=int, default=PER_SOURCE)
    ap.add_argument("--exclude", type=Path, help="an ant_articles.jsonl whose articles are not drawn again")
    a = ap.parse_args()
    exclude = frozenset(json.loads(line)["doc_id"] for line in a.exclude.read_text(encoding="utf-8").splitlines()
                        if line) if a.exclude else frozenset()
    articles, candidates = draw(cleaned(a.corpora), a.per_source, a.seed, exclude)
    a.out.mkdir(parents=True, exist_ok=True)
    for name, rows in (("ant_articles.jsonl", articles), ("ant_candidates.jsonl", candidates)):
        with open(a.out / name, "w", encoding="utf-8") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{len(candidates)} candidates from {len(articles)} articles → {a.out}")


if __name__ == "__main__":
    main()

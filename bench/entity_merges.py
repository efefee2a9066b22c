"""Sample cross-document entity merges for hand-checking, and score the judged sample.

A *merge* is a pair of different surface spellings, seen in different documents, that end up
with the same canonical entity (``resolve`` then ``merge_entities`` over the whole sample).
Pairs are drawn uniformly over distinct (label, surface_a, surface_b) — not weighted by
frequency — so rare, risky merges are as likely to be checked as ``روسيا``/``لروسيا``.

Mention sources:
  --source anercorp   gold ANERcorp mentions (../shared/ner/anercorp_train.txt); a pseudo-
                      document is a run of --doc-sentences consecutive sentences (the corpus
                      keeps article order but has no article boundaries).
  --source ant        transforms.ner.mentions over --docs random articles of the ANT corpora
                      (Apache-2.0; needs the trained NER model); --cache keeps the mentions.
  --source all72k     the same over ANT + SaudiNewsNet (72,716 articles; counts only — the
                      SaudiNewsNet licence forbids shipping anything derived from it).

  .venv/bin/python bench/entity_merges.py sample --source anercorp --n 150 --seed 6 \
      --out tests/golden/entity_merges/anercorp_sample.jsonl
  .venv/bin/python bench/entity_merges.py sample --source anercorp --n 150 --seed 6 \
      --only-different-keys --out tests/golden/entity_merges/anercorp_hard_sample.jsonl
  # pairs judged before are prefilled from tests/golden/entity_merges/judgments.jsonl;
  # judge the rest by hand ("expected": "same" | "different") and add them there
  .venv/bin/python bench/entity_merges.py score tests/golden/entity_merges/anercorp_sample.jsonl
  # the same through the warehouse's corpus-level resolution (transforms.entities.corpus_resolution)
  .venv/bin/python bench/entity_merges.py sample --source anercorp --n 150 --seed 6 --path corpus \
      --out /tmp/anercorp_corpus_sample.jsonl
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
SHARED = (REPO / ".." / "shared").resolve()

from transforms.entities import merge_entities, resolve  # noqa: E402
from transforms.entities.key import key_of  # noqa: E402
from transforms.ids import stable_id  # noqa: E402


def anercorp_mentions(doc_sentences: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Gold mentions of ANERcorp, with offsets into a reconstructed pseudo-document text."""
    path = SHARED / "ner" / "anercorp_train.txt"
    if not path.exists():
        sys.exit(f"{path} not present")
    sents, cur = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if cur:
                sents.append(cur)
            cur = []
            continue
        tok, _, tag = line.rpartition(" ")
        cur.append((tok.replace("\u200f", ""), tag))
    if cur:
        sents.append(cur)
    docs, rows = [], []
    for d0 in range(0, len(sents), doc_sentences):
        doc_id = f"aner{d0 // doc_sentences:05d}"
        text, spans = "", []
        for sent in sents[d0:d0 + doc_sentences]:
            label, start, end = None, 0, 0
            for tok, tag in sent + [("", "O")]:
                if tag.startswith("I-") and label == tag[2:]:
                    end = len(text) + len(tok) if tok else end
                else:
                    if label:
                        spans.append((start, end, label))
                    label = tag[2:] if tag[:2] in ("B-", "I-") else None
                    start, end = len(text), len(text) + len(tok)
                text += tok + " "
            text += "\n"
        docs.append({"doc_id": doc_id, "clean_text": text, "published_at": None})
        for s, e, label in spans:
            rows.append({"mention_id": stable_id(doc_id, s, e, label), "doc_id": doc_id,
                         "sentence_id": doc_id, "start_char": s, "end_char": e,
                         "surface": text[s:e], "label": label, "score": 1.0, "method": "gold"})
    return pl.DataFrame(rows), pl.DataFrame(docs, schema={"doc_id": pl.Utf8, "clean_text": pl.Utf8,
                                                          "published_at": pl.Datetime("us", "UTC")})


def corpus_mentions(corpora: list[str], n_docs: int | None, seed: int, cache: str | None,
                    chunk: int = 500) -> tuple[pl.DataFrame, pl.DataFrame]:
    """transforms.ner.mentions over (a random sample of) shared corpora, tagged in chunks and
    cached as Parquet (re-runs reuse the cache).  The raw ``text`` column stands in for
    clean_text; ``published_raw`` is not parsed (relative dates are not needed here)."""
    from transforms.ner import mentions
    from transforms.segment import sentences

    frames = [pl.read_parquet(SHARED / "corpora" / f"{c}.parquet").select(
        doc_id=pl.lit(c + ":") + pl.col("id").cast(pl.Utf8), clean_text="text") for c in corpora]
    docs = pl.concat(frames).unique("doc_id", keep="first").sort("doc_id")
    if n_docs and n_docs < docs.height:
        docs = docs.sample(n_docs, seed=seed).sort("doc_id")
    docs = docs.with_columns(published_at=pl.lit(None, pl.Datetime("us", "UTC")))
    if cache and Path(cache).exists():
        return pl.read_parquet(cache), docs
    parts, t0 = [], time.time()
    for i in range(0, docs.height, chunk):
        part = docs.slice(i, chunk).select("doc_id", "clean_text")
        parts.append(mentions(sentences(part)))
        print(f"tagged {min(i + chunk, docs.height)}/{docs.height} docs "
              f"({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)
    ments = pl.concat(parts)
    if cache:
        ments.write_parquet(cache)
    return ments, docs


def corpus_pairs(ments: pl.DataFrame, docs: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    """The same table through the path the warehouse takes: ``corpus_resolution`` over every
    mention at once (clitics, labels, titles, places and people decided from the whole sample);
    ``entity_id`` of a row is its spelling's name key, so ``via`` is ``key`` for spellings of one key."""
    from transforms.entities import corpus_resolution
    from transforms.entities.key import name_key

    t0 = time.time()
    units = ments.group_by("doc_id", "label", "surface").agg(n=pl.len())
    d = docs.select("doc_id", "published_at").with_columns(source_id=pl.lit("corpus"))
    out, ents, _ = corpus_resolution(units, d)
    res = out.filter(pl.col("entity_id").is_not_null()).rename({"entity_id": "canonical_entity_id"})
    res = res.with_columns(entity_id=pl.col("label") + ":" + name_key(pl.col("surface")))
    stats = {"mentions": int(res["n"].sum()), "documents": docs.height, "entities": ents.height,
             "seconds": round(time.time() - t0, 1)}
    per = res.group_by("canonical_entity_id", "label", "surface").agg(
        pl.col("doc_id").unique().sort().alias("docs"), pl.col("entity_id").min()
    ).sort("canonical_entity_id", "label", "surface")
    return per, stats


def merged_pairs(ments: pl.DataFrame, docs: pl.DataFrame) -> tuple[pl.DataFrame, dict]:
    t0 = time.time()
    res, ents = resolve(ments, docs)
    mapping = merge_entities(ents)
    res = res.join(mapping, on="entity_id", how="inner")  # mentions without entity: no merge
    stats = {"mentions": res.height, "documents": docs.height,
             "entities_resolve": ents.height,
             "entities_after_merge": mapping["canonical_entity_id"].n_unique(),
             "seconds": round(time.time() - t0, 1)}
    per = res.group_by("canonical_entity_id", "label", "surface").agg(
        pl.col("doc_id").unique().sort().alias("docs"), pl.col("entity_id").min()
    ).sort("canonical_entity_id", "label", "surface")
    return per, stats


def sample(args: argparse.Namespace) -> None:
    if args.source == "anercorp":
        ments, docs = anercorp_mentions(args.doc_sentences)
    else:
        corpora = ["ant_multisource", "ant_jawharafm"] + (
            ["saudinewsnet"] if args.source == "all72k" else [])
        ments, docs = corpus_mentions(corpora, args.docs or None, args.seed, args.cache)
    per, stats = (corpus_pairs if args.path == "corpus" else merged_pairs)(ments, docs)
    pairs = []
    for (cid, label), g in per.group_by("canonical_entity_id", "label", maintain_order=True):
        rows = sorted(g.iter_rows(named=True), key=lambda r: r["surface"])
        for i, a in enumerate(rows):
            for b in rows[i + 1:]:
                da, db = set(a["docs"]), set(b["docs"])
                if da - db or db - da:  # seen in at least two different documents
                    pairs.append((label, a, b))
    stats["cross_document_surface_pairs"] = len(pairs)
    stats["pairs_with_different_keys"] = sum(key_of(a["surface"]) != key_of(b["surface"])
                                             for _, a, b in pairs)
    if args.only_different_keys:  # the non-trivial merges: not just clitics/hamza/spelling
        pairs = [p for p in pairs if key_of(p[1]["surface"]) != key_of(p[2]["surface"])]
    pairs.sort(key=lambda p: (p[0], p[1]["surface"], p[2]["surface"]))  # reproducible sample
    rng = random.Random(args.seed)
    picked = rng.sample(pairs, min(args.n, len(pairs)))
    known = {}
    if args.judgments and Path(args.judgments).exists():
        for line in Path(args.judgments).read_text(encoding="utf-8").splitlines():
            if line:
                j = json.loads(line)
                known[j["id"]] = (j["expected"], j["note"])
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for label, a, b in sorted(picked, key=lambda p: (p[0], p[1]["surface"], p[2]["surface"])):
            pid = stable_id(label, a["surface"], b["surface"])
            expected, note = known.get(pid, (None, ""))
            f.write(json.dumps({
                "id": pid,
                "input": {"label": label, "a": a["surface"], "b": b["surface"],
                          "same_key": key_of(a["surface"]) == key_of(b["surface"]),
                          "via": "key" if a["entity_id"] == b["entity_id"] else "merge"},
                "expected": expected, "note": note}, ensure_ascii=False) + "\n")
    stats["unjudged"] = sum(stable_id(lab, a["surface"], b["surface"]) not in known
                            for lab, a, b in picked)
    print(json.dumps(stats, ensure_ascii=False))


def score(args: argparse.Namespace) -> None:
    rows = [json.loads(x) for x in Path(args.file).read_text(encoding="utf-8").splitlines() if x]
    judged = [r for r in rows if r["expected"] in ("same", "different")]
    ok = sum(r["expected"] == "same" for r in judged)
    by_via: dict[str, list[int]] = {}
    for r in judged:
        by_via.setdefault(r["input"]["via"], [0, 0])
        by_via[r["input"]["via"]][0] += r["expected"] == "same"
        by_via[r["input"]["via"]][1] += 1
    print(json.dumps({"judged": len(judged), "correct": ok,
                      "precision": round(ok / len(judged), 3) if judged else None,
                      "by_via": by_via}, ensure_ascii=False))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sample")
    s.add_argument("--source", choices=["anercorp", "ant", "all72k"], default="anercorp",
                   help="all72k adds saudinewsnet (benchmark use only: never ship its merges)")
    s.add_argument("--cache", help="Parquet file caching the tagger's mentions")
    s.add_argument("--n", type=int, default=150)
    s.add_argument("--seed", type=int, default=6)
    s.add_argument("--docs", type=int, default=2000,
                   help="articles to tag (--source ant/all72k; 0 = all)")
    s.add_argument("--doc-sentences", type=int, default=10)
    s.add_argument("--only-different-keys", action="store_true",
                   help="sample only pairs whose surfaces have different keys (harder merges)")
    s.add_argument("--path", choices=["batch", "corpus"], default="batch",
                   help="batch: resolve then merge_entities; corpus: corpus_resolution, as the warehouse")
    s.add_argument("--out", required=True)
    s.add_argument("--judgments", default=str(REPO / "tests/golden/entity_merges/judgments.jsonl"),
                   help="earlier hand judgments (by pair id) to prefill 'expected'")
    c = sub.add_parser("score")
    c.add_argument("file")
    args = p.parse_args()
    sample(args) if args.cmd == "sample" else score(args)


if __name__ == "__main__":
    main()

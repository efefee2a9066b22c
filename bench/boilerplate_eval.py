"""Boilerplate precision/recall on the hand-labelled ANT sample, and removal rates of the BBC app
notice and the opinion disclaimers over the whole of ant_multisource.parquet.

    .venv/bin/python bench/boilerplate_eval.py            # prints a report (needs ../shared)
    .venv/bin/python bench/boilerplate_eval.py --errors   # also lists every false positive/negative

Labels: tests/golden/boilerplate_labels/ant_{sample,heldout}.jsonl (46 + 24 articles, 6 sources; line numbers
of ``text.split("\\n")`` plus a SHA-256 prefix of every line so a changed corpus is detected).
Templates are learned over both ANT corpora first, as the flow does over the warehouse.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from transforms.boilerplate import learn_templates  # noqa: E402
from transforms.clean import clean_documents  # noqa: E402
from transforms.ids import stable_id  # noqa: E402

CORPORA = ROOT / ".." / "shared" / "corpora"
LABEL_DIR = ROOT / "tests" / "golden" / "boilerplate_labels"
# ant_sample: 46 articles read while the rules were developed (in-sample);
# ant_heldout: 24 more articles labelled after the rules were frozen (out-of-sample).
LABEL_FILES = ("ant_sample.jsonl", "ant_heldout.jsonl")
APP_NOTICE = r"يمكنكم (استلام|تسلم) إشعارات بأهم الموضوعات"
DISCLAIMERS = {
    "alarabia": r"جميع المقالات المنشورة تمثل رأي كتابها",
    "CNN": r"والآراء الواردة (أدناه|فيه)|(لا|ولا) (تعكس|يعكس) بالضرورة (رأي|وجهة نظر)[^.]{0,40}(CNN|الشبكة)",
}


def load_docs() -> pl.DataFrame:
    frames = [pl.read_parquet(CORPORA / f"{name}.parquet") for name in ("ant_multisource", "ant_jawharafm")]
    df = pl.concat(frames, how="vertical_relaxed").filter(pl.col("source").is_not_null())
    return df.select(pl.col("id").alias("doc_id"), pl.col("source").alias("source_name"),
                     pl.col("text").alias("raw_text"), pl.col("title").alias("title_raw"), "published_raw", "url",
                     pl.col("author").cast(pl.Utf8).alias("author_raw"))


def precision_recall(docs: pl.DataFrame, templates: pl.DataFrame, show_errors: bool, label_file: str) -> dict:
    import hashlib

    labels = [json.loads(ln) for ln in (LABEL_DIR / label_file).read_text("utf-8").splitlines() if ln]
    ids = [lab["id"] for lab in labels]
    sample = docs.filter(pl.col("doc_id").is_in(ids))
    raw = dict(zip(sample["doc_id"], sample["raw_text"]))
    for lab in labels:
        got = [hashlib.sha256(x.encode()).hexdigest()[:12] for x in raw[lab["id"]].split("\n")]
        assert got == lab["line_sha256_12"], f"corpus changed under the labels: {lab['id']}"
    _, removed = clean_documents(sample, templates)
    predicted = {(r["doc_id"], r["line_no"]): r["reason"] for r in removed.iter_rows(named=True)}
    gold = {(lab["id"], int(k)): v for lab in labels for k, v in lab["boilerplate"].items()}
    source = {lab["id"]: lab["source"] for lab in labels}
    rows = []
    for doc_id in ids:
        lines = raw[doc_id].split("\n")
        for no, line in enumerate(lines):
            if not line.strip():
                continue
            rows.append({"source": source[doc_id], "gold": (doc_id, no) in gold, "pred": (doc_id, no) in predicted})
            if show_errors and ((doc_id, no) in gold) != ((doc_id, no) in predicted):
                kind = "FP " + predicted.get((doc_id, no), "") if (doc_id, no) in predicted else "FN " + gold[(doc_id, no)]
                print(f"  {kind:28s} {doc_id}:{no}  {line.strip()[:70]}")
    t = pl.DataFrame(rows)

    def prf(f: pl.DataFrame) -> dict:
        tp = (f["gold"] & f["pred"]).sum()
        fp = (~f["gold"] & f["pred"]).sum()
        fn = (f["gold"] & ~f["pred"]).sum()
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return {"lines": f.height, "gold": int(f["gold"].sum()), "tp": int(tp), "fp": int(fp), "fn": int(fn),
                "precision": round(p, 3), "recall": round(r, 3)}

    per_source = {s: prf(t.filter(pl.col("source") == s)) for s in sorted(t["source"].unique())}
    return {"labels": label_file, "articles": len(labels), "overall": prf(t), "per_source": per_source}


def removal_rates(docs: pl.DataFrame, templates: pl.DataFrame) -> dict:
    multi = docs.filter(pl.col("doc_id").str.slice(0, 2).is_in(["AL", "BB", "CN", "FR", "SK"]))
    t0 = time.perf_counter()
    out, _ = clean_documents(multi, templates)
    secs = time.perf_counter() - t0
    result = {"articles_cleaned": out.height, "seconds": round(secs, 1)}
    checks = {"bbc_app_notice": ("BBC", APP_NOTICE), **{f"opinion_disclaimer_{s}": (s, p) for s, p in DISCLAIMERS.items()}}
    for name, (src, pattern) in checks.items():
        f = out.filter((pl.col("source_name") == src) & pl.col("raw_text").str.contains(pattern))
        gone = (~f["clean_text"].str.contains(pattern)).sum()
        result[name] = {"had_it": f.height, "removed": int(gone), "rate": round(gone / f.height, 4) if f.height else None}
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", action="store_true", help="list false positives / negatives")
    args = ap.parse_args()
    if not (CORPORA / "ant_multisource.parquet").exists():
        sys.exit(f"shared corpora not found at {CORPORA}")
    docs = load_docs()
    templates = learn_templates(docs)
    print(f"templates learned over {docs.height} ANT articles: {templates.height} lines "
          f"(id {stable_id(*templates['line_key'].to_list())})")
    for label_file in LABEL_FILES:
        pr = precision_recall(docs, templates, args.errors, label_file)
        print(json.dumps(pr, ensure_ascii=False, indent=1))
    print(json.dumps(removal_rates(docs, templates), ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

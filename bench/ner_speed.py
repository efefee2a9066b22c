"""NER speed benchmark: tokens/s of ``transforms.ner.mentions`` over ANT articles in ../shared/corpora.

    .venv/bin/python bench/ner_speed.py [--docs 3000] [--backend default|neural|crf] [--threads 2]

Splits each article into sentences (newlines and . ! ? ؟), builds the ``sentences`` frame that
``mentions`` takes and times the whole call (tokenizing, tagging, consistency, frame building).
Tokens are counted with the tagger's own tokenizer. Wall-clock tokens/s depends on what else runs;
tokens per CPU-second (process time, all threads) is printed too as the load-independent figure. Only ANT corpora are read (never saudinewsnet).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import polars as pl
import regex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT / ".." / "shared"
_SENT_RE = regex.compile(r"[^\n.!?؟]+[.!?؟]*")


def sentence_frame(docs: pl.DataFrame) -> pl.DataFrame:
    """``sentence_id, doc_id, start_char, text`` from ``id, text`` with a punctuation splitter."""
    rows = []
    for doc_id, text in docs.select("id", "text").iter_rows():
        for m in _SENT_RE.finditer(text or ""):
            if m.group().strip():
                rows.append((f"{doc_id}:{m.start()}", doc_id, m.start(), m.group()))
    return pl.DataFrame(rows, schema=["sentence_id", "doc_id", "start_char", "text"], orient="row")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--model", default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--backend", default="default", help="default, neural or crf")
    args = ap.parse_args()
    files = sorted((SHARED / "corpora").glob("ant_*.parquet"))
    if not files:
        sys.exit(f"skip: no ANT corpora under {SHARED / 'corpora'}")
    import torch

    from transforms.ner import mentions
    from transforms.ner.text import tokenize

    torch.set_num_threads(args.threads)
    per = args.docs // len(files)
    docs = pl.concat([pl.read_parquet(f, columns=["id", "text"]).sample(per, seed=1) for f in files])
    sents = sentence_frame(docs)
    n_tokens = sum(len(tokenize(t)) for t in sents["text"])
    mentions(sents.head(200), backend=args.backend, model_path=args.model)  # load the model, warm up
    t0, c0 = time.perf_counter(), time.process_time()
    out = mentions(sents, backend=args.backend, model_path=args.model)
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"docs {docs.height}  sentences {sents.height}  tokens {n_tokens}  mentions {out.height}")
    load = os.getloadavg()[0]
    print(f"backend {args.backend}  seconds {dt:.2f}  tokens/s {n_tokens / dt:,.0f}  threads {args.threads}")
    print(f"cpu seconds {cpu:.2f}  tokens per CPU-second {n_tokens / cpu:,.0f}")
    print(f"1-min load average at the end: {load:.1f} on {os.cpu_count()} CPUs (other jobs slow this down)")


if __name__ == "__main__":
    main()

"""NER speed benchmark: tokens/s of ``transforms.ner.mentions`` over ANT articles in ../shared/corpora.

    .venv/bin/python bench/ner_speed.py [--docs 3000] [--backend default|neural|large|crf] [--procs 2]

Splits each article into sentences (newlines and . ! ? ؟), builds the ``sentences`` frame that
``mentions`` takes and times the whole call (tokenizing, tagging, consistency, frame building) in
``--procs`` worker processes (both cores by default; shards are whole articles), after each worker
has loaded the model and warmed its caches on 200 other articles.
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


def _init(backend: str, model: str | None, warm: pl.DataFrame, ready) -> None:
    """Worker start-up: load the model, warm it on articles outside the sample, then wait at
    ``ready`` until every worker is warm (the tagger runs its matrix products on one BLAS thread)."""
    from transforms.ner import mentions

    mentions(warm, backend=backend, model_path=model)
    ready.wait()


def _run(backend: str, model: str | None, sents: pl.DataFrame) -> tuple[float, int]:
    """CPU seconds spent and mentions found on one shard."""
    from transforms.ner import mentions

    c0 = time.process_time()
    out = mentions(sents, backend=backend, model_path=model)
    return time.process_time() - c0, out.height


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=3000)
    ap.add_argument("--model", default=None)
    ap.add_argument("--procs", type=int, default=2, help="worker processes (the flow's --workers)")
    ap.add_argument("--backend", default="default", help="default, neural, large or crf")
    args = ap.parse_args()
    files = sorted((SHARED / "corpora").glob("ant_*.parquet"))
    if not files:
        sys.exit(f"skip: no ANT corpora under {SHARED / 'corpora'}")
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from transforms.ner.text import tokenize

    per = args.docs // len(files)
    both = [pl.read_parquet(f, columns=["id", "text"]).sample(per + 100, seed=1) for f in files]
    docs = pl.concat([d.head(per) for d in both])
    warm = sentence_frame(pl.concat([d.tail(100) for d in both]))
    sents = sentence_frame(docs)
    n_tokens = sum(len(tokenize(t)) for t in sents["text"])
    # shards by document, so the per-document consistency pass sees whole articles
    shard_of = sents["doc_id"].rank("dense") % args.procs
    shards = [sents.filter(shard_of == k) for k in range(args.procs)]
    # spawn, not fork: Polars' thread pool must not be forked
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(args.procs + 1)
    with ProcessPoolExecutor(args.procs, mp_context=ctx, initializer=_init,
                             initargs=(args.backend, args.model, warm, ready)) as pool:
        # submitting one task per worker starts every worker; the barrier holds the clock until
        # all of them have loaded and warmed the model
        started = [pool.submit(time.sleep, 0) for _ in range(args.procs)]
        ready.wait()
        for f in started:
            f.result()
        t0 = time.perf_counter()
        results = list(pool.map(_run, [args.backend] * args.procs, [args.model] * args.procs, shards))
        dt = time.perf_counter() - t0
    cpu = sum(c for c, _ in results)
    print(f"docs {docs.height}  sentences {sents.height}  tokens {n_tokens}  mentions {sum(m for _, m in results)}")
    load = os.getloadavg()[0]
    print(f"backend {args.backend}  processes {args.procs}  seconds {dt:.2f}"
          f"  tokens/s {n_tokens / dt:,.0f}")
    print(f"cpu seconds {cpu:.2f}  tokens per CPU-second {n_tokens / cpu:,.0f}")
    print(f"1-min load average at the end: {load:.1f} on {os.cpu_count()} CPUs (other jobs slow this down)")


if __name__ == "__main__":
    main()

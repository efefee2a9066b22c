"""Draw the tone gold sentences from the shared ANT corpora (never SaudiNewsNet).

``python -m bench.tone_sample --corpora ../shared/corpora --out /tmp/tone_sample.jsonl``

Stratified over every (source, category) cell of ``ant_multisource`` and ``ant_jawharafm``: from each
cell ``TITLES`` headlines and ``SENTENCES`` body sentences, each from a different article, drawn with
``SEED``. A body sentence is one of :func:`transforms.segment.sentence_spans` of the raw text with
``MIN_WORDS`` to ``MAX_WORDS`` words and no URL, drawn uniformly from the article's eligible ones.
Output: one JSON object a line with ``id, source, category, kind`` (``title`` or ``sentence``) and
``text``; the labels are written by a reader afterwards (tests/golden/tone/README.md).
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import polars as pl

from transforms.segment import sentence_spans

SEED = 35
TITLES = 5
SENTENCES = 5
MIN_WORDS, MAX_WORDS = 8, 45
CORPORA = ("ant_multisource", "ant_jawharafm")


def eligible_sentences(text: str) -> list[str]:
    out = []
    for s in sentence_spans(text):
        sent = text[s["start_char"]:s["end_char"]].strip()
        n = len(sent.split())
        if MIN_WORDS <= n <= MAX_WORDS and "http" not in sent and "www." not in sent:
            out.append(sent)
    return out


def draw(corpora: Path) -> list[dict]:
    rng = random.Random(SEED)
    rows: list[dict] = []
    for name in CORPORA:
        df = (pl.read_parquet(corpora / f"{name}.parquet")
              .filter(pl.col("category").is_not_null() & pl.col("text").is_not_null())
              .sort("id"))
        for (source, category), cell in sorted(df.group_by("source", "category"), key=lambda kv: kv[0]):
            order = list(range(cell.height))
            rng.shuffle(order)
            titles = sentences = 0
            for i in order:
                if titles >= TITLES and sentences >= SENTENCES:
                    break
                art = cell.row(i, named=True)
                title = (art["title"] or "").strip()
                if titles < TITLES and len(title.split()) >= 4:
                    rows.append({"id": f"{art['id']}#title", "source": source, "category": category,
                                 "kind": "title", "text": title})
                    titles += 1
                    continue
                cands = eligible_sentences(art["text"])
                if sentences < SENTENCES and cands:
                    rows.append({"id": f"{art['id']}#s", "source": source, "category": category,
                                 "kind": "sentence", "text": rng.choice(cands)})
                    sentences += 1
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    rows = draw(a.corpora)
    a.out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} items written to {a.out}")


if __name__ == "__main__":
    main()

"""``evaluate(gold_path, backend)``: tag the tokens of a ``token TAG`` file and score exact spans.

``print(format_report(evaluate("dev.txt")))`` prints per-type P/R/F1 and ends with ``micro-F1: 0.xxx``.
The gold tokenization is kept (no re-tokenizing), as seqeval does.
"""
from __future__ import annotations

from pathlib import Path

from transforms.ner.conll import read_conll, score
from transforms.ner.tagger import tag_with


def evaluate(
    gold_path: str | Path, backend: str = "default", model_path: str | None = None
) -> dict[str, dict[str, float]]:
    """Per-type and micro P/R/F1 of ``backend`` on ``gold_path``."""
    sents = read_conll(gold_path)
    toks = [t for t, _ in sents]
    tagged, _ = tag_with(backend, toks, model_path)
    return score([g for _, g in sents], [[t for t, _ in s] for s in tagged])

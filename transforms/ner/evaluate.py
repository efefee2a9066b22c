"""``evaluate(gold_path, backend)``: tag the tokens of a ``token TAG`` file and score exact spans.

``print(format_report(evaluate("dev.txt")))`` prints per-type P/R/F1 and ends with ``micro-F1: 0.xxx``.
The gold tokenization is kept (no re-tokenizing), as seqeval does. With ``rules`` (the default) the
sentence-level rules run after the tagger, as in ``mentions`` (``rules.apply_rules``, listed in that
module's docstring); the document-level consistency pass does not (a file has no articles).
"""
from __future__ import annotations

from pathlib import Path

from transforms.ner.conll import read_conll, score, spans
from transforms.ner.mentions import _key
from transforms.ner.gazetteer import rule_gazetteer
from transforms.ner.rules import apply_rules
from transforms.ner.tagger import tag_with


def evaluate(
    gold_path: str | Path, backend: str = "default", model_path: str | None = None, rules: bool = True
) -> dict[str, dict[str, float]]:
    """Per-type and micro P/R/F1 of ``backend`` on ``gold_path`` (``rules=False``: the tagger alone)."""
    sents = read_conll(gold_path)
    toks = [t for t, _ in sents]
    tagged, _ = tag_with(backend, toks, model_path)
    pred = [[t for t, _ in s] for s in tagged]
    if rules:
        gaz = rule_gazetteer(backend, model_path)
        pred = [_with_rules(words, tags, gaz) for words, tags in zip(toks, pred)]
    return score([g for _, g in sents], pred)


def _with_rules(words: list[str], tags: list[str], gaz: tuple) -> list[str]:
    """``tags`` after ``apply_rules`` (BIO again)."""
    found = [(a, b, label, 1.0, "") for label, a, b in spans(tags)]
    apply_rules(_key(words), found, gaz)  # the keys mentions gives the rules
    out = ["O"] * len(tags)
    for a, b, label, *_ in found:
        out[a : b] = ["B-" + label] + ["I-" + label] * (b - a - 1)
    return out

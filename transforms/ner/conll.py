"""ANERcorp-style files (``token TAG`` per line, blank line between sentences) and span scoring.

``read_conll(path)`` → ``[(["أعلن", "اتحاد", "صناعة"], ["O", "B-ORG", "I-ORG"]), …]`` with stray
U+200F/U+200E marks removed from tokens. ``spans(["B-PERS", "I-PERS", "O"])`` → ``[("PERS", 0, 2)]``
(seqeval's default, non-strict IOB2 reading: an I- after O or another type starts a new span).
``score(gold, pred)`` gives exact span+type P/R/F1 per type and micro-averaged, as seqeval does.
"""
from __future__ import annotations

from pathlib import Path

LABELS = ("PERS", "LOC", "ORG", "MISC")
Sentence = tuple[list[str], list[str]]
_MARKS = str.maketrans("", "", "\u200e\u200f\u200c\u200d\ufeff")


def read_conll(path: str | Path) -> list[Sentence]:
    """Sentences of a ``token TAG`` file; tokens lose bidi marks, empty tokens are dropped."""
    sents: list[Sentence] = []
    toks: list[str] = []
    tags: list[str] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        parts = line.translate(_MARKS).split()
        if not parts:
            if toks:
                sents.append((toks, tags))
            toks, tags = [], []
            continue
        if len(parts) < 2:
            continue
        toks.append(parts[0])
        tags.append(parts[-1])
    if toks:
        sents.append((toks, tags))
    return sents


def dev_split(sents: list[Sentence], dev_fraction: float = 0.15) -> tuple[list[Sentence], list[Sentence]]:
    """Document-contiguous split: the last ``dev_fraction`` of sentences (in file order) is dev."""
    cut = int(round(len(sents) * (1 - dev_fraction)))
    return sents[:cut], sents[cut:]


def well_formed(tags: list[str]) -> list[str]:
    """Tags with each ``I-X`` that does not continue an ``X`` span made ``B-X`` — how ``spans`` reads
    it anyway. ANERcorp has a dozen (``O I-ORG``); a CRF cannot give such a path any probability."""
    out, prev = [], "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def spans(tags: list[str]) -> list[tuple[str, int, int]]:
    """Entity spans ``(label, start_token, end_token_exclusive)`` of one BIO tag sequence."""
    out: list[tuple[str, int, int]] = []
    label, start = None, 0
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, typ = tag.partition("-")
        continues = prefix == "I" and typ == label
        if label is not None and not continues:
            out.append((label, start, i))
            label = None
        if prefix in ("B", "I") and not continues:
            label, start = typ, i
    return out


def score(gold: list[list[str]], pred: list[list[str]]) -> dict[str, dict[str, float]]:
    """Per-type and ``micro`` precision/recall/F1/support over exact (type, start, end) spans."""
    counts: dict[str, list[int]] = {}
    for g_tags, p_tags in zip(gold, pred, strict=True):
        g = set(spans(g_tags))
        p = set(spans(p_tags))
        for label, *_ in g | p:
            counts.setdefault(label, [0, 0, 0])
        for s in g & p:
            counts[s[0]][0] += 1
        for s in p:
            counts[s[0]][1] += 1
        for s in g:
            counts[s[0]][2] += 1
    report: dict[str, dict[str, float]] = {}
    for label in sorted(counts, key=lambda x: (x not in LABELS, LABELS.index(x) if x in LABELS else 0, x)):
        report[label] = _prf(*counts[label])
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    report["micro"] = _prf(*total)
    return report


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": float(n_gold)}


def format_report(report: dict[str, dict[str, float]]) -> str:
    """The text ``akhbar eval-ner`` prints: a P/R/F1 table, last line ``micro-F1: 0.xxx``."""
    lines = [f"{'type':<6} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"]
    for label, m in report.items():
        if label == "micro":
            continue
        lines.append(
            f"{label:<6} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {int(m['support']):>8d}"
        )
    m = report["micro"]
    lines.append(
        f"{'micro':<6} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f} {int(m['support']):>8d}"
    )
    lines.append(f"micro-F1: {m['f1']:.3f}")
    return "\n".join(lines)

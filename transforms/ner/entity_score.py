"""Document-level scoring of a warehouse's mentions against gold written by reading.

Gold: ``{url_or_source_uri: {"mentions": [{"surface": "سيرغي لافروف", "label": "PERS",
"entity": "Sergey Lavrov", "count": 2}, …]}}``. Predictions: a frame with ``doc_key`` (the document's
url or source_uri, whichever the gold uses), ``surface``, ``label``, ``entity_id`` (a row with a null
``surface`` stands for a document read without mentions).

Count-based per article: a predicted mention is right when a gold mention of the same document has
the same label and the same surface under ``surface_key`` (diacritics and tatweel removed, alef forms,
alef maqsura and ta marbuta folded), where one leading proclitic (و ف ب ل ك, and ل + ال written لل)
may be dropped from either side: ``لموسكو`` = ``موسكو``, ``للجيش الإسرائيلي`` = ``الجيش الإسرائيلي``,
and ``وبغداد`` = ``بغداد`` although ``بغداد`` itself begins with ب. Each gold mention is used at most
``count`` times. Only documents named in the gold are scored.

Entity-level B-cubed over the matched mentions: do the mentions of one gold entity share one
``entity_id`` (precision: how pure each predicted entity is; recall: how whole each gold entity is),
across documents.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import polars as pl
import regex

LABELS = ("PERS", "LOC", "ORG", "MISC")
_STRIP = regex.compile(r"[\u064b-\u065f\u0670\u0640\u200c-\u200f\u061c\ufeff]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_CLITICS = ("و", "ف", "ب", "ل", "ك")


def surface_key(surface: str) -> str:
    """``"لِلجيشِ  الإسرائيليّ"`` → ``"للجيش الاسرائيلي"``: the form compared (spaces collapsed)."""
    return " ".join(_STRIP.sub("", surface).translate(_FOLD).split())


def variants(key: str) -> set[str]:
    """``key`` and its forms with one leading proclitic dropped (ل + ال written لل counts as one)."""
    out = {key}
    if key[:1] in _CLITICS and len(key) > 3:
        out.add(key[1:])
    for p in ("لل", "ولل", "فلل"):
        if key.startswith(p) and len(key) > len(p) + 1:
            out.add("ال" + key[len(p):])
    return out


def _match_document(pred: list[tuple[str, str, str]], gold: list[tuple[str, str, str, int]]):
    """Greedy count-based matching of one document: exact keys first, then proclitic variants.

    ``pred``: ``(key, label, entity_id)``; ``gold``: ``(key, label, entity, count)``.
    Returns ``(matched, n_pred, n_gold)`` with ``matched`` = ``[(label, entity_id, gold_entity)]``."""
    left = [[k, lab, ent, c] for k, lab, ent, c in gold]
    matched, unmatched = [], []
    for key, label, eid in pred:
        g = next((g for g in left if g[3] > 0 and g[1] == label and g[0] == key), None)
        if g is None:
            unmatched.append((key, label, eid))
        else:
            g[3] -= 1
            matched.append((label, eid, g[2]))
    for key, label, eid in unmatched:
        vs = variants(key)
        g = next((g for g in left if g[3] > 0 and g[1] == label and vs & variants(g[0])), None)
        if g is not None:
            g[3] -= 1
            matched.append((label, eid, g[2]))
    return matched, len(pred), sum(c for *_, c in gold)


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "tp": tp, "predicted": n_pred, "gold": n_gold}


def b_cubed(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """B-cubed precision/recall/F1 of ``(predicted_entity_id, gold_entity)`` pairs, one per mention."""
    if not pairs:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    by_pred, by_gold, both = Counter(p for p, _ in pairs), Counter(g for _, g in pairs), Counter(pairs)
    prec = sum(both[(p, g)] / by_pred[p] for p, g in pairs) / len(pairs)
    rec = sum(both[(p, g)] / by_gold[g] for p, g in pairs) / len(pairs)
    return {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}


def score_entities(pred: pl.DataFrame, gold: dict[str, dict]) -> dict:
    """Per-label and overall P/R/F1 plus B-cubed; ``documents`` counts the gold documents found."""
    by_doc: dict[str, list] = defaultdict(list)
    seen = set(pred["doc_key"].to_list())
    for key, surface, label, eid in pred.select("doc_key", "surface", "label", "entity_id").iter_rows():
        if key in gold and surface is not None:
            by_doc[key].append((surface_key(surface), label, eid))
    tp, npred, ngold = Counter(), Counter(), Counter()
    pairs: list[tuple[str, str]] = []
    for doc, entry in gold.items():
        g = [(surface_key(m["surface"]), m["label"], m.get("entity") or surface_key(m["surface"]),
              int(m.get("count", 1))) for m in entry.get("mentions", [])]
        matched, _, _ = _match_document(by_doc.get(doc, []), g)
        for _, label, _ in by_doc.get(doc, []):
            npred[label] += 1
        for _, label, _, c in g:
            ngold[label] += c
        for label, eid, gent in matched:
            tp[label] += 1
            pairs.append((eid, gent))
    labels = {lab: _prf(tp[lab], npred[lab], ngold[lab]) for lab in sorted(set(LABELS) | set(ngold) | set(npred))}
    return {"labels": labels, "overall": _prf(sum(tp.values()), sum(npred.values()), sum(ngold.values())),
            "b_cubed": b_cubed(pairs), "documents": sum(1 for d in gold if d in seen), "gold_documents": len(gold)}


def format_entity_report(report: dict) -> str:
    """A fixed-width table; the last line is ``overall: P 0.xxx R 0.xxx F1 0.xxx``."""
    lines = [f"documents scored: {report['documents']} of {report['gold_documents']} in the gold",
             f"{'label':<8}{'precision':>10}{'recall':>10}{'f1':>8}{'gold':>7}{'found':>7}"]
    for lab, r in report["labels"].items():
        lines.append(f"{lab:<8}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>8.3f}{r['gold']:>7}{r['predicted']:>7}")
    b = report["b_cubed"]
    lines.append(f"entity B-cubed over matched mentions: P {b['precision']:.3f} R {b['recall']:.3f} F1 {b['f1']:.3f}")
    o = report["overall"]
    lines.append(f"overall: P {o['precision']:.3f} R {o['recall']:.3f} F1 {o['f1']:.3f}")
    return "\n".join(lines)

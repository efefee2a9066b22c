"""Names the news corpus knows, kept whole at inference (docs/ner.md, "Rules").

The tagger often finds part of a multi-word name (``مجلس التعاون`` of ``مجلس التعاون الخليجي``,
``العشرين`` of ``مجموعة العشرين``) or runs past it. ``data/news/known_names.tsv`` lists the
multi-word names of the annotated training articles (never the test source's or the dev articles')
that readers tagged in two articles or more, with one label at least 90% of the time, and whose
words, wherever they occur in those articles, were tagged as that name at least 80% of the time
(``الاتفاق النووي`` yes; ``مدينة نصر``, a district but also "the city of Nasr", no).

:func:`known_names` runs on one sentence's spans: where such a name occurs (its first word behind a
proclitic too: ``ومجلس التعاون الخليجي``) and the tagger's spans lie inside it, they become the
name, with its label; a span that crosses the name's edge wins, and where the tagger found nothing
the sentence is left alone (the words can mean something else in a new article).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.ner.text import bare_forms, norm, word_key

Span = tuple[int, int, str, float, str]
NAMES_FILE = Path(__file__).resolve().parent / "data" / "news" / "known_names.tsv"
KnownNames = tuple[dict[tuple[str, ...], str], int]


@lru_cache(maxsize=1)
def load_known_names(path: Path = NAMES_FILE) -> KnownNames:
    """``({word keys: label}, most words in one name)``; empty when the file is absent."""
    names: dict[tuple[str, ...], str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            name, label, *_ = line.split("\t")
            names[tuple(word_key(norm(w)) for w in name.split())] = label
    return names, max((len(k) for k in names), default=0)


def _matches(keys: tuple[str, ...], names: dict[tuple[str, ...], str], longest: int) -> list[tuple[int, int, str]]:
    """Longest known name at each position, left to right, not overlapping."""
    out, i = [], 0
    while i < len(keys):
        best = None
        for n in range(min(longest, len(keys) - i), 1, -1):
            rest = keys[i + 1 : i + n]
            label = next((names[k] for f in bare_forms(keys[i], 2) if (k := (f, *rest)) in names), None)
            if label:
                best = (i, i + n, label)
                break
        if best:
            out.append(best)
            i = best[1]
        else:
            i += 1
    return out


def known_names(keys: tuple[str, ...], spans: list[Span], known: KnownNames) -> None:
    """Replace the spans inside a known name's words by the name (in place); see the module
    docstring. ``keys``: the sentence's ``word_key(norm(token))``; ``spans``: its ``(start, end,
    label, score, method)``. Example: ``قمة مجموعة العشرين`` with the span ``العشرين`` (LOC) →
    ``مجموعة العشرين`` (ORG)."""
    names, longest = known
    if not names or not spans or len(keys) < 2:
        return
    for a, b, label in _matches(keys, names, longest):
        over = [s for s in spans if s[0] < b and s[1] > a]
        if not over or any(s[0] < a or s[1] > b for s in over):
            continue
        if len(over) == 1 and over[0][:2] == (a, b):  # the same words: a relabel keeps its method
            spans[spans.index(over[0])] = (a, b, label, *over[0][3:])
            continue
        score = max(s[3] for s in over)
        for s in over:
            spans.remove(s)
        spans.append((a, b, label, score, "rule"))
    spans.sort()

"""Names the news corpus knows, kept whole at inference (docs/ner.md, "Rules").

The tagger often finds part of a multi-word name (``سوريا`` of ``قوات سوريا الديمقراطية``,
``شمال الأطلسي`` of ``حلف شمال الأطلسي``) or runs past it. ``data/news/known_names.tsv`` lists the
multi-word names of the annotated training articles (never the test source's or the dev articles')
that readers tagged in two articles or more, with one label at least 90% of the time, and whose
words, wherever they occur in those articles, were tagged as that name at least 80% of the time
(``الاتفاق النووي`` yes; ``مدينة نصر``, a district but also "the city of Nasr", no).

:func:`known_names` runs on one sentence's spans: where such a name occurs (its first word behind a
proclitic too: ``وحلف شمال الأطلسي``) and the tagger's spans lie inside it, they become the
name, with its label; a span that crosses the name's edge wins, and where the tagger found nothing
the sentence is left alone (the words can mean something else in a new article).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from transforms.ner.text import PROCLITICS, norm, word_key

Span = tuple[int, int, str, float, str]
NAMES_FILE = Path(__file__).resolve().parent / "data" / "news" / "known_names.tsv"
# a word as written (behind a proclitic or not) → (the other words' keys, label) of the names it can
# start, longest first
KnownNames = dict[str, list[tuple[tuple[str, ...], str]]]


@lru_cache(maxsize=1)
def load_known_names(path: Path = NAMES_FILE) -> KnownNames:
    """The names indexed by every form their first word's key (``word_key(norm(word))``) takes
    behind a proclitic (``قوات``, ``وقوات``, ``لقوات``…), so a sentence position costs one
    dictionary lookup; empty when the file is absent."""
    forms: dict[str, list[tuple[int, int, tuple[str, ...], str]]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            name, label, *_ = line.split("\t")
            first, *rest = (word_key(norm(w)) for w in name.split())
            # the bare word first, then the shortest proclitic: the order bare_forms reads them in
            for prio, p in enumerate(("", *PROCLITICS)):
                if p == "" or len(first) >= 2:
                    forms.setdefault(p + first, []).append((-len(rest), prio, tuple(rest), label))
    return {k: [(rest, label) for *_, rest, label in sorted(v)] for k, v in forms.items()}


def _matches(keys: tuple[str, ...], names: KnownNames) -> list[tuple[int, int, str]]:
    """Longest known name at each position, left to right, not overlapping. Runs on every tagged
    sentence: one list comprehension finds the words that start a name, and only those are tried."""
    out, free = [], 0
    for i in [i for i, k in enumerate(keys) if k in names]:
        if i < free:
            continue
        best = next(((len(rest) + 1, label) for rest, label in names[keys[i]]
                     if keys[i + 1 : i + 1 + len(rest)] == rest), None)
        if best:
            out.append((i, i + best[0], best[1]))
            free = i + best[0]
    return out


def known_names(keys: tuple[str, ...], spans: list[Span], known: KnownNames) -> None:
    """Replace the spans inside a known name's words by the name (in place); see the module
    docstring. ``keys``: the sentence's ``word_key(norm(token))``; ``spans``: its ``(start, end,
    label, score, method)``. Example: ``وقالت قوات سوريا الديمقراطية`` with the span ``سوريا``
    (LOC) → ``قوات سوريا الديمقراطية`` (ORG)."""
    if not spans or len(keys) < 2:
        return
    for a, b, label in _matches(keys, known):
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

"""A head noun right before a span makes one name with it (docs/entity-guidelines.md: the longest name,
head noun included).

The tagger often reads the name after a head noun on its own and labels it for what that name means
elsewhere: ``كتائب عز الدين القسام`` comes out as the person ``عز الدين القسام``, ``سرايا القدس`` as
the city, ``حركة غولن`` as the person. When an untagged head noun (behind a proclitic too:
``لحركة``) stands right before a span, the head and the span become one span labelled by the head:

- ``UNIT_HEADS`` (``كتائب``, ``سرايا``, ``ألوية``, ``فيلق``): ORG, whatever the span's label was
  (``سرايا القدس``, ``فيلق القدس``, ``كتائب حزب الله``);
- ``ORGANIZATION_HEADS`` (``حركة``, ``جماعة``, ``تنظيم``, ``جبهة``): ORG when the span is not a
  place (``تنظيم قطر لكأس العالم`` is Qatar's hosting of the cup, ``جبهة الجولان`` a front line);
- ``FACILITY_HEADS`` (``مخيم``, ``معبر``, ``حاجز``, ``مطار``, ``مستشفى``, ``ميناء``, ``سجن``,
  ``ملعب``, ``مسجد``, ``كنيسة``, ``قاعدة``): LOC, when the span is a PERS or LOC (``مستشفى
  الملك فهد``, ``مخيم جباليا``); an ORG after such a word is left alone (``مستشفى`` +
  ``أطباء بلا حدود`` is "a hospital of MSF").

A span that already opens with such a head takes the head's label the same way (the tagger's
``وسرايا القدس`` LOC → ORG, ``مستشفى الملك فهد`` PERS → LOC).

Only a bare head is taken: one with the article (``الحركة``) or a suffix refers back to a name said
before (``الحركة حماس`` is rare, ``الجماعة`` alone is not a name), and a seat of government
(``قصر``) is an ORG by its own rule in the guidelines, so it is not a facility head here.
"""
from __future__ import annotations

from transforms.ner.text import bare_forms, norm

Span = tuple[int, int, str, float, str]
UNIT_HEADS = frozenset(norm(w) for w in "كتائب سرايا ألوية الوية فيلق".split())
ORGANIZATION_HEADS = frozenset(norm(w) for w in "حركة جماعة تنظيم جبهة".split())
FACILITY_HEADS = frozenset(norm(w) for w in "مخيم معبر حاجز مطار مستشفى ميناء سجن ملعب مسجد كنيسة قاعدة".split())
_SCORE = 0.9


def _head(key: str, label: str) -> str | None:
    """The label of a head noun ``key`` (bare or behind a proclitic: ``لحركة``) joined to a span of
    ``label``, or None when ``key`` is no head noun or does not take such a span."""
    for rest in bare_forms(key):
        if rest in UNIT_HEADS:
            return "ORG"
        if rest in ORGANIZATION_HEADS and label != "LOC":
            return "ORG"
        if rest in FACILITY_HEADS and label in ("PERS", "LOC"):
            return "LOC"
    return None


def headed_names(keys: tuple[str, ...], spans: list[Span]) -> None:
    """Join an untagged head noun to the span right after it, in place (see the module docstring).

    ``keys``: the sentence's normalized tokens; ``spans``: ``(start, end, label, score, method)``.
    ``("قالت", "كتائب", "عز", "الدين", "القسام")`` with PERS ``[2, 5)`` → ORG ``[1, 5)``."""
    covered = {i for s, e, *_ in spans for i in range(s, e)}
    for n, (s, e, label, score, method) in enumerate(list(spans)):
        while True:  # to a fixed point, so a second run changes nothing (كتائب + سرايا + … in turn)
            if e - s > 1 and (inner := _head(keys[s], label if label == "PERS" else "ORG")) not in (None, label):
                label = inner
            elif s > 0 and (s - 1) not in covered and (head := _head(keys[s - 1], label)) is not None:
                s, label, score, method = s - 1, head, max(score, _SCORE), "rule"
            else:
                break
        spans[n] = (s, e, label, score, method)

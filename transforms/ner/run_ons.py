"""A span the tagger ran on into a country behind ل or ب is two names (docs/ner.md, "Rules").

``إدينسون كافاني لأوروغواي`` ("Edinson Cavani, for Uruguay") and ``سيدني بأستراليا`` ("Sydney, in
Australia") come out of the tagger as one span: a person's or a place's name never ends in a
preposition and a country, so the last word is cut off and becomes the country (LOC). An
organisation's name can (``الاتحاد الدولي لكرة القدم``, ``المفوضية السامية للأمم المتحدة``), so ORG and
MISC spans are left alone.
"""
from __future__ import annotations

Span = tuple[int, int, str, float, str]
_CUT = ("ل", "ب")


def _country(key: str, countries: frozenset[str]) -> bool:
    """``لاوروغواي`` → ``اوروغواي``; ``للعراق`` (ل + ال) → ``العراق``."""
    for p in _CUT:
        if key.startswith(p) and len(key) > 3:
            rest = key[1:]
            if rest in countries or (key.startswith("لل") and "ا" + rest in countries):
                return True
    return False


def country_tails(keys: tuple[str, ...], spans: list[Span], countries: frozenset[str]) -> None:
    """Cut a PERS or LOC span of two words or more whose last word is ل/ب + a country (in place):
    ``(0, 3, "PERS")`` over ``ادينسون كافاني لاوروغواي`` → ``(0, 2, "PERS")`` and ``(2, 3, "LOC")``.
    ``keys``: the sentence's ``word_key(norm(token))``; ``countries``: the model's country names."""
    for span in [s for s in spans if s[2] in ("PERS", "LOC") and s[1] - s[0] >= 2]:
        a, b, label, score, method = span
        if _country(keys[b - 1], countries):
            spans[spans.index(span)] = (a, b - 1, label, score, method)
            spans.append((b - 1, b, "LOC", score, "rule"))
    spans.sort()

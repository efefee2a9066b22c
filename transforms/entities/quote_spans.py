"""Quoted spans of a text, and whether a tagged name covers one.

:func:`quote_spans` finds the candidates that :mod:`quotes` attributes: text in ``«…»`` (nesting and
an unclosed inner ``«`` tolerated), ``“…”`` or a pair of ``"`` within one paragraph, of at least
three words (shorter ones are scare quotes: ``«التهاني»``).  :class:`Names` tells whether a mention
covers a span (``«مركز كارنيجي روسيا وأوراسيا»`` quotes a name, not a statement).
"""
from __future__ import annotations

import bisect
import re

_GUILLEMET = re.compile("[«»]")
_ANY_QUOTE = re.compile('[«"“]')
_CURLY = re.compile(r"“([^”]+)”")
_DQUOTE = re.compile('"')
_MIN_WORDS = 3


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of quoted text without its marks: ``'قال «نعم، هذا صحيح تماما»'`` → [(5, 24)]."""
    spans = []
    next_para = 0
    # only paragraphs (runs of non-newline characters) that hold a quote mark can hold a quote
    for mark in _ANY_QUOTE.finditer(text):
        if mark.start() < next_para:
            continue
        p0 = text.rfind("\n", 0, mark.start()) + 1
        p1 = text.find("\n", mark.start())
        p1 = len(text) if p1 < 0 else p1
        next_para, p = p1, text[p0:p1]
        depth, start = 0, -1
        for g in _GUILLEMET.finditer(p):
            i, c = g.start(), g.group()
            if c == "«":
                if depth == 0:
                    start = i + 1
                depth += 1
            elif c == "»" and depth > 0:
                depth -= 1
                if depth == 0:
                    spans.append((p0 + start, p0 + i))
        if depth > 0 and p.rfind("»") > start:
            spans.append((p0 + start, p0 + p.rfind("»")))
        for m in _CURLY.finditer(p):
            spans.append((p0 + m.start(1), p0 + m.end(1)))
        marks = [m.start() for m in _DQUOTE.finditer(p)]
        for a, b in zip(marks[::2], marks[1::2]):
            spans.append((p0 + a + 1, p0 + b))
    out = []
    for s, e in sorted(spans):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if len(text[s:e].split()) >= _MIN_WORDS and not any(s < oe and os_ < e for os_, oe in out):
            out.append((s, e))
    return out


class Names:
    """``covers(s, e)``: is there a mention with start ≤ s+1 and end ≥ e-1?  «مركز كارنيجي روسيا
    وأوراسيا» quotes a name, not a statement.  ``ments`` sorted by start; a bisect over the starts
    and a running maximum of the ends instead of a scan of every mention per quote."""

    def __init__(self, ments: list[tuple]) -> None:
        self.starts = [m[0] for m in ments]
        self.max_end, top = [], None
        for m in ments:
            top = m[1] if top is None or m[1] > top else top
            self.max_end.append(top)

    def covers(self, s: int, e: int) -> bool:
        i = bisect.bisect_right(self.starts, s + 1)
        return i > 0 and self.max_end[i - 1] >= e - 1

"""Quotations and who said them.

A quoted span (:func:`quote_spans.quote_spans`: text in ``«…»``, ``“…”`` or ``"…"`` of at least 3
words within a paragraph) is a quotation when something attributes it (cues in :mod:`quote_cues`):

1. a cue before it in its sentence — the nearest verb of saying (وقال، أكدت، يقول), participle
   (قائلا), relay (نقل … عن) or "according to" (بحسب) — or a colon after a speaker
   (``ترامب: «…»``); a sentence that opens a paragraph after one ending in a colon is read with it
   (reported speech over a paragraph break);
2. else a cue right after it (``«…»، قال الوزير``, ``"…" بحسب رويترز``, ``على حد تعبيره``);
3. else it continues the previous quotation: it opens its sentence and the previous sentence or
   paragraph held one (``وقال: «…». «…»``).

A span that names something (``معاهدة "…"``, ``ساحة "…"``, ``قانون "…"``, ``تحت شعار "…"``) or is a
tagged name is not a quotation, nor is one without any of the above.  The speaker
(:mod:`quote_speakers`) is the phrase the cue names — a person, organization or outlet resolved to
its entity, or a description kept as text — and a cue without one (``وأضاف``, ``قائلا``) takes the
subject of its clause, else the article's last speaker.

Python per document with quote marks (a left-to-right scan with state: the article's speakers).
"""
from __future__ import annotations

import bisect
import re
from functools import partial

import polars as pl

from transforms.entities.quote_cues import cue_kind, cues, is_name_span, undiacritize
from transforms.entities.quote_spans import Names, quote_spans
from transforms.entities.quote_speakers import Article, Speaker
from transforms.ids import stable_id

QUOTE_COLUMNS = {
    "quote_id": pl.Utf8, "doc_id": pl.Utf8, "speaker_entity_id": pl.Utf8, "speaker_text": pl.Utf8,
    "verb": pl.Utf8, "text": pl.Utf8, "start_char": pl.Int32, "end_char": pl.Int32,
}
_BOUNDARY = re.compile(r"[!؟?\n]|\.(?=\s|$|[\"»”])")  # not the dot of العربية.نت or 3.5
_TOKEN = re.compile(r"\S+")
_THAT = re.compile(r"(?<!\S)[وف]?(?:ب?[أإا]ن|[أإا]نه|[أإا]نها)(?!\S)")
_RELAY_FROM = re.compile(r"(?<!\S)عن(?!\S)")
_CUES_BEFORE = 800  # characters before a quote that are searched for earlier speakers
_AFTER_GAP = 3  # at most this many words between a quote and a cue after it
_AFTER_KINDS = frozenset(("verb", "source", "relay", "pronoun"))
# words that spell like a cue: فحسب ("only", not حسب "according to"); لافتات (placards) and
# طبقات, متابعات read as a participle or طبقا with the suffix ت
_NOT_CUES = frozenset(("فحسب", "لافتات", "ولافتات", "طبقات", "متابعات", "ومتابعات"))
_INSCRIBED = re.compile(r"\s+عليها?(?!\S)")  # لافتات كتب عليها «…»: an inscription, not speech
_BETWEEN = re.compile(r"(?:\s+(?:عن|فيه|فيها|ب|بـ))*\s*$")  # أعلن فيه عن «…»
_WORD_AFTER = re.compile(r"\s*[\u0621-\u064a]")
# a dateline or byline before the first sentence: "دبي، الإمارات العربية المتحدة (CNN)-- ", "رغد عشميل – "
_DATELINE = re.compile(r"[^\n]{0,80}?\([A-Za-z .]+\)\s*[-–—]+\s*|[^\n.،]{2,30}\s[-–—]\s")


class _Doc:
    """One document with quote marks: its sentence ends, cues and speakers, and the quotations."""

    def __init__(self, doc_id: str, text: str, ments: list[tuple], spans: list[tuple[int, int]],
                 candidates: list[tuple[int, int]]) -> None:
        self.doc_id, self.text, self.spans = doc_id, text, spans
        self.art = Article(text, ments)

        self.cue_re = cues(text)
        # cues from a little before each candidate (an earlier speaker of «وأضاف») to just after it
        windows: list[list[int]] = []
        for qs, qe in candidates:
            a, b = max(0, qs - _CUES_BEFORE), min(len(text), qe + 200)
            if windows and a <= windows[-1][1]:
                windows[-1][1] = b
            else:
                windows.append([a, b])
        # sorted and unique: the look-back before one window may reach into the previous one
        ends = {m.end() for a, b in windows for m in _BOUNDARY.finditer(text, max(0, a - 400), b)}
        dateline = _DATELINE.match(text)  # دبي، الإمارات العربية المتحدة (CNN)-- أطلق حزب الله …: not its subject
        self.ends = sorted(ends | {dateline.end()} if dateline else ends)
        self.cues = [c for a, b in windows for c in self.cue_re.finditer(text, a, b) if not _INSCRIBED.match(text, c.end())
                     and undiacritize(c.group().strip()) not in _NOT_CUES]
        self.cue_starts = [c.start() for c in self.cues]
        self.span_starts = [s for s, _ in spans]
        self._track()
        self.last_quote: tuple[int, Speaker | None] = (-1, None)  # end and speaker of the last quotation

    # ------------------------------------------------------------ positions
    def _sent_start(self, pos: int) -> int:
        i = bisect.bisect_right(self.ends, pos) - 1
        return self.ends[i] if i >= 0 else 0

    def _sent_end(self, pos: int) -> int:
        i = bisect.bisect_left(self.ends, pos + 1)
        return self.ends[i] - 1 if i < len(self.ends) else len(self.text)

    def _in_quote(self, pos: int) -> bool:
        i = bisect.bisect_right(self.span_starts, pos) - 1
        return i >= 0 and pos < self.spans[i][1]

    # ------------------------------------------------------------ speakers
    def _named(self, cue: re.Match, limit: int, sent: int, tracking: bool = False) -> Speaker | None:
        """The speaker a cue names itself (no fallback to earlier speakers)."""
        kind, a, text = cue_kind(cue), self.art, self.text
        if kind == "relay":  # نقلت رويترز عن مصدر: the source; نقله التلفزيون: only the outlet
            m = _RELAY_FROM.search(text, cue.end(), limit)
            return a.after(m.end(), limit) if m else (None if tracking else a.after(cue.end(), limit))
        if kind == "source":
            nxt = _TOKEN.search(text, cue.end(), limit)
            fused = undiacritize(cue.group(1)).endswith("ما")
            if fused or (nxt and undiacritize(nxt.group()) in ("ما", "لما")):
                sub = self.cue_re.match(text, cue.end() + 1 if fused else nxt.end() + 1)
                return self._named(sub, limit, sent) if sub else None
            return a.after(cue.end(), limit, lam=True)
        if kind == "document":
            return a.after(cue.end(), limit)
        if kind in ("verb", "object", "told"):
            rel = a.relative(cue.start())  # وزراء الخارجية العرب الذين طالبوا
            if rel:
                return rel
            told = a.before(sent, cue.start()) if kind == "told" else None
            who = told or a.after(cue.end(), limit, strict=kind != "verb")
            if who is None and kind != "told":
                comma = text.rfind("،", sent, cue.start())
                who = a.before(sent, cue.start()) or (a.before(comma + 1, cue.start()) if comma >= 0 else None)
            return who
        return None

    def _last_speaker(self, pos: int, sent: int, cue_start: int) -> Speaker | None:
        """Speaker of a cue without its own: its clause's subject, else the later of the article's
        last speaker and the subject of the previous sentence (``ودافع الوزير الصيني … . وأكد «…»``)."""
        that = _THAT.search(self.text, sent, cue_start)
        who = self.art.clause_subject(sent, that.start() if that else cue_start)
        if who:
            return who
        last = self.art.last_named(pos)
        prev, end = sent, sent
        while prev > 0 and not self.text[prev:end].strip():  # skip blank lines back to the previous sentence
            end = prev
            prev = self._sent_start(prev - 1)
        if prev < end:
            sent = end
            if last is None or last[0] < prev:
                that = _THAT.search(self.text, prev, sent)
                subject = self.art.clause_subject(prev, min(that.start() if that else sent, prev + 60))
                if subject:
                    return subject
        return last[1] if last else None

    def _track(self) -> None:
        """Every cue outside the quotes may name a speaker (reported speech counts: ``وقال فلان
        إن``); the article looks it up only when a later cue without a subject asks."""
        for c in self.cues:
            if not self._in_quote(c.start()):
                self.art.add(c.start(), partial(self._cue_speaker, c))

    def _cue_speaker(self, c: re.Match) -> Speaker | None:
        return self._named(c, min(self._sent_end(c.start()), c.end() + 160), self._sent_start(c.start()), tracking=True)

    # ------------------------------------------------------------ attribution
    def _weak(self, cue: re.Match) -> bool:
        """A cue that only names where it was reported: بحسب، وفق ما نقلت، نقله التلفزيون."""
        kind, text = cue_kind(cue), self.text
        if kind == "source" or text[max(0, cue.start() - 4):cue.start()].split()[-1:] in (["ما"], ["لما"]):
            return True
        return kind == "relay" and not _RELAY_FROM.search(text, cue.end(), cue.end() + 80)

    def _cue_before(self, start: int, mark: int) -> re.Match | None:
        """The nearest cue before the quote mark; one that only names an outlet gives way to a verb
        before it in its clause (``وأوضح السفير وفقا لما نشرته خارجية بلاده: «…»``)."""
        i = bisect.bisect_left(self.cue_starts, mark) - 1
        found = None
        while i >= 0 and self.cue_starts[i] >= start:
            c = self.cues[i]
            if c.end() <= mark + 1 and not self._in_quote(c.start()):
                if found is None:
                    found = c
                    if not self._weak(c):
                        return c
                elif cue_kind(c) in ("verb", "object", "told") and not self._weak(c) and not _THAT.search(
                        self.text, c.end(), found.start()):
                    return c
            i -= 1
        return found

    def _cue_after(self, qe: int) -> re.Match | None:
        i = bisect.bisect_left(self.cue_starts, qe)
        if i == len(self.cues):
            return None
        c = self.cues[i]
        if cue_kind(c) not in _AFTER_KINDS:  # «…»، مشيرا إلى: a new clause, not the attribution
            return None
        gap = self.text[qe:c.start()].lstrip("»”\"")
        if len(gap.split()) <= _AFTER_GAP and not _BOUNDARY.search(gap) and not any(ch in gap for ch in '«"“'):
            return c
        return None

    def attribute(self, qs: int, qe: int) -> tuple[str | None, Speaker | None] | None:
        """``(verb, speaker)`` of a quotation, or None when the span is not one."""
        text = self.text
        mark = qs - 1
        while mark > 0 and text[mark] not in '«"“':
            mark -= 1
        sent = self._sent_start(mark)
        opens = not text[sent:mark].strip()
        ctx = sent
        if opens and sent > 0 and text[sent - 1] == "\n":
            prev = text[:sent - 1].rstrip()
            if prev.endswith(":"):  # وقال في بيان:⏎«…»
                ctx = self._sent_start(len(prev) - 1)
        cue = self._cue_before(ctx, mark)
        if cue is not None:
            if _BETWEEN.fullmatch(text, cue.end(), mark) and len(text[qs:qe].split()) <= 4 and _WORD_AFTER.match(text, qe + 1):
                return None  # أعلن "مجلس مجاهدي درنة" الحرب، أعلن فيه عن «…» الذي: a name, not words
            who = self._named(cue, mark, ctx)
            if who is None and cue_kind(cue) in ("verb", "object"):  # كشفت صور … أن "…"، حسبما أفاد موقع
                later = self._cue_after(qe)
                named = self._named(later, self._sent_end(qe), sent) if later else None
                if named:
                    return later.group().strip(), named
            return cue.group().strip(), who or self._last_speaker(cue.start(), ctx, cue.start())
        before = text[ctx:mark].rstrip()
        if before.endswith(":"):
            colon = ctx + len(before) - 1
            return None, self.art.before(ctx, colon) or self._last_speaker(colon, ctx, colon)
        cue = self._cue_after(qe)
        if cue is not None:
            who = self._named(cue, self._sent_end(qe), sent) or self._last_speaker(qs, sent, sent)
            return cue.group().strip(), who
        end, who = self.last_quote
        if opens and end >= self._sent_start(max(sent - 2, 0)) and len(text[qs:qe].split()) >= 4:
            return None, who
        return None

    def quotes(self, candidates: list[tuple[int, int]]) -> list[dict]:
        """Rows for the candidate spans (the spans that are not names) that are quotations."""
        rows = []
        for qs, qe in candidates:
            found = self.attribute(qs, qe)
            if found is None:
                continue
            verb, who = found
            if who:
                self.art.add(qs, who)
            self.last_quote = (qe, who)
            rows.append({
                "quote_id": stable_id(self.doc_id, qs), "doc_id": self.doc_id,
                "speaker_entity_id": who[1] if who else None, "speaker_text": who[0] if who else None,
                "verb": verb, "text": self.text[qs:qe], "start_char": qs, "end_char": qe,
            })
        return rows


def quotes(docs: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """Quotations of each document with their speaker and the word that attributes them.

    Input: ``docs`` (doc_id, clean_text), ``mentions`` (doc_id, start_char, end_char, surface,
    label, entity_id — entity_id may be absent).  Output columns: quote_id, doc_id,
    speaker_entity_id (null for a description or an unknown speaker), speaker_text (the speaker as
    written: a name, a description such as ``مصدر أمني``, or the reference ``الوزير``), verb (the
    cue: ``وقال``, ``قائلا``, ``بحسب``; null after a colon or for a continued quotation), text,
    start_char, end_char (offsets of the text without its marks).  Example:
    ``وقال لافروف «ستتم معاقبة كل المتورطين»`` → speaker_text ``لافروف``, verb ``وقال``, text
    ``ستتم معاقبة كل المتورطين``; ``وقّعت الدولتان معاهدة "الصداقة والتعاون الاستراتيجي"`` → no row.
    """
    if "entity_id" not in mentions.columns:
        mentions = mentions.with_columns(entity_id=pl.lit(None, pl.Utf8))
    quoted = [(doc_id, text, spans) for doc_id, text in docs.select("doc_id", "clean_text").iter_rows()
              if text and (spans := quote_spans(text))]
    by_doc: dict[str, list[tuple]] = {}  # the mentions of the documents with quote marks only
    for row in mentions.filter(pl.col("doc_id").is_in([q[0] for q in quoted])).sort("doc_id", "start_char").select(
            "doc_id", "start_char", "end_char", "surface", "label", "entity_id").iter_rows():
        by_doc.setdefault(row[0], []).append(row[1:])
    rows = []
    for doc_id, text, spans in quoted:
        ments = by_doc.get(doc_id, [])
        names = Names(ments) if ments else None
        candidates = [(s, e) for s, e in spans if not ((names and names.covers(s, e)) or is_name_span(text, s, e))]
        if candidates:
            rows.extend(_Doc(doc_id, text, ments, spans, candidates).quotes(candidates))
    return pl.DataFrame(rows, schema=QUOTE_COLUMNS)

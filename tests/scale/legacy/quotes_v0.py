# The straightforward implementation of transforms/entities/quotes.py, kept verbatim: the reference for tests/scale/test_fast_entities_equal.py.
"""Direct quotes and who said them.

Quotes are spans in ``«…»`` (nesting and an unclosed inner ``«`` tolerated), ``“…”`` and pairs
of ``"`` within a paragraph, of at least 3 words (shorter ones are scare quotes: «التهاني»).
Attribution, within the quote's sentence (text since the last ``. ! ؟`` or newline):

1. the first reporting verb before the quote (قال، أكد، أضاف، أوضح، صرح، شدد، أشار، تابع، اعتبر،
   وصف… with proclitics و/ف and the feminine ت; participles قائلا، مشيرا، مضيفا…); failing
   that, one after the quote in the same sentence (``«…»، وفق ما قال … جابويف``);
2. the speaker is the first PERS mention between verb and quote that does not follow a
   preposition (``خلال اجتماعه مع لافروف`` is not the speaker), else a role phrase right after
   the verb (``وزير الخارجية الصيني``) — linked to the person it was in apposition with earlier in
   the article (``وزير الخارجية الصيني وانج يي``; a shorter role whose words all occur in that
   apposition, ``الوزير الصيني``, links too — the latest such person before the quote);
3. a verb without a subject (``وأضاف «…»``) takes the sentence's own subject, else the subject of
   the nearest previous sentence that had one (previous speakers included).

Python per document (a left-to-right scan with state: quote nesting and the running subject).
"""
from __future__ import annotations

import bisect
import re

import polars as pl

from transforms.entities.key import key_of
from transforms.ids import stable_id

QUOTE_COLUMNS = {
    "quote_id": pl.Utf8, "doc_id": pl.Utf8, "speaker_entity_id": pl.Utf8, "speaker": pl.Utf8,
    "verb": pl.Utf8, "text": pl.Utf8, "start_char": pl.Int32, "end_char": pl.Int32,
}
_D = "[\u064b-\u0652\u0670\u0640]*"  # diacritics/tatweel may sit between any two letters
_VERBS = ["قال", "أكد", "اكد", "أضاف", "اضاف", "أوضح", "اوضح", "صرح", "شدد", "أشار", "اشار",
          "تابع", "اعتبر", "وصف", "أعلن", "اعلن", "ذكر", "أعرب", "اعرب", "تعهد", "كتب", "لفت",
          "حذر", "ندد", "رأى", "استكمل", "استطرد", "زعم", "أفاد", "افاد", "نقل", "قالت"]
_PARTICIPLES = ["قائلا", "قائلًا", "قائلاً", "مشيرا", "مشيراً", "مضيفا", "مضيفاً", "مؤكدا",
                "مؤكداً", "معتبرا", "معتبراً", "موضحا", "موضحاً"]


def _spell(word: str) -> str:
    return _D.join(re.escape(c) for c in word)


_VERB_RE = re.compile(
    "(?<![\u0621-\u064a])(?:[وف]" + _D + ")?("
    + "|".join(_spell(v) for v in sorted(set(_VERBS), key=len, reverse=True)) + ")(?:" + _D
    + "ت)?" + _D + "(?![\u0621-\u064a])"
    + "|(?<![\u0621-\u064a])(" + "|".join(_spell(p) for p in _PARTICIPLES) + ")(?![\u0621-\u064a])"
)
_ROLE_WORDS = ("رئيس", "وزير", "نائب", "متحدث", "سفير", "سكرتير", "أمين", "مدير", "مستشار",
               "زعيم", "قائد", "دبلوماسي", "مسؤول", "ممثل", "مندوب", "الرئيس", "الوزير",
               "المتحدث", "السفير", "الدبلوماسي", "المسؤول", "الأمين", "المستشار", "الزعيم")
_STOP = {"أن", "إن", "بأن", "أنّ", "إنّ", "بأنّ", "ان", "خلال", "في", "على", "مع", "اليوم", "أمس",
         "غدا", "من", "عن", "إلى", "الى", "قائلا", "قائلًا", "أيضا", "أيضاً", "قد", "بعد", "قبل",
         "أنه", "إنه", "أنها", "إنها", "لدى", "بشأن", "حول"}
_PREPS = ("مع", "إلى", "الى", "عن", "على", "لدى", "بين", "من")
_TOKEN = re.compile(r"\S+")
_GUILLEMET = re.compile("[«»]")
_ANY_QUOTE = re.compile('[«"“]')
_BOUNDARY = re.compile(r"[.!؟?\n]")
_MIN_WORDS = 3
_SUBJECT_WINDOW = 60


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of quoted text without its marks: ``'قال «نعم، هذا صحيح تماما»'`` → [(5, 24)]."""
    spans = []
    if not _ANY_QUOTE.search(text):
        return []
    for para in re.finditer(r"[^\n]+", text):
        p0, p = para.start(), para.group()
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
        for m in re.finditer(r"“([^”]+)”", p):
            spans.append((p0 + m.start(1), p0 + m.end(1)))
        marks = [m.start() for m in re.finditer('"', p)]
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


def _role(text: str, pos: int, limit: int, pers_starts: set[int]) -> tuple[int, int] | None:
    toks = [m for m in _TOKEN.finditer(text, pos, limit)]
    if not toks or toks[0].group().strip("،,:") not in _ROLE_WORDS:
        return None
    end = toks[0].end()
    if toks[0].group()[-1] in "،,:":
        return (toks[0].start(), end - 1)
    for t in toks[1:4]:
        w = t.group()
        if t.start() in pers_starts or w.strip("،,:") in _STOP or re.search('[«»"“”(]', w):
            break
        end = t.end() - (1 if w[-1] in "،,:" else 0)
        if w[-1] in "،,:":
            break
    return (toks[0].start(), end)


class _Doc:
    def __init__(self, doc_id: str, text: str, ments: list[tuple]) -> None:
        self.doc_id, self.text = doc_id, text
        self.pers = [m for m in ments if m[3] == "PERS"]
        self.pers_starts = {m[0] for m in ments}  # role phrases stop at any mention
        self.appos = []  # (pos, role key, entity_id, surface)
        for s, e, surf, _lab, eid in self.pers:
            # earliest role word of the 60 characters before the name whose phrase reaches it
            for t in _TOKEN.finditer(text, max(0, s - 60), s):
                if t.group().strip("،,:") not in _ROLE_WORDS:
                    continue
                r = _role(text, t.start(), s, self.pers_starts)
                gap = text[r[1]:s] if r else ""
                words = gap.split()
                if (r and len(gap) <= 25 and not re.search(r"[.!؟:،,«»\"]", gap)
                        and not (words and words[-1] in _PREPS)):
                    self.appos.append((s, key_of(text[r[0]:r[1]]), eid, surf))
                    break

    def _person_after(self, a: int, b: int):
        for s, e, surf, _lab, eid in self.pers:
            if a <= s < b:
                prev = self.text[max(a, s - 8):s].split()
                if prev and prev[-1] in _PREPS:
                    continue
                return (surf, eid, s)
        return None

    def _subject(self, a: int, b: int):
        """Explicit subject in text[a:b]: the earlier of the first PERS mention (not after a
        preposition) and a role phrase after a reporting verb or after one of the clause's first
        two words (``ودافع الوزير الصيني``, ``كما شكر وزير خارجية روسيا``)."""
        found = []
        who = self._person_after(a, b)
        if who:
            found.append((who[2], who[:2]))
        starts = [v.end() for v in _VERB_RE.finditer(self.text, a, b)]
        starts += [t.end() for t in list(_TOKEN.finditer(self.text, a, b))[:2]]
        for pos in sorted(set(starts)):
            r = _role(self.text, pos, b, self.pers_starts)
            if r:
                found.append((r[0], self._role_speaker(r)))
                break
        return min(found, key=lambda f: f[0])[1] if found else None

    def _role_speaker(self, r: tuple[int, int]):
        phrase = self.text[r[0]:r[1]]
        k = key_of(phrase)
        hits = [a for a in self.appos if a[1] == k]
        if not hits:  # الوزير الصيني ⊂ وزير الخارجية الصيني [وانج يي]
            toks = set(k.split())
            hits = [a for a in self.appos if toks <= set(a[1].split())]
        before = [a for a in hits if a[0] < r[0]]
        pick = (before[-1] if before else hits[0]) if hits else None
        return (phrase, pick[2] if pick else None)

    def quotes(self) -> list[dict]:
        rows, last_subject, last_end = [], None, 0
        ends = [m.end() for m in _BOUNDARY.finditer(self.text)]
        for qs, qe in quote_spans(self.text):
            # subjects of sentences between the previous quote and this one
            i = bisect.bisect_right(ends, qs) - 1
            b = ends[i] if i >= 0 else 0
            for sent in re.finditer(r"[^.!؟?\n]+", self.text[last_end:b]):
                s0 = last_end + sent.start()
                subj = self._subject(s0, min(s0 + _SUBJECT_WINDOW, last_end + sent.end()))
                last_subject = subj or last_subject
            verb, who = None, None
            verbs = [v for v in _VERB_RE.finditer(self.text, b, qs)]
            if verbs:
                v = verbs[0]
                verb = self.text[v.start():v.end()].strip()
                who = self._person_after(v.end(), qs)
                who = who[:2] if who else None
                if not who:
                    r = _role(self.text, v.end(), qs, self.pers_starts)
                    who = self._role_speaker(r) if r else None
                if not who:
                    who = self._subject(b, v.start()) or last_subject
            else:
                m = _BOUNDARY.search(self.text, qe + 1)
                se = m.start() if m else len(self.text)
                after = [v for v in _VERB_RE.finditer(self.text, qe, se)]
                if after:
                    verb = self.text[after[0].start():after[0].end()].strip()
                    who = self._person_after(after[0].end(), se)
                    who = who[:2] if who else self._subject(b, qs)
            if who:
                last_subject = who
            rows.append({
                "quote_id": stable_id(self.doc_id, qs), "doc_id": self.doc_id,
                "speaker_entity_id": who[1] if who else None, "speaker": who[0] if who else None,
                "verb": verb, "text": self.text[qs:qe], "start_char": qs, "end_char": qe,
            })
            last_end = max(b, qe)
        return rows


def _is_name(s: int, e: int, ments: list[tuple]) -> bool:
    """«مركز كارنيجي روسيا وأوراسيا» quotes a name, not a statement."""
    return any(ms <= s + 1 and me >= e - 1 for ms, me, *_ in ments)


def quotes(docs: pl.DataFrame, mentions: pl.DataFrame) -> pl.DataFrame:
    """Quotes of each document with speaker and reporting verb.

    Input: ``docs`` (doc_id, clean_text), ``mentions`` (doc_id, start_char, end_char, surface,
    label, entity_id — entity_id may be absent).  Output columns: quote_id, doc_id,
    speaker_entity_id, speaker, verb, text, start_char, end_char (offsets of the text without
    its marks).  Example: ``وقال لافروف «ستتم معاقبة كل المتورطين»`` → speaker ``لافروف``,
    verb ``وقال``, text ``ستتم معاقبة كل المتورطين``.
    """
    if "entity_id" not in mentions.columns:
        mentions = mentions.with_columns(entity_id=pl.lit(None, pl.Utf8))
    by_doc: dict[str, list[tuple]] = {}
    for row in mentions.sort("doc_id", "start_char").select(
            "doc_id", "start_char", "end_char", "surface", "label", "entity_id").iter_rows():
        by_doc.setdefault(row[0], []).append(row[1:])
    rows = []
    for doc_id, text in docs.select("doc_id", "clean_text").iter_rows():
        if text:
            ments = by_doc.get(doc_id, [])
            rows.extend(q for q in _Doc(doc_id, text, ments).quotes()
                        if not _is_name(q["start_char"], q["end_char"], ments))
    return pl.DataFrame(rows, schema=QUOTE_COLUMNS)

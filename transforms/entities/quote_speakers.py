"""Who said it: the speaker phrase next to a cue, resolved to an entity of the article.

:class:`Article` holds one document's text, its mentions and the speakers named so far, and gives:

* :meth:`Article.after` — the subject after a verb (``وقال وزير الخارجية الروسي سيرغي لافروف``,
  ``وقال مدير المرصد، رامي عبد الرحمن``), past time words, never an addressee (``قال لرويترز``);
* :meth:`Article.before` — the subject that opens the clause (``البيان شدد على أن``);
* :meth:`Article.phrase` — a phrase's speaker: the person a role names (``محامي ترامب مايكل
  كوهين`` → كوهين), an entity it opens with (``وزارة الخارجية``), the name after an outlet noun
  (``صحيفة نيويورك تايمز``) or in a document's phrase (``بيان صادر عن وزارة الداخلية``), else a
  description (``مصدر أمني``), linked when definite to what it refers to
  (:mod:`quote_references`: ``الوزير`` ⊂ ``وزير الخارجية الصيني وانغ يي``).

A speaker is ``(text, entity_id)``; ``entity_id`` is None for a description.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from itertools import islice

from transforms.entities.quote_cues import bare, classes, forms, is_class, is_cue_word
from transforms.entities.quote_references import PRON_PREP, Speaker, Speakers, is_stop
_TOKEN = re.compile(r"\S+")
_MARK = re.compile('[«»"“”]')
_LETTER = re.compile("[\u0621-\u064aA-Za-z]")
_NAME_AFTER = re.compile(r"\s*[\u0621-\u064a،,]")  # a quoted name: the sentence goes on after it
_OPEN = re.compile('[«"“]')
_CLOSE = re.compile('[»"”]')
_THAT = re.compile(r"(?<!\S)[وف]?(?:ب?[أإا]ن|[أإا]نه|[أإا]نها)(?!\S)")
_PRONOUN_END = re.compile("(?:ه|ها|هم|هما)$")
_PREPS = frozenset(("مع", "إلى", "الى", "عن", "على", "لدى", "بين", "من", "في"))
_OPENERS = frozenset(("كان", "وكان", "كانت", "وكانت", "ولكن", "لكن", "فيما", "بينما", "ثم"))
_SPEAKER_CLASSES = ("role", "person", "source", "outlet")
_RELATIVES = frozenset(("الذي", "التي", "الذين", "اللذين", "اللتين", "اللذان", "اللتان"))
_RELATIVE_ENDS = tuple(_RELATIVES)


_SKIP, _STOP, _INNER, _ADDRESSEE, _CUE, _OPEN_MARK, _LAM, _LAM_ALONE = 1, 2, 4, 8, 16, 32, 64, 128
_SOURCE, _DOCUMENT, _ROLE, _OUTLET, _ENDS, _FI_MIN, _AN = 256, 512, 1024, 2048, 4096, 8192, 16384


@lru_cache(maxsize=1 << 17)
def _flags(token: str) -> int:
    """What a token can do in a speaker phrase, as bits (one look-up per distinct token)."""
    w = bare(token)
    c = classes(token)
    core = token.rstrip("،,:؛.")
    f = _SKIP if "adverb" in c or PRON_PREP.match(w) else 0
    f |= _STOP if is_stop(token) else 0
    f |= _INNER if "inner" in classes(w) else 0
    f |= _ADDRESSEE if _is_addressee(token) else 0
    f |= _CUE if is_cue_word(token) else 0
    f |= _OPEN_MARK if _OPEN.match(token) else 0
    f |= _LAM if w[:1] == "ل" else 0
    f |= _LAM_ALONE if w in ("ل", "لل") else 0
    f |= _SOURCE if "source" in c else 0
    f |= _DOCUMENT if "document" in c else 0
    f |= _ROLE if "role" in c else 0
    f |= _OUTLET if "outlet" in c else 0
    f |= _ENDS if len(core) < len(token) or _MARK.search(core) else 0
    f |= _FI_MIN if w in ("في", "من") else 0
    f |= _AN if w == "عن" else 0
    return f


@lru_cache(maxsize=1 << 16)
def _is_addressee(token: str) -> bool:
    """``لرويترز``, ``للصحفيين``, ``لـ``, ``لوكالة``: the one spoken to, not the speaker."""
    w = bare(token)
    if w in ("ل", "لل") or w.startswith("لل"):
        return True
    return len(w) > 2 and w[0] == "ل" and is_class(w[1:], "addressee")


class _LazyFlags:
    """``_flags`` of a phrase's tokens, looked up only for the tokens the phrase reaches."""

    __slots__ = ("toks", "seen")

    def __init__(self, toks: list[re.Match]) -> None:
        self.toks, self.seen = toks, {}

    def __getitem__(self, i: int) -> int:
        if i not in self.seen:
            self.seen[i] = _flags(self.toks[i].group())
        return self.seen[i]


class Article(Speakers):
    """One document's speaker phrases: :meth:`after`, :meth:`before`, :meth:`phrase` (and the
    speakers named so far, :class:`Speakers`)."""

    def __init__(self, text: str, mentions: list[tuple]) -> None:
        super().__init__(text, mentions)
        self._after: dict[tuple, Speaker | None] = {}

    def after(self, pos: int, limit: int, lam: bool = False, strict: bool = False) -> Speaker | None:
        """The subject phrase after a cue that ends at ``pos`` (before ``limit``).  ``lam``: the first
        word may carry the ل of ``وفقا لـ``; ``strict``: only a name, a role, a source or an outlet
        (the first noun after ``وصف`` may be its object).  Asked again for the same clause by later
        quotes, so kept."""
        key = (pos, limit, lam, strict)
        if key not in self._after:
            self._after[key] = self._after_phrase(pos, limit, lam, strict)
        return self._after[key]

    def _after_phrase(self, pos: int, limit: int, lam: bool, strict: bool) -> Speaker | None:
        text = self.text
        toks = list(islice(_TOKEN.finditer(text, pos, limit), 14))
        flags = _LazyFlags(toks)
        i = 0
        while i < len(toks) and flags[i] & _SKIP:
            i += 1  # وقال، الأحد، الوزير; أفاد به المدير
        if i < len(toks) and lam and flags[i] & _LAM_ALONE:
            i += 1
        if i == len(toks):
            return None
        first, f0 = toks[i].group(), flags[i]
        if f0 & (_STOP | _OPEN_MARK | _CUE) or (not lam and f0 & _ADDRESSEE):
            return None
        end, j = toks[i].start(), i
        while j < min(len(toks), i + 10):
            t, f = toks[j].group(), flags[j]
            if j > i:
                if f & _OPEN_MARK:  # صحيفة "نيويورك تايمز"، مدير «مركز كارنيجي» ألكسندر جابويف: a quoted name
                    close = _CLOSE.search(text, toks[j].start() + 1, min(limit, toks[j].start() + 50))
                    if not (close and (flags[j - 1] & (_OUTLET | _ROLE) or f0 & _OUTLET) and _NAME_AFTER.match(
                            text, close.end()) and len(text[toks[j].start():close.end()].split()) <= 5):
                        break
                    end = close.end()
                    while j < len(toks) and toks[j].end() < close.end():
                        j += 1
                    if text[close.end():close.end() + 1] in "،,:" or not f0 & _ROLE:
                        break
                    j += 1
                    continue
                named = self._mention_at(toks[j].start(), 0)
                if named and named[3] != "PERS" and self._mention_at(toks[j - 1].start(), 1):
                    break  # وزير خارجية روسيا الصين: the name after the role's place is the object
                inner = f & _INNER or (f0 & _SOURCE and f & _FI_MIN) or (f0 & _DOCUMENT and f & _AN)
                if (f & _STOP and not inner) or f & (_ADDRESSEE | _CUE) or (
                        f & _LAM and not inner and named is None):
                    break
            core = t.rstrip("،,:؛.")
            end = toks[j].start() + len(core)
            if f & _ENDS:
                break
            j += 1
        if end <= toks[i].start():
            return None
        w0 = forms(first)[0]
        if end == toks[i].end() and len(w0) > 3 and not w0.startswith("ال") and self._mention_at(
                toks[i].start(), 0) is None and (w0.endswith("ا") or (w0[0] == "م" and w0[-1] == "ة")):
            return None  # وأضاف ساخطا، وتابعت معتذرة: how it was said, not who said it
        if (is_class(first, "role") or is_class(first, "person")) and not any(
                m[3] == "PERS" for m in self._mentions_in(toks[i].start(), end)):
            apposed = self._apposed(end, limit)  # مدير المرصد، رامي عبد الرحمن
            if apposed:
                return apposed
        who = self.phrase(toks[i].start(), end)
        if who and strict and who[1] is None and not any(is_class(first, c) for c in _SPEAKER_CLASSES) and (
                len(who[0].split()) > 1 or forms(first)[0].lstrip("وف").startswith("ال")):
            return None  # وصف الأشهر بـ: an object; ويشير توبياسن: a name the tagger missed
        return who

    def relative(self, verb: int) -> Speaker | None:
        """The subject of a verb in a relative clause: the phrase before ``الذي/التي/الذين``
        (``اجتماع وزراء الخارجية العرب الذين طالبوا``), up to three words."""
        if not self.text[max(0, verb - 8):verb].rstrip().endswith(_RELATIVE_ENDS):
            return None
        toks = list(_TOKEN.finditer(self.text, max(0, verb - 120), verb))
        if len(toks) < 2 or bare(toks[-1].group()) not in _RELATIVES:
            return None
        words = []
        for t in reversed(toks[:-1]):
            if is_stop(t.group()) or _MARK.search(t.group()) or t.group()[-1] in "،,." or len(words) == 3:
                break
            words.insert(0, t)
        return self.phrase(words[0].start(), words[-1].end()) if words else None

    def _apposed(self, pos: int, limit: int) -> Speaker | None:
        """A person named just after a role phrase: past a comma first (``مدير المرصد، رامي عبد
        الرحمن``, ``المدير الطبي للمستشفى …، الدكتور سعيد سراحنة``), else past its complement
        (``الأستاذ في الجامعة اللبنانية الياس القطار``)."""
        that = _THAT.search(self.text, pos, limit)
        stop = min(that.start() if that else limit, pos + 120)
        first, comma = None, False
        for t in islice(_TOKEN.finditer(self.text, pos, stop), 10):
            g = t.group()
            if (is_stop(g) and bare(g) not in ("في", "من")) or _MARK.search(g):
                break
            m = self._mention_at(t.start(), 1)
            if m and m[3] == "PERS":
                if comma:
                    return (m[2], m[4])
                first = first or m
            comma = g.endswith("،") or g.endswith(",") or (comma and is_class(g, "role"))
            if ":" in g:
                break
        return (first[2], first[4]) if first else None

    def before(self, start: int, verb: int) -> Speaker | None:
        """The subject written before a verb at ``verb``, in the clause from ``start`` (after its
        last أن/إن): a short phrase (``البيان شدد على``, ``وكان الملك عبد الله قد حذر``)."""
        that = None
        for that in _THAT.finditer(self.text, start, verb):
            pass
        if that is not None:
            start = that.end()
        toks = list(_TOKEN.finditer(self.text, start, verb))
        while toks and bare(toks[-1].group()) in ("قد", "لقد", "بدوره", "بدورها"):
            toks.pop()
        while toks and bare(toks[0].group()) in _OPENERS:
            toks.pop(0)
        if not toks or len(toks) > 7 or not self._nominal(toks[0]) or any(
                is_stop(t.group()) and (k == 0 or bare(t.group()) not in ("من", "في")) for k, t in enumerate(toks)) or any(
                _MARK.search(t.group()) for t in toks):
            return None
        end = toks[-1].start() + len(toks[-1].group().rstrip("،,:"))
        who = self.phrase(toks[0].start(), end)
        return None if who and who[1] is None and _PRONOUN_END.search(bare(toks[0].group())) and len(toks) == 1 else who

    def _nominal(self, tok: re.Match) -> bool:
        """Does the token open a noun phrase: a name, a word with ال, or a speaker word?"""
        w = tok.group()
        return (self._mention_at(tok.start(), 2) is not None or forms(w)[0].lstrip("وف").startswith("ال")
                or any(is_class(w, c) for c in _SPEAKER_CLASSES + ("document",)))

    def phrase(self, s: int, e: int) -> Speaker | None:
        """Speaker of the phrase ``text[s:e]``."""
        text = self.text
        words = text[s:e].split()
        if not words:
            return None
        head = words[0]
        inside = []
        for m in self.ments[bisect.bisect_left(self.starts, s):]:
            if m[0] >= e:
                break
            prev = text[s:m[0]].split()
            inside.append((m, bool(prev and (prev[-1] in _PREPS or is_class(prev[-1], "inner")))))
        pers = [m for m, after_prep in inside if m[3] == "PERS" and not after_prep]
        if pers and (pers[0][0] <= s + 2 or is_class(head, "role") or is_class(head, "person")):
            m = pers[0] if pers[0][0] <= s + 2 else pers[-1]
            return (m[2], m[4])
        for m, after_prep in inside:
            if m[0] <= s + 2 and not after_prep:
                return (m[2], m[4])
        if is_class(head, "outlet") or is_class(head, "document"):
            for m, after_prep in inside:
                if m[3] != "LOC" and (not after_prep or is_class(head, "document")):
                    return (m[2], m[4])
        while len(words) > 1 and is_class(words[-1], "adverb"):
            words.pop()  # التصريح ايضا
        desc = " ".join(words[:6]).strip("،,.:؛\"«»“” ")
        if not _LETTER.search(desc):
            return None
        if len(words) == 1 and _PRONOUN_END.search(bare(head)) and not is_class(head, "document"):
            return None  # تصريحاته، عليها: a pronoun, not a speaker
        return self._reference(desc, s)

    # ------------------------------------------------------------ references
    def clause_subject(self, start: int, verb: int) -> Speaker | None:
        """Subject of the clause ``text[start:verb]`` for a verb without its own (``وأضاف``): the
        earlier of a person named in it not after a preposition and an entity or a role, person,
        source or outlet noun right after one of its first two words (``كما شكر وزير خارجية روسيا … بوتين …، وقال``)."""
        found = None
        for m in self.ments[bisect.bisect_left(self.starts, start):]:
            if m[0] >= verb:
                break
            prev = self.text[max(start, m[0] - 8):m[0]].split()
            if m[3] == "PERS" and not (prev and prev[-1] in _PREPS):
                found = (m[0], (m[2], m[4]))
                break
        for t in islice(_TOKEN.finditer(self.text, start, verb), 2):
            if found and found[0] <= t.end():
                break
            r = self.after(t.end(), verb)
            if r and (r[1] or any(is_class(r[0].split()[0], c) for c in _SPEAKER_CLASSES)):
                return r
        return found[1] if found else None

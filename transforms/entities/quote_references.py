"""Speakers named so far in an article, and a description resolved to the entity it refers to.

:class:`Speakers` is the state of one document for :class:`quote_speakers.Article`: its mentions,
the speakers recorded at positions (a cue's speaker is found only when a later cue without a
subject asks), and :meth:`Speakers._reference` — a definite description linked to what it refers
to: a role in apposition with a person (``الوزير`` ⊂ ``وزير الخارجية الصيني وانغ يي`` → that
person's entity), an organization's name (``الوزارة`` ⊂ ``وزارة الدفاع الروسية``), the previous
speaker for ``المصدر نفسه`` and a document's author (``وأضاف البيان``).  A speaker is ``(text,
entity_id)``; ``entity_id`` is None for a description (``مصدر أمني``).
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from itertools import islice

from transforms.entities.quote_cues import bare, forms, is_class

Speaker = tuple[str, "str | None"]
_FOLD = str.maketrans("أإآٱىة", "اااايه")
_ARTICLE = re.compile("^[وف]?(?:بال|كال|لل|ال)(?=..)")
_TOKEN = re.compile(r"\S+")
PRON_PREP = re.compile("^[وف]?(?:على|علي|عل|في|فى|من|عن|إلى|الى|إلي|الي|ل|ب|مع|لدى|لدي|عند)(?:ه|ها|هم|هما|هن|ي|نا|كم)$")
_SAME = frozenset(("نفسه", "ذاته", "ذات", "نفس"))
_LABELS = ("PERS", "ORG", "LOC")
_END_MARK = re.compile(r"[.!؟:]")
_NAMES_BACK = 300  # names before a description that its role is matched against
_LOOK_BACK = 6  # earlier speakers a description is matched against
_DEPTH = 8  # nested look-ups of earlier speakers

@lru_cache(maxsize=1 << 17)
def _word_key(word: str) -> str:
    """A word as role phrases are compared: without the article (and a proclitic before it),
    diacritics and punctuation; alef, ى and ة folded (وزير stays وزير: its و is no proclitic)."""
    return _ARTICLE.sub("", bare(word)).translate(_FOLD)


def keys(text: str) -> set[str]:
    """The folded words of a phrase: ``keys("الوزير الصيني") <= keys("وزير الخارجية الصيني")``."""
    return {_word_key(w) for w in text.split()} - {""}


@lru_cache(maxsize=1 << 16)
def is_stop(token: str) -> bool:
    w = bare(token)
    return (is_class(w, "stop") and not is_class(w, "inner")) or (
        len(w) > 2 and w[0] in "وف" and is_class(w[1:], "stop")) or PRON_PREP.match(w) is not None




class Speakers:
    """One document: ``text``, its mentions ``(start, end, surface, label, entity_id)`` sorted by
    start, and the speakers named so far (:meth:`add`, :meth:`spoken`)."""

    def __init__(self, text: str, mentions: list[tuple]) -> None:
        self.text = text
        self.ments = [m for m in mentions if m[3] in _LABELS]
        self.starts = [m[0] for m in self.ments]
        self.labels = {m[4]: m[3] for m in self.ments if m[4]}
        # (position, speaker or a function that finds it): a cue's speaker is looked for only when a
        # later «وأضاف» asks who spoke last, and then once
        self._said: list[tuple[int, object]] = []
        self._depth = 0
        self._role_memo: dict[int, list[set[str]]] = {}

    def _mention_at(self, pos: int, slack: int = 2) -> tuple | None:
        i = bisect.bisect_left(self.starts, pos)
        if i < len(self.ments) and self.ments[i][0] <= pos + slack:
            return self.ments[i]
        return None

    def _mentions_in(self, s: int, e: int) -> list[tuple]:
        return self.ments[bisect.bisect_left(self.starts, s):bisect.bisect_left(self.starts, e)]

    def add(self, pos: int, who: object) -> None:
        """Record a speaker at ``pos``: a Speaker, or a function returning one or None (evaluated
        when an earlier-speaker question reaches it)."""
        bisect.insort(self._said, (pos, who), key=lambda s: s[0])

    def _said_at(self, i: int) -> Speaker | None:
        """The speaker recorded at index ``i``, found now if it was not (a look-up may ask for earlier
        ones in turn: past ``_DEPTH`` of them, the rest count as unknown rather than recurse through
        the whole article)."""
        p, who = self._said[i]
        if callable(who):
            if self._depth >= _DEPTH:
                return None
            self._said[i] = (p, None)  # a look-up that reaches itself finds nothing here
            self._depth += 1
            try:
                who = who()
            finally:
                self._depth -= 1
            self._said[i] = (p, who)
        return who

    def spoken(self, pos: int, limit: int = 1 << 30, find: bool = True):
        """``(position, speaker)`` of the speakers before ``pos``, latest first (at most ``limit``);
        with ``find`` False, only those already found (a description is matched against what is
        known, without looking up every cue before it)."""
        i = bisect.bisect_left(self._said, pos, key=lambda s: s[0]) - 1
        while i >= 0 and limit > 0:
            who = self._said_at(i) if find else self._said[i][1]
            if callable(who):
                who = None
            if who:
                yield self._said[i][0], who
                limit -= 1
            i -= 1

    def last_speaker(self, pos: int, documents: bool = True) -> Speaker | None:
        """The latest speaker named before ``pos`` (without documents when ``documents`` is False)."""
        found = self.last_named(pos, documents)
        return found[1] if found else None

    def last_named(self, pos: int, documents: bool = True) -> tuple[int, Speaker] | None:
        """``(position, speaker)`` of the latest speaker named before ``pos``."""
        for p, who in self.spoken(pos):
            if documents or who[1] or not is_class(who[0].split()[0], "document"):
                return p, who
        return None

    # ------------------------------------------------------------ phrases
    # ------------------------------------------------------------ references
    def _reference(self, phrase: str, pos: int) -> Speaker:
        """A description resolved to what it refers to, when it is definite."""
        words = [bare(w) for w in phrase.split()]
        core = [w for w in words if w not in _SAME]
        if len(core) < len(words) and core and forms(core[0])[1] == "مصدر":  # المصدر نفسه
            return self.last_speaker(pos) or (phrase, None)
        if core and is_class(core[0], "document"):  # وأضاف البيان: its author, or the fuller name of the document
            who = self.last_speaker(pos, documents=False) or self.last_speaker(pos)
            if who and who[1]:
                return (phrase, who[1])
            return who if who and len(who[0].split()) > len(words) else (phrase, None)
        if not (words[0].startswith("ال") or is_class(words[0], "role")):
            return (phrase, None)
        toks = keys(phrase)
        needle = forms(core[0])[-1] if core else ""
        eid = self._apposed_to(pos, needle, lambda role: toks <= role)
        if eid is None and len(core) <= 2 and is_class(core[0], "role"):  # السفير القطري ~ سفير قطر
            head = _word_key(core[0])
            eid = self._apposed_to(pos, needle, lambda role: head in role)
        if eid is not None:
            return (phrase, eid)
        for m in reversed(self.ments[:bisect.bisect_left(self.starts, pos)]):
            if m[3] != "PERS" and toks <= keys(m[2]):
                return (phrase, m[4])
        for _p, who in self.spoken(pos, _LOOK_BACK):  # بحسب المعهد ⊂ المعهد الجيولوجي الأميركي
            if toks <= keys(who[0]):
                return (phrase, who[1]) if who[1] else who
        if is_class(core[0], "role"):  # وقال اللاعب البالغ …: the last person who spoke
            for _p, who in self.spoken(pos, _LOOK_BACK):
                if who[1] and self.labels.get(who[1]) == "PERS":
                    return (phrase, who[1])
        return (phrase, None)

    def _apposed_to(self, pos: int, head: str, matches) -> str | None:
        """Entity of the latest name before ``pos`` (among the last ``_NAMES_BACK``) with a role in
        apposition that ``matches``; only names with ``head`` (a role word without ال) written just
        before or after them are looked at."""
        k = bisect.bisect_left(self.starts, pos) - 1
        text = self.text
        for m in self.ments[max(0, k - _NAMES_BACK):k + 1][::-1]:
            if m[3] != "LOC" and m[4] and (head in text[max(0, m[0] - 70):m[0]] or head in text[m[1]:m[1] + 80]) and any(
                    matches(role) for role in self._roles(m)):
                return m[4]
        return None

    def _roles(self, m: tuple) -> list[set[str]]:
        """Key words of the roles in apposition with the name ``m``, before it (``وزير الخارجية الصيني
        وانغ يي``, ``وكالة التصنيف "فيتش"``) or after it (``شتيفن شايبرت، المتحدث باسم المستشارة``);
        found when first asked."""
        if m[0] in self._role_memo:
            return self._role_memo[m[0]]
        text, (s, e, _surf, label, _eid) = self.text, m
        out = []
        for t in _TOKEN.finditer(text, max(0, s - 70), s):  # the earliest role word whose phrase reaches the name
            if not (is_class(t.group(), "role") or (label == "ORG" and is_class(t.group(), "outlet"))):
                continue
            gap = text[t.start():s]
            words = gap.split()
            if len(words) <= 6 and not _END_MARK.search(gap) and gap.count("،") <= 1 and not any(
                    is_stop(w) for w in words):
                out.append(keys(gap))
                break
        if label == "PERS":
            role = []
            for t in islice(_TOKEN.finditer(text, e, e + 80), 5):
                g = t.group()
                if not role and not (is_class(g, "role") and not text[e:t.start()].strip(" ،,")):
                    break
                if role and (is_stop(g) or self._mention_at(t.start(), 0)):
                    break
                role.append(g.strip("،,"))
                if g[-1] in "،,":
                    break
            if role:
                out.append(keys(" ".join(role)))
        self._role_memo[m[0]] = out
        return out

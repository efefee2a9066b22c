"""Who said it: the speaker phrase next to a cue, resolved to an entity of the article.

:class:`Article` holds one document's text, its mentions and the speakers named so far, and gives:

* :meth:`Article.after` — the subject after a verb (``وقال وزير الخارجية الروسي سيرغي لافروف``,
  ``وقال مدير المرصد، رامي عبد الرحمن``), past time words, never an addressee (``قال لرويترز``);
* :meth:`Article.before` — the subject that opens the clause (``البيان شدد على أن``);
* :meth:`Article.phrase` — a phrase's speaker: the person a role names (``محامي ترامب مايكل
  كوهين`` → كوهين), an entity it opens with (``وزارة الخارجية``), the name after an outlet noun
  (``صحيفة نيويورك تايمز``) or in a document's phrase (``بيان صادر عن وزارة الداخلية``), else a
  description (``مصدر أمني``) — linked, when definite, to the latest matching entity: a role in
  apposition with a person (``الوزير`` ⊂ ``وزير الخارجية الصيني وانغ يي``), an organization's
  name (``الوزارة`` ⊂ ``وزارة الدفاع الروسية``), the previous speaker for ``المصدر نفسه`` and a
  document (``وأضاف البيان``).

A speaker is ``(text, entity_id)``; ``entity_id`` is None for a description.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache
from itertools import islice

from transforms.entities.quote_cues import bare, classes, forms, is_class, is_cue_word

Speaker = tuple[str, "str | None"]
_FOLD = str.maketrans("أإآٱىة", "اااايه")


_ARTICLE = re.compile("^[وف]?(?:بال|كال|لل|ال)(?=..)")


@lru_cache(maxsize=1 << 17)
def _word_key(word: str) -> str:
    """A word as role phrases are compared: without the article (and a proclitic before it),
    diacritics and punctuation; alef, ى and ة folded (وزير stays وزير: its و is no proclitic)."""
    return _ARTICLE.sub("", bare(word)).translate(_FOLD)


def keys(text: str) -> set[str]:
    """The folded words of a phrase: ``keys("الوزير الصيني") <= keys("وزير الخارجية الصيني")``."""
    return {_word_key(w) for w in text.split()} - {""}

_TOKEN = re.compile(r"\S+")
_MARK = re.compile('[«»"“”]')
_LETTER = re.compile("[\u0621-\u064aA-Za-z]")
_NAME_AFTER = re.compile(r"\s*[\u0621-\u064a،,]")  # a quoted name: the sentence goes on after it
_OPEN = re.compile('[«"“]')
_CLOSE = re.compile('[»"”]')
_THAT = re.compile(r"(?<!\S)[وف]?(?:ب?[أإا]ن|[أإا]نه|[أإا]نها)(?!\S)")
_PRON_PREP = re.compile("^[وف]?(?:على|علي|عل|في|فى|من|عن|إلى|الى|إلي|الي|ل|ب|مع|لدى|لدي|عند)(?:ه|ها|هم|هما|هن|ي|نا|كم)$")
_PRONOUN_END = re.compile("(?:ه|ها|هم|هما)$")
_SAME = frozenset(("نفسه", "ذاته", "ذات", "نفس"))
_LABELS = ("PERS", "ORG", "LOC")
_PREPS = frozenset(("مع", "إلى", "الى", "عن", "على", "لدى", "بين", "من", "في"))
_OPENERS = frozenset(("كان", "وكان", "كانت", "وكانت", "ولكن", "لكن", "فيما", "بينما", "ثم"))
_SPEAKER_CLASSES = ("role", "person", "source", "outlet")
_END_MARK = re.compile(r"[.!؟:]")
_NAMES_BACK = 300  # names before a description that its role is matched against
_LOOK_BACK = 6  # earlier speakers a description is matched against
_DEPTH = 8  # nested look-ups of earlier speakers
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
    f = _SKIP if "adverb" in c or _PRON_PREP.match(w) else 0
    f |= _STOP if _is_stop(token) else 0
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
def _is_stop(token: str) -> bool:
    w = bare(token)
    return (is_class(w, "stop") and not is_class(w, "inner")) or (
        len(w) > 2 and w[0] in "وف" and is_class(w[1:], "stop")) or _PRON_PREP.match(w) is not None


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


class Article:
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
        self._after: dict[tuple, Speaker | None] = {}
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
            if _is_stop(t.group()) or _MARK.search(t.group()) or t.group()[-1] in "،,." or len(words) == 3:
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
            if (_is_stop(g) and bare(g) not in ("في", "من")) or _MARK.search(g):
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
                _is_stop(t.group()) and (k == 0 or bare(t.group()) not in ("من", "في")) for k, t in enumerate(toks)) or any(
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
                    _is_stop(w) for w in words):
                out.append(keys(gap))
                break
        if label == "PERS":
            role = []
            for t in islice(_TOKEN.finditer(text, e, e + 80), 5):
                g = t.group()
                if not role and not (is_class(g, "role") and not text[e:t.start()].strip(" ،,")):
                    break
                if role and (_is_stop(g) or self._mention_at(t.start(), 0)):
                    break
                role.append(g.strip("،,"))
                if g[-1] in "،,":
                    break
            if role:
                out.append(keys(" ".join(role)))
        self._role_memo[m[0]] = out
        return out

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

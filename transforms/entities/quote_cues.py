"""Word lists and patterns that decide whether a quoted span is a quotation, and who said it.

* :data:`CUE_RE` finds attribution cues (``data/quote_cues.tsv``): verbs of saying (قال، أكد،
  وأضافت، يقول), participles (قائلا), relays (نقل عن), "according to" (بحسب، وفقا لـ), "in his
  words" (على حد تعبيره), "it says in" (جاء في); :func:`cue_kind` names the kind of a match.
* :func:`is_name_span` — a quoted span that names something (``معاهدة "…"``, ``ساحة "…"``,
  ``قانون "…"``, ``تحت شعار "…"``: ``data/quote_titles.txt``) is not a quotation.
* :data:`WORDS` — word classes for speaker phrases (``data/quote_words.tsv``); :func:`bare` and
  :func:`forms` — a token as the word lists spell it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent / "data"
D = "[\u064b-\u0652\u0670\u0640]*"  # diacritics/tatweel may sit between any two letters
AR = "\u0621-\u064a"
_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")
_PUNCT = re.compile(r"[^\w\s]|_")


def _rows(name: str) -> list[list[str]]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _spell(word: str) -> str:
    return D.join(r"\s+" if c == " " else re.escape(c) for c in word)


def undiacritize(s: str) -> str:
    return _DIACRITICS.sub("", s)


@lru_cache(maxsize=1 << 16)  # tokens repeat: one look-up per distinct word, not per occurrence
def bare(token: str) -> str:
    """``"بقانون،"`` → ``"بقانون"``: a token without diacritics, tatweel and punctuation."""
    return _PUNCT.sub("", undiacritize(token))


_CLITIC = re.compile("^(?:[وف]?(?:لل|بال|كال|ال|ب|ل|ك)|[وف])(?=..)")


@lru_cache(maxsize=1 << 16)
def forms(token: str) -> tuple[str, ...]:
    """A token as written, without its proclitics and article, and without an accusative alef:
    ``"والساحة"`` → (…, ``"ساحة"``); ``"مسؤولا"`` → (…, ``"مسؤول"``)."""
    t = bare(token)
    c = _CLITIC.sub("", t)
    return (t, c, c[:-1]) if len(c) > 3 and c.endswith("ا") else (t, c)


CUES: dict[str, str] = {r[0]: r[1] for r in _rows("quote_cues.tsv")}
WORDS: dict[str, frozenset[str]] = {}
for _w, _c in _rows("quote_words.tsv"):
    WORDS[_w] = WORDS.get(_w, frozenset()) | {_c}
_TITLE_ROWS = _rows("quote_titles.txt")
TITLES: frozenset[str] = frozenset(r[0] for r in _TITLE_ROWS)
NAME_HEADS: frozenset[str] = frozenset(r[0] for r in _TITLE_ROWS if len(r) > 1 and r[1] == "*")

def _trie(words: list[str], between: str) -> str:
    """One regex alternative per shared prefix (قال|قائلا → قا(?:ل|ئلا)): the re module tries the
    alternatives one by one, and a trie fails at the first letter that no cue has."""
    tree: dict = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [("" if c == "" else (r"\s+" if c == " " else re.escape(c)) + between + emit(sub)) if c else ""
                for c, sub in sorted(node.items(), key=lambda kv: kv[0] == "")]
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(tree)


def _cue_re(between: str) -> re.Pattern:
    return re.compile(
        f"(?<![{AR}])(?:[وف]{between})?(" + _trie(list(CUES), between)
        + f")(?:{between}(?:تها|ته|تا|وا|ها|ت|ا|ه))?{between}(?![{AR}])"
    )


# A cue with an optional و/ف before it and, for verbs, the suffixes ت وا ا تا and an object ه ها ته;
# diacritics or tatweel may sit between any two letters (CUE_RE), which most texts do not need
# (CUE_PLAIN, several times faster).
CUE_RE = _cue_re(D)
CUE_PLAIN = _cue_re("")
_MARKED = re.compile("[\u064b-\u0652\u0670\u0640]")


def cues(text: str) -> re.Pattern:
    """The cue pattern for ``text``: without diacritics in it, the plain one."""
    return CUE_RE if _MARKED.search(text) else CUE_PLAIN
_SPACES = re.compile(r"\s+")


def cue_kind(match: re.Match) -> str:
    """Kind of a :data:`CUE_RE` match: verb, object, told, participle, relay, source, pronoun, document."""
    return _kind(match.group(1))


@lru_cache(maxsize=4096)
def _kind(word: str) -> str:
    return CUES.get(_SPACES.sub(" ", undiacritize(word)), "verb")


_NONE: frozenset[str] = frozenset()


@lru_cache(maxsize=1 << 17)
def classes(token: str) -> frozenset[str]:
    """The :data:`WORDS` classes of the token, as written or without proclitics and ال."""
    out = _NONE
    for f in forms(token):
        out = out | WORDS.get(f, _NONE)
    return out


def is_class(token: str, cls: str) -> bool:
    """Is the token (or it without proclitics and ال) a word of class ``cls`` in :data:`WORDS`?"""
    return cls in classes(token)


_CUE_WORDS = frozenset(w for w in CUES if " " not in w)
_CUE_SUFFIX = re.compile("(?:تها|ته|تا|وا|ها|ت|ا|ه)$")


@lru_cache(maxsize=1 << 16)
def is_cue_word(token: str) -> bool:
    """Is the token a one-word cue (وقالت، قائلا، ذكرته)?  A set look-up, not the cue pattern."""
    w = bare(token)
    for v in (w, w[1:] if w[:1] in "وف" else ""):
        if v in _CUE_WORDS or _CUE_SUFFIX.sub("", v) in _CUE_WORDS:
            return True
    return False


def _titled(token: str, heads: frozenset[str] = TITLES) -> bool:
    return any(f in heads for f in forms(token))


_QUOTE_OPEN = re.compile('[«"“]\\s*$')
_WORD_NEXT = re.compile(f"\\s*[{AR}]")
_DEFINITE = re.compile("^[وف]?(?:ال|لل|بال|كال)")


def is_name_span(text: str, qs: int, qe: int) -> bool:
    """True when the quoted span ``text[qs:qe]`` names something: the word before its opening
    mark is a title noun (past a lone ``بـ`` and an adjective: ``الناقلة البحرية "…"``), or the
    span opens with one (``"حركة النهضة"``; up to 10 words for a name such as ``"إعلان تونس …"``).
    ``وقّعت الدولتان اتفاقية "باريس للمناخ" أمس`` → True."""
    before = text[max(0, qs - 80):qs]
    m = _QUOTE_OPEN.search(before)
    words = before[: m.start() if m else len(before)].split()[-3:]
    if words and bare(words[-1]) in ("ب", "ل"):
        words.pop()
    if words and _titled(words[-1]) and not _DEFINITE.match(bare(words[-1])):
        return True  # قانون "…", not إن المنظمة "أجرت …" (the clause's subject)
    if len(words) > 1 and bare(words[-1]).startswith("ال") and _titled(words[-2]) and _WORD_NEXT.match(text, qe + 1):
        return True  # الناقلة البحرية "…" التي: a name the sentence goes on after (not في المؤتمر الصحفي «…».)
    if CUE_RE.search(" ".join(words[-3:])) or before.rstrip().endswith(":"):
        return False  # وقال أحد المعلقين "القانون هو القانون …"
    inner = text[qs:qe].split()
    return (len(inner) <= 4 and _titled(inner[0])) or (len(inner) <= 10 and _titled(inner[0], NAME_HEADS))

"""Tokenization with character offsets, feature normalization and light proclitic segmentation.

The tokenizer mirrors camel-tools' ``simple_word_tokenize`` (split on whitespace, every punctuation or
symbol character is its own token) but also returns offsets, so tags map back to ``clean_text``:
``tokenize("قال بوتين، اليوم")`` → ``[("قال", 0, 3), ("بوتين", 4, 9), ("،", 9, 10), ("اليوم", 11, 16)]``.

``norm("أَعلنَ")`` → ``"اعلن"``: diacritics, tatweel and bidi marks removed, alef forms and alef maqsura
folded, Arabic-Indic digits made ASCII. Training and inference both go through ``norm`` so the
seeds' spelling (أ/ا, ى/ي, diacritics) matches ANERcorp's inconsistent hamza spelling.
``segment("وبالصين")`` → ``("وب", "ال", "صين")`` (proclitics, article, stem).
"""
from __future__ import annotations

import regex

# Every call below passes concurrent=False. By default the regex module gives up the GIL for each
# match, even on a 10-character token, and must take it back afterwards, which waits for any other
# busy Python thread (the flow loads a batch, Prefect sends events): orders of magnitude slower on
# short strings (docs/benchmarks.md). These calls are far too short to gain from releasing it.

# Words keep combining marks, tatweel and bidi/zero-width marks inside them (a stray U+200F must not
# split a name); every other non-space character is a one-character token, like camel-tools.
_TOKEN_RE = regex.compile(
    r"[\u200c-\u200f]*[\p{L}\p{N}\p{M}_][\p{L}\p{N}\p{M}_\u200c-\u200f]*|[^\s\u200c-\u200f]"
)
_STRIP_RE = regex.compile(r"[\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c-\u200f\u061c\ufeff]")
_FOLD = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ک": "ك", "ی": "ي",
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    }
)
_DIGIT_RE = regex.compile(r"\d")
_ARABIC_RE = regex.compile(r"[\u0621-\u064a]")
_LATIN_RE = regex.compile(r"[A-Za-z]")

# Proclitics: conjunction (و ف), then preposition (ب ك ل), then article (ال); "لل" = ل + ال.
_CONJ = ("و", "ف")
_PREP = ("ب", "ك", "ل")
_MIN_STEM = 2


def tokenize(text: str) -> list[tuple[str, int, int]]:
    """Tokens of ``text`` as ``(surface, start, end)``; ``text[start:end] == surface``."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text, concurrent=False)]


def token_surfaces(text: str) -> list[str]:
    """The surfaces of ``tokenize(text)`` alone (``findall`` is ~3× cheaper than building offsets)."""
    return _TOKEN_RE.findall(text, concurrent=False)


def norm(token: str) -> str:
    """Feature form of one token: no diacritics/tatweel/bidi marks, folded alef/yeh, ASCII digits."""
    return _STRIP_RE.sub("", token, concurrent=False).translate(_FOLD).lower()


def word_key(normed: str) -> str:
    """Embedding-vocabulary key: the normalized form with every digit replaced by 0."""
    return _DIGIT_RE.sub("0", normed, concurrent=False)


def segment(normed: str) -> tuple[str, str, str]:
    """Split a normalized word into (proclitics, article, stem); the stem keeps ≥ 2 letters."""
    if not _ARABIC_RE.match(normed, concurrent=False):
        return "", "", normed
    pre, rest = "", normed
    if rest[:1] in _CONJ and len(rest) - 1 >= _MIN_STEM + 1:
        pre, rest = rest[:1], rest[1:]
    if rest.startswith("لل") and len(rest) - 2 >= _MIN_STEM:
        return pre + "ل", "ال", rest[2:]
    if rest[:1] in _PREP and len(rest) - 1 >= _MIN_STEM + 2 and rest[1:3] == "ال":
        return pre + rest[:1], "ال", rest[3:]
    if rest.startswith("ال") and len(rest) - 2 >= _MIN_STEM:
        return pre, "ال", rest[2:]
    return pre, "", rest


PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")  # conjunction, preposition, both


def bare_forms(key: str, keep: int = 3) -> list[str]:
    """A key and its forms without a leading proclitic that leave ``keep`` letters or more:
    ``bare_forms("وبرانسون")`` → ``["وبرانسون", "برانسون", "رانسون"]`` (callers look each form up)."""
    return [key] + [key[len(p):] for p in PROCLITICS if key.startswith(p) and len(key) - len(p) >= keep]


def shape(token: str) -> str:
    """Coarse character class of a surface token: ar, lat, num, punct or mix."""
    ar, lat, num = (p.search(token, concurrent=False) is not None for p in (_ARABIC_RE, _LATIN_RE, _DIGIT_RE))
    if ar:
        return "mix" if lat or num else "ar"
    if lat:
        return "mix" if num else "lat"
    return "num" if num else "punct"

"""Phonetic matching key of an entity name: one key for the spellings of one name.

``key_of("وسيرجي لافروف") == key_of("سيرغي لافروف") == "سيرجي افروف"``.  Steps, each a rule about
Arabic script rather than a list of names:

1. orthography — diacritics, tatweel and bidi marks dropped; hamza seats folded (أ إ آ ٱ → ا,
   ؤ → و, ئ → ي, lone ء dropped); ى → ي, ة → ه; Persian/Urdu letters to Arabic ones
   (ک → ك, ی → ي, گ → غ, چ → ج, پ → ب, ڤ → ف); punctuation and hyphens become spaces;
   ``عبدالرحمن`` is split like ``عبد الرحمن``.
2. clitics — per token, repeatedly peel the definite article ``ال`` and the one-letter proclitics
   و ف ب ك ل while at least 3 (article) / 4 (letter) letters remain.  Peeling is applied to every
   spelling, so ``key(clitic + w) == key(w)`` (``وبكين`` → ``بكين``, ``لروسيا`` → ``روسيا``,
   ``البريكس`` → ``بريكس`` → ``ريكس``; ``للصين`` is read as ``لالصين``, the article's alef
   restored, so it peels to ``صين`` like ``الصين``).  The 4-letter floor keeps short names whole
   (``كريم`` is not ``ريم``, ``بسام`` is not ``سام``).
3. transliteration — in tokens of 6+ letters the *medial* alef is dropped (``شانغهاي`` =
   ``شنغهاي``); medial و / ي are kept because ``محمد``/``محمود``, ``سعد``/``سعيد``,
   ``سلمان``/``سليمان`` are different names, and shorter tokens keep their alef
   (``حامد`` ≠ ``حمد``, ``ماجد`` ≠ ``مجد``, ``إيران`` ≠ ``بايرن`` peeled to ``ايرن``).
   The two spellings of foreign *g* are folded (غ = ج → ``ج``) and ق = ك (→ ``ك``, folded
   before step 2 so both peel alike); ج is *not* folded with ك (``جمال``/``كمال``,
   ``جاسم``/``قاسم`` are different names).  Runs of one letter collapse (``يي`` → ``ي``).

:func:`entity_key` is the vectorized Polars expression; :func:`key_of` its scalar twin (the
tests prove they agree).  Both are idempotent.
"""
from __future__ import annotations

import re

import polars as pl

_DROP = "[\u064b-\u065f\u0670\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff\u0621]"
_FOLDS = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ؤ": "و", "ئ": "ي", "ى": "ي", "ة": "ه",
    "ک": "ك", "ی": "ي", "ې": "ي", "گ": "غ", "چ": "ج", "پ": "ب", "ڤ": "ف", "ۀ": "ه",
}
# Transliteration classes, folded before clitic peeling so that قازان and كازان peel alike.
_PHONETIC = {"غ": "ج", "ق": "ك"}
_PHONETIC_TABLE = str.maketrans(_PHONETIC)
_NON_WORD = r"[^\p{L}\p{N}]+"
_PROCLITIC = "وفبكل"
_PEEL_FROM = 5  # peel only tokens of 5+ letters: "ال" leaves ≥ 3, a proclitic ≥ 4
_MEDIAL_MIN = 6  # 5-letter words keep their alef: ايران ≠ ايرن (بايرن after its ب)
_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئىة0123456789"

_RE_DROP = re.compile(_DROP)
_RE_NON_WORD = re.compile(r"[\W_]+")
_RE_ABD = re.compile(r"(?:^|(?<= ))عبدال")
# "للصين" is ل + ال + صين with the alef dropped: spell the article out so it peels like "الصين".
_LIL = "(^| )([وف]?)لل([^ ][^ ]+)"
_RE_LIL = re.compile(_LIL)
_RUN_LETTERS = "".join(sorted(set(_LETTERS) - set(_PHONETIC) - set(_FOLDS) - {"ء"}))
_RE_RUN = re.compile(f"([{_RUN_LETTERS}])\\1+")


def _peel(tok: str) -> str:
    while len(tok) >= _PEEL_FROM:
        if tok.startswith("ال"):
            tok = tok[2:]
        elif tok[0] in _PROCLITIC:
            tok = tok[1:]
        else:
            break
    return tok


def _token_key(tok: str) -> str:
    tok = _peel(tok)
    if len(tok) >= _MEDIAL_MIN:
        tok = tok[0] + tok[1:-1].replace("ا", "") + tok[-1]
    return _RE_RUN.sub(r"\1", tok)


def orthography(name: str) -> str:
    """Step 1 alone: ``orthography("إيطاليا") == orthography("ايطاليا")``, while clitics stay
    (``والهند`` ≠ ``الهند``): for comparing written names, where keys are too loose."""
    return _RE_DROP.sub("", name).translate(_FOLD_TABLE)


_FOLD_TABLE = str.maketrans(_FOLDS)


def key_of(name: str | None) -> str:
    """Scalar matching key: ``key_of("وبكين") == key_of("بكين") == "بكين"``; ``None`` → ``""``."""
    if not name:
        return ""
    s = orthography(name).translate(_PHONETIC_TABLE)
    s = _RE_NON_WORD.sub(" ", s).strip()
    s = _RE_ABD.sub("عبد ال", s)
    s = _RE_LIL.sub(r"\1\2لال\3", s)
    return " ".join(_token_key(t) for t in s.split(" ") if t)


def name_key_of(name: str | None) -> str:
    """:func:`key_of` without step 2's proclitic letters: only the article ``ال`` is peeled, since
    whether a leading و ف ب ك ل is a clitic is decided from evidence beforehand
    (:mod:`transforms.entities.clitics`).  ``name_key_of("بايدن") == "بايدن"`` where
    ``key_of("بايدن") == "ايدن"``; ``name_key_of("الصين") == "صين"``."""
    if not name:
        return ""
    s = orthography(name).translate(_PHONETIC_TABLE)
    s = _RE_NON_WORD.sub(" ", s).strip()
    s = _RE_ABD.sub("عبد ال", s)
    toks = [t[2:] if t.startswith("ال") and len(t) >= _PEEL_FROM else t for t in s.split(" ") if t]
    out = []
    for t in toks:
        if len(t) >= _MEDIAL_MIN:
            t = t[0] + t[1:-1].replace("ا", "") + t[-1]
        out.append(_RE_RUN.sub(r"\1", t))
    return " ".join(out)


def orthography_expr(expr: pl.Expr) -> pl.Expr:
    """Vectorized :func:`orthography` (diacritics, tatweel and marks dropped; hamza seats, ى, ة and
    Persian letters folded): ``"إيطاليا"`` → ``"ايطاليا"``."""
    return expr.str.replace_all(_DROP, "").str.replace_many(_FOLDS)


def _peel_expr(t: pl.Expr) -> pl.Expr:
    """Closed form of :func:`_peel`: prefix units (ال or one proclitic letter) are removed up to
    the first unit boundary at or after ``len - 4`` (the loop stops once fewer than 5 letters
    remain); inside the prefix an ``ا`` only starts an ``ال`` unit, so a cut just after it moves
    one letter on."""
    n = t.str.len_chars().cast(pl.Int64)  # u32 would wrap below zero
    pre = t.str.extract(f"^((?:ال|[{_PROCLITIC}])*)", 1).str.len_chars().cast(pl.Int64).fill_null(0)
    q = pl.max_horizontal(n - (_PEEL_FROM - 1), pl.lit(0))
    cut = (
        pl.when(q >= pre).then(pre)
        .when((q > 0) & (t.str.slice(q - 1, 1) == "ا")).then(q + 1)
        .otherwise(q)
    )
    return t.str.slice(cut)


def _token_key_expr(t: pl.Expr) -> pl.Expr:
    """Medial alef and letter runs of an already peeled token."""
    n = t.str.len_chars().cast(pl.Int64)
    inner = t.str.slice(1, (n - 2).clip(lower_bound=0)).str.replace_all("ا", "", literal=True)
    medial = pl.concat_str([t.str.slice(0, 1), inner, t.str.slice(-1, 1)])
    t = pl.when(n >= _MEDIAL_MIN).then(medial).otherwise(t)
    # Rust regex has no back-references, so runs are collapsed letter by letter.
    for ch in _RUN_LETTERS:
        t = t.str.replace_all(f"{ch}{ch}+", ch)
    return t


def name_key(expr: pl.Expr) -> pl.Expr:
    """Vectorized :func:`name_key_of` over a string column of names whose clitics were decided
    (``"جو بايدن"`` → ``"جو بايدن"``; ``"الولايات المتحدة"`` → ``"ولايات متحده"``)."""
    s = (
        orthography_expr(expr.fill_null(""))
        .str.replace_many(_PHONETIC)
        .str.replace_all(_NON_WORD, " ")
        .str.strip_chars()
        .str.replace_all("(^| )عبدال", "${1}عبد ال")
    )
    peel = pl.when(pl.element().str.starts_with("ال") & (pl.element().str.len_chars() >= _PEEL_FROM)) \
        .then(pl.element().str.slice(2)).otherwise(pl.element())
    return (
        s.str.split(" ")
        .list.eval(peel)
        .list.eval(_token_key_expr(pl.element()))
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.join(" ")
    )


def entity_key(expr: pl.Expr) -> pl.Expr:
    """Vectorized :func:`key_of` over a string column (surface → key).

    ``pl.col("surface")`` with ``"لروسيا"`` → ``"روسيا"``; nulls become ``""``.
    """
    s = (
        expr.fill_null("")
        .str.replace_all(_DROP, "")
        .str.replace_many(_FOLDS)
        .str.replace_many(_PHONETIC)
        .str.replace_all(_NON_WORD, " ")
        .str.strip_chars()
        .str.replace_all("(^| )عبدال", "${1}عبد ال")
        .str.replace_all(_LIL, "${1}${2}لال${3}")
    )
    return (
        s.str.split(" ")
        .list.eval(_peel_expr(pl.element()))
        .list.eval(_token_key_expr(pl.element()))
        .list.eval(pl.element().filter(pl.element() != ""))
        .list.join(" ")
    )

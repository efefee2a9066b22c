"""Arabic text normalization as native Polars expressions (two layers, both idempotent).

* :func:`clean_unicode` — the *safe* layer stored in ``clean_text``: presentation forms → letters
  (NFKC on the Arabic presentation-form blocks only), bidi controls / zero-width junk / tatweel
  removed, whitespace and spacing before punctuation normalized.  Spelling is otherwise kept:
  ``"ﺍﻟﺼﻴﻦ\u200f  ـــ  تقاليدها ."`` → ``"الصين تقاليدها."``.
* :func:`text_key` — the *matching* layer stored in ``text_key``: dediacritized, alef variants,
  alef maksura and teh marbuta folded, exactly as camel-tools' ``dediac_ar`` +
  ``normalize_alef_ar`` + ``normalize_alef_maksura_ar`` + ``normalize_teh_marbuta_ar``
  (``tests/cleaning/test_normalize.py`` proves the agreement): ``"إِلَى الْمَدْرَسَةِ"`` → ``"الي المدرسه"``.

Both are plain expression pipelines (no ``map_elements``), so they run in Polars' thread pool.
"""
from __future__ import annotations

import unicodedata

import polars as pl

# Arabic Presentation Forms-A (U+FB50–U+FDFF) and -B (U+FE70–U+FEFF): NFKC maps each to its
# letters.  Only these blocks get NFKC — full NFKC would also rewrite digits, ligatures like "ﬁ"
# and superscripts elsewhere, which is not "spelling kept".
_PRESENTATION_FORMS: dict[str, str] = {}
for _cp in list(range(0xFB50, 0xFE00)) + list(range(0xFE70, 0xFF00)):
    _ch = chr(_cp)
    if unicodedata.category(_ch) == "Cn":
        continue
    _nf = unicodedata.normalize("NFKC", _ch)
    if _nf != _ch:
        _PRESENTATION_FORMS[_ch] = _nf
_PRESENTATION_FORMS["\ufeff"] = ""  # BOM / zero-width no-break space

# Invisible characters that carry no spelling in Arabic news text: LRM/RLM, ZWSP/ZWNJ/ZWJ,
# embeddings/overrides/isolates, ALM, word joiner & invisible operators, soft hyphen, tatweel,
# and C0 control characters (NUL…) that text passed in directly may still carry.
_INVISIBLE = "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\u061c\u00ad\u0640\ufeff\x00-\x08\x0e-\x1f\x7f]"
# Horizontal whitespace of every kind (NBSP, en/em spaces, narrow NBSP, ideographic space…).
# Matches only runs that need rewriting (an exotic space, or 2+ spaces): replacing every single
# ordinary space by itself costs 5× more on news text.
_XSPACE = "\t\u000b\u000c\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_HSPACE = f"[ ]*[{_XSPACE}][ {_XSPACE}]*| {{2,}}"
# Spaces before closing punctuation ("تقاليدها ." → "تقاليدها.", "بكين ،" → "بكين،").
_SPACE_BEFORE_PUNCT = " +([.،؛,!?؟:;)\\]»”])"

# Camel-tools' AR_DIAC_CHARSET (tanwin, harakat, shadda, sukun, dagger alef).
_DIACRITICS = "[\u064b-\u0652\u0670]"
_KEY_FOLDS = {"\u0625": "\u0627", "\u0623": "\u0627", "\u0671": "\u0627", "\u0622": "\u0627",
              "\u0649": "\u064a", "\u0629": "\u0647"}


def clean_unicode(expr: pl.Expr) -> pl.Expr:
    """Safe normalization of a text column (input any str, output str; nulls stay null).

    Newlines are kept (paragraph structure), runs of blank lines become one blank line, each
    line is trimmed.  Example: ``"ﻻ  تقلق\u200f ."`` → ``"لا تقلق."``.
    """
    return (
        expr.str.replace_many(_PRESENTATION_FORMS)
        .str.replace_all(_INVISIBLE, "")
        .str.replace_all("\r\n?|[\u2028\u2029\u0085]", "\n")
        .str.replace_all(_HSPACE, " ")
        .str.replace_all(" *\n *", "\n")
        .str.replace_all("\n{3,}", "\n\n")
        .str.replace_all(_SPACE_BEFORE_PUNCT, "$1")
        .str.strip_chars()
    )


def text_key(expr: pl.Expr) -> pl.Expr:
    """Matching key of a text column: ``dediac_ar`` + alef / alef maksura / teh marbuta folds.

    Example: ``"أُسْرَةٌ إلى"`` → ``"اسره الي"``.  Apply to ``clean_text`` (already Unicode-clean).
    """
    return expr.str.replace_all(_DIACRITICS, "").str.replace_many(_KEY_FOLDS)


def line_key(expr: pl.Expr) -> pl.Expr:
    """Key used to compare lines (duplicates, per-source templates): ``text_key`` of the line with
    everything but letters and digits dropped and whitespace collapsed, so
    ``"** جميع المقالات المنشورة تمثل رأي كتابها فقط."`` and ``"جميع المقالات المنشورة تمثل رأي كتابها فقط"``
    share a key.
    """
    return key_of_clean(clean_unicode(expr))


def key_of_clean(norm: pl.Expr) -> pl.Expr:
    """:func:`line_key` of a line already passed through :func:`clean_unicode`.

    Latin case is kept (lower-casing costs more than the whole Arabic fold and templates repeat
    verbatim anyway).
    """
    # Only runs holding a non-space separator (or 2+ spaces) are rewritten; see _HSPACE.
    return (
        text_key(norm)
        .str.replace_all(r"[^\p{L}\p{N}]*[^\p{L}\p{N} ][^\p{L}\p{N}]*| {2,}", " ")
        .str.strip_chars()
    )

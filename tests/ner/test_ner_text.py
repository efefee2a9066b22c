"""Tokenizer offsets, normalization and light segmentation."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ner.text import norm, segment, tokenize

_ALPHABET = "ابتثجحخدذرسشصضطظعغفقكلمنهويءأإآةى" + "ًٌٍَُِّْـ" + " \u200f،.؛:!؟()«»-0123456789abc\n"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=80))
def test_offsets_slice_exactly(text: str) -> None:
    toks = tokenize(text)
    assert all(text[a:b] == t for t, a, b in toks)
    assert all(toks[i][2] <= toks[i + 1][1] for i in range(len(toks) - 1))
    # nothing is lost but whitespace and bidi marks outside words
    kept = "".join(t for t, _, _ in toks).replace("\u200f", "")
    assert kept == "".join(c for c in text if not c.isspace() and c != "\u200f")


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_norm_is_idempotent(text: str) -> None:
    assert norm(norm(text)) == norm(text)


def test_punctuation_splits_like_camel() -> None:
    assert [t for t, _, _ in tokenize("قال بوتين، اليوم (د ب أ).")] == [
        "قال", "بوتين", "،", "اليوم", "(", "د", "ب", "أ", ")", ".",
    ]


def test_norm_folds_spelling_variants() -> None:
    assert norm("أَعلنَ") == norm("اعلن") == "اعلن"  # hamza + diacritics
    assert norm("موسكـــو") == "موسكو"  # tatweel
    assert norm("٢٠٢٤") == "2024"  # Arabic-Indic digits
    assert norm("تسعى") == norm("تسعي")  # alef maqsura


def test_segment_proclitics() -> None:
    assert segment("وبالصين") == ("وب", "ال", "صين")
    assert segment("للتعاون") == ("ل", "ال", "تعاون")
    assert segment("بوتين") == ("", "", "بوتين")  # ب is not stripped without the article

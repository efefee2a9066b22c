"""Tokenizer offsets, normalization and light segmentation."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ner.text import norm, segment, token_surfaces, tokenize

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


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="قال بوتين،.\u200f\u200c\u064e\u0640 \n\t٣x-", max_size=60))
def test_offsets_by_find_equal_the_tokenizer(text: str) -> None:
    """``mentions._starts`` (str.find over the surfaces) gives the tokenizer's own start offsets,
    also with bidi marks, tatweel and diacritics around and inside words."""
    from transforms.ner.mentions import _starts

    toks = tokenize(text)
    assert _starts(text, token_surfaces(text), len(toks)) == [s for _, s, _ in toks]


def test_encode_types_equals_encode_type() -> None:
    """The batch encoder used by inference gives ``encode_type``'s ids, chars and flags (unknown
    characters, digits, clitics, Latin and a 40-letter token cut to MAX_CHARS included)."""
    from transforms.ner.features import FLAGS, Featurizer

    feat = Featurizer(words=["<pad>", "<unk>", "الصين", "صين", "قال"], chars=["<pad>", "<unk>", "^", "$", "ا", "ل", "ص"],
                      gaz={"country": ["الصين"], "city": ["كازان"]}, triggers={"pers": ["الرئيس"], "org": [], "loc": []})
    surfaces = ["وبالصين", "قال", "الرئيس", "كازان", "٣٤", "ABC", "\0", "😀", "ل" * 40, "للصين"]
    words, ids, lens, bits = feat.encode_types(surfaces)
    k = 0
    for i, s in enumerate(surfaces):
        w, c, f = feat.encode_type(s, memo=False)
        assert words[3 * i : 3 * i + 3] == w and ids[k : k + lens[i]] == c
        assert [float(bits[i] >> j & 1) for j in range(len(FLAGS))] == f
        k += lens[i]

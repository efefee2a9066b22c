"""Decoding: every payload becomes text or a named reason, never an exception."""
from __future__ import annotations

import codecs

from hypothesis import given, settings, strategies as st

from transforms.decode import decode_bytes

TEXT = "روسيا والصين تتفقان. Lavrov 2024"


def test_utf8_with_and_without_bom():
    assert decode_bytes(TEXT.encode()).text == TEXT
    assert decode_bytes(codecs.BOM_UTF8 + TEXT.encode()).text == TEXT


def test_utf16_with_bom_and_without():
    assert decode_bytes(TEXT.encode("utf-16")).text == TEXT
    assert decode_bytes(TEXT.encode("utf-16-le")).text == TEXT
    assert decode_bytes(TEXT.encode("utf-16-be")).text == TEXT
    assert decode_bytes("plain ascii in utf16".encode("utf-16-le")).text == "plain ascii in utf16"


def test_windows_1256():
    d = decode_bytes(("الاقتصاد الأخضر يخلق فرص عمل عالمية " * 5).encode("cp1256"))
    assert d.text is not None and d.text.startswith("الاقتصاد الأخضر") and d.encoding == "cp1256"


def test_truncated_utf8_is_kept():
    d = decode_bytes(TEXT.encode()[:-1] + "ص".encode()[:1])
    assert d.text is not None and d.text.startswith("روسيا")


def test_nul_bytes_are_dropped_or_rejected():
    assert "\x00" not in (decode_bytes("روسيا\x00 والصين".encode()).text or "")
    assert decode_bytes(b"\x00" * 64).reason == "binary"


def test_rejections_have_reasons():
    assert decode_bytes(b"").reason == "empty"
    assert decode_bytes(b" \n\t ").reason == "empty"
    assert decode_bytes(b"%PDF-1.7 binary").reason == "binary"
    assert decode_bytes(b"\x89PNG\r\n\x1a\n....").reason == "binary"
    assert decode_bytes(bytes(range(256)) * 4).reason in {"binary", "undecodable"}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_never_raises(data):
    d = decode_bytes(data)
    assert (d.text is None) == (d.reason is not None)
    if d.text is not None:
        assert "\x00" not in d.text

"""Bytes → text, or a reason why not.

``decode_bytes(b"\\xef\\xbb\\xbf\\xd8\\xb1\\xd9\\x88\\xd8\\xb3\\xd9\\x8a\\xd8\\xa7")`` →
``Decoded(text="روسيا", encoding="utf-8-sig")``.  Order of attempts: BOMs (UTF-8, UTF-16, UTF-32),
known binary signatures, strict UTF-8, BOM-less UTF-16 (NUL-byte pattern), UTF-8 with a truncated
tail, Windows-1256 when the result is mostly Arabic, then charset-normalizer's best guess.  Never
raises: every failure is a ``Decoded(text=None, reason=..., detail=...)``.

This is per-file Python work by nature (one payload = one decoding decision); callers run it once
per input file, not per line.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF document"), (b"\x89PNG", "PNG image"), (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"), (b"PK\x03\x04", "ZIP archive (docx/xlsx/epub?)"),
    (b"\x1f\x8b", "gzip archive"), (b"BZh", "bzip2 archive"), (b"\x28\xb5\x2f\xfd", "zstd archive"),
    (b"7z\xbc\xaf", "7z archive"), (b"\x7fELF", "ELF executable"), (b"MZ", "Windows executable"),
    (b"\xd0\xcf\x11\xe0", "MS Office (OLE) document"), (b"SQLite format 3", "SQLite database"),
    (b"RIFF", "RIFF media"), (b"ID3", "MP3 audio"), (b"OggS", "Ogg media"),
)
# C0 controls other than tab/newline/CR/FF: a text with many of them is not text.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_LETTER_RE = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None = None
    reason: str | None = None
    detail: str | None = None


def _control_share(text: str) -> float:
    return len(_CONTROL_RE.findall(text)) / max(len(text), 1)


def _arabic_share(text: str) -> float:
    letters = len(_LETTER_RE.findall(text))
    return len(_ARABIC_RE.findall(text)) / letters if letters else 0.0


def _ok(text: str, encoding: str) -> Decoded:
    # NUL and stray controls are dropped: they are never content, and downstream (DuckDB,
    # regexes, terminals) handles them badly.
    return Decoded(_CONTROL_RE.sub("", text), encoding)


def _utf16_guess(data: bytes) -> str | None:
    """BOM-less UTF-16: ASCII/Arabic text has a NUL or a 0x06 byte at every other position."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    hi_even = sum(b in (0, 6) for b in even) / len(even)
    hi_odd = sum(b in (0, 6) for b in odd) / len(odd)
    if hi_odd > 0.6 and hi_even < 0.3:
        return "utf-16-le"
    if hi_even > 0.6 and hi_odd < 0.3:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes | None) -> Decoded:
    """Decode one payload; ``text is None`` means rejected with ``reason`` in
    {``empty``, ``binary``, ``undecodable``}."""
    if data is None or len(data) == 0:
        return Decoded(None, reason="empty", detail="the input has 0 bytes")
    try:
        return _decode(bytes(data))
    except Exception as exc:  # a decoder bug must reject the file, not crash the batch
        return Decoded(None, reason="undecodable", detail=f"decoder error: {type(exc).__name__}: {exc}")


def _decode(data: bytes) -> Decoded:
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                     (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(enc, errors="replace")
            return _checked(text, enc, len(data))
    for sig, what in _BINARY_SIGNATURES:
        if data.startswith(sig):
            return Decoded(None, reason="binary", detail=f"looks like a {what} (starts with {sig[:4]!r})")
    # NUL bytes are valid UTF-8, so BOM-less UTF-16 must be recognised before trying UTF-8.
    enc16 = _utf16_guess(data) if b"\x00" in data or b"\x06" in data else None
    if enc16:
        return _checked(data.decode(enc16, errors="replace"), enc16, len(data))
    try:
        return _checked(data.decode("utf-8"), "utf-8", len(data))
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if data.count(b"\x00") > len(data) * 0.01:
        return Decoded(None, reason="binary", detail=f"{data.count(0)} NUL bytes in {len(data)} bytes")
    # A UTF-8 file cut mid-character (truncated download) fails only in its last 3 bytes.
    if utf8_error.start >= len(data) - 3:
        return _checked(data.decode("utf-8", errors="ignore"), "utf-8 (truncated tail dropped)", len(data))
    lossy = data.decode("utf-8", errors="replace")
    if lossy.count("\ufffd") <= max(2, len(lossy) // 1000):
        return _checked(lossy, "utf-8 (few invalid bytes replaced)", len(data))
    # Windows-1256 maps almost every byte, so accept it only when the result reads as Arabic.
    cp = data.decode("cp1256", errors="replace")
    if _arabic_share(cp) > 0.6:
        return _checked(cp, "cp1256", len(data))
    return _charset_normalizer(data)


def _charset_normalizer(data: bytes) -> Decoded:
    from charset_normalizer import from_bytes  # imported lazily: only odd inputs get here

    best = from_bytes(data).best()
    if best is None:
        return Decoded(None, reason="undecodable",
                       detail="not UTF-8/UTF-16/Windows-1256 and charset-normalizer found no encoding")
    return _checked(str(best), f"{best.encoding} (charset-normalizer)", len(data))


def _checked(text: str, encoding: str, n_bytes: int) -> Decoded:
    if _control_share(text) > 0.05:
        return Decoded(None, reason="binary",
                       detail=f"{_control_share(text):.0%} control characters after decoding as {encoding}")
    if not text.strip("\x00 \t\r\n\ufeff"):
        return Decoded(None, reason="empty", detail=f"{n_bytes} bytes of whitespace only")
    return _ok(text, encoding)

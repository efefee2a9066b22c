"""Deterministic ids: every key in akhbar is derived from content, never a sequence or a UUID.

``stable_id("seeds/000.txt", "ab12…")`` → ``"3f1c…"`` (16 hex digits of SHA-256 over the parts
joined by U+001F, a separator that cannot occur in ordinary text).
"""
from __future__ import annotations

import hashlib

import polars as pl

_SEP = "\x1f"


def stable_id(*parts: object) -> str:
    """16-hex-digit key from the parts (``None`` becomes the empty string)."""
    joined = _SEP.join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


def stable_id_expr(*cols: str | pl.Expr) -> pl.Expr:
    """Polars expression computing ``stable_id`` row-wise over the given columns.

    Uses ``map_elements`` because Polars has no SHA-256 expression and ids must be identical to
    ``stable_id`` on every machine (Polars' own ``hash`` is not stable across versions).
    """
    exprs = [pl.col(c) if isinstance(c, str) else c for c in cols]
    joined = pl.concat_str([e.cast(pl.Utf8).fill_null("") for e in exprs], separator=_SEP)
    return joined.map_elements(
        lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest()[:16], return_dtype=pl.Utf8
    )

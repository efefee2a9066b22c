"""Input files → article records (``docs_raw``) or ``rejects``; never raises.

Input ``inputs``: ``source_uri`` (str), ``payload`` (binary), ``n_bytes`` (i64), ``ext`` (str,
lower-case with dot, or ``""``).  Output ``docs_raw``: ``source_uri, raw_text, title_raw,
published_raw, url, author_raw, source_name`` (all str); ``rejects``: ``source_uri, reason,
detail, bytes``.  Example: an ANT file ``<DOC><TITLE>الاقتصاد الأخضر…</TITLE><TEXT>ذكر تقرير…``
→ one row with ``title_raw="الاقتصاد الأخضر…"``, ``raw_text="ذكر تقرير…"``.

Multi-record files (JSON array, JSON Lines, CSV, Parquet, several ``<DOC>`` or RSS items) give
``source_uri = f"{file_uri}#{i}"`` (0-based).  Decoding and format parsing are per-file Python work
(a file is one parse decision); tabular files are then mapped to fields with Polars expressions.
Every input row ends in ``docs_raw`` or ``rejects`` (tests/cleaning/test_records.py, hypothesis).

Bounded reads: :func:`records_bounded` parses at most ``max_records`` records per call and says
where to resume (``file``, next record index), and an input row's optional ``record_start`` column
starts a file at that record; the flow reads a 31,000-article Parquet file as four slices with the
same ``file#i`` URIs, so memory does not grow with the size of one input file.
"""
from __future__ import annotations

import polars as pl

from transforms.decode import decode_bytes
from transforms.record_formats import FieldMap, parse_text_payload, parse_tabular_payload

DOC_COLUMNS = ("source_uri", "raw_text", "title_raw", "published_raw", "url", "author_raw", "source_name")
DOCS_RAW_SCHEMA = {c: pl.Utf8 for c in DOC_COLUMNS}
REJECTS_SCHEMA = {"source_uri": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8, "bytes": pl.Int64}
_TABULAR = {".csv", ".tsv", ".parquet"}


def records(inputs: pl.DataFrame, fields: dict[str, str] | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Decode and parse every input file into article records.

    ``fields`` overrides the field mapping, e.g. ``{"text": "content", "title": "headline"}``
    (the CLI's ``--field text=content``).  Returns ``(docs_raw, rejects)``.
    """
    docs, rejects, _ = records_bounded(inputs, fields)
    return docs, rejects


def records_bounded(
    inputs: pl.DataFrame, fields: dict[str, str] | None = None, max_records: int | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, list[tuple[str, int]]]:
    """:func:`records` over at most ``max_records`` records (documents + rejected records).

    Files are parsed in order, each from its ``record_start`` (0 when the column is absent); when
    the budget runs out inside a file, or before a file, the rest is returned as ``resume``:
    ``[(source_uri, next_record), …]`` in input order, to be read by a later call.
    Returns ``(docs_raw, rejects, resume)``.
    """
    fmap = FieldMap.from_overrides(fields)
    doc_frames: list[pl.DataFrame] = []
    reject_rows: list[dict] = []
    resume: list[tuple[str, int]] = []
    left = max_records
    for row in inputs.iter_rows(named=True):
        uri = str(row.get("source_uri") or "")
        start = int(row.get("record_start") or 0)
        if left is not None and left <= 0:
            resume.append((uri, start))
            continue
        payload = row.get("payload")
        n_bytes = row.get("n_bytes")
        if n_bytes is None:
            n_bytes = len(payload) if payload is not None else 0
        ext = (row.get("ext") or "").lower()
        try:
            docs, rejects, n_total = _one_file(uri, payload, ext, fmap, start, left)
        except Exception as exc:  # last line of defence: a parser bug rejects the file only
            docs, rejects, n_total = [], ([{"source_uri": uri, "reason": "parse_error",
                                            "detail": f"{type(exc).__name__}: {exc}"[:500]}] if start == 0 else []), 0
        if isinstance(docs, pl.DataFrame):
            doc_frames.append(docs)
        elif docs:
            doc_frames.append(pl.DataFrame(docs, schema=DOCS_RAW_SCHEMA))
        for r in rejects:
            reject_rows.append({**r, "bytes": int(n_bytes)})
        if start == 0 and not rejects and (docs is None or len(docs) == 0):
            reject_rows.append({"source_uri": uri, "reason": "no_records",
                                "detail": "the file parsed but holds no article records", "bytes": int(n_bytes)})
        if left is not None:
            taken = min(left, max(n_total - start, 0))
            left -= max(taken, 1)  # a file that yields nothing still costs its parse
            if start + taken < n_total:
                resume.append((uri, start + taken))
    docs_raw = (pl.concat(doc_frames, how="vertical") if doc_frames
                else pl.DataFrame(schema=DOCS_RAW_SCHEMA))
    return docs_raw.select(DOC_COLUMNS), pl.DataFrame(reject_rows, schema=REJECTS_SCHEMA), resume


def _one_file(uri: str, payload: bytes | None, ext: str, fmap: FieldMap, start: int = 0, limit: int | None = None):
    """Returns ``(docs, rejects, n_total)`` for records ``start … start+limit-1``: docs a list of
    dicts or a DataFrame in DOCS_RAW_SCHEMA, ``n_total`` the number of records in the file."""
    if payload is None or len(payload) == 0:
        return [], [{"source_uri": uri, "reason": "empty", "detail": "the input has 0 bytes"}], 1
    payload = bytes(payload)
    if ext == ".parquet" or payload[:4] == b"PAR1":
        return parse_tabular_payload(uri, payload, ".parquet", fmap, start, limit)
    decoded = decode_bytes(payload)
    if decoded.text is None:
        return [], [{"source_uri": uri, "reason": decoded.reason, "detail": decoded.detail}], 1
    if ext in _TABULAR:
        return parse_tabular_payload(uri, decoded.text.encode("utf-8"), ext, fmap, start, limit)
    return parse_text_payload(uri, decoded.text, ext, fmap, start, limit)

"""Format parsers behind :func:`transforms.records.records` (decoded text or bytes → records).

Each parser returns ``(docs, rejects)``: docs a list of dicts with the ``docs_raw`` fields (or a
DataFrame for tabular inputs), rejects a list of ``{source_uri, reason, detail}``.  Formats:
ANT pseudo-XML (``<DOC><TITLE>…</TITLE><TIME>…</TIME><TEXT>…</TEXT></DOC>``), HTML (trafilatura),
JSON (array / object / object holding an array), JSON Lines, RSS/Atom-like XML, plain text,
CSV/TSV and Parquet (Polars).

Every parser takes a record window ``(start, limit)`` (``limit`` None = all) and returns
``(docs, rejects, n_total)``: only records ``start … start+limit-1`` of the file are built, and
``n_total`` says how many the file holds, so a big multi-record file is read in bounded slices
(``flows.inputs``) with the same ``file#i`` record URIs as a whole read.
"""
from __future__ import annotations

import html as html_lib
import io
import json
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import polars as pl

# Canonical field → accepted input names (compared case-insensitively, first present wins).
DEFAULT_FIELDS: dict[str, tuple[str, ...]] = {
    "raw_text": ("text", "raw_text", "content", "body", "full_text", "fulltext", "article", "article_text", "article_body"),
    "title_raw": ("title", "title_raw", "headline", "head"),
    "published_raw": ("date", "published_raw", "published", "published_time", "published_at", "date_extracted", "time",
                      "pubdate", "datetime", "date_published", "timestamp", "created_at"),
    "url": ("url", "link", "href", "permalink"),
    "author_raw": ("author", "author_raw", "byline", "authors", "writer", "creator"),
    "source_name": ("source", "site", "source_name", "sitename", "publisher", "src"),
}
# User-facing override keys (``--field text=content``) → canonical field.
_OVERRIDE_KEYS = {"text": "raw_text", "title": "title_raw", "date": "published_raw",
                  "published": "published_raw", "url": "url", "author": "author_raw",
                  "source": "source_name"}
_FIELDS = tuple(DEFAULT_FIELDS)

_ANT_DOC_RE = re.compile(r"<DOC>(.*?)(?:</DOC>|\Z)", re.S | re.I)
_ANT_TAG_RE = re.compile(r"<([A-Z]+)>(.*?)</\1>", re.S | re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_DOC_SNIFF_RE = re.compile(r"\A\s*<DOC>", re.I)
_HTML_SNIFF_RE = re.compile(r"\A\s*(<!DOCTYPE html|<html|<head|<body|<meta|<div|<p[ >])", re.I)
_XML_ITEMS = ("item", "entry", "article", "doc", "record", "document", "news")


@dataclass
class FieldMap:
    """Which input column feeds each canonical field; ``overrides`` win over the defaults."""

    overrides: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_overrides(cls, fields: dict[str, str] | None) -> FieldMap:
        out: dict[str, str] = {}
        for key, col in (fields or {}).items():
            canon = _OVERRIDE_KEYS.get(str(key).lower(), str(key))
            out[canon] = str(col)
        return cls(out)

    def resolve(self, columns: list[str]) -> dict[str, str | None]:
        """Canonical field → actual column name (or None) for this set of columns."""
        lower = {c.lower(): c for c in columns}
        found: dict[str, str | None] = {}
        for canon, names in DEFAULT_FIELDS.items():
            if canon in self.overrides:
                want = self.overrides[canon]
                found[canon] = want if want in columns else lower.get(want.lower())
                continue
            found[canon] = next((lower[n] for n in names if n in lower), None)
        return found


def _source_from_uri(uri: str) -> str | None:
    base = uri.split("#", 1)[0]
    if "://" in base:
        return urlparse(base).hostname
    parts = [p for p in re.split(r"[\\/]", base) if p]
    return parts[-2] if len(parts) >= 2 else None


def _as_str(v) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v):
        return ", ".join(v) if v else None
    return json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v)


def _no_text(uri: str, cols: list[str], what: str) -> dict:
    return {"source_uri": uri, "reason": "no_text_field",
            "detail": f"{what} has no text field; fields are {', '.join(cols[:30]) or '(none)'}; "
                      f"use --field text=FIELD"}


def _window(n_total: int, start: int, limit: int | None) -> range:
    """Indexes of the records to build: ``start … start+limit-1`` clipped to the file."""
    stop = n_total if limit is None else min(n_total, start + limit)
    return range(min(start, n_total), stop)


def _dict_records(uri: str, items: list, fmap: FieldMap, what: str, multi: bool, first: int = 0):
    """Records of ``items``, which are the file's records ``first, first+1, …``."""
    docs, rejects = [], []
    for i, item in enumerate(items, start=first):
        ruri = f"{uri}#{i}" if multi else uri
        if not isinstance(item, dict):
            rejects.append({"source_uri": ruri, "reason": "not_a_record",
                            "detail": f"{what} item {i} is a {type(item).__name__}, not an object"})
            continue
        cols = [str(k) for k in item]
        m = fmap.resolve(cols)
        if m["raw_text"] is None:
            rejects.append(_no_text(ruri, cols, what))
            continue
        rec = {f: (_as_str(item.get(m[f])) if m[f] else None) for f in _FIELDS}
        if not (rec["raw_text"] or "").strip():
            rejects.append({"source_uri": ruri, "reason": "empty_text",
                            "detail": f"field '{m['raw_text']}' is empty"})
            continue
        rec["source_uri"] = ruri
        rec["source_name"] = rec["source_name"] or _source_from_uri(uri)
        docs.append(rec)
    return docs, rejects


def _single(parsed: tuple[list, list], start: int) -> tuple[list, list, int]:
    """A one-record file: its record only in the first window."""
    docs, rejects = parsed if start == 0 else ([], [])
    return docs, rejects, 1


def parse_json(uri: str, text: str, fmap: FieldMap, start: int = 0, limit: int | None = None):
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return _single(([], [{"source_uri": uri, "reason": "invalid_json", "detail": f"JSON error: {exc}"[:300]}]), start)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if fmap.resolve([str(k) for k in data])["raw_text"] is None and lists:
            data = lists[0]  # {"articles": [...]} style wrapper
        else:
            return _single(_dict_records(uri, [data], fmap, "JSON object", multi=False), start)
    if not isinstance(data, list):
        return _single(([], [{"source_uri": uri, "reason": "not_a_record",
                              "detail": f"JSON top level is a {type(data).__name__}, not an array or object"}]), start)
    w = _window(len(data), start, limit)
    docs, rejects = _dict_records(uri, data[w.start:w.stop], fmap, "JSON array", multi=True, first=w.start)
    return docs, rejects, len(data)


def parse_jsonl(uri: str, text: str, fmap: FieldMap, start: int = 0, limit: int | None = None):
    docs, rejects = [], []
    lines = [ln for ln in text.splitlines() if ln.strip()]
    w = _window(len(lines), start, limit)
    for i in w:
        ln = lines[i]
        try:
            item = json.loads(ln)
        except json.JSONDecodeError as exc:
            rejects.append({"source_uri": f"{uri}#{i}", "reason": "invalid_json",
                            "detail": f"JSON Lines line {i}: {exc}"[:300]})
            continue
        d, r = _dict_records(f"{uri}#{i}", [item], fmap, "JSON Lines record", multi=False)
        docs += d
        rejects += r
    return docs, rejects, len(lines)


def parse_ant(uri: str, text: str, start: int = 0, limit: int | None = None):
    blocks = _ANT_DOC_RE.findall(text)
    docs, rejects = [], []
    for i in _window(len(blocks), start, limit):
        block = blocks[i]
        ruri = f"{uri}#{i}" if len(blocks) > 1 else uri
        tags = {k.upper(): v.strip() for k, v in _ANT_TAG_RE.findall(block)}
        body = tags.get("TEXT") or ""
        if not body.strip():
            rejects.append({"source_uri": ruri, "reason": "empty_text", "detail": "<DOC> without <TEXT> content"})
            continue
        docs.append({"source_uri": ruri, "raw_text": body, "title_raw": tags.get("TITLE") or None,
                     "published_raw": tags.get("TIME") or tags.get("DATE") or None,
                     "url": tags.get("URL") or None, "author_raw": tags.get("AUTHOR") or None,
                     "source_name": tags.get("SRC") or _source_from_uri(uri)})
    return docs, rejects, len(blocks)


def parse_html(uri: str, text: str):
    import trafilatura  # heavy import, only when HTML arrives

    doc = trafilatura.bare_extraction(text, with_metadata=True, favor_recall=True)
    body = getattr(doc, "text", None) if doc is not None else None
    if not (body or "").strip():
        return [], [{"source_uri": uri, "reason": "no_main_content",
                     "detail": "trafilatura found no article text in this HTML (script/style/navigation only?)"}]
    url = getattr(doc, "url", None)
    source = getattr(doc, "sitename", None) or (urlparse(url).hostname if url else None)
    return [{"source_uri": uri, "raw_text": body, "title_raw": getattr(doc, "title", None),
             "published_raw": getattr(doc, "date", None), "url": url,
             "author_raw": getattr(doc, "author", None),
             "source_name": source or _source_from_uri(uri)}], []


def parse_xml(uri: str, text: str, fmap: FieldMap, start: int = 0, limit: int | None = None):
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as exc:
        return _single(([], [{"source_uri": uri, "reason": "invalid_xml", "detail": f"XML error: {exc}"[:300]}]), start)

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1].lower()

    items = [el for el in root.iter() if local(el.tag) in _XML_ITEMS] or [root]
    w = _window(len(items), start, limit)
    records = []
    for el in items[w.start:w.stop]:
        rec: dict[str, str] = {}
        for child in el:
            val = child.text or child.attrib.get("href") or ""
            rec.setdefault(local(child.tag), html_lib.unescape(_TAG_RE.sub(" ", val)).strip())
        if "text" not in rec:  # RSS: the body lives in description / content:encoded / summary
            for alt in ("encoded", "description", "summary"):
                if rec.get(alt):
                    rec["text"] = rec[alt]
                    break
        records.append(rec)
    docs, rejects = _dict_records(uri, records, fmap, "XML item", multi=len(items) > 1, first=w.start)
    return docs, rejects, len(items)


def parse_text_payload(uri: str, text: str, ext: str, fmap: FieldMap, start: int = 0, limit: int | None = None):
    """Dispatch decoded text by extension, sniffing the content when the extension is vague.
    Returns ``(docs, rejects, n_total)`` for the record window ``start``/``limit``."""
    head = text[:2000].lstrip("\ufeff \t\r\n")
    if _DOC_SNIFF_RE.match(head) or (ext in ("", ".xml", ".txt", ".sgml") and "<DOC>" in text[:5000]):
        return parse_ant(uri, text, start, limit)
    if ext == ".jsonl" or ext == ".ndjson":
        return parse_jsonl(uri, text, fmap, start, limit)
    if ext == ".json" or (ext in ("", ".txt") and head[:1] in ("[", "{")):
        if ext != ".json" and head[:1] == "{" and "\n{" in text.strip():
            return parse_jsonl(uri, text, fmap, start, limit)
        return parse_json(uri, text, fmap, start, limit)
    if ext in (".html", ".htm", ".xhtml") or (ext in ("", ".txt") and _HTML_SNIFF_RE.match(head)):
        return _single(parse_html(uri, text), start)
    if ext in (".xml", ".rss", ".atom"):
        return parse_xml(uri, text, fmap, start, limit)
    return _single(([{"source_uri": uri, "raw_text": text, "title_raw": None, "published_raw": None,
                      "url": None, "author_raw": None, "source_name": _source_from_uri(uri)}], []), start)


def parse_tabular_payload(uri: str, data: bytes, ext: str, fmap: FieldMap, start: int = 0, limit: int | None = None):
    """CSV/TSV/Parquet → DataFrame in the docs_raw layout (field mapping as Polars expressions).

    Returns ``(docs, rejects, n_total)`` for rows ``start … start+limit-1``; Parquet is scanned,
    so only those rows are decoded (a 31,000-article file is never one frame)."""
    what = "Parquet file" if ext == ".parquet" else "CSV"
    try:
        if ext == ".parquet":
            lf = pl.scan_parquet(io.BytesIO(data))
            columns = lf.collect_schema().names()
            n_total = lf.select(pl.len()).collect().item()
            m = fmap.resolve(columns)
            if m["raw_text"] is None:
                return [], ([_no_text(uri, columns, what)] if start == 0 else []), 1
            w = _window(n_total, start, limit)
            used = list(dict.fromkeys(c for c in m.values() if c is not None))
            df = lf.select(used).slice(w.start, len(w)).collect()
        else:
            df = pl.read_csv(io.BytesIO(data), infer_schema=False, separator="\t" if ext == ".tsv" else ",",
                             truncate_ragged_lines=True, raise_if_empty=False)
            n_total = df.height
            m = fmap.resolve(df.columns)
            if m["raw_text"] is None:
                return [], ([_no_text(uri, df.columns, what)] if start == 0 else []), 1
            w = _window(n_total, start, limit)
            df = df.slice(w.start, len(w))
    except Exception as exc:
        return [], ([{"source_uri": uri, "reason": "invalid_table",
                      "detail": f"could not read {ext or 'table'}: {type(exc).__name__}: {exc}"[:300]}]
                    if start == 0 else []), 1
    if n_total == 0:
        return [], [{"source_uri": uri, "reason": "no_records", "detail": f"{what} has no rows"}], 0

    def as_utf8(col: str | None) -> pl.Expr:
        if col is None:
            return pl.lit(None, dtype=pl.Utf8)
        dtype = df.schema[col]
        if dtype.is_nested():
            return pl.col(col).map_elements(_as_str, return_dtype=pl.Utf8)  # rare: list/struct cells
        return pl.col(col).cast(pl.Utf8, strict=False)

    out = df.select(
        (pl.lit(uri + "#") + pl.int_range(w.start, w.start + pl.len()).cast(pl.Utf8)).alias("source_uri"),
        *[as_utf8(m[f]).alias(f) for f in _FIELDS],
    ).with_columns(pl.col("source_name").fill_null(pl.lit(_source_from_uri(uri), dtype=pl.Utf8)))
    empty = pl.col("raw_text").is_null() | (pl.col("raw_text").str.strip_chars() == "")
    rejects = out.filter(empty).select(
        "source_uri", pl.lit("empty_text").alias("reason"),
        pl.lit(f"column '{m['raw_text']}' is empty").alias("detail")).to_dicts()
    return out.filter(~empty), rejects, n_total

"""Read what evaluations compare with gold: the warehouse's mentions keyed by their document.

``mentions_by_document(out)`` → ``url, source_uri, surface, label, entity_id`` for every mention,
e.g. ``("http://www.bbc.co.uk/arabic/…", "…/articles.jsonl#12", "لافروف", "PERS", "9f2c…")``.
"""
from __future__ import annotations

import os

import polars as pl

from warehouse.db import connect


def mentions_by_document(out_dir: str | os.PathLike) -> pl.DataFrame:
    """Every mention with its document's url and source_uri (read-only); a document without
    mentions gives one row with null ``surface``, so scorers know it was read."""
    con = connect(out_dir, read_only=True)
    try:
        return con.execute(
            "select d.url, d.source_uri, m.surface, m.label, m.entity_id "
            "from documents d left join mentions m using (doc_id)"
        ).pl()
    finally:
        con.close()

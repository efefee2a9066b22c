"""The ``fetch_log`` table: what the feed fetcher remembers between runs.

``previous_validators(con, ["https://aljazeera.net/rss"])`` → ``{"https://…/rss": ("W/\\"abc\\"",
"Mon, 18 Nov 2024 10:00:00 GMT")}``: the ETag / Last-Modified to send back as a conditional GET.
``known_urls`` lists article URLs already loaded (``documents.url`` or ``source_uri``), which the
fetcher skips.  ``record_fetches`` appends one run's fetch rows.

Validators are only trusted from a fetch that (a) belongs to a run that *completed* — a run killed
after fetching but before loading its articles must not make the next run receive a 304 and lose
them — and (b) left no retryable article failure behind (timeout, network error, HTTP 5xx/429):
otherwise the next run fetches the feed in full so the failed articles are tried again.
"""
from __future__ import annotations

import duckdb
import polars as pl

from warehouse.ddl import quote_ident
from warehouse.schema import BY_NAME

# Reject reasons written by the fetcher; a later successful fetch of the same URL clears them.
FETCH_REASONS = ("timeout", "http_error", "too_large", "too_many_redirects", "network_error")
_COLUMNS = BY_NAME["fetch_log"].column_names
_SCHEMA = {"url": pl.Utf8}


def _register_urls(con: duckdb.DuckDBPyConnection, name: str, urls: list[str]) -> None:
    con.register(name, pl.DataFrame({"url": list(dict.fromkeys(urls))}, schema=_SCHEMA).to_arrow())


def known_urls(con: duckdb.DuckDBPyConnection, urls: list[str]) -> set[str]:
    """The subset of ``urls`` already loaded as documents (matched on ``url`` or ``source_uri``)."""
    if not urls:
        return set()
    _register_urls(con, "_fetch_urls", urls)
    try:
        rows = con.execute(
            "SELECT w.url FROM _fetch_urls w WHERE EXISTS (SELECT 1 FROM documents d"
            " WHERE d.url = w.url OR d.source_uri = w.url)"
        ).fetchall()
    finally:
        con.unregister("_fetch_urls")
    return {r[0] for r in rows}


def previous_validators(con: duckdb.DuckDBPyConnection, urls: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """``url → (etag, last_modified)`` from the latest trustworthy successful fetch of each URL."""
    if not urls:
        return {}
    _register_urls(con, "_fetch_urls", urls)
    try:
        rows = con.execute(
            """
            SELECT f.url, f.etag, f.last_modified
            FROM fetch_log f
            JOIN _fetch_urls w ON w.url = f.url
            JOIN runs r ON r.run_id = f.run_id AND r.status = 'completed'
            WHERE f.outcome = 'ok' AND f.feed_url IS NULL
              AND (f.etag IS NOT NULL OR f.last_modified IS NOT NULL)
              AND NOT EXISTS (
                SELECT 1 FROM fetch_log a
                WHERE a.run_id = f.run_id AND a.feed_url = f.url
                  AND (a.outcome IN ('timeout', 'network_error')
                       OR (a.outcome = 'http_error' AND (a.http_status >= 500 OR a.http_status = 429))))
            QUALIFY row_number() OVER (PARTITION BY f.url ORDER BY f.fetched_at DESC) = 1
            """
        ).fetchall()
    finally:
        con.unregister("_fetch_urls")
    return {url: (etag, last_modified) for url, etag, last_modified in rows}


def record_fetches(con: duckdb.DuckDBPyConnection, rows: pl.DataFrame) -> int:
    """Append one run's fetch rows (columns as declared for ``fetch_log``); returns rows written.

    In the same transaction, fetch-failure rejects of URLs that were now fetched (or found
    unchanged / already loaded) are removed: they no longer describe a lost input.
    """
    if rows.height == 0:
        return 0
    frame = rows.select(
        [pl.col(c) if c in rows.columns else pl.lit(None).alias(c) for c in _COLUMNS]
    ).unique("fetch_id", keep="first", maintain_order=True)
    cols = ", ".join(quote_ident(c) for c in _COLUMNS)
    con.execute("BEGIN TRANSACTION")
    try:
        con.register("_fetch_rows", frame.to_arrow())
        con.execute(f"INSERT OR REPLACE INTO fetch_log ({cols}) SELECT {cols} FROM _fetch_rows")
        con.execute(
            "DELETE FROM rejects WHERE list_contains(?, reason) AND source_uri IN (SELECT url FROM"
            " _fetch_rows WHERE outcome IN ('ok', 'not_modified', 'skipped_known'))",
            [list(FETCH_REASONS)],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        con.unregister("_fetch_rows")
    return frame.height

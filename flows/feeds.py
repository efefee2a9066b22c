"""News feeds over HTTP: RSS/Atom → article pages → the ``inputs`` frame of the ingest flow.

    inputs, rejects = fetch_feeds(["https://www.aljazeera.net/aljazeerarss/…"], out="data", run_id=rid)

``inputs(source_uri, payload, n_bytes, ext)`` holds one article page per row (``source_uri`` is
the article URL as the feed lists it, ``payload`` the HTML bytes, ``ext`` ``.html``) plus the feed
entry's own metadata in docs_raw column names (``title_raw``, ``published_raw``, ``author_raw``,
``url``) so the flow can prefer it over what trafilatura guesses from the page.  ``rejects(source_uri,
reason, detail, bytes)`` holds every feed or article that could not be fetched — nothing is lost.

Steps, each a batch-sized Prefect task: ``fetch-feeds`` (conditional GET with the ETag /
Last-Modified remembered in ``fetch_log``; feedparser), ``fetch-pages`` (≤ ``PAGE_BATCH`` article
URLs per task; URLs already in the warehouse are skipped as ``skipped_known``), ``record-fetch-log``.
Retries: per URL, with exponential backoff (``flows.fetch``) — a Prefect retry of a batch task
would refetch every page of the batch, so Prefect retries are kept for the task itself (a
warehouse hiccup) and HTTP retries happen inside, per URL.  Limits come from ``AKHBAR_FETCH_*``
environment variables (see ``FetchConfig``).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin

import polars as pl
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.fetch import FetchConfig, Fetched, HostSlots, fetch_url, make_client, scheme_ok
from transforms.ids import stable_id
from warehouse import db
from warehouse import fetch_log as wfl

PAGE_BATCH = 200
INPUT_SCHEMA = {"source_uri": pl.Utf8, "payload": pl.Binary, "n_bytes": pl.Int64, "ext": pl.Utf8,
                "title_raw": pl.Utf8, "published_raw": pl.Utf8, "author_raw": pl.Utf8, "url": pl.Utf8}
REJECT_SCHEMA = {"source_uri": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8, "bytes": pl.Int64}
LOG_SCHEMA = {"fetch_id": pl.Utf8, "url": pl.Utf8, "feed_url": pl.Utf8, "outcome": pl.Utf8,
              "http_status": pl.Int32, "detail": pl.Utf8, "bytes": pl.Int64, "etag": pl.Utf8,
              "last_modified": pl.Utf8, "n_attempts": pl.Int32, "fetched_at": pl.Datetime("us"),
              "run_id": pl.Utf8}
_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}
_EXT_BY_TYPE = (("html", ".html"), ("json", ".json"), ("xml", ".xml"), ("text/plain", ".txt"))


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _log_row(res: Fetched, run_id: str, feed_url: str | None) -> dict:
    return {"fetch_id": stable_id(res.url, run_id), "url": res.url, "feed_url": feed_url,
            "outcome": res.outcome, "http_status": res.status, "detail": res.detail,
            "bytes": None if res.body is None else len(res.body), "etag": res.etag,
            "last_modified": res.last_modified, "n_attempts": res.n_attempts, "fetched_at": _now(),
            "run_id": run_id}


def _reject(res: Fetched) -> dict:
    return {"source_uri": res.url, "reason": res.outcome, "detail": res.detail,
            "bytes": None if res.body is None else len(res.body)}


def _fetch_all(urls: list[str], cfg: FetchConfig, validators: dict | None = None) -> list[Fetched]:
    """Fetch concurrently (``cfg.workers`` threads, ``cfg.per_host`` per host), in input order."""
    hosts = HostSlots(cfg.per_host)
    with make_client(cfg) as client, ThreadPoolExecutor(max_workers=max(1, cfg.workers)) as pool:
        return list(pool.map(lambda u: fetch_url(client, u, cfg, hosts, (validators or {}).get(u)), urls))


def _looks_like_html(res: Fetched) -> bool:
    head = (res.body or b"")[:1024].lstrip().lower()
    return "html" in res.content_type.lower() or head.startswith((b"<!doctype html", b"<html"))


def _entries(res: Fetched) -> tuple[list[dict], str | None]:
    """Feed entries ``{url, title_raw, published_raw, author_raw}`` or a reason the feed is unusable."""
    import feedparser  # parses the bytes we fetched; never given a URL, so it never fetches itself

    parsed = feedparser.parse(res.body or b"")
    if not parsed.entries:
        if parsed.get("bozo"):
            return [], f"not a readable RSS/Atom feed: {parsed.get('bozo_exception')}"[:300]
        return [], "the feed has no entries"
    out = []
    base = res.final_url or res.url
    for e in parsed.entries:
        link = e.get("link") or (e.get("id") if str(e.get("id", "")).startswith(("http:", "https:")) else None)
        if not link:
            continue
        out.append({"url": urljoin(base, link.strip()), "title_raw": e.get("title"),
                    "published_raw": e.get("published") or e.get("updated"),
                    "author_raw": e.get("author")})
    return out, None


@task(name="fetch-feeds", retries=1, retry_delay_seconds=2, **_OPTS)
def fetch_feed_entries(feed_urls: list[str], out: str, run_id: str) -> dict[str, Any]:
    """Conditional GET of every feed; returns entries to fetch, direct pages, log rows and rejects."""
    cfg = FetchConfig.from_env()
    with db.connect(out) as con:
        validators = wfl.previous_validators(con, feed_urls)
    log, rejects, entries, pages = [], [], [], []
    good = [u for u in feed_urls if scheme_ok(u)]
    for u in feed_urls:
        if u not in good:
            res = Fetched(u, "bad_scheme", detail="only http and https feeds are fetched", n_attempts=0)
            log.append(_log_row(res, run_id, None))
            rejects.append(_reject(res))
    for res in _fetch_all(good, cfg, validators):
        log.append(_log_row(res, run_id, None))
        if res.outcome == "not_modified":
            continue
        if res.outcome != "ok":
            rejects.append(_reject(res))
            continue
        found, problem = _entries(res)
        if problem and _looks_like_html(res):  # the URL given was an article page, not a feed
            pages.append({"url": res.url, "body": res.body, "content_type": res.content_type})
        elif problem:
            rejects.append({"source_uri": res.url, "reason": "invalid_feed", "detail": problem,
                            "bytes": len(res.body or b"")})
        entries += [{**e, "feed_url": res.url} for e in found]
    return {"log": log, "rejects": rejects, "entries": entries, "pages": pages}


@task(name="fetch-pages", retries=1, retry_delay_seconds=2, **_OPTS)
def fetch_pages(urls: list[str]) -> list[Fetched]:
    """Fetch one batch of article pages (bodies stay in memory: a batch is ≤ PAGE_BATCH pages)."""
    return _fetch_all(urls, FetchConfig.from_env())


@task(name="record-fetch-log", retries=2, retry_delay_seconds=1, **_OPTS)
def record_fetch_log(out: str, rows: list[dict]) -> int:
    with db.connect(out) as con:
        return wfl.record_fetches(con, pl.DataFrame(rows, schema=LOG_SCHEMA))


def _ext(content_type: str) -> str:
    ct = content_type.lower()
    return next((ext for key, ext in _EXT_BY_TYPE if key in ct), ".html")


def fetch_feeds(urls: list[str], out: str, run_id: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Feeds → ``(inputs, rejects)`` for the ingest flow; writes this run's ``fetch_log`` rows."""
    feeds = list(dict.fromkeys(urls))
    got = fetch_feed_entries(feeds, out, run_id)
    log, rejects, inputs = list(got["log"]), list(got["rejects"]), []
    for p in got["pages"]:
        inputs.append({"source_uri": p["url"], "payload": p["body"], "n_bytes": len(p["body"]),
                       "ext": _ext(p["content_type"]), "url": p["url"]})

    seen = set(feeds)
    meta: dict[str, dict] = {}
    for e in got["entries"]:
        if e["url"] in seen:
            continue  # listed by two feeds, or the feed lists itself
        seen.add(e["url"])
        if not scheme_ok(e["url"]):
            res = Fetched(e["url"], "bad_scheme", detail="feed links only to http(s) pages are followed", n_attempts=0)
            log.append(_log_row(res, run_id, e["feed_url"]))
            rejects.append(_reject(res))
            continue
        meta[e["url"]] = e
    with db.connect(out) as con:
        known = wfl.known_urls(con, list(meta))
    for url in [u for u in meta if u in known]:
        res = Fetched(url, "skipped_known", detail="article already in the warehouse", n_attempts=0)
        log.append(_log_row(res, run_id, meta.pop(url)["feed_url"]))

    todo = list(meta)
    for i in range(0, len(todo), PAGE_BATCH):
        for res in fetch_pages(todo[i:i + PAGE_BATCH]):
            e = meta[res.url]
            log.append(_log_row(res, run_id, e["feed_url"]))
            if res.outcome != "ok":
                rejects.append(_reject(res))
                continue
            inputs.append({"source_uri": res.url, "payload": res.body, "n_bytes": len(res.body or b""),
                           "ext": _ext(res.content_type), "title_raw": e["title_raw"],
                           "published_raw": e["published_raw"], "author_raw": e["author_raw"], "url": res.url})
    record_fetch_log(out, log)
    return pl.DataFrame(inputs, schema=INPUT_SCHEMA), pl.DataFrame(rejects, schema=REJECT_SCHEMA)

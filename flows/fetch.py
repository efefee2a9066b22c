"""One polite, bounded HTTP GET: the only network I/O in akhbar.

``fetch_url(client, "https://example.org/rss", cfg, hosts)`` → ``Fetched(outcome="ok", status=200,
body=b"<rss…", etag=…)``.  Never raises: every failure is an outcome of the ``fetch_log`` table
(``timeout``, ``http_error``, ``too_large``, ``too_many_redirects``, ``bad_scheme``,
``network_error``) with a detail a person understands.

Guards: only http/https (checked again on every redirect hop, so a feed cannot bounce us to
``file://``); redirects followed by hand up to ``max_redirects``; the body is streamed and abandoned
as soon as it passes ``max_bytes`` (a lying or missing Content-Length cannot exhaust memory); a
whole-request deadline on top of httpx's connect/read timeouts (a server that trickles one byte a
second never trips a read timeout); at most ``per_host`` requests in flight per host; retries with
exponential backoff for timeouts, network errors, HTTP 429 and 5xx only.
"""
from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

ALLOWED_SCHEMES = ("http", "https")
USER_AGENT = "akhbar/0.1 (Arabic news pipeline; +https://github.com/akhbar)"
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchConfig:
    """Limits of the fetcher; ``from_env`` reads ``AKHBAR_FETCH_*`` overrides (tests use tiny ones)."""

    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_bytes: int = 20 << 20
    max_redirects: int = 5
    per_host: int = 2
    workers: int = 8

    @classmethod
    def from_env(cls) -> FetchConfig:
        kw = {}
        for name, f in cls.__dataclass_fields__.items():
            raw = os.environ.get(f"AKHBAR_FETCH_{name.upper()}")
            if raw:
                kw[name] = int(raw) if f.type == "int" else float(raw)
        return cls(**kw)


@dataclass
class Fetched:
    url: str
    outcome: str
    status: int | None = None
    detail: str = ""
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""
    final_url: str | None = None
    n_attempts: int = 1

    @property
    def retryable(self) -> bool:
        return self.outcome in ("timeout", "network_error") or (
            self.outcome == "http_error" and self.status is not None and (self.status >= 500 or self.status == 429))


class HostSlots:
    """Per-host semaphores: at most ``limit`` requests in flight to one ``host:port``."""

    def __init__(self, limit: int) -> None:
        self._lock = threading.Lock()
        self._sems: dict[str, threading.Semaphore] = defaultdict(lambda: threading.Semaphore(limit))

    def __call__(self, url: str) -> threading.Semaphore:
        parts = urlsplit(url)
        with self._lock:
            return self._sems[f"{parts.hostname}:{parts.port or parts.scheme}"]


def scheme_ok(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ALLOWED_SCHEMES and bool(urlsplit(url).hostname)


def make_client(cfg: FetchConfig) -> httpx.Client:
    timeout = httpx.Timeout(cfg.read_timeout, connect=cfg.connect_timeout, pool=cfg.total_timeout)
    limits = httpx.Limits(max_connections=cfg.workers, max_keepalive_connections=cfg.workers)
    return httpx.Client(timeout=timeout, limits=limits, follow_redirects=False, trust_env=False,
                        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"})


def fetch_url(client: httpx.Client, url: str, cfg: FetchConfig, hosts: HostSlots,
              validators: tuple[str | None, str | None] | None = None) -> Fetched:
    """GET ``url`` with retries and backoff; ``validators`` = (etag, last_modified) of a previous run."""
    attempt = 0
    while True:
        attempt += 1
        res = _fetch_once(client, url, cfg, hosts, validators)
        res.n_attempts = attempt
        if not res.retryable or attempt > cfg.retries:
            return res
        time.sleep(min(cfg.backoff * 2 ** (attempt - 1), cfg.max_backoff))


def _fetch_once(client: httpx.Client, url: str, cfg: FetchConfig, hosts: HostSlots,
                validators: tuple[str | None, str | None] | None) -> Fetched:
    headers = {}
    if validators:
        etag, modified = validators
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
    current = url
    deadline = time.monotonic() + cfg.total_timeout
    for _hop in range(cfg.max_redirects + 1):
        if not scheme_ok(current):
            return Fetched(url, "bad_scheme", detail=f"refused non-http(s) URL {current[:200]!r}")
        try:
            with hosts(current), client.stream("GET", current, headers=headers) as resp:
                if resp.status_code in _REDIRECTS and resp.headers.get("location"):
                    current = urljoin(current, resp.headers["location"])
                    continue
                return _read_response(url, current, resp, cfg, deadline)
        except httpx.TimeoutException as exc:
            return Fetched(url, "timeout", detail=f"{type(exc).__name__} after the configured timeouts "
                           f"(connect {cfg.connect_timeout}s, read {cfg.read_timeout}s)")
        except _Deadline:
            return Fetched(url, "timeout", detail=f"response not complete within {cfg.total_timeout}s")
        except httpx.UnsupportedProtocol as exc:
            return Fetched(url, "bad_scheme", detail=str(exc)[:300])
        except Exception as exc:  # DNS, refused, reset, bad TLS, malformed URL: one outcome, never a crash
            return Fetched(url, "network_error", detail=f"{type(exc).__name__}: {exc}"[:300])
    return Fetched(url, "too_many_redirects", detail=f"more than {cfg.max_redirects} redirects (last {current[:200]})")


class _Deadline(Exception):
    pass


def _read_response(url: str, final: str, resp: httpx.Response, cfg: FetchConfig, deadline: float) -> Fetched:
    common = {"status": resp.status_code, "final_url": final, "etag": resp.headers.get("etag"),
              "last_modified": resp.headers.get("last-modified"),
              "content_type": resp.headers.get("content-type", "")}
    if resp.status_code == 304:
        return Fetched(url, "not_modified", detail="304 Not Modified (conditional GET)", **common)
    if resp.status_code >= 400 or resp.status_code < 200:
        return Fetched(url, "http_error", detail=f"HTTP {resp.status_code} {resp.reason_phrase}", **common)
    declared = resp.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cfg.max_bytes:
        return Fetched(url, "too_large", detail=f"Content-Length {declared} is over the {cfg.max_bytes}-byte limit", **common)
    chunks, size = [], 0
    for chunk in resp.iter_bytes():
        size += len(chunk)
        if size > cfg.max_bytes:
            return Fetched(url, "too_large", detail=f"body passed the {cfg.max_bytes}-byte limit while streaming", **common)
        if time.monotonic() > deadline:
            raise _Deadline
        chunks.append(chunk)
    return Fetched(url, "ok", detail=f"HTTP {resp.status_code}", body=b"".join(chunks), **common)

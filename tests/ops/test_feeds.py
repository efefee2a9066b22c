"""Feeds over HTTP against a local fixture server: every guard of the fetcher, then two real
ingest runs whose ``fetch_log`` must say exactly what happened (issue 8, acceptance 2)."""
from __future__ import annotations

import pytest

from flows.fetch import FetchConfig, HostSlots, fetch_url, make_client
from feedserver import ATOM_LINKS, BAD_SCHEME_LINKS, RSS_ETAG, FeedServer
from warehouse import db

# Tiny limits: the whole file runs in seconds, nothing waits for a real 20 s timeout.
FAST_ENV = {
    "AKHBAR_FETCH_CONNECT_TIMEOUT": "0.5", "AKHBAR_FETCH_READ_TIMEOUT": "0.3",
    "AKHBAR_FETCH_TOTAL_TIMEOUT": "3", "AKHBAR_FETCH_RETRIES": "2", "AKHBAR_FETCH_BACKOFF": "0.05",
    "AKHBAR_FETCH_MAX_BYTES": "200000", "AKHBAR_FETCH_MAX_REDIRECTS": "3",
}
RSS_PAGES = ("/a/good1.html", "/a/cp1256-declared-utf8.html", "/a/cp1256-undeclared.html")
EXPECTED_ATOM = {
    "good2": ("ok", 200), "slow": ("timeout", None), "err500": ("http_error", 500),
    "err404": ("http_error", 404), "loop": ("too_many_redirects", None), "big": ("too_large", 200),
    "big_cl": ("too_large", 200), "to_file": ("bad_scheme", None),
}


@pytest.fixture
def fast_fetch(monkeypatch) -> FetchConfig:
    for k, v in FAST_ENV.items():
        monkeypatch.setenv(k, v)
    return FetchConfig.from_env()


def test_fetch_guards(fast_fetch: FetchConfig) -> None:
    """Each misbehaving URL gets its outcome; retries only where a retry can help."""
    cfg = fast_fetch
    with FeedServer(slow_seconds=1.5) as srv, make_client(cfg) as client:
        hosts = HostSlots(cfg.per_host)
        got = {k: fetch_url(client, srv.url(p), cfg, hosts) for k, p in ATOM_LINKS.items()}
        assert {k: (r.outcome, r.status) for k, r in got.items()} == EXPECTED_ATOM
        assert got["err500"].n_attempts == cfg.retries + 1 == srv.hits["/a/500.html"]
        assert got["slow"].n_attempts == cfg.retries + 1
        assert got["err404"].n_attempts == 1, "a 404 is not retried"
        assert got["loop"].n_attempts == 1 and srv.hits["/a/loop1.html"] + srv.hits["/a/loop2.html"] == cfg.max_redirects + 1
        assert got["big"].body is None and got["big_cl"].body is None
        assert "file://" in got["to_file"].detail
        for link in BAD_SCHEME_LINKS:
            assert fetch_url(client, link, cfg, hosts).outcome == "bad_scheme"
        cond = fetch_url(client, srv.url("/rss.xml"), cfg, hosts, (RSS_ETAG, None))
        assert (cond.outcome, cond.status, cond.body) == ("not_modified", 304, None)


def _fetch_log(out, run_id: str) -> dict[str, tuple]:
    with db.connect(out, read_only=True) as con:
        rows = con.execute("SELECT url, outcome, http_status, n_attempts, feed_url FROM fetch_log WHERE run_id = ?",
                           [run_id]).fetchall()
    return {r[0]: r[1:] for r in rows}


def _one_col(out, sql: str) -> list:
    with db.connect(out, read_only=True) as con:
        return [r[0] for r in con.execute(sql).fetchall()]


def test_feed_runs_fetch_log(prefect_server, fast_fetch, tmp_path) -> None:
    """Two ingest runs over an RSS and an Atom feed: right outcomes, nothing lost, 304 the second time."""
    from flows.ingest import ingest

    out = tmp_path / "wh"
    with FeedServer(slow_seconds=1.5) as srv:
        rss, atom = srv.url("/rss.xml"), srv.url("/atom.xml")
        s1 = ingest(inputs=[rss, atom], out=str(out))
        assert s1["status"] == "completed", s1
        log1 = _fetch_log(out, s1["run_id"])
        assert log1[rss][:2] == ("ok", 200) and log1[atom][:2] == ("ok", 200)
        for p in RSS_PAGES:
            assert log1[srv.url(p)] == ("ok", 200, 1, rss)
        for key, (outcome, status) in EXPECTED_ATOM.items():
            assert log1[srv.url(ATOM_LINKS[key])][:2] == (outcome, status), key
            assert log1[srv.url(ATOM_LINKS[key])][3] == atom
        assert log1[srv.url(ATOM_LINKS["err500"])][2] == 3, "500 retried with backoff, then failed"
        bad = {u: v for u, v in log1.items() if not u.startswith("http")}
        assert len(bad) == len(BAD_SCHEME_LINKS) and {v[0] for v in bad.values()} == {"bad_scheme"}

        good = {srv.url(p) for p in RSS_PAGES} | {srv.url(ATOM_LINKS["good2"])}
        docs = set(_one_col(out, "SELECT source_uri FROM documents"))
        assert docs == good
        # the cp1256 pages (one declared utf-8) decoded to Arabic, not mojibake
        texts = _one_col(out, "SELECT raw_text FROM documents WHERE source_uri LIKE '%cp1256%'")
        assert len(texts) == 2 and all("الصين" in t and "\ufffd" not in t for t in texts)
        # the feed entry's title/date/author win over what the page suggests
        with db.connect(out, read_only=True) as con:
            meta = con.execute("SELECT title, strftime(published_at, '%Y-%m-%d %H:%M'), byline, url FROM documents"
                               " WHERE source_uri = ?", [srv.url("/a/good1.html")]).fetchone()
        assert meta == ("باتروشيف: الغرب الجماعي يعمل ضد روسيا والصين", "2024-11-11 08:00", "مراسل موسكو",
                        srv.url("/a/good1.html"))
        # nothing lost: every link of both feeds is a document or a reject
        with db.connect(out, read_only=True) as con:
            rejected = dict(con.execute("SELECT source_uri, reason FROM rejects").fetchall())
        links = {u for u, v in log1.items() if v[3] is not None}
        assert links == docs | set(rejected), links ^ (docs | set(rejected))
        assert all(rejected[u] == log1[u][0] for u in rejected)

        hits_before = dict(srv.hits)
        s2 = ingest(inputs=[rss, atom], out=str(out))
        assert s2["status"] == "completed", s2
        log2 = _fetch_log(out, s2["run_id"])
        assert log2[rss][:2] == ("not_modified", 304), "conditional GET with the remembered ETag"
        assert srv.conditional["/rss.xml"] == 1
        for p in RSS_PAGES:  # behind a 304 nobody refetches the pages
            assert srv.url(p) not in log2 and srv.hits[p] == hits_before[p] == 1
        # the Atom run left retryable failures, so its validators are not trusted: full refetch
        assert log2[atom][:2] == ("ok", 200) and srv.conditional["/atom.xml"] == 0
        assert log2[srv.url(ATOM_LINKS["good2"])][0] == "skipped_known"
        assert srv.hits["/a/good2.html"] == 1
        assert log2[srv.url(ATOM_LINKS["slow"])][0] == "timeout"
        assert set(_one_col(out, "SELECT source_uri FROM documents")) == good
        assert _one_col(out, f"SELECT n_new FROM runs WHERE run_id = '{s2['run_id']}'") == [0]

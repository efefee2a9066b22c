"""A local HTTP server (127.0.0.1, ephemeral port, one thread per request) serving fixture feeds
and article pages, including the misbehaving kinds the fetcher must survive.

Pages are built from the seed articles (real Arabic text), wrapped in HTML.  ``hits`` counts
requests per path and ``conditional`` records which requests carried If-None-Match, so tests can
check retries and conditional GETs.
"""
from __future__ import annotations

import html
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
RSS_ETAG = '"rss-v1"'
RSS_MODIFIED = "Mon, 18 Nov 2024 10:00:00 GMT"


def seed_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def article_html(text: str, title: str, charset_meta: str | None = "utf-8") -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    paras = "".join(f"<p>{html.escape(line)}</p>" for line in text.splitlines() if line.strip())
    return (f"<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head>{meta}<title>{html.escape(title)}</title>"
            f"<script>var tracker = 1;</script><style>p {{ color: black; }}</style></head>"
            f"<body><nav><a href=\"/\">الرئيسية</a></nav><article><h1>{html.escape(title)}</h1>{paras}</article>"
            f"<footer>جميع الحقوق محفوظة</footer></body></html>")


def rss(base: str) -> str:
    items = [
        ("/a/good1.html", "باتروشيف: الغرب الجماعي يعمل ضد روسيا والصين", "Mon, 11 Nov 2024 08:00:00 GMT", "مراسل موسكو"),
        ("/a/cp1256-declared-utf8.html", "مقال بترميز ويندوز معلن خطأ", "Tue, 12 Nov 2024 08:00:00 GMT", None),
        ("/a/cp1256-undeclared.html", "مقال بترميز ويندوز غير معلن", "Wed, 13 Nov 2024 08:00:00 GMT", None),
    ]
    body = "".join(
        f"<item><title>{html.escape(t)}</title><link>{base}{p}</link><pubDate>{d}</pubDate>"
        + (f"<author>{html.escape(a)}</author>" if a else "") + "</item>"
        for p, t, d, a in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>أخبار تجريبية</title>'
            f"<link>{base}/</link><description>fixture</description>{body}</channel></rss>")


# Atom feed: one good article and every kind of bad link.
ATOM_LINKS = {
    "good2": "/a/good2.html",
    "slow": "/a/slow.html",
    "err500": "/a/500.html",
    "err404": "/a/404.html",
    "loop": "/a/loop1.html",
    "big": "/a/big.html",
    "big_cl": "/a/big-cl.html",
    "to_file": "/a/redirect-to-file.html",
}
BAD_SCHEME_LINKS = ("file:///etc/passwd", "javascript:alert(1)", "ftp://127.0.0.1/x.html")


def atom(base: str) -> str:
    links = [base + p for p in ATOM_LINKS.values()] + list(BAD_SCHEME_LINKS)
    entries = "".join(
        f"<entry><title>خبر {i}</title><link href=\"{html.escape(u)}\"/><id>urn:akhbar:{i}</id>"
        f"<updated>2024-11-1{i % 9}T09:00:00Z</updated><author><name>كاتب {i}</name></author></entry>"
        for i, u in enumerate(links))
    return ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>أتوم تجريبي</title><id>urn:akhbar:feed</id><updated>2024-11-18T09:00:00Z</updated>{entries}</feed>")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # clients that hang up early (timeouts, size limits) are the point of these tests


class FeedServer:
    def __init__(self, slow_seconds: float = 2.0, big_bytes: int = 400_000) -> None:
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.slow_seconds = slow_seconds
        self.big_bytes = big_bytes
        texts = seed_texts()
        self.texts = texts
        self.pages = {
            "/a/good1.html": article_html(texts[0], "باتروشيف").encode("utf-8"),
            "/a/good2.html": article_html(texts[3], "لافروف في بكين").encode("utf-8"),
            # cp1256 bytes, but header and <meta> both say utf-8: the decoder must notice
            "/a/cp1256-declared-utf8.html": article_html(texts[1], "ويندوز").encode("cp1256", errors="ignore"),
            "/a/cp1256-undeclared.html": article_html(texts[2], "ويندوز", charset_meta=None).encode("cp1256", errors="ignore"),
        }
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep pytest output clean
                pass

            def do_GET(self) -> None:  # noqa: N802
                try:
                    server.route(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout/too_large): expected

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.split("?", 1)[0]
        self.hits[path] += 1
        if h.headers.get("If-None-Match"):
            self.conditional[path] += 1
        if path == "/rss.xml":
            if h.headers.get("If-None-Match") == RSS_ETAG:
                return self.send(h, 304, b"")
            return self.send(h, 200, rss(self.base).encode("utf-8"), "application/rss+xml; charset=utf-8",
                             {"ETag": RSS_ETAG, "Last-Modified": RSS_MODIFIED})
        if path == "/atom.xml":
            return self.send(h, 200, atom(self.base).encode("utf-8"), "application/atom+xml; charset=utf-8",
                             {"ETag": '"atom-v1"'})
        if path in self.pages:
            ctype = "text/html" if "undeclared" in path else "text/html; charset=utf-8"
            return self.send(h, 200, self.pages[path], ctype)
        if path == "/a/slow.html":
            time.sleep(self.slow_seconds)
            return self.send(h, 200, b"<html><body><p>late</p></body></html>", "text/html")
        if path == "/a/500.html":
            return self.send(h, 500, b"boom", "text/plain")
        if path in ("/a/loop1.html", "/a/loop2.html"):
            nxt = "/a/loop2.html" if path.endswith("1.html") else "/a/loop1.html"
            return self.send(h, 302, b"", headers={"Location": nxt})
        if path == "/a/redirect-to-file.html":
            return self.send(h, 302, b"", headers={"Location": "file:///etc/passwd"})
        if path == "/a/big-cl.html":  # honest Content-Length over the limit
            return self.send(h, 200, b"<p>" + b"x" * self.big_bytes + b"</p>", "text/html")
        if path == "/a/big.html":  # chunked, no Content-Length: the limit must hold while streaming
            h.send_response(200)
            h.send_header("Content-Type", "text/html")
            h.send_header("Transfer-Encoding", "chunked")
            h.end_headers()
            chunk = b"<p>" + "نص طويل جدا ".encode() * 800 + b"</p>"
            for _ in range(self.big_bytes // len(chunk) + 2):
                h.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")
            return None
        return self.send(h, 404, b"not found", "text/plain")

    @staticmethod
    def send(h: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str | None = None,
             headers: dict[str, str] | None = None) -> None:
        h.send_response(status)
        if ctype:
            h.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)

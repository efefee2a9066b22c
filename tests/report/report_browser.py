"""Open a report in headless Chromium (Debian's ``chromium``, driven by Playwright) and say what
happened: charts rendered, console errors, network requests, render time; optionally a screenshot.

Shared by ``tests/report`` and ``bench/report_bench.py``.
"""
from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
import time
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def chromium_path() -> str | None:
    """Path of the Chromium executable, or ``None`` when it is not installed."""
    for p in CHROMIUM_CANDIDATES:
        if Path(p).exists():
            return p
    return shutil.which("chromium")


@contextlib.contextmanager
def browser(width: int = 1280) -> Iterator[Callable[..., dict[str, Any]]]:
    """One headless Chromium (fresh profile) for several pages; yields ``render(html_path, ...)``.

    Every request of every page goes through a route: file:/data:/blob:/about: pass, anything else
    is recorded and aborted, so "no request was made" is observed, not assumed.
    """
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("chromium is not installed (apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="akhbar-chromium-") as profile, sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            profile, executable_path=exe, headless=True, args=ARGS,
            viewport={"width": width, "height": 900}, locale="ar", offline=True,
        )
        current: dict[str, Any] = {}

        def route(r):  # local URLs pass; anything else is recorded and fails
            if r.request.url.startswith(LOCAL_SCHEMES):
                r.continue_()
            else:
                current.setdefault("requests", []).append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        try:
            yield lambda html_path, **kw: _render(ctx, current, html_path, **kw)
        finally:
            ctx.close()


def render(html_path: str | Path, screenshot: str | Path | None = None, timeout_s: float = 60.0,
           width: int = 1280) -> dict[str, Any]:
    """Open ``html_path`` in a fresh Chromium; see :func:`_render` for what is returned."""
    with browser(width) as page_render:
        return page_render(html_path, screenshot=screenshot, timeout_s=timeout_s)


def _render(ctx, current: dict[str, Any], html_path: str | Path, screenshot: str | Path | None = None,
            timeout_s: float = 60.0) -> dict[str, Any]:
    """Load ``html_path`` in a new page and wait for every chart; returns a dict of observations.

    Keys: ``charts`` (id -> {"svg", "canvas", "marks": counts, "state": data-rendered}),
    ``empty_sections``, ``console_errors``, ``page_errors``, ``requests`` (every non-local URL, each
    aborted), ``ready`` (bool), ``load_s`` / ``render_s`` (wall-clock seconds from navigation to the
    load event / to every chart drawn), ``in_page_ms`` (performance.now() then), ``dir``, ``lang``.
    """
    url = Path(html_path).resolve().as_uri()
    obs: dict[str, Any] = {"console_errors": [], "page_errors": [], "requests": []}
    current.clear()
    current["requests"] = obs["requests"]
    page = ctx.new_page()
    try:
        page.on("request", lambda req: None if req.url.startswith(LOCAL_SCHEMES)
                else obs["requests"].append(req.url))
        page.on("console", lambda m: obs["console_errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: obs["page_errors"].append(str(e)))
        t0 = time.perf_counter()
        page.goto(url, wait_until="load", timeout=timeout_s * 1000)
        obs["load_s"] = time.perf_counter() - t0
        try:
            page.wait_for_selector("body[data-report=ready]", state="attached", timeout=timeout_s * 1000)
            obs["ready"] = True
        except Exception:  # noqa: BLE001 - reported through obs["ready"]
            obs["ready"] = False
        obs["render_s"] = time.perf_counter() - t0
        obs["in_page_ms"] = page.evaluate("performance.now()")
        obs["charts"] = page.evaluate("""() => Object.fromEntries(
            [...document.querySelectorAll('[data-chart]')].map(el => [el.id, {
                svg: el.querySelectorAll('svg').length, canvas: el.querySelectorAll('canvas').length,
                marks: el.querySelectorAll('svg .mark-rect path, svg .mark-symbol path, svg .mark-line path,'
                                           + ' svg .mark-rule line, svg .mark-shape path').length,
                state: el.getAttribute('data-rendered')}]))""")
        obs["empty_sections"] = page.evaluate(
            "() => [...document.querySelectorAll('.empty')].map(el => el.id)")
        obs["dir"] = page.evaluate("document.documentElement.getAttribute('dir')")
        obs["lang"] = page.evaluate("document.documentElement.getAttribute('lang')")
        obs["requests"][:] = list(dict.fromkeys(obs["requests"]))  # seen by both route and listener
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=True)
    finally:
        page.close()
    return obs

"""`akhbar report` opened in headless Chromium: every chart drawn, no console error, no request.

The browser is Debian's ``chromium`` driven by Playwright (no Playwright browser download); every
request goes through a route that lets only file:/data:/blob:/about: URLs through and records (and
aborts) anything else, so "no request" is checked, not assumed.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app

runner = CliRunner()
# One Chromium serves this module (``render_page``); it is closed at the module's end because
# Playwright's sync API keeps an event loop running, which the Prefect flows of other tests need free.
ALL_CHARTS = {"chart-articles", "chart-people", "chart-places-top", "chart-orgs",
              "chart-timeline", "chart-tone", "chart-network", "chart-map"}


def _report(out: Path, html: Path, *extra: str) -> Path:
    res = runner.invoke(app, ["report", "--out", str(out), "--html", str(html), *extra])
    assert res.exit_code == 0, res.output
    assert html.exists() and html.stat().st_size > 0
    return html


def _assert_clean(obs: dict) -> None:
    assert obs["ready"], "the page never finished rendering its charts"
    assert obs["console_errors"] == [], obs["console_errors"]
    assert obs["page_errors"] == [], obs["page_errors"]
    assert obs["requests"] == [], f"the report asked the network for {obs['requests']}"
    assert (obs["dir"], obs["lang"]) == ("rtl", "ar")
    for cid, c in obs["charts"].items():
        assert c["state"] == "true", f"{cid} failed: {c}"
        assert c["svg"] + c["canvas"] >= 1 and c["marks"] > 0, f"{cid} drew nothing: {c}"


def test_synthetic_report_renders_every_chart(render_page, synthetic_warehouse: Path, tmp_path: Path) -> None:
    html = _report(synthetic_warehouse, tmp_path / "report.html")
    shot = tmp_path / "report.png"
    obs = render_page(html, screenshot=shot)
    _assert_clean(obs)
    assert set(obs["charts"]) == ALL_CHARTS
    assert obs["empty_sections"] == []
    assert shot.stat().st_size > 50_000  # a real full-page picture, not a blank one
    if os.environ.get("AKHBAR_SCREENSHOT_DIR"):  # keep a copy to look at (tmp_path is cleaned up)
        keep = Path(os.environ["AKHBAR_SCREENSHOT_DIR"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, keep / "report_synthetic.png")
    assert obs["render_s"] < 30  # sanity bound on a busy machine; bench/report_bench.py checks < 10 s at 72k


def test_empty_warehouse_renders_messages(render_page, empty_warehouse: Path, tmp_path: Path) -> None:
    html = _report(empty_warehouse, tmp_path / "empty.html")
    obs = render_page(html)
    _assert_clean(obs)
    assert obs["charts"] == {}
    assert {f"{c}-empty" for c in ALL_CHARTS} | {"quotes-empty", "stories-empty"} == set(obs["empty_sections"])


def test_hostile_text_is_escaped(render_page, synthetic_warehouse: Path, tmp_path: Path) -> None:
    """A title or quote carrying markup or a javascript: URL stays text; the page still renders."""
    wh = tmp_path / "wh"
    shutil.copytree(synthetic_warehouse, wh)
    evil = '</script><script>console.error("pwned")</script><img src="http://example.invalid/x.png">'
    con = duckdb.connect(str(wh / "akhbar.duckdb"))
    con.execute("UPDATE documents SET title = ? || title, url = 'javascript:alert(1)'", [evil])
    con.execute("UPDATE quotes SET text = ?", [evil])
    con.execute("UPDATE entities SET canonical_name = ? WHERE label = 'PERS'", ['<b>"x"</b> & </script>'])
    con.close()
    html = _report(wh, tmp_path / "evil.html")
    page = html.read_text("utf-8")
    assert "javascript:alert" not in page
    assert '<img src="http://example.invalid' not in page
    _assert_clean(render_page(html))


def test_request_check_is_not_vacuous(render_page, tmp_path: Path) -> None:
    """Negative control: a page that does ask for a remote file is caught (and the request aborted)."""
    page = tmp_path / "leaky.html"
    page.write_text('<html><body data-report="ready"><img src="http://example.invalid/x.png">'
                    '<script>console.error("boom")</script></body></html>', "utf-8")
    obs = render_page(page, timeout_s=10)
    assert obs["requests"] == ["http://example.invalid/x.png"]
    assert obs["console_errors"]

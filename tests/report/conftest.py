"""Fixtures for the report tests: a synthetic warehouse (real Arabic names, places, quotes, stories;
independent of the tagger), an empty one, and a guard that skips browser tests without Chromium."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # report_synthetic.py / report_browser.py, shared with bench/

from report_browser import browser, chromium_path  # noqa: E402
from report_synthetic import make_warehouse  # noqa: E402


@pytest.fixture(scope="session")
def synthetic_warehouse(tmp_path_factory) -> Path:
    """``DIR`` of a 300-document synthetic warehouse (do not modify it)."""
    return make_warehouse(tmp_path_factory.mktemp("report_wh") / "wh", n_docs=300)


@pytest.fixture
def empty_warehouse(tmp_path) -> Path:
    from warehouse.db import connect

    out = tmp_path / "empty_wh"
    connect(out).close()
    return out


@pytest.fixture
def chromium() -> str:
    exe = chromium_path()
    if exe is None:
        pytest.skip("chromium is not installed: `apt-get install -y chromium` (.ci/run does this) "
                    "to run the report's browser tests")
    return exe


@pytest.fixture(scope="module")
def _browser_session():
    if chromium_path() is None:
        yield None
        return
    with browser() as render_page:
        yield render_page


@pytest.fixture
def render_page(chromium, _browser_session):
    """``render_page(html_path, screenshot=None)`` -> observations, in one shared headless Chromium."""
    return _browser_session

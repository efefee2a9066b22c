"""`akhbar report` on the warehouse the real flow builds from seeds/, opened in headless Chromium.

Kept apart from ``test_report_browser.py``: the seeds warehouse is built by a Prefect flow, which
cannot run while that module's shared Playwright session holds the event loop, so this test opens
its own browser after the warehouse exists.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from report_browser import render
from test_report_browser import ALL_CHARTS, _assert_clean, _report


def test_seeds_report_renders(chromium, seeds_warehouse: Path, tmp_path: Path) -> None:
    """The real flow's warehouse: whatever it holds, charts that exist render and the rest say why."""
    html = _report(seeds_warehouse, tmp_path / "seeds.html")
    obs = render(html, screenshot=tmp_path / "seeds.png")
    if os.environ.get("AKHBAR_SCREENSHOT_DIR"):  # keep a copy to look at (tmp_path is cleaned up)
        keep = Path(os.environ["AKHBAR_SCREENSHOT_DIR"])
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "seeds.png", keep / "report_seeds.png")
    _assert_clean(obs)
    assert "chart-articles" in obs["charts"]  # five dated seed articles at least
    assert set(obs["charts"]) | {e.removesuffix("-empty") for e in obs["empty_sections"]} >= ALL_CHARTS



"""``akhbar report``: one self-contained Arabic (RTL) HTML file summarizing the warehouse.

``build_report(out_dir, html_path, since=None, until=None)`` opens the warehouse read-only, computes
small aggregates (``data``), turns them into Vega-Lite specs (``charts``) and writes one HTML page with
every script, style and datum inlined (``html``): it makes no network request when opened.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from warehouse.db import WarehouseError, connect
from warehouse.report import charts, data, html

__all__ = ["build_report"]


def build_report(out_dir: str | os.PathLike, html_path: str | os.PathLike,
                 since: str | date | None = None, until: str | date | None = None) -> Path:
    """Write the report for the warehouse in ``out_dir`` to ``html_path``; returns the path."""
    try:
        window = data.Window.parse(since, until)
    except ValueError as exc:
        raise WarehouseError(f"bad --since/--until date ({exc}); use YYYY-MM-DD") from None
    if window.since and window.until and window.since > window.until:
        raise WarehouseError(f"--since {window.since} is after --until {window.until}")
    con = connect(out_dir, read_only=True)
    try:
        con.execute("SET enable_progress_bar = false")  # the CLI prints one line, not DuckDB's bar
        aggregates = data.collect(con, window)
    finally:
        con.close()
    specs = charts.all_charts(aggregates)
    page = html.render(aggregates, specs, window)
    path = Path(html_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees a half-written report
    return path

"""The report without a browser: aggregates, date window, self-containment, errors, layout."""
from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from flows.cli import app
from warehouse.db import WarehouseError, connect
from warehouse.report import build_report, data
from warehouse.report.layout import spring_layout

runner = CliRunner()


@pytest.fixture(scope="module")
def report_html(synthetic_warehouse: Path, tmp_path_factory) -> str:
    return build_report(synthetic_warehouse, tmp_path_factory.mktemp("r") / "r.html").read_text("utf-8")


def test_page_is_self_contained(report_html: str) -> None:
    head = report_html[:400]
    assert '<html dir="rtl" lang="ar">' in head and '<meta charset="utf-8">' in head
    # Nothing that makes a browser fetch: no src=/srcset=, no <link>, no CSS url()/@import
    # (looked for in the markup; the inlined libraries' own string literals are not markup).
    assert all("src=" not in tag for tag in re.findall(r"<script\b[^>]*>", report_html))
    markup = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", report_html, flags=re.S)
    assert not re.search(r"<(img|iframe|link|source|video|audio|embed|object|base)\b", markup, re.IGNORECASE)
    assert not re.search(r"\b(src|srcset|data|poster|background)=", markup, re.IGNORECASE)
    assert "@import" not in report_html and not re.search(r"url\(\s*['\"]?(https?:)?//", report_html)
    assert "sourceMappingURL" not in report_html
    assert '"Noto Naskh Arabic", "Amiri"' in report_html and "Tahoma, sans-serif" in report_html
    specs = json.loads(re.search(r'<script id="report-specs" type="application/json">(.*?)</script>',
                                 report_html, re.S).group(1))
    assert len(specs) == 8
    for spec in specs.values():  # data inline: no "url" data source anywhere in a spec
        assert '"url"' not in json.dumps(spec)
    assert "سيرغي لافروف" in report_html and "<blockquote>" in report_html


def test_aggregates_match_sql_and_stay_small(synthetic_warehouse: Path) -> None:
    con = connect(synthetic_warehouse, read_only=True)
    try:
        agg = data.collect(con, data.Window())
        top = agg["people"][0]
        direct = con.execute("SELECT count(*) FROM mentions WHERE entity_id = ?", [top["entity_id"]]).fetchone()[0]
        n_docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()
    assert top["n_mentions"] == direct
    assert agg["summary"]["n_articles"] == n_docs == 300
    assert agg["summary"]["n_sources"] == 9
    assert len(agg["people"]) == len(agg["orgs"]) == len(agg["places_top"]) == data.TOP_PER_LABEL
    assert len(agg["network"]["nodes"]) == data.TOP_NETWORK
    assert 0 < len(agg["network"]["edges"]) <= data.MAX_EDGES
    assert len(agg["quotes"]) == data.N_QUOTES
    assert all(q["speaker"] and q["text"] for q in agg["quotes"])
    dates = [q["published_at"] for q in agg["quotes"]]
    assert dates == sorted(dates, reverse=True)  # most recent first
    assert 0 < len(agg["stories"]) <= data.N_STORIES
    assert all(s["n_articles"] >= 2 and s["articles"] for s in agg["stories"])
    assert {p["name"] for p in agg["places"]} >= {"موسكو", "بكين"}
    assert len({r["name"] for r in agg["timeline"]}) == data.TOP_TIMELINE


def test_window_filters_every_section(synthetic_warehouse: Path) -> None:
    con = connect(synthetic_warehouse, read_only=True)
    try:
        w = data.Window.parse("2024-04-25", "2024-04-26")
        agg = data.collect(con, w)
        expected = con.execute("SELECT count(*) FROM documents WHERE CAST(published_at AS DATE) "
                               "BETWEEN DATE '2024-04-25' AND DATE '2024-04-26'").fetchone()[0]
    finally:
        con.close()
    assert 0 < agg["summary"]["n_articles"] == expected < 300
    assert agg["summary"]["first_day"] >= "2024-04-25" and agg["summary"]["last_day"] <= "2024-04-26"
    assert all("2024-04-25" <= r["period"] <= "2024-04-26" for r in agg["timeline"] + agg["articles"])
    assert all("2024-04-25" <= q["published_at"][:10] <= "2024-04-26" for q in agg["quotes"])


def test_cli_window_and_errors(synthetic_warehouse: Path, tmp_path: Path) -> None:
    html = tmp_path / "w.html"
    res = runner.invoke(app, ["report", "--out", str(synthetic_warehouse), "--html", str(html),
                              "--since", "2024-04-25", "--until", "2024-04-26"])
    assert res.exit_code == 0, res.output
    assert "<title>تقرير الأخبار — من 2024-04-25 إلى 2024-04-26</title>" in html.read_text("utf-8")
    res = runner.invoke(app, ["report", "--out", str(tmp_path / "nothing"), "--html", str(html)])
    assert res.exit_code == 2 and "no warehouse" in res.output
    res = runner.invoke(app, ["report", "--out", str(synthetic_warehouse), "--html", str(html), "--since", "April"])
    assert res.exit_code == 2 and "YYYY-MM-DD" in res.output
    with pytest.raises(WarehouseError, match="after"):
        build_report(synthetic_warehouse, html, since="2024-05-01", until="2024-04-01")


def test_report_does_not_write_to_the_warehouse(synthetic_warehouse: Path, tmp_path: Path) -> None:
    db = synthetic_warehouse / "akhbar.duckdb"
    before = db.stat().st_mtime_ns
    build_report(synthetic_warehouse, tmp_path / "x.html")
    assert db.stat().st_mtime_ns == before
    con = duckdb.connect(str(db), read_only=True)  # and leaves no lock behind
    con.close()


def test_spring_layout_is_deterministic_and_spread() -> None:
    edges = [(0, i, 10 - i) for i in range(1, 10)] + [(3, 4, 5), (7, 8, 2)]
    a, b = spring_layout(12, edges), spring_layout(12, edges)
    assert np.array_equal(a, b)
    assert a.shape == (12, 2) and np.abs(a).max() <= 1.0 + 1e-9
    d = np.linalg.norm(a[:, None] - a[None, :], axis=-1) + np.eye(12) * 9
    assert d.min() > 0.1  # nobody sits on top of anybody
    assert spring_layout(0, []).shape == (0, 2) and spring_layout(1, []).shape == (1, 2)


@pytest.mark.parametrize("n,expected", [
    (1, "مقالة واحدة"),   # singular: the number word replaces the digit
    (2, "مقالتان"),       # dual
    (3, "3 مقالات"),      # 3-10: plural
    (11, "11 مقالة"),     # 11-99: singular
    (103, "103 مقالات"),  # the last two digits decide
])
def test_counted_nouns_agree_in_arabic(n: int, expected: str) -> None:
    from warehouse.report.html import _count

    assert _count(n, "article") == expected

"""Every table and column is described, docs/schema.md is current, and DuckDB carries the
descriptions as COMMENT ON (as sqlite-utils tests its docs)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from warehouse import db
from warehouse.ddl import schema_page
from warehouse.schema import TABLES, VIEWS

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DOC = REPO / "docs" / "schema.md"
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_and_column_has_a_description(table) -> None:
    assert len(table.description) > 20, table.name
    for col in table.columns:
        assert len(col.description) > 10, f"{table.name}.{col.name} lacks a description"


def test_names_follow_conventions() -> None:
    for t in TABLES:
        assert SNAKE.match(t.name), t.name
        for c in t.columns:
            assert SNAKE.match(c.name), f"{t.name}.{c.name}"
            if c.type == "TIMESTAMP":
                assert c.name.endswith("_at"), f"{t.name}.{c.name}: timestamps are *_at"
            if c.type == "BOOLEAN":
                assert c.name.startswith("is_"), f"{t.name}.{c.name}: booleans are is_*"
    for v in VIEWS:
        assert v.name.startswith("v_") and len(v.description) > 20


def test_schema_doc_is_current() -> None:
    assert SCHEMA_DOC.read_text(encoding="utf-8") == schema_page(), (
        "docs/schema.md is stale: run `.venv/bin/akhbar schema > docs/schema.md`"
    )


def test_akhbar_schema_regenerates_the_doc() -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    res = CliRunner().invoke(app, ["schema"])
    assert res.exit_code == 0 and res.output == schema_page()


def test_schema_doc_lists_every_table_and_view() -> None:
    text = SCHEMA_DOC.read_text(encoding="utf-8")
    for t in TABLES:
        assert f"### `{t.name}` ({t.layer})" in text, t.name
    for v in VIEWS:
        assert f"| `{v.name}` |" in text, v.name


def test_readme_links_the_schema_doc() -> None:
    assert "(docs/schema.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_duckdb_has_comments_for_everything(tmp_path) -> None:
    con = db.connect(tmp_path)
    for t in TABLES:
        comment = con.execute("SELECT comment FROM duckdb_tables() WHERE table_name = ?", [t.name]).fetchone()[0]
        assert comment == t.description
        cols = dict(con.execute("SELECT column_name, comment FROM duckdb_columns() WHERE table_name = ?", [t.name]).fetchall())
        assert cols == {c.name: c.description for c in t.columns}
    views = {r[0]: r[1] for r in con.execute("SELECT view_name, comment FROM duckdb_views() WHERE NOT internal").fetchall()}
    assert views == {v.name: v.description for v in VIEWS}

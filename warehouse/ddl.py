"""Generated artifacts of the schema declaration: DDL, ``COMMENT ON`` and the data dictionary page
(``docs/schema.md``)."""
from __future__ import annotations

from warehouse.schema import TABLES, VIEWS, Table


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def create_table_sql(table: Table) -> str:
    cols = [
        f"{quote_ident(c.name)} {c.type}{'' if c.nullable else ' NOT NULL'}" for c in table.columns
    ]
    if table.primary_key and table.enforce_key:
        cols.append(f"PRIMARY KEY ({', '.join(quote_ident(k) for k in table.primary_key)})")
    return f"CREATE TABLE IF NOT EXISTS {quote_ident(table.name)} (\n  " + ",\n  ".join(cols) + "\n)"


def comment_sql(table: Table) -> list[str]:
    out = [f"COMMENT ON TABLE {quote_ident(table.name)} IS {_sql_str(table.description)}"]
    out += [
        f"COMMENT ON COLUMN {quote_ident(table.name)}.{quote_ident(c.name)} IS {_sql_str(c.description)}"
        for c in table.columns
    ]
    return out


def view_sql() -> list[str]:
    out = []
    for v in VIEWS:
        out.append(f"CREATE OR REPLACE VIEW {quote_ident(v.name)} AS {v.sql}")
        out.append(f"COMMENT ON VIEW {quote_ident(v.name)} IS {_sql_str(v.description)}")
    return out


def data_dictionary_markdown() -> str:
    """The tables and views of the data dictionary, generated from ``warehouse.schema``."""
    lines = []
    for t in TABLES:
        key = f" Key: `{', '.join(t.primary_key)}`." if t.primary_key else ""
        lines += [f"### `{t.name}` ({t.layer})", "", t.description + key, "",
                  "| column | type | description |", "|---|---|---|"]
        for c in t.columns:
            null = "" if c.nullable else " NOT NULL"
            lines.append(f"| `{c.name}` | {c.type}{null} | {c.description} |")
        lines.append("")
    lines += ["### Views (BI)", "", "| view | description |", "|---|---|"]
    lines += [f"| `{v.name}` | {v.description} |" for v in VIEWS]
    lines.append("")
    return "\n".join(lines)


SCHEMA_DOC = "docs/schema.md"

_INTRO = """\
# Data dictionary

<!-- generated from warehouse/schema.py by `akhbar schema > docs/schema.md`; do not edit by hand -->

Every table and view of the warehouse (`data/akhbar.duckdb`, mirrored as Parquet under
`data/parquet/<table>/`), with its key and a description of each column. DuckDB carries the same
descriptions as `COMMENT ON`, so a BI tool or `duckdb_columns()` shows them too.

Layers: **staged** tables hold each input record as parsed and what later runs reuse; **mart**
tables are what you query; **ops** tables record runs, rejected inputs and HTTP fetches; the
**views** join marts for BI tools. Names are ASCII snake_case: `<entity>_id` keys (derived from
content, never a sequence), `*_at` timestamps in UTC, `is_*` booleans; Arabic appears only in
values. Offsets (`start_char`, `end_char`) count code points of `documents.clean_text`.

"""


def schema_page() -> str:
    """The whole of ``docs/schema.md``: what ``akhbar schema`` prints."""
    return _INTRO + data_dictionary_markdown()


def update_schema_doc(path: str = SCHEMA_DOC) -> bool:
    """Rewrite the data dictionary page; returns True when it changed."""
    try:
        with open(path, encoding="utf-8") as fh:
            before = fh.read()
    except FileNotFoundError:
        before = None
    after = schema_page()
    if after != before:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(after)
    return after != before


if __name__ == "__main__":  # python -m warehouse.ddl  → refresh docs/schema.md
    print(f"{SCHEMA_DOC} updated" if update_schema_doc() else f"{SCHEMA_DOC} already current")

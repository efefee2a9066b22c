"""Generated artifacts of the schema declaration: DDL, ``COMMENT ON`` and the README data dictionary."""
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
    """The README data dictionary, generated from ``warehouse.schema`` (``akhbar schema`` prints it)."""
    lines = ["<!-- generated from warehouse/schema.py by `akhbar schema`; do not edit by hand -->", ""]
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


DICT_BEGIN = "<!-- data-dictionary:begin -->"
DICT_END = "<!-- data-dictionary:end -->"


def render_readme(readme: str) -> str:
    """README text with the data dictionary section replaced by the generated one."""
    head, _, rest = readme.partition(DICT_BEGIN)
    _, _, tail = rest.partition(DICT_END)
    return f"{head}{DICT_BEGIN}\n{data_dictionary_markdown()}{DICT_END}{tail}"


def update_readme(path: str = "README.md") -> bool:
    """Rewrite the data dictionary section of the README in place; returns True when it changed."""
    with open(path, encoding="utf-8") as fh:
        before = fh.read()
    after = render_readme(before)
    if after != before:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(after)
    return after != before


if __name__ == "__main__":  # python -m warehouse.ddl  → refresh README.md's data dictionary
    print("README.md updated" if update_readme() else "README.md already current")

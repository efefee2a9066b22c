"""Every command and SQL example of README.md and docs/ runs: the journalist questions answer sensibly
against the seeds warehouse, every `akhbar query` line and ```sql block runs there, and every
`akhbar` command and option the README's command-line block names exists."""
from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import typer

from flows.cli import app
from warehouse.query import run_query

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
DOC_PAGES = sorted((REPO / "docs").glob("*.md"))
USER_DOCS = [README, *DOC_PAGES, REPO / "CONTRIBUTING.md"]


def readme_queries() -> dict[str, str]:
    blocks = re.findall(r"```sql\n(-- (q\d+):.*?)```", README.read_text(encoding="utf-8"), flags=re.S)
    return {name: sql for sql, name in blocks}


def test_readme_has_five_questions() -> None:
    assert sorted(readme_queries()) == ["q1", "q2", "q3", "q4", "q5"]


@pytest.fixture(scope="module")
def answers(seeds_warehouse: Path) -> dict[str, tuple[list[str], list[tuple]]]:
    qs = readme_queries()
    return {k: run_query(seeds_warehouse, sql, ["%لافروف%"] if "?" in sql else None) for k, sql in qs.items()}


def test_q1_top_people(answers) -> None:
    names = [r[0] for r in answers["q1"][1]]
    assert any("لافروف" in n for n in names) and any(n.endswith(" يي") for n in names), names


def test_q2_who_meets_whom(answers) -> None:
    pairs = {frozenset((r[0], r[1])) for r in answers["q2"][1]}
    assert any(any("لافروف" in n for n in p) and any("يي" in n for n in p) for p in pairs), pairs


def test_q3_quotes_by_lavrov(answers) -> None:
    rows = answers["q3"][1]
    assert len(rows) >= 3 and all("لافروف" in r[0] for r in rows)


def test_q4_places_on_a_map(answers) -> None:
    places = {r[0]: r for r in answers["q4"][1]}
    assert any("موسكو" in name for name in places), list(places)
    assert all(-90 <= r[3] <= 90 and -180 <= r[4] <= 180 for r in places.values())


def test_q5_stories(answers) -> None:
    rows = answers["q5"][1]
    assert rows and rows[0][2] == 2  # seeds 003 and 004: one story, two articles


# ------------------------------------------------------------------ every other example
def query_commands(path: Path) -> list[tuple[str, list[str], str]]:
    """``(sql, params, line)`` of each ``akhbar query "…"`` line of a page (in code blocks or inline)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        for m in re.finditer(r"akhbar query (\"[^\"]+\"[^`#\n]*)", line):
            args = shlex.split(m.group(1))
            sql, params, i = args[0], [], 1
            while i < len(args):
                if args[i] in ("-p", "--param") and i + 1 < len(args):
                    params.append(args[i + 1])
                    i += 2
                else:
                    i += 1
            if re.match(r"(?i)\s*(select|with)\b", sql):  # not the synopsis "SQL" or a placeholder
                out.append((sql, params, line.strip()))
    return out


def sql_blocks(path: Path) -> list[str]:
    return re.findall(r"```sql\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)


def n_params(sql: str) -> int:
    return re.sub(r"--[^\n]*", "", sql).count("?")


def test_readme_first_queries_are_found() -> None:
    sqls = [sql for sql, _, _ in query_commands(README)]
    assert "select count(*) from documents" in sqls and len(sqls) >= 4, sqls


@pytest.mark.parametrize("page", USER_DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_query_line_runs(page: Path, seeds_warehouse: Path) -> None:
    for sql, params, line in query_commands(page):
        if n_params(sql) != len(params):
            params = ["%لافروف%"] * n_params(sql)
        columns, _ = run_query(seeds_warehouse, sql, params or None)
        assert columns, line
    if page == README:
        assert run_query(seeds_warehouse, "select count(*) from documents")[1] == [(5,)]  # "→ 5"


@pytest.mark.parametrize("page", DOC_PAGES, ids=lambda p: p.name)
def test_every_sql_block_of_docs_runs(page: Path, seeds_warehouse: Path) -> None:
    for sql in sql_blocks(page):
        params = ["%لافروف%"] * n_params(sql)
        columns, _ = run_query(seeds_warehouse, sql, params or None)
        assert columns, sql


def command_line_block() -> list[str]:
    text = README.read_text(encoding="utf-8")
    block = text.split("## Command line", 1)[1].split("```", 2)[1]
    return [line for line in block.splitlines() if line.startswith("akhbar ")]


def test_readme_command_line_names_real_commands_and_options() -> None:
    group = typer.main.get_command(app)
    top = {o for p in group.params for o in (*p.opts, *p.secondary_opts)}
    lines = command_line_block()
    assert len(lines) >= 8, lines
    for line in lines:
        words = line.split("#", 1)[0].replace("[", " ").replace("]", " ").replace("|", " ").split()
        sub = words[1]
        if sub.startswith("--"):
            assert sub in top, line
            continue
        assert sub in group.commands, f"README names `akhbar {sub}`, which does not exist: {line}"
        cmd = group.commands[sub]
        known = {o for p in cmd.params for o in (*p.opts, *p.secondary_opts)}
        for w in words[2:]:
            opt = w.split("=", 1)[0]
            if opt.startswith("-"):
                assert opt in known, f"`akhbar {sub}` has no option {opt}: {line}"


# ------------------------------------------------------------------ links
def test_readme_links_every_docs_page() -> None:
    text = README.read_text(encoding="utf-8")
    missing = [p.name for p in DOC_PAGES if f"(docs/{p.name})" not in text]
    assert not missing, f"README.md does not link {missing}"


@pytest.mark.parametrize("page", USER_DOCS, ids=lambda p: str(p.relative_to(REPO)))
def test_relative_links_point_at_files(page: Path) -> None:
    targets = re.findall(r"\]\(([^)\s]+)\)", page.read_text(encoding="utf-8"))
    local = [t.split("#", 1)[0] for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]
    broken = [t for t in local if t and not (page.parent / t).exists()]
    assert not broken, f"{page.name}: broken links {broken}"

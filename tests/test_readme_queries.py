"""The journalist questions in README.md run against the seeds warehouse and answer sensibly."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from warehouse.query import run_query

README = Path(__file__).resolve().parents[1] / "README.md"


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

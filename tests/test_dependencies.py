"""Dependencies point one way: transforms → (polars, camel_tools, stdlib); warehouse owns DuckDB;
flows wires the two."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def imported_modules(package: str) -> dict[str, set[str]]:
    out = {}
    for path in sorted((REPO / package).rglob("*.py")):
        mods: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                mods |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                mods.add(node.module.split(".")[0])
        out[str(path.relative_to(REPO))] = mods
    return out


@pytest.mark.parametrize("package,forbidden", [
    ("transforms", {"duckdb", "prefect", "prefect_dask", "flows", "warehouse", "dask", "distributed"}),
    ("warehouse", {"prefect", "flows", "transforms"}),
])
def test_dependency_direction(package: str, forbidden: set[str]) -> None:
    bad = {f: sorted(m & forbidden) for f, m in imported_modules(package).items() if m & forbidden}
    assert not bad, f"{package}/ must not import {sorted(forbidden)}: {bad}"


def test_only_warehouse_connects_to_duckdb() -> None:
    offenders = [
        str(p.relative_to(REPO)) for pkg in ("flows", "transforms") for p in (REPO / pkg).rglob("*.py")
        if "duckdb.connect" in p.read_text(encoding="utf-8")
    ]
    assert not offenders, f"only warehouse/ may call duckdb.connect: {offenders}"

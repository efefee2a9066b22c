"""Shared helpers for the cleaning tests (decode, records, normalize, boilerplate, clean, segment)."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT / ".." / "shared"
CORPORA = SHARED / "corpora"
SEEDS = ROOT / "seeds"
GOLDEN = ROOT / "tests" / "golden"
INPUT_SCHEMA = {"source_uri": pl.Utf8, "payload": pl.Binary, "n_bytes": pl.Int64, "ext": pl.Utf8}


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long-running (reads the shared corpora); deselect with -m 'not slow'")


def make_inputs(items: list[tuple[str, bytes, str]]) -> pl.DataFrame:
    """``[(source_uri, payload, ext)]`` → the ``inputs`` frame of ``records``."""
    return pl.DataFrame([{"source_uri": u, "payload": b, "n_bytes": len(b), "ext": e} for u, b, e in items],
                        schema=INPUT_SCHEMA)


def needs_corpora():
    if not (CORPORA / "ant_multisource.parquet").exists():
        pytest.skip(f"shared corpora not found at {CORPORA} (a fresh clone has no ../shared)")


@pytest.fixture(scope="session")
def seed_docs() -> pl.DataFrame:
    """The five seeds as ``docs_raw`` with ``doc_id`` = file stem."""
    from transforms.records import records

    files = sorted(SEEDS.glob("*.txt"))
    docs, rejects = records(make_inputs([(f"seeds/{f.name}", f.read_bytes(), ".txt") for f in files]))
    assert rejects.height == 0
    return docs.with_columns(pl.col("source_uri").str.extract(r"([^/]+)\.txt$").alias("doc_id"))


@pytest.fixture(scope="session")
def seed_clean(seed_docs):
    from transforms.clean import clean_documents

    return clean_documents(seed_docs)

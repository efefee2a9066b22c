"""Shared fixtures: one real Prefect test server per session and one seeds warehouse built by the
real flow (reused read-only by the tests that only inspect it)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

# Prefect configures its log handlers on the streams of the moment `prefect.main` is first imported
# (lazily, e.g. by `from prefect import flow`). When that happened inside a Typer CliRunner call
# (tests/test_cli.py run on its own), the handlers kept the runner's captured stream, closed after the
# call, and every later log line was a "--- Logging error ---". Importing it here binds them to the
# session's streams.
import prefect.main  # noqa: E402,F401

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
SHARED = (REPO / ".." / "shared").resolve()


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test with a message when it is absent (fresh clones)."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared holds benchmark fixtures only on developer machines)")
    return p


@pytest.fixture(scope="session")
def prefect_server():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=300):
        yield


@pytest.fixture(scope="session")
def seeds_warehouse(prefect_server, tmp_path_factory) -> Path:
    """``DIR`` of a warehouse built from seeds/ by the ingest flow (do not modify it)."""
    from flows.ingest import ingest

    out = tmp_path_factory.mktemp("seeds_wh")
    summary = ingest(inputs=[str(SEEDS)], out=str(out))
    assert summary["status"] == "completed", summary
    return out


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    """A private copy of seeds/ a test may modify."""
    dest = tmp_path / "seeds"
    shutil.copytree(SEEDS, dest)
    return dest

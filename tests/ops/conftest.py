"""tests/ops: operations and reliability (issue 8). Helper modules here (feedserver, crash_driver,
prefect_procs) are imported by basename: pytest puts this directory on sys.path (rootdir-relative,
no packages)."""
from __future__ import annotations

import signal
from typing import Iterator

import pytest
from prefect_procs import Server, kill_all, stop, tail, wait_healthy


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a minute; still part of `make test`")


@pytest.fixture(scope="session")
def real_server(tmp_path_factory) -> Iterator[Server]:
    """One real ``prefect server start`` for the tests that serve deployments (its start-up is
    most of their cost); at the end it must stop on SIGINT (what Ctrl-C sends) by itself."""
    base = tmp_path_factory.mktemp("prefect_server")
    (base / "logs").mkdir()
    server = Server(base / "home", base / "logs")
    try:
        wait_healthy(server.api, server.proc, timeout=300)  # a loaded 2-core machine takes minutes
        yield server
        assert stop(server.proc) in (0, 130, -signal.SIGINT), tail(server.log)
    finally:
        kill_all([server.proc])

"""tests/ops: operations and reliability (issue 8). Helper modules here (feedserver, crash_driver)
are imported by basename: pytest puts this directory on sys.path (rootdir-relative, no packages)."""
from __future__ import annotations


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a minute; still part of `make test`")

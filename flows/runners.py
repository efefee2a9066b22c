"""Task runners for ``akhbar run --procs N`` (local worker processes) and ``--workers N`` (a local
Dask cluster) whose workers report to the flow's own Prefect server.

Why: with Prefect's temporary (ephemeral) server, ``PREFECT_API_URL`` is unset, so every worker
process that ran a task found no API and started a temporary server of its own — one more uvicorn
process (~220 MB, its database migrations and start-up CPU) per worker, busy recording that worker's
task runs away from their flow run. Worker processes inherit the environment at their start (the
process pool hands this process's environment to them; a local Dask cluster's processes start
with it), so pointing ``PREFECT_API_URL`` at the flow's temporary server while the runner is open
makes them use it, over loopback HTTP. A remote ``--dask`` cluster cannot reach 127.0.0.1: its
workers need ``PREFECT_API_URL`` set on their side.
"""
from __future__ import annotations

import os
from typing import Any

from prefect.task_runners import ProcessPoolTaskRunner
from prefect_dask import DaskTaskRunner


class _SharedServer:
    """Mixin: ``PREFECT_API_URL`` names the flow's API while the runner is open, then is restored."""

    def __enter__(self) -> Any:
        self._previous_api_url = os.environ.get("PREFECT_API_URL")  # None: it was unset
        url = _flow_api_url()
        if url:
            os.environ["PREFECT_API_URL"] = url
        try:
            return super().__enter__()  # type: ignore[misc]
        except BaseException:
            self._restore()
            raise

    def __exit__(self, *exc: Any) -> None:
        try:
            super().__exit__(*exc)  # type: ignore[misc]
        finally:
            self._restore()

    def _restore(self) -> None:
        if self._previous_api_url is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = self._previous_api_url


class SharedServerProcessPool(_SharedServer, ProcessPoolTaskRunner):
    """``ProcessPoolTaskRunner`` whose workers use the flow process's Prefect API."""


class SharedServerDaskRunner(_SharedServer, DaskTaskRunner):
    """``DaskTaskRunner`` on a local cluster whose workers use the flow process's Prefect API."""


def _flow_api_url() -> str | None:
    """The API the flow process talks to: the configured one, or its temporary server's."""
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_ENABLED

    configured = PREFECT_API_URL.value()
    if configured:
        return configured
    if not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return None
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # a singleton: the server this process's client already uses
    server.start()  # no-op when it runs
    return server.api_url

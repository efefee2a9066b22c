"""Task runners for ``akhbar run --procs N``: transforms in local worker processes.

Why a subclass: with Prefect's temporary (ephemeral) server, ``PREFECT_API_URL`` is unset, so each
``ProcessPoolTaskRunner`` worker that runs a task found no API and started a temporary server of its
own — one more uvicorn process (~220 MB, its database migrations and start-up CPU) per worker, and
the workers' task runs were recorded there instead of next to their flow run. Prefect passes this
process's environment to its workers when the first task is submitted, so pointing
``PREFECT_API_URL`` at the flow's own temporary server for the runner's lifetime makes the workers
report to it (over loopback HTTP).
"""
from __future__ import annotations

import os
from typing import Any

from prefect.task_runners import ProcessPoolTaskRunner


class SharedServerProcessPool(ProcessPoolTaskRunner):
    """A ``ProcessPoolTaskRunner`` whose workers use the flow process's Prefect API."""

    def __enter__(self) -> "SharedServerProcessPool":
        self._restore_api_url: tuple[bool, str | None] | None = None
        url = _flow_api_url()
        if url and os.environ.get("PREFECT_API_URL") != url:
            self._restore_api_url = ("PREFECT_API_URL" in os.environ, os.environ.get("PREFECT_API_URL"))
            os.environ["PREFECT_API_URL"] = url
        return super().__enter__()

    def __exit__(self, *exc: Any) -> None:
        try:
            super().__exit__(*exc)
        finally:
            saved = getattr(self, "_restore_api_url", None)
            if saved is not None:
                had, value = saved
                if had:
                    os.environ["PREFECT_API_URL"] = value or ""
                else:
                    os.environ.pop("PREFECT_API_URL", None)


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

"""Task runners for ``akhbar run --procs N`` (local worker processes) and ``--workers N`` (a local
Dask cluster) whose workers report to the flow's own Prefect server.

Why: with Prefect's temporary (ephemeral) server, ``PREFECT_API_URL`` is unset, so every worker
process that runs a task would find no API and start a temporary server of its own — one more uvicorn
process (~220 MB, its database migrations and start-up CPU) per worker, busy recording that worker's
task runs away from their flow run. Worker processes inherit the environment at their start (the
process pool hands this process's environment to them; a local Dask cluster's processes start
with it), so pointing ``PREFECT_API_URL`` at the flow's temporary server while the runner is open
makes them use it, over loopback HTTP. A remote ``--dask`` cluster cannot reach 127.0.0.1: its
workers need ``PREFECT_API_URL`` set on their side.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Callable

from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, _initialize_process_pool_worker
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


class _EarlyProcessPool(ProcessPoolTaskRunner):
    """``ProcessPoolTaskRunner`` whose worker processes can be started before the flow run.

    Why: a worker's start-up (spawning Python, importing Prefect and Polars, loading the tagger and
    its compiled loops) takes seconds, and by default it begins only once the flow runs, i.e. after
    Prefect's temporary server has started. ``start_workers`` spawns them first, so the two overlap.

    The pool is built exactly as ``ProcessPoolTaskRunner.__enter__`` (Prefect 3.8.8) builds it —
    spawn context, Prefect's worker initializer forwarding events and logs over a queue — and
    handed to the runner Prefect duplicates for the flow run; ``__enter__`` adopts it.
    """

    _early: tuple[ProcessPoolExecutor, Any] | None = None

    def start_workers(self, warm: Callable[..., None] | None = None, *args: Any) -> None:
        """Spawn all worker processes now and run ``warm(*args)`` once in each (e.g. load a model)."""
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        pool = ProcessPoolExecutor(
            max_workers=self._max_workers, mp_context=ctx, initializer=_initialize_process_pool_worker,
            initargs=(queue, getattr(self, "_initializer", None), getattr(self, "_initargs", ())),
        )
        for _ in range(self._max_workers):  # one submit each: an idle-less pool spawns a process per submit
            pool.submit(warm or _nothing, *args)
        self._early = (pool, queue)

    def close_early(self) -> None:
        """Shut down workers started by ``start_workers`` that no flow run took over."""
        if self._early is not None:
            self._early[0].shutdown(cancel_futures=True)
            self._early = None

    def release_workers(self) -> None:
        """Stop the worker processes once the flow has nothing more to submit.

        Why: the pool otherwise lives until the flow run ends, and the run's tail (marts refresh,
        Parquet export) runs in the flow process alone, while two idle workers would hold more than
        2 GB through it. Messages they queued are still forwarded until ``__exit__``."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def duplicate(self) -> Any:
        runner = super().duplicate()
        runner._early, self._early = self._early, None  # the flow run's copy takes the workers over
        return runner

    def __enter__(self) -> Any:
        if self._early is None:
            return super().__enter__()
        TaskRunner.__enter__(self)
        self._executor, self._subprocess_message_queue = self._early
        self._early = None
        self._message_forwarding_thread = threading.Thread(
            target=self._forward_subprocess_messages, name="ProcessPoolTaskRunnerMessageForwarder", daemon=True)
        self._message_forwarding_thread.start()
        self._resolver_executor = ThreadPoolExecutor(max_workers=self._max_workers)
        return self


def _nothing(*_: Any) -> None:
    return None


class SharedServerProcessPool(_SharedServer, _EarlyProcessPool):
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

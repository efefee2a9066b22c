"""``akhbar serve``: the ingest flow as a scheduled Prefect deployment (``flow.serve``).

    serve(inputs=["inbox/", "https://example.org/rss"], out="data", cron="*/15 * * * *", name="akhbar-ingest")

Needs a Prefect server (``prefect server start``; ``PREFECT_API_URL`` pointing at it).  Every
scheduled run ingests only new or changed inputs: unchanged files are skipped by content hash and
feeds by conditional GET and known article URLs.

Runs on one warehouse never overlap, by two independent guards:
1. the deployment has a Prefect concurrency limit of 1 with the ``ENQUEUE`` strategy — a run due
   while the previous one is still going waits in ``AwaitingConcurrencySlot`` (visible in the UI)
   instead of starting; and
2. every run takes the warehouse's writer lock (``warehouse.db.writer_lock``) with
   ``wait_seconds`` — this also covers writers Prefect cannot see (a manual ``akhbar run``, a
   second deployment on the same ``--out``): they wait, then fail with a clear ``WarehouseBusy``.
The lock is the real guarantee (it lives next to the data and dies with its process, so a killed
run never blocks the next one); the Prefect limit keeps the schedule orderly and observable.

Without ``PREFECT_API_URL`` (environment or Prefect profile) Prefect would register the deployment
with a temporary server, which runs no scheduler service: nothing would ever run, silently, so
``serve`` refuses to start instead.
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from flows.inputs import is_url

DEFAULT_WAIT_SECONDS = 15 * 60.0
NO_SERVER = ("error: akhbar serve needs a running Prefect server; start one (prefect server start) and point "
             "PREFECT_API_URL at it, e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api "
             "(Prefect's temporary server never runs schedules)")


def deployment_parameters(inputs: list[str], out: str, wait_seconds: float) -> dict[str, Any]:
    """Flow parameters with local paths made absolute (flow runs start in their own process)."""
    return {
        "inputs": [i if is_url(i) else os.path.abspath(i) for i in inputs],
        "out": os.path.abspath(out),
        "wait_seconds": float(wait_seconds),
    }


def build_deployment(inputs: list[str], out: str, cron: str | None, name: str,
                     wait_seconds: float = DEFAULT_WAIT_SECONDS):
    """The ``RunnerDeployment`` served by :func:`serve` (separate so tests can inspect it)."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    from flows.ingest import ingest

    params = deployment_parameters(inputs, out, wait_seconds)
    return ingest.to_deployment(
        name=name,
        cron=cron,
        parameters=params,
        concurrency_limit=ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE),
        tags=["akhbar"],
        description=f"akhbar ingest of {', '.join(params['inputs'])} into {params['out']}",
    )


def serve(inputs: list[str], out: str, cron: str | None = "*/15 * * * *", name: str = "akhbar-ingest",
          wait_seconds: float = DEFAULT_WAIT_SECONDS) -> None:
    """Register the deployment with the Prefect server and run its schedule until interrupted
    (Ctrl-C or SIGTERM; the schedule is then paused). Exits with status 2 when no server is set."""
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL

    if not PREFECT_API_URL.value():
        print(NO_SERVER, file=sys.stderr)
        raise SystemExit(2)
    # Prefect's SIGTERM handler (Runner.handle_sigterm) shuts down correctly but calls the async
    # ``stop`` without awaiting it: a systemd stop would print this warning every time.
    warnings.filterwarnings("ignore", message="coroutine 'Runner.astop' was never awaited", category=RuntimeWarning)
    deployment = build_deployment(inputs, out, cron, name, wait_seconds)
    # limit=1: this process never starts two flow runs at once, even when runs were queued by hand.
    prefect_serve(deployment, limit=1)

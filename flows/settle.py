"""Run a flow and let Prefect's event pipeline settle before the process (and its server) exits.

Why: Prefect 3.8 records task-run states from client-side *events*.  The client's events worker
drains its queue only at interpreter exit, and the temporary (ephemeral) server is terminated by
an ``atexit`` hook right after — so the last task-run events reach the server while it is shutting
down, and its recorder prints ``Error flushing N events`` with ``CancelledError`` tracebacks.  We
drain the events worker ourselves and wait (bounded) until the server has recorded a final state
for every task run of the flow run; then the shutdown has nothing left to write.
"""
from __future__ import annotations

import time
from typing import Any, Callable



def run_flow(flow_fn: Callable[..., Any], timeout: float = 10.0, **kwargs: Any) -> Any:
    """Call a Prefect flow, wait for its task-run records, and return its result (or raise)."""
    state = flow_fn(**kwargs, return_state=True)
    try:
        _settle(state.state_details.flow_run_id, timeout)
    except Exception:  # settling is best effort; never turn a good run into a failure
        pass
    return state.result()


def _settle(flow_run_id: Any, timeout: float) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.events.worker import EventsWorker

    EventsWorker.drain_all(timeout=timeout)
    deadline = time.monotonic() + timeout
    previous = None
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id])))
            snapshot = sorted((str(r.id), r.state_type) for r in runs)
            if snapshot and snapshot == previous and all(r.state and r.state.is_final() for r in runs):
                return
            previous = snapshot
            time.sleep(0.1)

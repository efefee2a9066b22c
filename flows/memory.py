"""Handing memory back between batches: freed heap pages to the OS, idle worker processes away.

Used by the flow process after each load, by worker processes before each transform batch, and by
the flow once nothing is left to transform (``release_workers``).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
from functools import cache
from typing import Callable


def release_freed_memory() -> None:
    """Collect garbage cycles, then hand freed heap pages back to the OS.

    Prefect's futures form reference cycles (a future and its done-callbacks), and with the process
    pool each one holds its task's pickled result (~50 MB per 2,000 articles): plain reference
    counting never frees them, and Python's own full collections run too rarely to keep up. glibc
    then keeps freed pages in per-thread arenas, so RSS would keep the high-water mark of every
    batch: ``malloc_trim`` returns them (a no-op where glibc is absent)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None


def release_workers() -> None:
    """Free what transforming took, once nothing more will be submitted: stop the current flow run's
    worker processes if its task runner has any (``flows.runners.SharedServerProcessPool``), and
    empty the tagger's tables in this process, where the thread runner transformed (~200 MB after a
    large run; the marts refresh and the export then run without them)."""
    from prefect.context import FlowRunContext

    ctx = FlowRunContext.get()
    release = getattr(ctx.task_runner, "release_workers", None) if ctx is not None else None
    if release is not None:
        release()
    mentions = sys.modules.get("transforms.ner.mentions")  # never imported (torch) just to empty it
    if mentions is not None:
        mentions.release_caches()
        release_freed_memory()

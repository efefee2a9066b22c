"""Run the ingest flow and SIGKILL ourselves at a chosen point (used by test_crash.py only).

    python crash_driver.py POINT OUT INPUT...

POINT: ``transform`` (second transform batch computed, never loaded), ``load`` (inside the DuckDB
transaction of the second document batch, before COMMIT), ``export`` (Parquet mirror of an existing
warehouse: right after ``parquet/mentions`` was renamed to ``.old-…`` and before the new copy took
its place — ``sources``/``documents``/… already swapped, the rest not yet), ``none``.
The kill is SIGKILL: no ``finally``, no ``atexit``, no flush — what a power cut or the OOM killer does.
"""
from __future__ import annotations

import os
import signal
import sys


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def arm(point: str) -> None:
    calls = {"n": 0}
    if point == "transform":
        import flows.batches as fi
        import warehouse.load as wl

        real_transform, real_load = fi.transform_documents, wl.load_batch
        loaded = {"n": 0}

        def load_batch(con, tables, before_commit=None):
            real_load(con, tables, before_commit)
            loaded["n"] += "documents" in tables

        def transform(*args, **kwargs):
            # batches are transformed concurrently with loads: die in the first transform that
            # finishes after a batch was committed (so the warehouse holds a partial run)
            result = real_transform(*args, **kwargs)
            if loaded["n"] >= 1:
                die()
            return result

        fi.transform_documents = transform
        wl.load_batch = load_batch
    elif point == "load":
        import warehouse.load as wl

        real_load = wl.load_batch

        def load_batch(con, tables, before_commit=None):
            if "documents" in tables:
                calls["n"] += 1
                if calls["n"] == 2:
                    return real_load(con, tables, before_commit=die)
            return real_load(con, tables, before_commit)

        wl.load_batch = load_batch
    elif point == "export":
        import warehouse.export as we

        real_rename = os.rename

        class _OS:  # warehouse.export sees this instead of os: rename, then die after the first swap-out
            def __getattr__(self, name):
                return getattr(os, name)

            @staticmethod
            def rename(src, dst):
                real_rename(src, dst)
                if os.path.basename(str(dst)).startswith(".old-mentions-"):
                    die()

        we.os = _OS()
    elif point != "none":
        raise SystemExit(f"unknown kill point {point!r}")


def main() -> None:
    point, out, *inputs = sys.argv[1:]
    arm(point)
    from flows.ingest import ingest
    from flows.settle import run_flow

    # batches of 2 documents (the test counts them), all transformed in this process
    summary = run_flow(ingest, inputs=inputs, out=out, batch_size=2, tagger_process=False)
    print(summary)


if __name__ == "__main__":
    main()

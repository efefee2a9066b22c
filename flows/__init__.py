"""Prefect flows and the ``akhbar`` CLI: parameters at the edge, batch-sized tasks."""
import os

# Defaults for Prefect's temporary server, set before Prefect reads its settings (users can still
# override them): its telemetry heartbeat races the server's first SQLite writes and prints a
# "database is locked" traceback; and on a busy 2-core laptop the server can take longer than
# Prefect's 20 s start-up limit.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Polars allocates through its own jemalloc, which keeps freed pages (10 s decay, per arena): the
# flow process held ~1 GB of already-freed batch memory (peak RSS 2.1 GB at 72k articles, DuckDB's
# share 0.4 GB); handing pages back at once halves a read slice's footprint (600 → 300 MB,
# /work/plan/scale2_report.md). Only effective when this runs before polars is first imported
# (the CLI, Dask workers started by it, and `from flows.ingest import ingest` in a fresh process).
os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0")

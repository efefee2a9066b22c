"""Prefect flows and the ``akhbar`` CLI: parameters at the edge, batch-sized tasks."""
import os

# Defaults for Prefect's temporary server, set before Prefect reads its settings (users can still
# override them): its telemetry heartbeat races the server's first SQLite writes and prints a
# "database is locked" traceback; and on a busy 2-core laptop the server can take longer than
# Prefect's 20 s start-up limit.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
# Polars allocates through its own jemalloc, which keeps freed pages (10 s decay, per arena), so a
# long run would hold a large share of its peak in already-freed batch memory; these settings hand
# pages back at once. Only effective when this runs before polars is first imported (the CLI, Dask
# workers started by it, and `from flows.ingest import ingest` in a fresh process).
os.environ.setdefault("_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0")

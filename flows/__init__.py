"""Prefect flows and the ``akhbar`` CLI: parameters at the edge, batch-sized tasks."""
import os

# Defaults for Prefect's temporary server, set before Prefect reads its settings (users can still
# override them): its telemetry heartbeat races the server's first SQLite writes and prints a
# "database is locked" traceback; and on a busy 2-core laptop the server can take longer than
# Prefect's 20 s start-up limit.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

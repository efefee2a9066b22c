"""Benchmarks (not shipped behaviour): ``python -m bench.pipeline`` times the real ingest flow."""
import flows  # noqa: E402,F401  (its allocator settings must precede the first polars import)

"""Benchmarks (not shipped behaviour): ``python -m bench.pipeline`` times the real ingest flow."""

"""Finding and reading inputs: the only file-system I/O on the input side.

``discover(["seeds/"])`` walks directories recursively (symlinked directories are not followed, so
a symlink loop cannot trap the walk; hidden files such as ``.DS_Store`` are skipped) and returns
``InputFile`` rows whose ``source_uri`` is the path as the user gave it
(``seeds/000_2b676b022e1b6d99.txt``).  Paths that cannot be read become reject rows, never errors.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

REJECT_SCHEMA = {"source_uri": pl.Utf8, "reason": pl.Utf8, "detail": pl.Utf8, "bytes": pl.Int64}
INPUT_SCHEMA = {"source_uri": pl.Utf8, "payload": pl.Binary, "n_bytes": pl.Int64, "ext": pl.Utf8,
                "record_start": pl.Int64}
# Records parsed per read: a multi-record file (a 31,000-article Parquet file, a big JSON Lines
# dump) is read in slices of this many records, so what a read holds (records, their identities
# and the template lines learned from them) stays bounded whatever the size of one input file.
MAX_RECORDS_PER_READ = 10_000


@dataclass(frozen=True)
class InputFile:
    source_uri: str
    path: str
    size: int
    start: int = 0  # first record to parse (a later slice of a multi-record file)


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _uri(given: str, root: str, path: str) -> str:
    rel = os.path.relpath(path, root)
    base = given.rstrip("/") or "/"
    return os.path.normpath(os.path.join(base, rel))


def discover(inputs: list[str]) -> tuple[list[InputFile], list[dict]]:
    """Files under the given paths (sorted, deduplicated) and rejects for paths that can't be used."""
    files: dict[str, InputFile] = {}
    rejects: list[dict] = []

    def add(uri: str, path: str) -> None:
        try:
            st = os.stat(path)
        except OSError as exc:
            rejects.append({"source_uri": uri, "reason": "unreadable", "detail": f"cannot stat: {exc.strerror}", "bytes": None})
            return
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end when read
            rejects.append({"source_uri": uri, "reason": "not_a_file",
                            "detail": "not a regular file (named pipe, socket or device)", "bytes": None})
            return
        files.setdefault(uri, InputFile(uri, path, st.st_size))

    for given in inputs:
        if is_url(given):
            continue  # feeds are handled by flows.feeds
        if not os.path.exists(given):
            rejects.append({"source_uri": given, "reason": "not_found",
                            "detail": "no such file or directory", "bytes": None})
            continue
        if os.path.isfile(given):
            add(os.path.normpath(given), given)
            continue
        errors: list[OSError] = []
        for root, dirs, names in os.walk(given, onerror=errors.append, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.startswith("."):
                    continue
                full = os.path.join(root, name)
                if os.path.islink(full) and os.path.isdir(full):
                    continue
                add(_uri(given, given, full), full)
        for exc in errors:
            path = exc.filename or given
            rejects.append({"source_uri": _uri(given, given, path), "reason": "unreadable",
                            "detail": f"cannot list directory: {exc.strerror}", "bytes": None})
    return sorted(files.values(), key=lambda f: f.source_uri), rejects


def batches(files: list[InputFile], max_files: int = 2000, max_bytes: int = 64 << 20) -> Iterator[list[InputFile]]:
    """Group files into read batches bounded by count and bytes (a huge file is a batch of its own)."""
    batch: list[InputFile] = []
    size = 0
    for f in files:
        if batch and (len(batch) >= max_files or size + f.size > max_bytes):
            yield batch
            batch, size = [], 0
        batch.append(f)
        size += f.size
    if batch:
        yield batch


def read_files(files: list[InputFile], max_bytes: int = 256 << 20) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``inputs(source_uri, payload, n_bytes, ext, record_start)`` and rejects for files that can't be read."""
    rows, rejects = [], []
    for f in files:
        if f.size > max_bytes:
            if f.start:
                continue  # rejected when its first slice was read
            rejects.append({"source_uri": f.source_uri, "reason": "too_large",
                            "detail": f"{f.size} bytes is over the {max_bytes}-byte limit per file", "bytes": f.size})
            continue
        try:
            data = Path(f.path).read_bytes()
        except OSError as exc:
            rejects.append({"source_uri": f.source_uri, "reason": "unreadable",
                            "detail": f"cannot read: {exc.strerror}", "bytes": f.size})
            continue
        ext = os.path.splitext(f.path)[1].lower()
        rows.append({"source_uri": f.source_uri, "payload": data, "n_bytes": len(data), "ext": ext,
                     "record_start": f.start})
    return pl.DataFrame(rows, schema=INPUT_SCHEMA), pl.DataFrame(rejects, schema=REJECT_SCHEMA)

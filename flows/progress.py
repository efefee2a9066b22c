"""A rich progress bar on stderr for long runs; a no-op when disabled (tests, servers, Dask)."""
from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress as RichProgress, TextColumn, TimeElapsedColumn


class Progress:
    def __init__(self, enabled: bool, total: int) -> None:
        self._bar: RichProgress | None = None
        if enabled:
            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                TimeElapsedColumn(), console=Console(stderr=True), transient=True,
            )
            self._task = self._bar.add_task("ingesting", total=max(total, 1))

    def __enter__(self) -> "Progress":
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.stop()

    def advance(self, n_bytes: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, n_bytes)

    def stage(self, description: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=description)

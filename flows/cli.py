"""``akhbar``: the command line over the flows and the warehouse.

    akhbar run seeds/ --out data          # ingest (Prefect flow), summary table at the end
    akhbar query "select count(*) from documents"
    akhbar schema                         # the data dictionary
"""
from __future__ import annotations

import csv
import json
import os
import sys
from enum import Enum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from flows.cli_entities import register as _register_entities
from flows.cli_ner import register as _register_ner
from flows.cli_tone import register as _register_tone

app = typer.Typer(
    name="akhbar",
    help="akhbar (أخبار): turn raw Arabic news into a clean, queryable knowledge base.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)
out_console = Console()
err_console = Console(stderr=True)

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="Warehouse directory (DuckDB file and Parquet mirror).")]


def _version() -> str:
    try:
        return version("akhbar")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"akhbar {_version()}")
        raise typer.Exit()


@app.callback()
def main(
    version_: Annotated[Optional[bool], typer.Option("--version", callback=_version_callback, is_eager=True,
                                                     help="Show the version and exit.")] = None,
) -> None:
    """akhbar (أخبار): turn raw Arabic news into a clean, queryable knowledge base."""


def _parse_fields(items: list[str]) -> dict[str, str] | None:
    fields = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key or not value:
            raise typer.BadParameter(f"expected NAME=COLUMN, got {item!r}", param_hint="--field")
        fields[key.strip()] = value.strip()
    return fields or None


@app.command()
def run(
    inputs: Annotated[Optional[list[str]], typer.Argument(help="Files, directories (read recursively) or feed URLs. Default: seeds/")] = None,
    out: OutOpt = Path("data"),
    field: Annotated[list[str], typer.Option("--field", help="Map a record field, e.g. --field text=content (repeatable).")] = [],
    batch_size: Annotated[int, typer.Option(help="Articles per transform batch.")] = 2000,
    ner: Annotated[str, typer.Option("--ner", help="NER backend: default (the shipped BiLSTM-CRF), large (slower, more accurate BiLSTM-CRF), crf (the shipped crfsuite CRF) or camel (needs camel-tools' BERT data).")] = "default",
    wait: Annotated[float, typer.Option("--wait", help="Seconds to wait for another run on the same warehouse.")] = 0.0,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    workers: Annotated[int, typer.Option("--workers", help="Transform on a local Dask cluster with N worker processes (0: in this process).")] = 0,
    dask: Annotated[Optional[str], typer.Option("--dask", help="Transform on an existing Dask cluster, e.g. tcp://host:8786.")] = None,
    procs: Annotated[int, typer.Option("--procs", help="Transform in N local worker processes (0: in this process). Each worker pays a start-up (imports, loading the tagger), so it is for large inputs (docs/benchmarks.md).")] = 0,
    tagger_process: Annotated[Optional[bool], typer.Option("--tagger-process/--no-tagger-process", help="Without --procs/--workers/--dask: tag in one helper process while this one cleans and loads (both cores, about the same memory). Default: when the first read brings at least --batch-size new articles.")] = None,
) -> None:
    """Ingest INPUT files into the warehouse and print a summary."""
    from flows.server import start_temporary_server

    adopt_server = start_temporary_server()  # starts while the imports below run (flows/server.py)
    from flows.ingest import ingest
    from flows.settle import run_flow
    from warehouse.db import WarehouseError

    if ner == "camel":  # fail before any work, in one line, when the optional model is absent
        from transforms.ner import CamelModelMissing
        from transforms.ner.tagger import _camel_ner_data_present

        if not _camel_ner_data_present():
            err_console.print(f"[red]error:[/red] {CamelModelMissing()}")
            raise typer.Exit(2)

    adopt_server(120.0)
    flow_fn, in_flight = _with_runner(ingest, workers, dask, procs)
    runner = flow_fn.task_runner
    if procs:  # start the workers (imports, the tagger) before the flow's own start-up
        from transforms.ner.tagger import preload

        runner.start_workers(preload, ner)
    try:
        summary = run_flow(flow_fn, inputs=inputs or ["seeds"], out=str(out), fields=_parse_fields(field),
                           batch_size=batch_size, ner_backend=ner, wait_seconds=wait,
                           show_progress=progress and sys.stderr.isatty(), in_flight=in_flight,
                           tagger_process=tagger_process)
    except WarehouseError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    finally:
        if procs:
            runner.close_early()
    table = Table(title=f"akhbar run {summary['run_id']} → {out}")
    for col in ("seen", "new", "unchanged", "rejected", "seconds"):
        table.add_column(col, justify="right")
    table.add_row(*(str(summary[k]) for k in ("n_seen", "n_new", "n_unchanged", "n_rejected", "seconds")))
    out_console.print(table)
    if summary["n_rejected"]:
        out_console.print(f"rejected inputs and reasons: akhbar query \"select source_uri, reason, detail from rejects\" --out {out}")


def _with_runner(flow_fn, workers: int, address: str | None, procs: int = 0):
    """The flow with a Dask or process-pool task runner when asked (transforms run in the workers,
    ``in_flight`` of them at once; loads stay in this process: a single writer)."""
    if procs and (workers or address):
        raise typer.BadParameter("use --procs or --workers/--dask, not both", param_hint="--procs")
    if procs:
        from flows.runners import SharedServerProcessPool

        return flow_fn.with_options(task_runner=SharedServerProcessPool(max_workers=procs)), procs
    if not workers and not address:
        return flow_fn, 1
    from prefect_dask import DaskTaskRunner

    if address:
        return flow_fn.with_options(task_runner=DaskTaskRunner(address=address)), max(workers, 2)
    from flows.runners import SharedServerDaskRunner

    runner = SharedServerDaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    return flow_fn.with_options(task_runner=runner), workers


class Fmt(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def query(
    sql: Annotated[str, typer.Argument(help="SQL to run (read-only); use ? for parameters.")],
    out: OutOpt = Path("data"),
    param: Annotated[list[str], typer.Option("--param", "-p", help="Value bound to the next ? in SQL (repeatable).")] = [],
    fmt: Annotated[Fmt, typer.Option("--format", "-f", help="Output format.")] = Fmt.table,
) -> None:
    """Run read-only SQL over the warehouse."""
    from warehouse.db import WarehouseError
    from warehouse.query import run_query

    try:
        columns, rows = run_query(out, sql, param)
    except WarehouseError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except Exception as exc:  # SQL errors from DuckDB: show them, not a traceback
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if fmt is Fmt.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    elif fmt is Fmt.json:
        typer.echo(json.dumps([dict(zip(columns, r)) for r in rows], ensure_ascii=False, default=str, indent=1))
    elif len(columns) == 1 and len(rows) == 1:
        typer.echo(str(rows[0][0]))
    else:
        table = Table()
        for c in columns:
            table.add_column(c)
        for r in rows:
            table.add_row(*("" if v is None else str(v) for v in r))
        out_console.print(table)


@app.command()
def schema() -> None:
    """Print the data dictionary (every table, column and view, with descriptions): docs/schema.md."""
    from warehouse.ddl import schema_page

    typer.echo(schema_page(), nl=False)


@app.command("export")
def export_cmd(
    dest: Annotated[Path, typer.Option("--dest", help="Directory to write the Parquet tables to.")],
    out: OutOpt = Path("data"),
    fmt: Annotated[str, typer.Option("--format", help="Export format (parquet).")] = "parquet",
) -> None:
    """Export every table as (hive-partitioned, zstd) Parquet for BI tools."""
    from warehouse.db import WarehouseError
    from warehouse.query import export_copy

    if fmt != "parquet":
        raise typer.BadParameter("only parquet is supported", param_hint="--format")
    try:
        paths = export_copy(out, dest)
    except WarehouseError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    typer.echo(f"wrote {len(paths)} tables to {dest}")


@app.command()
def serve(
    inputs: Annotated[list[str], typer.Argument(help="Inbox directories, files or feed URLs to ingest on every run.")],
    cron: Annotated[str, typer.Option("--cron", help='Schedule, e.g. "*/15 * * * *".')] = "*/15 * * * *",
    out: OutOpt = Path("data"),
    name: Annotated[str, typer.Option("--name", help="Deployment name.")] = "akhbar-ingest",
) -> None:
    """Serve the ingest flow as a scheduled Prefect deployment (needs a Prefect server)."""
    from flows.serve import serve as serve_flow

    serve_flow(inputs=inputs, out=str(out), cron=cron, name=name)


@app.command()
def report(
    html: Annotated[Path, typer.Option("--html", help="Path of the HTML file to write.")],
    out: OutOpt = Path("data"),
    since: Annotated[Optional[str], typer.Option("--since", help="First publication date (YYYY-MM-DD).")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Last publication date (YYYY-MM-DD).")] = None,
) -> None:
    """Write a self-contained Arabic (RTL) HTML report of the warehouse."""
    from warehouse.db import WarehouseError
    from warehouse.report import build_report

    try:
        build_report(out, html, since=since, until=until)
    except WarehouseError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    typer.echo(f"wrote {html}")


_register_ner(app)  # train-ner, eval-ner, eval-entities (flows/cli_ner.py)
_register_entities(app)  # audit-entities (flows/cli_entities.py)
_register_tone(app)  # eval-tone, train-topics (flows/cli_tone.py)


if __name__ == "__main__":  # pragma: no cover
    app()

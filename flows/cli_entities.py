"""The entity commands of the CLI: ``audit-entities``."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

err_console = Console(stderr=True)
out_console = Console()


def audit_entities(
    out: Annotated[Path, typer.Option("--out", "-o", help="Warehouse directory to check.")] = Path("data"),
    top: Annotated[int, typer.Option("--top", help="How many of the most-mentioned entities the name checks look at.")] = 500,
    rows: Annotated[int, typer.Option("--rows", help="Offending rows shown per check.")] = 10,
    csv_dir: Annotated[Optional[Path], typer.Option("--csv", help="Also write every check's rows as CSV files into this directory.")] = None,
) -> None:
    """Print the entity table's health: twins among the top N, names that start with a clitic or
    hold a title, one-document surname entities that match a person of several documents, and
    entities whose mentions carry several labels. Last line: `problems: N`."""
    from transforms.entities.audit import audit_entities as audit
    from warehouse.db import WarehouseError
    from warehouse.entities import audit_inputs

    try:
        ents, labels = audit_inputs(str(out))
    except WarehouseError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    report = audit(ents, labels, top)
    summary = report.pop("summary")
    table = Table(title=f"entities of {out}: {ents.height} entities")
    for col in summary.columns:
        table.add_column(col)
    for r in summary.iter_rows():
        table.add_row(*(str(v) for v in r))
    out_console.print(table)
    for name, frame in report.items():
        if frame.height:
            t = Table(title=f"{name} ({frame.height})")
            for col in frame.columns:
                t.add_column(col)
            for r in frame.head(rows).iter_rows():
                t.add_row(*("" if v is None else str(v) for v in r))
            out_console.print(t)
        if csv_dir is not None:
            csv_dir.mkdir(parents=True, exist_ok=True)
            frame.write_csv(csv_dir / f"{name}.csv")
    problems = sum(report[k].height for k in ("twins", "clitic_names", "title_names"))
    typer.echo(f"problems: {problems}")


def register(app: typer.Typer) -> None:
    """Add the entity commands to ``app``."""
    app.command("audit-entities")(audit_entities)

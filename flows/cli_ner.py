"""The NER commands of the CLI: ``train-ner``, ``eval-ner`` and ``eval-entities``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

err_console = Console(stderr=True)


def train_ner(
    train_file: Annotated[Path, typer.Argument(help="Training file: `token TAG` per line, blank line between sentences.")] = Path("../shared/ner/anercorp_train.txt"),
    model_out: Annotated[Optional[Path], typer.Option("--model-out", help="Directory for the model (default: the shipped transforms/ner/model, model_large for --backend large).")] = None,
    corpora: Annotated[list[Path], typer.Option("--corpus", help="Parquet corpus for word vectors (repeatable; default: ../shared/corpora/ant_*.parquet).")] = [],
    vectors: Annotated[Optional[Path], typer.Option("--vectors", help="Precomputed word vectors (.npz) instead of --corpus.")] = None,
    backend: Annotated[str, typer.Option("--backend", help="neural (the shipped default), large (the slower option, model_large/ner_large.pt), crf, or all (neural + crf).")] = "neural",
    dev_fraction: Annotated[float, typer.Option("--dev-fraction", help="Hold out this last share of the sentences and keep the epoch that scores best on it (0: train on everything for --epochs, as the shipped BiLSTM-CRF was; the shipped crfsuite CRF used 0.15).")] = 0.0,
    epochs: Annotated[Optional[int], typer.Option("--epochs", help="Epochs (default: the shipped recipe's).")] = None,
) -> None:
    """Train the NER model; with the defaults it reproduces the shipped BiLSTM-CRF (all sentences, 30 epochs).

    `--dev-fraction 0.15` trains on the first 85% and reports the last 15% (the dev figures of docs/ner.md)."""
    from transforms.ner import train

    if model_out is None:
        import transforms.ner as ner_pkg

        model_out = Path(ner_pkg.__file__).parent / ("model_large" if backend == "large" else "model")
    if vectors is None and not corpora:
        corpora = sorted(Path("../shared/corpora").glob("ant_*.parquet"))
        if not corpora:
            raise typer.BadParameter("no ANT corpora found; pass --corpus FILE or --vectors FILE", param_hint="--corpus")
    options = {} if epochs is None else {"epochs": epochs}
    result = train(str(train_file), str(model_out), vectors=None if vectors is None else str(vectors),
                   corpora=[str(c) for c in corpora] or None, backend=backend, dev_fraction=dev_fraction,
                   **options)
    typer.echo(f"model written to {model_out}")
    for name, res in result.items():
        dev = res.get("dev") if isinstance(res, dict) else None
        if dev:
            from transforms.ner import format_report

            typer.echo(f"[{name}] dev report\n{format_report(dev)}")


def eval_ner(
    gold_file: Annotated[Path, typer.Argument(help="`token TAG` per line, blank line between sentences.")],
    ner: Annotated[str, typer.Option("--ner", help="Backend: default (the shipped BiLSTM-CRF), neural, large, crf or camel.")] = "default",
    model: Annotated[Optional[Path], typer.Option("--model", help="A model written by train-ner --model-out (directory or ner.pt) instead of the shipped one.")] = None,
    rules: Annotated[bool, typer.Option("--rules/--no-rules", help="Run the sentence rules after the tagger (named parties, split place names), as the flow does.")] = True,
) -> None:
    """Evaluate NER: P/R/F1 per type (exact span and type); last line `micro-F1: 0.xxx`."""
    from transforms.ner import CamelModelMissing, evaluate, format_report

    try:
        typer.echo(format_report(evaluate(str(gold_file), ner, None if model is None else str(model), rules)))
    except (CamelModelMissing, FileNotFoundError) as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def eval_entities(
    gold_file: Annotated[Path, typer.Argument(help='Gold JSON: {url_or_source_uri: {"mentions": [{"surface", "label", "entity", "count"}]}}.')],
    out: Annotated[Path, typer.Option("--out", "-o", help="Warehouse directory to score.")] = Path("data"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score a warehouse's mentions against document-level gold: P/R/F1 per label and overall
    (count-based, one proclitic stripped, normalized) and entity B-cubed; last line `overall: P … R … F1 …`."""
    import polars as pl

    from transforms.ner.entity_score import format_entity_report, score_entities
    from warehouse.db import WarehouseError
    from warehouse.evaluation import mentions_by_document

    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    try:
        found = mentions_by_document(out)
    except WarehouseError as exc:
        err_console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    keyed = found.with_columns(doc_key=pl.when(pl.col("url").is_in(list(gold))).then(pl.col("url"))
                               .otherwise(pl.col("source_uri")))
    report = score_entities(keyed, gold)
    typer.echo(json.dumps(report, indent=2) if as_json else format_entity_report(report))


def register(app: typer.Typer) -> None:
    """Add the NER commands to ``app``."""
    app.command("train-ner")(train_ner)
    app.command("eval-ner")(eval_ner)
    app.command("eval-entities")(eval_entities)

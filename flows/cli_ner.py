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
    news_weight: Annotated[int, typer.Option("--news-weight", help="Also train on the news corpus (transforms/ner/data/news, training sources), each sentence this many times per epoch (0: ANERcorp only).")] = 0,
    conventions: Annotated[bool, typer.Option("--conventions/--no-conventions", help="Bring ANERcorp's tags to akhbar's conventions first (docs/entity-guidelines.md).")] = False,
    aux_head: Annotated[bool, typer.Option("--aux-head", help="ANERcorp trains a second output layer of its own (not saved).")] = False,
    resume: Annotated[Optional[Path], typer.Option("--resume", help="Start from this saved model (weights and vocabularies) instead of from scratch.")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Adam step size (default 2e-3).")] = None,
    decay_epoch: Annotated[Optional[int], typer.Option("--decay-epoch", help="Epoch from which the step size is halved (default 20).")] = None,
) -> None:
    """Train the NER model: ANERcorp from scratch (30 epochs), or with `--news-weight`/`--resume` the
    news fine-tuning that makes the shipped model (docs/ner.md, "Retraining", has both commands).

    `--dev-fraction 0.15` holds out the last 15% of ANERcorp and, with the news corpus, 10% of its
    training articles, keeping the epoch that scores best on them."""
    from transforms.ner import train

    if model_out is None:
        import transforms.ner as ner_pkg

        model_out = Path(ner_pkg.__file__).parent / ("model_large" if backend == "large" else "model")
    if vectors is None and not corpora and resume is None:
        corpora = sorted(Path("../shared/corpora").glob("ant_*.parquet"))
        if not corpora:
            raise typer.BadParameter("no ANT corpora found; pass --corpus FILE or --vectors FILE", param_hint="--corpus")
    options = {k: v for k, v in {"epochs": epochs, "lr": lr, "decay_epoch": decay_epoch}.items() if v is not None}
    if backend in ("neural", "large"):
        options.update(news_weight=news_weight, conventions=conventions, aux_head=aux_head,
                       resume=None if resume is None else str(resume))
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

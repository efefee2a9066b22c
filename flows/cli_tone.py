"""The tone and topic commands of the CLI: ``eval-tone`` and ``train-topics``."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

err_console = Console(stderr=True)


def _read_items(path: Path):
    """Judged items as ``id, text, expected``: the gold JSON Lines (``id, input, expected``) or a CSV
    with ``tweet``/``text`` and ``sentiment`` columns (ArSarcasm-v2)."""
    import polars as pl

    from transforms.tone_eval import normalize_labels

    if path.suffix == ".csv":
        df = pl.read_csv(path, infer_schema_length=0)
        text = "tweet" if "tweet" in df.columns else "text"
        df = df.select(id=pl.int_range(pl.len()).cast(pl.Utf8), text=pl.col(text), expected=pl.col("sentiment"))
    else:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        df = pl.DataFrame({"id": [str(r["id"]) for r in rows], "text": [r["input"] for r in rows],
                           "expected": [r["expected"] for r in rows]})
    return df.with_columns(expected=normalize_labels(pl.col("expected"))).filter(pl.col("expected").is_not_null())


def _tagged(items):
    """Names the default tagger finds in each item, as the flow masks them (``id, surface``)."""
    import polars as pl

    from transforms.ner import mentions

    sents = items.select(sentence_id="id", doc_id="id", paragraph_no=pl.lit(0, pl.Int32), sentence_no=pl.lit(0, pl.Int32),
                         start_char=pl.lit(0, pl.Int32), end_char=pl.col("text").str.len_chars().cast(pl.Int32), text="text")
    return mentions(sents).select(id="doc_id", surface="surface")


def eval_tone(
    gold_file: Annotated[Path, typer.Argument(help="Judged items: tests/golden/tone/sentences.jsonl, or a CSV with tweet and sentiment columns (ArSarcasm-v2).")],
    ner: Annotated[bool, typer.Option("--ner/--no-ner", help="Mask the names the default tagger finds in each item, as a run does.")] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Score the tone of judged sentences: sign accuracy on the non-neutral items that get a non-zero
    tone, and coverage; last line `sign accuracy: 0.xxx (…) coverage: 0.xxx (…)`."""
    from transforms.tone_eval import format_tone_report, item_tones, score_tone

    if not gold_file.exists():
        err_console.print(f"[red]error:[/red] no such file: {gold_file}")
        raise typer.Exit(2)
    items = _read_items(gold_file)
    report = score_tone(item_tones(items, _tagged(items) if ner else None))
    typer.echo(json.dumps(report, indent=2) if as_json else format_tone_report(report, f"{gold_file.name}: {report['n']} items"))


def register(app: typer.Typer) -> None:
    """Add the tone and topic commands to ``app``."""
    app.command("eval-tone")(eval_tone)

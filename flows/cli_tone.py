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
    app.command("train-topics")(train_topics)


def _cleaned_corpora(corpora: list[Path]):
    """The ANT articles as the pipeline cleans them (templates learned per source), with their
    ``category``: ``doc_id, source_name, category, title, clean_text``."""
    import polars as pl

    from transforms.boilerplate import learn_templates
    from transforms.clean import clean_documents

    frames = []
    for path in corpora:
        df = pl.read_parquet(path)
        frames.append(df.select(doc_id="id", source_name="source", category="category", raw_text="text", title_raw="title",
                                published_raw="published_raw", url="url", author_raw="author").cast(pl.Utf8))
    docs = pl.concat(frames).filter(pl.col("category").is_not_null() & pl.col("raw_text").is_not_null()).sort("doc_id")
    out = []
    for (source,), part in sorted(docs.group_by("source_name"), key=lambda kv: str(kv[0])):
        templates = learn_templates(part)
        for start in range(0, part.height, 2000):
            cleaned, _ = clean_documents(part.slice(start, 2000), templates)
            out.append(cleaned.select("doc_id", "source_name", "category", "title", "clean_text"))
    return pl.concat(out).sort("doc_id")


def train_topics(
    corpora: Annotated[list[Path], typer.Option("--corpus", help="ANT corpus Parquet (repeatable; default: ../shared/corpora/ant_*.parquet). Never SaudiNewsNet.")] = [],
    holdout: Annotated[str, typer.Option("--holdout", help="Source left out of training and evaluated on ('none': train on all, no evaluation).")] = "BBC",
    model_out: Annotated[Optional[Path], typer.Option("--model-out", help="Where to write the model (default: the shipped transforms/topics/model.npz).")] = None,
    regions_gold: Annotated[Optional[Path], typer.Option("--regions-gold", help="Judged topics of held-out region articles (default: tests/golden/topics/bbc_regions.jsonl when present).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Train the topic model on the ANT corpora's categories; with the defaults it reproduces the
    shipped transforms/topics/model.npz and prints the evaluation on BBC, a source it never saw
    (last line `macro-F1: 0.xxx`)."""
    import numpy as np
    import polars as pl

    from transforms.topics import MODEL_PATH, model_from_arrays, topics
    from transforms.topics.train import evaluate, format_topic_report, train_topics as train

    corpora = corpora or sorted(Path("../shared/corpora").glob("ant_*.parquet"))
    if not corpora:
        raise typer.BadParameter("no ANT corpora found; pass --corpus FILE", param_hint="--corpus")
    if any("saudi" in c.name.lower() for c in corpora):
        raise typer.BadParameter("SaudiNewsNet may not be used to train anything shipped", param_hint="--corpus")
    docs = _cleaned_corpora(corpora)
    model, report = train(docs, None if holdout == "none" else holdout)
    gold_path = regions_gold or Path("tests/golden/topics/bbc_regions.jsonl")
    if holdout != "none" and gold_path.exists():
        gold = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        expected = pl.DataFrame({"id": [g["id"] for g in gold], "expected": [g["expected"] for g in gold]})
        found = docs.with_columns(id=pl.col("doc_id")).join(expected, on="id")
        got = topics(found, model_from_arrays(model)).join(found.select("doc_id", "expected"), on="doc_id")
        report["regions_gold"] = evaluate(got["expected"].to_list(), got["topic"].to_list(), model["topics"])
    out = model_out or MODEL_PATH
    np.savez_compressed(out, vocab=np.array(model["vocab"]), W=model["W"], b=model["b"],
                        topics=np.array(model["topics"]), title_weight=np.array(model["title_weight"]))
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    typer.echo(f"model written to {out}")
    if "regions_gold" in report:
        ev = report["regions_gold"]
        typer.echo(f"{gold_path.name}: {sum(v['n'] for v in ev['per_label'].values())} region articles judged by reading, "
                   f"accuracy {ev['accuracy']:.3f}, macro-F1 {ev['macro_f1']:.3f}, "
                   + ", ".join(f"{k} F1 {v['f1']:.3f}" for k, v in ev["per_label"].items()))
    typer.echo(format_topic_report(report))

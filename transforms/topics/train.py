"""Training and held-out evaluation of the topic model (``akhbar train-topics``).

Input: cleaned ANT articles (``doc_id, source_name, category, title, clean_text``; never
SaudiNewsNet). ``taxonomy.tsv`` maps ANT's topical labels onto akhbar's topics; its region labels
(``internationalNews``, ``middleEast``, ``localNews``) say where, not what. The recipe:

1. a first model on the topical labels alone;
2. region articles of ``internationalNews``/``middleEast`` become ``politics`` training data, except
   those the first model gives to another topic with probability above ``relabel_threshold``
   (they are left out: a plane crash filed under the Middle East is not politics);
3. the final model on both. All of it leaves out the ``holdout`` source, on which the final model
   is evaluated (macro-F1 over the topical labels that source has, and the confusion matrix).

scikit-learn (a camel-tools dependency) is imported here only; the run-time scorer needs NumPy.
Training is deterministic: the same corpora give the same weights.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from transforms.topics import model_from_arrays, topic_terms, topics

TAXONOMY_PATH = Path(__file__).parent / "taxonomy.tsv"
REGION_AS_POLITICS = ("internationalNews", "middleEast")
RECIPE = {"C": 4.0, "title_weight": 2, "min_df": 5, "relabel_threshold": 0.5, "max_iter": 300}


def taxonomy() -> dict[str, str]:
    """ANT category → topic, ``region`` or ``none``."""
    rows = [line.split("\t") for line in TAXONOMY_PATH.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return {a: b for a, b in rows}


def _matrix(terms: pl.DataFrame, vocab: pl.DataFrame, n_docs: int):
    """The scorer's features as a sparse matrix: ``l2norm(log1p(count))`` over the vocabulary."""
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    hits = terms.join(vocab, on="term", how="inner")
    x = sp.csr_matrix((np.log1p(hits["n"].to_numpy().astype(np.float64)),
                       (hits["row"].to_numpy(), hits["idx"].to_numpy())), shape=(n_docs, vocab.height))
    return normalize(x)


def _fit(x, y: np.ndarray, recipe: dict):
    from sklearn.linear_model import LogisticRegression

    keep = y != None  # noqa: E711 (numpy object array)
    return LogisticRegression(C=recipe["C"], max_iter=recipe["max_iter"], class_weight="balanced").fit(
        x[keep], y[keep].tolist())


def train_topics(docs: pl.DataFrame, holdout: str | None = "BBC", recipe: dict | None = None) -> tuple[dict, dict]:
    """``(model, report)``: the arrays ``model.npz`` holds and the held-out evaluation."""
    recipe = {**RECIPE, **(recipe or {})}
    tax = taxonomy()
    cat = docs["category"].to_numpy()
    src = docs["source_name"].to_numpy()
    mapped = np.array([tax.get(c) if tax.get(c) not in (None, "region", "none") else None for c in cat], dtype=object)
    train_rows = src != holdout
    terms = topic_terms(docs, recipe["title_weight"])
    df = (terms.filter(pl.col("row").is_in(np.flatnonzero(train_rows).astype(np.uint32)))
          .group_by("term").agg(df=pl.len()).filter(pl.col("df") >= recipe["min_df"]).sort("term"))
    vocab = df.select("term", idx=pl.int_range(pl.len(), dtype=pl.UInt32))
    x = _matrix(terms, vocab, docs.height)

    y0 = np.where(train_rows, mapped, None)
    first = _fit(x, y0, recipe)
    regions = np.flatnonzero(train_rows & np.isin(cat, REGION_AS_POLITICS))
    elsewhere = np.zeros(len(regions), dtype=bool)
    if len(regions):
        p = first.predict_proba(x[regions])
        elsewhere = (first.classes_[p.argmax(1)] != "politics") & (p.max(1) > recipe["relabel_threshold"])
    y = y0.copy()
    y[regions] = "politics"
    y[regions[elsewhere]] = None
    final = _fit(x, y, recipe)

    # float16 weights are what ships; the evaluation scores with them, through the run-time scorer
    coef, intercept = final.coef_, final.intercept_
    if len(final.classes_) == 2:  # sklearn's binary form: one logit, the second class's
        coef, intercept = np.vstack([np.zeros_like(coef), coef]), np.concatenate([[0.0], intercept])
    model = {"vocab": vocab["term"].to_list(), "W": coef.T.astype(np.float16),
             "b": intercept.astype(np.float32), "topics": [str(c) for c in final.classes_],
             "title_weight": recipe["title_weight"]}
    report = {"recipe": recipe, "holdout": holdout, "n_train": int((y != None).sum()),  # noqa: E711
              "n_vocab": vocab.height, "regions_in_training": int(len(regions)),
              "regions_left_out": int(elsewhere.sum()),
              "train_counts": {str(k): int(v) for k, v in zip(*np.unique(y[y != None].astype(str), return_counts=True))}}  # noqa: E711
    if holdout is not None and (~train_rows).any():
        pred = topics(docs.filter(pl.Series(~train_rows)), model_from_arrays(model))["topic"].to_numpy()
        held_mapped, held_cat = mapped[~train_rows], cat[~train_rows]
        test = held_mapped != None  # noqa: E711
        report["heldout"] = evaluate(held_mapped[test].tolist(), pred[test].tolist(), model["topics"])
        got, n = np.unique(pred[np.isin(held_cat, REGION_AS_POLITICS)].astype(str), return_counts=True)
        report["heldout_regions"] = {str(k): int(v) for k, v in zip(got, n)}
    return model, report


def evaluate(gold: list[str], pred: list[str], topics: list[str]) -> dict:
    """Per-label precision, recall and F1, macro-F1 over the labels present in ``gold``, and the
    confusion matrix (rows: gold labels present; columns: every topic)."""
    labels = sorted(set(gold))
    g, p = np.array(gold, dtype=object), np.array(pred, dtype=object)
    per = {}
    for lab in labels:
        tp = int(((g == lab) & (p == lab)).sum())
        prec = tp / max(int((p == lab).sum()), 1)
        rec = tp / max(int((g == lab).sum()), 1)
        per[lab] = {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
                    "n": int((g == lab).sum())}
    return {"macro_f1": float(np.mean([v["f1"] for v in per.values()])) if per else 0.0, "per_label": per,
            "accuracy": float((g == p).mean()) if len(g) else 0.0, "topics": topics,
            "confusion": {lab: [int(((g == lab) & (p == t)).sum()) for t in topics] for lab in labels}}


def format_topic_report(report: dict) -> str:
    """The text ``akhbar train-topics`` prints; the held-out block ends with ``macro-F1: 0.xxx``."""
    lines = [f"trained on {report['n_train']} articles ({report['train_counts']}), {report['n_vocab']} terms; "
             f"{report['regions_in_training']} region articles, {report['regions_left_out']} of them left out as not politics"]
    ev = report.get("heldout")
    if ev:
        lines.append(f"held-out source {report['holdout']} (never seen in training), its mapped labels:")
        lines.append("label        n     precision recall  f1")
        for lab, v in ev["per_label"].items():
            lines.append(f"{lab:<12} {v['n']:<5} {v['precision']:.3f}     {v['recall']:.3f}   {v['f1']:.3f}")
        lines.append("confusion (rows: gold; columns: " + ", ".join(ev["topics"]) + ")")
        for lab, row in ev["confusion"].items():
            lines.append(f"{lab:<12} " + " ".join(f"{v:>5}" for v in row))
        lines.append(f"{report['holdout']} region articles predicted: {report.get('heldout_regions')}")
        lines.append(f"macro-F1: {ev['macro_f1']:.3f}")
    return "\n".join(lines)

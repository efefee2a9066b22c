"""Topic of each article from a linear classifier over its words (``documents.topic``).

The model (``model.npz``, written by ``akhbar train-topics``, see ``train.py``) is a multinomial
logistic regression over the terms of the title and the body: a term is a word of
``tone.text_words`` folded like ``text_key`` and made of two letters or more; ``x =
l2norm(log1p(count))`` with title terms counted ``title_weight`` times, ``p = softmax(x·W + b)``.
Scoring needs only NumPy and Polars: the distinct words of a batch are folded and looked up in the
vocabulary once, and the counts and sums are ``np.unique``/``np.bincount`` over integers.
Example: ``"ليفربول يفوز على تشيلسي في الدوري الإنجليزي"`` → ``sport``. Topics: ``politics``,
``economy``, ``sport``, ``technology``, ``culture``, ``society`` (``taxonomy.tsv`` maps ANT's
labels onto them).
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import polars as pl

from transforms.normalize import text_key
from transforms.tone import text_words

MODEL_PATH = Path(__file__).parent / "model.npz"
TOPICS_SCHEMA = {"doc_id": pl.Utf8, "topic": pl.Utf8, "topic_score": pl.Float64}


def term_of(word: pl.Expr) -> pl.Expr:
    """The term a word counts as: folded like ``text_key``, null unless two letters or more
    (digits and one-letter clitics carry no topic)."""
    key = text_key(word)
    return pl.when(key.str.contains(r"^\p{L}{2,}$")).then(key)


def document_words(docs: pl.DataFrame, sentences: pl.DataFrame | None = None,
                   words: pl.DataFrame | None = None) -> pl.DataFrame:
    """``row, tok, h``: the body words of each document (``row`` = its position in ``docs``), from
    ``clean_text``, or from ``words`` = ``text_words`` of ``sentences`` (same words: sentences cut
    ``clean_text`` at spaces)."""
    if words is None or sentences is None:
        return text_words(docs["clean_text"]).select("row", "tok", "h")
    at = sentences.select("doc_id").join(docs.select("doc_id", drow=pl.int_range(pl.len(), dtype=pl.UInt32)),
                                         on="doc_id", how="left", maintain_order="left")["drow"]
    h = words["h"] if "h" in words.columns else words["tok"].hash()
    return words.select(row=at.gather(words["row"]), tok="tok").with_columns(h=h)


def topic_terms(docs: pl.DataFrame, title_weight: int, body: pl.DataFrame | None = None) -> pl.DataFrame:
    """``row, term, n``: how often each term occurs in each document, title terms counted
    ``title_weight`` times (the training side; scoring computes the same counts on integers)."""
    body = (document_words(docs) if body is None else body).select("row", "tok")
    title = text_words(docs["title"]).select("row", "tok")
    terms = pl.concat([body.with_columns(w=pl.lit(1, pl.UInt32)),
                       title.with_columns(w=pl.lit(title_weight, pl.UInt32))])
    return (terms.with_columns(term=term_of(pl.col("tok"))).drop_nulls("term")
            .group_by("row", "term").agg(n=pl.col("w").sum()))


def model_from_arrays(arrays: dict) -> dict:
    """The scorer's form of a model: ``vocab`` (``term, idx, th``: ``th`` the term's 64-bit hash, which
    the scorer joins on), ``W`` (terms × topics), ``b``,
    ``topics`` and ``title_weight``, from the arrays ``model.npz`` holds."""
    vocab = [str(t) for t in arrays["vocab"]]
    terms = pl.DataFrame({"term": vocab, "idx": np.arange(len(vocab), dtype=np.uint32)})
    return {"vocab": terms.with_columns(th=pl.col("term").hash()),
            "W": np.asarray(arrays["W"], dtype=np.float32), "b": np.asarray(arrays["b"], dtype=np.float32),
            "topics": [str(t) for t in arrays["topics"]], "title_weight": int(arrays["title_weight"])}


@functools.cache
def load_model(path: str | None = None) -> dict:
    """The shipped model (or the one at ``path``), in the scorer's form (``model_from_arrays``)."""
    with np.load(path or MODEL_PATH, allow_pickle=False) as z:
        return model_from_arrays({k: z[k] for k in ("vocab", "W", "b", "topics", "title_weight")})


def topic_probabilities(docs: pl.DataFrame, body: pl.DataFrame, model: dict) -> tuple[np.ndarray, np.ndarray]:
    """``(p, has_terms)``: class probabilities (documents × topics) and whether a document has any
    vocabulary term (one without gets the bias alone). ``body``: ``row, tok`` and optionally ``h``
    (``document_words``). Distinct words are found by their hash, folded once and joined with the
    vocabulary on the hash of the term; the counts per (document, term) are ``np.unique`` over integers."""
    if "h" not in body.columns:
        body = body.with_columns(h=pl.col("tok").hash())
    title = text_words(docs["title"]).select("row", "tok", "h")
    both = pl.concat([body.select("h", "tok"), title.select("h", "tok")])
    types = (both[both["h"].arg_unique()].with_columns(term=term_of(pl.col("tok"))).drop_nulls("term")
             .select("h", th=pl.col("term").hash()).join(model["vocab"].select("th", "idx"), on="th").select("h", "idx"))
    hits = pl.concat([body.join(types, on="h").select("row", "idx", w=pl.lit(1.0)),
                      title.join(types, on="h").select("row", "idx", w=pl.lit(float(model["title_weight"])))])
    n_docs, n_terms = docs.height, model["vocab"].height
    key = hits["row"].to_numpy().astype(np.int64) * n_terms + hits["idx"].to_numpy()
    uniq, inverse = np.unique(key, return_inverse=True)
    x = np.log1p(np.bincount(inverse, weights=hits["w"].to_numpy(), minlength=len(uniq)))
    rows, idx = uniq // n_terms, uniq % n_terms
    norm = np.sqrt(np.bincount(rows, weights=x * x, minlength=n_docs))
    w = model["W"][idx]
    logits = np.stack([np.bincount(rows, weights=x * w[:, k], minlength=n_docs) for k in range(w.shape[1])], axis=1)
    logits = logits / np.where(norm > 0, norm, 1.0)[:, None] + model["b"]
    logits -= logits.max(axis=1, keepdims=True)
    p = np.exp(logits)
    return p / p.sum(axis=1, keepdims=True), norm > 0


def topics(docs: pl.DataFrame, model: dict | None = None, sentences: pl.DataFrame | None = None,
           words: pl.DataFrame | None = None) -> pl.DataFrame:
    """``doc_id, topic, topic_score`` for ``docs`` (``doc_id, title, clean_text``) with the shipped
    model or ``model`` (``model_from_arrays``); ``sentences`` and their ``text_words`` spare
    re-reading the text. A document with no known term gets null."""
    model = model or load_model()
    p, has_terms = topic_probabilities(docs, document_words(docs, sentences, words), model)
    names = np.array(model["topics"], dtype=object)
    return pl.DataFrame({
        "doc_id": docs["doc_id"],
        "topic": pl.Series(names[p.argmax(axis=1)] if docs.height else [], dtype=pl.Utf8),
        "topic_score": pl.Series(p.max(axis=1) if docs.height else [], dtype=pl.Float64),
        "known": has_terms,
    }).select("doc_id", *(pl.when("known").then(c).alias(c) for c in ("topic", "topic_score"))).cast(TOPICS_SCHEMA)

"""``mentions(sentences)``: entity mentions with document offsets, plus document-level consistency.

Input columns: ``sentence_id, doc_id, start_char`` (sentence offset in the document's ``clean_text``),
``text``. Output columns: ``mention_id, doc_id, sentence_id, start_char, end_char, surface, label,
score, method``; offsets are into the document, so ``clean_text[start_char:end_char] == surface``.
Example: a sentence at offset 120 with text ``"قال نيكولاي باتروشيف"`` gives
``(…, start_char=124, end_char=140, surface="نيكولاي باتروشيف", label="PERS", method="neural")``.

After the tagger, the sentence rules (``rules``) and then, per ``doc_id``, the document-level pass
(``consistency``: recurrences tagged, last names linked to their person, joined names split,
majority labels), plain Python over one batch (``method="consistency"`` marks its additions).
"""
from __future__ import annotations

import os
from collections import defaultdict
from functools import lru_cache

import polars as pl

from transforms.ids import stable_id
from transforms.ner.conll import spans
from transforms.ner.consistency import consistency
from transforms.ner.gazetteer import place_words, rule_gazetteer
from transforms.ner.rules import apply_rules
from transforms.ner.tagger import (NEURAL_FILES, fast_tagger, neural_path, release_tables, resolved_backend,
                                  tag_with)
from transforms.ner.text import norm, token_surfaces, word_key

SCHEMA = {
    "mention_id": pl.Utf8, "doc_id": pl.Utf8, "sentence_id": pl.Utf8, "start_char": pl.Int64,
    "end_char": pl.Int64, "surface": pl.Utf8, "label": pl.Utf8, "score": pl.Float64, "method": pl.Utf8,
}
CHUNK_SENTENCES = 4000  # ~600 articles of the shared corpus (6.8 sentences each)
# The BiLSTM-CRF's spans below this probability are dropped (``min_score``): chosen on the news dev
# articles, where spans under it are wrong more often than right (docs/ner.md, "Confidence").
MIN_SCORE = 0.4


def mentions(sentences: pl.DataFrame, backend: str = "default", model_path: str | None = None,
             chunk_sentences: int = CHUNK_SENTENCES) -> pl.DataFrame:
    """Entity mentions of every sentence (see the module docstring for columns).

    ``backend``: "default" (the shipped model), "neural", "large" (the slower, more accurate BiLSTM),
    "crf" or "camel" (camel-tools' BERT, only if its data is installed — else ``CamelModelMissing``). ``model_path`` overrides the model file.

    Whole documents at a time, about ``chunk_sentences`` sentences each (the consistency pass
    needs a document's sentences together): the sentences as Python rows, their tokens and spans
    are this stage's working memory, held per chunk rather than per batch (same rows, same
    order).
    """
    parts = [_mentions(part, backend, model_path) for part in _document_chunks(sentences, chunk_sentences)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=SCHEMA)


def _document_chunks(sentences: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """``sentences`` cut into runs of whole documents (in order of first appearance) of ~``size`` rows."""
    if sentences.height <= size:
        return [sentences] if sentences.height else []
    per_doc = sentences.group_by("doc_id", maintain_order=True).len()
    chunk = per_doc.select("doc_id", _chunk=((pl.col("len").cum_sum() - pl.col("len")) // size).cast(pl.UInt32))
    tagged = sentences.join(chunk, on="doc_id", how="left", maintain_order="left")
    return [part.drop("_chunk") for part in tagged.partition_by("_chunk", maintain_order=True)]


def _mentions(sentences: pl.DataFrame, backend: str, model_path: str | None) -> pl.DataFrame:
    rows = sentences.select("sentence_id", "doc_id", "start_char", "text").to_dicts()
    words = [token_surfaces(r["text"] or "") for r in rows]
    found: list[list[tuple[int, int, str, float, str]]]
    kind = resolved_backend(backend)
    if kind in NEURAL_FILES:
        # spans straight from the tag arrays: no per-token (tag, probability) tuples
        found = [[(a, b, label, sc, kind) for a, b, label, sc in sent]
                 for sent in fast_tagger(neural_path(kind, model_path)).spans(words)]
    else:
        tagged, method = tag_with(backend, words, model_path)
        found = []
        for tags in tagged:
            sent = []
            if any(t != "O" for t, _ in tags):  # most sentences have no entity: skip the span walk
                for label, a, b in spans([t for t, _ in tags]):
                    sent.append((a, b, label, sum(p for _, p in tags[a:b]) / (b - a), method))
            found.append(sent)
    keys = [_key(w) for w in words]
    gaz = rule_gazetteer(backend, model_path)
    for k, sent in zip(keys, found):
        apply_rules(k, sent, gaz)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_doc[r["doc_id"]].append(i)
    places = place_words(backend, model_path)
    for idx in by_doc.values():
        consistency([keys[i] for i in idx], [found[i] for i in idx], places)
    if kind in NEURAL_FILES:
        floor = min_score()
        found = [[s for s in sent if s[3] >= floor] for sent in found]
    out = []
    for i, (r, sent) in enumerate(zip(rows, found)):
        if not sent:
            continue
        text, toks = r["text"], words[i]
        at = _starts(text, toks, max(b for _, b, *_ in sent))  # offsets only where there is a mention
        base = r["start_char"] or 0
        for a, b, label, sc, how in sorted(sent):
            s, e = at[a], at[b - 1] + len(toks[b - 1])
            out.append({
                "mention_id": stable_id(r["doc_id"], base + s, base + e, label), "doc_id": r["doc_id"],
                "sentence_id": r["sentence_id"], "start_char": base + s, "end_char": base + e,
                "surface": text[s:e], "label": label,
                "score": round(float(sc), 4), "method": how,
            })
    return pl.DataFrame(out, schema=SCHEMA).unique("mention_id", keep="first", maintain_order=True)


def min_score() -> float:
    """The probability a BiLSTM span needs to be kept: ``AKHBAR_NER_MIN_SCORE`` when set (``0`` keeps
    every span the tagger finds), else :data:`MIN_SCORE`."""
    return float(os.environ.get("AKHBAR_NER_MIN_SCORE") or MIN_SCORE)


def release_caches() -> None:
    """Drop what ``mentions`` keeps between calls in this process (token keys, the taggers' surface
    tables and sentence caches); the next call rebuilds what it needs and returns the same rows."""
    _tok_key.cache_clear()
    release_tables()


@lru_cache(maxsize=200_000)
def _tok_key(token: str) -> str:
    return word_key(norm(token))


def _key(tokens: list[str]) -> tuple[str, ...]:
    return tuple(map(_tok_key, tokens))


def _starts(text: str, surfaces: list[str], upto: int) -> list[int]:
    """Start offsets in ``text`` of its first ``upto`` tokens (``surfaces`` = ``token_surfaces(text)``).

    Only whitespace and lone bidi marks lie between two tokens, so each token starts at the next
    occurrence of its surface after the previous one: ``str.find`` instead of a second regex pass."""
    out: list[int] = []
    pos, find = 0, text.find
    for tok in surfaces[:upto]:
        pos = find(tok, pos)
        out.append(pos)
        pos += len(tok)
    return out

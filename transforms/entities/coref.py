"""In-document coreference of person names: a short form joins the one full name it belongs to.

In an article that says ``سيرغي لافروف`` once and ``لافروف`` ten times, every ``لافروف`` is the
same person; ``بوتين`` joins ``فلاديمير بوتين`` and ``وانغ`` joins ``وانغ يي``.  Rule: a PERS key
of one or two tokens that is a contiguous run of the tokens of *exactly one* maximal PERS key in
the same document takes that key; when two different full names contain it (two people called
``عباس``), it stays alone — no merge without evidence.  A run right after a compound particle
(``بن``، ``آل``، ``عبد``، ``أبو``) is not a short form, and ``noise`` keys (titles, nationality
words: ``السعودي``) never are.
"""
from __future__ import annotations

import polars as pl

from transforms.entities.key import key_of


_MAX_SHORT = 2  # a 3-token name is a full name, not a short form
_COMPOUND = frozenset(key_of(w) for w in ("عبد", "أبو", "أبي", "ابن", "بن", "بنت", "آل", "ذو"))


def _contains(long: list[str], short: list[str]) -> bool:
    """Contiguous run, not starting right after a compound particle: ``سلمان`` is not a short
    form of ``محمد بن سلمان``, nor ``الشيخ`` of ``تركي آل الشيخ``."""
    n = len(short)
    return any(long[i:i + n] == short and (i == 0 or long[i - 1] not in _COMPOUND)
               for i in range(len(long) - n + 1))


def _resolve_doc(keys: list[str], noise: frozenset[str] = frozenset()) -> dict[str, str]:
    toks = {k: k.split(" ") for k in keys if k}
    out = {}
    for k, t in toks.items():
        if len(t) > _MAX_SHORT or k in noise:
            continue
        longer = [o for o, ot in toks.items() if len(ot) > len(t) and _contains(ot, t)]
        maximal = [o for o in longer if not any(
            len(toks[p]) > len(toks[o]) and _contains(toks[p], toks[o]) for p in longer)]
        if len(maximal) == 1:
            out[k] = maximal[0]
    return out


def person_coref(pers: pl.DataFrame, noise: frozenset[str] = frozenset()) -> pl.DataFrame:
    """Input ``doc_id, key`` of PERS mentions → ``doc_id, key, coref_key`` (one row per distinct
    pair; ``coref_key`` is the full name's key or the key itself).

    Example: keys ``["سيرجي افروف", "افروف"]`` in one doc → ``افروف`` gets ``سيرجي افروف``.
    Python per document (token-subsequence matching has no Polars expression); it runs once
    over the distinct keys of each document, which are few.
    """
    pairs = pers.select("doc_id", "key").unique().sort("doc_id", "key")
    rows: list[tuple] = []
    docs, keys = pairs["doc_id"].to_list(), pairs["key"].to_list()
    i = 0
    while i < len(docs):
        j = i
        while j < len(docs) and docs[j] == docs[i]:
            j += 1
        mapping = _resolve_doc(keys[i:j], noise)
        rows.extend((docs[i], k, mapping.get(k, k)) for k in keys[i:j])
        i = j
    return pl.DataFrame(rows, schema={"doc_id": pairs.schema["doc_id"], "key": pl.Utf8,
                                      "coref_key": pl.Utf8}, orient="row")

"""Stories: articles that report the same story, across sources (near-duplicate clustering).

``shingles(docs)`` turns ``doc_id, text_key`` into hashed shingles (stored per document); the
warehouse joins them over the WHOLE collection into same-story pairs (``STORY_PARAMS``), and
``stories_from_pairs`` clusters those into ``story_id, doc_id, similarity``.  Method — an exact
inverted index instead of MinHash/LSH (no false negatives, deterministic, and out-of-core in
DuckDB):

1. shingles = word 3-grams of ``text_key`` (the matching layer, so وانغ/وانغ spelled with or
   without hamza or diacritics agree), hashed to u64;
2. a shingle shared by more than ``max_df`` documents is a stock phrase or site furniture and
   carries no evidence; the rest are joined on the hash to count shared shingles per pair;
3. two documents are the same story when the shared shingles cover ``min_containment`` of the
   smaller one (containment, not Jaccard: a short wire story inside a long report is the same
   story) with at least ``min_shared`` shingles, and, when both dates are known, they were
   published within ``max_days`` of each other;
4. clusters are connected components; ``story_id`` = ``stable_id`` of the smallest ``doc_id``.

Example: seed 003 (عمان: «لافروف في بكين…») and seed 004 (لافروف في الصين…) share the quote
«نتائج الانتخابات أكدت ثقة الشعب الروسي العميقة بزعيمنا…» and one story.
"""
from __future__ import annotations

import polars as pl

from transforms.ids import stable_id

OUT_SCHEMA = {"story_id": pl.Utf8, "doc_id": pl.Utf8, "similarity": pl.Float64}


def shingles(docs: pl.DataFrame, n: int = 3, slice_docs: int = 256) -> pl.DataFrame:
    """``(doc_id, shingle: u64)`` distinct word ``n``-grams of ``text_key`` per document.

    Computed per batch in the transform stage and stored (``doc_shingles``), so clustering the
    whole collection never re-reads its text.  Polars' seeded hash is deterministic for a given
    Polars version, which ``constraints.txt`` pins.  E.g. ``لافروف في بكين اليوم`` gives the
    hashes of ``لافروف في بكين`` and ``في بكين اليوم``.

    ``slice_docs`` documents at a time, with the same rows: every token of a slice is exploded
    next to two shifted copies, so the working memory is bounded by the slice, not the batch.
    """
    parts = [_shingles_slice(docs.slice(o, slice_docs), n) for o in range(0, docs.height, slice_docs)]
    return pl.concat(parts) if parts else pl.DataFrame(schema={"doc_id": pl.Utf8, "shingle": pl.UInt64})


def _shingles_slice(docs: pl.DataFrame, n: int) -> pl.DataFrame:
    # a gram is whole when its last token is in the same document as its first (rows are
    # contiguous per document after the explode): no window over doc_id strings needed
    tokens = (
        docs.select(row=pl.int_range(pl.len(), dtype=pl.UInt32),
                    tok=pl.col("text_key").fill_null("").str.extract_all(r"[\p{L}\p{N}]+"))
        .explode("tok")
        .drop_nulls("tok")
    )
    whole = pl.col("row").shift(-(n - 1)) == pl.col("row")
    grams = tokens.select(
        "row",
        shingle=pl.when(whole).then(
            pl.concat_str([pl.col("tok"), *[pl.col("tok").shift(-i) for i in range(1, n)]], separator=" ").hash(seed=7)),
    ).drop_nulls("shingle").unique()
    return grams.select(doc_id=docs["doc_id"].gather(grams["row"]), shingle="shingle")


def _components(edges: list[tuple[str, str]]) -> dict[str, str]:
    """Union-find over doc_id pairs → smallest doc_id of each component (deterministic)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in parent}


# Same-story test (see module docstring); the warehouse computes candidate pairs with these.
STORY_PARAMS = {"min_containment": 0.05, "min_shared": 15, "max_df": 30, "max_days": 7}


def stories_from_pairs(pairs: pl.DataFrame) -> pl.DataFrame:
    """Cluster same-story pairs ``(doc_a, doc_b, containment)`` into ``story_id, doc_id, similarity``.

    ``similarity`` is a document's best containment with another member of its story.
    """
    if pairs.height == 0:
        return pl.DataFrame(schema=OUT_SCHEMA)
    roots = _components(list(zip(pairs["doc_a"].to_list(), pairs["doc_b"].to_list())))
    best = (
        pl.concat([pairs.select(doc_id="doc_a", s="containment"), pairs.select(doc_id="doc_b", s="containment")])
        .group_by("doc_id").agg(similarity=pl.col("s").cast(pl.Float64).max())
    )
    members = pl.DataFrame({"doc_id": list(roots), "root": list(roots.values())})
    return (
        members.with_columns(story_id=pl.col("root").map_elements(lambda r: stable_id("story", r), return_dtype=pl.Utf8))
        .join(best, on="doc_id")
        .select(list(OUT_SCHEMA))
        .sort("story_id", "doc_id")
    )

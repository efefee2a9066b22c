"""Near-duplicate stories: seeds 003 and 004 (Lavrov in Beijing, April 2024) are one story; no
other seed pair is."""
from __future__ import annotations

from pathlib import Path

import polars as pl
from hypothesis import given, settings, strategies as st

from transforms.stories import STORY_PARAMS, shingles, stories_from_pairs
from warehouse import db


def test_seed_story_clusters(seeds_warehouse: Path) -> None:
    con = db.connect(seeds_warehouse, read_only=True)
    rows = con.execute(
        "SELECT story_id, list(split_part(d.source_uri, '/', -1)[1:3] ORDER BY d.source_uri) "
        "FROM stories s JOIN documents d USING (doc_id) GROUP BY story_id"
    ).fetchall()
    assert [r[1] for r in rows] == [["003", "004"]]


def _stories(texts: list[str], order: list[int] | None = None) -> pl.DataFrame:
    """Run the real path: shingles (transform) → pairs (DuckDB) → clusters (transform)."""
    return stories_from_pairs(_pairs(texts, order))


def _pairs(texts: list[str], order: list[int] | None = None) -> pl.DataFrame:
    """Same-story pairs of ``texts`` (documents ``d000``, ``d001``, …) from a fresh warehouse."""
    import tempfile

    from warehouse.stories import story_pairs

    docs = pl.DataFrame({"doc_id": [f"d{i:03d}" for i in range(len(texts))], "text_key": texts})
    if order is not None:
        docs = docs[order]
    with tempfile.TemporaryDirectory() as tmp:
        con = db.connect(tmp)
        con.register("d", docs.to_arrow())
        con.execute("INSERT INTO documents (doc_id, source_uri, source_id, content_sha256, raw_text, ingested_at, run_id)"
                    " SELECT doc_id, doc_id, 's', doc_id, text_key, now(), 'r' FROM d")
        con.register("sh", shingles(docs).to_arrow())
        con.execute("INSERT INTO doc_shingles SELECT doc_id, shingle FROM sh")
        out = story_pairs(con, **STORY_PARAMS)
        con.close()
    return out


def test_copy_with_edits_is_same_story_and_unrelated_is_not() -> None:
    base = " ".join(f"كلمة{i} خبر{i % 7} نص{i % 11}" for i in range(200))
    other = " ".join(f"موضوع{i} آخر{i % 5}" for i in range(200))
    edited = base.replace("كلمة5 ", "كلمة٥ ") + " خاتمة مختلفة"
    out = _stories([base, edited, other])
    assert sorted(out["doc_id"]) == ["d000", "d001"]
    assert out["story_id"].n_unique() == 1


@settings(max_examples=10, deadline=None)
@given(st.permutations(list(range(4))))
def test_story_ids_do_not_depend_on_order(perm) -> None:
    base = " ".join(f"ك{i} ن{i % 13}" for i in range(120))
    texts = [base, base + " ذيل", "مختلف " * 50, base[:400]]
    assert _stories(texts).equals(_stories(texts, list(perm)))


def test_pairs_do_not_depend_on_pass_and_slice_sizes(monkeypatch) -> None:
    """``story_pairs`` in many shingle passes and document slices (sizes forced tiny) returns
    exactly the pairs of one pass and one slice: a pair is counted wholly in its first document's
    slice, and document frequency is exact per shingle pass."""
    from warehouse import stories

    base = " ".join(f"ك{i} ن{i % 13} خبر{i % 7}" for i in range(150))
    other = " ".join(f"موضوع{i} آخر{i % 5}" for i in range(150))
    texts = [base, base + " ذيل", other, base[:700], other + " نهاية", "مختلف " * 40]
    whole = _pairs(texts)
    assert whole.height >= 3  # several pairs, so the slices below split them
    monkeypatch.setattr(stories, "SHINGLES_PER_PASS", 50)
    monkeypatch.setattr(stories, "LEFT_ROWS_PER_SLICE", 40)
    seen: list[int] = []
    slices = stories._slices
    monkeypatch.setattr(stories, "_slices", lambda con: seen.append(len(out := slices(con))) or out)
    assert _pairs(texts).equals(whole)
    assert seen[0] > 1  # the join really ran in several slices



def _shingles_reference(docs: pl.DataFrame, n: int = 3) -> pl.DataFrame:
    """The straightforward form (no slices): every token next to its successors in its document."""
    tokens = (docs.select("doc_id", tok=pl.col("text_key").fill_null("").str.extract_all(r"[\p{L}\p{N}]+"))
              .explode("tok").drop_nulls("tok"))
    grams = tokens.with_columns([pl.col("tok").shift(-i).over("doc_id").alias(f"t{i}") for i in range(1, n)]).drop_nulls()
    return grams.select("doc_id", shingle=pl.concat_str(["tok", *[f"t{i}" for i in range(1, n)]], separator=" ")
                        .hash(seed=7)).unique()


def test_shingles_stay_inside_each_document() -> None:
    """Three-word grams of one document only: «لافروف في بكين اليوم» has 2, «قال الوزير» (two
    words) and an empty text none, and no gram joins the end of one text to the next."""
    docs = pl.DataFrame({"doc_id": ["a", "b", "c", "d"],
                         "text_key": ["لافروف في بكين اليوم", "قال الوزير", None, "بكين اليوم قال"]})
    out = shingles(docs)
    assert out.filter(pl.col("doc_id") == "a").height == 2
    assert out.filter(pl.col("doc_id").is_in(["b", "c"])).height == 0
    # «بكين اليوم قال» is a gram of d only: it would also come from a's tail + b's head if grams crossed
    assert out.filter(pl.col("doc_id") == "d").height == 1
    assert out.height == 3


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["لافروف", "في", "بكين", "قال", "الوزير", "٢٠٢٤"]), max_size=8), max_size=12),
       st.integers(1, 5))
def test_shingles_in_slices_equal_the_whole_batch(texts: list[list[str]], slice_docs: int) -> None:
    """Slicing the batch (to bound memory) changes no row, whatever the slice size."""
    docs = pl.DataFrame({"doc_id": [f"d{i:03d}" for i in range(len(texts))], "text_key": [" ".join(t) for t in texts]},
                        schema={"doc_id": pl.Utf8, "text_key": pl.Utf8})
    got = shingles(docs, slice_docs=slice_docs).sort("doc_id", "shingle")
    assert got.equals(_shingles_reference(docs).sort("doc_id", "shingle"))
    assert got.schema == {"doc_id": pl.Utf8, "shingle": pl.UInt64}

"""On the seed articles, the entities a reader would list are found (issue 4, acceptance 3).

The sentences are the pipeline's own (``records`` → ``clean_documents`` → ``sentences``, as the
flow computes them), so a name counts only if the flow's ``mentions`` would hold it, and it must be
the whole span (a proclitic before it allowed): ``منظمة شنغهاي`` does not count for
``منظمة شنغهاي للتعاون``, nor does a span that runs on into a photo credit.
"""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import regex

from transforms.ner import mentions

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
EXPECTED = [
    ("نيكولاي باتروشيف", "PERS"),
    ("وانغ يي", "PERS"),
    ("سيرغي شويغو", "PERS"),
    ("غوو شنغكون", "PERS"),
    ("منظمة شنغهاي للتعاون", "ORG"),  # the tagger stops before للتعاون; rules.institution_names
    ("الحزب الشيوعي الصيني", "ORG"),  # by rule: ANERcorp leaves most parties but حزب الله untagged
    ("نانبينغ", "LOC"),
    ("كازان", "LOC"),
]


def seed_documents() -> pl.DataFrame:
    """The seeds as the flow cleans them: ``doc_id, clean_text, …``."""
    from transforms.clean import clean_documents
    from transforms.pipeline import with_identity
    from transforms.records import records

    files = sorted(SEEDS.glob("*.txt"))
    inputs = pl.DataFrame(
        [{"source_uri": p.name, "payload": p.read_bytes(), "n_bytes": p.stat().st_size, "ext": ".txt"} for p in files],
        schema={"source_uri": pl.Utf8, "payload": pl.Binary, "n_bytes": pl.Int64, "ext": pl.Utf8})
    docs, rejects = records(inputs)
    assert rejects.height == 0, rejects
    return clean_documents(with_identity(docs))[0]


def seed_sentences() -> pl.DataFrame:
    """The flow's sentence rows of the seeds: ``sentence_id, doc_id, start_char, text``."""
    from transforms.segment import sentences

    return sentences(seed_documents())


def names(name: str) -> regex.Pattern:
    """The span ``name`` alone, behind proclitics allowed (``لمنظمة …``, ``للحزب …``)."""
    alts = [regex.escape(name)]
    if name.startswith("ال"):
        alts.append("لل" + regex.escape(name[2:]))  # ل + ال → لل
    return regex.compile(r"[وف]?(?:[بكل])?(?:" + "|".join(alts) + ")")


@pytest.fixture(scope="module")
def seed_mentions() -> pl.DataFrame:
    if not any(SEEDS.glob("*.txt")):
        pytest.skip("no seeds/*.txt")
    return mentions(seed_sentences())


@pytest.fixture(scope="module", params=["default", "large"])
def backend_mentions(request: pytest.FixtureRequest, seed_mentions: pl.DataFrame) -> pl.DataFrame:
    """The seeds' mentions with the shipped default and with the slower option (``--ner large``)."""
    return seed_mentions if request.param == "default" else mentions(seed_sentences(), backend=request.param)


@pytest.mark.parametrize(("name", "label"), EXPECTED)
def test_reader_entities_are_found(backend_mentions: pl.DataFrame, name: str, label: str) -> None:
    pattern = names(name)
    hits = backend_mentions.filter(pl.col("surface").map_elements(lambda s: pattern.fullmatch(s) is not None,
                                                                  return_dtype=pl.Boolean))
    near = backend_mentions.filter(pl.col("surface").str.contains(name.split()[-1], literal=True))["surface"]
    assert hits.height > 0, f"{name} not found as a whole span; spans with its last word: {near.to_list()}"
    assert label in hits["label"].to_list(), f"{name}: labels {hits['label'].unique().to_list()}"


def test_offsets_match_seed_text(seed_mentions: pl.DataFrame) -> None:
    texts = dict(seed_documents().select("doc_id", "clean_text").iter_rows())
    for row in seed_mentions.iter_rows(named=True):
        assert texts[row["doc_id"]][row["start_char"] : row["end_char"]] == row["surface"]


def test_chunks_of_whole_documents_give_the_same_mentions(seed_mentions: pl.DataFrame) -> None:
    """``mentions`` works on runs of whole documents (bounded memory); a chunk size far below one
    document's sentence count must neither split a document (the consistency pass needs all of
    it) nor change a row or its order."""
    from transforms.ner.mentions import _document_chunks

    sents = seed_sentences()
    chunks = _document_chunks(sents, 3)
    assert [c["doc_id"].unique().to_list() for c in chunks] == [[d] for d in sents["doc_id"].unique(maintain_order=True)]
    assert pl.concat(chunks).equals(sents)
    assert mentions(sents, chunk_sentences=3).equals(seed_mentions)


def test_no_person_is_a_word_the_tagger_ran_on_into(seed_mentions: pl.DataFrame) -> None:
    """``بوتين لولاية`` ("Putin for a [new] term") and ``بوتين سيسافر`` ("Putin will travel"): the
    document pass cuts off the word the tagger ran on into rather than splitting the span into
    ``بوتين`` + a person ``لولاية`` / ``سيسافر``; the person stays ``بوتين``."""
    people = set(seed_mentions.filter(pl.col("label") == "PERS")["surface"].to_list())
    assert not [p for p in people if "لولاية" in p or "سيسافر" in p], sorted(people)

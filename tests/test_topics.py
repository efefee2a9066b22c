"""Topics: golden headlines, the run-time scorer against the training features, shared words,
empty documents, the taxonomy and deterministic training."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from transforms.segment import sentences
from transforms.tone import text_words
from transforms.topics import load_model, model_from_arrays, topic_probabilities, topic_terms, topics
from transforms.topics.train import _matrix, taxonomy, train_topics

GOLDEN = Path(__file__).parent / "golden" / "topics"
HEADLINES = [json.loads(line) for line in (GOLDEN / "headlines.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]


def _docs(texts: list[str], titles: list[str] | None = None) -> pl.DataFrame:
    return pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "title": titles or [None] * len(texts),
                         "clean_text": texts}, schema={"doc_id": pl.Utf8, "title": pl.Utf8, "clean_text": pl.Utf8})


@pytest.mark.parametrize("case", HEADLINES, ids=[c["id"] for c in HEADLINES])
def test_golden_headline(case: dict) -> None:
    got = topics(_docs([case["input"]], [case["input"]])).row(0, named=True)
    assert got["topic"] == case["expected"], case["note"]
    assert 0.0 < got["topic_score"] <= 1.0


def test_scorer_equals_the_training_features() -> None:
    model = load_model()
    docs = _docs([h["input"] + " " + h["input"] for h in HEADLINES], [h["input"] for h in HEADLINES])
    x = _matrix(topic_terms(docs, model["title_weight"]), model["vocab"], docs.height)
    logits = x @ model["W"] + model["b"]
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    got, _ = topic_probabilities(docs, text_words(docs["clean_text"]).select("row", "tok"), model)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)


def test_shared_sentence_words_give_the_same_topics() -> None:
    docs = _docs(["فاز الفريق بالبطولة.\n\nوقال المدرب إن اللاعبين قدموا أداء رائعا.", "", "ارتفعت أسعار النفط. وتراجع الدولار."],
                 ["فوز الفريق", None, "النفط"])
    sents = sentences(docs)
    alone = topics(docs)
    shared = topics(docs, sentences=sents, words=text_words(sents["text"]))
    assert alone.equals(shared)
    assert alone.row(1, named=True) == {"doc_id": "d1", "topic": None, "topic_score": None}


def test_taxonomy_covers_every_ant_category() -> None:
    tax = taxonomy()
    for cat in ("culture", "economy", "sport", "technology", "politic", "society", "internationalNews",
                "middleEast", "localNews", "diverse"):
        assert cat in tax
    assert set(v for v in tax.values() if v not in ("region", "none")) == set(load_model()["topics"])


def test_training_is_deterministic_and_scores_its_holdout() -> None:
    rows = [("sport", "A", "فاز الفريق بالمباراة وسجل المهاجم هدفين في الدوري"), ("economy", "A", "ارتفعت أسعار النفط وتراجع الدولار في البورصة"),
            ("sport", "B", "خسر المنتخب المباراة وأقيل المدرب بعد الدوري"), ("economy", "B", "تراجع النمو الاقتصادي وارتفع التضخم في البورصة")] * 6
    docs = pl.DataFrame({"doc_id": [f"d{i}" for i in range(len(rows))], "category": [r[0] for r in rows],
                         "source_name": [r[1] for r in rows], "title": [None] * len(rows), "clean_text": [r[2] for r in rows]})
    recipe = {"min_df": 1, "max_iter": 50}
    a, report = train_topics(docs, "B", recipe)
    b, _ = train_topics(docs, "B", recipe)
    assert a["vocab"] == b["vocab"] and np.array_equal(a["W"], b["W"]) and np.array_equal(a["b"], b["b"])
    assert report["heldout"]["macro_f1"] == 1.0
    assert topics(docs.head(2), model_from_arrays(a))["topic"].to_list() == ["sport", "economy"]

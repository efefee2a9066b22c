"""The news NER corpus (``transforms/ner/data/news``): it loads, aligns, and its splits hold out sources."""
from __future__ import annotations

from collections import Counter

from transforms.ner.news import (TEST_SOURCES, bio, corpus, document_gold, load_annotations, load_articles,
                                 fixed_dev_ids, training_sentences)


def test_every_article_annotated_and_aligned() -> None:
    arts, notes = load_articles(), load_annotations()
    assert len(arts) >= 400 and set(notes) == set(arts)
    assert all(a["corpus"] in ("ant_multisource", "ant_jawharafm") for a in arts.values())  # never SaudiNewsNet
    for i, row in notes.items():
        assert all(m["label"] in ("PERS", "LOC", "ORG", "MISC", "O") for m in row["mentions"]), i


def test_splits_are_disjoint_by_source() -> None:
    train, test = corpus("train"), corpus("test")
    train_sources = {a["source"] for a, _ in train}
    test_sources = {a["source"] for a, _ in test}
    assert test_sources == set(TEST_SOURCES) and not train_sources & test_sources
    assert len(train_sources) == 5 and len(test) >= 60
    tr, dev = training_sentences()
    assert tr and dev and not {tuple(t) for t, _ in tr} & {tuple(t) for t, _ in dev if len(t) > 8}


def test_clitic_and_longest_match() -> None:
    """ولافروف matches لافروف; سرايا القدس is one ORG, not an ORG with القدس inside; للجيش matches الجيش."""
    sents = ["قال ولافروف إن سرايا القدس وللجيش الإسرائيلي في القدس"]
    ments = [{"surface": "لافروف", "label": "PERS"}, {"surface": "سرايا القدس", "label": "ORG"},
             {"surface": "القدس", "label": "LOC"}, {"surface": "الجيش الإسرائيلي", "label": "ORG"}]
    [(toks, tags)] = bio(sents, ments)
    assert tags == ["O", "B-PERS", "O", "B-ORG", "I-ORG", "B-ORG", "I-ORG", "O", "B-LOC"]


def test_test_gold_counts_match_the_bio() -> None:
    gold = document_gold("test")
    per_label = Counter()
    for d in gold.values():
        for m in d["mentions"]:
            per_label[m["label"]] += m["count"]
    spans = Counter(t[2:] for _, sents in corpus("test") for _, tags in sents for t in tags if t.startswith("B-"))
    assert per_label == spans


def test_dev_articles_are_fixed() -> None:
    """The epoch-picking articles are the listed ones (all annotated, all of training sources), so an added
    wave of articles goes to training and the dev figure stays comparable."""
    fixed = fixed_dev_ids()
    train = {a["id"]: sents for a, sents in corpus("train")}
    assert len(fixed) == 90 and fixed <= set(train)
    _, dev = training_sentences()
    assert sum(len(train[i]) for i in fixed) == len(dev)

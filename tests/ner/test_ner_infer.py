"""``FastTagger`` (NumPy: cached input projections + hand-rolled BiLSTM) tags exactly like ``NerNet.forward``."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from transforms.ner import read_conll, train
from transforms.ner.features import MAX_CHARS
from transforms.ner.infer import FastTagger
from transforms.ner.model import TAGS, viterbi
from transforms.ner.training import load

FIX = Path(__file__).parent / "fixtures"


def _reference(net, feat, sents: list[list[str]]) -> list[list[str]]:
    with torch.inference_mode():
        enc = feat.encode_batch(sents)
        # FastTagger pads every surface's characters to MAX_CHARS (see weights.char_tables)
        chars = enc["types_char"]
        enc["types_char"] = torch.nn.functional.pad(chars, (0, MAX_CHARS - chars.shape[1]))
        logp = torch.log_softmax(net(enc).float(), dim=-1)
        return [[TAGS[i] for i in p] for p in viterbi(logp, enc["lengths"], *net.transitions())]


@pytest.mark.parametrize("crf", [False, True])
def test_fast_path_matches_the_network(tmp_path: Path, crf: bool) -> None:
    words = ["قال", "الرئيس", "في", "موسكو", "منظمة", "شنغهاي", "للتعاون", "بوتين", "فلاديمير"]
    vec = tmp_path / "vectors.npz"
    np.savez_compressed(vec, words=np.array(words),
                        vectors=np.random.default_rng(0).normal(size=(9, 16)).astype(np.float16))
    train(FIX / "tiny_gold.txt", tmp_path / "m", vectors=vec, backend="neural", dev_fraction=0, epochs=3,
          hidden=8, type_dim=16, crf=crf, log=lambda m: None)
    net, feat = load(tmp_path / "m" / "ner.pt")
    if crf:  # three epochs learn near-zero transitions; large ones make the decode depend on them
        with torch.no_grad():
            net.trans.copy_(torch.randn(net.trans.shape, generator=torch.Generator().manual_seed(1)) * 3)
            net.start.copy_(torch.randn(net.start.shape, generator=torch.Generator().manual_seed(2)) * 3)
    sents = [toks for toks, _ in read_conll(FIX / "tiny_gold.txt")]
    sents += [["وقال", "بوتين", "،", "في", "موسكو", "اليوم"] * 7, [], ["كازان"]]
    sents += [[f"كلمة{i}{j}" for j in range(30)] + ["بوتين"] for i in range(40)]  # 1,200 new surfaces
    # with the smallest tiers (250 rows) and one sentence per batch, both tiers fill up and the
    # second one is emptied several times during the run
    for rows, batch in ((50_000, 8000), (1, 1)):
        fast = FastTagger.from_net(net, feat, cache_rows=rows, batch_tokens=batch, recent_rows=rows)
        got = fast.tag(sents)
        assert [[t for t, _ in s] for s in got] == _reference(net, feat, sents)
        assert all(0.0 <= p <= 1.0 for s in got for _, p in s)
    assert 250 - 42 <= len(fast._rows) <= 250 and 0 < len(fast._recent) <= 250  # a batch fits or goes to tier 2


def test_repeated_sentences_get_the_same_spans_from_the_cache(monkeypatch) -> None:
    """A sentence seen before (in this call or an earlier one) is not tagged again: its spans come
    from the bounded cache — the same spans as tagging it, also across the cache being emptied."""
    import transforms.ner.infer as infer
    from transforms.ner.tagger import load_model

    monkeypatch.setattr(infer, "SENTENCE_CACHE", 3)  # emptied whenever a call brings new sentences
    byline = "القاهرة ( رويترز ) -".split()
    sents = [byline, "قال نيكولاي باتروشيف إن روسيا".split(), byline, "زار وانغ يي موسكو".split(), [],
             "التقى سيرغي شويغو في كازان".split(), "قال نيكولاي باتروشيف إن روسيا".split(), []]
    fast = FastTagger(load_model())
    expected = fast._tag_spans(sents)

    def same(a: list, b: list) -> bool:  # scores differ in the 7th decimal with a sentence's place in its batch
        return [[s[:3] for s in x] for x in a] == [[s[:3] for s in x] for x in b] and all(
            abs(p[3] - q[3]) < 1e-5 for x, y in zip(a, b) for p, q in zip(x, y))

    assert any(expected[1]) and same([expected[1]], [expected[6]])

    for part in (slice(0, 3), slice(3, 6), slice(None), slice(5, None), slice(None)):
        got = fast.spans(sents[part])
        assert same(got, expected[part])
        for spans in got:
            spans.clear()  # callers own their lists: the cache keeps its own copy
    assert same(fast.spans([sents[1]]), [expected[1]])
    tagged: list[int] = []
    monkeypatch.setattr(fast, "_tag_spans", lambda todo: tagged.append(len(todo)) or expected[: len(todo)])
    fast.spans([sents[1], sents[1]])
    assert tagged == []  # both from the cache


def test_a_cache_emptied_while_tagging_loses_no_spans() -> None:
    """The default runner may tag from two threads with one tagger, so the cache can be emptied by
    the other thread between looking a sentence up and building the result: hits are kept apart."""
    from transforms.ner.tagger import load_model

    fast = FastTagger(load_model())
    seen, new = "قال الرئيس بوتين في موسكو".split(), "زار وانغ يي كازان".split()
    expected = fast._tag_spans([seen, new])
    fast.spans([seen])  # cached
    tag = fast._tag_spans

    def tag_while_another_thread_empties_the_cache(todo):
        fast._spans.clear()
        return tag(todo)

    fast._tag_spans = tag_while_another_thread_empties_the_cache
    got = fast.spans([seen, new])
    assert [[s[:3] for s in x] for x in got] == [[s[:3] for s in x] for x in expected]


def test_released_tables_are_empty_and_tagging_after_them_is_unchanged() -> None:
    """``release_tables`` (what the flow calls after its last batch with the thread runner) forgets
    every surface and sentence, and the next call recomputes them into the same spans."""
    from transforms.ner.mentions import release_caches
    from transforms.ner.tagger import fast_tagger

    sents = [s.split() for s in ("قال الرئيس فلاديمير بوتين في موسكو", "زار وانغ يي كازان امس",
                                 "وأكد نيكولاي باتروشيف أن منظمة شنغهاي للتعاون ستجتمع")]
    tagger = fast_tagger()
    before = tagger.spans(sents)
    table = tagger._proj
    release_caches()  # through the module function, as flows.memory.release_workers does
    assert tagger._rows == {} and tagger._recent == {} and tagger._spans == {}
    assert tagger._proj is not table and tagger._proj.shape == table.shape
    assert tagger.spans(sents) == before
    assert len(tagger._rows) >= len({t for s in sents for t in s})


def test_spans_below_the_probability_floor_are_dropped(monkeypatch) -> None:
    """Every BiLSTM span carries the CRF's probability of its least sure tag; those under
    ``MIN_SCORE`` (or ``AKHBAR_NER_MIN_SCORE``) are not mentions."""
    import polars as pl

    import importlib

    M = importlib.import_module("transforms.ner.mentions")

    text = ("قال وزير الخارجية الروسي سيرغي لافروف في موسكو إن حركة حماس وافقت على المقترح المصري، "
            "فيما أعلن نادي الزمالك تعاقده مع لاعب الوسط القادم من فريق بتروجت")
    sents = pl.DataFrame({"sentence_id": ["s1"], "doc_id": ["d1"], "start_char": [0], "text": [text]})
    monkeypatch.setenv("AKHBAR_NER_MIN_SCORE", "0")
    every = M.mentions(sents)
    assert every.height >= 4 and every["score"].is_between(0.0, 1.0).all()
    monkeypatch.delenv("AKHBAR_NER_MIN_SCORE")
    kept = M.mentions(sents)
    assert (kept["score"] >= M.MIN_SCORE).all()
    assert kept.height == every.filter(pl.col("score") >= M.MIN_SCORE).height
    floor = float(every["score"].min()) + 1e-6
    monkeypatch.setenv("AKHBAR_NER_MIN_SCORE", str(floor))
    assert M.mentions(sents).height == every.filter(pl.col("score") >= floor).height < every.height

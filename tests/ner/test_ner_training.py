"""Training helpers: mention replacement keeps every sentence's frame; averaged weights are the model."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ner.conll import Sentence, spans
from transforms.ner.training import load, replace_mentions, train

FIX = Path(__file__).parent / "fixtures"
SENTS: list[Sentence] = [
    (["قال", "الرئيس", "فلاديمير", "بوتين", "في", "موسكو"], ["O", "O", "B-PERS", "I-PERS", "O", "B-LOC"]),
    (["التقى", "وانغ", "يي", "وفد", "منظمة", "شنغهاي", "للتعاون"], ["O", "B-PERS", "I-PERS", "O", "B-ORG", "I-ORG", "I-ORG"]),
    (["وصل", "شويغو", "إلى", "كازان"], ["O", "B-PERS", "O", "B-LOC"]),
    (["ارتفعت", "الأسعار", "اليوم"], ["O", "O", "O"]),
]


def _outside(sent: Sentence) -> list[list[str]]:
    """The token runs between mentions (what replacement must leave alone)."""
    toks, tags = sent
    runs, last = [], 0
    for _, s, e in spans(tags):
        runs.append(toks[last:s])
        last = e
    return runs + [toks[last:]]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.sampled_from([0.3, 0.5, 1.0]))
def test_replacement_keeps_context_and_mention_types(seed: int, share: float) -> None:
    names = {(lab, tuple(t[s:e])) for t, g in SENTS for lab, s, e in spans(g)}
    out = replace_mentions(SENTS, share, random.Random(seed))
    assert len(out) <= 3  # only sentences with mentions are copied, at most once each
    for new in out:
        src = next(s for s in SENTS if _outside(s) == _outside(new))  # same context as one source
        assert [lab for lab, *_ in spans(new[1])] == [lab for lab, *_ in spans(src[1])]
        assert {(lab, tuple(new[0][s:e])) for lab, s, e in spans(new[1])} <= names
        assert len(new[0]) == len(new[1])


def test_replacement_of_every_sentence_and_of_none() -> None:
    assert replace_mentions(SENTS, 0.0, random.Random(1)) == []
    assert len(replace_mentions(SENTS, 1.0, random.Random(1))) == 3  # the entity-free one is skipped


def test_averaged_training_saves_the_mean_of_the_last_epochs(tmp_path: Path) -> None:
    words = ["قال", "الرئيس", "في", "موسكو", "منظمة", "شنغهاي", "للتعاون", "بوتين", "فلاديمير"]
    vec = tmp_path / "vectors.npz"
    rng = np.random.default_rng(0)
    np.savez_compressed(vec, words=np.array(words), vectors=rng.normal(size=(9, 16)).astype(np.float16))
    kw = dict(vectors=vec, dev_fraction=0, hidden=16, type_dim=16, log=lambda m: None, augment=0.5)
    for n in (1, 2, 3):  # the same seed: epochs 1..3 of one trajectory
        train(FIX / "tiny_gold.txt", tmp_path / f"e{n}.pt", epochs=n, **kw)
    result = train(FIX / "tiny_gold.txt", tmp_path / "avg.pt", epochs=3, average_from=2, **kw)
    assert result["epoch"] == "mean of 2-3"
    avg = load(tmp_path / "avg.pt")[0].state_dict()
    e2, e3 = (load(tmp_path / f"e{n}.pt")[0].state_dict() for n in (2, 3))
    for name, value in avg.items():
        if value.is_floating_point():  # stored as float16: compare within its precision
            assert torch.allclose(value, (e2[name] + e3[name]) / 2, atol=2e-3), name

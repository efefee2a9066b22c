"""The shipped model: loads offline, trains on a tiny sample, finds the seeds' entities."""
from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from transforms.ner import CamelModelMissing, evaluate, format_report, mentions, train
from transforms.ner.tagger import MODEL_DIR, load_crf, load_model, tag_with

FIX = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_shipped_model_loads_offline(no_network: None) -> None:
    assert sum(f.stat().st_size for f in MODEL_DIR.iterdir()) <= 20 * 2**20
    load_model.cache_clear()
    load_crf.cache_clear()
    tags = tag_with("default", [["قال", "الرئيس", "فلاديمير", "بوتين", "في", "موسكو"]])[0][0]
    assert [t for t, _ in tags][2:4] == ["B-PERS", "I-PERS"]
    assert all(0.0 <= p <= 1.0 for _, p in tags)


def test_a_model_asked_for_by_two_threads_is_loaded_once() -> None:
    """A warm-up thread and a batch thread (thread runner) share one load, not two copies."""
    import threading
    import time

    from transforms.ner.tagger import _loaded_once

    loads = []

    @_loaded_once(maxsize=2)
    def slow(path: str | None = None) -> object:
        loads.append(path)
        time.sleep(0.3)
        return object()

    got = []
    threads = [threading.Thread(target=lambda: got.append(slow(None))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == [None] and got[0] is got[1]


def test_evaluate_prints_micro_f1_last() -> None:
    text = format_report(evaluate(FIX / "tiny_gold.txt"))
    last = text.splitlines()[-1]
    assert last.startswith("micro-F1: ") and 0.0 <= float(last.split()[-1]) <= 1.0


def test_mentions_offsets_point_into_the_document() -> None:
    doc = "مقدمة. قال سكرتير مجلس الأمن الروسي نيكولاي باتروشيف في موسكو إن روسيا والصين شريكان."
    start = doc.index("قال")
    frame = pl.DataFrame({"sentence_id": ["s1"], "doc_id": ["d1"], "start_char": [start], "text": [doc[start:]]})
    out = mentions(frame)
    assert out.columns == [
        "mention_id", "doc_id", "sentence_id", "start_char", "end_char", "surface", "label", "score", "method",
    ]
    assert out.height > 0
    for row in out.iter_rows(named=True):
        assert doc[row["start_char"] : row["end_char"]] == row["surface"]
        assert 0.0 <= row["score"] <= 1.0 and row["label"] in {"PERS", "LOC", "ORG", "MISC"}
    assert ("نيكولاي باتروشيف", "PERS") in set(zip(out["surface"], out["label"]))


def test_consistency_tags_recurrences_in_the_same_document() -> None:
    texts = ["قال الرئيس الروسي فلاديمير بوتين إن العلاقات قوية .", "وأضاف بوتين أن الزيارة ناجحة ."]
    frame = pl.DataFrame(
        {"sentence_id": ["a", "b"], "doc_id": ["d", "d"], "start_char": [0, 100], "text": texts}
    )
    out = mentions(frame)
    assert "بوتين" in out.filter(pl.col("sentence_id") == "b")["surface"].to_list()


def test_camel_backend_missing_model_error_is_clear() -> None:
    frame = pl.DataFrame({"sentence_id": ["s"], "doc_id": ["d"], "start_char": [0], "text": ["قال بوتين"]})
    try:
        mentions(frame, backend="camel")
    except CamelModelMissing as err:
        msg = str(err)
        assert "\n" not in msg and "camel_data -i ner-arabert" in msg and "default" in msg
    else:
        pytest.skip("camel-tools' NER model is installed here; the error path cannot be exercised")


def test_training_on_a_tiny_sample_works(tmp_path: Path) -> None:
    words = ["قال", "الرئيس", "في", "موسكو", "منظمة", "شنغهاي", "للتعاون", "بوتين", "فلاديمير"]
    vec = tmp_path / "vectors.npz"
    np.savez_compressed(vec, words=np.array(words), vectors=np.random.default_rng(0).normal(size=(9, 16)).astype(np.float16))
    out = tmp_path / "model"
    result = train(
        FIX / "tiny_gold.txt", out, vectors=vec, dev_fraction=0, epochs=2, hidden=16, type_dim=16,
        crf_iterations=5, log=lambda m: None,
    )
    assert (out / "ner.pt").exists() and (out / "ner.crfsuite").exists()
    assert result["neural"]["epoch"] == 2
    for backend in ("neural", "crf"):
        rep = evaluate(FIX / "tiny_gold.txt", backend=backend, model_path=str(out))
        assert set(rep) >= {"micro"}


def test_crf_loss_is_the_negative_log_likelihood_of_the_gold_path() -> None:
    """Checked against every path of three short sentences (9 tags: 9³ paths), invalid ones included
    with their −1e4 scores."""
    import itertools

    import torch

    from transforms.ner.model import TAGS, NerNet

    net = NerNet(4, 4, dim=4, hidden=4, type_dim=4, char_filters=2, crf=True)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        net.trans.copy_(torch.randn(net.trans.shape, generator=gen))
        net.start.copy_(torch.randn(net.start.shape, generator=gen))
    k = len(TAGS)
    logits = torch.randn((3, 3, k), generator=gen)
    lengths = torch.tensor([3, 2, 1])
    gold = torch.tensor([[0, 1, 2], [3, 4, -100], [5, -100, -100]])  # O B-PERS I-PERS / B-LOC I-LOC / B-ORG
    trans, start = net.transitions()
    expected = 0.0
    for b in range(3):
        m = int(lengths[b])

        def path_score(path: tuple[int, ...]) -> torch.Tensor:
            s = start[path[0]] + logits[b, 0, path[0]]
            for t in range(1, m):
                s = s + trans[path[t - 1], path[t]] + logits[b, t, path[t]]
            return s

        log_z = torch.logsumexp(torch.stack([path_score(p) for p in itertools.product(range(k), repeat=m)]), 0)
        expected += float(log_z - path_score(tuple(int(x) for x in gold[b, :m])))
    got = float(net.crf_loss(logits, gold, lengths).detach())
    assert abs(got - expected / int(lengths.sum())) < 1e-4

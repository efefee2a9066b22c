"""``train(train_path, out_dir)``: reproduce the shipped models (what ``akhbar train-ner`` runs).

``train("../shared/ner/anercorp_train.txt", "transforms/ner/model", vectors="vectors.npz")`` writes
``ner.pt`` (neural) and ``ner.crfsuite`` + ``crf_*.json.gz`` (CRF) into ``out_dir`` and returns
``{"neural": {"epoch", "dev", "seconds"}, "crf": {"dev", "seconds"}}`` with dev scores measured on
the last ``dev_fraction`` of the sentences (document-contiguous; ``0`` = train on everything).
``backend="large"`` writes ``ner_large.pt``, the slower, more accurate option (``LARGE_RECIPE``).
Word vectors come from ``vectors`` (an ``.npz`` from ``embed.word_vectors``) or are trained from
``corpora`` (ANT Parquet files; needs gensim).
"""
from __future__ import annotations

import time
from pathlib import Path

from transforms.ner.conll import dev_split, read_conll, score
from transforms.ner.crf import CrfTagger, train_crf
from transforms.ner.embed import load_vectors, word_vectors
from transforms.ner.training import build_featurizer
from transforms.ner.training import train as train_neural


LARGE_RECIPE = {"hidden": 128, "augment": 0.5}  # 128 units per direction + mention replacement


def train(
    train_path: str | Path,
    out_dir: str | Path,
    vectors: str | Path | None = None,
    corpora: list[str | Path] | None = None,
    backend: str = "all",
    dev_fraction: float = 0.15,
    crf_iterations: int = 150,
    crf_extra_clusters: int = 0,
    log=print,
    **neural_options,
) -> dict:
    """Train the ``backend`` model(s) ("all" = neural + crf, "neural", "large" or "crf") into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if vectors is None and not (backend in ("neural", "large") and neural_options.get("resume")):
        if not corpora:
            raise ValueError("train() needs vectors= (a .npz from embed.word_vectors) or corpora=[...]")
        log("training word vectors on " + ", ".join(map(str, corpora)))
        vectors = word_vectors(corpora, out.parent / "ner_vectors.npz")
    result: dict = {}
    if backend in ("all", "neural"):
        result["neural"] = train_neural(
            train_path, out / "ner.pt", vectors=vectors, dev_fraction=dev_fraction, log=log, **neural_options
        )
    if backend == "large":
        result["large"] = train_neural(train_path, out / "ner_large.pt", vectors=vectors, dev_fraction=dev_fraction,
                                       log=log, **{**LARGE_RECIPE, **neural_options})
    if backend in ("all", "crf"):
        start = time.time()
        sents = read_conll(train_path)
        tr, dev = dev_split(sents, dev_fraction) if dev_fraction > 0 else (sents, [])
        words, vecs = load_vectors(vectors)
        train_crf(tr, out, words, vecs, build_featurizer(tr, words), iterations=crf_iterations,
                  extra_clusters=crf_extra_clusters)
        rep = None
        if dev:
            tagger = CrfTagger(out)
            rep = score([g for _, g in dev], [[t for t, _ in tagger.tag(toks)] for toks, _ in dev])
        result["crf"] = {"dev": rep, "seconds": time.time() - start}
    return result

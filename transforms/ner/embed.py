"""Word vectors for the tagger, trained on the ANT corpora (Apache-2.0) — training-time only.

``word_vectors(["../shared/corpora/ant_multisource.parquet"], out)`` reads the ``text`` column of each
Parquet file (e.g. ``"أعلن الرئيس الروسي فلاديمير بوتين …"``), tokenizes with ``text.tokenize``, keys
every token with ``word_key(norm(token))`` and trains skip-gram word2vec with gensim (an optional,
training-only dependency: ``pip install gensim``). The result is saved as a compact ``.npz``
(``words``: str array, ``vectors``: float16 [n, dim]) holding the most frequent ``max_words`` words.
Never pass saudinewsnet here: its licence forbids shipping derived artifacts.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import polars as pl

from transforms.ner.text import norm, tokenize, word_key

_CHUNK = 5000


def corpus_sentences(paths: list[str | Path]) -> Iterator[list[str]]:
    """Token-key lists (≤ 5000 keys each) over every article of the given Parquet files."""
    for path in paths:
        for text in pl.read_parquet(path, columns=["text"])["text"].drop_nulls():
            keys = [word_key(norm(t)) for t, _, _ in tokenize(text)]
            keys = [k for k in keys if k]
            for i in range(0, len(keys), _CHUNK):
                yield keys[i : i + _CHUNK]


def word_vectors(
    paths: list[str | Path],
    out_path: str | Path,
    dim: int = 100,
    max_words: int = 60000,
    epochs: int = 5,
    workers: int = 2,
    window: int = 5,
) -> Path:
    """Train word2vec over the corpora and save the top ``max_words`` vectors to ``out_path``
    (the shipped vectors use ``window=5``; 2 was tried, docs/experiments.md)."""
    from gensim.models import Word2Vec  # training-only dependency

    sentences = list(corpus_sentences(paths))
    model = Word2Vec(
        sentences, vector_size=dim, window=window, min_count=5, sg=1, negative=5,
        workers=workers, epochs=epochs, seed=13, sample=1e-4,
    )
    words = model.wv.index_to_key[:max_words]
    vectors = np.stack([model.wv[w] for w in words]).astype(np.float16)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, words=np.array(words), vectors=vectors)
    return out


def load_vectors(path: str | Path) -> tuple[list[str], np.ndarray]:
    """``(words, vectors float32 [n, dim])`` from a file written by ``word_vectors``."""
    data = np.load(path, allow_pickle=False)
    return [str(w) for w in data["words"]], data["vectors"].astype(np.float32)


if __name__ == "__main__":  # python -m transforms.ner.embed OUT CORPUS.parquet...
    import sys

    print(word_vectors(sys.argv[2:], sys.argv[1]))

"""Inference backends: the shipped CRF (default), the neural network (if trained) and camel-tools' BERT.

``tag_sentences([["قال", "نيكولاي", "باتروشيف"]])`` → ``[[("O", .99), ("B-PERS", .93), ("I-PERS", .95)]]``:
one ``(tag, probability)`` per token. Sentences are sorted by length and batched (~8k tokens per
batch) so padding stays small; the model file is loaded once per process, offline.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_MODEL = MODEL_DIR / "ner.pt"
BACKENDS = ("default", "neural", "crf", "camel")
DEFAULT_BACKEND = "crf"  # what backend="default" means
BATCH_TOKENS = 8000
MAX_LEN = 250  # longer "sentences" (lists, tables) are tagged in windows of this many tokens


class CamelModelMissing(RuntimeError):
    """camel-tools' NER model data is not installed (it is a ~0.5 GB separate download)."""

    def __init__(self) -> None:
        super().__init__(
            "camel-tools NER model data is not installed: run `camel_data -i ner-arabert` "
            "(about 0.5 GB, needs internet) or use the default backend (--ner default)."
        )


def _camel_ner_data_present() -> bool:
    """Whether camel-tools' data directory holds an NER model (``<data>/data/ner/<name>``)."""
    root = Path(os.environ.get("CAMELTOOLS_DATA", Path.home() / ".camel_tools"))
    return root.is_dir() and any(p.is_dir() for p in root.glob("**/ner/*"))


@lru_cache(maxsize=4)
def load_model(path: str | None = None):
    """``(net, featurizer)`` from a model directory or ``.pt`` file (default: shipped), cached."""
    from transforms.ner.train import load

    p = Path(path) if path else MODEL_DIR
    p = p / "ner.pt" if p.is_dir() else p
    if not p.exists():
        raise FileNotFoundError(f"no neural NER model at {p}: train one with transforms.ner.train(…, backend='neural')")
    return load(p)


def tag_sentences(
    token_lists: list[list[str]], model_path: str | None = None
) -> list[list[tuple[str, float]]]:
    """``(BIO tag, probability of that tag)`` per token for each token list, with the neural model."""
    import torch  # only the neural backend needs torch; the default CRF path stays light

    from transforms.ner.model import TAGS, viterbi

    net, feat = load_model(model_path)
    windows: list[tuple[int, int, list[str]]] = []
    for i, toks in enumerate(token_lists):
        for j in range(0, max(len(toks), 1), MAX_LEN):
            windows.append((i, j, toks[j : j + MAX_LEN]))
    order = sorted(range(len(windows)), key=lambda k: len(windows[k][2]))
    result: list[list[tuple[str, float]]] = [[("O", 1.0)] * len(t) for t in token_lists]
    with torch.inference_mode():
        k = 0
        while k < len(order):
            width = max(len(windows[order[k]][2]), 1)
            n = max(1, BATCH_TOKENS // width)
            # sorted ascending, so the last window of the batch is the widest: shrink until it fits
            while n > 1 and len(windows[order[min(k + n, len(order)) - 1]][2]) * n > BATCH_TOKENS * 2:
                n //= 2
            chunk = [windows[m] for m in order[k : k + n]]
            k += n
            enc = feat.encode_batch([w[2] for w in chunk])
            logp = torch.log_softmax(net(enc).float(), dim=-1)
            paths = viterbi(logp, enc["lengths"])
            for (i, j, toks), path, lp in zip(chunk, paths, logp):
                if not toks:
                    continue
                probs = lp[torch.arange(len(path)), torch.tensor(path)].exp().tolist()
                result[i][j : j + len(toks)] = [(TAGS[p], pr) for p, pr in zip(path, probs)]
    return result


@lru_cache(maxsize=2)
def load_crf(model_dir: str | None = None):
    """The CRF variant (``ner.crfsuite`` + clusters in the model directory), cached per process."""
    from transforms.ner.crf import CrfTagger

    return CrfTagger(model_dir or MODEL_DIR)


def tag_sentences_crf(token_lists: list[list[str]], model_dir: str | None = None) -> list[list[tuple[str, float]]]:
    """Same contract with the CRF variant (faster, less accurate; see the NER report)."""
    tagger = load_crf(model_dir)
    return [tagger.tag(toks) for toks in token_lists]


def tag_with(backend: str, token_lists: list[list[str]], model_path: str | None = None) -> tuple[list, str]:
    """``(tags, method name)`` for ``backend`` in ``BACKENDS``."""
    if backend == "default":
        backend = DEFAULT_BACKEND
    if backend == "neural":
        return tag_sentences(token_lists, model_path), "neural"
    if backend == "crf":
        return tag_sentences_crf(token_lists, model_path), "crf"
    if backend == "camel":
        return tag_sentences_camel(token_lists), "camel"
    raise ValueError(f"unknown NER backend {backend!r}: use one of {', '.join(BACKENDS)}")


def tag_sentences_camel(token_lists: list[list[str]]) -> list[list[tuple[str, float]]]:
    """Same contract with camel-tools' BERT NER; raises ``CamelModelMissing`` without its data."""
    if not _camel_ner_data_present():
        raise CamelModelMissing()  # checked first: importing camel_tools.ner without data goes online
    try:
        from camel_tools.ner import NERecognizer

        rec = NERecognizer.pretrained()
    except Exception as err:  # camel raises several types when the catalogue entry is absent
        raise CamelModelMissing() from err
    tags = rec.predict(token_lists) if token_lists else []
    return [[(t, 1.0) for t in sent] for sent in tags]

"""Inference backends: the shipped BiLSTM-CRF (default), the shipped crfsuite CRF and camel-tools' BERT.

``tag_sentences([["قال", "نيكولاي", "باتروشيف"]])`` → ``[[("O", .99), ("B-PERS", .93), ("I-PERS", .95)]]``:
one ``(tag, probability)`` per token. Sentences are sorted by length and batched (~8k tokens per
batch, ``infer.FastTagger``, NumPy and numba: tagging never imports torch) so padding stays small;
model files are loaded once per process, offline.
"""
from __future__ import annotations

import os
import threading
import weakref
from functools import lru_cache, wraps
from pathlib import Path

MODEL_DIR = Path(__file__).resolve().parent / "model"
DEFAULT_MODEL = MODEL_DIR / "ner.pt"
BACKENDS = ("default", "neural", "large", "crf", "camel")
DEFAULT_BACKEND = "neural"  # what backend="default" means: the BiLSTM in model/ner.pt
# the BiLSTM backends and their shipped files: "large" is the slower, more accurate option (128
# units per direction, trained with mention replacement; docs/ner.md)
NEURAL_FILES = {"neural": DEFAULT_MODEL, "large": MODEL_DIR.parent / "model_large" / "ner_large.pt"}


class CamelModelMissing(RuntimeError):
    """camel-tools' NER model data is not installed (it is a ~0.5 GB separate download)."""

    def __init__(self) -> None:
        super().__init__(
            "camel-tools NER model data is not installed: run `camel_data -i ner-arabert` "
            "(about 0.5 GB, needs internet) or use the default backend (--ner default)."
        )

    def __reduce__(self):  # raised in a worker or tagging process, it is re-raised in the flow
        return (CamelModelMissing, ())


def _camel_ner_data_present() -> bool:
    """Whether camel-tools' data directory holds an NER model (``<data>/data/ner/<name>``)."""
    root = Path(os.environ.get("CAMELTOOLS_DATA", Path.home() / ".camel_tools"))
    return root.is_dir() and any(p.is_dir() for p in root.glob("**/ner/*"))


def _loaded_once(maxsize: int):
    """``lru_cache`` whose loads hold a lock: with the thread runner a batch may ask for a model
    while a warm-up thread is still loading it, and must wait for that copy, not load a second."""
    def wrap(fn):
        cached, lock = lru_cache(maxsize=maxsize)(fn), threading.Lock()

        @wraps(fn)
        def get(*args):
            with lock:
                return cached(*args)

        get.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return get
    return wrap


@lru_cache(maxsize=4)
def load_model(path: str | None = None):
    """``weights.Weights`` of a model directory or ``.pt`` file (default: shipped), cached; read
    without torch (``training.load`` gives the torch ``NerNet`` for training)."""
    from transforms.ner.weights import read_model

    p = Path(path) if path else MODEL_DIR
    p = p / "ner.pt" if p.is_dir() else p
    if not p.exists():
        raise FileNotFoundError(f"no neural NER model at {p}: train one with transforms.ner.train(…, backend='neural')")
    return read_model(p)


_TAGGERS: "weakref.WeakSet" = weakref.WeakSet()  # every FastTagger this process built (release_tables)


def release_tables() -> None:
    """Empty the surface tables and sentence caches of this process's taggers (the models stay
    loaded): what a long-lived process calls once a run has tagged its last batch."""
    for tagger in list(_TAGGERS):
        tagger.release_tables()


@_loaded_once(maxsize=4)
def fast_tagger(path: str | None = None):
    """The inference view (``infer.FastTagger``) of a neural model, cached per process."""
    from transforms.ner.infer import FastTagger

    tagger = FastTagger(load_model(path))
    _TAGGERS.add(tagger)
    return tagger


def preload(backend: str = "default") -> None:
    """Load ``backend``'s shipped model into this process's cache now (a worker process warms up
    while the flow still reads its first input); camel-tools' model is left to its first use."""
    backend = resolved_backend(backend)
    if backend in NEURAL_FILES:
        fast_tagger(neural_path(backend, None))
    elif backend == "crf":
        load_crf(None)


def tag_sentences(
    token_lists: list[list[str]], model_path: str | None = None
) -> list[list[tuple[str, float]]]:
    """``(BIO tag, probability of that tag)`` per token for each token list, with the neural model."""
    return fast_tagger(model_path).tag(token_lists)


@_loaded_once(maxsize=2)
def load_crf(model_dir: str | None = None):
    """The CRF variant (``ner.crfsuite`` + clusters in the model directory), cached per process."""
    from transforms.ner.crf import CrfTagger

    return CrfTagger(model_dir or MODEL_DIR)


def tag_sentences_crf(token_lists: list[list[str]], model_dir: str | None = None) -> list[list[tuple[str, float]]]:
    """Same contract with the CRF variant (less accurate; see docs/ner.md)."""
    tagger = load_crf(model_dir)
    return [tagger.tag(toks) for toks in token_lists]


def neural_path(backend: str, model_path: str | None) -> str | None:
    """The model file a BiLSTM backend reads: ``model_path`` (a file, or a directory holding the
    backend's file name), else for the default backend the file named by the ``AKHBAR_NER_MODEL``
    environment variable, else its shipped file (``None`` for the default, so that
    ``fast_tagger(None)`` stays the one cached copy)."""
    kind = resolved_backend(backend)
    if not model_path and kind == DEFAULT_BACKEND:  # try a retrained model without replacing the shipped one
        model_path = os.environ.get("AKHBAR_NER_MODEL") or None
    if model_path and Path(model_path).is_dir():
        return str(Path(model_path) / NEURAL_FILES[kind].name)
    if model_path or kind == DEFAULT_BACKEND:
        return model_path or None
    return str(NEURAL_FILES[kind])


def resolved_backend(backend: str) -> str:
    """The backend that ``backend`` names (``"default"`` → ``DEFAULT_BACKEND``)."""
    return DEFAULT_BACKEND if backend == "default" else backend


def tag_with(backend: str, token_lists: list[list[str]], model_path: str | None = None) -> tuple[list, str]:
    """``(tags, method name)`` for ``backend`` in ``BACKENDS``."""
    backend = resolved_backend(backend)
    if backend in NEURAL_FILES:
        return tag_sentences(token_lists, neural_path(backend, model_path)), backend
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

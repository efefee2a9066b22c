"""The neural tagger's model file read without torch: ``read_model("ner.pt")`` → ``Weights``; ``char_tables``
turns its char-CNN into lookup tables.

``training.save`` writes the file with ``torch.save`` (a zip: ``data.pkl`` plus one raw blob per
tensor). Inference only needs the arrays, so this module reads that format itself, with NumPy: a
process that tags does not import torch, which costs ~220 MB of RSS and ~1 s per process. The
unpickler accepts only what ``training.save`` writes — dicts, lists, numbers, strings and
float16/float32/int64 tensors (``torch._utils._rebuild_tensor_v2``) — like
``torch.load(weights_only=True)``; anything else is refused, so a model file cannot run code.
Example: ``read_model(p).state["out.weight"]`` is a float32 array ``[9, 128]`` (tags × 2·hidden).
"""
from __future__ import annotations

import collections
import pickle
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from transforms.ner.conll import LABELS

TAGS = ("O",) + tuple(f"{p}-{label}" for label in LABELS for p in ("B", "I"))
# Tensor element types a saved model may hold (torch's storage class name → NumPy dtype)
_STORAGES = {"HalfStorage": np.float16, "FloatStorage": np.float32, "LongStorage": np.int64,
             "BoolStorage": np.bool_}


@dataclass(frozen=True)
class Weights:
    """A saved network: ``config`` (``NerNet``'s arguments), ``state`` (parameter name → float32
    array, e.g. ``"seq.weight_hh_l0"`` [4h, h]) and the featurizer's plain-data dict."""

    config: dict
    state: dict[str, np.ndarray]
    featurizer: dict


def bio_constraints() -> tuple[np.ndarray, np.ndarray]:
    """``(trans [K, K], start [K])`` float32: 0 where a BIO transition is valid, −1e4 where not
    (``I-X`` only after ``B-X``/``I-X``; no sentence starts with ``I-X``)."""
    k = len(TAGS)
    trans = np.zeros((k, k), np.float32)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            for i, prev in enumerate(TAGS):
                if prev[2:] != tag[2:]:
                    trans[i, j] = -1e4
    start = np.array([-1e4 if t.startswith("I-") else 0.0 for t in TAGS], np.float32)
    return trans, start


class _Storage:
    """A tensor's raw blob in the archive, typed when the unpickler meets its storage class."""

    def __init__(self, data: bytes, dtype: type) -> None:
        self.array = np.frombuffer(data, dtype=np.dtype(dtype).newbyteorder("<"))


def _rebuild_tensor(storage: _Storage, offset: int, size: tuple, stride: tuple, *_: object) -> np.ndarray:
    item = storage.array.itemsize
    view = np.lib.stride_tricks.as_strided(storage.array[offset:], shape=tuple(size),
                                           strides=tuple(s * item for s in stride))
    return np.array(view)  # a copy: the archive's buffer is not kept alive


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, archive: zipfile.ZipFile, prefix: str) -> None:
        super().__init__(file)
        self._archive, self._prefix = archive, prefix

    def find_class(self, module: str, name: str):
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch" and name in _STORAGES:
            return _STORAGES[name]
        raise pickle.UnpicklingError(f"model file holds {module}.{name}, which a tagger model never does")

    def persistent_load(self, pid: tuple) -> _Storage:
        kind, dtype, key = pid[0], pid[1], pid[2]
        if kind != "storage":
            raise pickle.UnpicklingError(f"unknown persistent id {kind!r} in the model file")
        return _Storage(self._archive.read(f"{self._prefix}data/{key}"), dtype)


def read_model(path: str | Path) -> Weights:
    """The network saved at ``path`` by ``training.save``, as float32 NumPy arrays (no torch)."""
    with zipfile.ZipFile(path) as archive:
        pkl = next(n for n in archive.namelist() if n.endswith("data.pkl"))
        prefix = pkl[: -len("data.pkl")]
        if f"{prefix}byteorder" in archive.namelist() and archive.read(f"{prefix}byteorder").strip() != b"little":
            raise ValueError(f"{path}: big-endian model files are not supported")
        with archive.open(pkl) as f:
            blob = _Unpickler(f, archive, prefix).load()
    state = {k: v.astype(np.float32) if v.dtype.kind == "f" else v for k, v in blob["state"].items()}
    for name, shape in (("trans", (len(TAGS), len(TAGS))), ("start", (len(TAGS),))):
        state.setdefault(name, np.zeros(shape, np.float32))  # model files without CRF transitions
    return Weights(dict(blob["config"]), state, blob["featurizer"])


def char_tables(w: dict[str, np.ndarray]) -> tuple[list[np.ndarray], np.ndarray, slice]:
    """The char-CNN as table lookups: ``(tables, bias, width-3 columns)`` from the state ``w``.

    A convolution over character *embeddings* is a sum, over window offsets, of one vector per
    (character, offset): ``tables[o][c] = W[:, :, o] · cemb[c]``. The three convolutions (widths
    2, 3, 4 with paddings 1, 1, 2) share one 4-wide window over the padded characters; output
    position ``m`` of the union covers characters ``m-2 … m+1``. The network pads a batch's
    characters to its longest surface, and a window that holds only padding adds the conv bias to
    the max; this view always behaves as if padded to ``MAX_CHARS``, so a surface gets the same
    vector whatever else is in its batch.
    """
    convs = [w[f"convs.{i}.weight"] for i in range(3)]  # [filters, char_dim, k], k = 2, 3, 4
    n_filters, char_dim = convs[0].shape[:2]
    weight = np.zeros((len(convs) * n_filters, char_dim, 4), np.float32)
    for i, conv in enumerate(convs):
        k = conv.shape[2]
        pad = k // 2  # NerNet's Conv1d(padding=k // 2)
        weight[i * n_filters : (i + 1) * n_filters, :, 2 - pad : 2 - pad + k] = conv
    emb = w["cemb.weight"]  # row PAD is zero, so padding adds nothing
    tables = [emb @ weight[:, :, o].T for o in range(4)]
    widths = [conv.shape[2] for conv in convs]
    k3 = slice(widths.index(3) * n_filters, (widths.index(3) + 1) * n_filters)
    return tables, np.concatenate([w[f"convs.{i}.bias"] for i in range(3)]), k3

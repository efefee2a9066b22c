"""Type-level features: every token surface maps to ids and flags that depend on that surface only.

Because features never look at neighbours, a batch is encoded as its *unique* surfaces plus an index
matrix; the network computes one vector per unique surface (news text is Zipfian, so a 100k-token
batch has ~15k types) and the sequence encoder supplies context. For ``"وبالصين"``:
word ``وبالصين``, clitic-free ``الصين``, stem ``صين``, characters ``^وبالصين$``, flags
``ar, conj, prep, article, country``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from transforms.ner.text import norm, segment, shape, word_key

SHAPES = ("ar", "lat", "num", "punct", "mix")
FLAGS = SHAPES + (
    "conj", "prep", "article", "country", "city", "gaz_part", "trig_pers", "trig_org", "trig_loc",
    "oov", "long",
)
MAX_CHARS = 20
PAD, UNK = 0, 1


@dataclass
class Featurizer:
    """Vocabularies and gazetteers of a trained model (all plain lists/dicts, stored in the model)."""

    words: list[str]
    chars: list[str]
    gaz: dict[str, list[str]]
    triggers: dict[str, list[str]]
    _word_ix: dict[str, int] = field(init=False, repr=False)
    _char_ix: dict[str, int] = field(init=False, repr=False)
    _gaz: dict[str, set[str]] = field(init=False, repr=False)
    _gaz_part: set[str] = field(init=False, repr=False)
    _trig: dict[str, set[str]] = field(init=False, repr=False)
    _cache: dict[str, tuple[list[int], list[int], list[float]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._word_ix = {w: i for i, w in enumerate(self.words)}
        self._char_ix = {c: i for i, c in enumerate(self.chars)}
        self._gaz = {k: set(v) for k, v in self.gaz.items()}
        self._gaz_part = {
            t for kind, names in self.gaz.items() if kind != "org" for n in names if " " in n for t in n.split()
        }
        self._trig = {k: {norm(w) for w in v} for k, v in self.triggers.items()}
        self._cache = {}

    def to_dict(self) -> dict:
        return {"words": self.words, "chars": self.chars, "gaz": self.gaz, "triggers": self.triggers}

    def encode_type(self, surface: str, memo: bool = True) -> tuple[list[int], list[int], list[float]]:
        """``([word, clitic_free, stem] ids, char ids, flags)`` of one surface token (memoized unless
        ``memo=False``: ``infer.FastTagger`` keeps its own per-surface table)."""
        hit = self._cache.get(surface)
        if hit is not None:
            return hit
        key = word_key(norm(surface))
        pre, art, stem = segment(key)
        ix = self._word_ix
        w = ix.get(key, UNK)
        nc = ix.get(art + stem, w)
        st = ix.get(stem, nc)
        cids = [self._char_ix.get(c, UNK) for c in ("^" + key + "$")[: MAX_CHARS]]
        flags = [0.0] * len(FLAGS)
        flags[SHAPES.index(shape(surface))] = 1.0
        base = len(SHAPES)
        flags[base] = float(bool(pre) and pre[0] in "وف")
        flags[base + 1] = float(bool(pre) and pre[-1] in "بكل")
        flags[base + 2] = float(bool(art))
        cands = (key, art + stem, stem)
        flags[base + 3] = float(any(c in self._gaz.get("country", ()) for c in cands))
        flags[base + 4] = float(any(c in self._gaz.get("city", ()) for c in cands))
        flags[base + 5] = float(any(c in self._gaz_part for c in cands))
        for j, kind in enumerate(("pers", "org", "loc")):
            flags[base + 6 + j] = float(key in self._trig.get(kind, ()) or art + stem in self._trig.get(kind, ()))
        flags[base + 9] = float(w == UNK)
        flags[base + 10] = float(len(key) >= 8)
        out = ([w, nc, st], cids, flags)
        if memo and len(self._cache) < 100_000:  # bounded: memory stays flat over a long run
            self._cache[surface] = out
        return out

    def encode_batch(self, sents: list[list[str]]) -> dict:
        """Tensors for a batch: ``types_*`` per unique surface, ``index`` [B, T] into them (0 = pad)."""
        import torch  # the CRF backend uses encode_type only and must not pay for importing torch

        type_ix: dict[str, int] = {}
        rows_w: list[list[int]] = [[PAD, PAD, PAD]]
        rows_c: list[list[int]] = [[PAD]]
        rows_f: list[list[float]] = [[0.0] * len(FLAGS)]
        width = max((len(s) for s in sents), default=1) or 1
        index = torch.zeros((len(sents), width), dtype=torch.long)
        for b, sent in enumerate(sents):
            row = []
            for tok in sent:
                t = type_ix.get(tok)
                if t is None:
                    ids, cids, flags = self.encode_type(tok)
                    t = type_ix[tok] = len(rows_w)
                    rows_w.append(ids)
                    rows_c.append(cids)
                    rows_f.append(flags)
                row.append(t)
            if row:
                index[b, : len(row)] = torch.tensor(row)
        n_chars = max(len(c) for c in rows_c)
        chars = torch.zeros((len(rows_c), max(n_chars, 4)), dtype=torch.long)
        for i, c in enumerate(rows_c):
            chars[i, : len(c)] = torch.tensor(c)
        return {
            "types_word": torch.tensor(rows_w),
            "types_char": chars,
            "types_flag": torch.tensor(rows_f),
            "index": index,
            "lengths": torch.tensor([len(s) for s in sents]),
        }

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
_SHAPE_BIT = {s: 1 << i for i, s in enumerate(SHAPES)}
_CONJ_BIT, _PREP_BIT, _ART_BIT, _COUNTRY_BIT, _CITY_BIT, _PART_BIT = (
    1 << FLAGS.index(f) for f in ("conj", "prep", "article", "country", "city", "gaz_part"))
_OOV_BIT, _LONG_BIT = 1 << FLAGS.index("oov"), 1 << FLAGS.index("long")


class _CharTable(dict):
    """``str.translate`` table: a char in the vocabulary → ``chr(its id)``, any other → ``chr(UNK)``."""

    def __missing__(self, code: int) -> str:
        return chr(UNK)


@dataclass
class Featurizer:
    """Vocabularies and gazetteers of a trained model (all plain lists/dicts, stored in the model)."""

    words: list[str]
    chars: list[str]
    gaz: dict[str, list[str]]
    triggers: dict[str, list[str]]
    _word_ix: dict[str, int] = field(init=False, repr=False)
    _char_ix: dict[str, int] = field(init=False, repr=False)
    _gaz_part: set[str] = field(init=False, repr=False)
    _country: frozenset[str] = field(init=False, repr=False)
    _city: frozenset[str] = field(init=False, repr=False)
    _trig_bits: tuple[tuple[int, frozenset[str]], ...] = field(init=False, repr=False)
    _char_table: dict[int, str] = field(init=False, repr=False)
    _cache: dict[str, tuple[list[int], list[int], list[float]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._word_ix = {w: i for i, w in enumerate(self.words)}
        self._char_ix = {c: i for i, c in enumerate(self.chars)}
        self._gaz_part = {
            t for kind, names in self.gaz.items() if kind != "org" for n in names if " " in n for t in n.split()
        }
        self._country = frozenset(self.gaz.get("country", ()))
        self._city = frozenset(self.gaz.get("city", ()))
        self._trig_bits = tuple((1 << FLAGS.index(f"trig_{k}"), frozenset(norm(w) for w in self.triggers.get(k, ())))
                                for k in ("pers", "org", "loc"))
        self._char_table = _CharTable({ord(c): chr(i) for i, c in enumerate(self.chars) if len(c) == 1})
        self._cache = {}

    def to_dict(self) -> dict:
        return {"words": self.words, "chars": self.chars, "gaz": self.gaz, "triggers": self.triggers}

    def _core(self, surface: str) -> tuple[int, int, int, str, int]:
        """``(word, clitic_free, stem ids, char string, flag bits)``: the single definition of a
        surface's features (bit ``i`` set ⇔ ``FLAGS[i]`` is on); ``encode_type`` and ``encode_types``
        only repackage it."""
        key = word_key(norm(surface))
        pre, art, stem = segment(key)
        ix = self._word_ix
        w = ix.get(key, UNK)
        nc = ix.get(art + stem, w)
        st = ix.get(stem, nc)
        bits = _SHAPE_BIT[shape(surface)]
        if pre:
            bits |= (_CONJ_BIT if pre[0] in "وف" else 0) | (_PREP_BIT if pre[-1] in "بكل" else 0)
        free = art + stem
        if art:
            bits |= _ART_BIT
        if key in self._country or free in self._country or stem in self._country:
            bits |= _COUNTRY_BIT
        if key in self._city or free in self._city or stem in self._city:
            bits |= _CITY_BIT
        if key in self._gaz_part or free in self._gaz_part or stem in self._gaz_part:
            bits |= _PART_BIT
        for bit, words in self._trig_bits:
            if key in words or free in words:
                bits |= bit
        if w == UNK:
            bits |= _OOV_BIT
        if len(key) >= 8:
            bits |= _LONG_BIT
        return w, nc, st, ("^" + key + "$")[:MAX_CHARS], bits

    def encode_type(self, surface: str, memo: bool = True) -> tuple[list[int], list[int], list[float]]:
        """``([word, clitic_free, stem] ids, char ids, flags)`` of one surface token (memoized unless
        ``memo=False``)."""
        hit = self._cache.get(surface)
        if hit is not None:
            return hit
        w, nc, st, chars, bits = self._core(surface)
        out = ([w, nc, st], [self._char_ix.get(c, UNK) for c in chars],
               [float(bits >> i & 1) for i in range(len(FLAGS))])
        if memo and len(self._cache) < 100_000:  # bounded: memory stays flat over a long run
            self._cache[surface] = out
        return out

    def encode_types(self, surfaces: list[str]) -> tuple[list[int], list[int], list[int], list[int]]:
        """Many surfaces at once, flat for one ``torch.tensor`` call each: word ids (3 per surface),
        char ids (all surfaces' concatenated), char counts and flag bitmasks (one int per surface).
        Same values as ``encode_type``, ~3× cheaper per surface: the char ids of all surfaces come
        from one ``str.translate`` over their concatenation."""
        words: list[int] = []
        chars: list[str] = []
        bits: list[int] = []
        for s in surfaces:
            w, nc, st, cs, b = self._core(s)
            words += (w, nc, st)
            chars.append(cs)
            bits.append(b)
        ids = memoryview("".join(chars).translate(self._char_table).encode("utf-32-le")).cast("I").tolist()
        return words, ids, [len(c) for c in chars], bits

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

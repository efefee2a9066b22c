"""The shipped default tagger: a feature-rich CRF (python-crfsuite) over ``text.tokenize`` tokens.

Features of a token depend on its surface only (memoized per type), and a token's feature list is
its own list plus its ±2 neighbours' short lists with position prefixes. For ``"وبالصين"``:
``w=وبالصين nc=الصين st=صين p2=صي s2=ين pre=وب art=ال c=17 cc=3 f=ar f=conj f=prep f=article`` …,
plus ``g=B-ORG``/``g=I-ORG``… where a multi-word gazetteer name (``للحزب الشيوعي الصيني``) matches.
Word clusters are k-means over the ANT word2vec vectors (``clusters()``), stored next to the model.
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from transforms.ner.features import FLAGS, Featurizer
from transforms.ner.text import norm, segment, shape, word_key

_CLITIC_HEADS = ("و", "ف", "ب", "ل", "وب", "ول")


def clusters(words: list[str], vectors: np.ndarray, k: int, iters: int = 8, seed: int = 13) -> dict[str, int]:
    """k-means (cosine) cluster id per word."""
    x = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-8)
    rng = np.random.default_rng(seed)
    k = min(k, len(x))
    cent = x[rng.choice(len(x), k, replace=False)]
    for _ in range(iters):
        assign = np.argmax(x @ cent.T, axis=1)
        for c in range(k):
            members = x[assign == c]
            if len(members):
                m = members.mean(axis=0)
                cent[c] = m / (np.linalg.norm(m) + 1e-8)
    return dict(zip(words, np.argmax(x @ cent.T, axis=1).tolist()))


class CrfFeatures:
    """Memoized per-type feature lists; ``sentence(tokens)`` → crfsuite item sequence."""

    def __init__(
        self, feat: Featurizer, c_fine: dict[str, int], c_coarse: dict[str, int], c_extra: dict[str, int] | None = None
    ) -> None:
        self.feat, self.c_fine, self.c_coarse, self.c_extra = feat, c_fine, c_coarse, c_extra or {}
        # multi-word gazetteer names by first word, longest first: ("الحزب", [(("الحزب","الشيوعي","الصيني"), "ORG")])
        self._multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for kind, names in feat.gaz.items():
            for name in names:
                words = tuple(word_key(w) for w in name.split())
                if len(words) > 1:
                    self._multi.setdefault(words[0], []).append((words, "ORG" if kind == "org" else "LOC"))
        for entries in self._multi.values():
            entries.sort(key=lambda e: -len(e[0]))
        # the same index keyed by every proclitic form of a first word (وللحزب, بالحزب …), exact form first
        self._forms: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for head, entries in self._multi.items():
            self._forms.setdefault(head, []).extend(entries)
        for c in _CLITIC_HEADS:
            for head, entries in self._multi.items():
                if len(head) > 1:
                    self._forms.setdefault(c + head, []).extend(entries)
        for head, entries in self._multi.items():
            if head.startswith("ال"):
                self._forms.setdefault("لل" + head[2:], []).extend(entries)
        self._cache: dict[str, tuple[list[str], list[list[str]], tuple[str, str, str]]] = {}

    def _type(self, surface: str) -> tuple[list[str], list[list[str]], tuple[str, str, str]]:
        hit = self._cache.get(surface)
        if hit is not None:
            return hit
        key = word_key(norm(surface))
        pre, art, stem = segment(key)
        nc = art + stem
        cf = next((self.c_fine[c] for c in (key, nc, stem) if c in self.c_fine), -1)
        cc = next((self.c_coarse[c] for c in (key, nc, stem) if c in self.c_coarse), -1)
        _, _, flags = self.feat.encode_type(surface)
        cx = next((self.c_extra[c] for c in (key, nc, stem) if c in self.c_extra), -1) if self.c_extra else None
        on = [FLAGS[i] for i, v in enumerate(flags) if v]
        own = [
            "w=" + key, "nc=" + nc, "st=" + stem, "p2=" + stem[:2], "p3=" + stem[:3], "s2=" + stem[-2:],
            "s3=" + stem[-3:], "s1=" + stem[-1:], "pre=" + pre, "art=" + art, f"c={cf}", f"cc={cc}",
            f"len={min(len(stem), 9)}", *("f=" + f for f in on),
        ]
        if cx is not None:
            own.append(f"cx={cx}")
        short = ["w=" + key, "st=" + stem, f"c={cf}", f"cc={cc}", "sh=" + shape(surface), *("f=" + f for f in on)]
        if cx is not None:
            short.append(f"cx={cx}")
        ctx = [[f"{d}{f}" for f in short] for d in ("-2", "-1", "+1", "+2")]
        out = (own, ctx, (stem, str(cf), key))
        if len(self._cache) < 100_000:  # bounded: memory stays flat over a long run
            self._cache[surface] = out
        return out

    def _gaz_marks(self, keys: list[str]) -> list[str]:
        """``B-ORG``/``I-ORG``/``B-LOC``… where a multi-word gazetteer name matches (longest first)."""
        marks = [""] * len(keys)
        i = 0
        while i < len(keys):
            hit = None
            for words, label in self._forms.get(keys[i], ()):
                if tuple(keys[i + 1 : i + len(words)]) == words[1:]:
                    hit = (len(words), label)
                    break
            if hit:
                marks[i] = "B-" + hit[1]
                for j in range(i + 1, i + hit[0]):
                    marks[j] = "I-" + hit[1]
                i += hit[0]
            else:
                i += 1
        return marks

    def sentence(self, tokens: list[str]) -> list[list[str]]:
        types = [self._type(t) for t in tokens]
        n = len(types)
        marks = self._gaz_marks([t[2][2] for t in types])
        items = []
        for i, (own, _, _) in enumerate(types):
            f = list(own)
            if marks[i]:
                f.append("g=" + marks[i])
            if i + 1 < n and marks[i + 1]:
                f.append("g+1=" + marks[i + 1])
            if i == 0:
                f.append("BOS")
            if i == n - 1:
                f.append("EOS")
            for slot, j in enumerate((i - 2, i - 1, i + 1, i + 2)):
                if 0 <= j < n:
                    f += types[j][1][slot]
            items.append(f)
        return items


def save_clusters(
    path: str | Path, c_fine: dict[str, int], c_coarse: dict[str, int], c_extra: dict[str, int] | None = None
) -> None:
    data = {"fine": c_fine, "coarse": c_coarse, **({"extra": c_extra} if c_extra else {})}
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False)


def load_clusters(path: str | Path) -> tuple[dict[str, int], dict[str, int], dict[str, int] | None]:
    """``(fine, coarse, extra or None)`` cluster ids per word."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return data["fine"], data["coarse"], data.get("extra")


def train_crf(
    train_sents: list[tuple[list[str], list[str]]], out_dir: str | Path, words: list[str],
    vectors: np.ndarray, feat: Featurizer, c1: float = 0.05, c2: float = 0.01, iterations: int = 150,
    extra_clusters: int = 0,
) -> Path:
    """Fit the CRF; writes ``ner.crfsuite`` and ``crf_clusters.json.gz`` into ``out_dir``."""
    import pycrfsuite

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    c_fine, c_coarse = clusters(words, vectors, 256), clusters(words, vectors, 32)
    c_extra = clusters(words, vectors, extra_clusters) if extra_clusters else None
    save_clusters(out / "crf_clusters.json.gz", c_fine, c_coarse, c_extra)
    with gzip.open(out / "crf_featurizer.json.gz", "wt", encoding="utf-8") as fh:
        json.dump(feat.to_dict(), fh, ensure_ascii=False)
    cf = CrfFeatures(feat, c_fine, c_coarse, c_extra)
    trainer = pycrfsuite.Trainer(verbose=False)
    for toks, tags in train_sents:
        trainer.append(cf.sentence(toks), tags)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations, "feature.possible_transitions": True})
    trainer.train(str(out / "ner.crfsuite"))
    return out / "ner.crfsuite"


class CrfTagger:
    """Loads ``ner.crfsuite`` + clusters; ``tag(tokens)`` → ``[(tag, marginal probability)]``."""

    def __init__(self, model_dir: str | Path) -> None:
        import pycrfsuite

        d = Path(model_dir)
        with gzip.open(d / "crf_featurizer.json.gz", "rt", encoding="utf-8") as fh:
            feat = Featurizer(**json.load(fh))
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(d / "ner.crfsuite"))
        self.features = CrfFeatures(feat, *load_clusters(d / "crf_clusters.json.gz"))

    def tag(self, tokens: list[str]) -> list[tuple[str, float]]:
        if not tokens:
            return []
        tags = self.tagger.tag(self.features.sentence(tokens))
        marg = self.tagger.marginal
        return [(t, marg(t, i) if t != "O" else 1.0) for i, t in enumerate(tags)]

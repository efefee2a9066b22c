"""akhbar's news NER corpus: ANT articles annotated by reading, in ``docs/entity-guidelines.md``.

Files in ``transforms/ner/data/news/``:

- ``articles.jsonl`` — the excerpts as drawn (``bench/news_sample.py``): ``id, corpus, source,
  category, url, title, published_raw, text``; an input ``akhbar run`` reads as it is.
- ``sentences.jsonl`` — ``id, sentences``: the sentences ``akhbar run`` makes of each excerpt (what
  the tagger reads, so what was annotated).
- ``annotations/*.jsonl`` — ``id, mentions, annotator``: each name of the article once, as the
  reader wrote it without proclitic, ``{"surface": "سيرغي لافروف", "label": "PERS"}``; optional
  ``"sentences": [0, 3]`` limits it to those sentences. ``label: "O"`` marks a phrase that is no
  name where a shorter listed name would otherwise match inside it.
- ``second_reading/*.jsonl`` — the same format, an independent reading of a sample of the articles.

``bio(sentences, mentions)`` turns one article into token-level BIO: every occurrence of a listed
name is tagged, longest name first, with or without a leading proclitic
(``ولافروف`` matches ``لافروف``; ``للجيش الإسرائيلي`` matches ``الجيش الإسرائيلي``).
``SPLITS`` holds out whole sources: the test figures measure an outlet the tagger never saw.
"""
from __future__ import annotations

import json
from pathlib import Path

from transforms.ner.conll import Sentence
from transforms.ner.text import PROCLITICS, norm, token_surfaces

DATA = Path(__file__).parent / "data" / "news"
TEST_SOURCES = frozenset({"BBC"})
LABELS = ("PERS", "LOC", "ORG", "MISC")
_ARTICLE_PREFIXES = ("لل", "ولل", "فلل")  # ل + ال writes as لل: للجيش = ل + الجيش


def split_of(source: str) -> str:
    """``test`` for the held-out sources, else ``train``."""
    return "test" if source in TEST_SOURCES else "train"


def _matches_first(token: str, word: str) -> bool:
    """``token`` is ``word`` or ``word`` behind one proclitic (normalized forms)."""
    if token == word:
        return True
    if any(token == p + word for p in PROCLITICS):
        return True
    return word.startswith("ال") and any(token == p + word[2:] for p in _ARTICLE_PREFIXES)


def match_spans(tokens: list[str], names: list[tuple[list[str], str]]) -> list[tuple[str, int, int, int]]:
    """Non-overlapping ``(label, start, end, name_index)`` spans of ``names`` (normalized token lists
    with a label) in ``tokens`` (normalized), longest name first, then leftmost; ``O`` names block but
    are dropped."""
    taken = [False] * len(tokens)
    found: list[tuple[str, int, int, int]] = []
    for j in sorted(range(len(names)), key=lambda j: -len(names[j][0])):
        words, label = names[j]
        n = len(words)
        if not n:
            continue
        for i in range(len(tokens) - n + 1):
            if any(taken[i : i + n]) or not _matches_first(tokens[i], words[0]):
                continue
            if tokens[i + 1 : i + n] != words[1:]:
                continue
            taken[i : i + n] = [True] * n
            if label != "O":
                found.append((label, i, i + n, j))
    return sorted(found, key=lambda s: s[1])


def name_tokens(surface: str) -> list[str]:
    """Normalized tokens of a listed name: ``"سيرغي لافروف"`` → ``["سيرغي", "لافروف"]``."""
    return [norm(t) for t in token_surfaces(surface)]


def _tagged(sentences: list[str], mentions: list[dict]):
    """Per sentence: its tokens and the ``(label, start, end, mention_index)`` spans found in it."""
    for k, text in enumerate(sentences):
        toks = token_surfaces(text)
        names = [(name_tokens(m["surface"]) if "sentences" not in m or k in m["sentences"] else [], m["label"])
                 for m in mentions]
        yield toks, match_spans([norm(t) for t in toks], names)


def bio(sentences: list[str], mentions: list[dict]) -> list[Sentence]:
    """``(tokens, BIO tags)`` per sentence of one article annotated with ``mentions``."""
    out: list[Sentence] = []
    for toks, found in _tagged(sentences, mentions):
        tags = ["O"] * len(toks)
        for label, a, b, _ in found:
            tags[a:b] = [f"B-{label}"] + [f"I-{label}"] * (b - a - 1)
        out.append((toks, tags))
    return out


def article_gold(sentences: list[str], mentions: list[dict], entities: dict[str, str] | None = None) -> list[dict]:
    """One article's gold mentions ``{"surface", "label", "entity", "count"}``: each listed name counted
    where it was tagged; ``entities`` maps ``"surface|label"`` to a cross-document entity name."""
    counts = [0] * len(mentions)
    for _, found in _tagged(sentences, mentions):
        for *_, j in found:
            counts[j] += 1
    return [{"surface": m["surface"], "label": m["label"], "count": c,
             "entity": (entities or {}).get(f"{m['surface']}|{m['label']}", m["surface"])}
            for m, c in zip(mentions, counts) if c and m["label"] != "O"]


def document_gold(split: str = "test", entities: dict[str, str] | None = None, data: Path = DATA) -> dict:
    """Gold for ``akhbar eval-entities``: ``{url: {"mentions": [{"surface", "label", "entity", "count"}]}}``
    with each listed name counted where it was tagged; ``entities`` maps ``"surface|label"`` to a
    cross-document entity name (default: the surface)."""
    arts, notes = load_articles(data), load_annotations(data=data)
    gold: dict[str, dict] = {}
    for i in sorted(notes):
        if i not in arts or arts[i]["split"] != split:
            continue
        gold[arts[i]["url"]] = {"id": i, "mentions": article_gold(arts[i]["sentences"], notes[i]["mentions"], entities)}
    return gold


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_articles(data: Path = DATA) -> dict[str, dict]:
    """Articles by id with their ``sentences`` and ``split`` added."""
    arts = {a["id"]: a for a in _read_jsonl(data / "articles.jsonl")}
    for row in _read_jsonl(data / "sentences.jsonl"):
        arts[row["id"]]["sentences"] = row["sentences"]
    for a in arts.values():
        a["split"] = split_of(a["source"])
    return arts


def load_annotations(folder: str = "annotations", data: Path = DATA) -> dict[str, dict]:
    """Annotations by article id from every ``*.jsonl`` in ``data/folder`` (later files win)."""
    out: dict[str, dict] = {}
    for path in sorted((data / folder).glob("*.jsonl")):
        for row in _read_jsonl(path):
            out[row["id"]] = row
    return out


def dev_ids(ids: list[str], share: float = 0.1, seed: int = 13) -> set[str]:
    """A fixed ``share`` of the training articles, drawn per source, that picks epochs and recipes."""
    import random

    rng = random.Random(seed)
    by_source: dict[str, list[str]] = {}
    for i in sorted(ids):
        by_source.setdefault(i.split("-")[0], []).append(i)
    return {i for group in by_source.values() for i in rng.sample(group, max(1, round(len(group) * share)))}


def fixed_dev_ids(data: Path = DATA) -> set[str]:
    """The epoch-picking articles listed in ``dev_ids.txt`` (drawn once by ``dev_ids`` from the first
    897 training articles), so that adding articles never moves one from dev into training; empty
    when the file is absent."""
    path = data / "dev_ids.txt"
    return set(path.read_text(encoding="utf-8").split()) if path.exists() else set()


def training_sentences(dev_share: float = 0.1, data: Path = DATA) -> tuple[list[Sentence], list[Sentence]]:
    """``(train, dev)`` BIO sentences of the training sources; ``dev_share=0`` keeps all for training.
    The dev articles are ``fixed_dev_ids`` when that list exists, else ``dev_share`` of them drawn."""
    arts = corpus("train", data)
    dev = (fixed_dev_ids(data) or dev_ids([a["id"] for a, _ in arts], dev_share)) if dev_share > 0 else set()
    tr = [s for a, sents in arts if a["id"] not in dev for s in sents]
    return tr, [s for a, sents in arts if a["id"] in dev for s in sents]


def corpus(split: str | None = None, data: Path = DATA) -> list[tuple[dict, list[Sentence]]]:
    """Annotated articles ``(article, BIO sentences)`` in id order, of one split or all."""
    arts, notes = load_articles(data), load_annotations(data=data)
    return [(arts[i], bio(arts[i]["sentences"], notes[i]["mentions"]))
            for i in sorted(notes) if i in arts and (split is None or arts[i]["split"] == split)]

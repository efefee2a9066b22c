"""``mentions(sentences)``: entity mentions with document offsets, plus document-level consistency.

Input columns: ``sentence_id, doc_id, start_char`` (sentence offset in the document's ``clean_text``),
``text``. Output columns: ``mention_id, doc_id, sentence_id, start_char, end_char, surface, label,
score, method``; offsets are into the document, so ``clean_text[start_char:end_char] == surface``.
Example: a sentence at offset 120 with text ``"قال نيكولاي باتروشيف"`` gives
``(…, start_char=124, end_char=140, surface="نيكولاي باتروشيف", label="PERS", method="neural")``.

Consistency: within one ``doc_id`` a name tagged confidently once is tagged wherever it recurs
(also behind a proclitic: ``وباتروشيف``), a person's last name alone counts as that person
(``باتروشيف`` after ``نيكولاي باتروشيف``), two known people joined by ``و`` are two spans
(``شي وبوتين``), and one surface gets the doc's majority label.
The per-document pass is plain Python over one batch (``method="consistency"`` marks its additions).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

import polars as pl

from transforms.ids import stable_id
from transforms.ner.conll import spans
from transforms.ner.rules import apply_rules, rule_gazetteer
from transforms.ner.tagger import (NEURAL_FILES, fast_tagger, neural_path, release_tables, resolved_backend,
                                  tag_with)
from transforms.ner.text import norm, token_surfaces, word_key

SCHEMA = {
    "mention_id": pl.Utf8, "doc_id": pl.Utf8, "sentence_id": pl.Utf8, "start_char": pl.Int64,
    "end_char": pl.Int64, "surface": pl.Utf8, "label": pl.Utf8, "score": pl.Float64, "method": pl.Utf8,
}
PROPAGATE_MIN_SCORE = 0.6
_CLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_MAX_KEY = 6
_FUNCTION_WORDS = frozenset(word_key(norm(w)) for w in "مع على في من عن إلى الى لدى عند حول ان أن إن قد".split())
_NAME_ENDS = frozenset(word_key(norm(w)) for w in ("الابن", "الأب", "جونيور"))  # بوش الابن: one man
CHUNK_SENTENCES = 4000  # ~600 articles of the shared corpus (6.8 sentences each)


def mentions(sentences: pl.DataFrame, backend: str = "default", model_path: str | None = None,
             chunk_sentences: int = CHUNK_SENTENCES) -> pl.DataFrame:
    """Entity mentions of every sentence (see the module docstring for columns).

    ``backend``: "default" (the shipped model), "neural", "large" (the slower, more accurate BiLSTM),
    "crf" or "camel" (camel-tools' BERT, only if its data is installed — else ``CamelModelMissing``). ``model_path`` overrides the model file.

    Whole documents at a time, about ``chunk_sentences`` sentences each (the consistency pass
    needs a document's sentences together): the sentences as Python rows, their tokens and spans
    are this stage's working memory, held per chunk instead of per batch (on one 2,000-article
    batch of the shared corpus the stage's peak fell from +210 to +98 MB; same rows, same order).
    """
    parts = [_mentions(part, backend, model_path) for part in _document_chunks(sentences, chunk_sentences)]
    return pl.concat(parts) if parts else pl.DataFrame(schema=SCHEMA)


def _document_chunks(sentences: pl.DataFrame, size: int) -> list[pl.DataFrame]:
    """``sentences`` cut into runs of whole documents (in order of first appearance) of ~``size`` rows."""
    if sentences.height <= size:
        return [sentences] if sentences.height else []
    per_doc = sentences.group_by("doc_id", maintain_order=True).len()
    chunk = per_doc.select("doc_id", _chunk=((pl.col("len").cum_sum() - pl.col("len")) // size).cast(pl.UInt32))
    tagged = sentences.join(chunk, on="doc_id", how="left", maintain_order="left")
    return [part.drop("_chunk") for part in tagged.partition_by("_chunk", maintain_order=True)]


def _mentions(sentences: pl.DataFrame, backend: str, model_path: str | None) -> pl.DataFrame:
    rows = sentences.select("sentence_id", "doc_id", "start_char", "text").to_dicts()
    words = [token_surfaces(r["text"] or "") for r in rows]
    found: list[list[tuple[int, int, str, float, str]]]
    kind = resolved_backend(backend)
    if kind in NEURAL_FILES:
        # spans straight from the tag arrays: no per-token (tag, probability) tuples
        found = [[(a, b, label, sc, kind) for a, b, label, sc in sent]
                 for sent in fast_tagger(neural_path(kind, model_path)).spans(words)]
    else:
        tagged, method = tag_with(backend, words, model_path)
        found = []
        for tags in tagged:
            sent = []
            if any(t != "O" for t, _ in tags):  # most sentences have no entity: skip the span walk
                for label, a, b in spans([t for t, _ in tags]):
                    sent.append((a, b, label, sum(p for _, p in tags[a:b]) / (b - a), method))
            found.append(sent)
    keys = [_key(w) for w in words]
    gaz = rule_gazetteer(backend, model_path)
    for k, sent in zip(keys, found):
        apply_rules(k, sent, gaz)
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_doc[r["doc_id"]].append(i)
    for idx in by_doc.values():
        _consistency([keys[i] for i in idx], [found[i] for i in idx])
    out = []
    for i, (r, sent) in enumerate(zip(rows, found)):
        if not sent:
            continue
        text, toks = r["text"], words[i]
        at = _starts(text, toks, max(b for _, b, *_ in sent))  # offsets only where there is a mention
        base = r["start_char"] or 0
        for a, b, label, sc, how in sorted(sent):
            s, e = at[a], at[b - 1] + len(toks[b - 1])
            out.append({
                "mention_id": stable_id(r["doc_id"], base + s, base + e, label), "doc_id": r["doc_id"],
                "sentence_id": r["sentence_id"], "start_char": base + s, "end_char": base + e,
                "surface": text[s:e], "label": label,
                "score": round(float(sc), 4), "method": how,
            })
    return pl.DataFrame(out, schema=SCHEMA).unique("mention_id", keep="first", maintain_order=True)


def release_caches() -> None:
    """Drop what ``mentions`` keeps between calls in this process (token keys, the taggers' surface
    tables and sentence caches); the next call rebuilds what it needs and returns the same rows."""
    _tok_key.cache_clear()
    release_tables()


@lru_cache(maxsize=200_000)
def _tok_key(token: str) -> str:
    return word_key(norm(token))


def _key(tokens: list[str]) -> tuple[str, ...]:
    return tuple(map(_tok_key, tokens))


def _starts(text: str, surfaces: list[str], upto: int) -> list[int]:
    """Start offsets in ``text`` of its first ``upto`` tokens (``surfaces`` = ``token_surfaces(text)``).

    Only whitespace and lone bidi marks lie between two tokens, so each token starts at the next
    occurrence of its surface after the previous one: ``str.find`` instead of a second regex pass."""
    out: list[int] = []
    pos, find = 0, text.find
    for tok in surfaces[:upto]:
        pos = find(tok, pos)
        out.append(pos)
        pos += len(tok)
    return out


def _consistency(keys: list[tuple[str, ...]], found: list[list[tuple[int, int, str, float, str]]]) -> None:
    """Relabel to the majority label and tag untagged recurrences, in place, for one document.

    ``keys``: each sentence's tokens as ``_key`` forms; ``found``: each sentence's spans."""
    _split_joined_names(keys, found)
    _split_at_conjunction(keys, found)
    labels: dict[tuple[str, ...], Counter] = defaultdict(Counter)
    conf: dict[tuple[str, ...], float] = defaultdict(float)
    for ws, sent in zip(keys, found):
        for a, b, label, sc, _ in sent:
            k = ws[a:b]
            labels[k][label] += 1
            conf[k] = max(conf[k], sc)
            if label == "PERS" and b - a >= 2 and len(k[-1]) >= 3:
                labels[k[-1:]]["PERS"] += 0  # last name: known, but never outvotes a real tag
                conf[k[-1:]] = max(conf[k[-1:]], sc * 0.95)
    best = {k: (c.most_common(1)[0][0] if sum(c.values()) else "PERS") for k, c in labels.items()}
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for k in sorted((k for k in best if conf[k] >= PROPAGATE_MIN_SCORE), key=len, reverse=True):
        if len(k) <= _MAX_KEY:
            by_first[k[0]].append(k)
    if not by_first:
        return
    for head, ks in list(by_first.items()):
        for c in _CLITICS:
            if len(head) > 1:
                by_first[c + head] = by_first.get(c + head, []) + ks
    for keyed, sent in zip(keys, found):
        for n, (a, b, label, sc, how) in enumerate(sent):
            k = keyed[a:b]
            if best.get(k, label) != label and sum(labels[k].values()) >= 2:
                sent[n] = (a, b, best[k], sc, how)
        if by_first.keys().isdisjoint(keyed):  # no known head in this sentence
            continue
        covered = {i for a, b, *_ in sent for i in range(a, b)}
        resume = 0  # after a hit, matching resumes at its end
        for i in [j for j, w in enumerate(keyed) if w in by_first]:  # only known heads can start one
            if i < resume:
                continue
            hit = _match(keyed, i, by_first, covered)
            if hit:
                sent.append((i, hit[0], best[hit[1]], conf[hit[1]] * 0.9, "consistency"))
                covered.update(range(i, hit[0]))
                resume = hit[0]


def _split_joined_names(keys: list[tuple[str, ...]], found: list[list[tuple[int, int, str, float, str]]]) -> None:
    """Mend a one-off PERS span that starts with a name the document already knows as a person's
    last name or full name (``لافروف شي``, "Lavrov [thanked] Xi", when ``سيرجي لافروف`` occurs in it).

    Arabic names end with the family name, so such a span may be two people; the tagger alone cannot
    tell two adjacent names from one. It is split (``لافروف`` + ``شي``) when the rest is a person the
    document also knows — a PERS span elsewhere opens or ends with its first word, behind a proclitic
    too (``شي جين بينغ``; ``وكيم`` by ``كيم جونغ اون``) — or opens with a ``و`` word (``ماكرون
    وميركل``). Otherwise the tagger ran on into a word (``بوتين لولاية``, "Putin for a [new] term")
    or it is one person whose first name merely ends some other span (``كيم جونغ اون`` beside
    ``سلامة كيم``). The rest is cut off when it opens with a word no name begins with
    (``_opens_no_name``: ``لرويترز``) or is one word while the known name is tagged alone elsewhere
    in the article (but not ``الابن``, ``جونيور``: ``بوش الابن``); anything else stays whole."""
    seen: Counter = Counter()
    names: list[tuple[str, ...]] = []  # multi-token PERS keys of the document
    persons: Counter = Counter()
    firsts: Counter = Counter()
    lasts: Counter = Counter()
    for ws, sent in zip(keys, found):
        for a, b, label, _, _ in sent:
            seen[ws[a:b]] += 1
            if label == "PERS":
                persons[ws[a:b]] += 1
                firsts[ws[a]] += 1
                lasts[ws[b - 1]] += 1
                if b - a >= 2:
                    names.append(ws[a:b])
    if not names:
        return

    def known_from(keys_: list[tuple[str, ...]]) -> set[tuple[str, ...]]:
        return {k for name in keys_ for k in (name, name[-1:])}

    def cut_of(name: tuple[str, ...], known: set) -> int | None:
        return next((m for m in range(len(name) - 1, 0, -1) if name[:m] in known), None)

    def person_elsewhere(word: str, own: tuple[str, ...]) -> bool:
        forms = [word] + [word[len(c):] for c in _CLITICS if word.startswith(c) and len(word) - len(c) >= 2]
        return any(firsts[f] - (own[0] == f) > 0 or lasts[f] - (own[-1] == f) > 0 for f in forms)

    # names that would be split do not vouch for their own last token (لافروف شي must not make
    # شي a known last name and split شي جين بينغ)
    everything = known_from(names)
    known = known_from([n for n in names if seen[n] > 1 or cut_of(n, everything) is None])
    for ws, sent in zip(keys, found):
        for n, (a, b, label, sc, how) in enumerate(list(sent)):
            if label != "PERS" or b - a < 2 or seen[ws[a:b]] > 1:
                continue
            cut = cut_of(ws[a:b], known)
            if cut is None:
                continue
            rest = ws[a + cut]
            if person_elsewhere(rest, ws[a:b]) or (rest[:1] == "و" and len(rest) > 3):
                sent[n] = (a, a + cut, label, sc, how)
                sent.append((a + cut, b, label, sc, how))
            elif _opens_no_name(rest) or (b - a - cut == 1 and persons[ws[a : a + cut]] and rest not in _NAME_ENDS):
                sent[n] = (a, a + cut, label, sc, how)


def _opens_no_name(word: str) -> bool:
    """A word no second name begins with: a preposition or other function word, a dash, or a word
    behind ``ل``/``ب`` (``لرويترز``, "to Reuters"; ``بالتحية``); ``بن`` (son of) is part of names."""
    return not word.isalpha() or word in _FUNCTION_WORDS or (word[0] in "لب" and len(word) > 3)


def _split_at_conjunction(keys: list[tuple[str, ...]], found: list[list[tuple[int, int, str, float, str]]]) -> None:
    """Split a PERS span at an inner ``و`` + a name the document knows as a person: ``شي وبوتين``
    becomes ``شي`` + ``وبوتين`` when ``بوتين`` (or ``فلاديمير بوتين``) is tagged elsewhere in it.
    On 4,000 ANT articles it split 33 of 17,777 PERS spans, each two people (``ترمب وكيم``);
    a name's own و-word (``محمد ولد عبد العزيز``) is not a known name after its و, so it stays whole."""
    known: Counter = Counter()
    for ws, sent in zip(keys, found):
        for a, b, label, _, _ in sent:
            if label == "PERS":
                known[ws[a:b]] += 1
                known[ws[b - 1 : b]] += 1
    if not known:
        return
    for ws, sent in zip(keys, found):
        for n, (a, b, label, sc, how) in enumerate(list(sent)):
            if label != "PERS" or b - a < 2:
                continue
            cut = next((k for k in range(a + 1, b) if len(ws[k]) > 3 and ws[k][0] == "و"
                        and ((ws[k][1:], *ws[k + 1 : b]) in known or (ws[k][1:],) in known)), None)
            if cut is not None:
                sent[n] = (a, cut, label, sc, how)
                sent.append((cut, b, label, sc, how))


def _match(keyed: tuple[str, ...], i: int, by_first: dict, covered: set[int]) -> tuple[int, tuple] | None:
    """Longest known key starting at token i (``by_first`` also maps proclitic forms to heads)."""
    if i in covered:
        return None
    for key in by_first.get(keyed[i], ()):
        n = len(key)
        if keyed[i + 1 : i + n] == key[1:] and not any(j in covered for j in range(i, i + n)):
            return i + n, key
    return None

"""The document-level pass over one article's spans: ``consistency(keys, found, places)``.

``keys``: each sentence's tokens as ``word_key(norm(token))`` (``mentions._key``); ``found``: each
sentence's ``(start, end, label, score, method)`` spans (token indices), changed in place. Within one
article a name tagged confidently once is tagged wherever it recurs (also behind a proclitic:
``وباتروشيف``), a person's last name alone counts as that person (``باتروشيف`` after ``نيكولاي
باتروشيف``, also where the tagger read it as a place: ``سكريبال``), two people the tagger joined
into one span are split (``لافروف شي``, ``شي وبوتين``), and one surface gets the article's majority
label; what the pass adds has ``method="consistency"``.
"""
from __future__ import annotations

from collections import Counter, defaultdict

from transforms.ner.text import PROCLITICS, bare_forms, norm, word_key

Span = tuple[int, int, str, float, str]
PROPAGATE_MIN_SCORE = 0.6
_MAX_KEY = 6
# words inside Arabic names (عبد الله, نور الدين): ending a name does not make them its person
_NAME_INSIDE = frozenset(word_key(norm(w)) for w in ("الله", "الدين", "الرحمن", "الرحيم", "الإسلام"))
_FUNCTION_WORDS = frozenset(word_key(norm(w)) for w in "مع على في من عن إلى الى لدى عند حول ان أن إن قد".split())
_NAME_ENDS = frozenset(word_key(norm(w)) for w in ("الابن", "الأب", "جونيور"))  # بوش الابن: one man


def consistency(keys: list[tuple[str, ...]], found: list[list[Span]], places: frozenset[str] = frozenset()) -> None:
    """Relabel to the majority label and tag untagged recurrences, in place, for one document.

    ``places``: words of place names (``gazetteer.place_words``), which a person's last name alone is
    not taken for."""
    _split_joined_names(keys, found)
    _split_at_conjunction(keys, found)
    _last_names_are_people(keys, found, places)
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
        for c in PROCLITICS:
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


def _last_names_are_people(keys: list[tuple[str, ...]], found: list[list[Span]], places: frozenset[str]) -> None:
    """A one-word span tagged LOC, ORG or MISC that is the last name of a PERS span of the same
    article becomes PERS: ``سكريبال`` read as a place in ``وصل سكريبال إلى المستشفى`` after ``سيرغي
    سكريبال`` (on 4,000 ANT articles the tagger gave it LOC 98 times in such articles), also behind
    a proclitic (``وبرانسون``). Not a place name's word (``واشنطن`` after ``جورج واشنطن`` stays a
    city) nor a word inside names (``الله`` after ``عبد الله``)."""
    lasts = {ws[b - 1] for ws, sent in zip(keys, found) for a, b, label, _, _ in sent
             if label == "PERS" and b - a >= 2 and len(ws[b - 1]) >= 3}
    if not lasts:
        return
    for ws, sent in zip(keys, found):
        for n, (a, b, label, sc, how) in enumerate(sent):
            if b - a != 1 or label == "PERS":
                continue
            forms = bare_forms(ws[a])
            if lasts.intersection(forms) and not any(f in places or f in _NAME_INSIDE for f in forms):
                sent[n] = (a, b, "PERS", sc, how)


def _split_joined_names(keys: list[tuple[str, ...]], found: list[list[Span]]) -> None:
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
        return any(firsts[f] - (own[0] == f) > 0 or lasts[f] - (own[-1] == f) > 0 for f in bare_forms(word, 2))

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


def _split_at_conjunction(keys: list[tuple[str, ...]], found: list[list[Span]]) -> None:
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

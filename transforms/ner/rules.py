"""Sentence-level rules after the tagger, for names it leaves out or cuts short and spans that name nobody.

``apply_rules(keys, spans, gazetteer.rule_gazetteer(backend))`` runs these and ``head_rules.headed_names``
(an untagged head noun joins the name after it: ``كتائب`` + ``عز الدين القسام``) on one sentence and changes its spans
in place: ``keys`` are the sentence's tokens as ``word_key(norm(token))`` (``mentions._key``),
``spans`` its ``(start, end, label, score, method)`` tuples (token indices, ``end`` exclusive); what
a rule adds, extends or merges gets ``method="rule"``; what it relabels keeps its method; what it
drops is gone.

- ``named_parties``: ANERcorp tags ``حزب الله`` (95 times) and a few other parties (``حزب الليكود``,
  ``حزب كاديما``) but leaves more of them ``O`` (``الحزب الوطني الديمقراطي``, ``حزب المحافظين
  البريطاني``), so the tagger hardly learns them; a reader lists them as organizations. ``للحزب الشيوعي الصيني`` → one ORG span:
  ``حزب``/``الحزب`` (a proclitic allowed), then a word of a party's name (``PARTY_WORDS``: ideologies
  and the nouns parties are named after), then more such words, ``و`` + one (``العدالة والتنمية``)
  or, after an adjective, nationality adjectives (``الصيني``, made from the model's country names;
  ``حزب الله اللبناني`` stays ``حزب الله`` as in ANERcorp). ``الحزب الحاكم`` ("the
  ruling party") is left alone: ``الحاكم`` names no party.
- ``known_names`` (a name the news corpus tags whole replaces the spans inside it) and
  ``country_tails`` (``سيدني بأستراليا`` is two places): their modules say how.
- ``joined_places``: a multi-word place name of the gazetteer that the tagger split into several LOC
  spans (``سانت`` + ``بطرسبرغ``) becomes one span (``سانت بطرسبرغ``), and so does a LOC span of
  one word that opens place names followed by another (``سان`` + ``بطرسبرج``: the gazetteer spells
  it ``سانت بطرسبرغ``).
- ``whole_places``: a LOC span that the untagged words around it make a multi-word gazetteer name
  takes them in (``جنوب`` + ``أفريقيا`` is the country, not a compass word and a continent).
- ``institution_names``: an ORG span that opens with an institution's head noun (``منظمة``,
  ``الوكالة``, ``الاتحاد``, ``معهد``…) and that the tagger ended right before a ``لل`` word
  takes that word and the adjectives after it (``منظمة شنغهاي`` + ``للتعاون``, ``الوكالة الدولية``
  + ``للطاقة الذرية``, ``الاتحاد الدولي`` + ``لكرة القدم``): ANERcorp annotates such names whole
  (42 of its ORG spans hold an inner ``ل`` word), and the tagger cuts the seeds' ``منظمة شنغهاي
  للتعاون`` short; a ``لل`` phrase after a complete name is the sentence's (``منظمة التجارة العالمية
  للاحتجاج``, "… to protest").
- ``generic_nouns``: spans that name nobody are dropped: ``ميليشيات`` / ``الميليشيا`` alone
  (ANERcorp tags them 3 times, and the tagger then tagged them 714 times in 4,000 ANT articles) and an
  indefinite head noun with indefinite adjectives only (``منظمة إرهابية``, "a terrorist
  organization"; a name is definite: ``منظمة العفو الدولية``, ``منظمة أوكسفام`` stay).
- ``organization_tails``: a PERS span that is a media name mined from the ANT corpora without its
  head noun (``فرانس برس`` of ``وكالة فرانس برس``, ``نيويورك تايمز`` of ``صحيفة نيويورك تايمز``)
  is ORG: behind ``قال`` the tagger reads the agency as a person (``قال لفرانس برس``, "[he] told
  AFP"; ANERcorp tags ``فرانس برس`` ORG 7 times, ``لفرانس برس`` PERS twice).
"""
from __future__ import annotations

from functools import lru_cache

from transforms.ner.gazetteer import RuleGazetteer
from transforms.ner.head_rules import headed_names
from transforms.ner.known_names import known_names, load_known_names
from transforms.ner.run_ons import country_tails
from transforms.ner.text import PROCLITICS, bare_forms, norm

Span = tuple[int, int, str, float, str]
RULE_SCORE = 0.9  # a rule's span is trusted like a confident tag (the consistency pass spreads ≥ 0.6)
_PARTY_HEADS = frozenset({"حزب", "الحزب"})
_PREFIXES = ("",) + PROCLITICS
PARTY_WORDS = frozenset(norm(w) for w in (
    "الشيوعي الديمقراطي الديموقراطي الجمهوري الاشتراكي الليبرالي الوطني القومي الشعبي التقدمي "
    "الاتحادي الدستوري الاستقلالي الإسلامي الأخضر الديمقراطيين الجمهوريين الاشتراكيين الشيوعيين "
    "البعث العمال العمل المحافظين المحافظون الأحرار الخضر الاستقلال العدالة التنمية الشعب النهضة "
    "الدعوة الوفد الأمة التجمع الكتائب التقدم الحرية الإصلاح الوسط المستقبل البناء الفضيلة المؤتمر "
    "الأصالة المعاصرة الله التحرير الكرامة المساواة الديمقراطية الاشتراكية الوحدة"
).split())
# nationality adjectives no country name yields by the ``ال + name + ي`` pattern
_EXTRA_NISBAS = frozenset(norm(w) for w in (
    "الأمريكي الأميركي البريطاني السعودي الفلسطيني الكوري الأفغاني العربي الكردي الكردستاني الأوروبي"
).split())
_MAX_PARTY = 6
# first words of place names ("San", "New", "Los", "Rio", "Port"): one of these tagged LOC alone
# right before another LOC span is that place's first word (``سان`` + ``بطرسبرج``)
_PLACE_OPENERS = frozenset(norm(w) for w in "سان سانت سانتا سانتو ساو نيو لوس لاس ريو بورت بوينس دار".split())
# head nouns of institutions whose names go on with a لل phrase (منظمة … للتعاون, معهد … للتكنولوجيا);
# مجلس and حزب are not here: مجلس الأمن للحصول على, حزب الله للجنديين are a name and a phrase
_INSTITUTION_HEADS = frozenset(norm(h) for w in (
    "منظمة وكالة لجنة اتحاد معهد بنك مصرف هيئة رابطة مكتب مركز جمعية صندوق مؤسسة جبهة أكاديمية "
    "منتدى برنامج"
).split() for h in (w, "ال" + w))
# names complete by themselves: a لل phrase after them is the sentence's ("الاتحاد الأوروبي للمهاجرين")
_COMPLETE_NAMES = frozenset(norm(w) for w in (
    "الاتحاد الأوروبي", "الاتحاد الاوروبي", "الاتحاد الأوربي", "الاتحاد الأفريقي", "الاتحاد الإفريقي",
    "البنك الدولي", "البنك المركزي", "الاتحاد السوفيتي", "الاتحاد السوفياتي"))
_MILITIA = frozenset(norm(w) for w in "ميليشيا ميليشيات مليشيا مليشيات ميلشيا ميلشيات".split())
# every way a militia word is written alone: behind a proclitic, with or without ال (لل + word)
_MILITIA_FORMS = frozenset(p + a + m for p in _PREFIXES for a in ("", "ال") for m in _MILITIA) | frozenset(
    p + "لل" + m for p in ("", "و", "ف") for m in _MILITIA)
_SPORTS = frozenset(norm(w) for w in "لكرة للكرة للعبة للألعاب".split())
# ل phrases of time and manner after a name are not part of it (الصحة العالمية للمرة الأولى)
_LIL_NOT_NAME = frozenset(norm(w) for w in "للمرة للعام للسنة لليوم للشهر للأسبوع للفترة للموسم للحظة للحصول للقيام".split())
_TAIL_NOT_NAME = frozenset(norm(w) for w in (
    "اليوم الأسبوع الشهر العام الماضي المقبل الحالي الجاري الذي التي الذين اللذين اللتين اللواتي اللاتي"
).split())


def apply_rules(keys: tuple[str, ...], spans: list[Span], gaz: RuleGazetteer) -> None:
    """The rules on one sentence, in place (``gaz`` from ``gazetteer.rule_gazetteer``)."""
    named_parties(keys, spans, gaz[0])
    if spans:
        known_names(keys, spans, load_known_names())
        country_tails(keys, spans, gaz[0])
        headed_names(keys, spans)
        organization_tails(keys, spans, gaz[3])
        generic_nouns(keys, spans)
        institution_names(keys, spans, gaz[0])
    if len(spans) > 1:
        joined_places(keys, spans, gaz[1], gaz[2])
    if spans:
        whole_places(keys, spans, gaz[1], gaz[2])


def whole_places(keys: tuple[str, ...], spans: list[Span], places: frozenset[str], longest: int) -> None:
    """Extend a LOC span over the untagged words around it that make it a multi-word gazetteer name
    (``جنوب`` + ``أفريقيا``, ``كوريا`` + ``الشمالية``); the first word may carry a proclitic
    (``وجنوب أفريقيا``). The longest such name wins; words of other spans are never taken."""
    taken = {i for s, e, *_ in spans for i in range(s, e)}
    for span in [s for s in spans if s[2] == "LOC"]:
        a, b = span[:2]
        best = None
        for lo in range(max(0, a - 2), a + 1):
            for hi in range(b, min(len(keys), b + 2) + 1):
                if (lo, hi) == (a, b) or hi - lo > longest or any(i in taken for i in (*range(lo, a), *range(b, hi))):
                    continue
                if any(" ".join((first, *keys[lo + 1 : hi])) in places for first in bare_forms(keys[lo], 2)):
                    if best is None or hi - lo > best[1] - best[0]:
                        best = (lo, hi)
        if best is not None:
            spans[spans.index(span)] = (best[0], best[1], "LOC", span[3], "rule")
            taken.update(range(*best))


def named_parties(keys: tuple[str, ...], spans: list[Span], countries: frozenset[str]) -> None:
    """Add an ORG span for each named party (see the module docstring); ``countries`` are the
    model's normalized country names (``الصين``), from which ``الصيني`` is recognized. A span the
    tagger already put inside the party's name is replaced; one that crosses its edge wins."""
    if "حزب" not in "".join(keys):  # one C-level scan: almost no sentence names a party
        return
    nisbas = _nisbas(countries)
    i = 0
    while i < len(keys) - 1:
        if _unprefixed(keys[i], _PARTY_HEADS) not in _PARTY_HEADS or _name_word(keys[i + 1]) not in PARTY_WORDS:
            i += 1
            continue
        end = i + 2
        while end < len(keys) and end - i < _MAX_PARTY:
            word = _name_word(keys[end])
            # a nationality adjective belongs to a name of adjectives (الحزب الشيوعي الصيني), not
            # to one of nouns: ANERcorp tags حزب الله, not حزب الله اللبناني
            after_adjective = keys[end - 1].endswith("ي")
            if word not in PARTY_WORDS and not (after_adjective and keys[end] == word and word in nisbas):
                break
            end += 1
        if _place(spans, i, end, "ORG", RULE_SCORE):
            i = end
        else:
            i += 1


def organization_tails(keys: tuple[str, ...], spans: list[Span], tails: frozenset[str]) -> None:
    """Relabel a PERS span of two words or more that is a media name's tail (``tails``, see
    ``gazetteer.rule_gazetteer``), also behind a proclitic (``لفرانس برس``), to ORG (method unchanged)."""
    for n, (a, b, label, score, how) in enumerate(spans):
        if label == "PERS" and b - a >= 2:
            rest = " ".join(keys[a + 1 : b])
            if any(f + " " + rest in tails for f in bare_forms(keys[a])):
                spans[n] = (a, b, "ORG", score, how)


def generic_nouns(keys: tuple[str, ...], spans: list[Span]) -> None:
    """Drop spans that name nobody (see the module docstring): a militia word alone, behind any
    proclitic or article (``لميليشيات``), or an indefinite head noun (``منظمة``, no ``ال``) followed only by
    indefinite feminine adjectives (``إرهابية``, ``حقوقية دولية``)."""
    spans[:] = [sp for sp in spans if not _generic(keys[sp[0] : sp[1]])]


def _generic(words: tuple[str, ...]) -> bool:
    if len(words) == 1:
        return words[0] in _MILITIA_FORMS
    if not all(w.endswith("ية") and not w.startswith(("ال", "وال")) and len(w) > 4 for w in words[1:]):
        return False  # checked first: almost every span fails here, before the head's prefixes are tried
    head = _unprefixed(words[0], _INSTITUTION_HEADS)
    return head in _INSTITUTION_HEADS and not head.startswith("ال")


def institution_names(keys: tuple[str, ...], spans: list[Span], countries: frozenset[str]) -> None:
    """Extend an ORG span over the ``لل`` phrase that completes its name (see the module docstring).

    Only a name still open before the ``لل`` word: the head noun followed by nationality-type
    adjectives (``الاتحاد الدولي``), proper names (``منظمة شنغهاي``) or country names, not by a
    noun of its own (``منظمة التجارة العالمية للاحتجاج``: "… to protest"); names complete by
    themselves (``الاتحاد الأوروبي``) only before a sport (``لكرة القدم``). After the ``لل`` word
    come at most two: an ``ال`` word (``للطاقة الذرية``) and/or a ``وال`` word (``للإنشاء
    والتعمير``, ``لعلوم الفضاء والفلك``); ``القدم`` ends it, and so does a relative pronoun."""
    for span in list(spans):
        while (longer := _institution_end(keys, spans, span, countries)) is not None:
            spans[spans.index(span)] = span = (span[0], longer, span[2], span[3], "rule")


def _institution_end(keys: tuple[str, ...], spans: list[Span], span: Span, countries: frozenset[str]) -> int | None:
    """Where ``span`` ends once the ``لل`` phrase after it is taken in, or None (no such phrase;
    a second call on the result takes in a second phrase: ``… للجان السياحية للمقاطعات الفرنسية``)."""
    a, b, label = span[:3]
    if label != "ORG" or b >= len(keys) or not _lil(keys[b]):
        return None
    head = _unprefixed(keys[a], _INSTITUTION_HEADS)
    if head not in _INSTITUTION_HEADS or any(s <= b < e for s, e, *_ in spans):
        return None
    inner = keys[a + 1 : b]
    if not all(w.endswith(("ي", "ية", "يه")) or not w.startswith("ال") or w in countries for w in inner):
        return None
    if " ".join((head, *inner)) in _COMPLETE_NAMES and keys[b] not in _SPORTS:
        return None
    end = b + 1
    while (end < len(keys) and end - b <= 2 and keys[end - 1] != "القدم" and not keys[end - 1].startswith("وال")
           and keys[end].startswith(("ال", "وال")) and keys[end] not in _TAIL_NOT_NAME
           and not any(s <= end < e for s, e, *_ in spans)):
        end += 1
    return end


def _lil(key: str) -> bool:
    """``للتعاون`` (ل + article) or ``لكرة``, but not ``للمرة`` ("for the first time") and its kind."""
    return (key.startswith("لل") and len(key) >= 5 and key not in _LIL_NOT_NAME) or key in _SPORTS


def joined_places(keys: tuple[str, ...], spans: list[Span], places: frozenset[str], longest: int) -> None:
    """Merge LOC spans that together are one multi-word gazetteer name (``places``: normalized,
    space-joined; ``longest``: most words in one). Only spans that lie wholly inside the name and
    cover all of it are merged; the score is their mean."""
    locs = sorted((s for s in spans if s[2] == "LOC"), key=lambda s: s[0])
    for n, first in enumerate(locs):
        group = [first]
        for nxt in locs[n + 1 :]:
            if nxt[0] != group[-1][1] or nxt[1] - first[0] > longest:
                break
            group.append(nxt)
            a, b = first[0], nxt[1]
            if _is_place(keys[a:b], places) or (len(group) == 2 and _is_prefix(keys[a:first[1]])):
                for s in group:
                    spans.remove(s)
                spans.append((a, b, "LOC", sum(s[3] for s in group) / len(group), "rule"))
                return joined_places(keys, spans, places, longest)  # at most a few per sentence


@lru_cache(maxsize=4)
def _nisbas(countries: frozenset[str]) -> frozenset[str]:
    """``الصيني`` from ``الصين``, ``الروسي`` from ``روسيا``, ``الفرنسي`` from ``فرنسا``."""
    out = set(_EXTRA_NISBAS)
    for name in countries:
        if " " in name:
            continue
        for stem in {name, name.removeprefix("ال")}:  # ال of the name or of the word (المانيا)
            if stem.endswith("يا") and len(stem) > 4:
                stem = stem[:-2]
            elif stem[-1:] in ("ا", "ه", "ة") and len(stem) > 3:
                stem = stem[:-1]
            out.add("ال" + stem + "ي")
    return frozenset(out)


def _unprefixed(key: str, heads: frozenset[str]) -> str:
    """The head of ``heads`` behind a proclitic: ``الحزب`` for ``للحزب``/``وللحزب``/``بالحزب``,
    ``منظمة`` for ``لمنظمة``; else the key."""
    for p in ("لل", "ولل", "فلل"):
        if key.startswith(p) and "ال" + key[len(p):] in heads:
            return "ال" + key[len(p):]
    for p in _PREFIXES:
        if key.startswith(p) and key[len(p):] in heads:
            return key[len(p):]
    return key


def _name_word(key: str) -> str:
    """The key, or its form without a joining ``و`` / ``لل`` (``والتنمية`` → ``التنمية``,
    ``للأحرار`` → ``الاحرار``) when that form is a party word."""
    if key in PARTY_WORDS:
        return key
    if key.startswith("و") and key[1:] in PARTY_WORDS:
        return key[1:]
    if key.startswith("لل") and "ا" + key[1:] in PARTY_WORDS:
        return "ا" + key[1:]
    return key


def _is_prefix(keys: tuple[str, ...]) -> bool:
    """Whether a span is one word that opens place names (``سان``, ``نيو``), also behind a proclitic."""
    if len(keys) != 1:
        return False
    k = keys[0]
    return k in _PLACE_OPENERS or (k[:1] in ("و", "ف", "ب", "ل") and k[1:] in _PLACE_OPENERS)


def _is_place(keys: tuple[str, ...], places: frozenset[str]) -> bool:
    """Whether a run of keys is a gazetteer name, also behind a proclitic (``وسان بطرسبرج``)."""
    text = " ".join(keys)
    return text in places or (text[:1] in ("و", "ف", "ب", "ل") and len(keys[0]) > 3 and text[1:] in places)


def _place(spans: list[Span], a: int, b: int, label: str, score: float) -> bool:
    """Put span ``[a, b)`` in ``spans`` unless a span crosses its edge; spans inside it go. The
    tagger's own span of the same extent and label is kept as it is (``حزب الله``)."""
    if any(sp[:3] == (a, b, label) for sp in spans):
        return True
    if any(s < b and e > a and not (a <= s and e <= b) for s, e, *_ in spans):
        return False
    spans[:] = [sp for sp in spans if not (a <= sp[0] and sp[1] <= b)]
    spans.append((a, b, label, score, "rule"))
    return True

"""ANERcorp's annotations brought to akhbar's conventions (``docs/entity-guidelines.md``).

``to_akhbar(sentences, countries)`` rewrites BIO tags of ANERcorp-style sentences, token by token,
where the two conventions differ in a way a rule can see:

- an organization's head noun left ``O`` before its name joins it: ``حركة/O حماس/B-ORG`` →
  ``حركة/B-ORG حماس/I-ORG`` (``ORG_HEADS``, behind a proclitic too: ``لحركة``);
- a facility's head noun before a name makes one place: ``مطار/O هيثرو/B-LOC`` → ``B-LOC I-LOC``,
  also when ANERcorp tagged the name as a person or organization (``مستشفى/O الملك فهد/B-PERS…``);
- a state body's generic head followed by a nationality adjective is an organization:
  ``الجيش/O الإسرائيلي/O`` → ``B-ORG I-ORG`` (``STATE_HEADS``, adjectives from the country names;
  not after a title: ``وزير الخارجية الروسي`` stays ``O``);
- MISC spans that akhbar does not count become ``O``: currencies and religion words
  (``دولار``, ``الإسلام``, ``الله`` alone);
- ``البيت الأبيض`` and the other seats of government are ORG.

Everything else is left as ANERcorp has it. Used for training (``training.train(news=…)``) and for
scoring the ANERcorp dev split in akhbar's conventions.
"""
from __future__ import annotations

from transforms.ner.conll import Sentence, spans
from transforms.ner.rules import _nisbas
from transforms.ner.text import PROCLITICS, norm

ORG_HEADS = frozenset(norm(w) for w in (
    "حركة حزب وزارة منظمة جماعة شركة وكالة صحيفة جريدة مجلة قناة إذاعة اذاعة نادي جامعة مجلس اتحاد "
    "كتائب سرايا تنظيم جبهة بنك مصرف محكمة هيئة لجنة مؤسسة مجموعة رابطة جمعية معهد مركز صندوق"
).split())
FACILITY_HEADS = frozenset(norm(w) for w in (
    "مطار مخيم معبر مستشفى ميناء سجن ملعب مسجد كنيسة حاجز قاعدة قلعة قصر ساحة شارع جسر"
).split())
STATE_HEADS = frozenset(norm(w) for w in (
    "الجيش الحكومة الشرطة الخارجية المنتخب البرلمان الاستخبارات المخابرات الداخلية الدفاع"
).split())
NOT_ENTITIES = frozenset(norm(w) for w in (
    "دولار دولارا دولارات الدولار درهم دراهم جنيه جنيها يورو اليورو شيكل ين ريال ريالا دينار دينارا "
    "الدينار روبل ليرة الليرة الإسلام الاسلام الله لله المسيحية اليهودية"
).split())
# a title before a ministry's short name makes a job, not a body: وزير الخارجية الروسي
TITLE_WORDS = frozenset(norm(w) for w in "وزير وزيرة وزراء نائب رئيس قائد مدير متحدث المتحدث باسم السياسة للسياسة".split())
SEATS = frozenset(norm(w) for w in ("البيت الأبيض", "الكرملين", "الإليزيه", "داونينغ ستريت"))


def _bare(word: str) -> set[str]:
    """A normalized word and its forms without one proclitic (``لحركة`` → ``حركة``)."""
    return {word} | {word[len(p):] for p in PROCLITICS if word.startswith(p) and len(word) - len(p) >= 3}


def to_akhbar(sents: list[Sentence], countries: frozenset[str] = frozenset()) -> list[Sentence]:
    """The sentences with their tags rewritten as the module docstring lists; tokens unchanged."""
    nisbas = _nisbas(countries)
    nisbas = nisbas | {n + "ة" for n in nisbas}  # الروسي → الروسية (وزارة الخارجية الروسية)
    return [(toks, _convert(toks, list(tags), nisbas)) for toks, tags in sents]


def _convert(toks: list[str], tags: list[str], nisbas: frozenset[str]) -> list[str]:
    keys = [norm(t) for t in toks]
    for label, a, b in spans(tags):
        name = " ".join(_strip(keys[a:b]))
        if label == "MISC" and b - a == 1 and _bare(keys[a]) & NOT_ENTITIES:
            tags[a] = "O"
        elif name in SEATS:
            tags[a:b] = ["B-ORG"] + ["I-ORG"] * (b - a - 1)
        elif a > 0 and tags[a - 1] == "O":
            head = _bare(keys[a - 1])
            if head & FACILITY_HEADS and label in ("LOC", "PERS", "ORG", "MISC"):
                tags[a - 1 : b] = ["B-LOC"] + ["I-LOC"] * (b - a)
            elif head & ORG_HEADS and label == "ORG":
                tags[a - 1 : b] = ["B-ORG"] + ["I-ORG"] * (b - a)
    for i in range(len(toks) - 1):
        if tags[i] == "O" and tags[i + 1] == "O" and _bare(keys[i]) & STATE_HEADS and keys[i + 1] in nisbas:
            before = _bare(keys[i - 1]) if i > 0 and tags[i - 1] == "O" else set()
            if before & TITLE_WORDS:
                continue
            start = i - 1 if before & {"وزاره", "وزارة"} else i  # وزارة الخارجية الروسية
            tags[start : i + 2] = ["B-ORG"] + ["I-ORG"] * (i + 1 - start)
    return tags


def _strip(keys: list[str]) -> list[str]:
    """The first key without a proclitic when that leaves a seat's name (``والكرملين``)."""
    if not keys:
        return keys
    forms = sorted(_bare(keys[0]), key=len)
    return [next((f for f in forms if " ".join([f] + keys[1:]) in SEATS), keys[0])] + keys[1:]

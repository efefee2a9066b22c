"""The report page: sections as escaped HTML, chart specs and the vendored Vega JS inlined into
``static/report.html``, so the file opens offline with no network request."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import lru_cache
from html import escape
from importlib import resources
from typing import Any

from warehouse.report.data import Window

_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
_SOURCE_MAP = re.compile(r"//# sourceMappingURL=\S+")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)
_VENDORED = {"VEGA": "vega.min.js", "VEGA_LITE": "vega-lite.min.js", "VEGA_EMBED": "vega-embed.min.js"}


@lru_cache(maxsize=None)
def _static(name: str) -> str:
    return resources.files("warehouse.report").joinpath(f"static/{name}").read_text("utf-8")


def _script(name: str) -> str:
    # Source-map comments would make devtools fetch a .map file: the page must not ask for anything.
    return _SOURCE_MAP.sub("", _static(name))


def _json_for_script(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def _n(v: Any) -> str:
    return f"{int(v or 0):,}"


# Arabic counted nouns: (one, two, 3-10 plural, 11+ singular accusative).
_COUNTED = {"article": ("مقالة واحدة", "مقالتان", "مقالات", "مقالة"),
            "source": ("مصدر واحد", "مصدران", "مصادر", "مصدرًا")}


def _count(n: int, noun: str) -> str:
    """``3 مقالات``, ``مقالتان``, ``15 مقالة``: the noun agrees with the number as Arabic needs."""
    one, two, few, many = _COUNTED[noun]
    if n == 1:
        return one
    if n == 2:
        return two
    return f"{_n(n)} {few if 3 <= n % 100 <= 10 else many}"


def _day(v: Any) -> str:
    # Isolated LTR so an ISO date keeps its order inside Arabic text.
    return f'<bdi dir="ltr">{escape(str(v)[:10])}</bdi>' if v else "—"


def _chart_or_empty(chart_id: str, spec: dict | None, empty: str) -> str:
    if spec is None:
        return f'<p class="empty" id="{chart_id}-empty">{escape(empty)}</p>'
    return f'<div class="chart" id="{chart_id}" data-chart="vega-lite"></div>'


def _link(url: str | None, text: str) -> str:
    if url and _SAFE_URL.match(url):
        return f'<a href="{escape(url)}" rel="noopener noreferrer" target="_blank">{escape(text)}</a>'
    return escape(text)


def _summary(s: dict[str, Any], specs: dict) -> str:
    cards = [
        (_n(s["n_articles"]), "مقالة"), (_n(s["n_sources"]), "مصدر"),
        (f'<span class="range">{_day(s["first_day"])}<br>{_day(s["last_day"])}</span>'
         if s["first_day"] else "—", "الفترة"),
        (_n(s["n_entities"]), "كيان مذكور"), (_n(s["n_mentions"]), "إشارة"),
        (_n(s["n_quotes"]), "اقتباس"), (_n(s["n_stories"]), "حدث في أكثر من مقال"),
    ]
    html = "".join(f'<div class="card"><div class="num">{num}</div><div class="lbl">{lbl}</div></div>'
                   for num, lbl in cards)
    return (f'<section id="summary"><h2>نظرة عامة</h2><div class="cards">{html}</div>'
            f'<h3>المقالات حسب التاريخ والمصدر</h3>'
            f'{_chart_or_empty("chart-articles", specs["chart-articles"], "لا توجد مقالات بتاريخ نشر معروف في هذه الفترة.")}'
            f'</section>')


def _tops(specs: dict) -> str:
    cols = [("chart-people", "الأشخاص"), ("chart-places-top", "الأماكن"), ("chart-orgs", "المنظمات")]
    inner = "".join(
        f'<div><h3>{title}</h3>{_chart_or_empty(cid, specs[cid], f"لا توجد إشارات إلى {title} بعد.")}</div>'
        for cid, title in cols)
    return f'<section id="top-entities"><h2>الأكثر ذكرًا</h2><div class="grid3">{inner}</div></section>'


_SPEAKER_KIND = {"PERS": "شخص", "ORG": "منظمة", "LOC": "مكان", "MISC": "كيان"}


def _speaker(q: dict[str, Any]) -> str:
    """Who said it: the entity's name with its kind, and the words the article used when they differ
    (``سيرغي لافروف · شخص (الوزير)``); a description alone (``مصدر أمني · وصف``)."""
    if not q["speaker"]:
        return '<bdi class="who unknown">متحدث غير معروف</bdi>'
    label = q.get("speaker_label")
    kind = _SPEAKER_KIND.get(label, "كيان") if label else "وصف"
    said = q.get("speaker_text")
    aside = f' <bdi class="as-written">({escape(said)})</bdi>' if label and said and said != q["speaker"] else ""
    return (f'<bdi class="who" data-kind="{"entity" if label else "description"}">{escape(q["speaker"])}</bdi>'
            f'<span class="kind"> · {kind}</span>{aside}')


def _quotes(rows: list[dict[str, Any]]) -> str:
    if not rows:
        body = '<p class="empty" id="quotes-empty">لا توجد اقتباسات في هذه الفترة.</p>'
    else:
        items = []
        for q in rows:
            who = _speaker(q)
            verb = escape(q["verb"] or "قال")
            source = q["title"] or (q["source_uri"] or "").rsplit("/", 1)[-1]  # file name, not a long path
            items.append(
                f'<li><blockquote>{escape(q["text"])}</blockquote>'
                f'<div class="meta">{who} ({verb}) · {_day(q["published_at"])} · '
                f'{escape(q["source"] or "")} · {_link(q["url"], source)}</div></li>')
        body = f'<ul class="quotes">{"".join(items)}</ul>'
    return f'<section id="quotes"><h2>أحدث الاقتباسات</h2>{body}</section>'


def _stories(rows: list[dict[str, Any]]) -> str:
    if not rows:
        body = '<p class="empty" id="stories-empty">لم يُرصد حدث نقلته أكثر من مقالة في هذه الفترة.</p>'
    else:
        items = []
        for s in rows:
            arts = "".join(
                f'<li>{_link(a["url"], a["title"] or "(بلا عنوان)")} '
                f'<span class="meta">· {escape(a["source"])} · {_day(a["published_at"])}</span></li>'
                for a in s["articles"])
            more = s["n_articles"] - len(s["articles"])
            tail = f'<div class="meta">و{_count(more, "article")} أخرى</div>' if more > 0 else ""
            head = escape(next((a["title"] for a in s["articles"] if a["title"]), "(بلا عنوان)"))
            items.append(
                f'<li><strong>{head}</strong><span class="badge">{_count(s["n_articles"], "article")}</span>'
                f'<span class="badge">{_count(s["n_sources"], "source")}</span>'
                f'<span class="meta"> من {_day(s["first_at"])} إلى {_day(s["last_at"])}</span>'
                f'<ol>{arts}</ol>{tail}</li>')
        body = f'<ul class="stories">{"".join(items)}</ul>'
    return (f'<section id="stories"><h2>أحداث نقلتها أكثر من مقالة</h2>'
            f'<p class="note">مقالات تروي الخبر نفسه بنصوص شبه متطابقة، من مصدر واحد أو أكثر.</p>{body}</section>')


def _section(sid: str, title: str, note: str, chart_id: str, spec: dict | None, empty: str) -> str:
    return (f'<section id="{sid}"><h2>{title}</h2><p class="note">{note}</p>'
            f'{_chart_or_empty(chart_id, spec, empty)}</section>')


def render(data: dict[str, Any], specs: dict[str, dict | None], window: Window,
           generated_at: datetime | None = None) -> str:
    """The complete HTML page as a string."""
    generated_at = generated_at or datetime.now(timezone.utc)
    if window.since or window.until:
        span_text = f'من {window.since or "البداية"} إلى {window.until or "اليوم"}'
        span = f'من {_day(window.since) if window.since else "البداية"} إلى {_day(window.until) if window.until else "اليوم"}'
    else:
        span_text = span = "كل المقالات في المستودع"
    body = "\n".join([
        _summary(data["summary"], specs),
        _tops(specs),
        _section("timeline", "الإشارات عبر الزمن", "عدد الإشارات إلى أكثر الكيانات ذكرًا في كل فترة.",
                 "chart-timeline", specs["chart-timeline"], "لا توجد إشارات مؤرخة بعد."),
        _section("tone", "النبرة عبر الزمن",
                 "متوسط نبرة الجمل التي ذُكر فيها أكثر الكيانات ذكرًا، بعد إخفاء الأسماء: نسبة الكلمات الإيجابية ناقص نسبة السلبية (على طريقة GDELT).",
                 "chart-tone", specs.get("chart-tone"), "لا توجد نبرة محسوبة لإشارات مؤرخة بعد."),
        _section("network", "شبكة الظهور المشترك",
                 "أبرز الأشخاص والمنظمات؛ يصل خط بين اثنين ذُكرا في المقالة نفسها، ويزداد سمكه بعدد المقالات المشتركة.",
                 "chart-network", specs["chart-network"], "لا يوجد ظهور مشترك بين الأشخاص والمنظمات بعد."),
        _section("map", "خريطة الأماكن", "الأماكن المذكورة ذات الإحداثيات المعروفة؛ حجم الدائرة بعدد الإشارات.",
                 "chart-map", specs["chart-map"], "لا توجد أماكن ذات إحداثيات معروفة بعد."),
        _quotes(data["quotes"]),
        _stories(data["stories"]),
    ])
    present = {k: v for k, v in specs.items() if v is not None}
    values = {
        "TITLE": "تقرير الأخبار",
        "TITLE_TEXT": escape(f"تقرير الأخبار — {span_text}"),
        "SUBTITLE": f'{span} · أُنشئ في <bdi dir="ltr">{generated_at:%Y-%m-%d %H:%M} UTC</bdi>',
        "BODY": body,
        "SPECS": _json_for_script(present),
        **{k: _script(v) for k, v in _VENDORED.items()},
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], _static("report.html"))

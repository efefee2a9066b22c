"""Vega-Lite specs (built with Altair) for the report's charts, from the aggregates of ``data.py``.

Each function returns a Vega-Lite dict with its data inlined, or ``None`` when there is nothing to
draw (the page then shows a message instead of an empty chart).  Axes sit on the right and bar
scales run right-to-left so the charts read in the same direction as the Arabic page.
"""
from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

import altair as alt

from warehouse.report.layout import spring_layout

FONT = '"Noto Naskh Arabic", "Amiri", "Noto Sans Arabic", "Segoe UI", Tahoma, sans-serif'
LABELS_AR = {"PERS": "شخص", "ORG": "منظمة", "LOC": "مكان", "MISC": "أخرى"}
LABEL_COLORS = {"PERS": "#1f5f8b", "ORG": "#c0392b", "LOC": "#2e7d32", "MISC": "#7f8c8d"}
WIDTH = 720

Spec = dict[str, Any]


def _inline(name: str, **fmt: Any) -> alt.Data:
    """A named data source; its values are attached by :func:`_finish` *after* schema validation
    (validating every inlined row, or ~100 kB of TopoJSON arcs, takes seconds at 72k articles)."""
    return alt.Data(name=name, format=alt.DataFormat(**fmt)) if fmt else alt.Data(name=name)


def _finish(chart: alt.TopLevelMixin, datasets: dict[str, Any]) -> Spec:
    spec = chart.configure(
        font=FONT, background="transparent",
        axis={"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        legend={"labelFontSize": 12, "titleFontSize": 12, "orient": "left"},
        view={"stroke": None},
    ).to_dict()
    spec.setdefault("datasets", {}).update(datasets)
    return spec


@lru_cache(maxsize=1)
def world_topology() -> dict[str, Any]:
    """Natural Earth 1:110m countries as TopoJSON (world-atlas, ISC), shipped in ``static/``."""
    text = resources.files("warehouse.report").joinpath("static/countries-110m.json").read_text("utf-8")
    return json.loads(text)


def _time_x(bucket: str) -> alt.X:
    """Time axis in whole days/weeks (no "12 PM" ticks), newest on the left as the page reads."""
    unit, fmt = ("yearmonthdate", "%e %b") if bucket == "day" else ("yearweek", "%b %Y")
    return alt.X("period:T", timeUnit=unit, title=None, scale=alt.Scale(reverse=True),
                 axis=alt.Axis(format=fmt, labelAngle=0, labelOverlap=True))


def articles_chart(rows: list[dict[str, Any]], bucket: str = "day") -> Spec | None:
    """Stacked bars: articles per period and source."""
    if not rows:
        return None
    chart = alt.Chart(_inline("articles")).mark_bar().encode(
        x=_time_x(bucket),
        y=alt.Y("sum(n):Q", title="عدد المقالات", axis=alt.Axis(orient="right", tickMinStep=1, format=",d")),
        color=alt.Color("source:N", title="المصدر"),
        tooltip=[alt.Tooltip("period:T", title="الفترة", format="%Y-%m-%d"), alt.Tooltip("source:N", title="المصدر"),
                 alt.Tooltip("n:Q", title="مقالات")],
    ).properties(width=WIDTH, height=180)
    return _finish(chart, {"articles": rows})


def top_chart(rows: list[dict[str, Any]], label: str) -> Spec | None:
    """Horizontal bars of the most mentioned entities, longest at the top, growing leftwards."""
    if not rows:
        return None
    chart = alt.Chart(_inline("top")).mark_bar(color=LABEL_COLORS[label]).encode(
        y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(orient="right", labelLimit=180)),
        x=alt.X("n_mentions:Q", title="عدد الإشارات", scale=alt.Scale(reverse=True),
                axis=alt.Axis(tickMinStep=1, format=",d")),
        tooltip=[alt.Tooltip("name:N", title="الاسم"), alt.Tooltip("n_mentions:Q", title="إشارات"),
                 alt.Tooltip("n_documents:Q", title="مقالات")],
    ).properties(width=200, height=max(60, 18 * len(rows)))
    return _finish(chart, {"top": rows})


def timeline_chart(rows: list[dict[str, Any]], bucket: str = "day") -> Spec | None:
    """Mentions per period of the top entities, one line each."""
    if not rows:
        return None
    n_periods = len({r["period"] for r in rows})
    chart = alt.Chart(_inline("timeline")).mark_line(point=n_periods <= 60, strokeWidth=2).encode(
        x=_time_x(bucket),
        y=alt.Y("n:Q", title="عدد الإشارات", axis=alt.Axis(orient="right", tickMinStep=1, format=",d")),
        color=alt.Color("name:N", title="الكيان"),
        tooltip=[alt.Tooltip("name:N", title="الكيان"), alt.Tooltip("period:T", title="الفترة", format="%Y-%m-%d"),
                 alt.Tooltip("n:Q", title="إشارات")],
    ).properties(width=WIDTH - 140, height=260)
    return _finish(chart, {"timeline": rows})


def tone_chart(rows: list[dict[str, Any]], bucket: str = "day") -> Spec | None:
    """Mean tone per period of the sentences mentioning the top entities, one line each, with the
    zero line: below it the coverage is negative."""
    if not rows:
        return None
    n_periods = len({r["period"] for r in rows})
    base = alt.Chart(_inline("tone"))
    lines = base.mark_line(point=n_periods <= 60, strokeWidth=2).encode(
        x=_time_x(bucket),
        y=alt.Y("tone:Q", title="النبرة (إيجابي − سلبي، % من الكلمات)", axis=alt.Axis(orient="right")),
        color=alt.Color("name:N", title="الكيان"),
        tooltip=[alt.Tooltip("name:N", title="الكيان"), alt.Tooltip("period:T", title="الفترة", format="%Y-%m-%d"),
                 alt.Tooltip("tone:Q", title="النبرة", format=".2f"), alt.Tooltip("n:Q", title="إشارات")],
    )
    zero = alt.Chart(alt.Data(values=[{"y": 0}])).mark_rule(color="#888", strokeDash=[4, 4]).encode(y="y:Q")
    return _finish((lines + zero).properties(width=WIDTH - 140, height=240), {"tone": rows})


def network_chart(net: dict[str, list[dict[str, Any]]]) -> Spec | None:
    """Nodes (size = articles) and edges (width = shared articles) at spring-layout positions."""
    nodes, edges = net["nodes"], net["edges"]
    if len(nodes) < 2 or not edges:
        return None
    index = {n["entity_id"]: i for i, n in enumerate(nodes)}
    pos = spring_layout(len(nodes), [(index[e["a"]], index[e["b"]], e["n"]) for e in edges])
    node_rows = [
        {"name": n["name"], "kind": LABELS_AR.get(n["label"], n["label"]), "n_documents": n["n_documents"],
         "x": round(float(pos[i, 0]), 4), "y": round(float(pos[i, 1]), 4)}
        for i, n in enumerate(nodes)
    ]
    edge_rows = [
        {"x": node_rows[index[e["a"]]]["x"], "y": node_rows[index[e["a"]]]["y"],
         "x2": node_rows[index[e["b"]]]["x"], "y2": node_rows[index[e["b"]]]["y"], "n": e["n"],
         "pair": f'{node_rows[index[e["a"]]]["name"]} — {node_rows[index[e["b"]]]["name"]}'}
        for e in edges
    ]
    free = alt.Scale(domain=[-1.15, 1.15])
    x = alt.X("x:Q", axis=None, scale=free)
    y = alt.Y("y:Q", axis=None, scale=free)
    kinds = [LABELS_AR["PERS"], LABELS_AR["ORG"]]
    color = alt.Color("kind:N", title="النوع",
                      scale=alt.Scale(domain=kinds, range=[LABEL_COLORS["PERS"], LABEL_COLORS["ORG"]]))
    links = alt.Chart(_inline("edges")).mark_rule(color="#9aa5b1", opacity=0.55).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("n:Q", scale=alt.Scale(range=[0.5, 6]),
                                    legend=alt.Legend(title="مقالات مشتركة", tickMinStep=1, format=",d")),
        tooltip=[alt.Tooltip("pair:N", title="الزوج"), alt.Tooltip("n:Q", title="مقالات مشتركة")],
    )
    base = alt.Chart(_inline("nodes"))
    dots = base.mark_circle(opacity=0.9, stroke="white", strokeWidth=1).encode(
        x=x, y=y, color=color,
        size=alt.Size("n_documents:Q", scale=alt.Scale(range=[60, 900]),
                      legend=alt.Legend(title="مقالات", tickMinStep=1, format=",d")),
        tooltip=[alt.Tooltip("name:N", title="الاسم"), alt.Tooltip("kind:N", title="النوع"),
                 alt.Tooltip("n_documents:Q", title="مقالات")],
    )
    halo = base.mark_text(dy=-13, fontSize=12, fontWeight="bold", stroke="white", strokeWidth=3,
                          strokeOpacity=0.85).encode(x=x, y=y, text="name:N")
    names = base.mark_text(dy=-13, fontSize=12, fontWeight="bold").encode(x=x, y=y, text="name:N")
    chart = alt.layer(links, dots, halo, names).properties(width=WIDTH, height=520)
    return _finish(chart, {"edges": edge_rows, "nodes": node_rows})


def map_chart(rows: list[dict[str, Any]]) -> Spec | None:
    """World outline (inlined TopoJSON) with a circle per geocoded place, sized by mentions."""
    if not rows:
        return None
    world = _inline("world_110m", type="topojson", feature="countries")
    land = alt.Chart(world).mark_geoshape(fill="#eef1f4", stroke="#b8c2cc", strokeWidth=0.5)
    points = alt.Chart(_inline("places")).mark_circle(color="#c0392b", opacity=0.7,
                                                          stroke="white", strokeWidth=0.5).encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("n_mentions:Q", scale=alt.Scale(range=[15, 900]),
                      legend=alt.Legend(title="إشارات", tickMinStep=1, format=",d")),
        tooltip=[alt.Tooltip("name:N", title="المكان"), alt.Tooltip("country_code:N", title="البلد"),
                 alt.Tooltip("n_mentions:Q", title="إشارات")],
    )
    chart = alt.layer(land, points).properties(
        width=WIDTH, height=400, projection={"type": "equalEarth"}
    )
    return _finish(chart, {"world_110m": world_topology(), "places": rows})


def all_charts(data: dict[str, Any]) -> dict[str, Spec | None]:
    """Chart id -> spec (or ``None`` when empty), in page order."""
    return {
        "chart-articles": articles_chart(data["articles"], data["bucket"]),
        "chart-people": top_chart(data["people"], "PERS"),
        "chart-places-top": top_chart(data["places_top"], "LOC"),
        "chart-orgs": top_chart(data["orgs"], "ORG"),
        "chart-timeline": timeline_chart(data["timeline"], data["bucket"]),
        "chart-tone": tone_chart(data.get("tone", []), data["bucket"]),
        "chart-network": network_chart(data["network"]),
        "chart-map": map_chart(data["places"]),
    }

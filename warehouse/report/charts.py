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


def _finish(chart: alt.TopLevelMixin) -> Spec:
    return chart.configure(
        font=FONT, background="transparent",
        axis={"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal"},
        legend={"labelFontSize": 12, "titleFontSize": 12, "orient": "left"},
        view={"stroke": None},
    ).to_dict()


@lru_cache(maxsize=1)
def world_topology() -> dict[str, Any]:
    """Natural Earth 1:110m countries as TopoJSON (world-atlas, ISC), shipped in ``static/``."""
    text = resources.files("warehouse.report").joinpath("static/countries-110m.json").read_text("utf-8")
    return json.loads(text)


def articles_chart(rows: list[dict[str, Any]]) -> Spec | None:
    """Stacked bars: articles per period and source."""
    if not rows:
        return None
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("period:T", title=None, scale=alt.Scale(reverse=True)),
        y=alt.Y("sum(n):Q", title="عدد المقالات", axis=alt.Axis(orient="right")),
        color=alt.Color("source:N", title="المصدر"),
        tooltip=[alt.Tooltip("period:T", title="الفترة"), alt.Tooltip("source:N", title="المصدر"),
                 alt.Tooltip("n:Q", title="مقالات")],
    ).properties(width=WIDTH, height=180)
    return _finish(chart)


def top_chart(rows: list[dict[str, Any]], label: str) -> Spec | None:
    """Horizontal bars of the most mentioned entities, longest at the top, growing leftwards."""
    if not rows:
        return None
    chart = alt.Chart(alt.Data(values=rows)).mark_bar(color=LABEL_COLORS[label]).encode(
        y=alt.Y("name:N", sort="-x", title=None, axis=alt.Axis(orient="right", labelLimit=180)),
        x=alt.X("n_mentions:Q", title="عدد الإشارات", scale=alt.Scale(reverse=True)),
        tooltip=[alt.Tooltip("name:N", title="الاسم"), alt.Tooltip("n_mentions:Q", title="إشارات"),
                 alt.Tooltip("n_documents:Q", title="مقالات")],
    ).properties(width=200, height=max(60, 18 * len(rows)))
    return _finish(chart)


def timeline_chart(rows: list[dict[str, Any]]) -> Spec | None:
    """Mentions per period of the top entities, one line each."""
    if not rows:
        return None
    chart = alt.Chart(alt.Data(values=rows)).mark_line(point=True, strokeWidth=2).encode(
        x=alt.X("period:T", title=None, scale=alt.Scale(reverse=True)),
        y=alt.Y("n:Q", title="عدد الإشارات", axis=alt.Axis(orient="right")),
        color=alt.Color("name:N", title="الكيان"),
        tooltip=[alt.Tooltip("name:N", title="الكيان"), alt.Tooltip("period:T", title="الفترة"),
                 alt.Tooltip("n:Q", title="إشارات")],
    ).properties(width=WIDTH - 140, height=260)
    return _finish(chart)


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
    links = alt.Chart(alt.Data(values=edge_rows)).mark_rule(color="#9aa5b1", opacity=0.55).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("n:Q", title="مقالات مشتركة", scale=alt.Scale(range=[0.5, 6])),
        tooltip=[alt.Tooltip("pair:N", title="الزوج"), alt.Tooltip("n:Q", title="مقالات مشتركة")],
    )
    base = alt.Chart(alt.Data(values=node_rows))
    dots = base.mark_circle(opacity=0.9, stroke="white", strokeWidth=1).encode(
        x=x, y=y, color=color,
        size=alt.Size("n_documents:Q", title="مقالات", scale=alt.Scale(range=[60, 900])),
        tooltip=[alt.Tooltip("name:N", title="الاسم"), alt.Tooltip("kind:N", title="النوع"),
                 alt.Tooltip("n_documents:Q", title="مقالات")],
    )
    names = base.mark_text(dy=-13, fontSize=12, fontWeight="bold").encode(x=x, y=y, text="name:N")
    chart = alt.layer(links, dots, names).properties(width=WIDTH - 120, height=480)
    return _finish(chart)


def map_chart(rows: list[dict[str, Any]]) -> Spec | None:
    """World outline (inlined TopoJSON) with a circle per geocoded place, sized by mentions."""
    if not rows:
        return None
    world = alt.Data(values=world_topology(), format=alt.DataFormat(type="topojson", feature="countries"))
    land = alt.Chart(world).mark_geoshape(fill="#eef1f4", stroke="#b8c2cc", strokeWidth=0.5)
    points = alt.Chart(alt.Data(values=rows)).mark_circle(color="#c0392b", opacity=0.7,
                                                          stroke="white", strokeWidth=0.5).encode(
        longitude="lon:Q", latitude="lat:Q",
        size=alt.Size("n_mentions:Q", title="إشارات", scale=alt.Scale(range=[15, 900])),
        tooltip=[alt.Tooltip("name:N", title="المكان"), alt.Tooltip("country_code:N", title="البلد"),
                 alt.Tooltip("n_mentions:Q", title="إشارات")],
    )
    chart = alt.layer(land, points).properties(
        width=WIDTH, height=400, projection={"type": "equalEarth"}
    )
    return _finish(chart)


def all_charts(data: dict[str, Any]) -> dict[str, Spec | None]:
    """Chart id -> spec (or ``None`` when empty), in page order."""
    return {
        "chart-articles": articles_chart(data["articles"]),
        "chart-people": top_chart(data["people"], "PERS"),
        "chart-places-top": top_chart(data["places_top"], "LOC"),
        "chart-orgs": top_chart(data["orgs"], "ORG"),
        "chart-timeline": timeline_chart(data["timeline"]),
        "chart-network": network_chart(data["network"]),
        "chart-map": map_chart(data["places"]),
    }

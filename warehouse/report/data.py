"""Aggregates for the HTML report: small, bounded result sets computed in DuckDB.

Every function takes a read-only connection and a :class:`Window` (the ``--since``/``--until``
publication-date range) and returns plain Python lists/dicts sized by ``TOP_*`` constants, never by
the number of documents: a 72k-article warehouse gives the same amount of data as a 100-article one.
Values are bound as parameters; identifiers are constants of this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb

TOP_PER_LABEL = 15      # bars per "top people/places/organizations" chart
TOP_TIMELINE = 6        # entities drawn in the mentions-over-time chart
TOP_NETWORK = 30        # people + organizations in the co-occurrence network
MAX_EDGES = 90          # strongest co-occurrence pairs kept
TOP_PLACES = 250        # points on the map
N_QUOTES = 25           # most recent quotes
N_STORIES = 15          # largest recent near-duplicate clusters
TITLES_PER_STORY = 6
WEEKLY_AFTER_DAYS = 150  # longer ranges are bucketed by week to keep the series short


@dataclass(frozen=True)
class Window:
    """Publication-date filter: ``since <= CAST(published_at AS DATE) <= until`` (either side open).

    Documents without ``published_at`` are kept only when the window is fully open.
    """

    since: date | None = None
    until: date | None = None

    @classmethod
    def parse(cls, since: str | date | None, until: str | date | None) -> "Window":
        def as_date(v: str | date | None) -> date | None:
            if v is None or isinstance(v, date):
                return v
            return date.fromisoformat(str(v)[:10])

        return cls(as_date(since), as_date(until))

    @property
    def is_open(self) -> bool:
        return self.since is None and self.until is None

    def conditions(self, day: str) -> tuple[list[str], list[Any]]:
        """SQL conditions (and bound values) keeping the date expression ``day`` in the window."""
        conds, params = [], []
        if self.since is not None:
            conds.append(f"{day} >= ?")
            params.append(self.since)
        if self.until is not None:
            conds.append(f"{day} <= ?")
            params.append(self.until)
        return conds, params

    def docs_cte(self) -> tuple[str, list[Any]]:
        """``WITH docs AS (...)`` selecting the documents in the window, with its parameters."""
        conds, params = self.conditions("CAST(published_at AS DATE)")
        where = " AND ".join(conds) if conds else "TRUE"
        sql = (
            "WITH docs AS (SELECT doc_id, source_id, published_at, title, url, source_uri "
            f"FROM documents WHERE {where})"
        )
        return sql, params


def _check(bucket: str) -> None:
    # Interpolated into date_trunc()/INTERVAL (not bindable there): only these two words get in.
    if bucket not in ("day", "week"):
        raise ValueError(f"bucket must be 'day' or 'week', not {bucket!r}")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    cur = con.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, _plain(r))) for r in cur.fetchall()]


def _plain(row: tuple) -> list[Any]:
    """JSON-friendly values: dates as ISO strings."""
    out = []
    for v in row:
        if isinstance(v, datetime):
            out.append(v.isoformat(timespec="minutes"))
        elif isinstance(v, date):
            out.append(v.isoformat())
        else:
            out.append(v)
    return out


def summary(con: duckdb.DuckDBPyConnection, w: Window) -> dict[str, Any]:
    """Counts for the header cards: articles, sources, date range, entities, quotes, stories."""
    cte, p = w.docs_cte()
    row = _rows(con, f"""{cte}
        SELECT count(*) AS n_articles, count(DISTINCT source_id) AS n_sources,
               CAST(min(published_at) AS DATE) AS first_day, CAST(max(published_at) AS DATE) AS last_day,
               (SELECT count(DISTINCT m.entity_id) FROM mentions m JOIN docs USING (doc_id)
                 WHERE m.entity_id IS NOT NULL) AS n_entities,
               (SELECT count(*) FROM mentions m JOIN docs USING (doc_id)) AS n_mentions,
               (SELECT count(*) FROM quotes q JOIN docs USING (doc_id)) AS n_quotes,
               (SELECT count(*) FROM (SELECT story_id FROM stories s JOIN docs USING (doc_id)
                 GROUP BY story_id HAVING count(*) > 1)) AS n_stories
        FROM docs""", p)[0]
    return row


def articles_per_day(con: duckdb.DuckDBPyConnection, w: Window, bucket: str = "day") -> list[dict[str, Any]]:
    """Articles per ``bucket`` (``day`` or ``week``) and source: ``period``, ``source``, ``n``."""
    _check(bucket)
    cte, p = w.docs_cte()
    return _rows(con, f"""{cte}
        SELECT CAST(date_trunc('{bucket}', published_at) AS DATE) AS period,
               COALESCE(s.name, '؟') AS source, count(*) AS n
        FROM docs LEFT JOIN sources s USING (source_id)
        WHERE published_at IS NOT NULL GROUP BY ALL ORDER BY period, source""", p)


def bucket_for(con: duckdb.DuckDBPyConnection, w: Window) -> str:
    """``week`` when the documents span more than ``WEEKLY_AFTER_DAYS`` days, else ``day``."""
    cte, p = w.docs_cte()
    span = con.execute(
        f"{cte} SELECT date_diff('day', min(published_at), max(published_at)) FROM docs", p
    ).fetchone()[0]
    return "week" if span is not None and span > WEEKLY_AFTER_DAYS else "day"


def entity_counts(con: duckdb.DuckDBPyConnection, w: Window, per_label: int = TOP_PER_LABEL,
                  network_top: int = TOP_NETWORK) -> list[dict[str, Any]]:
    """One pass over ``mentions``: the top entities of each label and the network's candidates.

    Rows ``entity_id, name, label, n_mentions, n_documents, rank_label`` (by mentions within the
    label) and ``rank_net`` (by documents among people and organizations), e.g.
    ``{"name": "سيرغي لافروف", "label": "PERS", "n_mentions": 23, "n_documents": 4, "rank_label": 1, ...}``.
    """
    cte, p = w.docs_cte()
    # An open window is every document: skip the join (the common case, and the biggest table).
    scope = "mentions" if w.is_open else "(SELECT m.* FROM mentions m JOIN docs USING (doc_id))"
    return _rows(con, f"""{cte},
        per_doc AS (SELECT entity_id, doc_id, count(*) AS n FROM {scope} m
                    WHERE entity_id IS NOT NULL GROUP BY ALL),
        c AS (SELECT entity_id, sum(n) AS n_mentions, count(*) AS n_documents FROM per_doc GROUP BY entity_id),
        r AS (SELECT e.entity_id, e.canonical_name AS name, e.label,
                     CAST(c.n_mentions AS BIGINT) AS n_mentions, c.n_documents,
                     row_number() OVER (PARTITION BY e.label
                                        ORDER BY c.n_mentions DESC, e.canonical_name, e.entity_id) AS rank_label,
                     row_number() OVER (PARTITION BY e.label IN ('PERS', 'ORG')
                                        ORDER BY c.n_documents DESC, e.canonical_name, e.entity_id) AS rank_net
              FROM c JOIN entities e USING (entity_id))
        SELECT * FROM r WHERE rank_label <= ? OR (label IN ('PERS', 'ORG') AND rank_net <= ?)
        ORDER BY label, rank_label""", p + [per_label, network_top])


def top_entities(counts: list[dict[str, Any]], label: str, limit: int = TOP_PER_LABEL) -> list[dict[str, Any]]:
    """Most mentioned entities of one label: ``entity_id, name, n_mentions, n_documents``."""
    rows = sorted((r for r in counts if r["label"] == label and r["rank_label"] <= limit),
                  key=lambda r: r["rank_label"])
    return [{k: r[k] for k in ("entity_id", "name", "n_mentions", "n_documents")} for r in rows]


def timeline(con: duckdb.DuckDBPyConnection, w: Window, entity_ids: list[str],
             bucket: str = "day") -> list[dict[str, Any]]:
    """Mentions per day (week for long ranges) of the given entities, from ``v_entity_daily``.

    Rows ``period, name, n``; periods without mentions are filled with 0 so a line drops to zero
    across a gap in the coverage instead of drawing a straight bridge over it.
    """
    _check(bucket)
    if not entity_ids:
        return []
    window, window_params = w.conditions("day")
    conds, params = ["entity_id IN (SELECT unnest(?))", *window], [entity_ids, *window_params]
    return _rows(con, f"""
        WITH t AS (SELECT CAST(date_trunc('{bucket}', day) AS DATE) AS period, canonical_name AS name,
                          CAST(sum(n_mentions) AS BIGINT) AS n
                   FROM v_entity_daily WHERE day IS NOT NULL AND {' AND '.join(conds)} GROUP BY ALL),
        periods AS (SELECT CAST(unnest(generate_series(CAST(min(period) AS TIMESTAMP),
                                                       CAST(max(period) AS TIMESTAMP),
                                                       INTERVAL 1 {bucket})) AS DATE) AS period FROM t)
        SELECT p.period, nm.name, COALESCE(t.n, 0) AS n
        FROM periods p CROSS JOIN (SELECT DISTINCT name FROM t) nm LEFT JOIN t USING (period, name)
        ORDER BY p.period, nm.name""", params)


def entity_tone(con: duckdb.DuckDBPyConnection, w: Window, entity_ids: list[str],
                bucket: str = "day") -> list[dict[str, Any]]:
    """Mean tone of the sentences mentioning each of the given entities per day (week for long
    ranges), from ``v_entity_tone``: rows ``period, name, tone, n``. A period without mentions has
    no row (a tone of 0 would read as neutral coverage)."""
    _check(bucket)
    if not entity_ids:
        return []
    window, window_params = w.conditions("day")
    conds, params = ["entity_id IN (SELECT unnest(?))", *window], [entity_ids, *window_params]
    return _rows(con, f"""
        SELECT CAST(date_trunc('{bucket}', day) AS DATE) AS period, canonical_name AS name,
               round(sum(tone * n_mentions) / sum(n_mentions), 2) AS tone, CAST(sum(n_mentions) AS BIGINT) AS n
        FROM v_entity_tone WHERE day IS NOT NULL AND {' AND '.join(conds)}
        GROUP BY ALL ORDER BY period, name""", params)


def network(con: duckdb.DuckDBPyConnection, w: Window, counts: list[dict[str, Any]],
            top: int = TOP_NETWORK, max_edges: int = MAX_EDGES) -> dict[str, list[dict[str, Any]]]:
    """Co-occurrence of the top people and organizations.

    Nodes ``entity_id, name, label, n_documents`` (from :func:`entity_counts`); edges ``a, b, n`` (documents mentioning both).
    Same pairs as ``v_cooccurrence`` but restricted to the top entities *before* the self-join, so
    the cost does not grow with all pairs of all documents.
    """
    cte, p = w.docs_cte()
    nodes = [{k: r[k] for k in ("entity_id", "name", "label", "n_documents")}
             for r in sorted(counts, key=lambda r: r["rank_net"])
             if r["label"] in ("PERS", "ORG") and r["rank_net"] <= top]
    ids = [n["entity_id"] for n in nodes]
    if len(ids) < 2:
        return {"nodes": nodes, "edges": []}
    edges = _rows(con, f"""{cte},
        dm AS (SELECT DISTINCT m.doc_id, m.entity_id FROM mentions m JOIN docs USING (doc_id)
               WHERE m.entity_id IN (SELECT unnest(?)))
        SELECT a.entity_id AS a, b.entity_id AS b, count(*) AS n
        FROM dm a JOIN dm b ON a.doc_id = b.doc_id AND a.entity_id < b.entity_id
        GROUP BY ALL ORDER BY n DESC, a, b LIMIT ?""", p + [ids, max_edges])
    return {"nodes": nodes, "edges": edges}


def places(con: duckdb.DuckDBPyConnection, w: Window, limit: int = TOP_PLACES) -> list[dict[str, Any]]:
    """Geocoded places mentioned in the window (``v_places``): ``name, lat, lon, n_mentions``."""
    cte, p = w.docs_cte()
    return _rows(con, f"""{cte}
        SELECT v.canonical_name AS name, v.country_code, v.lat, v.lon, count(*) AS n_mentions
        FROM mentions m JOIN docs USING (doc_id) JOIN v_places v USING (entity_id)
        GROUP BY ALL ORDER BY n_mentions DESC, name LIMIT ?""", p + [limit])


def quotes(con: duckdb.DuckDBPyConnection, w: Window, limit: int = N_QUOTES) -> list[dict[str, Any]]:
    """Most recent quotes (``v_quotes``): speaker (the entity's name, else as written), speaker_text,
    speaker_label (null for a description), verb, text, date, source, url, title."""
    cte, p = w.docs_cte()
    return _rows(con, f"""{cte}
        SELECT q.speaker, q.speaker_text, q.speaker_label, q.verb, q.text, q.published_at, q.source, q.url,
               q.source_uri, q.title
        FROM v_quotes q JOIN docs USING (doc_id)
        ORDER BY q.published_at DESC NULLS LAST, q.quote_id LIMIT ?""", p + [limit])


def stories(con: duckdb.DuckDBPyConnection, w: Window, limit: int = N_STORIES,
            titles: int = TITLES_PER_STORY) -> list[dict[str, Any]]:
    """Near-duplicate clusters with more than one article in the window, largest and latest first.

    Each: ``story_id, n_articles, n_sources, first_at, last_at, articles`` (list of
    ``title, source, published_at, url``, at most ``titles``).
    """
    cte, p = w.docs_cte()
    rows = _rows(con, f"""{cte},
        sd AS (SELECT st.story_id, st.similarity, d.doc_id, d.title, d.url, d.published_at,
                      COALESCE(s.name, '؟') AS source
               FROM stories st JOIN docs d USING (doc_id) LEFT JOIN sources s USING (source_id)),
        top AS (SELECT story_id, count(*) AS n_articles, count(DISTINCT source) AS n_sources,
                       min(published_at) AS first_at, max(published_at) AS last_at
                FROM sd GROUP BY story_id HAVING count(*) > 1
                ORDER BY n_articles DESC, last_at DESC NULLS LAST, story_id LIMIT ?),
        ranked AS (SELECT sd.*, row_number() OVER (PARTITION BY story_id
                                                   ORDER BY published_at NULLS LAST, doc_id) AS rn
                   FROM sd WHERE story_id IN (SELECT story_id FROM top))
        SELECT t.story_id, t.n_articles, t.n_sources, t.first_at, t.last_at,
               r.title, r.source, r.published_at, r.url
        FROM top t JOIN ranked r USING (story_id) WHERE r.rn <= ?
        ORDER BY t.n_articles DESC, t.last_at DESC NULLS LAST, t.story_id, r.rn""",
                 p + [limit, titles])
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        s = out.setdefault(r["story_id"], {k: r[k] for k in
                                           ("story_id", "n_articles", "n_sources", "first_at", "last_at")}
                           | {"articles": []})
        s["articles"].append({k: r[k] for k in ("title", "source", "published_at", "url")})
    return list(out.values())


def collect(con: duckdb.DuckDBPyConnection, w: Window) -> dict[str, Any]:
    """Everything the report shows, as one dict of small lists."""
    bucket = bucket_for(con, w)
    counts = entity_counts(con, w)
    people = top_entities(counts, "PERS")
    places_top = top_entities(counts, "LOC")
    orgs = top_entities(counts, "ORG")
    ranked = sorted(people + orgs + places_top, key=lambda r: -r["n_mentions"])
    return {
        "bucket": bucket,
        "summary": summary(con, w),
        "articles": articles_per_day(con, w, bucket),
        "people": people,
        "places_top": places_top,
        "orgs": orgs,
        "timeline": timeline(con, w, [r["entity_id"] for r in ranked[:TOP_TIMELINE]], bucket),
        "tone": entity_tone(con, w, [r["entity_id"] for r in ranked[:TOP_TIMELINE]], bucket),
        "network": network(con, w, counts),
        "places": places(con, w),
        "quotes": quotes(con, w),
        "stories": stories(con, w),
    }

"""What same-story clustering needs from the warehouse, joined in DuckDB from ``doc_sketches``.

The clustering itself is a pure transform (``transforms.stories``): it places documents in
publication order, so a run only redoes the documents published at or after its earliest change
(a new document, or a document gone since the last refresh): ``story_inputs`` finds that time,
``t0``, and returns the documents to place, the stories they may join and the candidate pairs;
``write_stories`` replaces the rows from ``t0`` on. Undated documents are placed again whenever
anything changed (they may join any story).

Candidate pairs never cover all pairs: story pairs share at least one sketch word and were
published at most ``window_hours`` apart (each pair counted once, from its later document); a
duplicate pair also may share a MinHash band (four buckets) at any distance in time. The join
runs in slices of documents so that memory stays bounded whatever the size of the warehouse.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
import polars as pl

# Sketch-word rows on the left side of one slice of the pair join.
LEFT_ROWS_PER_SLICE = 50_000
BAND_ROWS = 4  # MinHash buckets per LSH band
_EMPTY = 0xFFFFFFFF
_TEMP = ("_st_todo", "_st_terms", "_st_pairs", "_st_bands")


@dataclass
class StoryInputs:
    todo: pl.DataFrame      # doc_id, published_at: the documents to place
    pairs: pl.DataFrame     # doc_a, doc_b, published_a, published_b, same_source, similarity, event_gap, containment
    context: pl.DataFrame   # story_id, doc_id, published_at: placed members of joinable stories
    known_duplicates: pl.DataFrame  # doc_id, original_doc_id: duplicates decided before
    since: datetime | None  # t0: dated rows from here on are replaced (None: undated ones only)
    gone: list[str]         # documents whose rows go


def story_inputs(con: duckdb.DuckDBPyConnection, params: Mapping[str, float]) -> StoryInputs | None:
    """The documents to place and everything their placement reads; ``None`` when no document
    was added or removed since the last refresh."""
    try:
        return _story_inputs(con, params)
    finally:
        for t in _TEMP:
            con.execute(f"DROP TABLE IF EXISTS temp.{t}")


def _story_inputs(con: duckdb.DuckDBPyConnection, params: Mapping[str, float]) -> StoryInputs | None:
    changed = con.execute(
        """
        SELECT count(*) AS n, min(published_at) AS t0, list(doc_id) FILTER (WHERE gone) AS gone FROM (
            SELECT d.doc_id, d.published_at, false AS gone FROM documents d ANTI JOIN stories s USING (doc_id)
            UNION ALL
            SELECT s.doc_id, s.published_at, true FROM stories s ANTI JOIN documents d USING (doc_id))
        """
    ).fetchone()
    if not changed[0]:
        return None
    since, gone = changed[1], list(changed[2] or [])
    window = int(params["window_hours"] * 3600)
    span = int(params["span_hours"] * 3600)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _st_todo AS
        SELECT doc_id, published_at FROM documents
        WHERE published_at IS NULL OR published_at >= CAST($since AS TIMESTAMP)
        """,
        {"since": since},
    )
    # sketch words of every document a todo document may pair with
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _st_terms AS
        SELECT k.doc_id, d.published_at AS t, epoch(d.published_at) AS e, k.event_day,
               unnest(k.terms) AS term, unnest(k.weights) AS w
        FROM doc_sketches k JOIN documents d USING (doc_id)
        WHERE d.published_at IS NULL OR CAST($since AS TIMESTAMP) IS NULL
           OR d.published_at >= CAST($since AS TIMESTAMP) - to_seconds($span + $window)
           OR EXISTS (SELECT 1 FROM documents u WHERE u.published_at IS NULL)
        """,
        {"since": since, "window": window, "span": span},
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _st_pairs (doc_a VARCHAR, doc_b VARCHAR, similarity DOUBLE)")
    if since is not None:
        # pairs of the documents to place, and those among the members of the stories they may
        # join (average linkage between stories reads them)
        start = since - timedelta(seconds=span)
        for lo, hi in _slices(con, start):
            # each pair once, from its later document (in order of time, then doc_id)
            con.execute(
                """
                INSERT INTO _st_pairs
                WITH l AS (FROM _st_terms WHERE t BETWEEN $lo AND $hi),
                     r AS (FROM _st_terms WHERE t BETWEEN $lo - to_seconds($window) AND $hi)
                SELECT l.doc_id, r.doc_id, sum(l.w * r.w) FROM l JOIN r USING (term)
                WHERE l.e - r.e <= $window AND (r.t < l.t OR (r.t = l.t AND r.doc_id < l.doc_id))
                GROUP BY ALL HAVING sum(l.w * r.w) >= $min_pair
                """,
                {"lo": lo, "hi": hi, "window": window, "min_pair": params["min_pair"]},
            )
    # undated documents pair with any document, whatever its date
    con.execute(
        """
        INSERT INTO _st_pairs
        SELECT l.doc_id, r.doc_id, sum(l.w * r.w) FROM _st_terms l JOIN _st_terms r USING (term)
        WHERE l.t IS NULL AND (r.t IS NOT NULL OR r.doc_id < l.doc_id)
        GROUP BY ALL HAVING sum(l.w * r.w) >= $min_pair
        """,
        {"min_pair": params["min_pair"]},
    )
    _band_pairs(con)
    pairs = con.execute(
        f"""
        WITH p AS (SELECT least(doc_a, doc_b) AS doc_a, greatest(doc_a, doc_b) AS doc_b, max(similarity) AS similarity
                   FROM _st_pairs GROUP BY ALL)
        SELECT p.doc_a, p.doc_b, da.published_at AS published_a, db.published_at AS published_b,
               da.source_id = db.source_id AS same_source, coalesce(p.similarity, 0) AS similarity,
               abs(date_diff('day', ka.event_day, kb.event_day)) AS event_gap,
               {_containment('ka', 'kb')} AS containment
        FROM p JOIN doc_sketches ka ON ka.doc_id = p.doc_a JOIN doc_sketches kb ON kb.doc_id = p.doc_b
        JOIN documents da ON da.doc_id = p.doc_a JOIN documents db ON db.doc_id = p.doc_b
        ORDER BY p.doc_a, p.doc_b
        """
    ).pl()
    context = con.execute(
        """
        WITH t0 AS (SELECT CAST($since AS TIMESTAMP) AS since),
             kept AS (SELECT s.story_id, s.doc_id, s.published_at, s.similarity
                      FROM stories s SEMI JOIN documents USING (doc_id), t0
                      WHERE s.published_at IS NOT NULL AND (t0.since IS NULL OR s.published_at < t0.since)),
             partners AS (SELECT doc_a AS doc_id FROM _st_pairs UNION SELECT doc_b FROM _st_pairs),
             open AS (SELECT story_id FROM kept, t0 GROUP BY story_id, t0.since
                      HAVING t0.since IS NOT NULL AND min(published_at) >= t0.since - to_seconds($span)
                      UNION SELECT story_id FROM kept SEMI JOIN partners USING (doc_id))
        SELECT kept.* FROM kept SEMI JOIN open USING (story_id) ORDER BY story_id, doc_id
        """,
        {"since": since, "span": span},
    )
    context = context.pl()
    known = con.execute(
        "SELECT u.doc_id, u.original_doc_id FROM duplicates u SEMI JOIN documents USING (doc_id)"
        " ANTI JOIN _st_todo USING (doc_id)"
    ).pl()
    todo = con.execute("SELECT doc_id, published_at FROM _st_todo ORDER BY doc_id").pl()
    return StoryInputs(todo, pairs, context, known, since, gone)


def _slices(con: duckdb.DuckDBPyConnection, since: datetime) -> list[tuple[datetime, datetime]]:
    """Consecutive ``(lo, hi)`` publication-time ranges of the documents from ``since`` on, each holding
    about ``LEFT_ROWS_PER_SLICE`` sketch words (a range never splits one timestamp)."""
    counts = con.execute(
        "SELECT t, count(*) FROM _st_terms WHERE t >= ? GROUP BY t ORDER BY t", [since]
    ).fetchall()
    out, lo, rows = [], None, 0
    for t, n in counts:
        lo = t if lo is None else lo
        rows += n
        if rows >= LEFT_ROWS_PER_SLICE:
            out.append((lo, t))
            lo, rows = None, 0
    if lo is not None:
        out.append((lo, counts[-1][0]))
    return out


def _band_pairs(con: duckdb.DuckDBPyConnection) -> None:
    """Add pairs of a document to place and any document with an identical MinHash band (four
    buckets, not all empty): near-copies at any distance in time."""
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _st_bands AS
        SELECT doc_id, b, hash(list_slice(minhash, b * {BAND_ROWS} + 1, b * {BAND_ROWS} + {BAND_ROWS})) AS key
        FROM (SELECT doc_id, minhash, unnest(range(len(minhash) // {BAND_ROWS})) AS b FROM doc_sketches)
        WHERE list_min(list_slice(minhash, b * {BAND_ROWS} + 1, b * {BAND_ROWS} + {BAND_ROWS})) < {_EMPTY}
        """
    )
    con.execute(
        """
        INSERT INTO _st_pairs
        SELECT DISTINCT l.doc_id, r.doc_id, NULL FROM _st_bands l SEMI JOIN _st_todo USING (doc_id)
        JOIN _st_bands r ON l.b = r.b AND l.key = r.key AND l.doc_id <> r.doc_id
        """
    )


def _containment(a: str, b: str) -> str:
    """SQL: share of the shorter document's 3-grams in the other, from the MinHash estimate of
    their Jaccard similarity J and their sizes: J (|A| + |B|) / ((1 + J) min(|A|, |B|))."""
    both = f"list_zip({a}.minhash, {b}.minhash)"
    same = f"len(list_filter({both}, x -> x[1] = x[2] AND x[1] < {_EMPTY}))"
    used = f"len(list_filter({both}, x -> x[1] < {_EMPTY} OR x[2] < {_EMPTY}))"
    jac = f"({same} / greatest({used}, 1))"
    return (f"least(1.0, {jac} * ({a}.n_shingles + {b}.n_shingles)"
            f" / ((1 + {jac}) * greatest(least({a}.n_shingles, {b}.n_shingles), 1)))")


def write_stories(con: duckdb.DuckDBPyConnection, inputs: StoryInputs, placed: pl.DataFrame,
                  duplicates: pl.DataFrame) -> None:
    """Inside the caller's transaction: drop the rows of documents placed again or gone, insert
    ``placed`` (``stories``) and ``duplicates``."""
    from warehouse.load import insert_frame

    con.register("_st_redo", inputs.todo.select("doc_id").vstack(
        pl.DataFrame({"doc_id": inputs.gone}, schema={"doc_id": pl.Utf8})).to_arrow())
    try:
        for table in ("stories", "duplicates"):
            con.execute(f"DELETE FROM {table} WHERE doc_id IN (SELECT doc_id FROM _st_redo)")
    finally:
        con.unregister("_st_redo")
    insert_frame(con, "stories", placed)
    insert_frame(con, "duplicates", duplicates)


def stories_pending(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether some document has no ``stories`` row (none is placed yet, or the warehouse was
    migrated from before sketches): the next run refreshes the marts even without new input."""
    return con.execute("SELECT EXISTS (SELECT 1 FROM documents ANTI JOIN stories USING (doc_id))").fetchone()[0]


def add_missing_sketches(con: duckdb.DuckDBPyConnection, sketch: Callable[[pl.DataFrame], pl.DataFrame],
                         batch: int = 2000) -> int:
    """Sketch the documents that have none (loaded before ``doc_sketches`` existed), ``batch`` at a
    time with the transform ``sketch``; returns how many."""
    from warehouse.load import insert_frame

    done = 0
    while True:
        docs = con.execute(
            "SELECT doc_id, title, text_key, clean_text, published_at FROM documents"
            " ANTI JOIN doc_sketches USING (doc_id) ORDER BY doc_id LIMIT ?", [batch]
        ).pl()
        if docs.height == 0:
            return done
        insert_frame(con, "doc_sketches", sketch(docs))
        done += docs.height

"""Same-story clustering in publication order: ``place_stories`` → ``stories`` and ``duplicates``.

Input comes from the warehouse (``warehouse.stories.story_inputs``): the documents to place, the
candidate pairs of sketches (``transforms.stories``) and the stories they may join. Average linkage
in publication order: a document joins the story it resembles on average over all members, so a
story cannot chain from one event to the next; each decision depends only on earlier documents,
so a run redoes only what follows its earliest change. Example: seed 003 (undated, «لافروف في
بكين…») shares the quote «نتائج الانتخابات أكدت ثقة الشعب الروسي…» with seed 004 (لافروف في
الصين.., 29 April 2024) and joins its story.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

import polars as pl

from transforms.ids import stable_id
from transforms.stories import STORY_PARAMS

STORY_SCHEMA = {"story_id": pl.Utf8, "doc_id": pl.Utf8, "published_at": pl.Datetime("us", "UTC"),
                "similarity": pl.Float64}
DUPLICATE_SCHEMA = {"doc_id": pl.Utf8, "original_doc_id": pl.Utf8, "containment": pl.Float64}


def place_stories(todo: pl.DataFrame, pairs: pl.DataFrame, context: pl.DataFrame, known_duplicates: pl.DataFrame,
                  params: dict[str, float] = STORY_PARAMS) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``(stories rows, duplicates rows)`` for the documents to place (see ``stories`` and
    ``duplicates``; the warehouse's ``story_inputs`` gives the arguments)."""
    dups = duplicates(todo, pairs, known_duplicates, params)
    known = pl.concat([known_duplicates.select("doc_id", "original_doc_id"), dups.select("doc_id", "original_doc_id")])
    return stories(todo, pairs, context, known, params), dups


def duplicates(todo: pl.DataFrame, pairs: pl.DataFrame, known: pl.DataFrame,
               params: dict[str, float] = STORY_PARAMS) -> pl.DataFrame:
    """Which documents republish an earlier one.

    ``todo``: ``doc_id, published_at`` to decide; ``pairs``: ``doc_a, doc_b, published_a,
    published_b, containment`` (share of the shorter text's 3-grams in the other, from MinHash);
    ``known``: ``doc_id, original_doc_id`` of the duplicates decided before (any other document is
    an original). In publication order (undated last, then by ``doc_id``), a document whose
    containment with an earlier *original* reaches ``duplicate_containment`` becomes a duplicate of
    the earliest such original, so a copy of a copy points at the first text, never at a copy.
    → ``doc_id, original_doc_id, containment`` for the duplicates among ``todo``.
    """
    is_dup = {d: True for d in known["doc_id"].to_list()}
    partners: dict[str, list[tuple[tuple, str, float]]] = defaultdict(list)
    close = pairs.filter(pl.col("containment") >= params["duplicate_containment"])
    for a, b, ta, tb, c in close.select("doc_a", "doc_b", "published_a", "published_b", "containment").iter_rows():
        partners[a].append((_rank(tb, b), b, c))
        partners[b].append((_rank(ta, a), a, c))
    out = []
    for d, t in zip(*_ordered(todo)):
        mine = _rank(t, d)
        best = min(((k, o, c) for k, o, c in partners.get(d, ()) if k < mine and not is_dup.get(o, False)), default=None)
        is_dup[d] = best is not None
        if best is not None:
            out.append((d, best[1], best[2]))
    return pl.DataFrame(out, schema=DUPLICATE_SCHEMA, orient="row")


def _rank(t: datetime | None, d: str) -> tuple:
    """Publication order: dated documents by time, then undated ones, ties by ``doc_id``."""
    return (t is None, t.timestamp() if t is not None else 0.0, d)


def stories(todo: pl.DataFrame, pairs: pl.DataFrame, context: pl.DataFrame,
            dups: pl.DataFrame | None = None, params: dict[str, float] = STORY_PARAMS) -> pl.DataFrame:
    """Place ``todo`` documents (``doc_id, published_at``) in stories, in publication order.

    ``pairs``: ``doc_a, doc_b, published_a, published_b, same_source, similarity, event_gap,
    containment`` (candidates, including those among the
    ``context`` documents; ``event_gap``: days between the days their leads name, null when one
    names none); ``context``: ``story_id, doc_id, published_at, similarity`` of the placed
    documents of every story a ``todo`` document may join; ``dups``: ``doc_id, original_doc_id`` —
    a duplicate goes with its original while the span allows.

    Average linkage in publication order: a dated document joins the story with the highest
    average similarity (``event_similarity`` of each pair) over *all* its members (at least ``min_similarity``; a member without a
    candidate pair counts 0) if the story would then span at most ``span_hours``, otherwise it
    starts one; then that story absorbs any other whose average similarity with it (over all pairs
    of their members) reaches ``min_similarity`` within the span. Undated documents come last, by
    ``doc_id``, and only join or start stories, through pairs that share text (``containment`` of
    at least ``undated_containment``, added to their similarity). Python, one document at a time: each decision
    depends on the ones before it, which no expression carries.

    → ``story_id, doc_id, published_at, similarity`` for the ``todo`` documents and the context
    documents whose story was absorbed (``similarity``: average similarity when joining; 1 for a
    first member).
    """
    # Without a date, shared wording (the same quotes, the same wire copy) is what ties a report to
    # an event: similar words alone also tie meetings of the same people years apart (seeds
    # 000-002). A pair with an undated document counts only when it shares text, and that
    # text adds to its similarity.
    undated = pl.col("published_a").is_null() | pl.col("published_b").is_null()
    keep = (pairs.filter(pl.col("event_gap").is_null() | (pl.col("event_gap") < params["max_event_gap"]))
            .filter(~undated | (pl.col("containment") >= params["undated_containment"]))
            .with_columns(similarity=pl.when(undated).then((pl.col("similarity") + pl.col("containment")).clip(0, 1))
                          .otherwise(event_similarity(params))))
    state = _Linkage(params, original=dict(zip(dups["doc_id"].to_list(), dups["original_doc_id"].to_list()))
                     if dups is not None else {})
    for a, b, sim in keep.select("doc_a", "doc_b", "similarity").iter_rows():
        state.nb[a].append((b, sim))
        state.nb[b].append((a, sim))
    state.load(context)
    for d, t in zip(*_ordered(todo)):
        state.place(d, t)
    rows = [(state.story_of[d], d, state.when[d], state.score[d]) for d in state.placed]
    return pl.DataFrame(rows, schema=STORY_SCHEMA, orient="row").sort("story_id", "doc_id")


def event_similarity(params: Mapping[str, float] = STORY_PARAMS) -> pl.Expr:
    """The similarity of a dated pair as evidence of one event, from ``similarity``,
    ``published_a``, ``published_b``, ``same_source`` and ``containment``:

    * it fades with the time between the two articles, linearly from ``fade_after_hours`` apart,
      by ``fade_hours``: a report a day or two later that repeats the words of the first is more
      often the next development (the expulsions, then the counter-expulsions) than the same one;
    * ``same_source_penalty`` comes off when one outlet wrote both: an outlet's follow-ups repeat
      its own background and phrasing, so words agree more within an outlet than across two;
    * ``shared_text_bonus`` × ``containment`` (share of 3-grams) is added across outlets: two
      outlets that print the same sentences copy one dispatch, which reports one event.

    E.g. France24's «ميركل تلتقي العاهل الأردني في عمان» (Thursday 16:10) and its «ميركل في لبنان
    المحطة الثانية في جولتها» (Friday 10:25), two legs of one tour, share words at 0.47, which count
    0.47 · (1 − 12.3/144) − 0.1 ≈ 0.33.
    """
    hours = (pl.col("published_a") - pl.col("published_b")).abs().dt.total_seconds() / 3600
    fade = (1 - (hours - params["fade_after_hours"]).clip(0, None) / params["fade_hours"]).clip(0, 1)
    own = pl.col("same_source").fill_null(False)
    shift = pl.when(own).then(-params["same_source_penalty"]).otherwise(params["shared_text_bonus"] * pl.col("containment"))
    return (pl.col("similarity") * fade + shift).clip(0, 1)


class _Linkage:
    """Stories under construction: members, first publication time, and the sums of similarities
    within and between stories that average linkage reads."""

    def __init__(self, params: dict[str, float], original: dict[str, str]) -> None:
        self.tau, self.span = params["min_similarity"], params["span_hours"] * 3600
        self.original = original
        self.nb: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.story_of: dict[str, str] = {}
        self.members: dict[str, list[str]] = defaultdict(list)
        self.first: dict[str, float] = {}
        self.when: dict[str, datetime | None] = {}
        self.score: dict[str, float] = {}
        self.cross: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.placed: dict[str, None] = {}  # documents whose row is (re)written, in order

    def load(self, context: pl.DataFrame) -> None:
        for sid, d, t, sim in context.select("story_id", "doc_id", "published_at", "similarity").iter_rows():
            self._add(d, sid, t, sim, link=False)
        for d, sid in self.story_of.items():  # similarity between the context stories
            for o, sim in self.nb.get(d, ()):
                other = self.story_of.get(o)
                if other is not None and other != sid and d < o:
                    self.cross[sid][other] += sim
                    self.cross[other][sid] += sim

    def place(self, d: str, t: datetime | None) -> None:
        ts = None if t is None else t.timestamp()
        acc: dict[str, float] = defaultdict(float)
        for o, sim in self.nb.get(d, ()):
            if o in self.story_of:
                acc[self.story_of[o]] += sim
        best, score = None, self.tau
        for sid, total in sorted(acc.items()):
            v = total / len(self.members[sid])
            if v > score - 1e-12 and (best is None or v > score) and self._fits(sid, ts):
                best, score = sid, v
        o = self.original.get(d)
        if o in self.story_of and self._fits(self.story_of[o], ts) and best != self.story_of[o]:
            best = self.story_of[o]
            score = acc.get(best, 0.0) / len(self.members[best])
        if best is None:
            best, score = stable_id("story", d), 1.0
        self._add(d, best, t, min(score, 1.0), link=True)
        self.placed[d] = None
        if ts is not None:
            self._absorb(best)

    def _add(self, d: str, sid: str, t: datetime | None, sim: float, link: bool) -> None:
        self.story_of[d] = sid
        self.members[sid].append(d)
        self.when[d], self.score[d] = t, sim
        if t is not None and (sid not in self.first or t.timestamp() < self.first[sid]):
            self.first[sid] = t.timestamp()
        if link:
            for o, s in self.nb.get(d, ()):
                other = self.story_of.get(o)
                if other is not None and other != sid:
                    self.cross[sid][other] += s
                    self.cross[other][sid] += s

    def _fits(self, sid: str, ts: float | None) -> bool:
        first = self.first.get(sid)
        return first is None or ts is None or ts - first <= self.span

    def _absorb(self, sid: str) -> None:
        """Merge into ``sid`` (or ``sid`` into) the story of highest average linkage with it while
        that reaches ``min_similarity`` and the union spans at most ``span_hours``."""
        while True:
            best, score = None, self.tau
            for other, total in sorted(self.cross[sid].items()):
                v = total / (len(self.members[sid]) * len(self.members[other]))
                both = [self.first[x] for x in (sid, other) if x in self.first]
                last = max((self.when[m].timestamp() for x in (sid, other) for m in self.members[x]
                            if self.when[m] is not None), default=None)
                fits = not both or last is None or last - min(both) <= self.span
                if v > score - 1e-12 and (best is None or v > score) and fits:
                    best, score = other, v
            if best is None:
                return
            keep, gone = sorted((sid, best), key=lambda x: (self.first.get(x, math.inf), x))
            for m in self.members.pop(gone):
                self.story_of[m] = keep
                self.members[keep].append(m)
                self.placed[m] = None
            if gone in self.first:
                self.first[keep] = min(self.first[keep], self.first.pop(gone)) if keep in self.first else self.first.pop(gone)
            for other, total in self.cross.pop(gone).items():
                self.cross[other].pop(gone, None)
                if other != keep:
                    self.cross[keep][other] += total
                    self.cross[other][keep] += total
            self.cross[keep].pop(gone, None)
            sid = keep


def _ordered(todo: pl.DataFrame) -> tuple[list[str], list[datetime | None]]:
    t = todo.sort(pl.col("published_at").is_null(), "published_at", "doc_id")
    return t["doc_id"].to_list(), t["published_at"].to_list()

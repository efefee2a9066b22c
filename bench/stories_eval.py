"""Score a warehouse's stories on the judged pairs of ``tests/golden/stories/pairs.jsonl``.

    .venv/bin/python -m bench.stories_eval --out DIR [--sample 20 --seed 33]

``DIR`` holds a warehouse built from ``../shared/corpora`` (the pairs name articles by corpus file
and row, which ``source_uri`` keeps as ``…/ant_multisource.parquet#ROW``). Prints, per stratum and
overall (then the same for each half of the pairs: ``tune``, on which the parameters were chosen,
and ``held``), the precision of "in one story" against ``SAME_EVENT`` (pairs placed in one story that
are one event) and the recall of the ``SAME_EVENT`` pairs; then the warehouse's stories: the
largest time span, the size distribution and the duplicates; ``--sample N`` lists N random
multi-document stories (titles, sources, times) to check by reading.
"""
from __future__ import annotations

import argparse
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import duckdb
import polars as pl

PAIRS = Path(__file__).resolve().parents[1] / "tests" / "golden" / "stories" / "pairs.jsonl"
STRATA = ("high", "medium", "low", "same_day")


def doc_ids(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``"FILE#ROW"`` → ``doc_id`` for the documents read from corpus Parquet files."""
    rows = con.execute(
        r"SELECT regexp_extract(source_uri, '([^/]+\.parquet#\d+)$', 1) AS k, doc_id FROM documents"
        r" WHERE regexp_matches(source_uri, '\.parquet#\d+$')"
    ).fetchall()
    return dict(rows)


def half(pair_id: str) -> str:
    """``tune`` (the pairs the parameters were chosen on: ``sha1(pair_id)`` even) or ``held``."""
    return "tune" if int(hashlib.sha1(pair_id.encode()).hexdigest(), 16) % 2 == 0 else "held"


def score(con: duckdb.DuckDBPyConnection, pairs: list[dict]) -> dict[str, dict[str, int]]:
    """Per stratum and ``all``, and the same per half (``tune:high``, ``held:all``, …): ``tp`` (one
    story, one event), ``predicted`` (one story), ``positives`` (one event), ``missing`` (pairs
    whose articles are not in the warehouse)."""
    ids = doc_ids(con)
    story = dict(con.execute("SELECT doc_id, story_id FROM stories").fetchall())
    out: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "predicted": 0, "positives": 0, "missing": 0})
    for p in pairs:
        a, b = (ids.get(f"{p[k]['file']}#{p[k]['row']}") for k in "ab")
        for s in (p["stratum"], "all", f"{half(p['pair_id'])}:{p['stratum']}", f"{half(p['pair_id'])}:all"):
            r = out[s]
            if a is None or b is None:
                r["missing"] += 1
                continue
            same = story.get(a) is not None and story.get(a) == story.get(b)
            event = p["label"] == "SAME_EVENT"
            r["tp"] += same and event
            r["predicted"] += same
            r["positives"] += event
    return dict(out)


def report_scores(scores: dict[str, dict[str, int]]) -> None:
    print(f"{'stratum':<14} {'precision':>16} {'recall':>16}  missing")
    for s in (*STRATA, "all", *(f"{h}:{x}" for h in ("tune", "held") for x in (*STRATA, "all"))):
        r = scores.get(s)
        if r is None:
            continue
        p = f"{r['tp']}/{r['predicted']} = {r['tp'] / r['predicted']:.3f}" if r["predicted"] else "-"
        rc = f"{r['tp']}/{r['positives']} = {r['tp'] / r['positives']:.3f}" if r["positives"] else "-"
        print(f"{s:<14} {p:>16} {rc:>16}  {r['missing']}")


def report_stories(con: duckdb.DuckDBPyConnection, sample: int, seed: int) -> None:
    sizes = con.execute(
        "SELECT story_id, count(*) AS n, date_diff('second', min(d.published_at), max(d.published_at)) / 3600 AS span_h"
        " FROM stories s JOIN documents d USING (doc_id) GROUP BY story_id"
    ).pl()
    if sizes.height == 0:
        print("\nno stories")
        return
    multi = sizes.filter(pl.col("n") > 1)
    n_docs = int(sizes["n"].sum())
    print(f"\n{n_docs} documents in {sizes.height} stories; {multi.height} stories of 2+ documents hold "
          f"{int(multi['n'].sum())} documents; the largest has {int(sizes['n'].max())}")
    print(f"longest span: {multi['span_h'].max()} hours")
    bins = [(2, 2), (3, 3), (4, 5), (6, 10), (11, 20), (21, 50), (51, 10**9)]
    print("size distribution:", ", ".join(
        f"{lo if lo == hi else f'{lo}-{hi}' if hi < 10**9 else f'{lo}+'}: {multi.filter(pl.col('n').is_between(lo, hi)).height}"
        for lo, hi in bins))
    if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'duplicates'").fetchone()[0]:
        n_dup = con.execute("SELECT count(*), count(DISTINCT original_doc_id) FROM duplicates").fetchone()
        print(f"duplicates: {n_dup[0]} copies of {n_dup[1]} originals")
    if sample:
        picked = multi.sort("story_id").sample(min(sample, multi.height), seed=seed)
        for i, sid in enumerate(picked["story_id"].to_list(), 1):
            rows = con.execute(
                "SELECT d.published_at, s2.name, d.title, substr(d.clean_text, 1, 160) FROM stories s"
                " JOIN documents d USING (doc_id) JOIN sources s2 USING (source_id) WHERE s.story_id = ?"
                " ORDER BY d.published_at, d.doc_id", [sid]).fetchall()
            print(f"\n[{i}] story {sid}: {len(rows)} articles")
            for t, src, title, lead in rows:
                print(f"   {t} {src} | {title or ''} | {' '.join((lead or '').split())}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="the warehouse directory (holding akhbar.duckdb)")
    ap.add_argument("--pairs", type=Path, default=PAIRS)
    ap.add_argument("--sample", type=int, default=0, help="list this many random multi-document stories")
    ap.add_argument("--seed", type=int, default=33)
    args = ap.parse_args()
    con = duckdb.connect(str(Path(args.out) / "akhbar.duckdb"), read_only=True)
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines()]
    report_scores(score(con, pairs))
    report_stories(con, args.sample, args.seed)


if __name__ == "__main__":
    main()

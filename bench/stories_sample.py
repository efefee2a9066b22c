"""Draw the article pairs of the same-story evaluation set (``tests/golden/stories/``).

    .venv/bin/python -m bench.stories_sample --corpus ../shared/corpora --out tests/golden/stories/pairs.jsonl

Only the ANT corpora (multi-source and JawharaFM, Apache-2.0) are sampled: the pairs and their
judgments ship with the repository. The sampling similarity is independent of the clustering under
test: TF-IDF cosine (sublinear tf, idf over the ANT articles) of word unigrams of ``text_key``
(title + text). Strata, each drawn with ``SEED``:

* ``high``: cosine >= 0.5, published within 72 hours;
* ``medium``: 0.3 <= cosine < 0.5, within 72 hours;
* ``low``: 0.15 <= cosine < 0.3, within 72 hours;
* ``same_day``: a random article and a random other article of its UTC day, any similarity.

Identical texts (the same article filed twice) are left out: they are duplicates, not a question.
In each of the first three strata half the pairs are drawn among pairs of two different sources
and half among pairs of one source, so that cross-outlet coverage is not drowned by the largest
site. Benchmark tool: reads ``../shared``; writes only the pairs file.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import polars as pl

from transforms.metadata import published_at
from transforms.normalize import text_key

SEED = 33
FILES = ("ant_multisource.parquet", "ant_jawharafm.parquet")
STRATA = {"high": (0.5, 1.01), "medium": (0.3, 0.5), "low": (0.15, 0.3)}
PER_STRATUM = {"high": 70, "medium": 70, "low": 70, "same_day": 50}
WINDOW_S = 72 * 3600


def load(corpus: Path) -> pl.DataFrame:
    frames = []
    for f in FILES:
        d = pl.read_parquet(corpus / f).with_row_index("row")
        frames.append(d.select(
            file=pl.lit(f), row=pl.col("row").cast(pl.Int64), id=pl.col("id"), source=pl.col("source").fill_null("?"),
            title=pl.col("title").fill_null(""), text=pl.col("text").fill_null(""),
            at=published_at(pl.col("published_raw")),
        ))
    d = pl.concat(frames).filter(pl.col("at").is_not_null())
    return d.with_columns(key=text_key(pl.col("title") + pl.lit(" \n") + pl.col("text")), h=pl.col("text").hash(seed=1))


def tfidf(keys: list[str]):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(token_pattern=r"(?u)[^\W_]+", min_df=2, max_df=0.3, sublinear_tf=True, dtype=np.float32)
    return vec.fit_transform(keys)


def close_pairs(d: pl.DataFrame, x, min_cos: float) -> pl.DataFrame:
    """Pairs (i < j, rows of ``d`` sorted by time) within ``WINDOW_S`` with cosine >= ``min_cos``
    (``x``: the TF-IDF rows of ``d``)."""
    t = d["at"].dt.epoch("s").to_numpy()
    out = []
    step = 500
    for lo in range(0, d.height, step):
        hi = min(lo + step, d.height)
        right = int(np.searchsorted(t, t[hi - 1] + WINDOW_S, side="right"))
        sims = (x[lo:hi] @ x[lo:right].T).tocoo()
        i, j, s = sims.row + lo, sims.col + lo, sims.data
        keep = (j > i) & (s >= min_cos) & (np.abs(t[j] - t[i]) <= WINDOW_S)
        out.append(pl.DataFrame({"i": i[keep], "j": j[keep], "cos": s[keep]}))
    return pl.concat(out)


def side(d: pl.DataFrame, idx: str) -> list[pl.Expr]:
    return [pl.col(c).alias(f"{c}_{idx}") for c in ("file", "row", "id", "source", "at", "h")]


def sample(corpus: Path) -> list[dict]:
    d = load(corpus).sort("at", "file", "row")
    x = tfidf(d["key"].to_list())
    pairs = close_pairs(d, x, min_cos=0.15)
    meta = d.select("file", "row", "id", "source", "at", "h")
    pairs = (pairs.join(meta.with_row_index("i").with_columns(pl.col("i").cast(pl.Int64)).rename(
                 {c: f"{c}_a" for c in meta.columns}), left_on=pl.col("i").cast(pl.Int64), right_on="i")
             .join(meta.with_row_index("j").with_columns(pl.col("j").cast(pl.Int64)).rename(
                 {c: f"{c}_b" for c in meta.columns}), left_on=pl.col("j").cast(pl.Int64), right_on="j")
             .filter(pl.col("h_a") != pl.col("h_b")))
    rng = np.random.default_rng(SEED)
    rows: list[dict] = []
    for name, (lo, hi) in STRATA.items():
        s = pairs.filter(pl.col("cos").is_between(lo, hi, closed="left"))
        print(name, s.height, "pairs;", s.filter(pl.col("source_a") != pl.col("source_b")).height, "across sources")
        for cross in (True, False):
            part = s.filter((pl.col("source_a") != pl.col("source_b")) == cross).sort("i", "j")
            n = PER_STRATUM[name] // 2
            pick = rng.choice(part.height, size=min(n, part.height), replace=False)
            rows += [_row(name, r) for r in part[np.sort(pick)].iter_rows(named=True)]
    # random same-day pairs: a random article, and a random other article of its UTC day
    day = d.with_columns(day=pl.col("at").dt.date()).with_row_index("k")
    day = day.filter(pl.len().over("day") >= 2)
    for _ in range(PER_STRATUM["same_day"]):
        ra = day.row(int(rng.integers(day.height)), named=True)
        members = day.filter((pl.col("day") == ra["day"]) & (pl.col("k") != ra["k"]))
        rb = members.row(int(rng.integers(members.height)), named=True)
        if (rb["file"], rb["row"]) < (ra["file"], ra["row"]):
            ra, rb = rb, ra
        cos = float((x[ra["k"]] @ x[rb["k"]].T).toarray()[0, 0])
        rows.append(_row("same_day", {**{f"{c}_a": ra[c] for c in meta.columns}, **{f"{c}_b": rb[c] for c in meta.columns},
                                      "cos": cos}))
    return rows


def _row(stratum: str, r: dict) -> dict:
    return {
        "stratum": stratum, "cosine": round(float(r["cos"]), 3),
        "a": {"file": r["file_a"], "row": r["row_a"], "id": r["id_a"], "source": r["source_a"], "at": str(r["at_a"])},
        "b": {"file": r["file_b"], "row": r["row_b"], "id": r["id_b"], "source": r["source_b"], "at": str(r["at_b"])},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpora"))
    ap.add_argument("--out", type=Path, default=Path("tests/golden/stories/pairs.jsonl"))
    args = ap.parse_args()
    rows = sample(args.corpus)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as f:
        for k, r in enumerate(rows):
            f.write(json.dumps({"pair_id": f"p{k:03d}", **r}, ensure_ascii=False) + "\n")
    print(f"{len(rows)} pairs → {args.out}")


if __name__ == "__main__":
    main()

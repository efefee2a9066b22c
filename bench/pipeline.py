"""End-to-end benchmark of the real ``ingest`` flow over ``../shared/corpora`` (72,716 articles).

    .venv/bin/python -m bench.pipeline --corpus ../shared/corpora [--limit N] [--replicate K]
        [--runner thread|process|dask] [--workers N] [--in-flight N] [--batch-size N] [--no-ner] [--pss]
    .venv/bin/python -m bench.pipeline --corpus ../shared/corpora --growth 10000,36000,full,x4

One run = the flow into a fresh warehouse, then the same flow again on the unchanged inputs (the
rerun time).  Prints articles, tokens, wall time, articles/s, tokens/s, CPU seconds of the process
tree (load-independent on a shared machine), peak RSS (process tree, sampled every 0.2 s, its process list refreshed every second; the Prefect
temporary server is listed apart; also per flow stage), time per stage (timers
installed around each flow task and each transform, in every worker process), and the *scan
floor* measured in the same run: reading the input Parquet plus one Polars regex pass over the
text (which also counts the tokens, ``[\\p{L}\\p{N}]+``).

Inputs: the corpus Parquet files themselves, or with ``--limit``/``--replicate`` a materialized
copy in a temp dir (each corpus file cut to its share of N rows; replica k gets ``id-rk``,
``url?r=k`` and a one-character text change, so it is a new document).  ``--no-ner`` replaces
``transforms.ner.mentions`` with an empty frame (the pipeline without the tagger; the output
says so).  ``--growth`` runs each size in a fresh subprocess so peak RSS is per size.
Benchmark use only: nothing derived from the corpora is written outside ``bench/out/`` and /tmp.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

from bench.measure import (_NO_NER_ENV, _TIMINGS_ENV, TAGGER_INIT, RssSampler, _empty_mentions, _timed,  # noqa: F401
                           install_flow_timers, read_memory, read_timings, stage_peaks)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
OUT_DIR = ROOT / "bench" / "out"
TOKEN_RE = r"[\p{L}\p{N}]+"


# ---------------------------------------------------------------- inputs
def corpus_files(corpus: Path) -> list[Path]:
    files = sorted(corpus.glob("*.parquet"))
    if not files:
        sys.exit(f"no *.parquet under {corpus} (../shared/corpora is present only on developer machines)")
    return files


def materialize(files: list[Path], limit: int | None, replicate: int, dest: Path) -> list[Path]:
    """Each file cut to its share of ``limit`` rows, plus ``replicate - 1`` perturbed copies."""
    counts = {f: pl.scan_parquet(f).select(pl.len()).collect().item() for f in files}
    total = sum(counts.values())
    want = dict(counts)
    if limit is not None and limit < total:
        left = limit
        for i, f in enumerate(files):
            want[f] = left if i == len(files) - 1 else min(counts[f], round(limit * counts[f] / total))
            left -= want[f]
    out = []
    for f in files:
        df = pl.read_parquet(f).head(want[f])
        for k in range(replicate):
            if k == 0:
                part = df
            else:  # a new document: other id/url, and the text differs by one trailing character
                part = df.with_columns(
                    pl.col("id").cast(pl.Utf8) + f"-r{k}",
                    pl.col("url").cast(pl.Utf8) + f"?r={k}",
                    pl.col("text") + ("." * k),
                )
            p = dest / (f"{f.stem}.parquet" if k == 0 else f"{f.stem}-r{k}.parquet")
            part.write_parquet(p, compression="zstd")
            out.append(p)
    return out


def scan_floor(files: list[Path]) -> dict[str, float]:
    """Read every input Parquet, then one regex pass over the text (counting tokens)."""
    t0 = time.perf_counter()
    df = pl.concat([pl.read_parquet(f, columns=["text"]) for f in files])
    t1 = time.perf_counter()
    tokens = df.select(pl.col("text").str.count_matches(TOKEN_RE).sum()).item()
    t2 = time.perf_counter()
    return {"articles": df.height, "tokens": int(tokens), "read_s": round(t1 - t0, 2),
            "regex_s": round(t2 - t1, 2), "floor_s": round(t2 - t0, 2)}


# ---------------------------------------------------------------- one benchmark run
def make_runner(kind: str, workers: int):
    if kind == "thread":
        from prefect.task_runners import ThreadPoolTaskRunner

        return ThreadPoolTaskRunner(max_workers=max(workers, 1))
    if kind == "process":
        from flows.runners import SharedServerProcessPool  # what `akhbar run --procs` uses

        return SharedServerProcessPool(max_workers=max(workers, 1))
    if kind == "dask":
        from flows.runners import SharedServerDaskRunner  # what `akhbar run --workers` uses

        return SharedServerDaskRunner(cluster_kwargs={"n_workers": max(workers, 1), "threads_per_worker": 1, "processes": True})
    raise SystemExit(f"unknown runner {kind!r}")


def run_once(args: argparse.Namespace) -> dict[str, Any]:
    files = corpus_files(Path(args.corpus))
    work = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    try:
        if args.limit is not None or args.replicate > 1:
            t = time.perf_counter()
            files = materialize(files, args.limit, args.replicate, work)
            print(f"materialized {len(files)} input files in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        floor = scan_floor(files)
        timings = work / "timings"
        timings.mkdir()
        os.environ[_TIMINGS_ENV] = str(timings)
        os.environ[_NO_NER_ENV] = "1" if args.no_ner else "0"
        from flows.tagging import INIT_ENV

        os.environ[INIT_ENV] = TAGGER_INIT  # the flow's tagging process times its stage too
        install_flow_timers()
        from flows.ingest import ingest
        from flows.settle import run_flow

        from prefect import flow

        out = work / "warehouse"
        # the same flow with its body timed: wall - body = Prefect start-up (temporary server) and settling
        timed_ingest = flow(name="ingest", log_prints=True)(_timed("flow.body", ingest.fn))
        flow_fn = timed_ingest if args.runner == "default" else timed_ingest.with_options(
            task_runner=make_runner(args.runner, args.workers))
        in_flight = args.in_flight if args.in_flight is not None else (1 if args.runner == "default" else max(args.workers, 1))
        kw = dict(inputs=[str(f) for f in files], out=str(out), batch_size=args.batch_size, in_flight=in_flight,
                  tagger_process={"auto": None, "yes": True, "no": False}[args.tagger_process])
        load1 = os.getloadavg()
        rss = RssSampler(pss=args.pss)
        rss.start()
        t = time.perf_counter()
        if args.runner == "process":  # as `akhbar run --procs` does: workers start with the server
            from transforms.ner.tagger import preload

            flow_fn.task_runner.start_workers(preload, "default")
        summary = run_flow(flow_fn, **kw)
        wall = time.perf_counter() - t
        peak = rss.stop()
        stages = read_timings(timings)
        peaks = stage_peaks(timings, rss.history)
        memory = read_memory(timings)
        if os.environ.get("AKHBAR_BENCH_KEEP_TIMINGS"):  # per-call timeline (stage, s, cpu, pid, end)
            shutil.copytree(timings, os.environ["AKHBAR_BENCH_KEEP_TIMINGS"], dirs_exist_ok=True)
        for f in timings.glob("*.jsonl*"):
            f.unlink()
        t = time.perf_counter()
        summary2 = run_flow(flow_fn, **kw)
        rerun = time.perf_counter() - t
        rerun_stages = read_timings(timings)
        db_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / (1 << 20)
        n = summary["n_new"]
        result = {
            "runner": args.runner, "workers": args.workers, "in_flight": in_flight, "tagger_process": args.tagger_process, "batch_size": args.batch_size,
            "no_ner": args.no_ner, "limit": args.limit, "replicate": args.replicate,
            "articles": n, "seen": summary["n_seen"], "rejected": summary["n_rejected"], "tokens": floor["tokens"],
            "wall_s": round(wall, 1), "articles_per_s": round(n / wall, 1), "tokens_per_s": round(floor["tokens"] / wall),
            "cpu_s": rss.cpu_s, "cpu_ms_per_article": round(1000 * rss.cpu_s / max(n, 1), 2),
            "peak_rss": peak, "peak_rss_by_stage_mb": peaks, "memory_after_loads": memory,
            "rss_timeline_mb": _timeline(rss.history), "floor": floor, "floor_ratio": round(wall / max(floor["floor_s"], 1e-9), 1),
            "stages": stages, "rerun_s": round(rerun, 1), "rerun_new": summary2["n_new"],
            "rerun_unchanged": summary2["n_unchanged"], "rerun_stages": rerun_stages,
            "warehouse_mb": round(db_mb), "loadavg_before": [round(x, 2) for x in load1],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count(),
        }
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)
    return result


def _timeline(history: list[tuple[float, float]], points: int = 10) -> list[int]:
    """Peak tree RSS (without the server) in each tenth of the run: flat or growing?"""
    if not history:
        return []
    t0, t1 = history[0][0], history[-1][0]
    span = max(t1 - t0, 1e-9)
    out = [0] * points
    for t, mb in history:
        i = min(int((t - t0) / span * points), points - 1)
        out[i] = max(out[i], round(mb))
    return out


def print_result(r: dict[str, Any]) -> None:
    ner = "NER DISABLED (--no-ner: transforms.ner.mentions → empty frame)" if r["no_ner"] else "NER on (default backend)"
    print(f"== akhbar ingest benchmark: runner={r['runner']} workers={r['workers']} in_flight={r['in_flight']} "
          f"batch_size={r['batch_size']}; {ner}")
    print(f"articles {r['articles']:,} (seen {r['seen']:,}, rejected {r['rejected']:,}); tokens {r['tokens']:,}")
    print(f"wall {r['wall_s']} s  →  {r['articles_per_s']} articles/s, {r['tokens_per_s']:,} tokens/s")
    if "cpu_s" in r:
        print(f"CPU (flow process + workers, not the Prefect server): {r['cpu_s']} s = {r['cpu_ms_per_article']} ms/article"
              " (load-independent; wall ≈ CPU / cores used on an idle machine)")
    p = r["peak_rss"]
    print(f"peak RSS: tree {p['tree_mb']} MB (flow process {p['flow_process_mb']}, workers {p['workers_mb']}, "
          f"prefect server {p['prefect_server_mb']}; tree without server {p['tree_without_server_mb']})")
    if "tree_without_server_pss_mb" in p:
        print(f"peak PSS of the tree without the server (shared pages counted once, sampled once a second): "
              f"{p['tree_without_server_pss_mb']} MB")
    if r.get("peak_rss_by_stage_mb"):
        print("peak RSS while each stage ran (MB, without the server): "
              + ", ".join(f"{k.removeprefix('flow.')} {v}" for k, v in r["peak_rss_by_stage_mb"].items()))
    if r.get("rss_timeline_mb"):
        print("peak RSS in each tenth of the run (MB, without the server): " + " ".join(map(str, r["rss_timeline_mb"])))
    mem = r.get("memory_after_loads") or []
    if mem:
        pick = [mem[round(i * (len(mem) - 1) / 7)] for i in range(8)] if len(mem) > 8 else mem
        print("after loads (flow process RSS / DuckDB duckdb_memory() MB): "
              + " ".join(f"{m['rss_mb']}/{m['duckdb_mb']}" for m in pick)
              + f"; max DuckDB {max(m['duckdb_mb'] for m in mem)} MB")
    f = r["floor"]
    print(f"scan floor: read {f['read_s']} s + regex {f['regex_s']} s = {f['floor_s']} s; "
          f"pipeline / floor = {r['floor_ratio']}×")
    print("stages (seconds summed over calls and processes; transform.* run inside flow.transform_batch;"
          " proc-CPU = CPU of the whole process while the stage ran, so it includes overlapping stages):")
    for k, v in r["stages"].items():
        print(f"  {k:28s} {v['s']:9.2f} s wall {v.get('cpu', 0):9.2f} s proc-CPU {v['calls']:5d} calls  {v['procs']} proc")
    print(f"rerun on unchanged inputs: {r['rerun_s']} s (new {r['rerun_new']}, unchanged {r['rerun_unchanged']})")
    for k, v in r["rerun_stages"].items():
        print(f"  {k:28s} {v['s']:9.2f} s")
    print(f"warehouse {r['warehouse_mb']} MB; loadavg before {r['loadavg_before']} after {r['loadavg_after']}; "
          f"{r['cpus']} CPUs")


def growth(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Each size in a fresh subprocess (so peak RSS is per size)."""
    results = []
    for size in args.growth.split(","):
        cmd = [sys.executable, "-m", "bench.pipeline", "--corpus", args.corpus, "--runner", args.runner,
               "--workers", str(args.workers), "--batch-size", str(args.batch_size), "--tagger-process", args.tagger_process]
        if args.in_flight is not None:
            cmd += ["--in-flight", str(args.in_flight)]
        if args.no_ner:
            cmd.append("--no-ner")
        if args.pss:
            cmd.append("--pss")
        if size.startswith("x"):
            cmd += ["--replicate", size[1:]]
        elif size != "full":
            cmd += ["--limit", size]
        js = Path(tempfile.mkstemp(suffix=".json")[1])
        print(f"-- {size}: {' '.join(cmd)}", file=sys.stderr, flush=True)
        subprocess.run(cmd + ["--json-out", str(js)], cwd=ROOT, check=True)
        results.append({"size": size, **json.loads(js.read_text())})
        js.unlink()
    print("\n== growth curve")
    print(f"{'size':>6} {'articles':>9} {'wall s':>8} {'art/s':>7} {'peak tree MB':>13} {'w/o server MB':>14} "
          f"{'rerun s':>8} {'load1':>6}")
    for r in results:
        print(f"{r['size']:>6} {r['articles']:>9,} {r['wall_s']:>8} {r['articles_per_s']:>7} "
              f"{r['peak_rss']['tree_mb']:>13} {r['peak_rss']['tree_without_server_mb']:>14} {r['rerun_s']:>8} "
              f"{r['loadavg_before'][0]:>6}")
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", default=str(SHARED / "corpora"))
    ap.add_argument("--limit", type=int)
    ap.add_argument("--replicate", type=int, default=1)
    ap.add_argument("--runner", choices=["default", "thread", "process", "dask"], default="default",
                    help="default: the flow as `akhbar run` runs it (in_flight 1)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--in-flight", type=int)
    ap.add_argument("--tagger-process", choices=["auto", "yes", "no"], default="auto",
                    help="default/thread runner: tag in a helper process (auto: when a read brings a batch's worth)")
    ap.add_argument("--batch-size", type=int, default=2000)
    ap.add_argument("--pss", action="store_true", help="also sample the tree's PSS once a second (~5 ms per process)")
    ap.add_argument("--no-ner", action="store_true", help="replace NER by an empty frame (before the model exists)")
    ap.add_argument("--growth", help="comma-separated sizes: N, full, xK (e.g. 10000,36000,full,x4)")
    ap.add_argument("--out", default=str(OUT_DIR), help="where the JSON results go")
    ap.add_argument("--json-out", help=argparse.SUPPRESS)
    ap.add_argument("--keep", action="store_true", help="keep the temp inputs and warehouse")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    # the temporary server needs more than its default 20 s to start on a loaded 2-core machine
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    stamp = time.strftime("%Y%m%dT%H%M%S")
    Path(args.out).mkdir(parents=True, exist_ok=True)
    if args.growth:
        res = growth(args)
        Path(args.out, f"growth-{stamp}.json").write_text(json.dumps(res, indent=1))
        return
    r = run_once(args)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(r))
    print_result(r)
    tag = f"{args.runner}-w{args.workers}-{args.limit or 'full'}x{args.replicate}"
    Path(args.out, f"run-{tag}-{stamp}.json").write_text(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()

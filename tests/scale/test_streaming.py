"""Bounded reads: a multi-record file parsed in slices gives exactly the records and rejects of one
whole read (same ``file#i`` URIs), and the flow over a big file loads the same tables."""
from __future__ import annotations

import io
import json

import polars as pl
import pytest

from flows import inputs as inp
from transforms.records import records, records_bounded

TEXT = "قال الوزير إن المحادثات كانت مثمرة وإن الجانبين اتفقا على مواصلة الحوار"


def _inputs(files: list[tuple[str, bytes, str]]) -> pl.DataFrame:
    return pl.DataFrame([{"source_uri": u, "payload": b, "n_bytes": len(b), "ext": e} for u, b, e in files],
                        schema={"source_uri": pl.Utf8, "payload": pl.Binary, "n_bytes": pl.Int64, "ext": pl.Utf8})


def _rows(n: int) -> list[dict]:
    # every 7th record has no text (a reject), the rest differ by their number
    return [{"title": f"خبر {i}", "text": "" if i % 7 == 3 else f"{TEXT} {i}", "date": "2024-05-0%d" % (1 + i % 9),
             "source": "src"} for i in range(n)]


def _files(n: int) -> list[tuple[str, bytes, str]]:
    rows = _rows(n)
    buf = io.BytesIO()
    pl.DataFrame(rows).write_parquet(buf)
    csv = io.BytesIO()
    pl.DataFrame(rows).write_csv(csv)
    ant = "".join(f"<DOC><TITLE>{r['title']}</TITLE><TEXT>{r['text']}</TEXT></DOC>\n" for r in rows)
    return [
        ("a/one.txt", TEXT.encode(), ".txt"),
        ("b/big.parquet", buf.getvalue(), ".parquet"),
        ("c/lines.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode() + b"\n{bad\n", ".jsonl"),
        ("d/array.json", json.dumps(rows, ensure_ascii=False).encode(), ".json"),
        ("e/t.csv", csv.getvalue(), ".csv"),
        ("f/ant.txt", ant.encode(), ".txt"),
        ("g/empty.json", b"", ".json"),
        ("h/two.txt", (TEXT + " 2").encode(), ".txt"),
    ]


def _sliced(files: list[tuple[str, bytes, str]], max_records: int) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """Read like the flow does: resume where the budget ran out until nothing is left."""
    by_uri = {u: (u, b, e) for u, b, e in files}
    todo = [(u, 0) for u, _, _ in files]
    docs, rejects, calls = [], [], 0
    while todo:
        frame = _inputs([by_uri[u] for u, _ in todo]).with_columns(
            record_start=pl.Series([s for _, s in todo], dtype=pl.Int64))
        d, r, todo = records_bounded(frame, None, max_records)
        assert d.height + r.filter(pl.col("source_uri").str.contains("#")).height <= max_records
        docs.append(d)
        rejects.append(r)
        calls += 1
    return pl.concat(docs), pl.concat(rejects), calls


@pytest.mark.parametrize("max_records", [1, 7, 10, 25, 1000])
def test_slices_equal_one_read(max_records):
    files = _files(40)
    whole_docs, whole_rejects = records(_inputs(files))
    docs, rejects, calls = _sliced(files, max_records)
    assert docs.to_dicts() == whole_docs.to_dicts()
    assert rejects.to_dicts() == whole_rejects.to_dicts()
    if max_records < 40:
        assert calls > 1


def test_parquet_slice_uris_are_global():
    files = [f for f in _files(30) if f[0] == "b/big.parquet"]
    frame = _inputs(files).with_columns(record_start=pl.lit(20, dtype=pl.Int64))
    docs, rejects, rest = records_bounded(frame, None, 5)
    assert docs["source_uri"].to_list() == [f"b/big.parquet#{i}" for i in range(20, 25) if i % 7 != 3]
    assert rejects["source_uri"].to_list() == ["b/big.parquet#24"]
    assert rest == [("b/big.parquet", 25)]


def test_flow_reads_big_file_in_slices(prefect_server, tmp_path, monkeypatch):
    """The flow with 8-record reads loads the same tables as with one read of the whole file, also
    when two transforms are in flight across a read's end (the pipeline spans reads)."""
    from flows.ingest import ingest
    from warehouse import db
    from warehouse.checksum import table_checksums

    (tmp_path / "in").mkdir()
    for uri, payload, _ in _files(30):
        if uri.endswith((".parquet", ".jsonl")):
            (tmp_path / "in" / uri.split("/")[1]).write_bytes(payload)
    sums = {}
    for max_records, in_flight in ((None, 1), (8, 1), (8, 2)):
        monkeypatch.setattr(inp, "MAX_RECORDS_PER_READ", max_records)
        out = tmp_path / f"out{max_records}-{in_flight}"
        summary = ingest([str(tmp_path / "in")], out=str(out), batch_size=5, in_flight=in_flight)
        assert summary["status"] == "completed"
        with db.connect(str(out), read_only=True) as con:
            sums[max_records, in_flight] = table_checksums(con)
            assert con.execute("select count(*) from documents").fetchone()[0] == 2 * sum(1 for i in range(30) if i % 7 != 3)
    assert sums[None, 1] == sums[8, 1] == sums[8, 2]

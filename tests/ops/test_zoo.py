"""The bad-input zoo (issue 8, acceptance 3): one run over every kind of broken input completes,
and each input — each record of a multi-record file — ends in ``documents`` or ``rejects``.

Files are generated in tmp_path at test time (the 60 MB article is never committed).
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from warehouse import db

REPO = Path(__file__).resolve().parents[2]
AR = (REPO / "seeds" / "000_2b676b022e1b6d99.txt").read_text(encoding="utf-8")
AR2 = (REPO / "seeds" / "002_07e1d37294a969bb.txt").read_text(encoding="utf-8")
HUGE_BYTES = 60 << 20


def build_zoo(root: Path, huge: bool = True) -> dict[str, str | None]:
    """Write the zoo under ``root``; returns ``{source_uri: expected reject reason or None}``.

    ``None`` means either outcome is acceptable (the point is only that the input is not lost);
    a reason means the input must be rejected with it.
    """
    root.mkdir(parents=True)
    expect: dict[str, str | None] = {}

    def put(name: str, data: bytes, reason: str | None = None) -> Path:
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        expect[str(p)] = reason
        return p

    put("empty.txt", b"", "empty")
    put("binary.bin", bytes(range(256)) * 64)
    put("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(200))  # a PNG with a .txt name
    put("nul.txt", AR[:800].replace("،", "\x00").encode("utf-8"))
    put("truncated_utf8.txt", AR[:700].encode("utf-8")[:-1])  # cut inside a 2-byte Arabic letter
    put("cp1256.txt", AR2[:900].encode("cp1256", errors="ignore"))
    put("utf16_nobom.txt", AR[:600].encode("utf-16-le"))
    put("script_style.html", (
        "<html><head>" + "<script>function f(){return 1;}</script>" * 2000 + "<style>p{color:red}</style>" * 2000
        + "</head><body><script>var x = 'نص داخل سكربت';</script></body></html>").encode("utf-8"))
    put("english.txt", b"Breaking: the central bank kept rates unchanged on Tuesday, citing inflation.\n" * 5)
    put("bidi.txt", ("\u202e" + AR[:500] + "\u202c\n\u202eتقرير\u202c " + AR[500:900]).encode("utf-8"))
    jsonl = root / "broken.jsonl"
    jsonl.write_bytes(
        ('{"title": "خبر أول", "text": "%s"}\n{"title": "مكسور", "text": "بلا نهاية\n'
         '{"title": "خبر ثالث", "text": "%s"}\n' % (AR[:300].replace("\n", " "), AR2[:300].replace("\n", " "))).encode("utf-8"))
    expect[f"{jsonl}#0"] = None
    expect[f"{jsonl}#1"] = "invalid_json"
    expect[f"{jsonl}#2"] = None
    put("no_text.csv", "title,date\nعنوان,2024-04-09\nعنوان آخر,2024-04-10\n".encode("utf-8"), "no_text_field")
    loop = root / "loopdir"
    put("loopdir/real.txt", AR2[:500].encode("utf-8"))
    os.symlink(loop, loop / "self")  # a directory symlink loop: must not trap the walk
    os.symlink(loop / "loop_b", loop / "loop_a")  # a file symlink loop: ELOOP on stat
    os.symlink(loop / "loop_a", loop / "loop_b")
    expect[str(loop / "loop_a")] = "unreadable"
    expect[str(loop / "loop_b")] = "unreadable"
    os.symlink(root / "missing.txt", root / "dangling.txt")
    expect[str(root / "dangling.txt")] = "unreadable"
    # Unreadable even for root: /proc/self/mem stats fine but reading offset 0 fails with EIO.
    os.symlink("/proc/self/mem", root / "proc_mem.txt")
    expect[str(root / "proc_mem.txt")] = "unreadable"
    if os.geteuid() != 0:  # root reads through chmod 000, so this case only means something for users
        put("chmod000.txt", AR[:300].encode("utf-8"), "unreadable").chmod(0)
    if huge:
        line = (AR.replace("\n", " ") + "\n").encode("utf-8")
        with open(root / "huge_article.txt", "wb") as f:
            for _ in range(HUGE_BYTES // len(line) + 1):
                f.write(line)
        expect[str(root / "huge_article.txt")] = "too_long"  # one "article" of ~35 M characters
    return expect


def _outcomes(out: Path) -> tuple[set[str], dict[str, str]]:
    with db.connect(out, read_only=True) as con:
        docs = {r[0] for r in con.execute("SELECT source_uri FROM documents").fetchall()}
        rejects = dict(con.execute("SELECT source_uri, reason FROM rejects").fetchall())
    return docs, rejects


@pytest.mark.parametrize("huge", [False, True], ids=["zoo", "zoo+60MB"])
def test_bad_input_zoo(prefect_server, tmp_path: Path, huge: bool) -> None:
    from flows.ingest import ingest

    zoo = tmp_path / "zoo"
    expect = build_zoo(zoo, huge=huge)
    missing = str(tmp_path / "no_such_inbox")
    expect[missing] = "not_found"  # a typo on the command line is a reject too, not a crash
    out = tmp_path / "wh"
    try:
        summary = ingest(inputs=[str(zoo), missing], out=str(out))
    finally:
        for p in zoo.rglob("*"):  # let pytest clean up chmod 000 files
            if not p.is_symlink():
                p.chmod(0o755)
    assert summary["status"] == "completed", summary
    docs, rejects = _outcomes(out)
    assert not docs & set(rejects), f"both a document and a reject: {docs & set(rejects)}"
    assert docs | set(rejects) == set(expect), {"lost": set(expect) - docs - set(rejects),
                                                 "unexpected": (docs | set(rejects)) - set(expect)}
    assert len(docs) + len(rejects) == len(expect) == summary["n_seen"] + summary["n_rejected"]
    wrong = {u: (rejects.get(u), r) for u, r in expect.items() if r is not None and rejects.get(u) != r}
    assert not wrong, f"(got, expected) reject reasons: {wrong}"
    # text that decodes must become documents, with its Arabic intact
    for name in ("cp1256.txt", "utf16_nobom.txt", "truncated_utf8.txt", "bidi.txt", "nul.txt", "loopdir/real.txt"):
        assert str(zoo / name) in docs, (name, rejects.get(str(zoo / name)))
    with db.connect(out, read_only=True) as con:
        texts = dict(con.execute("SELECT source_uri, clean_text FROM documents").fetchall())
    assert "روسيا" in texts[str(zoo / "utf16_nobom.txt")] and "الصين" in texts[str(zoo / "cp1256.txt")]
    assert all("function f()" not in t for t in texts.values()), "script text leaked into a document"
    assert all("\x00" not in t for t in texts.values())

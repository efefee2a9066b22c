"""records(): every input file → docs_raw rows or rejects, per format, never raising."""
from __future__ import annotations

import io
import json

import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from transforms.records import DOC_COLUMNS, records

from .conftest import CORPORA, make_inputs, needs_corpora

ANT = """<DOC>
<DOCNO>AL-economy-1-20180516</DOCNO>
<URL>https://www.alarabiya.net/x.html</URL>
<SRC>alarabia</SRC>
<TITLE>الاقتصاد الأخضر يخلق 24 مليون فرصة عمل</TITLE>
<TIME>Wed, 16 May 2018 11:08:39 +0400</TIME>
<AUTHOR></AUTHOR>
<TEXT>
ذكر تقرير جديد أن 24 مليون فرصة عمل جديدة ستُخلق.
وستُخلق فرص عمل في قطاعات الطاقة.
</TEXT>
</DOC>
"""


def _accounted(inputs: pl.DataFrame, docs: pl.DataFrame, rejects: pl.DataFrame) -> bool:
    seen = {u.split("#", 1)[0] for u in docs["source_uri"].to_list() + rejects["source_uri"].to_list()}
    return set(inputs["source_uri"].to_list()) <= seen


def test_columns_match_contract():
    docs, rejects = records(make_inputs([("a/x.txt", "نص".encode(), ".txt")]))
    assert tuple(docs.columns) == DOC_COLUMNS
    assert rejects.columns == ["source_uri", "reason", "detail", "bytes"]
    assert docs["source_name"].to_list() == ["a"]


def test_ant_pseudo_xml_with_and_without_extension():
    for ext in ("", ".txt", ".xml"):
        docs, rejects = records(make_inputs([("ant/AL-economy-1", ANT.encode(), ext)]))
        assert rejects.height == 0, rejects
        row = docs.row(0, named=True)
        assert row["title_raw"] == "الاقتصاد الأخضر يخلق 24 مليون فرصة عمل"
        assert row["published_raw"].startswith("Wed, 16 May 2018")
        assert row["source_name"] == "alarabia" and row["raw_text"].startswith("ذكر تقرير")
        assert row["author_raw"] is None


def test_json_array_maps_common_names_and_indexes_records():
    data = [{"source": "aawsat", "content": "نص المقال", "title": "عنوان", "date_extracted": "2015-07-21 02:51:32",
             "url": "http://x", "author": "لندن: كاتب"},
            {"source": "okaz", "content": "", "title": "فارغ"},
            {"headline": "بلا نص"}]
    docs, rejects = records(make_inputs([("d/day.json", json.dumps(data, ensure_ascii=False).encode(), ".json")]))
    assert docs["source_uri"].to_list() == ["d/day.json#0"]
    assert docs.row(0, named=True)["published_raw"] == "2015-07-21 02:51:32"
    assert dict(zip(rejects["source_uri"], rejects["reason"])) == {"d/day.json#1": "empty_text",
                                                                   "d/day.json#2": "no_text_field"}


def test_jsonl_and_bad_line():
    payload = '{"text": "أ"}\nnot json\n{"body": "ب"}\n'.encode()
    docs, rejects = records(make_inputs([("f.jsonl", payload, ".jsonl")]))
    assert docs["source_uri"].to_list() == ["f.jsonl#0", "f.jsonl#2"]
    assert rejects["reason"].to_list() == ["invalid_json"]


def test_csv_without_text_column_explains_and_override_fixes_it():
    csv = "headline,article_html_body\nعنوان,نص الخبر\n".encode()
    docs, rejects = records(make_inputs([("t.csv", csv, ".csv")]))
    assert docs.height == 0 and rejects["reason"].to_list() == ["no_text_field"]
    assert "article_html_body" in rejects["detail"][0] and "--field text=" in rejects["detail"][0]
    docs, rejects = records(make_inputs([("t.csv", csv, ".csv")]), fields={"text": "article_html_body"})
    assert docs.row(0, named=True)["raw_text"] == "نص الخبر" and docs["title_raw"][0] == "عنوان"
    assert docs["source_uri"][0] == "t.csv#0"


def test_csv_in_windows_1256():
    csv = "title,text\nعنوان,نص الخبر الطويل هنا\n".encode("cp1256")
    docs, rejects = records(make_inputs([("t.csv", csv, ".csv")]))
    assert rejects.height == 0 and docs["raw_text"][0] == "نص الخبر الطويل هنا"


def test_parquet():
    buf = io.BytesIO()
    pl.DataFrame({"id": [1, 2], "text": ["نص", None], "published_raw": ["2018-01-01", None]}).write_parquet(buf)
    docs, rejects = records(make_inputs([("p.parquet", buf.getvalue(), ".parquet")]))
    assert docs["source_uri"].to_list() == ["p.parquet#0"] and docs["published_raw"][0] == "2018-01-01"
    assert rejects["reason"].to_list() == ["empty_text"]


def test_html_article_and_script_only_page():
    body = "".join(f"<p>{'فقرة رقم %d من نص الخبر العربي الطويل بما يكفي للاستخراج. ' % i * 3}</p>" for i in range(4))
    page = (f"<html><head><title>عنوان الصفحة</title>"
            f'<meta property="article:published_time" content="2024-04-29T10:00:00Z"></head>'
            f"<body><nav>الرئيسية</nav><article><h1>عنوان الخبر</h1>{body}</article></body></html>")
    docs, rejects = records(make_inputs([("w/a.html", page.encode(), ".html"),
                                         ("w/b.html", b"<html><script>" + b"var x=1;" * 500 + b"</script>"
                                          b"<style>p{}</style></html>", ".html")]))
    assert docs["source_uri"].to_list() == ["w/a.html"]
    assert "فقرة رقم 0" in docs["raw_text"][0] and docs["published_raw"][0].startswith("2024-04-29")
    assert rejects["source_uri"].to_list() == ["w/b.html"]


def test_rss_xml():
    rss = ("<rss><channel><item><title>خبر</title><link>http://x/1</link><description>نص الخبر الأول</description>"
           "</item><item><title>آخر</title><description>نص الخبر الثاني</description></item></channel></rss>")
    docs, _ = records(make_inputs([("feed.xml", rss.encode(), ".xml")]))
    assert docs["raw_text"].to_list() == ["نص الخبر الأول", "نص الخبر الثاني"]


def test_bad_inputs_are_rejected_with_reasons():
    inputs = make_inputs([("e.txt", b"", ".txt"), ("b.txt", b"\x00" * 100, ".txt"),
                          ("z.json", b"{not json", ".json"), ("q.parquet", b"PAR1garbage", ".parquet"),
                          ("pdf.txt", b"%PDF-1.4\n...", ".txt")])
    docs, rejects = records(inputs)
    assert docs.height == 0
    assert dict(zip(rejects["source_uri"], rejects["reason"])) == {
        "e.txt": "empty", "b.txt": "binary", "z.json": "invalid_json", "q.parquet": "invalid_table",
        "pdf.txt": "binary"}


_EXTS = st.sampled_from(["", ".txt", ".html", ".json", ".jsonl", ".csv", ".parquet", ".xml", ".bin"])
_PAYLOADS = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.sampled_from([ANT.encode(), ANT.encode()[:60], b"[", b"[1, 2]", b'{"text": null}', b"<DOC><TEXT>",
                     "<html><p>نص</p></html>".encode(), b"a,b\n1", "\ufeffنص".encode("utf-16")]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_PAYLOADS, _EXTS), min_size=1, max_size=6))
def test_property_every_input_is_a_document_or_a_reject(items):
    inputs = make_inputs([(f"in/{i}{ext}", payload, ext) for i, (payload, ext) in enumerate(items)])
    docs, rejects = records(inputs)
    assert _accounted(inputs, docs, rejects)
    assert docs["raw_text"].null_count() == 0
    assert rejects["reason"].null_count() == 0


def test_shared_raw_samples_parse():
    needs_corpora()
    files = sorted(p for p in (CORPORA / "raw_samples").rglob("*") if p.is_file())
    inputs = make_inputs([(str(p), p.read_bytes(), p.suffix.lower()) for p in files])
    docs, rejects = records(inputs)
    ant = docs.filter(pl.col("source_uri").str.contains("ant_pseudo_xml"))
    assert ant.height == 150 and ant["title_raw"].null_count() == 0
    snn = docs.filter(pl.col("source_uri").str.contains("saudinewsnet_json"))
    assert snn.height + rejects.filter(pl.col("source_uri").str.contains("saudinewsnet")).height == 2972
    assert snn.height > 2800 and set(rejects["reason"].unique()) <= {"empty_text"}
    assert _accounted(inputs, docs, rejects)

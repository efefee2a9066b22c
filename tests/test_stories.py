"""Stories and duplicates: sketches of real Arabic, clustering that cannot chain, incremental runs
equal to one run, and the seeds (003 and 004, Lavrov in Beijing in April 2024, are one story; no
other seed pair is)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import example, given, settings, strategies as st

from transforms.story_clusters import duplicates, place_stories, stories
from transforms.stories import STORY_PARAMS, event_day, story_sketches, story_words
from transforms.normalize import text_key
from warehouse import db
from warehouse.stories import story_inputs, write_stories

GOLDEN = Path(__file__).parent / "golden" / "stories"
T0 = datetime(2018, 3, 17, 8, 0)


def _golden(name: str) -> list[dict]:
    return [json.loads(line) for line in (GOLDEN / name).read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("case", _golden("words.jsonl"), ids=lambda c: c["id"])
def test_story_words(case: dict) -> None:
    got = pl.DataFrame({"t": [case["input"]]}).select(story_words(text_key(pl.col("t"))))["t"][0].to_list()
    assert got == case["expected"], case["note"]


@pytest.mark.parametrize("case", _golden("event_day.jsonl"), ids=lambda c: c["id"])
def test_event_day(case: dict) -> None:
    pub = case["input"]["published_at"]
    frame = pl.DataFrame({"text": [case["input"]["text"]], "at": [datetime.fromisoformat(pub) if pub else None]},
                         schema={"text": pl.Utf8, "at": pl.Datetime("us")})
    got = frame.select(event_day(pl.col("text"), pl.col("at")))["event_day"][0]
    assert (got.isoformat() if got else None) == case["expected"], case["note"]


@pytest.mark.parametrize("case", _golden("titles.jsonl"), ids=lambda c: c["id"])
def test_title_terms(case: dict) -> None:
    docs = pl.DataFrame({"doc_id": ["d"], "title": [case["input"]["title"]], "clean_text": [case["input"]["text"]],
                         "published_at": [T0]}).with_columns(text_key=text_key(pl.col("clean_text")))
    terms = set(story_sketches(docs)["terms"][0].to_list())
    assert not terms & set(case["expected"]["absent"]), case["note"]
    assert set(case["expected"]["present"]) <= terms, case["note"]


def test_seed_stories(seeds_warehouse: Path) -> None:
    con = db.connect(seeds_warehouse, read_only=True)
    rows = con.execute(
        "SELECT list(split_part(d.source_uri, '/', -1)[1:3] ORDER BY d.source_uri) FROM stories s"
        " JOIN documents d USING (doc_id) GROUP BY story_id HAVING count(*) > 1"
    ).fetchall()
    assert [r[0] for r in rows] == [["003", "004"]]
    assert con.execute("SELECT count(*) FROM documents ANTI JOIN stories USING (doc_id)").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM doc_sketches").fetchone()[0] == 5


# ---------------------------------------------------------------- sketches
_LEAD = ("أعلنت وزارة الخارجية الروسية، السبت، أنها ستطرد 23 دبلوماسياً بريطانياً، رداً على إجراء مماثل اتخذته لندن "
         "بعد تسميم العميل الروسي المزدوج السابق سيرغي سكريبال وابنته في إنجلترا، مشيرة إلى أنها علقت عمل المركز "
         "الثقافي البريطاني في البلاد.")
_OTHER = ("فاز المنتخب البرازيلي على نظيره الكوستاريكي بهدفين مقابل صفر في مباراة الجولة الثانية للمجموعة الخامسة "
          "ليعزز فرصه في الترشح نحو الدور الثاني في مونديال روسيا بعد تعادله في المباراة الأولى أمام سويسرا.")


def _docs(texts: list[str], times: list[datetime | None] | None = None, titles: list[str] | None = None) -> pl.DataFrame:
    n = len(texts)
    frame = pl.DataFrame({
        "doc_id": [f"d{i:03d}" for i in range(n)], "title": titles or [""] * n, "clean_text": texts,
        "published_at": times or [T0 + timedelta(hours=i) for i in range(n)],
    }, schema={"doc_id": pl.Utf8, "title": pl.Utf8, "clean_text": pl.Utf8, "published_at": pl.Datetime("us")})
    return frame.with_columns(text_key=text_key(pl.col("clean_text")))


def test_sketch_of_a_copy_is_the_same_and_weights_are_unit_length() -> None:
    sk = story_sketches(_docs([_LEAD, _LEAD, _OTHER]))
    assert sk["minhash"][0].to_list() == sk["minhash"][1].to_list() != sk["minhash"][2].to_list()
    assert sk["terms"][0].to_list() == sk["terms"][1].to_list()
    for w in sk["weights"].to_list():
        assert abs(sum(x * x for x in w) - 1) < 1e-5
    assert sk["event_day"][0].isoformat() == "2018-03-17" and sk["event_day"][2] is None
    assert {"دبلمس", "سكربل"} <= set(sk["terms"][0].to_list())


def test_empty_text_gives_an_empty_sketch_row() -> None:
    sk = story_sketches(_docs(["", "كلمة"]))
    assert sk.height == 2 and sk["n_shingles"].to_list() == [0, 0] and sk["terms"][0].to_list() == []


# ---------------------------------------------------------------- clustering on given pairs
def _todo(n: int, hours: float = 1.0) -> pl.DataFrame:
    return pl.DataFrame({"doc_id": [f"d{i:03d}" for i in range(n)],
                         "published_at": [T0 + timedelta(hours=hours * i) for i in range(n)]},
                        schema={"doc_id": pl.Utf8, "published_at": pl.Datetime("us")})


def _pairs(rows: list[tuple[int, int, float]], todo: pl.DataFrame, containment: float = 0.0) -> pl.DataFrame:
    when = dict(zip(todo["doc_id"].to_list(), todo["published_at"].to_list()))
    out = [(f"d{a:03d}", f"d{b:03d}", when[f"d{a:03d}"], when[f"d{b:03d}"], False, s, None, containment)
           for a, b, s in rows]
    return pl.DataFrame(out, orient="row", schema={
        "doc_a": pl.Utf8, "doc_b": pl.Utf8, "published_a": pl.Datetime("us"), "published_b": pl.Datetime("us"),
        "same_source": pl.Boolean, "similarity": pl.Float64, "event_gap": pl.Int64, "containment": pl.Float64})


_NO_CONTEXT = pl.DataFrame(schema={"story_id": pl.Utf8, "doc_id": pl.Utf8, "published_at": pl.Datetime("us"),
                                   "similarity": pl.Float64})


def _groups(placed: pl.DataFrame) -> list[list[str]]:
    g = placed.group_by("story_id").agg(pl.col("doc_id").sort()).filter(pl.col("doc_id").list.len() > 1)
    return sorted(g["doc_id"].to_list())


def test_a_chain_of_links_does_not_make_one_story() -> None:
    """Each article resembles only the one before it (0.6): single linkage would chain all eight;
    average linkage stops after two, since the third resembles the first pair only 0.3 on
    average — just at the bar — and the fourth the three only 0.2."""
    todo = _todo(8, hours=6)  # six hours apart: not faded
    placed = stories(todo, _pairs([(i, i + 1, 0.6) for i in range(7)], todo), _NO_CONTEXT)
    assert max(len(g) for g in _groups(placed)) <= 3
    assert placed["story_id"].n_unique() >= 3


def test_a_story_spans_at_most_four_days() -> None:
    todo = _todo(10, hours=20)  # every article like every other, one every 20 hours
    pairs = _pairs([(a, b, 0.9) for a in range(10) for b in range(a + 1, 10) if b - a <= 2], todo)
    placed = stories(todo, pairs, _NO_CONTEXT)
    spans = placed.group_by("story_id").agg((pl.col("published_at").max() - pl.col("published_at").min()).alias("s"))
    assert spans["s"].max() <= timedelta(hours=STORY_PARAMS["span_hours"])


def test_leads_naming_days_apart_are_two_events() -> None:
    todo = _todo(2)
    pairs = _pairs([(0, 1, 0.8)], todo).with_columns(event_gap=pl.lit(2, pl.Int64))
    assert _groups(stories(todo, pairs, _NO_CONTEXT)) == []
    assert _groups(stories(todo, pairs.with_columns(event_gap=pl.lit(1, pl.Int64)), _NO_CONTEXT)) == [["d000", "d001"]]


def test_two_halves_of_one_event_merge_when_the_bridge_arrives() -> None:
    """d0 and d1 start two stories (0.25 apart, under the bar); d2 resembles both (0.9): it joins
    the first, which then resembles d1 by (0.25 + 0.9) / 2 on average, and the two merge."""
    todo = _todo(3, hours=6)
    pairs = _pairs([(0, 1, 0.25), (0, 2, 0.9), (1, 2, 0.9)], todo)
    placed = stories(todo, pairs, _NO_CONTEXT)
    assert _groups(placed) == [["d000", "d001", "d002"]]
    assert placed.filter(pl.col("doc_id") == "d000")["similarity"][0] == 1.0


def test_a_later_report_counts_less() -> None:
    """0.33 one hour apart joins; 40 hours apart it fades to 0.33 · (1 − 34/144) ≈ 0.25, under the
    bar: the same words a day and a half later are more often the next development."""
    soon, late = _todo(2), _todo(2, hours=40)
    assert _groups(stories(soon, _pairs([(0, 1, 0.33)], soon), _NO_CONTEXT)) == [["d000", "d001"]]
    assert _groups(stories(late, _pairs([(0, 1, 0.33)], late), _NO_CONTEXT)) == []


def test_one_outlet_counts_less_and_shared_text_across_outlets_more() -> None:
    """Six hours apart: two articles of one outlet at 0.35 drop to 0.25 (its follow-ups repeat its
    own background); two outlets at 0.25 that share half their 3-grams (one dispatch) rise to 0.35."""
    todo = _todo(2, hours=6)
    own = _pairs([(0, 1, 0.35)], todo).with_columns(same_source=pl.lit(True))
    assert _groups(stories(todo, own, _NO_CONTEXT)) == []
    assert _groups(stories(todo, own.with_columns(same_source=pl.lit(False)), _NO_CONTEXT)) == [["d000", "d001"]]
    wire = _pairs([(0, 1, 0.25)], todo, containment=0.5)
    assert _groups(stories(todo, wire, _NO_CONTEXT)) == [["d000", "d001"]]
    assert _groups(stories(todo, wire.with_columns(same_source=pl.lit(True)), _NO_CONTEXT)) == []


def test_a_copy_of_a_copy_points_at_the_first_text() -> None:
    todo = _todo(3)
    pairs = _pairs([(0, 1, 1.0), (1, 2, 1.0), (0, 2, 1.0)], todo, containment=0.95)
    dups = duplicates(todo, pairs, pl.DataFrame(schema={"doc_id": pl.Utf8, "original_doc_id": pl.Utf8}))
    assert dict(zip(dups["doc_id"], dups["original_doc_id"])) == {"d001": "d000", "d002": "d000"}


def test_undated_documents_join_only_through_shared_text() -> None:
    todo = _todo(3).with_columns(published_at=pl.when(pl.col("doc_id") != "d000").then("published_at"))
    words_only = _pairs([(0, 1, 0.6)], todo)
    assert _groups(stories(todo, words_only, _NO_CONTEXT)) == []
    shared = _pairs([(0, 1, 0.25)], todo, containment=0.15)
    assert _groups(stories(todo, shared, _NO_CONTEXT)) == [["d000", "d001"]]


# ---------------------------------------------------------------- the warehouse path, run by run
_EVENTS = [
    ("موسكو تطرد 23 دبلوماسيا بريطانيا وتغلق المركز الثقافي البريطاني ردا على لندن في قضية سكريبال", 0),
    ("روسيا تعلن طرد 23 دبلوماسيا بريطانيا وإغلاق المركز الثقافي البريطاني في قضية تسميم سكريبال", 2),
    ("الخارجية الروسية تستدعي السفير البريطاني وتطرد 23 دبلوماسيا بعد تسميم سكريبال وإغلاق المركز الثقافي", 5),
    ("البرازيل تفوز على كوستاريكا بهدفين نظيفين في مونديال روسيا وكوتينيو ونيمار يسجلان", 1),
    ("نيمار وكوتينيو يقودان البرازيل للفوز على كوستاريكا بهدفين في المونديال", 3),
    ("زلزال بقوة ست درجات يضرب جزيرة لومبوك الإندونيسية ويوقع قتلى", 30),
    ("قتلى في زلزال لومبوك الإندونيسية بقوة ست درجات", 31),
    ("البرازيل تفوز على كوستاريكا بهدفين نظيفين في مونديال روسيا وكوتينيو ونيمار يسجلان", 100),
    ("موسكو تطرد 23 دبلوماسيا بريطانيا وتغلق المركز الثقافي البريطاني في قضية سكريبال", None),
]


def _warehouse(tmp: Path, docs: pl.DataFrame):
    con = db.connect(tmp)
    _load(con, docs)
    return con


def _load(con, docs: pl.DataFrame) -> None:
    con.register("d", docs.to_arrow())
    con.execute("INSERT INTO documents (doc_id, source_uri, source_id, content_sha256, raw_text, ingested_at, run_id,"
                " published_at, title, clean_text, text_key)"
                " SELECT doc_id, doc_id, 's', doc_id, clean_text, now(), 'r', published_at, title, clean_text, text_key FROM d")
    con.unregister("d")
    con.register("k", story_sketches(docs).to_arrow())
    con.execute("INSERT INTO doc_sketches SELECT * FROM k")
    con.unregister("k")


def _refresh(con) -> None:
    inputs = story_inputs(con, STORY_PARAMS)
    if inputs is not None:
        placed, dups = place_stories(inputs.todo, inputs.pairs, inputs.context, inputs.known_duplicates)
        write_stories(con, inputs, placed, dups)


def _event_docs() -> pl.DataFrame:
    return _docs([t for t, _ in _EVENTS], [None if h is None else T0 + timedelta(hours=h) for _, h in _EVENTS],
                 [t for t, _ in _EVENTS])


def _state(con) -> list[tuple]:
    return con.execute("SELECT doc_id, story_id, published_at, round(similarity, 9) FROM stories ORDER BY doc_id").fetchall()


def test_the_warehouse_path_groups_events_and_finds_the_copy(tmp_path: Path) -> None:
    con = _warehouse(tmp_path, _event_docs())
    _refresh(con)
    groups = [g for g in con.execute(
        "SELECT list(doc_id ORDER BY doc_id) FROM stories GROUP BY story_id HAVING count(*) > 1 ORDER BY 1").fetchall()]
    # the undated d008 is d000 less three words: its duplicate, in its story
    assert [g[0] for g in groups] == [["d000", "d001", "d002", "d008"], ["d003", "d004"], ["d005", "d006"]]
    # the same text four days later is a duplicate of the first, but no longer the same story
    assert con.execute("SELECT doc_id, original_doc_id FROM duplicates ORDER BY doc_id").fetchall() == [
        ("d007", "d003"), ("d008", "d000")]
    before = _state(con)
    _refresh(con)  # nothing changed: nothing to do
    assert _state(con) == before


@settings(max_examples=8, deadline=None)
@given(st.integers(1, len(_EVENTS) - 1), st.permutations(range(len(_EVENTS))))
@example(len(_EVENTS) - 1, list(range(len(_EVENTS))))  # the second run brings only the undated one
def test_runs_that_add_documents_give_the_stories_of_one_run(split: int, order: list[int]) -> None:
    """Loading the articles in two runs, in any order (later runs may bring earlier articles),
    gives the rows of one run: each run redoes the stories from its earliest new article on."""
    import tempfile

    docs = _event_docs()
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        one = _warehouse(Path(a), docs)
        _refresh(one)
        two = _warehouse(Path(b), docs[list(order[:split])])
        _refresh(two)
        _load(two, docs[list(order[split:])])
        _refresh(two)
        assert _state(two) == _state(one)
        dups = "SELECT * FROM duplicates ORDER BY doc_id"
        assert two.execute(dups).fetchall() == one.execute(dups).fetchall()
        one.close()
        two.close()


def test_a_removed_document_is_dropped_and_its_story_redone(tmp_path: Path) -> None:
    con = _warehouse(tmp_path, _event_docs())
    _refresh(con)
    con.execute("DELETE FROM documents WHERE doc_id = 'd001'")
    con.execute("DELETE FROM doc_sketches WHERE doc_id = 'd001'")
    _refresh(con)
    assert con.execute("SELECT count(*) FROM stories WHERE doc_id = 'd001'").fetchone()[0] == 0
    fresh = _warehouse(tmp_path / "fresh", _event_docs().filter(pl.col("doc_id") != "d001"))
    _refresh(fresh)
    assert _state(con) == _state(fresh)


def test_documents_loaded_before_sketches_get_them_and_their_stories(tmp_path: Path) -> None:
    """A warehouse migrated from before ``doc_sketches`` (version 4 drops ``doc_shingles`` and
    ``stories``): the refresh sketches its documents, then places them."""
    from warehouse.stories import add_missing_sketches, stories_pending

    con = _warehouse(tmp_path, _event_docs())
    con.execute("DELETE FROM doc_sketches")
    assert stories_pending(con)
    assert add_missing_sketches(con, story_sketches, batch=3) == len(_EVENTS)
    _refresh(con)
    assert not stories_pending(con)
    fresh = _warehouse(tmp_path / "fresh", _event_docs())
    _refresh(fresh)
    assert _state(con) == _state(fresh)

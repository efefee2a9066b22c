"""Who said what: ``v_quotes`` and the report's quotes section name the speaker's entity (its
canonical name and kind, with the words the article used) or show a description as written."""
from __future__ import annotations

import shutil
from pathlib import Path

from warehouse.db import connect
from warehouse.report import build_report, data


def test_quotes_name_the_speaker_entity_or_the_description(synthetic_warehouse: Path, tmp_path: Path) -> None:
    wh = tmp_path / "wh"
    shutil.copytree(synthetic_warehouse, wh)
    con = connect(wh)
    try:
        doc = con.execute("SELECT doc_id FROM documents ORDER BY published_at DESC NULLS LAST, doc_id LIMIT 1").fetchone()[0]
        # a description: an unnamed source, no entity (وقال مصدر أمني «…»)
        con.execute("""INSERT INTO quotes (quote_id, doc_id, speaker_entity_id, speaker_text, verb, text, start_char, end_char)
                       VALUES ('q-description', ?, NULL, 'مصدر أمني', 'وقال', 'لا توجد أي شبهة جنائية وراء الوفاة', 0, 10)""",
                    [doc])
        view = con.execute("""SELECT v.speaker, v.speaker_text, v.speaker_label, e.canonical_name, e.label
                              FROM v_quotes v LEFT JOIN entities e ON e.entity_id = v.speaker_entity_id""").fetchall()
        rows = data.quotes(con, data.Window(), limit=1000)
    finally:
        con.close()
    named = [r for r in view if r[3] is not None]
    assert named and all(r[0] == r[3] and r[2] == r[4] for r in named)  # the entity's name and label
    assert all(r[1] != r[0] for r in named)  # the surname as written stays in speaker_text
    assert [r for r in view if r[3] is None] == [("مصدر أمني", "مصدر أمني", None, None, None)]
    assert rows[0]["speaker"] == "مصدر أمني" and rows[0]["speaker_label"] is None  # the latest article's

    html = build_report(wh, tmp_path / "r.html").read_text("utf-8")
    section = html[html.index('<section id="quotes">'):]
    section = section[:section.index("</section>")]
    assert '<bdi class="who" data-kind="description">مصدر أمني</bdi><span class="kind"> · وصف</span>' in section
    entity = next(r for r in rows if r["speaker_label"] == "PERS")
    assert (f'<bdi class="who" data-kind="entity">{entity["speaker"]}</bdi><span class="kind"> · شخص</span>'
            f' <bdi class="as-written">({entity["speaker_text"]})</bdi>') in section

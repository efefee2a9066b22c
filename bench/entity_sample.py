"""Draw the hand-check samples of a warehouse's entities (issue 32, acceptance 2).

* ``aliases``: N random entities that have at least two distinct spellings (uniform over such
  entities, not weighted by mentions), each with its spellings and counts — is any spelling
  another thing (a wrong merge)?
* ``places``: N random mentions whose entity is a geocoded place (uniform over such mentions),
  with the sentence around it — is the place the one the text means?

    .venv/bin/python bench/entity_sample.py aliases --out /tmp/ant --n 50 --seed 32 > aliases.jsonl
    .venv/bin/python bench/entity_sample.py places --out /tmp/ant --n 50 --seed 32 > places.jsonl

Rows are JSON Lines with an empty ``expected`` to fill by reading (``right`` / ``wrong``) and a
``note``.  Only for warehouses of corpora whose licence allows shipping annotations (ANT).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from warehouse.db import connect  # noqa: E402


def aliases(con: duckdb.DuckDBPyConnection, n: int, seed: int) -> list[dict]:
    rows = con.execute(
        """
        WITH multi AS (SELECT entity_id FROM entity_aliases GROUP BY entity_id HAVING count(*) >= 2),
        pick AS (SELECT entity_id FROM multi ORDER BY hash(entity_id || ?) LIMIT ?)
        SELECT e.entity_id, e.canonical_name, e.label, e.key, e.n_mentions,
               list(struct_pack(alias := a.alias, n := a.n) ORDER BY a.n DESC, a.alias) AS aliases
        FROM pick JOIN entities e USING (entity_id) JOIN entity_aliases a USING (entity_id)
        GROUP BY ALL ORDER BY e.entity_id
        """, [str(seed), n]).fetchall()
    return [{"id": r[0], "input": {"canonical_name": r[1], "label": r[2], "key": r[3], "n_mentions": r[4],
                                   "aliases": [[a["alias"], a["n"]] for a in r[5][:25]]},
             "expected": "", "note": ""} for r in rows]


def places(con: duckdb.DuckDBPyConnection, n: int, seed: int) -> list[dict]:
    rows = con.execute(
        """
        WITH geo AS (
            SELECT m.mention_id, m.doc_id, m.surface, m.start_char, m.end_char, e.canonical_name,
                   e.key, e.country_code, e.geonames_id
            FROM mentions m JOIN entities e USING (entity_id)
            WHERE e.label = 'LOC' AND e.country_code IS NOT NULL),
        pick AS (SELECT * FROM geo ORDER BY hash(mention_id || ?) LIMIT ?)
        SELECT p.mention_id, p.surface, p.canonical_name, p.key, p.country_code, p.geonames_id,
               substr(d.clean_text, greatest(p.start_char - 120, 0) + 1, 120 + (p.end_char - p.start_char) + 120),
               d.source_uri
        FROM pick p JOIN documents d USING (doc_id) ORDER BY p.mention_id
        """, [str(seed), n]).fetchall()
    return [{"id": r[0], "input": {"surface": r[1], "place": r[2], "key": r[3], "country_code": r[4],
                                   "geonames_id": r[5], "context": r[6].replace("\n", " "), "source_uri": r[7]},
             "expected": "", "note": ""} for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=["aliases", "places"])
    ap.add_argument("--out", required=True, help="warehouse directory")
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--seed", type=int, default=32)
    args = ap.parse_args()
    con = connect(args.out, read_only=True)
    rows = (aliases if args.what == "aliases" else places)(con, args.n, args.seed)
    for r in rows:
        sys.stdout.write(json.dumps(r, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()

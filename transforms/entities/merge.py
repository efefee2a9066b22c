"""Cross-document entity merges: a deterministic function of the whole entity table.

The warehouse is loaded batch by batch, so :func:`~transforms.entities.resolve.resolve` sees one
batch at a time; ``merge_entities`` is called after each load over *all* entities and maps every
``entity_id`` to a ``canonical_entity_id``.  Rules (same label only; union–find over them):

1. **place identity** — LOC entities with the same ``geonames_id``, or country entities with the
   same ``country_code`` (keys ``iso3166:…``), are one place.
2. **transliteration variants** — keys equal after dropping *all* medial long vowels (ا و ي)
   from tokens that are still ≥ 5 letters long (``كلينتون`` = ``كلنتون``).  Shorter tokens must
   match exactly, which keeps ``محمد``/``محمود`` and ``سلمان``/``سليمان`` apart.
3. **organisation type word** — ``حركة حماس`` joins ``حماس`` (leading حركة، حزب، منظمة،
   مجموعة… dropped) when that shorter ORG exists and its key has ≥ 4 letters (not ``حزب الله``
   → ``الله``).
4. **lone surname** — a one-token PERS key (≥ 4 letters; document-scoped by resolve,
   ``افروف@<doc_id>``) joins the full names (≥ 2 tokens) whose last token it is, only when they all share one first name (two people sharing the surname →
   no merge), when the token is never a *first* name in the table (``عمر``, ``إسماعيل``,
   ``مهدي`` are given names: a lone one is no evidence), and, when ``canonical_name`` is given,
   when both use the article alike (``الصادق`` ≠ ``محمد صادق``); the last token of a compound
   (``عبد الصادق``, ``أبو جميل``, ``بن لادن``) is not a surname on its own.

Canonical member of a group: a place key first, then the most tokens, the longest key, the
smallest ``entity_id`` — never counts, so loading the same articles again changes nothing.
Entities without mentions in ``mentions_stats`` (orphans of deleted documents) are not used as
evidence; they map to themselves.
"""
from __future__ import annotations

import polars as pl

from transforms.entities.key import key_of
from transforms.entities.orgs import org_type_keys
from transforms.entities.resolve import DOC_SCOPE

_MIN_LOOSE = 5
_MIN_SURNAME = 4  # "ريد", "بوش": too short to identify a person across articles
_COMPOUND = {key_of(w) for w in ("عبد", "أبو", "أبي", "ابن", "بن", "بنت", "آل", "ذو")}
_MIN_ORG_REST = 4  # "حزب الله" minus حزب is "اله": too short to be evidence


def _same_article_use(lone: str | None, full: str | None) -> bool:
    """``الصادق`` is not the surname of ``محمد صادق``: the article must match when names are known."""
    if not lone or not full:
        return True
    return lone.split()[-1].startswith("ال") == full.split()[-1].startswith("ال")


def _loose(key: str) -> str:
    out = []
    for t in key.split(" "):
        lt = t[0] + "".join(c for c in t[1:-1] if c not in "اوي") + t[-1] if len(t) > 2 else t
        out.append(lt if len(lt) >= _MIN_LOOSE else t)
    return " ".join(out)


class _UF:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _rank(row: dict) -> tuple:
    key = row["key"] or ""
    is_place = key.startswith(("geonames:", "iso3166:"))
    return (not is_place, -len(key.split(" ")), -len(key), row["entity_id"])


def merge_entities(entities: pl.DataFrame, mentions_stats: pl.DataFrame | None = None
                   ) -> pl.DataFrame:
    """``entities`` (entity_id, label, key, country_code, geonames_id, optional canonical_name;
    other columns ignored) and optional ``mentions_stats`` (entity_id and a count ``n_mentions``
    or ``n``; several rows per entity allowed, e.g. per surface) → ``entity_id,
    canonical_entity_id``, one row per input entity, sorted by entity_id.  Entities absent from
    ``mentions_stats`` (or with count 0) are not evidence for merging others.

    Example: PERS ``افروف`` (from ``لافروف``) and PERS ``سيرجي افروف`` → both map to the id of
    ``سيرجي افروف``.  Python over the distinct entities (grouping by derived strings and
    union–find have no expression form; the table has one row per entity, not per mention).
    """
    cols = ["entity_id", "label", "key", "country_code", "geonames_id"]
    cols += ["canonical_name"] if "canonical_name" in entities.columns else []
    ents = entities.select(cols).unique("entity_id", keep="first").sort("entity_id")
    if mentions_stats is not None and "entity_id" in mentions_stats.columns:
        count = next((c for c in ("n_mentions", "n") if c in mentions_stats.columns), None)
        alive = mentions_stats if count is None else mentions_stats.filter(pl.col(count) > 0)
        live = set(alive["entity_id"].to_list())
    else:
        live = set(ents["entity_id"].to_list())
    rows = [r for r in ents.iter_rows(named=True) if r["entity_id"] in live]
    info_name = {r["entity_id"]: r.get("canonical_name") for r in rows}
    uf = _UF()
    groups: dict[tuple, list[str]] = {}
    for r in rows:
        eid, label, key = r["entity_id"], r["label"], r["key"] or ""
        uf.find(eid)
        if label == "LOC" and r["geonames_id"] is not None:
            groups.setdefault(("geo", r["geonames_id"]), []).append(eid)
        elif label == "LOC" and key.startswith("iso3166:"):
            groups.setdefault(("iso", r["country_code"]), []).append(eid)
        elif DOC_SCOPE not in key:  # document-scoped lone names join only by rule 4
            groups.setdefault(("loose", label, _loose(key)), []).append(eid)
    for members in groups.values():
        for other in members[1:]:
            uf.union(members[0], other)

    by_key = {(r["label"], r["key"]): r["entity_id"] for r in rows}
    types = org_type_keys()
    for r in rows:
        toks = (r["key"] or "").split(" ")
        if r["label"] == "ORG" and len(toks) > 1 and toks[0] in types:
            rest = " ".join(toks[1:])
            target = by_key.get(("ORG", rest)) if len(rest) >= _MIN_ORG_REST else None
            if target:
                uf.union(r["entity_id"], target)

    full_by_last: dict[str, set[str]] = {}
    given: set[str] = set()  # tokens seen as the first name of a full name
    for r in rows:
        toks = (r["key"] or "").split(DOC_SCOPE)[0].split(" ")
        if r["label"] == "PERS" and len(toks) >= 2:
            given.add(toks[0])
            if toks[-2] not in _COMPOUND:  # عبد الصادق: الصادق alone is not this surname
                full_by_last.setdefault(toks[-1], set()).add(r["entity_id"])
    person = {r["entity_id"]: (r["key"] or "").split(DOC_SCOPE)[0].split(" ")
              for r in rows if r["label"] == "PERS"}
    for r in rows:
        toks = person.get(r["entity_id"])
        if not toks or len(toks) != 1 or len(toks[0]) < _MIN_SURNAME or toks[0] in given:
            continue
        cands = {c for c in full_by_last.get(toks[0], set())
                 if _same_article_use(r.get("canonical_name"), info_name.get(c))}
        firsts = {person[c][0] for c in cands}
        if len(firsts) != 1:  # nobody, or several people share the surname: no evidence
            continue
        for c in sorted(cands):
            uf.union(r["entity_id"], c)

    info = {r["entity_id"]: r for r in ents.iter_rows(named=True)}
    members: dict[str, list[str]] = {}
    for eid in info:
        members.setdefault(uf.find(eid), []).append(eid)
    canon = {}
    for group in members.values():
        best = min(group, key=lambda e: _rank(info[e]))
        canon.update({e: best for e in group})
    return pl.DataFrame(
        {"entity_id": sorted(canon), "canonical_entity_id": [canon[e] for e in sorted(canon)]},
        schema={"entity_id": pl.Utf8, "canonical_entity_id": pl.Utf8},
    )

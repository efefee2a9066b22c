"""Organisation aliases and acronyms: every listed spelling maps to its canonical name's key.

``data/orgs_ar.tsv`` holds ``canonical<TAB>alias`` rows (``حلف شمال الأطلسي	الناتو``).  Keys are
computed with :func:`~transforms.entities.key.key_of`, so clitics and spelling variants of an alias
match too (``وللناتو`` → ``ناتو`` → the key of ``حلف شمال الأطلسي``).
"""
from __future__ import annotations

from functools import lru_cache

import polars as pl

from transforms.entities.key import key_of
from transforms.entities.places import _read_tsv

# Leading type words of organisation names: ``حركة حماس`` is ``حماس`` when both exist
# (used by :func:`transforms.entities.merge.merge_entities`).
ORG_TYPE_WORDS = ("حركة", "حزب", "منظمة", "تنظيم", "مجموعة", "جماعة", "حلف", "شركة", "وكالة",
                  "جمعية", "هيئة", "مؤسسة", "تكتل", "جبهة", "اتحاد", "مجلس", "صحيفة", "قناة")


@lru_cache(maxsize=1)
def org_aliases() -> pl.DataFrame:
    """``key`` (of an alias or canonical name) → ``org_key`` (key of the canonical name)."""
    rows: dict[str, str] = {}
    for canonical, alias in _read_tsv("orgs_ar.tsv"):
        ck = key_of(canonical)
        rows.setdefault(ck, ck)
        rows.setdefault(key_of(alias), ck)
    return pl.DataFrame({"key": list(rows), "org_key": list(rows.values())})


@lru_cache(maxsize=1)
def org_type_keys() -> frozenset[str]:
    """Keys of :data:`ORG_TYPE_WORDS` (``"منظمه"``, ``"حركه"``…)."""
    return frozenset(key_of(w) for w in ORG_TYPE_WORDS)

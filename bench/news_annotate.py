"""Tools for annotating the news NER corpus by reading (``transforms/ner/news.py`` has the formats).

    python -m bench.news_annotate prepare WAREHOUSE_DIR   # sentences.jsonl from `akhbar run articles.jsonl`
    python -m bench.news_annotate show IDS_FILE            # the articles to read, sentences numbered
    python -m bench.news_annotate render ANNOTATIONS.jsonl # the text with [[LABEL name]] marks applied
    python -m bench.news_annotate check [--folder F]       # corpus-wide consistency report
    python -m bench.news_annotate gold                     # test_articles.jsonl + test_gold.json
    python -m bench.news_annotate names                    # known_names.tsv (transforms/ner/known_names.py)
    python -m bench.news_annotate gold-for WAREHOUSE_DIR ANNOTATIONS.jsonl OUT.json  # gold keyed by source_uri

``render`` is how a reader checks their own list against the text: every occurrence the matcher
tags is bracketed, clitic matches are shown with their clitic, and listed names that match nothing
are reported. ``check`` lists names given two labels across the corpus and names annotated in one
article that occur unannotated in another.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import duckdb

from transforms.ner.conll import spans
from transforms.ner.news import DATA, _tagged, article_gold, bio, document_gold, load_annotations, load_articles, name_tokens
from transforms.ner.text import norm, token_surfaces


def warehouse_sentences(warehouse: Path, key: str) -> dict[str, list[str]]:
    """A warehouse's sentences in order, grouped by the documents' ``key`` column (url or source_uri)."""
    con = duckdb.connect(str(warehouse / "akhbar.duckdb"), read_only=True)
    rows = con.execute(f"select d.{key}, s.text from sentences s join documents d using (doc_id) "
                       f"order by d.{key}, s.start_char").fetchall()
    con.close()
    out: dict[str, list[str]] = defaultdict(list)
    for k, text in rows:
        out[k].append(text)
    return out


def prepare(warehouse: Path, data: Path = DATA) -> None:
    """Write ``sentences.jsonl``: each article's sentences as the flow made them (matched by url)."""
    arts = [json.loads(x) for x in (data / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    by_url = warehouse_sentences(warehouse, "url")
    path = data / "sentences.jsonl"
    known = {}
    if path.exists():  # articles of an earlier wave keep the sentences they were annotated on
        known = {r["id"]: r["sentences"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    with path.open("w", encoding="utf-8") as f:
        for a in arts:
            sents = known.get(a["id"]) or by_url.get(a["url"], [])
            f.write(json.dumps({"id": a["id"], "sentences": sents}, ensure_ascii=False) + "\n")
    print(f"{len(arts)} articles, {len(arts) - len(known)} new")


def show(ids: list[str]) -> None:
    arts = load_articles()
    for i in ids:
        a = arts[i]
        print(f"=== {i}  ({a['source']}, {a['category']})")
        for k, s in enumerate(a["sentences"]):
            print(f"[{k}] {s}")
        print()


def render(path: Path) -> None:
    arts = load_articles()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        a = arts[row["id"]]
        sents = bio(a["sentences"], row["mentions"])
        print(f"=== {row['id']}")
        for k, (toks, tags) in enumerate(sents):
            out, last = [], 0
            for label, s, e in spans(tags):
                out += toks[last:s] + [f"[[{label} {' '.join(toks[s:e])}]]"]
                last = e
            print(f"[{k}] {' '.join(out + toks[last:])}")
        found = {j for _, spans_ in _tagged(a["sentences"], row["mentions"]) for *_, j in spans_}
        for j, m in enumerate(row["mentions"]):
            if m["label"] != "O" and j not in found:
                print(f"!! not found in the text: {m['surface']} ({m['label']})")
        print()


def check(folder: str) -> None:
    """Corpus-wide consistency: one name with two labels; a name tagged in one article, untagged in another."""
    arts, notes = load_articles(), load_annotations(folder)
    labels: dict[str, Counter] = defaultdict(Counter)
    tagged_in: dict[str, set] = defaultdict(set)
    for i, row in notes.items():
        for m in row["mentions"]:
            if m["label"] != "O":
                key = " ".join(name_tokens(m["surface"]))
                labels[key][m["label"]] += 1
                tagged_in[key].add(i)
    print("## names with more than one label")
    for key, c in sorted(labels.items()):
        if len(c) > 1:
            print(f"{key}\t{dict(c)}")
    print("\n## names annotated elsewhere that occur untagged (article, name, times)")
    multi = {k: v for k, v in tagged_in.items() if len(k.split()) > 1 or len(k) > 3}
    for i, row in sorted(notes.items()):
        sents = bio(arts[i]["sentences"], row["mentions"])
        untagged = " ".join(norm(t) if tag == "O" else "|" for toks, tags in sents for t, tag in zip(toks, tags))
        padded = f" {untagged} "
        for key in multi:
            if i not in multi[key] and f" {key} " in padded:
                print(f"{i}\t{key}\t{padded.count(f' {key} ')}\t{dict(labels[key])}")


def write_known_names(out: Path, min_docs: int = 2, min_share: float = 0.9, min_tagged: float = 0.8) -> None:
    """``transforms/ner/known_names.py``'s list: multi-word names of the training articles (not
    the dev ones), tagged in ``min_docs`` articles or more, with one label ``min_share`` of the
    time, whose words are tagged as that name in ``min_tagged`` of the places they occur."""
    from transforms.ner.news import fixed_dev_ids
    arts, notes, dev = load_articles(), load_annotations(), fixed_dev_ids()
    ids = [i for i in notes if arts[i]["split"] == "train" and i not in dev]
    labels: dict[tuple, Counter] = defaultdict(Counter)
    docs: dict[tuple, set] = defaultdict(set)
    sents = {i: bio(arts[i]["sentences"], notes[i]["mentions"]) for i in ids}
    for i in ids:
        for toks, tags in sents[i]:
            for label, s, e in spans(tags):
                if e - s >= 2:
                    k = tuple(norm(t) for t in toks[s:e])
                    labels[k][label] += 1
                    docs[k].add(i)
    cand = {k: c for k, c in labels.items()
            if len(docs[k]) >= min_docs and c.most_common(1)[0][1] >= min_share * sum(c.values())}
    longest = max(map(len, cand), default=0)
    seen, whole = Counter(), Counter()
    for i in ids:
        for toks, tags in sents[i]:
            nt = [norm(t) for t in toks]
            bare = [t[1:] if t[:1] in "وفبلك" and len(t) > 3 else t for t in nt]
            for a in range(len(nt)):
                for n in range(2, min(longest, len(nt) - a) + 1):
                    for k in {(nt[a], *nt[a + 1:a + n]), (bare[a], *nt[a + 1:a + n])}:
                        if k in cand:
                            seen[k] += 1
                            lab = cand[k].most_common(1)[0][0]
                            whole[k] += (tags[a] == f"B-{lab}" and all(t == f"I-{lab}" for t in tags[a + 1:a + n])
                                         and (a + n == len(tags) or tags[a + n] != f"I-{lab}"))
    rows = sorted((" ".join(k), c.most_common(1)[0][0], len(docs[k]), whole[k], seen[k]) for k, c in cand.items()
                  if seen[k] and whole[k] >= min_tagged * seen[k])
    with out.open("w", encoding="utf-8") as f:
        f.write("name\tlabel\tarticles\ttagged\toccurrences\n")
        for r in rows:
            f.write("\t".join(map(str, r)) + "\n")
    print(f"{len(rows)} names of {len(cand)} candidates → {out}")


def write_gold(data: Path = DATA) -> None:
    """The held-out sources as an input for ``akhbar run`` and their gold for ``akhbar eval-entities``."""
    entities_file = data / "test_entities.json"
    entities = json.loads(entities_file.read_text(encoding="utf-8")) if entities_file.exists() else None
    gold = document_gold("test", entities, data)
    arts = [json.loads(x) for x in (data / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    with (data / "test_articles.jsonl").open("w", encoding="utf-8") as f:
        for a in arts:
            if a["url"] in gold:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
    (data / "test_gold.json").write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(gold)} test articles, {sum(m['count'] for d in gold.values() for m in d['mentions'])} mentions")


def gold_for(warehouse: Path, annotations: Path, out: Path) -> None:
    """Gold for ``akhbar eval-entities`` of annotations whose ids are a warehouse's ``source_uri``s,
    counted on that warehouse's sentences (how the seeds' gold is made)."""
    by_uri = warehouse_sentences(warehouse, "source_uri")
    notes = [json.loads(x) for x in annotations.read_text(encoding="utf-8").splitlines() if x.strip()]
    gold = {n["id"]: {"mentions": article_gold(by_uri[n["id"]], n["mentions"])} for n in notes}
    out.write_text(json.dumps(gold, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(gold)} documents, {sum(m['count'] for d in gold.values() for m in d['mentions'])} mentions")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("prepare").add_argument("warehouse", type=Path)
    sub.add_parser("show").add_argument("ids", type=Path)
    sub.add_parser("render").add_argument("annotations", type=Path)
    sub.add_parser("check").add_argument("--folder", default="annotations")
    sub.add_parser("gold")
    sub.add_parser("names")
    g = sub.add_parser("gold-for")
    g.add_argument("warehouse", type=Path)
    g.add_argument("annotations", type=Path)
    g.add_argument("out", type=Path)
    args = ap.parse_args()
    if args.cmd == "prepare":
        prepare(args.warehouse)
    elif args.cmd == "show":
        show([x.strip() for x in args.ids.read_text().split() if x.strip()])
    elif args.cmd == "render":
        render(args.annotations)
    elif args.cmd == "names":
        write_known_names(DATA / "known_names.tsv")
    elif args.cmd == "gold":
        write_gold()
    elif args.cmd == "gold-for":
        gold_for(args.warehouse, args.annotations, args.out)
    else:
        check(args.folder)


if __name__ == "__main__":
    sys.exit(main())

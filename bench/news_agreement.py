"""Agreement between the news corpus and its independent second reading.

``python -m bench.news_agreement`` scores, over the articles both readings cover, the second
reading's spans against the corpus's (exact span and label, per label and micro-averaged, which is
symmetric in F1), and Cohen's kappa over tokens (label of the span a token is in, O outside).
"""
from __future__ import annotations

from collections import Counter

from transforms.ner.conll import format_report, score
from transforms.ner.news import bio, load_annotations, load_articles


def token_kappa(a: list[str], b: list[str]) -> float:
    """Cohen's kappa of two equal-length label sequences."""
    n = len(a)
    agree = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    chance = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return (agree - chance) / (1 - chance)


def main() -> None:
    arts, first, second = load_articles(), load_annotations(), load_annotations("second_reading")
    ids = sorted(set(first) & set(second))
    gold, pred = [], []
    for i in ids:
        for (_, g), (_, p) in zip(bio(arts[i]["sentences"], first[i]["mentions"]),
                                  bio(arts[i]["sentences"], second[i]["mentions"])):
            gold.append(g)
            pred.append(p)
    flat = lambda seqs: [t[2:] if t != "O" else "O" for s in seqs for t in s]  # noqa: E731
    print(f"{len(ids)} articles read twice ({len({arts[i]['source'] for i in ids})} sources), "
          f"{sum(len(s) for s in gold)} tokens")
    print(format_report(score(gold, pred)))
    print(f"token kappa: {token_kappa(flat(gold), flat(pred)):.3f}")


if __name__ == "__main__":
    main()

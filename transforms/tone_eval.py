"""Scoring the tone of judged sentences: sign accuracy and coverage (``akhbar eval-tone``).

Input ``items``: ``id, text, expected`` (``positive`` / ``negative`` / ``neutral``) and optionally
``mentions`` (``id, surface``: names to mask, e.g. what the tagger found). Each item is scored as one
sentence of its own document. Coverage is the share of non-neutral items that get a non-zero
tone; sign accuracy is the share of those whose sign agrees with the judgment. Example: the
headline ``"مقتل 3 فلسطينيين في قصف إسرائيلي"`` judged negative gets tone −33.3: covered, right sign.
"""
from __future__ import annotations

import polars as pl

from transforms.tone import sentence_tone

LABELS = ("positive", "negative", "neutral")
_ALIASES = {"pos": "positive", "neg": "negative", "neu": "neutral", "neutral": "neutral",
            "positive": "positive", "negative": "negative"}


def normalize_labels(labels: pl.Expr) -> pl.Expr:
    """``POS``/``NEG``/``NEU`` (ArSarcasm) and the gold spellings → ``positive``/``negative``/``neutral``."""
    return labels.str.to_lowercase().str.strip_chars().replace_strict(_ALIASES, default=None)


def item_tones(items: pl.DataFrame, mentions: pl.DataFrame | None = None) -> pl.DataFrame:
    """``items`` plus ``n_words, n_positive, n_negative, tone`` (GDELT tone of the item)."""
    sents = items.select(sentence_id=pl.col("id"), doc_id=pl.col("id"), text=pl.col("text"))
    ments = None if mentions is None else mentions.select(doc_id=pl.col("id"), surface="surface")
    st = sentence_tone(sents, ments)
    tone = pl.when(pl.col("n_words") > 0).then(100.0 * (pl.col("n_positive") - pl.col("n_negative")) / pl.col("n_words"))
    return items.join(st.select(id="sentence_id", n_words="n_words", n_positive="n_positive", n_negative="n_negative"),
                      on="id", how="left").with_columns(tone=tone.fill_null(0.0))


def score_tone(scored: pl.DataFrame) -> dict:
    """Coverage and sign accuracy of ``item_tones`` output; also the counts behind them and how
    often neutral items get a non-zero tone."""
    sign = pl.when(pl.col("tone") > 0).then(pl.lit("positive")).when(pl.col("tone") < 0).then(pl.lit("negative"))
    s = scored.with_columns(got=sign)
    polar = s.filter(pl.col("expected") != "neutral")
    covered = polar.filter(pl.col("got").is_not_null())
    right = covered.filter(pl.col("got") == pl.col("expected")).height
    neutral = s.filter(pl.col("expected") == "neutral")
    per_label = {lab: {"n": s.filter(pl.col("expected") == lab).height,
                       "got_positive": s.filter((pl.col("expected") == lab) & (pl.col("got") == "positive")).height,
                       "got_negative": s.filter((pl.col("expected") == lab) & (pl.col("got") == "negative")).height,
                       "got_zero": s.filter((pl.col("expected") == lab) & pl.col("got").is_null()).height}
                 for lab in LABELS}
    return {
        "n": s.height, "n_polar": polar.height, "n_covered": covered.height, "n_right": right,
        "coverage": covered.height / polar.height if polar.height else 0.0,
        "sign_accuracy": right / covered.height if covered.height else 0.0,
        "neutral_nonzero": neutral.filter(pl.col("got").is_not_null()).height / neutral.height if neutral.height else 0.0,
        "per_label": per_label,
    }


def format_tone_report(report: dict, title: str = "") -> str:
    """The text ``akhbar eval-tone`` prints; the last line is ``sign accuracy: … coverage: …``."""
    lines = [title] if title else []
    lines.append("expected   n     tone>0  tone<0  tone=0")
    for lab, row in report["per_label"].items():
        lines.append(f"{lab:<10} {row['n']:<5} {row['got_positive']:<7} {row['got_negative']:<7} {row['got_zero']}")
    lines.append(f"neutral items with a non-zero tone: {report['neutral_nonzero']:.3f}")
    lines.append(f"sign accuracy: {report['sign_accuracy']:.3f} ({report['n_right']}/{report['n_covered']}) "
                 f"coverage: {report['coverage']:.3f} ({report['n_covered']}/{report['n_polar']})")
    return "\n".join(lines)

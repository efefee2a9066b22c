"""Arabic named-entity recognition that ships with akhbar (PERS, LOC, ORG, MISC; ANERcorp scheme).

- ``mentions(sentences, backend="default")`` — mention rows with document offsets (see ``mentions.py``).
- ``train(train_path, out_dir, vectors=…)`` — reproduce the shipped models (``build.py``).
- ``evaluate(gold_path, backend)`` → score report; ``format_report(report)`` → the text
  ``akhbar eval-ner`` prints, ending with ``micro-F1: 0.xxx``.
The shipped default is the BiLSTM in ``model/ner.pt`` (``backend="neural"``: char-CNN + ANT word2vec
type vectors → BiLSTM → CRF transitions, Viterbi within BIO, run by ``infer.FastTagger`` with NumPy and
numba — torch is needed for training only); ``backend="large"`` is the slower, more accurate BiLSTM
in ``model_large/ner_large.pt`` (128 units per direction, trained with mention replacement); the CRF
in ``model/`` is the alternative (``backend="crf"``); ``backend="camel"`` uses camel-tools' BERT NER
when its data is installed. The neural models were trained on ANERcorp (Benajiba et al. 2007, CC BY-SA 4.0) with word vectors
from the ANT corpora (Chouigui et al., Apache-2.0).
"""
from transforms.ner.conll import format_report, read_conll, score
from transforms.ner.evaluate import evaluate
from transforms.ner.mentions import mentions
from transforms.ner.tagger import CamelModelMissing


def train(train_path, out_dir, **options) -> dict:
    """Reproduce the shipped models; see ``transforms.ner.build.train`` (imported lazily: torch)."""
    from transforms.ner.build import train as _train

    return _train(train_path, out_dir, **options)


__all__ = ["mentions", "train", "evaluate", "format_report", "read_conll", "score", "CamelModelMissing"]

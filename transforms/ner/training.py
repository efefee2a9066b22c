"""Training and saving/loading the tagger.

``train("../shared/ner/anercorp_train.txt", "transforms/ner/model/ner.pt", vectors="vectors.npz")``
fits ``NerNet`` on the first 85% of the sentences (document-contiguous), picks the epoch with the best
micro-F1 on the last 15% and writes one file holding weights (float16), vocabularies and gazetteers.
Without ``vectors`` the word embeddings are trained first from ``corpora`` (ANT Parquet files, needs
gensim). ``dev_fraction=0`` trains on everything for a fixed number of epochs (how the shipped model
was trained, once the recipe had been chosen on the dev split).
"""
from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path

import torch

from transforms.ner.conll import Sentence, dev_split, read_conll, score, spans, well_formed
from transforms.ner.embed import load_vectors, word_vectors
from transforms.ner.features import PAD, UNK, Featurizer
from transforms.ner.gazetteer import TRIGGERS, gazetteer
from transforms.ner.conventions import to_akhbar
from transforms.ner.model import TAGS, NerNet, crf_nll, viterbi
from transforms.ner.news import training_sentences
from transforms.ner.text import norm, word_key

_TAG_IX = {t: i for i, t in enumerate(TAGS)}


def build_featurizer(sents: list[Sentence], words: list[str]) -> Featurizer:
    """Vocabularies from the embedding words and the training characters, plus gazetteers."""
    chars = Counter(c for toks, _ in sents for t in toks for c in word_key(norm(t)))
    alphabet = ["<pad>", "<unk>", "^", "$"] + sorted(c for c, n in chars.items() if n >= 2)
    alphabet += [chr(c) for c in range(0x0621, 0x064B) if chr(c) not in alphabet]
    gaz = {k: sorted(v) for k, v in gazetteer().items()}
    return Featurizer(["<pad>", "<unk>"] + words, alphabet, gaz, {k: list(v) for k, v in TRIGGERS.items()})


def _batches(sents: list[Sentence], size: int) -> list[list[Sentence]]:
    """Shuffled batches of similar-length sentences (little padding, which dominates CPU time)."""
    order = sorted(range(len(sents)), key=lambda i: len(sents[i][0]) + random.random() * 4)
    batches = [[sents[i] for i in order[j : j + size]] for j in range(0, len(order), size)]
    random.shuffle(batches)
    return batches


def replace_mentions(sents: list[Sentence], share: float, rng: random.Random) -> list[Sentence]:
    """Copies of ``share`` of the sentences that have mentions, each mention swapped with probability
    1/2 for a random training mention of the same type (mention replacement, Dai & Adel 2020): the
    network sees known contexts around names it cannot have memorized there, e.g. ``قال لافروف`` →
    ``قال غوو شنغكون``."""
    pool: dict[str, list[list[str]]] = {}
    for toks, tags in sents:
        for label, s, e in spans(tags):
            pool.setdefault(label, []).append(toks[s:e])
    out: list[Sentence] = []
    for toks, tags in sents:
        found = spans(tags)
        if not found or rng.random() >= share:
            continue
        new_toks, new_tags, last = [], [], 0
        for label, s, e in found:
            name = rng.choice(pool[label]) if rng.random() < 0.5 else toks[s:e]
            new_toks += toks[last:s] + name
            new_tags += tags[last:s] + [f"B-{label}"] + [f"I-{label}"] * (len(name) - 1)
            last = e
        out.append((new_toks + toks[last:], new_tags + tags[last:]))
    return out


def predict_tags(net: NerNet, feat: Featurizer, token_lists: list[list[str]], batch: int = 256) -> list[list[str]]:
    """BIO tags for already-tokenized sentences (evaluation helper)."""
    net.eval()
    out: list[list[str]] = []
    with torch.inference_mode():
        for j in range(0, len(token_lists), batch):
            chunk = token_lists[j : j + batch]
            enc = feat.encode_batch(chunk)
            logp = torch.log_softmax(net(enc).float(), dim=-1)
            out += [[TAGS[i] for i in p] for p in viterbi(logp, enc["lengths"], *net.transitions())]
    return out


def train(
    train_path: str | Path,
    out_path: str | Path,
    vectors: str | Path | None = None,
    corpora: list[str | Path] | None = None,
    dev_fraction: float = 0.15,
    encoder: str = "lstm",
    hidden: int = 64,
    type_dim: int = 256,
    char_filters: int = 50,
    dropout: float = 0.4,
    epochs: int = 30,
    batch_size: int = 32,
    lr: float = 2e-3,
    decay_epoch: int | None = 20,
    word_dropout: float = 0.1,
    crf: bool = True,
    max_minutes: float = 120.0,
    seed: int = 13,
    resume: str | Path | None = None,
    augment: float = 0.0,
    average_from: int | None = None,
    news_weight: int = 0,
    conventions: bool = False,
    aux_head: bool = False,
    log=print,
) -> dict:
    """Train, save to ``out_path``; returns ``{"epoch", "dev": score report or None, "seconds"}``.

    The defaults are the shipped model's recipe: BiLSTM 64, type vectors 256, dropout 0.4, a CRF
    output layer (``crf``; ``False`` trains per-token cross-entropy, the recipe before it), Adam at
    2e-3 for 20 epochs, then 1e-3 up to 30 (with a dev split the best dev epoch is kept; without one,
    the last).

    Two options measured against that recipe and not adopted (docs/experiments.md):
    ``augment`` — each epoch also trains on mention-replaced copies of that share of the sentences
    (``replace_mentions``); ``average_from`` — the model is the mean of the weights after epochs
    ``average_from``..``epochs`` (with a dev split, the score is then that model's, not a picked epoch's).

    ``news_weight``: also train on the news corpus's training sources (``news.training_sentences``),
    each news sentence seen that many times per epoch; with a dev split, 10% of those articles are the
    dev set that picks the epoch (the ANERcorp tail is still reported). ``conventions``: ANERcorp's
    tags are first brought to akhbar's conventions (``conventions.to_akhbar``). ``aux_head``: ANERcorp
    sentences train a second output layer and CRF of their own over the shared encoder, so its
    conventions do not pull on the saved (news) output layer; the second layer is not saved.

    ``resume``: a saved model whose weights and vocabularies are the starting point (training
    continues on this call's data; the optimizer starts afresh; ``vectors`` is not needed)."""
    random.seed(seed)
    torch.manual_seed(seed)
    sents = read_conll(train_path)
    tr, dev = dev_split(sents, dev_fraction) if dev_fraction > 0 else (sents, [])
    if conventions:
        countries = gazetteer()["country"]
        tr, dev = to_akhbar(tr, countries), to_akhbar(dev, countries)
    tr = [(toks, well_formed(tags)) for toks, tags in tr]
    news_tr, news_dev = training_sentences(0.1 if dev_fraction > 0 else 0.0) if news_weight else ([], [])
    pick = news_dev if news_weight else dev
    if vectors is None and resume is None:
        if not corpora:
            raise ValueError("train() needs vectors= (a .npz from embed.word_vectors) or corpora=[...]")
        vectors = word_vectors(corpora, Path(out_path).with_suffix(".vectors.npz"))
    if resume is not None:  # the saved network and its vocabularies are the starting point
        net, feat = load(resume)
    else:
        words, vecs = load_vectors(vectors)
        feat = build_featurizer(tr + news_tr, words)
        net = NerNet(len(feat.words), len(feat.chars), dim=vecs.shape[1], encoder=encoder, hidden=hidden,
                     type_dim=type_dim, char_filters=char_filters, dropout=dropout, crf=crf)
        with torch.no_grad():
            net.emb.weight[2:] = torch.from_numpy(vecs)
            net.emb.weight[:2] = 0
    aux = _AuxHead(net.out.in_features) if aux_head else None
    params = [p for p in net.parameters() if p.requires_grad] + (list(aux.parameters()) if aux else [])
    opt = torch.optim.Adam(params, lr=lr)
    best: dict = {"epoch": -1, "f1": -1.0, "state": None, "dev": None}
    start = time.time()
    for epoch in range(epochs):
        if decay_epoch is not None and epoch == decay_epoch:
            for group in opt.param_groups:  # a smaller step once the loss has flattened
                group["lr"] = lr / 2
        net.train()
        total = 0.0
        epoch_sents = tr + replace_mentions(tr, augment, random.Random(seed + epoch)) if augment else tr
        parts = [(epoch_sents, aux)] + [(news_tr, None)] * news_weight
        batches = [(chunk, head) for group, head in parts for chunk in _batches(group, batch_size)]
        random.shuffle(batches)
        for chunk, head in batches:
            enc = feat.encode_batch([toks for toks, _ in chunk])
            if word_dropout:
                tw = enc["types_word"]
                drop = torch.rand(tw.shape[0], 1) < word_dropout
                enc["types_word"] = torch.where(drop & (tw != PAD), torch.full_like(tw, UNK), tw)
            gold = torch.full(enc["index"].shape, -100, dtype=torch.long)
            for b, (_, tags) in enumerate(chunk):
                gold[b, : len(tags)] = torch.tensor([_TAG_IX.get(t, 0) for t in tags])
            if head is not None:
                loss = crf_nll(head.out(net.encode(enc)), gold, enc["lengths"], head.trans, head.start)
            elif crf:  # sentence-level likelihood: the transition scores are learned with the tags
                loss = net.crf_loss(net(enc), gold, enc["lengths"])
            else:
                logits = net(enc)
                loss = torch.nn.functional.cross_entropy(logits.reshape(-1, len(TAGS)), gold.reshape(-1))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(net.parameters(), 5.0)
            opt.step()
            total += float(loss.detach())
        if average_from is not None and epoch + 1 >= average_from:
            n_avg = epoch + 2 - average_from
            live = {k: v.detach().clone() for k, v in net.state_dict().items()}
            avg = live if n_avg == 1 else {k: avg[k] + (live[k] - avg[k]) / n_avg for k in live}
        msg = f"epoch {epoch + 1} loss {total:.1f} {time.time() - start:.0f}s"
        if news_weight and dev:
            rep = score([t for _, t in dev], predict_tags(net, feat, [t for t, _ in dev]))
            msg += f" anercorp-dev micro={rep['micro']['f1']:.3f}"
        if pick:
            rep = score([t for _, t in pick], predict_tags(net, feat, [t for t, _ in pick]))
            msg += " dev " + " ".join(f"{k}={v['f1']:.3f}" for k, v in rep.items())
            if rep["micro"]["f1"] > best["f1"]:
                best = {"epoch": epoch + 1, "f1": rep["micro"]["f1"], "dev": rep,
                        "state": {k: v.clone() for k, v in net.state_dict().items()}}
                save(net, feat, out_path)  # a usable model exists even if the run is cut short
        log(msg)
        if (time.time() - start) / 60 > max_minutes:
            log("stopping: time budget reached")
            break
    if average_from is not None and epoch + 1 >= average_from:
        net.load_state_dict(avg)  # the mean of the last epochs' weights is the model (a fixed recipe)
        best = {"epoch": f"mean of {average_from}-{epoch + 1}", "dev": None}
        if pick:
            best["dev"] = score([t for _, t in pick], predict_tags(net, feat, [t for t, _ in pick]))
            log("averaged dev " + " ".join(f"{k}={v['f1']:.3f}" for k, v in best["dev"].items()))
    elif best["state"] is not None:
        net.load_state_dict(best["state"])
    else:
        best["epoch"] = epoch + 1
    save(net, feat, out_path)
    return {"epoch": best["epoch"], "dev": best["dev"], "seconds": time.time() - start}


class _AuxHead(torch.nn.Module):
    """A second tag projection and CRF over the shared encoder, for sentences of another convention."""

    def __init__(self, in_dim: int) -> None:
        super().__init__()
        self.out = torch.nn.Linear(in_dim, len(TAGS))
        self.trans = torch.nn.Parameter(torch.zeros(len(TAGS), len(TAGS)))
        self.start = torch.nn.Parameter(torch.zeros(len(TAGS)))


def save(net: NerNet, feat: Featurizer, path: str | Path) -> Path:
    """One file: config, float16 weights, vocabularies and gazetteers (loads with weights_only)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.half() if v.is_floating_point() else v for k, v in net.state_dict().items()}
    torch.save({"config": net.config, "state": state, "featurizer": feat.to_dict()}, path)
    return path


def load(path: str | Path) -> tuple[NerNet, Featurizer]:
    """Inverse of ``save``: the network in eval mode (float32) and its featurizer; no network access."""
    blob = torch.load(path, map_location="cpu", weights_only=True)
    net = NerNet(**blob["config"])
    state = {k: v.float() for k, v in blob["state"].items()}
    for name in ("trans", "start"):  # models saved before the CRF option have no transition scores
        state.setdefault(name, torch.zeros_like(getattr(net, name)))
    net.load_state_dict(state)
    net.eval()
    return net, Featurizer(**blob["featurizer"])


"""The network: per-type vectors (frozen word2vec ×3 + char-CNN + flags) → BiLSTM or CNN → BIO tags.

Tags are ``TAGS`` (``O``, ``B-PERS`` … ``I-MISC``). Decoding is Viterbi restricted to valid BIO
transitions (``I-X`` only after ``B-X``/``I-X``) over the softmax log-probabilities plus, for a
model trained with ``crf=True`` (a linear-chain CRF output layer, ``crf_loss``), its learned
transition scores (a token's log-softmax differs from its logits by one constant, the same for every
path, so the best path is the CRF's). Every output is a well-formed span sequence, e.g.
``["B-PERS", "I-PERS", "O", "B-LOC"]`` for ``نيكولاي باتروشيف في موسكو``.
"""
from __future__ import annotations

import torch
from torch import nn

from transforms.ner.features import FLAGS
from transforms.ner.weights import TAGS, bio_constraints


class NerNet(nn.Module):
    """Type encoder + sequence encoder (``encoder`` = "lstm" or "cnn") + tag projection."""

    def __init__(
        self, n_words: int, n_chars: int, dim: int = 100, encoder: str = "lstm", hidden: int = 128,
        char_dim: int = 32, char_filters: int = 50, type_dim: int = 200, dropout: float = 0.5,
        crf: bool = False,
    ) -> None:
        super().__init__()
        self.config = dict(
            n_words=n_words, n_chars=n_chars, dim=dim, encoder=encoder, hidden=hidden,
            char_dim=char_dim, char_filters=char_filters, type_dim=type_dim, dropout=dropout,
        )
        if crf:  # only when set, so models saved before the option load with the same config
            self.config["crf"] = True
        # learned transition scores (prev, next) and start scores, added to the BIO constraints;
        # without crf they stay zero and decoding is the constrained Viterbi over softmax outputs
        self.trans = nn.Parameter(torch.zeros(len(TAGS), len(TAGS)), requires_grad=crf)
        self.start = nn.Parameter(torch.zeros(len(TAGS)), requires_grad=crf)
        self.emb = nn.Embedding(n_words, dim, padding_idx=0)
        self.emb.weight.requires_grad = False
        self.cemb = nn.Embedding(n_chars, char_dim, padding_idx=0)
        self.convs = nn.ModuleList(nn.Conv1d(char_dim, char_filters, k, padding=k // 2) for k in (2, 3, 4))
        self.type_proj = nn.Linear(3 * dim + 3 * char_filters + len(FLAGS), type_dim)
        self.drop = nn.Dropout(dropout)
        self.encoder = encoder
        if encoder == "lstm":
            self.seq = nn.LSTM(type_dim, hidden, batch_first=True, bidirectional=True)
            out_dim = 2 * hidden
        else:
            self.seq = nn.Sequential(
                nn.Conv1d(type_dim, hidden, 5, padding=2), nn.ReLU(), nn.Dropout(dropout / 2),
                nn.Conv1d(hidden, hidden, 3, padding=2, dilation=2), nn.ReLU(), nn.Dropout(dropout / 2),
                nn.Conv1d(hidden, hidden, 3, padding=4, dilation=4), nn.ReLU(),
            )
            out_dim = hidden + type_dim
        self.out = nn.Linear(out_dim, len(TAGS))

    def type_vectors(self, words: torch.Tensor, chars: torch.Tensor, flags: torch.Tensor) -> torch.Tensor:
        """[n_types, type_dim] from word ids [n,3], char ids [n,L] and flags [n,F]."""
        w = self.emb(words).flatten(1)
        c = self.cemb(chars).transpose(1, 2)
        c = torch.cat([conv(c).amax(dim=2) for conv in self.convs], dim=1)
        x = torch.cat([w, torch.relu(c), flags], dim=1)
        return torch.relu(self.type_proj(self.drop(x)))

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """Tag logits [B, T, n_tags]."""
        return self.out(self.encode(batch))

    def encode(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        """The sequence encoder's states [B, T, out_dim] (dropout applied), before the tag projection;
        a second output layer trained on another annotation convention reads them too."""
        types = self.type_vectors(batch["types_word"], batch["types_char"], batch["types_flag"])
        x = self.drop(types[batch["index"]])
        if self.encoder == "lstm":
            packed = nn.utils.rnn.pack_padded_sequence(
                x, batch["lengths"].clamp(min=1), batch_first=True, enforce_sorted=False
            )
            h, _ = self.seq(packed)
            h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=x.shape[1])
        else:
            h = torch.cat([self.seq(x.transpose(1, 2)).transpose(1, 2), x], dim=2)
        return self.drop(h)

    def transitions(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(trans [K, K], start [K])``: the learned scores plus the BIO constraints (−1e4 where invalid)."""
        return self.trans.detach().float() + _TRANS, self.start.detach().float() + _START

    def crf_loss(self, logits: torch.Tensor, gold: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``crf_nll`` with this network's transition scores."""
        return crf_nll(logits, gold, lengths, self.trans, self.start)


def crf_nll(logits: torch.Tensor, gold: torch.Tensor, lengths: torch.Tensor, trans: torch.Tensor,
            start: torch.Tensor) -> torch.Tensor:
    """Negative log-likelihood of the gold paths [B, T] per token (linear-chain CRF over ``logits``
    with learned ``trans`` [K, K] and ``start`` [K] scores plus the BIO constraints; per token, not per
    sentence, so gradients have the scale of the per-token cross-entropy).

    Gold tags of padding positions are ignored (any value); every sentence has ``lengths`` ≥ 1."""
    width = logits.shape[1]
    trans, start = trans + _TRANS, start + _START
    live = torch.arange(width)[None, :] < lengths[:, None]
    g = gold.clamp(min=0)
    emit = logits.gather(2, g.unsqueeze(2)).squeeze(2)
    step = trans[g[:, :-1], g[:, 1:]]
    gold_score = start[g[:, 0]] + (emit * live).sum(1) + (step * live[:, 1:]).sum(1)
    alpha = start + logits[:, 0]
    for t in range(1, width):
        nxt = torch.logsumexp(alpha.unsqueeze(2) + trans, dim=1) + logits[:, t]
        alpha = torch.where(live[:, t : t + 1], nxt, alpha)
    return (torch.logsumexp(alpha, dim=1) - gold_score).sum() / lengths.sum()


_TRANS, _START = (torch.from_numpy(a) for a in bio_constraints())  # 0 where valid BIO, −1e4 where not


def viterbi(
    logp: torch.Tensor, lengths: torch.Tensor, trans: torch.Tensor | None = None, start: torch.Tensor | None = None
) -> list[list[int]]:
    """Best valid BIO path per sentence from log-probabilities [B, T, K] (``NerNet.transitions()``
    for a CRF-trained model; the plain BIO constraints by default)."""
    trans = _TRANS if trans is None else trans
    start = _START if start is None else start
    n, width, k = logp.shape
    if width == 0:
        return [[] for _ in range(n)]
    score = logp[:, 0] + start
    back = torch.zeros((n, width, k), dtype=torch.long)
    for t in range(1, width):
        cand = score.unsqueeze(2) + trans
        best, arg = cand.max(dim=1)
        new = best + logp[:, t]
        live = (t < lengths).unsqueeze(1)
        score = torch.where(live, new, score)
        back[:, t] = torch.where(live, arg, torch.arange(k).expand(n, k))
    last = score.argmax(dim=1)
    paths = torch.zeros((n, width), dtype=torch.long)
    paths[:, width - 1] = last
    for t in range(width - 1, 0, -1):
        last = back[:, t].gather(1, last.unsqueeze(1)).squeeze(1)
        paths[:, t - 1] = last
    lens = lengths.tolist()
    return [p[:m] for p, m in zip(paths.tolist(), lens)]

"""The compiled tagger loops (``transforms.ner.kernels``) compute what the torch formulas compute."""
from __future__ import annotations

import numpy as np
import torch

from transforms.ner import kernels
from transforms.ner.model import _START, _TRANS, viterbi


def test_tanh_is_within_1e_6_of_the_exact_value() -> None:
    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    got = np.array([kernels._tanh(v) for v in x[::97]], dtype=np.float64)
    assert np.abs(got - np.tanh(x[::97].astype(np.float64))).max() < 1e-6


def test_lstm_cell_matches_the_torch_step() -> None:
    rng = np.random.default_rng(7)
    h_dim, rows = 8, 5
    z = rng.normal(scale=3.0, size=(2, rows, 4 * h_dim)).astype(np.float32)  # g columns stored doubled
    c = rng.normal(size=(2, rows, h_dim)).astype(np.float32)
    h = np.empty_like(c)
    zt, ct = torch.from_numpy(z.copy()), torch.from_numpy(c.copy())
    i, f, g, o = zt.split(h_dim, dim=2)
    want_c = torch.sigmoid(f) * ct + torch.sigmoid(i) * torch.tanh(g / 2)
    want_h = torch.sigmoid(o) * torch.tanh(want_c)
    kernels.lstm_cell(z, c, h)
    assert np.abs(c - want_c.numpy()).max() < 1e-5
    assert np.abs(h - want_h.numpy()).max() < 1e-5


def test_viterbi_matches_the_padded_torch_decoder() -> None:
    rng = np.random.default_rng(3)
    lens = np.array([1, 7, 3, 12, 5], dtype=np.int64)
    width, k = int(lens.max()), len(_START)
    logp = torch.log_softmax(torch.from_numpy(rng.normal(scale=2.0, size=(len(lens), width, k)).astype(np.float32)), -1)
    want = viterbi(logp, torch.from_numpy(lens))
    live = torch.arange(width) < torch.from_numpy(lens)[:, None]
    flat = logp[live].numpy()
    tags, probs = np.empty(len(flat), np.int64), np.empty(len(flat), np.float32)
    kernels.viterbi(flat, np.cumsum(lens) - lens, lens, _TRANS.float().numpy(), _START.float().numpy(), tags, probs)
    assert tags.tolist() == [t for path in want for t in path]
    assert np.allclose(probs, np.exp(flat[np.arange(len(flat)), tags]))

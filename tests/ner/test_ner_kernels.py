"""The compiled tagger loops (``transforms.ner.kernels``) compute what the torch formulas compute."""
from __future__ import annotations

import itertools

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.ner import kernels
from transforms.ner.model import _START, _TRANS, viterbi


def test_the_half_table_converts_every_float16_exactly() -> None:
    bits = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)
    want = bits.view(np.float16).astype(np.float32)
    same = (kernels.HALF_TO_FLOAT == want) | (np.isnan(want) & np.isnan(kernels.HALF_TO_FLOAT))
    assert same.all()


def test_char_features_match_the_convolutions() -> None:
    """The table-lookup char-CNN gives what ``NerNet``'s three ``Conv1d`` + max + ReLU give."""
    from transforms.ner.features import MAX_CHARS
    from transforms.ner.weights import char_tables
    from transforms.ner.model import NerNet

    torch.manual_seed(3)
    net = NerNet(5, 12, dim=4, hidden=4, type_dim=4, char_filters=6).eval()
    state = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    tables, bias, k3 = char_tables(state)
    rng = np.random.default_rng(3)
    lens = np.array([1, 2, 5, MAX_CHARS - 1, MAX_CHARS])
    chars = np.zeros((len(lens), MAX_CHARS + 4), np.int64)
    for r, n in enumerate(lens):
        chars[r, 2 : 2 + n] = rng.integers(2, 12, size=n)
    got = np.empty((len(lens), 18), np.float32)
    kernels.char_features(np.concatenate(tables), chars, lens, np.arange(4) * 12, bias, k3.start, k3.stop,
                          MAX_CHARS, got)
    with torch.no_grad():
        emb = net.cemb(torch.from_numpy(chars[:, 2 : 2 + MAX_CHARS])).transpose(1, 2)
        want = torch.relu(torch.cat([conv(emb).amax(dim=2) for conv in net.convs], dim=1)).numpy()
    assert np.abs(got - want).max() < 1e-5


def test_tanh_is_within_1e_6_of_the_exact_value() -> None:
    x = np.linspace(-12, 12, 200_001, dtype=np.float32)
    got = np.array([kernels._tanh(v) for v in x[::97]], dtype=np.float64)
    assert np.abs(got - np.tanh(x[::97].astype(np.float64))).max() < 1e-6


def test_lstm_cell_matches_the_torch_step() -> None:
    """The input part comes from a float16 table row (through ``HALF_TO_FLOAT``), added to ``gates``."""
    rng = np.random.default_rng(7)
    h_dim, rows = 8, 5
    z = rng.normal(scale=3.0, size=(2, rows, 4 * h_dim)).astype(np.float32)  # g columns stored doubled
    table = rng.normal(scale=2.0, size=(2, 3, 4 * h_dim)).astype(np.float16)  # [direction, row, 4h]
    which = rng.integers(0, 3, size=(2, rows))
    c = rng.normal(size=(2, rows, h_dim)).astype(np.float32)
    h = np.empty_like(c)
    full = z + np.stack([table[d, which[d]] for d in range(2)]).astype(np.float32)
    zt, ct = torch.from_numpy(full), torch.from_numpy(c.copy())
    i, f, g, o = zt.split(h_dim, dim=2)
    want_c = torch.sigmoid(f) * ct + torch.sigmoid(i) * torch.tanh(g / 2)
    want_h = torch.sigmoid(o) * torch.tanh(want_c)
    kernels.lstm_cell(z, table.view(np.uint16), which, kernels.HALF_TO_FLOAT, c, h)
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


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.integers(0, 10_000))
def test_marginals_are_the_crf_probabilities_of_the_tags(lens_list: list[int], seed: int) -> None:
    # enumerate every tag path of short sentences: the marginal of a token's tag is the summed
    # probability of the paths through it, under the same scores (learned transitions added to BIO's)
    rng = np.random.default_rng(seed)
    k = len(_START)
    trans = (_TRANS.float().numpy() + rng.normal(scale=1.0, size=(k, k))).astype(np.float32)
    start = (_START.float().numpy() + rng.normal(scale=1.0, size=k)).astype(np.float32)
    lens = np.array(lens_list, np.int64)
    logits = rng.normal(scale=2.0, size=(int(lens.sum()), k))
    logp = (logits - np.log(np.exp(logits).sum(1, keepdims=True))).astype(np.float32)
    starts = np.cumsum(lens) - lens
    tags, probs = np.empty(len(logp), np.int64), np.empty(len(logp), np.float32)
    kernels.viterbi(logp, starts, lens, trans, start, tags, probs)
    kernels.marginals(logp, starts, lens, trans, start, tags, probs)
    for first, m in zip(starts, lens):
        rows = logp[first:first + m].astype(np.float64)
        weight = {}
        for path in itertools.product(range(k), repeat=int(m)):
            score = start[path[0]] + sum(rows[t, y] for t, y in enumerate(path))
            score += sum(trans[a, b] for a, b in zip(path, path[1:]))
            weight[path] = np.exp(score)
        z = sum(weight.values())
        for t in range(m):
            want = sum(w for path, w in weight.items() if path[t] == tags[first + t]) / z
            assert abs(probs[first + t] - want) < 1e-4

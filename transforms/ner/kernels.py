"""Compiled loops (numba) for the tagger's char-CNN, its LSTM gates, its Viterbi decode and the
CRF's marginals (forward–backward).

``lstm_cell`` finishes one BiLSTM time step for every sentence of a batch after the batched matmul
(``FastTagger._bilstm``); ``viterbi`` decodes flat, unpadded per-token log-probabilities, where
sentence ``s`` is rows ``starts[s] … starts[s] + lens[s] - 1`` (e.g. ``نيكولاي باتروشيف في موسكو``
is one run of 4 rows).

Why compiled: per token the BiLSTM does ``2 × h × 4h`` multiply-adds and ``2 × 5h`` sigmoids/tanhs.
The matmul runs near the CPU's peak in BLAS, but elementwise sigmoids and tanhs through array
libraries cost more than the matmul itself, and so does a per-sentence Viterbi in Python. Here the
gates take one vectorized loop with a rational tanh (Eigen's ``generic_fast_tanh_float``, within
3.1e-7 of the exact value) and the decode one loop per sentence; both release the GIL.
"""
from __future__ import annotations

import math

import numpy as np
from numba import njit

# Eigen's float tanh (MPL-2.0, see NOTICE): odd/even minimax polynomials on [-7.905, 7.905], where tanh is ±1 in float32
_CLAMP = np.float32(7.90531110763549805)
_A13, _A11, _A9 = np.float32(-2.76076847742355e-16), np.float32(2.00018790482477e-13), np.float32(-8.60467152213735e-11)
_A7, _A5, _A3 = np.float32(5.12229709037114e-08), np.float32(1.48572235717979e-05), np.float32(6.37261928875436e-04)
_A1 = np.float32(4.89352455891786e-03)
_B6, _B4, _B2 = np.float32(1.19825839466702e-06), np.float32(1.18534705686654e-04), np.float32(2.26843463243900e-03)
_B0 = np.float32(4.89352518554385e-03)
_HALF = np.float32(0.5)
# float32 value of every float16 bit pattern (256 KB): lstm_cell reads the float16 table through it
HALF_TO_FLOAT = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16).astype(np.float32)


@njit(inline="always", fastmath=True, error_model="numpy")
def _tanh(x):
    # error_model="numpy" drops numba's ZeroDivisionError check on p / q: with it, the loops that
    # call this stay scalar, about twice as slow
    x = x if x < _CLAMP else _CLAMP
    x = x if x > -_CLAMP else -_CLAMP
    x2 = x * x
    p = ((((((_A13 * x2 + _A11) * x2 + _A9) * x2 + _A7) * x2 + _A5) * x2 + _A3) * x2 + _A1) * x
    q = ((_B6 * x2 + _B4) * x2 + _B2) * x2 + _B0
    return p / q


@njit(nogil=True, fastmath=True, error_model="numpy", cache=True)
def lstm_cell(gates, proj, rows, half, c, h):  # pragma: no cover - compiled
    """One LSTM step after the matrix work: ``c`` [D, B, h] updated in place, new ``h`` [D, B, h].

    ``gates`` [D, B, 4h] holds ``W_hh·h``; the input part ``W_ih·x + b`` of sentence ``b`` in
    direction ``d`` is row ``rows[d, b]`` of the surface table ``proj`` [D, N, 4h] (float16 bits
    as uint16, read through ``half``: the float32 value of every uint16 bit pattern — numba has no
    float16, and this reads the table without a converted copy). Gate order i, f, g, o, with the g
    pre-activation stored doubled (``FastTagger`` scales those weights by 2) so every gate is
    ``sigmoid(z) = (1 + tanh(z/2)) / 2`` and the cell input is ``tanh(2z/2)``.
    """
    n_dir, n_rows, g4 = gates.shape
    hd = g4 // 4
    for d in range(n_dir):
        for b in range(n_rows):
            z, x, cc, hh = gates[d, b], proj[d, rows[d, b]], c[d, b], h[d, b]
            for j in range(g4):  # the table lookup apart: mixed into the next loop, it stayed scalar
                z[j] += half[x[j]]
            for j in range(hd):
                i_gate = _HALF * _tanh(_HALF * z[j]) + _HALF
                f_gate = _HALF * _tanh(_HALF * z[hd + j]) + _HALF
                o_gate = _HALF * _tanh(_HALF * z[3 * hd + j]) + _HALF
                cj = f_gate * cc[j] + i_gate * _tanh(_HALF * z[2 * hd + j])
                cc[j] = cj
                hh[j] = o_gate * _tanh(cj)


@njit(nogil=True, cache=True)
def char_features(tab, chars, lens, offsets, bias, k3_lo, k3_hi, max_chars, out):  # pragma: no cover - compiled
    """The char-CNN's max-pooled, ReLU'd outputs per surface into ``out`` [n, F].

    ``chars`` [n, max_chars + 4]: char ids with 2 PAD columns before; window ``m`` covers columns
    ``m … m+3`` and its output is ``tab[offsets[0] + chars[m]] + … + tab[offsets[3] + chars[m+3]]
    + bias`` (``weights.char_tables``), summed in that order; a surface of ``L`` chars has windows
    ``0 … min(L + 2, max_chars)``, and columns ``k3_lo:k3_hi`` (the width-3 conv) one window less.
    Not fastmath: the sums stay in this order, so a surface's vector does not depend on how the
    compiler vectorizes them.
    """
    n, f = out.shape
    for s in range(n):
        width = min(lens[s] + 2, max_chars)
        row = out[s]
        row[:] = -np.inf
        for m in range(width + 1):
            t0, t1 = tab[offsets[0] + chars[s, m]], tab[offsets[1] + chars[s, m + 1]]
            t2, t3 = tab[offsets[2] + chars[s, m + 2]], tab[offsets[3] + chars[s, m + 3]]
            for j in range(f):
                if m == width and k3_lo <= j < k3_hi:
                    continue
                v = t0[j] + t1[j]
                v += t2[j]
                v += t3[j]
                v += bias[j]
                if v > row[j]:
                    row[j] = v
        for j in range(f):
            row[j] = max(row[j], np.float32(0.0))


@njit(nogil=True, cache=True)
def _longest(lens):  # pragma: no cover - compiled
    """The longest sentence's length, at least 1 (the decoders' buffers are that long)."""
    longest = 1
    for s in range(lens.shape[0]):
        longest = max(longest, lens[s])
    return longest


@njit(nogil=True, cache=True)
def viterbi(logp, starts, lens, trans, start, tags, probs):  # pragma: no cover - compiled
    """Best tag path per sentence into ``tags`` [n] (int64) and its tags' probabilities into ``probs``.

    ``logp`` [n, K] log-probabilities; ``trans`` [K, K] (prev, next) and ``start`` [K] additive
    scores (−1e4 where a transition is not valid BIO), the same constraints as ``model.viterbi``.
    Ties go to the lowest tag id.
    """
    k_tags = logp.shape[1]
    score = np.empty(k_tags, np.float32)
    new = np.empty(k_tags, np.float32)
    back = np.zeros((_longest(lens), k_tags), np.int64)
    for s in range(starts.shape[0]):
        first, m = starts[s], lens[s]
        if m == 0:
            continue
        for j in range(k_tags):
            score[j] = logp[first, j] + start[j]
        for t in range(1, m):
            for j in range(k_tags):
                arg = 0
                for i in range(1, k_tags):
                    if score[i] + trans[i, j] > score[arg] + trans[arg, j]:
                        arg = i
                new[j] = score[arg] + trans[arg, j] + logp[first + t, j]
                back[t, j] = arg
            for j in range(k_tags):
                score[j] = new[j]
        last = 0
        for j in range(1, k_tags):
            if score[j] > score[last]:
                last = j
        for t in range(m - 1, -1, -1):
            tags[first + t] = last
            probs[first + t] = math.exp(logp[first + t, last])
            if t > 0:
                last = back[t, last]


@njit(nogil=True, cache=True)
def marginals(logp, starts, lens, trans, start, tags, probs):  # pragma: no cover - compiled
    """The CRF's marginal probability of each token's tag ``tags`` (Viterbi's path) into ``probs``.

    Forward–backward in probability space, rescaled at every step (float64): ``exp(trans)`` is 0
    where a transition is not valid BIO. Unlike the softmax of one token's scores, this weighs the
    whole sentence: a span whose boundary the model hesitates over gets a low probability.
    """
    k_tags = logp.shape[1]
    longest = _longest(lens)
    et = np.empty((k_tags, k_tags), np.float64)
    for i in range(k_tags):
        for j in range(k_tags):
            et[i, j] = math.exp(min(trans[i, j], 50.0))
    alpha = np.empty((longest, k_tags), np.float64)
    beta = np.empty((longest, k_tags), np.float64)
    emit = np.empty((longest, k_tags), np.float64)
    for s in range(starts.shape[0]):
        first, m = starts[s], lens[s]
        if m == 0:
            continue
        for t in range(m):
            for j in range(k_tags):
                emit[t, j] = math.exp(logp[first + t, j])
        total = 0.0
        for j in range(k_tags):
            alpha[0, j] = math.exp(min(start[j], 50.0)) * emit[0, j]
            total += alpha[0, j]
        for j in range(k_tags):
            alpha[0, j] /= total
        for t in range(1, m):
            total = 0.0
            for j in range(k_tags):
                acc = 0.0
                for i in range(k_tags):
                    acc += alpha[t - 1, i] * et[i, j]
                alpha[t, j] = acc * emit[t, j]
                total += alpha[t, j]
            for j in range(k_tags):
                alpha[t, j] /= total
        for j in range(k_tags):
            beta[m - 1, j] = 1.0
        for t in range(m - 2, -1, -1):
            total = 0.0
            for i in range(k_tags):
                acc = 0.0
                for j in range(k_tags):
                    acc += et[i, j] * emit[t + 1, j] * beta[t + 1, j]
                beta[t, i] = acc
                total += acc
            for i in range(k_tags):
                beta[t, i] /= total
        for t in range(m):
            z = 0.0
            for j in range(k_tags):
                z += alpha[t, j] * beta[t, j]
            probs[first + t] = alpha[t, tags[first + t]] * beta[t, tags[first + t]] / z


def warm() -> None:
    """Load (or, the first time, compile and cache) both kernels now, not inside the first batch."""
    rows = np.ones(1, np.int64)
    lstm_cell(np.zeros((2, 1, 4), np.float32), np.zeros((2, 1, 4), np.uint16), np.zeros((2, 1), np.int64),
              HALF_TO_FLOAT, np.zeros((2, 1, 1), np.float32), np.zeros((2, 1, 1), np.float32))
    char_features(np.zeros((4, 2), np.float32), np.zeros((1, 6), np.int64), rows, np.zeros(4, np.int64),
                  np.zeros(2, np.float32), 0, 1, 2, np.zeros((1, 2), np.float32))
    viterbi(np.zeros((1, 1), np.float32), rows - 1, rows, np.zeros((1, 1), np.float32), np.zeros(1, np.float32),
            np.zeros(1, np.int64), np.zeros(1, np.float32))
    marginals(np.zeros((1, 1), np.float32), rows - 1, rows, np.zeros((1, 1), np.float32), np.zeros(1, np.float32),
              np.zeros(1, np.int64), np.zeros(1, np.float32))

"""Fast inference for the neural tagger: a per-surface cache and a batched BiLSTM loop.

``FastTagger(read_model("ner.pt")).tag([["قال", "نيكولاي", "باتروشيف"]])`` → ``[[("O", .99), ("B-PERS", .97),
("I-PERS", .98)]]`` — the same tags as ``NerNet.forward`` + ``viterbi``, computed differently:

Everything before the recurrence depends on a token's surface only (word vectors, char-CNN, flags,
the type projection *and* the LSTM's input projection ``W_ih·x + b``), so it is computed once per
distinct surface and kept in a bounded table across batches. News text is Zipfian: after a few
thousand articles almost every token is a table hit, and what is left per token is the recurrent step
(``4h×h`` multiply-adds per direction), run for both directions at once with one batched matmul per
time step, the gates' nonlinearities and the Viterbi decode in compiled loops (``kernels``).
``nn.LSTM`` would redo the input projection — the larger half of its work — for every token.
Everything here is NumPy (BLAS for the matrix products) and the compiled loops: tagging never
imports torch (``weights.read_model`` reads the saved network), which saves each tagging process
~220 MB; ``FastTagger.from_net`` builds the same tagger from a torch ``NerNet`` (training, tests).
"""
from __future__ import annotations

import threading

import numpy as np
from threadpoolctl import ThreadpoolController

from transforms.ner import kernels
from transforms.ner.features import FLAGS, MAX_CHARS, Featurizer
from transforms.ner.weights import TAGS, Weights, bio_constraints, char_tables

BATCH_TOKENS = 8000
MAX_LEN = 250  # longer "sentences" (lists, tables) are tagged in windows of this many tokens
# Table rows (float16, 2×4h per row: ~1 KB at hidden 64, ~200 MB in all). The split between the
# tiers recomputes fewest surfaces (~45 µs each) for that memory (docs/experiments.md).
CACHE_ROWS = 160_000  # permanent tier: the first surfaces seen (mostly the frequent ones)
RECENT_ROWS = 40_000  # second tier, emptied when full
STORE_CHUNK = 1024  # surfaces per matrix product of the type projection
# Sentences whose spans are kept (~150 bytes each), emptied when full. News repeats sentences
# (agency bylines, syndicated stories): 6.7% of the shared corpus's sentence text is a repeat, and
# 1-4% of the tokens a worker sees come from this cache rather than the tagger.
SENTENCE_CACHE = 50_000


class FastTagger:
    """Inference-only view of a trained ``NerNet`` with a BiLSTM encoder (its ``Weights``)."""

    def __init__(
        self, weights: Weights, feat: Featurizer | None = None, cache_rows: int = CACHE_ROWS,
        batch_tokens: int = BATCH_TOKENS, recent_rows: int = RECENT_ROWS,
    ) -> None:
        if weights.config.get("encoder", "lstm") != "lstm":
            raise ValueError("FastTagger needs an LSTM encoder")
        w = weights.state
        self.feat = feat if feat is not None else Featurizer(**weights.featurizer)
        self.batch_tokens = batch_tokens
        # Viterbi's transition and start scores (BIO constraints, −1e4 where invalid, plus what a
        # CRF-trained model learned) for kernels.viterbi
        trans, start = bio_constraints()
        self._trans = np.ascontiguousarray(w["trans"] + trans, np.float32)
        self._start = np.ascontiguousarray(w["start"] + start, np.float32)
        # one batch holds at most max(batch_tokens, MAX_LEN) tokens, and it must fit a tier
        self.cache_rows = max(cache_rows, batch_tokens, MAX_LEN)
        self.recent_rows = max(recent_rows, batch_tokens, MAX_LEN)
        self.hidden = h = w["seq.weight_hh_l0"].shape[1]
        g2 = np.ones(4 * h, np.float32)
        g2[2 * h : 3 * h] = 2.0  # gate order i, f, g, o; g is doubled (see kernels.lstm_cell)
        g2_both = np.concatenate([g2, g2])
        # input projections of both directions at once: columns [:4h] forward, [4h:] backward
        self._w_ih_both = np.ascontiguousarray(
            (np.concatenate([w["seq.weight_ih_l0"], w["seq.weight_ih_l0_reverse"]]) * g2_both[:, None]).T)  # [d, 8h]
        self._bias_both = np.concatenate([w["seq.bias_ih_l0"] + w["seq.bias_hh_l0"],
                                          w["seq.bias_ih_l0_reverse"] + w["seq.bias_hh_l0_reverse"]]) * g2_both
        self.w_hh_t = np.ascontiguousarray(np.stack([w["seq.weight_hh_l0"].T, w["seq.weight_hh_l0_reverse"].T]) * g2)
        self._emb = w["emb.weight"]
        self._type_w_t, self._type_b = np.ascontiguousarray(w["type_proj.weight"].T), w["type_proj.bias"]
        self._out_w_t, self._out_b = np.ascontiguousarray(w["out.weight"].T), w["out.bias"]
        tables, self._char_bias, self._k3 = char_tables(w)
        self._char_tab = np.concatenate(tables)  # [4 × n_chars, 3 × filters]
        self._tab_offsets = np.arange(4, dtype=np.int64) * tables[0].shape[0]
        self._lock = threading.Lock()  # the table is shared state; flows may tag from two threads
        # BLAS on one thread while tagging: the products are small ([2, B, 64] × [64, 256] per
        # step), so OpenBLAS's second thread costs much more CPU than it saves wall time; the flow's
        # other thread or a second process uses the other core better
        self._blas = ThreadpoolController()
        self._empty_tables()
        kernels.warm()

    @classmethod
    def from_net(cls, net, feat: Featurizer, **kwargs) -> "FastTagger":
        """The tagger of a torch ``NerNet`` in memory (a model being trained or tested)."""
        state = {k: v.detach().float().numpy() for k, v in net.state_dict().items()}
        return cls(Weights(dict(net.config), state, feat.to_dict()), feat, **kwargs)

    def _empty_tables(self) -> None:
        # Input projections per direction (float16 halves the table; the recurrence runs in float32).
        # Two tiers: the first `cache_rows` surfaces stay until `release_tables` (by Zipf's law they
        # are mostly the frequent ones); later surfaces go to a second tier of `recent_rows` that is
        # emptied when full. Row 0 is padding.
        # empty, not zeros: a row is written before it is read, and untouched pages of a large
        # allocation take no memory (zeros would write all ~200 MB at start-up; the table fills
        # over a run)
        n_rows = self.cache_rows + self.recent_rows + 1
        self._proj = np.empty((2, n_rows, 4 * self.hidden), np.float16)  # [direction, row, 4h]
        self._proj[:, 0] = 0.0  # padding row
        self._rows: dict[str, int] = {}  # permanent tier: rows 1..cache_rows
        self._recent: dict[str, int] = {}  # second tier: rows cache_rows+1..cache_rows+recent_rows
        # spans per sentence, keyed by (hash of its tokens, token count); see SENTENCE_CACHE
        self._spans: dict[tuple[int, int], tuple[tuple[int, int, str, float], ...]] = {}

    def release_tables(self) -> None:
        """Forget every computed surface and cached sentence (~200 MB and ~50,000 entries after a
        large run) and hand their memory back: the new empty tables are fresh mappings, the old ones
        are unmapped when freed. For a long-lived process between runs; tagging afterwards gives the
        same spans, recomputing the surfaces it meets."""
        with self._lock:
            self._empty_tables()
            self.feat._cache = {}

    # ------------------------------------------------------------------ per-surface table
    def _lookup(self, sents: list[list[str]]) -> list[int]:
        """Table rows of every token (flattened), computing the surfaces not yet in the table."""
        rows, recent, new = self._rows, self._recent, {}
        cap, n_tokens = self.cache_rows, sum(map(len, sents))
        if len(rows) + n_tokens <= cap:  # the batch's new surfaces surely fit the permanent tier
            tier, first = rows, len(rows) + 1
        else:
            if len(recent) + n_tokens > self.recent_rows:
                recent.clear()  # full: start the second tier over (a batch never exceeds it)
            tier, first = recent, cap + len(recent) + 1
        flat: list[int] = []
        for sent in sents:
            for tok in sent:
                r = rows.get(tok)
                if r is None:
                    r = recent.get(tok)
                    if r is None:
                        r = new.get(tok)
                        if r is None:
                            r = new[tok] = first + len(new)
                flat.append(r)
        self._store(new, first)
        tier.update(new)
        return flat

    def _store(self, new: dict[str, int], first: int) -> None:
        """Compute and store the input projections of ``new`` surfaces at rows ``first``…"""
        if not new:
            return
        words, ids, lens, bits = self.feat.encode_types(list(new))
        n = len(new)
        lens_a = np.array(lens, np.int64)
        chars = np.zeros((n, MAX_CHARS + 4), np.int64)  # 2 PAD columns on each side
        chars[:, 2 : 2 + MAX_CHARS][np.arange(MAX_CHARS) < lens_a[:, None]] = ids
        flags = ((np.array(bits, np.int64)[:, None] >> np.arange(len(FLAGS))) & 1).astype(np.float32)
        words_a = np.array(words, np.int64).reshape(n, 3)
        char_vec = np.empty((n, self._char_bias.shape[0]), np.float32)
        kernels.char_features(self._char_tab, chars, lens_a, self._tab_offsets, self._char_bias,
                              self._k3.start, self._k3.stop, MAX_CHARS, char_vec)
        rows = np.arange(first, first + n)
        for i in range(0, n, STORE_CHUNK):  # bounds the [chunk, 466] and [chunk, 8h] temporaries
            part = slice(i, i + STORE_CHUNK)
            x = np.concatenate([self._emb[words_a[part]].reshape(-1, 3 * self._emb.shape[1]),
                                char_vec[part], flags[part]], axis=1)
            typed = np.maximum(x @ self._type_w_t + self._type_b, 0)
            proj = typed @ self._w_ih_both + self._bias_both
            self._proj[0, rows[part]] = proj[:, : 4 * self.hidden]
            self._proj[1, rows[part]] = proj[:, 4 * self.hidden :]

    # ------------------------------------------------------------------ sequence
    def _bilstm(self, index: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Hidden states [B, T, 2h] for table rows ``index`` [B, T] (padding after each row)."""
        b, t_max = index.shape
        h_dim = self.hidden
        ar = np.arange(t_max)
        rev = np.where(ar < lengths[:, None], lengths[:, None] - 1 - ar, ar)  # each row reversed in place
        # table rows per step and direction [T, 2, B]: the backward direction reads each row reversed
        rows = np.ascontiguousarray(np.stack([index.T, np.take_along_axis(index, rev, 1).T], axis=1))
        table, half = self._proj.view(np.uint16), kernels.HALF_TO_FLOAT
        out = np.zeros((t_max + 1, 2, b, h_dim), np.float32)  # out[t + 1]: h after step t (out[0]: the initial h)
        gates = np.empty((2, b, 4 * h_dim), np.float32)
        c = np.zeros((2, b, h_dim), np.float32)
        for t in range(t_max):
            # both directions in one batched matmul; the input part and the gates' nonlinearities
            # in one compiled loop
            np.matmul(out[t], self.w_hh_t, out=gates)
            kernels.lstm_cell(gates, table, rows[t], half, c, out[t + 1])
        fwd = out[1:, 0].transpose(1, 0, 2)  # [B, T, h]
        back = np.take_along_axis(out[1:, 1].transpose(1, 0, 2), rev[..., None], 1)
        return np.concatenate([fwd, back], axis=2)

    def _paths(self, sents: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Flat best tag ids (Viterbi) and the CRF's marginal probability of each, over all tokens of
        ``sents`` (in order)."""
        flat = self._lookup(sents)
        lens = np.array([len(s) for s in sents], np.int64)
        width = max(int(lens.max()), 1)
        live = np.arange(width) < lens[:, None]
        index = np.zeros((len(sents), width), np.int64)
        index[live] = flat
        hidden = self._bilstm(index, lens)[live]  # [n tokens, 2h], padding dropped
        logits = hidden @ self._out_w_t + self._out_b
        logits -= logits.max(axis=1, keepdims=True)
        logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
        tags, probs = np.empty(len(flat), np.int64), np.empty(len(flat), np.float32)
        starts = np.cumsum(lens) - lens
        kernels.viterbi(logp, starts, lens, self._trans, self._start, tags, probs)
        kernels.marginals(logp, starts, lens, self._trans, self._start, tags, probs)
        return tags, probs

    def _batches(self, token_lists: list[list[str]]):
        """``(windows, tag ids, probs)`` per batch; windows are ``(list index, offset, tokens)``."""
        windows: list[tuple[int, int, list[str]]] = []
        for i, toks in enumerate(token_lists):
            for j in range(0, len(toks), MAX_LEN):
                windows.append((i, j, toks[j : j + MAX_LEN]))
        order = sorted(range(len(windows)), key=lambda k: len(windows[k][2]))
        k = 0
        while k < len(order):
            # ascending lengths: grow the batch while it stays under batch_tokens of padded width
            n = 1
            while k + n < len(order) and len(windows[order[k + n]][2]) * (n + 1) <= self.batch_tokens:
                n += 1
            chunk = [windows[m] for m in order[k : k + n]]
            k += n
            with self._lock, self._blas.limit(limits=1, user_api="blas"):
                tags, probs = self._paths([w[2] for w in chunk])
            yield chunk, tags, probs

    def tag(self, token_lists: list[list[str]]) -> list[list[tuple[str, float]]]:
        """``(BIO tag, probability)`` per token; long lists are tagged in ``MAX_LEN`` windows."""
        result: list[list[tuple[str, float]]] = [[("O", 1.0)] * len(toks) for toks in token_lists]
        for chunk, tags, probs in self._batches(token_lists):
            pos = 0
            tag_list, prob_list = tags.tolist(), probs.tolist()
            for i, j, toks in chunk:
                m = len(toks)
                result[i][j : j + m] = [(TAGS[t], p) for t, p in zip(tag_list[pos : pos + m], prob_list[pos : pos + m])]
                pos += m
        return result

    def spans(self, token_lists: list[list[str]]) -> list[list[tuple[int, int, str, float]]]:
        """Entity spans ``(start token, end token, label, probability)`` per token list; the probability
        is the lowest marginal of the span's tags.

        The same spans as ``conll.spans`` over ``tag``. A token list seen before in this process
        (or earlier in the same call) takes its spans from a bounded cache; the rest are tagged.
        """
        cache, keys, todo, first, hits = self._spans, [], [], {}, {}
        for toks in token_lists:
            k = (hash(tuple(toks)), len(toks))  # a false hit needs a 64-bit hash collision (~3e-15 per sentence at 50k entries)
            keys.append(k)
            if k in first or k in hits:
                continue
            # hits are copied out now: another thread tagging with this tagger may empty the cache
            if (hit := cache.get(k)) is None:
                first[k] = len(todo)
                todo.append(toks)
            else:
                hits[k] = hit
        found = self._tag_spans(todo) if todo else []
        out = [list(found[first[k]]) if k in first else list(hits[k]) for k in keys]
        if len(cache) + len(first) > SENTENCE_CACHE:
            cache.clear()
        for k, j in first.items():
            cache[k] = tuple(found[j])
        return out

    def _tag_spans(self, token_lists: list[list[str]]) -> list[list[tuple[int, int, str, float]]]:
        """``spans`` without the cache. Viterbi only emits valid BIO, so a span is a B- tag plus the
        I- tags after it: found with array operations instead of a loop per token."""
        out: list[list[tuple[int, int, str, float]]] = [[] for _ in token_lists]
        for chunk, tags, probs in self._batches(token_lists):
            starts = np.flatnonzero(tags % 2 == 1)  # B-X ids are odd, I-X even, O is 0
            if starts.size == 0:
                continue
            lens = np.array([len(w[2]) for w in chunk], np.int64)
            first = np.cumsum(lens) - lens  # flat offset of each window
            breaks = (tags % 2 == 1) | (tags == 0)  # any non-I tag ends the span before it
            breaks[first[lens > 0]] = True
            stops = np.append(np.flatnonzero(breaks), tags.size)
            ends = stops[np.searchsorted(stops, starts, side="right")]
            win = np.searchsorted(first, starts, side="right") - 1
            ends = np.minimum(ends, first[win] + lens[win])
            # a span is as sure as its least sure token (CRF marginals: kernels.marginals)
            bounds = np.empty(2 * starts.size, np.int64)
            bounds[0::2], bounds[1::2] = starts, ends
            least = np.minimum.reduceat(np.append(probs, 1.0), bounds)[0::2].tolist()
            first_at = first.tolist()
            for s, e, w, sc, t in zip(starts.tolist(), ends.tolist(), win.tolist(), least, tags[starts].tolist()):
                i, j, _ = chunk[w]
                o = j + s - first_at[w]
                out[i].append((o, o + e - s, TAGS[t][2:], sc))
        for sent in out:
            sent.sort()  # windows of one list are tagged in different batches
        return out

"""Fast inference for the neural tagger: a per-surface cache and a batched BiLSTM loop.

``FastTagger(net, feat).tag([["قال", "نيكولاي", "باتروشيف"]])`` → ``[[("O", .99), ("B-PERS", .97),
("I-PERS", .98)]]`` — the same tags as ``NerNet.forward`` + ``viterbi``, computed differently:

Everything before the recurrence depends on a token's surface only (word vectors, char-CNN, flags,
the type projection *and* the LSTM's input projection ``W_ih·x + b``), so it is computed once per
distinct surface and kept in a bounded table across batches. News text is Zipfian: after a few
thousand articles almost every token is a table hit, and what is left per token is the recurrent step
(``4h×h`` multiply-adds per direction), run for both directions at once with one batched matmul per
time step, the gates' nonlinearities and the Viterbi decode in compiled loops (``kernels``).
``nn.LSTM`` would redo the input projection — the larger half of its work — for every token.
"""
from __future__ import annotations

import threading

import numpy as np
import torch
import torch.nn.functional as F

from transforms.ner import kernels
from transforms.ner.features import FLAGS, MAX_CHARS, Featurizer
from transforms.ner.model import TAGS, NerNet

BATCH_TOKENS = 8000
MAX_LEN = 250  # longer "sentences" (lists, tables) are tagged in windows of this many tokens
# Table rows (float16, 2×4h per row: ~1 KB at hidden 64). Simulated over the first 40k warehouse
# articles (11M tokens), 8000-token batches: 60k+60k rows computed 716k surfaces, 160k+40k 400k,
# an unbounded table 321k; each computed surface costs ~45 µs, the extra 80k rows ~80 MB.
CACHE_ROWS = 160_000  # permanent tier: the first surfaces seen (mostly the frequent ones)
RECENT_ROWS = 40_000  # second tier, emptied when full
STORE_CHUNK = 1024  # surfaces per char-CNN step (bounds its [chunk, ≤21, 150] temporaries)
# Sentences whose spans are kept (~150 bytes each), emptied when full. News repeats sentences
# (agency bylines, syndicated stories): 6.7% of the shared corpus's sentence text is a repeat.
# Measured over one worker's share of the flow's batches (8,000 articles): 1.3% of the tokens of
# the ANT corpora and 4.1% of SaudiNewsNet's came from this cache instead of the tagger.
SENTENCE_CACHE = 50_000


class FastTagger:
    """Inference-only view of a trained ``NerNet`` with a BiLSTM encoder."""

    def __init__(
        self, net: NerNet, feat: Featurizer, cache_rows: int = CACHE_ROWS, batch_tokens: int = BATCH_TOKENS,
        recent_rows: int = RECENT_ROWS,
    ) -> None:
        if net.encoder != "lstm":
            raise ValueError("FastTagger needs an LSTM encoder")
        self.net, self.feat, self.batch_tokens = net.eval(), feat, batch_tokens
        # Viterbi's transition and start scores (BIO constraints, −1e4 where invalid, plus what a
        # CRF-trained model learned) as arrays for kernels.viterbi
        self._trans, self._start = (a.contiguous().numpy() for a in net.transitions())
        # one batch holds at most max(batch_tokens, MAX_LEN) tokens, and it must fit a tier
        self.cache_rows = max(cache_rows, batch_tokens, MAX_LEN)
        self.recent_rows = max(recent_rows, batch_tokens, MAX_LEN)
        lstm = net.seq
        self.hidden = lstm.hidden_size
        with torch.no_grad():
            g2 = torch.ones(4 * self.hidden)
            g2[2 * self.hidden : 3 * self.hidden] = 2.0  # gate order i, f, g, o; g is doubled (see kernels.lstm_cell)
            g2_both = torch.cat([g2, g2])
            # input projections of both directions at once: columns [:4h] forward, [4h:] backward
            self._w_ih_both = (torch.cat([lstm.weight_ih_l0, lstm.weight_ih_l0_reverse]).float()
                               * g2_both[:, None]).T.contiguous()  # [d, 8h]
            self._bias_both = torch.cat([lstm.bias_ih_l0 + lstm.bias_hh_l0,
                                         lstm.bias_ih_l0_reverse + lstm.bias_hh_l0_reverse]).float() * g2_both
            self.w_hh_t = (torch.stack([lstm.weight_hh_l0.T, lstm.weight_hh_l0_reverse.T]) * g2).contiguous().float()
            tables, self._char_bias, self._k3 = _char_tables(net)
            self._char_tab = torch.cat(tables)  # [4 × n_chars, 3 × filters]
            self._tab_offsets = torch.arange(4) * tables[0].shape[0]
        self._lock = threading.Lock()  # the table is shared state; flows may tag from two threads
        self._empty_tables()
        kernels.warm()

    def _empty_tables(self) -> None:
        # Input projections per direction (float16 halves the table; the recurrence runs in float32).
        # Two tiers: the first `cache_rows` surfaces stay until `release_tables` (by Zipf's law they
        # are mostly the frequent ones); later surfaces go to a second tier of `recent_rows` that is
        # emptied when full. Row 0 is padding.
        # empty, not zeros: a row is written before it is read, and untouched pages of a large
        # allocation take no memory (zeros wrote all ~200 MB at start-up; the table fills over a run)
        n_rows = self.cache_rows + self.recent_rows + 1
        self._fwd = torch.empty((n_rows, 4 * self.hidden), dtype=torch.float16)
        self._bwd = torch.empty((n_rows, 4 * self.hidden), dtype=torch.float16)
        self._fwd[0] = self._bwd[0] = 0.0  # padding row
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
        lens_t = torch.tensor(lens)
        chars = torch.zeros((n, MAX_CHARS + 4), dtype=torch.long)  # 2 PAD columns on each side
        chars[:, 2 : 2 + MAX_CHARS][torch.arange(MAX_CHARS) < lens_t[:, None]] = torch.tensor(ids, dtype=torch.long)
        flags = ((torch.tensor(bits)[:, None] >> torch.arange(len(FLAGS))) & 1).float()
        words_t = torch.tensor(words, dtype=torch.long).view(n, 3)
        order = torch.argsort(lens_t)  # similar lengths share a chunk, so its window count is small
        net = self.net
        with torch.inference_mode():
            for i in range(0, n, STORE_CHUNK):
                rows = order[i : i + STORE_CHUNK]
                # positions past a surface's last char + 2 repeat the all-PAD window (conv bias):
                # up to MAX_CHARS the result does not depend on the width
                width = min(int(lens_t[rows].max()) + 2, MAX_CHARS)
                # window m holds chars m-2 … m+1; its offset o reads table o of the stacked tables
                win = chars[rows, : width + 4].unfold(1, 4, 1) + self._tab_offsets  # [chunk, width+1, 4]
                conv = F.embedding_bag(win.reshape(-1, 4), self._char_tab, mode="sum").view(len(rows), width + 1, -1)
                conv += self._char_bias
                conv[:, width, self._k3] = float("-inf")  # the width-3 conv has one output less
                x = torch.cat([net.emb(words_t[rows]).flatten(1), torch.relu(conv.amax(dim=1)), flags[rows]], dim=1)
                proj = torch.addmm(self._bias_both, torch.relu(net.type_proj(x)), self._w_ih_both)
                self._fwd[first + rows] = proj[:, : 4 * self.hidden].half()
                self._bwd[first + rows] = proj[:, 4 * self.hidden :].half()

    # ------------------------------------------------------------------ sequence
    def _bilstm(self, index: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Hidden states [B, T, 2h] for table rows ``index`` [B, T] (padding after each row)."""
        b, t_max = index.shape
        h_dim = self.hidden
        ar = torch.arange(t_max)
        rev = torch.where(ar < lengths[:, None], lengths[:, None] - 1 - ar, ar)  # each row reversed in place
        # [T, 2, B, 4h]; index_select is ~2× faster than advanced indexing here (measured)
        x = torch.empty((t_max, 2, b, 4 * h_dim))
        x[:, 0] = self._fwd.index_select(0, index.T.reshape(-1)).view(t_max, b, -1)
        x[:, 1] = self._bwd.index_select(0, index.gather(1, rev).T.reshape(-1)).view(t_max, b, -1)
        out = torch.zeros((t_max + 1, 2, b, h_dim))  # out[t + 1]: h after step t (out[0]: the initial h)
        gates = torch.empty((2, b, 4 * h_dim))
        c, gates_np, out_np = np.zeros((2, b, h_dim), np.float32), gates.numpy(), out.numpy()
        for t in range(t_max):
            # both directions in one batched matmul; the gates' nonlinearities in one compiled loop
            torch.baddbmm(x[t], out[t], self.w_hh_t, out=gates)
            kernels.lstm_cell(gates_np, c, out_np[t + 1])
        fwd = out[1:, 0].transpose(0, 1)  # [B, T, h]
        back = out[1:, 1].transpose(0, 1).gather(1, rev[..., None].expand(-1, -1, h_dim))
        return torch.cat([fwd, back], dim=2)

    def _paths(self, sents: list[list[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        """Flat best tag ids and their probabilities over all tokens of ``sents`` (in order)."""
        flat = self._lookup(sents)
        lengths = torch.tensor([len(s) for s in sents])
        width = max(int(lengths.max()), 1)
        live = torch.arange(width) < lengths[:, None]
        index = torch.zeros((len(sents), width), dtype=torch.long)
        index[live] = torch.tensor(flat, dtype=torch.long)
        with torch.inference_mode():
            hidden = self._bilstm(index, lengths)[live]  # [n tokens, 2h], padding dropped
            logp = torch.log_softmax(self.net.out(hidden), dim=-1).numpy()
        lens = lengths.numpy()
        tags, probs = np.empty(len(flat), np.int64), np.empty(len(flat), np.float32)
        kernels.viterbi(logp, np.cumsum(lens) - lens, lens, self._trans, self._start, tags, probs)
        return torch.from_numpy(tags), torch.from_numpy(probs)

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
            with self._lock:
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
        """Entity spans ``(start token, end token, label, mean tag probability)`` per token list.

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
            starts = ((tags % 2 == 1)).nonzero().squeeze(1)  # B-X ids are odd, I-X even, O is 0
            if starts.numel() == 0:
                continue
            lens = torch.tensor([len(w[2]) for w in chunk])
            first = torch.cumsum(lens, 0) - lens  # flat offset of each window
            breaks = ((tags % 2 == 1) | (tags == 0)).clone()  # any non-I tag ends the span before it
            breaks[first[lens > 0]] = True
            stops = torch.cat([breaks.nonzero().squeeze(1), torch.tensor([tags.numel()])])
            ends = stops[torch.searchsorted(stops, starts, right=True)]
            win = torch.searchsorted(first, starts, right=True) - 1
            ends = torch.minimum(ends, first[win] + lens[win])
            cum = torch.cat([torch.zeros(1, dtype=torch.float64), torch.cumsum(probs.double(), 0)])
            mean = ((cum[ends] - cum[starts]) / (ends - starts)).tolist()
            first_at = first.tolist()
            for s, e, w, sc, t in zip(starts.tolist(), ends.tolist(), win.tolist(), mean, tags[starts].tolist()):
                i, j, _ = chunk[w]
                o = j + s - first_at[w]
                out[i].append((o, o + e - s, TAGS[t][2:], sc))
        for sent in out:
            sent.sort()  # windows of one list are tagged in different batches
        return out


def _char_tables(net: NerNet) -> tuple[list[torch.Tensor], torch.Tensor, slice]:
    """The char-CNN as table lookups: ``(tables, bias, width-3 columns)``.

    A convolution over character *embeddings* is a sum, over window offsets, of one vector per
    (character, offset): ``tables[o][c] = W[:, :, o] · cemb[c]``. The three convolutions (widths
    2, 3, 4 with paddings 1, 1, 2) share one 4-wide window over the padded characters; output
    position ``m`` of the union covers characters ``m-2 … m+1``. The network pads a batch's
    characters to its longest surface, and a window that holds only padding adds the conv bias to
    the max; this view always behaves as if padded to ``MAX_CHARS`` (what the previous fast path
    did for nearly every surface: its batches of thousands of surfaces held one that long), so a
    surface gets the same vector whatever else is in its batch.
    """
    convs = list(net.convs)
    n_filters = convs[0].out_channels
    weight = torch.zeros((len(convs) * n_filters, convs[0].in_channels, 4))
    for i, conv in enumerate(convs):
        k, pad = conv.kernel_size[0], conv.padding[0]
        weight[i * n_filters : (i + 1) * n_filters, :, 2 - pad : 2 - pad + k] = conv.weight
    emb = net.cemb.weight.float()  # row PAD is zero, so padding adds nothing
    tables = [emb @ weight[:, :, o].T for o in range(4)]
    widths = [conv.kernel_size[0] for conv in convs]
    k3 = slice(widths.index(3) * n_filters, (widths.index(3) + 1) * n_filters)
    return tables, torch.cat([conv.bias for conv in convs]).float(), k3

"""A helper process that runs the NER stage (``transforms.ner.mentions``) for the flow process.

Why: with the default runner the flow process transforms in threads, and the tagger's Python
(tokenizing, surface lookups, the consistency pass: about half of that stage) holds the GIL, so
tagging, the other transforms and the loads would share one core while the second stays mostly
idle. Here the tagger lives in one child process and the flow keeps two batches in flight: one is
tagged there while the other is cleaned, segmented and loaded here. Unlike ``--procs`` (two full
worker processes, ~2.9 GB) the flow process does not hold the model, numba or the tagger's
tables, so the run's memory stays about the same as tagging in-process.

The child is ``python -m flows.tagging BACKEND``: it imports Polars and ``transforms.ner`` only (no
Prefect, no DuckDB), reads pickled sentence frames on stdin (8-byte length, then the pickle) and
answers ``("ok", mentions)`` or ``("error", exception, traceback text)`` on its original stdout;
anything the tagger prints goes to stderr. It ends when stdin closes (``close``, or the flow
process dying). Requests are served one at a time, in the order they arrive.
"""
from __future__ import annotations

import gc
import os
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

import polars as pl

# "module:function" run in the child before it loads the model (bench.pipeline installs its stage
# timers this way, as it does in worker processes).
INIT_ENV = "AKHBAR_TAGGER_INIT"
_HEADER = struct.Struct("<Q")


class TaggerProcessError(RuntimeError):
    """The tagging process ended or answered something that is not a mentions frame."""


class TaggerProcess:
    """``mentions(sentences)`` computed in a child process; thread-safe, one request at a time.

    ``sentences`` has ``sentence_id, doc_id, start_char, text`` (e.g. a row with text
    ``"قال نيكولاي باتروشيف"``); the result is ``transforms.ner.mentions``'s frame for it, the same
    rows as tagging in this process (a test compares the warehouses)."""

    def __init__(self, backend: str = "default") -> None:
        root = str(Path(__file__).resolve().parents[1])  # flows/ and transforms/ importable from any cwd
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)}
        self._lock = threading.Lock()
        self._proc = subprocess.Popen([sys.executable, "-m", "flows.tagging", backend],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)

    @property
    def pid(self) -> int:
        return self._proc.pid

    def mentions(self, sentences: pl.DataFrame) -> pl.DataFrame:
        """The mentions of ``sentences`` (``transforms.ner.mentions(sentences, backend)``)."""
        with self._lock:  # one request on the pipe at a time; the waiting thread holds no GIL
            try:
                _send(self._proc.stdin, sentences.select("sentence_id", "doc_id", "start_char", "text"))
                reply = _receive(self._proc.stdout)
            except (BrokenPipeError, OSError) as exc:
                raise self._ended() from exc
        if reply is None:
            raise self._ended()
        if reply[0] == "ok":
            return reply[1]
        _, exc, trace = reply
        if isinstance(exc, BaseException):
            raise exc from TaggerProcessError(f"in the tagging process:\n{trace}")
        raise TaggerProcessError(f"the tagging process failed:\n{trace}")

    def _ended(self) -> TaggerProcessError:
        code = self._proc.wait(timeout=30)
        return TaggerProcessError(f"the tagging process (pid {self._proc.pid}) exited with code {code} "
                                  "before answering; its messages, if any, are above")

    def close(self) -> None:
        """End the child (it exits when its stdin closes); idempotent."""
        if self._proc.poll() is None:
            try:
                self._proc.stdin.close()  # type: ignore[union-attr]
            except OSError:
                pass
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe is not None and not pipe.closed:
                try:
                    pipe.close()
                except OSError:  # unsent bytes to a child that is gone
                    pass

    def __enter__(self) -> "TaggerProcess":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _send(pipe: IO[bytes] | None, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    assert pipe is not None
    pipe.write(_HEADER.pack(len(data)))
    pipe.write(data)
    pipe.flush()


def _receive(pipe: IO[bytes] | None) -> Any:
    """The next object on ``pipe``, or ``None`` at end of file."""
    assert pipe is not None
    head = pipe.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (n,) = _HEADER.unpack(head)
    data = pipe.read(n)
    if len(data) < n:
        return None
    return pickle.loads(data)


def _serve(backend: str) -> int:
    """The child's loop: tag each frame read on stdin, answer on the original stdout."""
    import importlib
    import signal
    import traceback

    # Ctrl-C reaches the whole process group: the flow process handles it and closes our stdin
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the answers
    init = os.environ.get(INIT_ENV)
    if init:
        module, _, fn = init.partition(":")
        getattr(importlib.import_module(module), fn)()
    import transforms.ner as ner
    from flows.memory import release_freed_memory
    from transforms.ner.tagger import preload

    try:
        preload(backend)
    except Exception:  # noqa: BLE001 - the first request reports the same error to the flow
        pass
    # The model and what the imports left are never garbage: frozen, the full collection after
    # each request skips them (as the flow process freezes what lives for the run), which makes a
    # collection milliseconds instead of a tenth of a second.
    gc.freeze()
    requests = sys.stdin.buffer
    while True:
        sentences = _receive(requests)
        if sentences is None:
            return 0
        try:
            reply: tuple = ("ok", ner.mentions(sentences, backend=backend))
        except Exception as exc:  # noqa: BLE001 - sent to the flow, which raises it
            reply = ("error", exc, traceback.format_exc())
            try:
                pickle.loads(pickle.dumps(exc))  # some exceptions pickle but do not unpickle
            except Exception:  # noqa: BLE001
                reply = ("error", None, reply[2])
        del sentences
        _send(answers, reply)
        del reply
        release_freed_memory()


if __name__ == "__main__":
    sys.exit(_serve(sys.argv[1] if len(sys.argv) > 1 else "default"))

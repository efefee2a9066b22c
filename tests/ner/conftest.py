"""Shared helpers of the NER tests."""
from __future__ import annotations

from transforms.ner.text import token_surfaces


def locate(tokens: list[str], surface: str) -> tuple[int, int]:
    """Token span ``(start, end)`` of ``surface``'s first occurrence in ``tokens`` (golden cases
    name spans by their text: ``locate(["قال", "سيرغي", "شويغو"], "سيرغي شويغو")`` → ``(1, 3)``)."""
    want = token_surfaces(surface)
    for i in range(len(tokens) - len(want) + 1):
        if tokens[i : i + len(want)] == want:
            return i, i + len(want)
    raise AssertionError(f"{surface!r} is not in the case's text")

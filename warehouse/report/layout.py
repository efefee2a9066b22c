"""Deterministic force-directed layout for the co-occurrence network (Vega-Lite has no force layout).

A small Fruchterman-Reingold in numpy: nodes start on a circle in rank order (no randomness), so the
same warehouse always gives the same picture.
"""
from __future__ import annotations

import numpy as np


def spring_layout(n_nodes: int, edges: list[tuple[int, int, float]], iterations: int = 300,
                  min_dist: float = 0.26) -> np.ndarray:
    """Positions in [-1, 1]^2, shape ``(n_nodes, 2)``; ``edges`` are ``(i, j, weight)``."""
    if n_nodes == 0:
        return np.zeros((0, 2))
    if n_nodes == 1:
        return np.zeros((1, 2))
    angle = 2 * np.pi * np.arange(n_nodes) / n_nodes
    pos = np.column_stack([np.cos(angle), np.sin(angle)])
    w = np.zeros((n_nodes, n_nodes))
    for i, j, weight in edges:
        w[i, j] = w[j, i] = float(weight)
    if w.max() > 0:
        w = np.sqrt(w / w.max())  # dampened: a few heavy pairs must not pull everything into one knot
    k = 2.0 / np.sqrt(n_nodes)  # ideal distance for an area of about 2 x 2
    temperature = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1)
        np.fill_diagonal(dist, 1.0)
        dist = np.maximum(dist, 1e-3)
        repulse = (k * k / dist**2)[..., None] * delta
        np.einsum("iij->ij", repulse)[:] = 0
        attract = (w * dist / k)[..., None] * delta
        gravity = 0.08 * pos  # keeps unconnected nodes from drifting off
        disp = repulse.sum(axis=1) - attract.sum(axis=1) - gravity * n_nodes * 0.05
        length = np.maximum(np.linalg.norm(disp, axis=1, keepdims=True), 1e-9)
        pos = pos + disp / length * np.minimum(length, temperature)
        temperature *= 0.985
    pos = pos - pos.mean(axis=0)
    scale = np.abs(pos).max()
    pos = pos / scale if scale > 0 else pos
    return _separate(pos, min_dist)


def _separate(pos: np.ndarray, min_dist: float, rounds: int = 50) -> np.ndarray:
    """Push apart nodes closer than ``min_dist`` so labels and circles do not sit on each other."""
    for _ in range(rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.linalg.norm(delta, axis=-1)
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(min_dist - dist, 0, None)
        if not overlap.any():
            break
        safe = np.where(np.isfinite(dist) & (dist > 1e-9), dist, 1.0)
        push = (overlap / safe / 2)[..., None] * delta
        pos = pos + push.sum(axis=1)
    scale = np.abs(pos).max()
    return pos / scale if scale > 0 else pos

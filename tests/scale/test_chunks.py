"""How the flow cuts one read into transform batches (``flows.batches.chunks``)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from flows.batches import chunks as _chunks


@settings(deadline=None)
@given(st.integers(0, 50_000), st.integers(1, 5_000), st.integers(1, 4))
def test_chunks_cover_every_row_once_and_never_exceed_the_batch_size(n: int, batch: int, workers: int) -> None:
    chunks = _chunks(n, batch, workers)
    ends = [o + k for o, k in chunks]
    assert [o for o, _ in chunks] == [0, *ends][: len(chunks)] and (ends[-1] if chunks else 0) == n
    assert all(0 < k <= batch for _, k in chunks)


def test_the_end_of_the_run_is_cut_finer_for_several_workers() -> None:
    # 9,000 records, batches of 2,000, two workers: two full batches, then four of 1,250, so the
    # workers finish within about half a batch of each other
    assert _chunks(9000, 2000, 2) == [(0, 2000), (2000, 2000), (4000, 1250), (5250, 1250), (6500, 1250), (7750, 1250)]
    assert _chunks(9000, 2000, 1) == [(0, 2000), (2000, 2000), (4000, 2000), (6000, 2000), (8000, 1000)]
    assert _chunks(5, 2000, 2) == [(0, 5)]  # one batch's worth is not cut

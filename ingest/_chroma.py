"""The Store's handle on its Chroma collection (private to `ingest.store`).

Embedded Chroma (`PersistentClient`) caches its index per process: vectors another process (a
`jixiao ingest` next to a running service, a `jixiao remove`) wrote are invisible to an
already-open client, so the handle reopens the client when the manifest generation moved without
this Store writing. Reopening loads the whole HNSW index from disk — 100–600 ms at 20k chunks on
this 2-core machine, growing with the store — and used to happen inside the first query after the
change, under the lock every query takes. Now a reader that finds the view stale keeps answering
from it while a background thread opens a fresh client, warms it with one query (which loads the
index) and swaps it in; the old client is closed after the swap. A stale view may miss a new
document's vectors for a moment, never shows a hidden one: every hit is read back through
`Store.visible_chunks`, which decides visibility in SQL at one moment.

Writes never go through a stale view: a writer asks with `write=True`, which reopens at once, and
any write or `drop()` discards a fresh client still being opened (it may predate the write).

Two clients on one directory live side by side during a swap: chromadb shares one client
"system" per path string, so the fresh client opens the same directory under another spelling of
its path (`…/chroma/.`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_SPELLINGS = ("", "/.", "/./.")  # at most two are open at once: the current and a fresh one
# Seconds between the end of one background reopen and the start of the next: a burst of writes
# next door (a batch ingest publishes every few seconds; a benchmark's writer, many times a second)
# would otherwise reload the whole index back to back, taking the CPU the queries need.
REOPEN_INTERVAL = 1.0


class ChromaHandle:
    """One Store's Chroma collection; every call runs under `lock` (see the module docstring)."""

    def __init__(
        self,
        open_client: Callable[[str | None], Any],
        open_collection: Callable[[Any], Any],
        generation: Callable[[], str],
        *,
        embedded: bool,
        path: Path | None,
    ) -> None:
        self._open_client = open_client  # (path spelling, None for a server) -> client
        self._open_collection = open_collection  # client -> collection
        self._generation = generation
        self._embedded = embedded
        self._path = path
        self.lock = threading.RLock()
        self._client: Any = None
        self._collection: Any = None
        self._spelling: str | None = None
        self._known_generation: str | None = None
        self._epoch = 0  # bumped by every write and drop: a fresh client opened before is discarded
        self._opening: threading.Thread | None = None
        self._reopened_at = -REOPEN_INTERVAL  # time.monotonic() when the last background reopen ended
        self._opening_spelling: str | None = None
        self._closed = False

    @contextmanager
    def use(self, *, write: bool = False) -> Iterator[Any]:
        """The collection, held under the lock for the call; opened on first use."""
        with self.lock:
            if self._collection is not None and self._embedded:
                generation = self._generation()
                if generation != self._known_generation:
                    if write:  # never through a stale view, nor one being opened now
                        self._epoch += 1
                        self._drop()
                    else:
                        self._start_reopen()
            if self._collection is None:
                generation = self._generation()  # read first: the view holds at least this
                self._install(*self._open(self._free_spelling()), generation)
            yield self._collection

    def wrote(self) -> None:
        """This Store changed the generation itself: its open view is current, and a fresh client
        being opened may predate the change."""
        with self.lock:
            self._epoch += 1
            if self._collection is not None:
                self._known_generation = self._generation()

    def drop(self) -> None:
        """Reopen on next use (a writer that just took the writer lock)."""
        with self.lock:
            self._epoch += 1
            self._drop()

    def close(self) -> None:
        with self.lock:
            self._closed = True
            self._epoch += 1
            self._drop()
            opening = self._opening
        if opening is not None:
            opening.join(60)

    def wait_fresh(self, timeout: float = 60.0) -> None:
        """Wait for a background reopen in flight (tests and commands that want the newest view)."""
        opening = self._opening
        if opening is not None:
            opening.join(timeout)

    # ---- internals ---------------------------------------------------------------------------
    def _open(self, spelling: str | None) -> tuple[Any, Any, str | None]:
        client = self._open_client(spelling)
        return client, self._open_collection(client), spelling

    def _install(self, client: Any, collection: Any, spelling: str | None, generation: str) -> None:
        self._client, self._collection, self._spelling = client, collection, spelling
        self._known_generation = generation

    def _drop(self) -> None:
        client, self._client, self._collection, self._spelling = self._client, None, None, None
        _close(client)

    def _free_spelling(self) -> str | None:
        if not self._embedded or self._path is None:
            return None
        used = {self._spelling, self._opening_spelling}
        return next(str(self._path) + s for s in _SPELLINGS if str(self._path) + s not in used)

    def _start_reopen(self) -> None:
        """(Under the lock.) Open a fresh client in the background unless one is being opened."""
        if self._opening is not None or self._closed:
            return
        if time.monotonic() - self._reopened_at < REOPEN_INTERVAL:
            return  # the next query after the interval starts it
        spelling = self._free_spelling()
        epoch = self._epoch
        thread = threading.Thread(
            target=self._reopen, args=(spelling, epoch), name="chroma-reopen", daemon=True
        )
        self._opening, self._opening_spelling = thread, spelling
        thread.start()

    def _reopen(self, spelling: str | None, epoch: int) -> None:
        fresh: tuple[Any, Any, str | None] | None = None
        try:
            generation = self._generation()  # read first: the view holds at least this
            fresh = self._open(spelling)
            _warm(fresh[1])
        except Exception:  # the current view keeps serving; the next query tries again
            log.exception("reopening the Chroma client in the background failed")
            if fresh is not None:
                _close(fresh[0])
            fresh = None
        with self.lock:
            self._opening, self._opening_spelling = None, None
            self._reopened_at = time.monotonic()
            old = None
            if fresh is not None and epoch == self._epoch and not self._closed:
                old = self._client
                self._install(*fresh, generation)
            elif fresh is not None:
                old = fresh[0]  # a write or drop happened meanwhile: this view may predate it
        _close(old)


def _warm(collection: Any) -> None:
    """Load the index now (Chroma loads it on the first query), not in a reader's query."""
    got = collection.get(limit=1, include=["embeddings"])
    embeddings = got.get("embeddings")
    if embeddings is not None and len(embeddings):
        collection.query(query_embeddings=[list(embeddings[0])], n_results=1, include=[])


def _close(client: Any) -> None:
    close = getattr(client, "close", None)
    if close is not None:
        close()

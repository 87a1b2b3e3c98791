"""The Store's handle on its Chroma collection (private to `ingest.store`).

No lock is held while Chroma works. A Chroma call takes a *view* (one client and its collection)
and gives it back when it returns; the handle's lock guards only which view is current and how
many calls use each, for microseconds. Queries therefore never wait behind each other or behind a
write in this process: against a server each is its own HTTP request (the HTTP client is
thread-safe, and the server orders reads and writes itself); embedded, Chroma orders them inside
its own engine. What the lock protected before, and still does: the swap of the current view, and
that a view is closed only when no call uses it any more.

Embedded Chroma (`PersistentClient`) caches its index per process: vectors another process (a
`jixiao ingest` next to a running service, a `jixiao remove`) wrote are invisible to an
already-open client, so the handle replaces the view when the manifest generation moved without
this Store writing. Opening a client loads the whole HNSW index from disk (100–600 ms at 20k
chunks on this 2-core machine, growing with the store), so a reader that finds its view stale
keeps answering from it while a background thread opens a fresh client, warms it with one query
(which loads the index) and swaps it in; the old view is closed when its last call returns. A
stale view may miss a new document's vectors for a moment, never shows a hidden one: every hit is
read back through `Store.visible_chunks`, which decides visibility in SQL at one moment.

Writes never go through a stale view: a writer (`write=True`) on a stale view, or on one `drop()`
marked, opens a fresh view at once (readers keep the old one meanwhile), and any write or `drop()`
discards a fresh view still being opened in the background (it may predate the write).

Several clients on one directory live side by side during a swap: chromadb shares one client
"system" per path string, so each open view uses its own spelling of the path (`…/chroma/.`,
`…/chroma/./.` …).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Seconds between the end of one background reopen and the start of the next: a burst of writes
# next door (a batch ingest publishes every few seconds; a benchmark's writer, many times a second)
# would otherwise reload the whole index back to back, taking the CPU the queries need.
REOPEN_INTERVAL = 1.0


@dataclass(eq=False)
class _View:
    client: Any
    collection: Any
    spelling: str | None
    generation: str  # the manifest generation whose vectors it holds at least ("" for a server)
    writable: bool = True  # False after `drop()`: the next write opens a fresh view first
    users: int = 0  # calls using it now
    retired: bool = False  # no longer current: closed when its last call returns


class ChromaHandle:
    """One Store's Chroma collection (see the module docstring)."""

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
        self.lock = threading.Lock()  # the fields below; never held during a Chroma call
        self._open_lock = threading.Lock()  # one foreground open at a time
        self._view: _View | None = None
        self._spellings: set[str | None] = set()  # of every client open or being opened
        self._epoch = 0  # bumped by every write and drop: a fresh view opened before is discarded
        self._opening: threading.Thread | None = None
        self._reopened_at = -REOPEN_INTERVAL  # time.monotonic() when the last background reopen ended
        self._closed = False

    @contextmanager
    def use(self, *, write: bool = False) -> Iterator[Any]:
        """The collection of a current enough view, for the duration of one call."""
        view = self._acquire(write)
        try:
            yield view.collection
        finally:
            self._release(view, write)

    def wrote(self) -> None:
        """This Store changed the generation itself: its current view is current, and a fresh
        view being opened may predate the change."""
        generation = self._generation() if self._embedded else ""
        with self.lock:
            self._epoch += 1
            if self._view is not None:
                self._view.generation = generation

    def drop(self) -> None:
        """The next write opens a fresh view first (a writer that just took the writer lock: another
        process may have written before); readers keep the current one."""
        with self.lock:
            self._epoch += 1
            if self._view is not None and self._embedded:
                self._view.writable = False

    def close(self) -> None:
        with self.lock:
            self._closed = True
            self._epoch += 1
            closing = self._retire_current()
            opening = self._opening
        self._close_views(closing)
        if opening is not None:
            opening.join(60)

    def wait_fresh(self, timeout: float = 60.0) -> None:
        """Wait for a background reopen in flight (tests and commands that want the newest view)."""
        opening = self._opening
        if opening is not None:
            opening.join(timeout)

    # ---- internals ---------------------------------------------------------------------------
    def _acquire(self, write: bool) -> _View:
        generation = self._generation() if self._embedded else ""  # SQL, outside the lock
        with self.lock:
            if write:
                self._epoch += 1  # a fresh view being opened in the background may predate this write
            view = self._usable(generation, write)
            if view is not None:
                return view
        with self._open_lock:  # nothing usable: open one now (readers keep any old view meanwhile)
            with self.lock:
                view = self._usable(generation, write)  # another call opened one meanwhile
                if view is not None:
                    return view
                if self._closed:
                    raise RuntimeError("the store is closed")
                spelling = self._reserve_spelling()
            try:
                # read first: the view holds at least this
                generation = self._generation() if self._embedded else ""
                fresh = _View(*self._open(spelling), generation)
            except BaseException:
                with self.lock:
                    self._spellings.discard(spelling)
                raise
            with self.lock:
                if write:
                    self._epoch += 1
                closing = self._install(fresh)
                fresh.users += 1
        self._close_views(closing)
        return fresh

    def _usable(self, generation: str, write: bool) -> _View | None:
        """(Under the lock.) The current view, counted as used, if this call may use it."""
        view = self._view
        if view is None:
            return None
        stale = self._embedded and view.generation != generation
        if write and (stale or not view.writable):
            return None  # never write through a stale view
        if stale:
            self._start_reopen()
        view.users += 1
        return view

    def _release(self, view: _View, write: bool) -> None:
        with self.lock:
            if write:
                self._epoch += 1
            view.users -= 1
            closing = [view] if view.retired and view.users == 0 else []
        self._close_views(closing)

    def _install(self, fresh: _View) -> list[_View]:
        """(Under the lock.) Make `fresh` current; the views to close now (the old one, unused)."""
        closing = self._retire_current()
        self._view = fresh
        return closing

    def _retire_current(self) -> list[_View]:
        old, self._view = self._view, None
        if old is None:
            return []
        old.retired = True
        return [old] if old.users == 0 else []

    def _close_views(self, views: list[_View]) -> None:
        for view in views:
            _close(view.client)
            with self.lock:
                self._spellings.discard(view.spelling)

    def _open(self, spelling: str | None) -> tuple[Any, Any, str | None]:
        client = self._open_client(spelling)
        return client, self._open_collection(client), spelling

    def _reserve_spelling(self) -> str | None:
        """(Under the lock.) A spelling of the path no open client uses (None for a server)."""
        if not self._embedded or self._path is None:
            return None
        spelling = str(self._path)
        while spelling in self._spellings:
            spelling += "/."
        self._spellings.add(spelling)
        return spelling

    def _start_reopen(self) -> None:
        """(Under the lock.) Open a fresh view in the background unless one is being opened."""
        if self._opening is not None or self._closed:
            return
        if time.monotonic() - self._reopened_at < REOPEN_INTERVAL:
            return  # the next query after the interval starts it
        spelling = self._reserve_spelling()
        thread = threading.Thread(
            target=self._reopen, args=(spelling, self._epoch), name="chroma-reopen", daemon=True
        )
        self._opening = thread
        thread.start()

    def _reopen(self, spelling: str | None, epoch: int) -> None:
        fresh: _View | None = None
        try:
            generation = self._generation()  # read first: the view holds at least this
            fresh = _View(*self._open(spelling), generation)
            _warm(fresh.collection)
        except Exception:  # the current view keeps serving; the next query tries again
            log.exception("reopening the Chroma client in the background failed")
            if fresh is not None:
                _close(fresh.client)
            fresh = None
        with self.lock:
            self._opening = None
            self._reopened_at = time.monotonic()
            closing: list[_View] = []
            if fresh is not None and epoch == self._epoch and not self._closed:
                closing = self._install(fresh)
            elif fresh is not None:
                closing = [fresh]  # a write or drop happened meanwhile: this view may predate it
            else:
                self._spellings.discard(spelling)
        self._close_views(closing)


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

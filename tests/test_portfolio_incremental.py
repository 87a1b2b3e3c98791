"""The portfolio's rows after a change to the store (issue #13): only the documents added or rewritten
since the last question are read, removed ones are dropped, and the rows are the same as a fresh read.
Real SQLite store, form records written as ingest leaves them (benchmarks.portfolio_forms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.portfolio_forms import _fill
from ingest.store import Store
from service.config import Settings
from service.portfolio import Portfolio


def _key(rows: list[Any]) -> list[tuple[str, str, Any]]:
    return sorted((r.doc_id, r.unit, {k: v.value for k, v in r.measures.items()}.get("rate")) for r in rows)


def test_a_change_reads_only_the_changed_documents(tmp_path: Path) -> None:
    store = Store.open(Settings(data_dir=tmp_path / "data", llm_base_url=None, llm_gguf=None))
    try:
        _fill(store, 0, 40, bump=True)
        portfolio = Portfolio(store)
        asked: list[list[str] | None] = []
        read = store.get_forms

        def spy(doc_ids: list[str] | None = None) -> list[dict[str, Any]]:
            asked.append(None if doc_ids is None else list(doc_ids))
            return read(doc_ids)

        store.get_forms = spy  # type: ignore[method-assign]
        assert len(portfolio.rows(None)) == 40 and asked == [None]  # the first read takes every form
        portfolio.rows(None)
        assert len(asked) == 1  # same generation: nothing read again

        _fill(store, 40, 1, bump=True)  # one more form, as publishing it would leave the store
        rows = portfolio.rows(None)
        assert len(rows) == 41 and asked[-1] == [f"{40:016x}"]

        store.hide(f"{3:016x}")  # removed: dropped, nothing read
        calls = len(asked)
        rows = portfolio.rows(None)
        assert len(asked) == calls and f"{3:016x}" not in {r.doc_id for r in rows} and len(rows) == 40

        store.get_forms = read  # type: ignore[method-assign]
        fresh = Portfolio(store).rows(None)
        assert _key(rows) == _key(fresh)
        documents, _rows = portfolio._snapshot()
        assert [d.doc_id for d in documents] == [d.doc_id for d in Portfolio(store)._snapshot()[0]]
    finally:
        store.close()

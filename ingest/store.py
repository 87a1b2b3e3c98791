"""The stores' read/write API: manifest, chunks (Chroma + SQL), tables and cells (SQL).

`service/` reads the stores only through this class, never through raw Chroma or SQL.
SKELETON — the signatures below are the contract; the ingest work fills in the bodies.
"""

from __future__ import annotations

from pathlib import Path

from ingest.models import Cell, Chunk, DocumentRecord, Page, SearchHit, Table
from ingest.settings import StorageSettings


class Store:
    """Opened once per process (CLI command or app lifespan) and injected.

    Thread-safe for readers. Writes go through `ingest.index` which holds the single-writer lock.
    """

    def __init__(self, settings: StorageSettings, *, embedder=None) -> None:
        raise NotImplementedError

    @classmethod
    def open(cls, settings: StorageSettings) -> Store:
        raise NotImplementedError

    # ---- manifest -------------------------------------------------------------------------
    def list_documents(self, *, include_failed: bool = True) -> list[DocumentRecord]:
        raise NotImplementedError

    def get_document(self, doc_id: str) -> DocumentRecord:
        """Raises NotFound."""
        raise NotImplementedError

    def resolve_document(self, ref: str) -> DocumentRecord:
        """A doc_id, a unique doc_id prefix, a file name or a (part of a) title -> the record; NotFound else."""
        raise NotImplementedError

    def generation(self) -> str:
        """Changes whenever any document is added, replaced or removed (for caches such as BM25)."""
        raise NotImplementedError

    def document_file(self, doc_id: str) -> Path:
        """The stored copy of the PDF (under data_dir/files)."""
        raise NotImplementedError

    # ---- text -----------------------------------------------------------------------------
    def get_chunks(self, doc_ids: list[str] | None = None) -> list[Chunk]:
        """All chunks (of ok documents), in document then chunk_index order."""
        raise NotImplementedError

    def get_pages(self, doc_id: str) -> list[Page]:
        """The cleaned text of each page, 1-based."""
        raise NotImplementedError

    def vector_search(
        self, query: str, *, k: int = 10, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[SearchHit]:
        """Dense search: embeds `query` with the query embedding (e5 `query:`), Chroma nearest
        neighbours, score = cosine similarity."""
        raise NotImplementedError

    # ---- tables ---------------------------------------------------------------------------
    def get_tables(self, doc_id: str | None = None) -> list[Table]:
        """Tables with their cells, in document order."""
        raise NotImplementedError

    def get_table(self, table_id: str) -> Table:
        raise NotImplementedError

    def all_cells(self, doc_ids: list[str] | None = None) -> list[tuple[Table, Cell]]:
        raise NotImplementedError

    # ---- writes (used by ingest.index only) -----------------------------------------------
    def delete_document(self, doc_id: str) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

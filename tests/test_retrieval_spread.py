"""A search over every document spreads its first hits over pages (`service.search.retrieval.spread_pages`):
a question that does not say which report it means gets candidate pages of several reports, not
three pieces of one page. The documents are written here for these tests."""

from __future__ import annotations

import pytest
from pdfgen import make_chinese_pdf

from service.search.retrieval import Retriever, spread_pages

# three sections on page 1, each its own chunk, each about the budget execution rate
MANY = [
    "一、预算执行率情况",
    "本项目全年预算执行率为95.20%，预算执行率比上年提高2个百分点，预算执行进度符合要求。",
    "二、预算执行率分析",
    "各季度预算执行率分别为20%、45%、70%和95.20%，预算执行率逐季上升。",
    "三、预算执行率偏差原因",
    "预算执行率未达100%的原因是部分设备采购合同年底才签订，预算执行率受到影响。",
]
# one section on page 1 that names it once among other things
ONE = [
    "一、项目基本情况",
    "本项目由街道办事处实施，全年开展社区活动36场，预算执行率为88.00%，群众反映良好。",
]


def test_spread_pages_puts_each_pages_best_chunk_first() -> None:
    page = {"a1": ("A", 1), "a2": ("A", 1), "a3": ("A", 1), "b": ("B", 1), "a4": ("A", 2)}
    ranked = [("a1", 1.0), ("a2", 0.9), ("a3", 0.8), ("b", 0.5), ("a4", 0.2)]
    out = spread_pages(ranked, page.__getitem__)
    assert out == [("a1", 1.0), ("b", 0.5), ("a4", 0.2), ("a2", 0.9), ("a3", 0.8)]
    assert spread_pages([], page.__getitem__) == []


@pytest.fixture(scope="module")
def two_reports(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from ingest.index import ingest_paths
    from ingest.store import Store
    from service.config import Settings

    root = tmp_path_factory.mktemp("spread")
    many = make_chinese_pdf(root / "many.pdf", title="甲街道2023年度项目支出绩效自评报告", paragraphs=MANY)
    one = make_chinese_pdf(root / "one.pdf", title="乙街道2023年度项目支出绩效自评报告", paragraphs=ONE)
    settings = Settings(data_dir=root / "data")
    records = ingest_paths(settings, [many, one])
    assert [r.status for r in records] == ["ok", "ok"], [r.message for r in records]
    with Store.open(settings) as store:
        yield store, settings, records[0].doc_id, records[1].doc_id


def test_a_search_over_every_document_gives_another_page_before_a_pages_second_chunk(
    two_reports,  # type: ignore[no-untyped-def]
) -> None:
    store, settings, many, one = two_reports
    assert len([c for c in store.get_chunks([many]) if c.page == 1]) >= 3
    retriever = Retriever(store, settings)
    hits = retriever.search("预算执行率是多少", k=2)
    assert [h.chunk.doc_id for h in hits] == [many, one]
    # scoped to the documents (the widget's picker, `document_ids`): the fused order, not spread
    scoped = retriever.search("预算执行率是多少", k=3, doc_ids=[many, one])
    assert [h.chunk.doc_id for h in scoped] == [many, many, many]
    assert [h.score for h in scoped] == sorted((h.score for h in scoped), reverse=True)

"""Hybrid retrieval: jieba tokens, the bm25s keyword index (built, filtered, persisted), RRF fusion,
and queries phrased as an official would on the real ingested sample report."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.models import Chunk
from service.search._bm25 import KeywordIndex, index_key
from service.search.retrieval import Retriever, rrf_fuse
from service.search.tokenizer import SearchTokenizer, header_terms, tokenizer_for

REPORT_TITLE = "2020年天津市便民专线服务中心运行经费项目绩效评价报告"


# ---- tokenizer ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory: pytest.TempPathFactory) -> SearchTokenizer:
    return SearchTokenizer(["工资福利支出总额"], cache_dir=tmp_path_factory.mktemp("jieba"))


def test_domain_terms_stay_whole(tokenizer: SearchTokenizer) -> None:
    """The field's terms come from the glossary; a document's own words from its table headers."""
    assert "预算执行率" in tokenizer.words("2020年预算执行率是多少")
    assert "资金到位率" in tokenizer.words("项目资金到位率为100%")
    assert "工资福利支出总额" in tokenizer.words("话务岗工资福利支出总额")
    learned = tokenizer_for(["坐席电话接听率"])
    assert "坐席电话接听率" in learned.words("坐席电话接听率是多少")


def test_search_mode_adds_sub_words(tokenizer: SearchTokenizer) -> None:
    tokens = tokenizer.tokens("预算执行率")
    assert "预算执行率" in tokens and "执行率" in tokens


def test_numbers_kept_whole_punctuation_and_stopwords_dropped(tokenizer: SearchTokenizer) -> None:
    assert tokenizer.tokens("执行率为 96.12%，是多少？") == ["执行", "执行率", "96.12"]
    assert tokenizer.tokens("２０１９年") == ["2019", "年"]
    assert tokenizer.tokens("。，、？！") == []


def test_header_terms_from_table_labels() -> None:
    assert header_terms(["工资福利 支出总额", "接听量（万次）", "2019 年", "其中：", "x"]) == [
        "其中",
        "工资福利支出总额",
        "接听量",
    ]


def test_private_dictionaries_do_not_leak(tmp_path: Path) -> None:
    a = SearchTokenizer(["便民专线运行经费"], cache_dir=tmp_path)
    b = SearchTokenizer([], cache_dir=tmp_path)
    assert "便民专线运行经费" in a.words("便民专线运行经费项目")
    assert "便民专线运行经费" not in b.words("便民专线运行经费项目")


def test_jieba_cache_goes_to_the_given_dir_or_temp() -> None:
    # the process-wide dictionary was initialised by an earlier SearchTokenizer with a writable dir
    import service.search.tokenizer as t

    assert t._base is not None and t._base.initialized


# ---- keyword index over hand-made chunks ----------------------------------------------------
def _chunk(i: int, text: str, doc: str = "d1", year: int | None = 2020, page: int = 1) -> Chunk:
    return Chunk(
        id=f"{doc}:{i:04d}",
        doc_id=doc,
        text=text,
        page=page,
        section="",
        kind="text",
        chunk_index=i,
        year=year,
    )


CHUNKS = [
    _chunk(
        0,
        "坐席电话接听率。全年累计呼入电话量 1053.2 万次、接听 1012.36 万次，全年累计接听率 96.12%。",
        page=4,
    ),
    _chunk(1, "预算执行率为 99.86%，实际使用经费 11076.79 万元。", page=2),
    _chunk(2, "群众对坐席的满意度每月均超过了 99%，全年总体满意度为 99.47%。", page=6),
    _chunk(3, "话务岗 780 814 7937.43 工资福利支出总额", page=2),
    _chunk(0, "预算执行率按实际支出金额除以调整后预算金额计算。", doc="policy", year=None),
    _chunk(0, "2019年接听率为 93.5%。", doc="d2019", year=2019),
]


@pytest.fixture(scope="module")
def index(tokenizer: SearchTokenizer) -> KeywordIndex:
    return KeywordIndex.build(
        generation="7",
        chunk_ids=[c.id for c in CHUNKS],
        texts=[c.text for c in CHUNKS],
        doc_ids=[c.doc_id for c in CHUNKS],
        years=[c.year for c in CHUNKS],
        tokenizer=tokenizer,
    )


def _ids(index: KeywordIndex, rows: list[tuple[int, float]]) -> list[str]:
    return [index.chunk_ids[i] for i, _ in rows]


def test_bm25_ranks_the_passage_with_the_terms_first(index: KeywordIndex) -> None:
    assert _ids(index, index.search("坐席电话接听率", k=3))[0] == "d1:0000"
    assert _ids(index, index.search("群众满意度", k=3))[0] == "d1:0002"
    assert _ids(index, index.search("96.12", k=3)) == ["d1:0000"]


def test_bm25_filters_by_document_and_year(index: KeywordIndex) -> None:
    assert set(_ids(index, index.search("预算执行率", k=5))) == {"d1:0001", "policy:0000"}
    assert _ids(index, index.search("预算执行率", k=5, doc_ids=["policy"])) == ["policy:0000"]
    assert _ids(index, index.search("接听率", k=5, year=2019)) == ["d2019:0000"]
    assert index.search("接听率", k=5, doc_ids=["nope"]) == []


def test_bm25_unknown_words_and_empty_queries_return_nothing(index: KeywordIndex) -> None:
    assert index.search("量子纠缠", k=5) == []
    assert index.search("？？", k=5) == []


def test_bm25_scores_are_sorted_and_positive(index: KeywordIndex) -> None:
    rows = index.search("接听率 满意度 预算执行率", k=10)
    scores = [s for _, s in rows]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


def test_keyword_index_save_and_load_round_trip(index: KeywordIndex, tmp_path: Path) -> None:
    path = index.save(tmp_path)
    assert path.name == index_key("7")
    loaded = KeywordIndex.load(tmp_path, "7")
    assert loaded is not None
    assert loaded.chunk_ids == index.chunk_ids
    assert loaded.tokenizer.domain_words == index.tokenizer.domain_words
    assert loaded.search("坐席电话接听率", k=3) == index.search("坐席电话接听率", k=3)
    assert KeywordIndex.load(tmp_path, "8") is None  # another generation: not there


def test_saving_a_new_generation_drops_the_old_one(index: KeywordIndex, tmp_path: Path) -> None:
    index.save(tmp_path)
    newer = KeywordIndex.build(
        generation="8", chunk_ids=[], texts=[], doc_ids=[], years=[], tokenizer=index.tokenizer
    )
    newer.save(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [index_key("8")]
    empty = KeywordIndex.load(tmp_path, "8")
    assert empty is not None and empty.search("接听率", k=3) == []


def test_a_corrupt_saved_index_is_ignored(index: KeywordIndex, tmp_path: Path) -> None:
    path = index.save(tmp_path)
    (path / "meta.json").write_text("{not json", encoding="utf-8")
    assert KeywordIndex.load(tmp_path, "7") is None


def test_rrf_fuses_ranks() -> None:
    fused = rrf_fuse([["a", "b", "c"], ["b", "d"]])
    assert [x for x, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


# ---- the real sample store ------------------------------------------------------------------
@pytest.fixture(scope="module")
def retriever(sample_store, sample_settings) -> Retriever:
    return Retriever(sample_store, sample_settings)


def _report_id(store) -> str:
    return next(d.doc_id for d in store.list_documents() if d.title == REPORT_TITLE)


def test_answer_rate_passage_comes_first(retriever: Retriever) -> None:
    hits = retriever.search("坐席电话接听率", k=5)
    assert hits[0].chunk.page == 4
    assert "96.12%" in hits[0].chunk.text


@pytest.mark.parametrize(
    ("query", "top", "pages", "must_contain"),
    [
        ("电话打进来有多少接通了", 3, {4}, "96.12%"),
        ("话务员的工资一共花了多少", 3, {2}, "表 1-2"),
        ("群众满意度", 1, {6}, "99.47%"),
        ("平台影响力 微博排名", 1, {5}, "微博"),
        ("老百姓打热线反映的事情比上一年多了多少", 3, {4, 6}, "37.83%"),  # stated on p4 and again on p6
        ("报告发现了哪些问题", 3, {7}, "四、存在的主要问题"),
    ],
)
def test_questions_phrased_by_officials(
    retriever: Retriever, query: str, top: int, pages: set[int], must_contain: str
) -> None:
    hits = retriever.search(query, k=top)
    assert any(h.chunk.page in pages and must_contain in h.chunk.text for h in hits), [
        (h.chunk.page, h.chunk.text[:40]) for h in hits
    ]


def test_over_budget_question_finds_p7_or_table_1_1(retriever: Retriever) -> None:
    hits = retriever.search("商品和服务支出超了预算吗", k=3)
    assert any((h.chunk.page == 7 and "超预算" in h.chunk.text) or "表 1-1" in h.chunk.text for h in hits), [
        (h.chunk.page, h.chunk.text[:40]) for h in hits
    ]


def test_filters_apply_to_both_sides(retriever: Retriever, sample_store) -> None:
    report = _report_id(sample_store)
    policy_hits = retriever.search_ranked(
        "预算执行率", k=8, doc_ids=[d.doc_id for d in sample_store.list_documents() if d.doc_id != report]
    )
    assert policy_hits and all(h.chunk.doc_id != report for h in policy_hits)
    assert any(h.dense_rank for h in policy_hits) and any(h.keyword_rank for h in policy_hits)
    year_hits = retriever.search("预算执行率", k=8, year=2020)
    assert year_hits and all(h.chunk.year == 2020 for h in year_hits)
    assert retriever.search("预算执行率", k=8, doc_ids=[]) == []


def test_hits_carry_fused_scores_best_first(retriever: Retriever) -> None:
    hits = retriever.search_ranked("预算执行率 99.86%", k=8)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].dense_rank is not None and hits[0].keyword_rank is not None
    assert hits[0].score <= 2 / 61 + 1e-9


def test_index_is_loaded_from_disk_when_generation_unchanged_and_rebuilt_when_it_changes(
    data_dir_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.index import remove_document
    from ingest.store import Store
    from service.config import Settings

    settings = Settings(data_dir=data_dir_copy)
    store = Store.open(settings)
    try:
        first = Retriever(store, settings)
        first.refresh()
        assert first.index_source in ("built", "disk")  # the copy may already hold the session's index
        generation = store.generation()
        assert (data_dir_copy / "bm25" / index_key(generation) / "meta.json").exists()

        def no_build(*args: object, **kwargs: object) -> None:
            raise AssertionError("the BM25 index was rebuilt although the generation did not change")

        with monkeypatch.context() as m:
            m.setattr(KeywordIndex, "build", classmethod(no_build))
            second = Retriever(store, settings)
            assert second.search("坐席电话接听率", k=1)[0].chunk.page == 4
            assert second.index_source == "disk"

        policy = next(d for d in store.list_documents() if d.title != REPORT_TITLE)
        remove_document(settings, policy.doc_id, store=store)
        assert store.generation() != generation
        hits = second.search("预算执行率按以下口径计算", k=8)
        assert second.index_source == "built"
        assert hits and all(h.chunk.doc_id != policy.doc_id for h in hits)
        assert [p.name for p in (data_dir_copy / "bm25").iterdir()] == [index_key(store.generation())]
    finally:
        store.close()


def test_concurrent_first_searches_build_the_index_once(
    data_dir_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    import threading

    from ingest.store import Store
    from service.config import Settings

    shutil.rmtree(data_dir_copy / "bm25", ignore_errors=True)
    settings = Settings(data_dir=data_dir_copy)
    original = KeywordIndex.build.__func__  # type: ignore[attr-defined]
    calls: list[int] = []

    def counting_build(cls: type[KeywordIndex], **kwargs: object) -> KeywordIndex:
        calls.append(1)
        return original(cls, **kwargs)

    monkeypatch.setattr(KeywordIndex, "build", classmethod(counting_build))
    with Store.open(settings) as store:
        retriever = Retriever(store, settings)
        results: list[list[str]] = []

        def worker() -> None:
            results.append([c.id for c, _ in retriever.keyword_search("坐席电话接听率", k=3)])

        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(calls) == 1
    assert len(results) == 4 and all(r == results[0] and r for r in results)


def test_an_empty_store_returns_no_hits(tmp_path: Path) -> None:
    from ingest.store import Store
    from service.config import Settings

    settings = Settings(data_dir=tmp_path / "empty")
    with Store.open(settings) as store:
        retriever = Retriever(store, settings)
        assert retriever.search("坐席电话接听率") == []
        assert retriever.keyword_search("坐席电话接听率") == []


class _DenseDown:
    """The real store, with its embedding backend down (as when an embeddings server is unreachable)."""

    def __init__(self, store: object) -> None:
        self._store = store

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def vector_search(self, *args: object, **kwargs: object) -> list:
        raise ConnectionError("embedding server unreachable")


def test_keyword_search_still_answers_when_the_embedding_backend_is_down(
    sample_store, sample_settings
) -> None:
    retriever = Retriever(_DenseDown(sample_store), sample_settings)
    hits = retriever.search_ranked("坐席电话接听率", k=3)
    assert hits[0].chunk.page == 4 and hits[0].dense_rank is None
    assert "unreachable" in (retriever.last_dense_error or "")

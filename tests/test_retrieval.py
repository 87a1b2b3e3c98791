"""Hybrid retrieval: jieba tokens, the bm25s keyword index (built, filtered, persisted), RRF fusion,
and queries phrased as an official would on the real ingested sample report."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.models import Chunk
from service.search._bm25 import KeywordIndex, Segment, merge_segments
from service.search.retrieval import EQUAL, FusionPlan, Retriever, fuse, fuse_plan, rrf_fuse
from service.search.tokenizer import SearchTokenizer, header_terms, tokenizer_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
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


def _index(chunks: list[Chunk], tokenizer: SearchTokenizer, *, per_segment: int = 0) -> KeywordIndex:
    """An index over `chunks`, one segment per `per_segment` chunks (all in one when 0)."""
    step = per_segment or len(chunks)
    segments = tuple(
        Segment.build(
            [tokenizer.tokens(c.text) for c in part],
            chunk_ids=[c.id for c in part],
            doc_ids=[c.doc_id for c in part],
            years=[c.year for c in part],
        )
        for part in (chunks[i : i + step] for i in range(0, len(chunks), step))
    )
    versions = {c.doc_id: "v1" for c in chunks}
    return KeywordIndex(generation="7", tokenizer=tokenizer, segments=segments, versions=versions)


@pytest.fixture(scope="module")
def index(tokenizer: SearchTokenizer) -> KeywordIndex:
    return _index(CHUNKS, tokenizer)


def _ids(rows: list[tuple[str, float]]) -> list[str]:
    return [cid for cid, _ in rows]


def test_bm25_ranks_the_passage_with_the_terms_first(index: KeywordIndex) -> None:
    assert _ids(index.search("坐席电话接听率", k=3))[0] == "d1:0000"
    assert _ids(index.search("群众满意度", k=3))[0] == "d1:0002"
    assert _ids(index.search("96.12", k=3)) == ["d1:0000"]


def test_bm25_filters_by_document_and_year(index: KeywordIndex) -> None:
    assert set(_ids(index.search("预算执行率", k=5))) == {"d1:0001", "policy:0000"}
    assert _ids(index.search("预算执行率", k=5, doc_ids=["policy"])) == ["policy:0000"]
    assert _ids(index.search("接听率", k=5, year=2019)) == ["d2019:0000"]
    assert index.search("接听率", k=5, doc_ids=["nope"]) == []


def test_bm25_unknown_words_and_empty_queries_return_nothing(index: KeywordIndex) -> None:
    assert index.search("量子纠缠", k=5) == []
    assert index.search("？？", k=5) == []


def test_bm25_scores_are_sorted_and_positive(index: KeywordIndex) -> None:
    rows = index.search("接听率 满意度 预算执行率", k=10)
    scores = [s for _, s in rows]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)


@pytest.mark.parametrize("per_segment", [0, 1, 2, 4])
def test_segment_scores_equal_one_bm25s_index_over_everything(
    tokenizer: SearchTokenizer, per_segment: int
) -> None:
    """Collection-wide statistics: however the chunks are split into segments, every score is the
    one bm25s (an independent implementation) gives over all chunks at once."""
    import bm25s

    reference = bm25s.BM25()
    reference.index([tokenizer.tokens(c.text) or [""] for c in CHUNKS], show_progress=False)
    split = _index(CHUNKS, tokenizer, per_segment=per_segment)
    for query in ("坐席电话接听率", "预算执行率 99.86", "满意度 满意度 2019年"):
        want = reference.get_scores(tokenizer.tokens(query))
        got = dict(split.search(query, k=len(CHUNKS)))
        for i, c in enumerate(CHUNKS):
            assert got.get(c.id, 0.0) == pytest.approx(float(want[i]), rel=1e-5, abs=1e-6), (query, c.id)


def test_tombstones_hide_a_document_and_a_new_version_lives_in_a_new_segment(
    index: KeywordIndex, tokenizer: SearchTokenizer
) -> None:
    newer = Segment.build(
        [tokenizer.tokens("预算执行率修订为 98.5%。")],
        chunk_ids=["policy:v2"],
        doc_ids=["policy"],
        years=[None],
    )
    changed = index.with_changes(generation="8", removed=["policy"], added=newer, versions={})
    assert _ids(changed.search("预算执行率", k=5, doc_ids=["policy"])) == ["policy:v2"]
    assert "policy:0000" not in _ids(changed.search("预算执行率", k=10))
    assert len(changed.segments) == 2 and changed.deleted == {index.segments[0].name: frozenset({"policy"})}
    assert _ids(index.search("预算执行率", k=5, doc_ids=["policy"])) == ["policy:0000"]  # old snapshot intact


def test_merging_drops_tombstoned_rows_and_keeps_every_score(tokenizer: SearchTokenizer) -> None:
    split = _index(CHUNKS, tokenizer, per_segment=1)
    gone = split.with_changes(generation="8", removed=["d2019"], versions={})
    plan = gone.merge_plan(max_segments=2)
    assert len(plan) >= 4
    merged = gone.with_merged(merge_segments(plan, gone.deleted), plan)
    assert len(merged.segments) == len(split.segments) - len(plan) + 1
    assert merged.size == len(CHUNKS) - 1 and not merged.deleted
    for query in ("坐席电话接听率", "预算执行率", "接听率"):
        before = dict(gone.search(query, k=10))
        after = dict(merged.search(query, k=10))
        assert set(after) == set(before) and "d2019:0000" not in after
        assert [before[c] > 0 for c in after] == [True] * len(after)
    assert _index(CHUNKS, tokenizer).merge_plan(max_segments=2) == []


def test_keyword_index_save_and_load_round_trip(tokenizer: SearchTokenizer, tmp_path: Path) -> None:
    split = _index(CHUNKS, tokenizer, per_segment=2).with_changes(
        generation="8", removed=["d2019"], versions={"d1": "v1", "policy": "v1"}
    )
    for seg in split.segments:
        seg.save(tmp_path)
    split.save_manifest(tmp_path)
    loaded = KeywordIndex.load(tmp_path)
    assert loaded is not None and loaded.generation == "8"
    assert [s.chunk_ids for s in loaded.segments] == [s.chunk_ids for s in split.segments]
    assert loaded.deleted == split.deleted and loaded.versions == split.versions
    assert loaded.tokenizer.domain_words == split.tokenizer.domain_words
    for query in ("坐席电话接听率", "接听率"):
        assert loaded.search(query, k=5) == split.search(query, k=5)


def test_a_saved_segment_opens_without_parsing_its_rows_or_terms(
    tokenizer: SearchTokenizer, tmp_path: Path
) -> None:
    """Chunk ids and terms are memory-mapped arrays on disk, not JSON lists: opening a segment of
    a million chunks must not parse a million ids in the serving process (that held the
    interpreter lock, and so every query, for most of a second)."""
    import numpy as np

    many = [
        _chunk(i, f"第{i}项 预算执行率 {i}.5% 坐席接听率", doc=f"doc{i // 50}", year=2020) for i in range(500)
    ]
    segment = _index(many, tokenizer).segments[0]
    segment.save(tmp_path)
    loaded = Segment.load(tmp_path, segment.name)
    assert isinstance(loaded.ids, np.memmap) and isinstance(loaded.terms, np.memmap)
    meta = (tmp_path / segment.name / "meta.json").read_text(encoding="utf-8")
    assert "doc0:0000" not in meta and "预算执行率" not in meta  # per document, not per chunk or term
    assert loaded.chunk_ids == [c.id for c in many]
    index = KeywordIndex(generation="1", tokenizer=tokenizer, segments=(loaded,))
    assert [cid for cid, _ in index.search("第123项", k=1)] == ["doc2:0123"]
    assert loaded.df("预算执行率") == 500 and loaded.df("不存在的词") == 0


def test_a_corrupt_manifest_or_segment_is_recovered(tokenizer: SearchTokenizer, tmp_path: Path) -> None:
    split = _index(CHUNKS, tokenizer, per_segment=3)
    for seg in split.segments:
        seg.save(tmp_path)
    split.save_manifest(tmp_path)
    lost = split.segments[1]
    (tmp_path / lost.name / "tf.npy").write_bytes(b"not an array")
    loaded = KeywordIndex.load(tmp_path)
    assert loaded is not None and [s.name for s in loaded.segments] == [split.segments[0].name]
    assert not set(loaded.versions) & set(lost.doc_ids)  # its documents will be indexed again …
    assert loaded.search("坐席电话接听率", k=5) == []  # … so their rows elsewhere are tombstoned
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    assert KeywordIndex.load(tmp_path) is None


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


def test_a_passage_is_found_by_its_documents_title(retriever: Retriever, sample_store) -> None:
    """The document's title heads every passage's keyword text: a page that never repeats the
    report's name is found by it, and no passage of another document is."""
    report = _report_id(sample_store)
    silent = [c.id for c in sample_store.get_chunks([report]) if "便民专线" not in c.section + c.text]
    assert silent  # the name is not on every page
    found = retriever.keyword_search("便民专线服务中心", k=200)
    assert set(silent) <= {c.id for c, _ in found}
    assert {c.doc_id for c, _ in found} == {report}


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


def test_hits_carry_fused_scores_best_first(retriever: Retriever, sample_store) -> None:
    everything = [d.doc_id for d in sample_store.list_documents()]  # scoped: not spread over pages
    hits = retriever.search_ranked("预算执行率 99.86%", k=8, doc_ids=everything)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].dense_rank is not None and hits[0].keyword_rank is not None
    assert hits[0].score <= 1 + 1e-9  # a specific query: 0.7 × BM25 + 0.3 × dense, each at most 1
    paraphrase = retriever.search_ranked("报告发现了哪些问题", k=8, doc_ids=everything)
    assert [h.score for h in paraphrase] == sorted((h.score for h in paraphrase), reverse=True)
    assert paraphrase[0].score <= (EQUAL.dense_weight + EQUAL.keyword_weight) / 61 + 1e-9


def test_index_is_loaded_from_disk_and_updated_by_document_not_rebuilt(
    data_dir_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ingest.index import ingest_paths, remove_document
    from ingest.store import Store
    from service.config import Settings

    settings = Settings(data_dir=data_dir_copy)
    store = Store.open(settings)
    try:
        first = Retriever(store, settings)
        first.refresh()
        generation = store.generation()
        assert (data_dir_copy / "bm25" / "manifest.json").exists()
        before = first._snapshot()
        second = Retriever(store, settings)
        assert second.search("坐席电话接听率", k=1)[0].chunk.page == 4
        assert second.index_source == "disk" and second.last_update == (0, 0)  # nothing tokenised again
        assert [g.name for g in second._snapshot().segments] == [g.name for g in before.segments]

        policy = next(d for d in store.list_documents() if d.title != REPORT_TITLE)
        remove_document(settings, policy.doc_id, store=store)
        assert store.generation() != generation
        second.refresh()
        assert second.last_update == (0, 1)  # a tombstone, no rebuild
        after = second._snapshot()
        assert [g.name for g in after.segments] == [g.name for g in before.segments]
        assert policy.doc_id in set().union(*after.deleted.values())
        hits = second.search("预算执行率按以下口径计算", k=8)
        assert hits and all(h.chunk.doc_id != policy.doc_id for h in hits)

        ingest_paths(settings, [FIXTURES / "policy_sample.pdf"], store=store)
        second.refresh()
        assert second.last_update == (1, 0)  # only the new document was tokenised, into a new segment
        new = second._snapshot().segments[-1]
        assert new.doc_ids == [policy.doc_id] and len(second._snapshot().segments) == len(before.segments) + 1
        assert any(c.doc_id == policy.doc_id for c, _ in second.keyword_search("预算执行率", k=30))
        assert Retriever(store, settings).keyword_search("预算执行率", k=30) == second.keyword_search(
            "预算执行率", k=30
        )  # what was persisted is what is served
    finally:
        store.close()


def test_a_change_never_blocks_a_query_of_a_warm_retriever(data_dir_copy: Path, monkeypatch) -> None:
    """While the index catches up with a change (held here until released), queries answer from
    the previous snapshot, filtered by what is visible now: never a removed document."""
    import threading

    from ingest.index import ingest_paths, remove_document
    from ingest.store import Store
    from service.config import Settings

    settings = Settings(data_dir=data_dir_copy)
    with Store.open(settings) as store:
        retriever = Retriever(store, settings)
        retriever.refresh()
        policy = next(d for d in store.list_documents() if d.title != REPORT_TITLE)
        release = threading.Event()
        original = Retriever._segment

        def held_segment(self: Retriever, *args: object) -> Segment:
            release.wait(60)
            return original(self, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(Retriever, "_segment", held_segment)
        remove_document(settings, policy.doc_id, store=store)
        ingest_paths(settings, [FIXTURES / "policy_sample.pdf"], store=store)  # its update is held
        results: list[list[str]] = []
        query = threading.Thread(
            target=lambda: results.append([c.doc_id for c, _ in retriever.keyword_search("预算执行率", k=30)])
        )
        query.start()
        query.join(30)
        try:
            assert not query.is_alive(), "a query waited for the index update"
            assert results and results[0] and set(results[0]) <= {d.doc_id for d in store.list_documents()}
        finally:
            release.set()
        retriever.refresh()
        assert policy.doc_id in {c.doc_id for c, _ in retriever.keyword_search("预算执行率", k=30)}


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


def test_rrf_weights_count_a_ranking_several_times() -> None:
    fused = rrf_fuse([["a", "b"], ["b", "a"]], weights=[1.0, 3.0])
    assert [x for x, _ in fused] == ["b", "a"]
    assert fused[0][1] == pytest.approx(1 / 62 + 3 / 61)


class _DenseDisagrees:
    """The real store, its dense side returning only chunks BM25 does not find for the query (a
    dense ranking that disagrees with BM25 completely)."""

    def __init__(self, store: object, retriever: Retriever) -> None:
        self._store = store
        self._retriever = retriever

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    def vector_search(self, query: str, *, k: int = 10, doc_ids=None, year=None) -> list:
        from ingest.models import SearchHit

        found = {c.id for c, _ in self._retriever.keyword_search(query, k=100, doc_ids=doc_ids)}
        others = [c for c in self._store.get_chunks(doc_ids) if c.id not in found]  # type: ignore[attr-defined]
        return [SearchHit(chunk=c, score=0.5) for c in others[:k]]


def test_fusion_is_keyword_led_for_specific_queries_and_equal_for_paraphrases(
    sample_store, sample_settings
) -> None:
    """Tuned on the corpus cases (benchmarks/quality.py): a query with a number or a long word is
    found by its words, BM25 leads; a paraphrase counts both sides the same (a tie keeps dense first)."""
    plain = Retriever(sample_store, sample_settings)
    retriever = Retriever(_DenseDisagrees(sample_store, plain), sample_settings)
    specific = retriever.search_ranked("预算执行率 99.86%", k=3)
    assert specific[0].keyword_rank == 1 and specific[0].dense_rank is None
    assert specific[1].keyword_rank == 2  # BM25's second still beats dense's first
    paraphrase = retriever.search_ranked("报告发现了哪些问题", k=3)
    assert paraphrase[0].dense_rank == 1 and paraphrase[1].keyword_rank == 1
    assert paraphrase[0].score == pytest.approx(paraphrase[1].score)
    assert fuse_plan(["2019", "年"]) == fuse_plan(["工资福利支出"]) != fuse_plan(["报告", "发现", "问题"])


def test_a_specific_query_keeps_how_far_bm25s_first_stands_above_the_rest() -> None:
    """A question quoting an exact figure: BM25 puts the chunk holding it far above the rest
    (score 12 against 3.1), the dense side misses it; a chunk both sides place near the top (a
    definition using the question's words) beat it under rank fusion, and does not by score."""
    keyword = [("figure", 12.0), ("definition", 3.1), ("other", 3.0), ("tail", 1.0)]
    dense = [("definition", 0.86), ("other", 0.85), ("tail", 0.84), ("unrelated", 0.80)]
    plan = fuse_plan(["全年执行数", "2030.12", "万元"])
    assert plan.mode == "convex"
    fused = fuse(plan, dense, keyword)
    assert [i for i, _ in fused][:2] == ["figure", "definition"]
    assert fused[0][1] == pytest.approx(0.7)  # BM25's first alone: 0.7 × 1 + 0.3 × 0
    assert fused[1][1] == pytest.approx(0.7 * 2.1 / 11 + 0.3)
    # rank fusion led by BM25 (×5, dense top 10), the plan before: the definition first
    before = fuse(FusionPlan(1.0, 5.0, dense_depth=10), dense, keyword)
    assert before[0][0] == "definition"
    # a paraphrase is still fused by rank, both sides equal
    assert fuse_plan(["报告", "发现", "问题"]) == EQUAL and EQUAL.mode == "rrf"
    assert fuse(EQUAL, [], []) == [] and fuse(plan, [], []) == []
    # one candidate, or all equal: each counts fully
    assert fuse(plan, [], [("only", 2.0)]) == [("only", pytest.approx(0.7))]

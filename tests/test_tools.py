"""The tool registry: schemas (snapshot), argument validation, errors the model can read, and each
tool on the real ingested sample store."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from service.search.retrieval import Retriever
from service.tools import TOOL_NAMES, Toolbox, tool_specs

REPORT_TITLE = "2020年天津市便民专线服务中心运行经费项目绩效评价报告"


@pytest.fixture(scope="module")
def toolbox(sample_store, sample_settings) -> Toolbox:
    return Toolbox(sample_store, Retriever(sample_store, sample_settings))


@pytest.fixture(scope="module")
def report_id(sample_store) -> str:
    return next(d.doc_id for d in sample_store.list_documents() if d.title == REPORT_TITLE)


def _is_error(result: dict, code: str) -> str:
    assert set(result) == {"error"}, result
    assert result["error"]["code"] == code, result
    message = result["error"]["message"]
    assert " / " in message and any("\u4e00" <= ch <= "\u9fff" for ch in message), (
        message
    )  # Chinese / English
    return message


# ---- schemas --------------------------------------------------------------------------------
def test_tool_specs_snapshot(snapshot) -> None:
    assert tool_specs() == snapshot


def test_tool_specs_are_valid_json_schemas_with_described_parameters() -> None:
    specs = tool_specs()
    assert [s["name"] for s in specs] == list(TOOL_NAMES)
    for spec in specs:
        Draft202012Validator.check_schema(spec["parameters"])
        assert spec["description"]
        for name, prop in spec["parameters"]["properties"].items():
            assert prop.get("description"), f"{spec['name']}.{name} has no description"


def test_compute_metric_spec_lists_the_metric_catalogue() -> None:
    from service.metrics import REGISTRY

    description = next(s for s in tool_specs() if s["name"] == "compute_metric")["description"]
    assert all(f"- {name}（" in description for name in REGISTRY)


def test_langchain_tools_mirror_the_specs(toolbox: Toolbox) -> None:
    from langchain_core.tools import StructuredTool
    from langchain_core.utils.function_calling import convert_to_openai_tool

    tools = toolbox.langchain_tools()
    specs = tool_specs()
    assert all(isinstance(t, StructuredTool) for t in tools)
    assert [t.name for t in tools] == [s["name"] for s in specs]
    for tool, spec in zip(tools, specs, strict=True):
        fn = convert_to_openai_tool(tool)["function"]
        assert fn["description"] == spec["description"]
        assert set(fn["parameters"]["properties"]) == set(spec["parameters"]["properties"])


def test_langchain_tool_runs_the_same_method(toolbox: Toolbox) -> None:
    tool = next(t for t in toolbox.langchain_tools() if t.name == "find_figure")
    direct = toolbox.find_figure("合计 预算执行率")
    assert tool.invoke({"query": "合计 预算执行率"}) == direct
    msg = tool.invoke(
        {"type": "tool_call", "id": "c1", "name": "find_figure", "args": {"query": "合计 预算执行率"}}
    )
    assert json.loads(msg.content) == direct


# ---- validation and errors ------------------------------------------------------------------
def test_bad_arguments_come_back_as_readable_errors(toolbox: Toolbox) -> None:
    assert "query" in _is_error(toolbox.search_documents(""), "bad_arguments")
    assert "k" in _is_error(toolbox.search_documents("接听率", k=0), "bad_arguments")
    assert "k" in _is_error(
        toolbox.call("search_documents", {"query": "接听率", "k": "lots"}), "bad_arguments"
    )
    assert "bogus" in _is_error(toolbox.call("find_figure", {"query": "x", "bogus": 1}), "bad_arguments")
    _is_error(toolbox.call("get_table", {"doc": "x"}), "bad_arguments")
    _is_error(toolbox.call("compute_metric", {"name": "share", "inputs": "1,2"}), "bad_arguments")
    _is_error(toolbox.call("delete_everything", {}), "unknown_tool")


def test_unknown_document_is_not_found(toolbox: Toolbox) -> None:
    _is_error(toolbox.get_table("no-such-report", "表1-1"), "not_found")
    _is_error(toolbox.search_documents("接听率", document_ids=["no-such-report"]), "not_found")
    _is_error(toolbox.check_report("no-such-report"), "not_found")


# ---- search_documents -----------------------------------------------------------------------
def test_search_documents_returns_cited_passages(toolbox: Toolbox, report_id: str) -> None:
    result = toolbox.search_documents("坐席电话接听率", k=3)
    first = result["passages"][0]
    assert first["page"] == 4 and "96.12%" in first["text"]
    assert first["doc_id"] == report_id and first["title"] == REPORT_TITLE
    assert {"section", "kind", "score", "chunk_id"} <= first.keys()
    assert len(result["passages"]) == 3
    json.dumps(result, ensure_ascii=False)


def test_search_documents_filters_by_document(toolbox: Toolbox, sample_store, report_id: str) -> None:
    policy = next(d for d in sample_store.list_documents() if d.doc_id != report_id)
    result = toolbox.search_documents("评价等级", document_ids=[policy.title[:6]])
    assert result["passages"] and {p["doc_id"] for p in result["passages"]} == {policy.doc_id}


# ---- find_figure ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "value", "unit", "page", "caption"),
    [
        ("话务岗 工资福利支出总额", "7937.43", "万元", 2, "表 1-2"),
        ("2019 接听量", "562.05", "万次", 4, "表 3"),
        ("合计 预算执行率", "99.86", "%", 2, "表 1-1"),
        ("项目决策 得分率", "88.24", "%", 3, "表 2"),
        ("2019年人工费用", "6826.25", "万元", 4, "表 3"),
        ("2018-2019年均值 单位人工成本", "8.38", "万元", 5, "表 3"),  # the baseline column, not 2019
        ("话务岗 保险", "1772.42", "万元", 2, "表 1-2"),  # under the two-level header 其中：
    ],
)
def test_find_figure_by_headers(
    toolbox: Toolbox, query: str, value: str, unit: str, page: int, caption: str
) -> None:
    best = toolbox.find_figure(query)["figures"][0]
    assert (best["value"], best["unit"], best["page"]) == (value, unit, page)
    assert best["table"].startswith(caption)
    assert best["raw"] in best["row_text"]


def test_find_figure_shows_an_empty_cell_rather_than_a_neighbour(toolbox: Toolbox) -> None:
    best = toolbox.find_figure("质检 2020年末人数")["figures"][0]
    assert best["row_header"] == ["质检"] and best["raw"] == "-" and best["value"] is None


class _CountingStore:
    """The real store, counting table reads; `bump()` stands for a write by the ingest."""

    def __init__(self, store) -> None:
        self._store, self.cell_reads, self.writes = store, 0, 0

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def generation(self) -> str:
        return f"{self._store.generation()}+{self.writes}"

    def all_cells(self, doc_ids=None):
        self.cell_reads += 1
        return self._store.all_cells(doc_ids)


def test_find_figure_reads_the_tables_once_per_store_generation(
    sample_store, sample_settings, report_id: str
) -> None:
    store = _CountingStore(sample_store)
    toolbox = Toolbox(store, Retriever(sample_store, sample_settings))
    first = toolbox.find_figure("合计 预算执行率")
    assert toolbox.find_figure("合计 预算执行率", document_ids=[report_id]) == first
    assert toolbox.find_figure("2019 接听量")["figures"]
    assert store.cell_reads == 1
    store.writes += 1
    assert toolbox.find_figure("合计 预算执行率") == first
    assert store.cell_reads == 2


def test_find_figure_without_a_match_says_so(toolbox: Toolbox) -> None:
    result = toolbox.find_figure("量子计算机 采购数量")
    assert result["figures"] == [] and "未找到" in result["message"]


def test_find_figure_respects_document_filter(toolbox: Toolbox, sample_store, report_id: str) -> None:
    policy = next(d for d in sample_store.list_documents() if d.doc_id != report_id)
    figures = toolbox.find_figure("话务岗 工资福利支出总额", document_ids=[policy.doc_id])["figures"]
    assert all(f["doc_id"] == policy.doc_id for f in figures)


# ---- get_table ------------------------------------------------------------------------------
@pytest.mark.parametrize("ref", ["表1-2", "表 1-2", "1-2", "工资福利支出明细表"])
def test_get_table_by_number_or_caption(toolbox: Toolbox, report_id: str, ref: str) -> None:
    table = toolbox.get_table(report_id, ref)
    assert table["caption"] == "表 1-2 工资福利支出明细表"
    assert table["pages"] == [2] and table["unit_line"] == "单位：人、万元、年"
    cell = next(c for c in table["cells"] if c["row_header"] == ["话务岗"] and c["raw"] == "7937.43")
    assert cell["page"] == 2 and cell["unit"] == "万元"
    assert table["rows"][-1][0] == "合计"


def test_get_table_by_id_and_by_title_fragment(toolbox: Toolbox, report_id: str) -> None:
    by_number = toolbox.get_table(REPORT_TITLE[:10], "表3")
    assert by_number["pages"] == [4, 5]
    assert toolbox.get_table(report_id, by_number["table_id"])["caption"] == by_number["caption"]


def test_get_table_ambiguous_or_missing(toolbox: Toolbox, report_id: str) -> None:
    assert "表 1-1" in _is_error(toolbox.get_table(report_id, "明细表"), "ambiguous")
    assert "表 2" in _is_error(toolbox.get_table(report_id, "表9"), "not_found")


# ---- compute_metric, list_documents, check_report -------------------------------------------
def test_compute_metric_returns_a_computation(toolbox: Toolbox) -> None:
    from service.answer.models import Computation

    out = toolbox.compute_metric(
        "budget_execution_rate", {"spent": "11076.79", "adjusted_budget": "11092.40"}
    )
    assert Computation(**out).display == "99.86%"


def test_compute_metric_errors_are_bilingual(toolbox: Toolbox) -> None:
    _is_error(toolbox.compute_metric("no_such_metric", {}), "unknown_metric")
    err = toolbox.compute_metric("budget_execution_rate", {"spent": "1", "adjusted_budget": "0"})
    assert "error" in err and " / " in err["error"]["message"]


def test_list_documents(toolbox: Toolbox, report_id: str) -> None:
    docs = toolbox.list_documents()["documents"]
    assert {d["kind"] for d in docs} == {"report", "policy"}
    report = next(d for d in docs if d["doc_id"] == report_id)
    assert (report["title"], report["year"], report["pages"], report["tables"]) == (REPORT_TITLE, 2020, 8, 5)


def test_check_report_runs_the_checker(toolbox: Toolbox, report_id: str) -> None:
    result = toolbox.check_report(report_id)
    assert "error" not in result, result
    assert result["doc_id"] == report_id and result["items"]
    summary = result["summary"]
    assert summary["total"] == len(result["items"])
    assert summary["ok"] + summary["mismatch"] + summary["cannot_verify"] == summary["total"]
    assert summary["mismatch"] == 0  # the sample report is consistent with itself


def test_check_report_grades_by_a_policy_documents_bands(toolbox: Toolbox, report_id: str) -> None:
    result = toolbox.check_report(report_id, policy="policy_sample")
    assert "error" not in result, result
    assert "第八条" in json.dumps(result["grade_rule"], ensure_ascii=False)
    grade = [i for i in result["items"] if "优" in str(i.get("stated", ""))]
    assert grade and all(i["status"] == "ok" for i in grade)


def test_langchain_tool_bad_arguments_are_returned_not_raised(toolbox: Toolbox) -> None:
    tool = next(t for t in toolbox.langchain_tools() if t.name == "search_documents")
    out = json.loads(tool.invoke({"query": "接听率", "k": 99}))
    assert "k" in _is_error(out, "bad_arguments")


def test_a_single_document_id_may_be_a_bare_string(toolbox: Toolbox, report_id: str) -> None:
    result = toolbox.call("search_documents", {"query": "接听率", "document_ids": report_id, "k": 2})
    assert [p["doc_id"] for p in result["passages"]] == [report_id, report_id]


# ---- header matching, pure (service.search.figures) ------------------------------------------------
def _table(caption: str, rows: list[tuple[str, list[str]]], cols: list[str]):
    from ingest.models import Cell, Table

    t = Table(
        id="d:t00",
        doc_id="d",
        index=0,
        caption=caption,
        unit_line="单位：万元",
        pages=[1],
        header=[cols],
        rows=[],
    )
    for r, (label, values) in enumerate(rows):
        t.rows.append([label, *values])
        for c, raw in enumerate(values):
            t.cells.append(
                Cell(r, c + 1, (label,), (cols[c + 1],), raw, None if raw == "-" else raw, "万元", 1)
            )
    return t


def test_find_cells_prefers_whole_labels_and_longer_ones(tmp_path) -> None:
    from service.search.figures import find_cells, normalize_label
    from service.search.tokenizer import SearchTokenizer

    t = _table(
        "表 9 测试表",
        [("得分", ["15", "19.50"]), ("得分率", ["88.24%", "84.78%"])],
        ["指标", "项目决策", "项目过程"],
    )
    tk = SearchTokenizer(cache_dir=tmp_path)
    cells = [(t, c) for c in t.cells]
    best = find_cells("项目决策 得分率", cells, tk)[0]
    assert (best.cell.row_header, best.cell.col_header, best.cell.raw) == (
        ("得分率",),
        ("项目决策",),
        "88.24%",
    )
    assert find_cells("项目过程 得分", cells, tk)[0].cell.raw == "19.50"
    assert find_cells("满意度", cells, tk) == []
    assert normalize_label("2018 年-2019 年均值") == "2018-2019均值"
    assert normalize_label("接听量（万次）") == "接听量"
    assert normalize_label("其中：") == ""

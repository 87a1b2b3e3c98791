"""A table cell named by its row (the document's own words) and its column (a glossary measure):
"在职人员控制率这一项满分几分？". Facts are built by hand in the shape ingest/facts.py gives them, so
each rule is seen alone; the metrics module computes the one derived figure (扣分 = 分值 − 得分)."""

from __future__ import annotations

from typing import Any

import pytest

from ingest.facts import Fact
from ingest.glossary import load_glossary
from service.answer.operations.answer import FactAnswerer
from service.answer.operations.cells import free_chunks, mentioned
from service.answer.operations.question import parse
from service.search.facts import index_fact


@pytest.fixture(scope="module")
def g():
    return load_glossary()


def cell(
    i: int, row: tuple[str, ...], col: str, value: str, unit: str = "", *, r: int = 0, c: int = 0
) -> Fact:
    return Fact(
        id=f"d:f{i:05d}", doc_id="d", value=value, unit=unit, description=f"{'/'.join(row)} {col}",
        context=f"评分表 {'/'.join(row)} {col}", page=1, quote="｜".join((*row, value)), source="table",
        period=None, table_id="d:t00", row_index=r, col_index=c, row_path=row, col_path=(col,),
    )  # fmt: skip


class _Index:
    def __init__(self, items: list[Any]) -> None:
        self._items = items

    def items(self, doc_ids: list[str] | None) -> list[Any]:
        return self._items


class _Toolbox:
    """compute_metric as the real toolbox does it: the metrics module, nothing else."""

    def __init__(self, items: list[Any]) -> None:
        self.index = _Index(items)

    def fact_index(self) -> _Index:
        return self.index

    def compute_metric(self, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
        from service.metrics import compute

        return compute(name, inputs).to_computation()


SCORE_TABLE = [  # 一级 / 三级 rows; columns 分值 and 自评得分
    (("投入", "在职人员控制率"), "5", "4"),
    (("投入", "三公经费变动率"), "5", "5"),
    (("预算执行", "资金结余"), "3", "2"),
    (("满意度", "学生满意度"), "10", "10"),
]


@pytest.fixture(scope="module")
def answerer(g):
    facts = []
    for r, (row, weight, score) in enumerate(SCORE_TABLE):
        facts.append(cell(2 * r, row, "分值", weight, "分", r=r, c=2))
        facts.append(cell(2 * r + 1, row, "自评得分", score, "", r=r, c=3))
    items = [index_fact(f, "某局部门整体支出绩效评价评分表", g) for f in facts]
    return FactAnswerer(_Toolbox(items), g)


def ask(answerer: FactAnswerer, q: str, previous: dict[str, Any] | None = None):
    _ask, draft = answerer.answer(q, previous=previous)
    return draft


def test_row_and_column_are_read_from_the_question(g) -> None:
    cell_ask = parse("在职人员控制率这一项满分几分？", g).cell
    assert cell_ask is not None and cell_ask.measure == "weight" and cell_ask.chunks == ("在职人员控制率",)
    assert parse("资金结余那项扣了几分？", g).cell.measure == "deduction"
    assert parse("学生满意度这个指标得了几分？", g).cell.chunks == ("学生满意度",)


def test_the_cell_of_the_named_row_and_column(answerer) -> None:
    draft = ask(answerer, "在职人员控制率这一项满分几分？")
    assert draft is not None and [f["display"] for f in draft.variables["figures"]] == ["5分"]
    draft = ask(answerer, "在职人员控制率这一项得了几分？")
    assert [f["display"] for f in draft.variables["figures"]] == ["4"]  # the score, not the weight


def test_a_deduction_is_computed_from_its_row(answerer) -> None:
    draft = ask(answerer, "资金结余那项扣了几分？")
    assert draft is not None and draft.computations
    comp = draft.computations[0]
    assert comp.metric == "difference" and comp.value in ("1", "1.0") and "3" in comp.formula


def test_a_row_the_table_does_not_list_is_not_answered(answerer) -> None:
    assert ask(answerer, "家长满意度这一项得了几分？") is None  # not the 学生满意度 row


def test_a_group_is_the_sum_of_its_items(answerer) -> None:
    # "投入" names a group of rows: no one child's cell is its figure; the sum of all of them is
    draft = ask(answerer, "投入这一部分满分几分？")
    comp = draft.computations[0]
    assert comp.metric == "sum_of_parts" and comp.value in ("10", "10.0") and len(comp.inputs) == 2
    listed = ask(answerer, "在职人员控制率和资金结余加起来一共得了几分？")
    assert listed.computations[0].metric == "sum_of_parts" and listed.computations[0].value in ("6", "6.0")


def test_follow_ups_keep_the_row_or_the_column(answerer) -> None:
    first = ask(answerer, "在职人员控制率这一项得了几分？")
    other_row = ask(answerer, "那三公经费变动率呢？", previous=first.meta)
    assert [f["display"] for f in other_row.variables["figures"]] == ["5"]
    other_col = ask(answerer, "它的满分是多少？", previous=first.meta)
    assert [f["display"] for f in other_col.variables["figures"]] == ["5分"]


def test_the_question_words_an_answer_must_speak_of(g) -> None:
    assert free_chunks("服务补贴的执行率是多少？", g) == ("服务补贴",)
    assert free_chunks("2020年预算执行率是多少？", g) == ()
    assert mentioned("话务岗全年", "话务岗 工资福利支出")  # a paraphrase shares its parts
    assert not mentioned("服务补贴", "培训费全年预算870.26万元，实际支出822.40万元")


def test_the_items_below_full_marks_are_listed(answerer) -> None:
    draft = ask(answerer, "哪几项指标没拿满分？")
    assert draft is not None and draft.variables["intro"].endswith("共二项：")
    subjects = [f["subject"] for f in draft.variables["figures"]]
    assert subjects == ["“在职人员控制率”得分（分值5）", "“资金结余”得分（分值3）"]


class _FormStore:
    """`Store.get_forms` as ingest/forms.py records it: one 项目支出绩效自评表 header."""

    def get_forms(self, doc_ids: list[str] | None) -> list[dict[str, Any]]:
        def cell(text: str, col: int) -> dict[str, Any]:
            return {"text": text, "value": None, "unit": "", "where": {"page": 1, "row": 2, "col": col}}

        return [
            {
                "doc_id": "d",
                "title": "项目支出绩效自评表",
                "header": {
                    "project": cell("某县水标尺制作安装", 2),
                    "agency": cell("某县水利局", 2),
                    "implementer": cell("", 6),
                },
            }
        ]


def test_form_header_fields_are_answered_from_the_form(g) -> None:
    toolbox = _Toolbox([])
    toolbox.store = _FormStore()
    answerer = FactAnswerer(toolbox, g)
    _ask, draft = answerer.answer("这张自评表评的是哪个项目？主管部门是谁？")
    assert [f["display"] for f in draft.variables["figures"]] == ["“某县水标尺制作安装”", "“某县水利局”"]
    assert [c.quote for c in draft.cites.items] == ["某县水标尺制作安装", "某县水利局"]
    # a blank 实施单位 cell is not answered (the question is handed on, never filled in)
    assert answerer.answer("实施单位是哪家？")[1] is None


def _score_table(g, rows: list[tuple[tuple[str, ...], str, str]]) -> FactAnswerer:
    facts = []
    for r, (row, weight, score) in enumerate(rows):
        facts.append(cell(2 * r, row, "权重分", weight, "", r=r, c=3))
        facts.append(cell(2 * r + 1, row, "评价得分", score, "", r=r, c=4))
    return FactAnswerer(_Toolbox([index_fact(f, "某项目绩效评价得分表", g) for f in facts]), g)


def test_a_group_sum_counts_items_whose_own_name_repeats_the_groups(g) -> None:
    # 效益（30分）: 社会效益 and 生态效益 are items of the group as much as 可持续影响 — an item's name
    # that repeats the group's word does not take it out of the group (the sum is 27.68, not 11.12)
    answerer = _score_table(
        g,
        [
            (("产出（40分）", "产出数量", "实际完成率"), "40", "36.59"),
            (("效益（30分）", "项目效益", "社会效益"), "7", "6.56"),
            (("效益（30分）", "项目效益", "生态效益"), "10", "10.00"),
            (("效益（30分）", "项目效益", "可持续影响"), "7", "5.12"),
            (("效益（30分）", "项目效益", "服务对象满意度"), "6", "6.00"),
        ],
    )
    draft = ask(answerer, "效益类指标一共得了多少分？")
    assert draft is not None and draft.computations, draft and draft.text()
    comp = draft.computations[0]
    assert comp.metric == "sum_of_parts" and comp.value == "27.68" and len(comp.inputs) == 4


def test_a_group_sum_whose_items_do_not_make_the_stated_points_is_refused(g) -> None:
    # the group's label states 30 分; the items read under it carry 13 of them: an item was lost
    # (a page break, a merged cell), so their sum is no figure of the group
    answerer = _score_table(
        g,
        [
            (("效益（30分）", "项目效益", "可持续影响"), "7", "5.12"),
            (("效益（30分）", "项目效益", "服务对象满意度"), "6", "6.00"),
            (("项目效益", "生态效益"), "17", "16.56"),
        ],
    )
    draft = ask(answerer, "效益类指标一共得了多少分？")
    assert draft is None or (not draft.found and "11.12" not in draft.text())


def _target_cell(
    i: int, row: tuple[str, ...], col: str, value: str, unit: str, comparator: str, r: int, c: int
):
    from dataclasses import replace

    return replace(cell(i, row, col, value, unit, r=r, c=c), comparator=comparator)


def test_a_target_asked_of_no_indicator_is_no_one_indicators(g) -> None:
    # 年度指标值 of seven indicators, two of them "100%" with no ≥ and the rest "≥880人次" …: the
    # question names no indicator, so no row's target is the answer — the ≥ of a target is what a
    # target looks like, not a reason to prefer the rows without one
    rows = [
        (("产出指标", "数量指标", "实施临时救助"), "2800", "户", "≥", "2808"),
        (("产出指标", "数量指标", "开展养老护理员培训"), "880", "人次", "≥", "929"),
        (("产出指标", "质量指标", "补贴发放准确率"), "100", "%", "", "100.00"),
        (("产出指标", "时效指标", "任务按期完成率"), "100", "%", "", "100.00"),
        (("满意度指标", "服务对象满意度指标", "服务对象满意度"), "85", "%", "≥", "89.20"),
    ]
    facts = []
    for r, (row, target, unit, comp, actual) in enumerate(rows):
        facts.append(_target_cell(2 * r, row, "年度指标值", target, unit, comp, r, 3))
        facts.append(cell(2 * r + 1, row, "实际完成值", actual, unit, r=r, c=4))
    answerer = FactAnswerer(_Toolbox([index_fact(f, "项目支出绩效自评表", g) for f in facts]), g)
    draft = ask(answerer, "年度指标值定的是多少？")
    assert draft is None or not draft.found, draft.text()


def _budget_table(g) -> FactAnswerer:
    # a 部门整体 expenditure table: 年初预算数 | 全年预算数 | 实际支出 by line, 总计 last
    rows = [
        (("一、基本支出",), "7778.70", "7884.00", "7433.39"),
        (("二、项目支出",), "37821.00", "37821.00", "30105.52"),
        (("总计",), "45599.70", "45705.00", "37538.91"),
    ]
    facts = []
    for r, (row, initial, adjusted, spent) in enumerate(rows):
        for c, (col, value) in enumerate(
            (("年初预算数", initial), ("全年预算数", adjusted), ("实际支出", spent))
        ):
            facts.append(cell(3 * r + c, row, col, value, "万元", r=r, c=c + 1))
    return FactAnswerer(_Toolbox([index_fact(f, "某局部门整体支出绩效评价报告", g) for f in facts]), g)


def test_a_question_naming_only_a_measure_keeps_the_line_just_answered(g) -> None:
    from service.answer.operations.answer import same_row_followup

    answerer = _budget_table(g)
    first = ask(answerer, "项目支出全年预算是多少？")
    assert [f["display"] for f in first.variables["figures"]] == ["37821.00万元"]
    # "实际支出了多少？" right after it asks the 项目支出 line's, not the 总计's 37538.91
    draft = same_row_followup(answerer, "实际支出了多少？", first.meta, None)
    assert draft is not None and [f["display"] for f in draft.variables["figures"]] == ["30105.52万元"]
    # a measure that line has no column for is not found — never another line's figure
    draft = same_row_followup(answerer, "那决算数呢？", first.meta, None)
    assert draft is not None and not draft.found and "37538.91" not in draft.text()
    # a question with a line of its own, a year or a total is not such a follow-up
    for q in ("基本支出实际支出了多少？", "2019年实际支出了多少？", "实际一共支出了多少？"):
        assert same_row_followup(answerer, q, first.meta, None) is None, q


def test_one_lines_figure_is_no_answer_when_the_question_names_no_line(g) -> None:
    # 指标值 of three indicators: 建设里程 (no glossary word) reads "plainer" than 培训人次 or
    # 验收合格率, but the question names none of them — so none is its answer; the 总计 of a column is
    the_whole = ask(_budget_table(g), "实际支出了多少？")
    assert [f["display"] for f in the_whole.variables["figures"]] == ["37538.91万元"]
    rows = [
        (("产出指标", "数量指标", "建设里程"), "104"),
        (("产出指标", "数量指标", "培训人次"), "4504"),
        (("产出指标", "质量指标", "验收合格率"), "95"),
    ]
    facts = [cell(r, row, "指标值", value, "", r=r, c=3) for r, (row, value) in enumerate(rows)]
    answerer = FactAnswerer(_Toolbox([index_fact(f, "项目支出绩效自评表", g) for f in facts]), g)
    draft = ask(answerer, "年度指标值定的是多少？")
    assert draft is None or not draft.found, draft.text()
    named = ask(answerer, "建设里程的年度指标值是多少？")
    assert named is not None and [f["display"] for f in named.variables["figures"]] == ["104"]


def _staff_table(g, actual_header: str) -> FactAnswerer:
    rows = [(("行政编制",), "75", "74"), (("事业编制",), "131", "121"), (("总计",), "206", "195")]
    facts = []
    for r, (row, quota, actual) in enumerate(rows):
        facts.append(cell(2 * r, row, "编制人数（人）", quota, "人", r=r, c=1))
        facts.append(cell(2 * r + 1, row, f"{actual_header}（人）", actual, "人", r=r, c=2))
    return FactAnswerer(_Toolbox([index_fact(f, "某局部门整体支出绩效评价报告", g) for f in facts]), g)


def _meta(draft) -> dict[str, Any]:
    return {**draft.meta, "found": draft.found}


def test_a_follow_up_naming_another_line_keeps_the_quantity_asked(g) -> None:
    from service.answer.operations.followups import other_row_followup

    # the column answered stays: 实有人数 of 行政编制 is 74, not the row's first figure (编制 75)
    answerer = _staff_table(g, "实有人数")
    first = ask(answerer, "实有人数合计是多少？")
    assert [f["display"] for f in first.variables["figures"]] == ["195人"]
    draft = other_row_followup(answerer, "那行政编制有多少人？", _meta(first), None)
    assert draft is not None and [f["display"] for f in draft.variables["figures"]] == ["74人"]
    # a quantity the table does not state (its column says 在职人数): no line's figure is its answer
    answerer = _staff_table(g, "在职人数")
    first = ask(answerer, "实有人数合计是多少？")
    assert first is not None and not first.found
    draft = other_row_followup(answerer, "那行政编制有多少人？", _meta(first), None)
    assert draft is not None and not draft.found and "75" not in draft.text() and "74" not in draft.text()
    # the budget column answered, not the line's spending
    answerer = _budget_table(g)
    first = ask(answerer, "项目支出全年预算是多少？")
    draft = other_row_followup(answerer, "那基本支出呢？", _meta(first), None)
    assert draft is not None and [f["display"] for f in draft.variables["figures"]] == ["7884.00万元"]
    # a follow-up naming a column or a year of its own is another kind
    assert other_row_followup(answerer, "那基本支出的实际支出呢？", _meta(first), None) is None
    assert other_row_followup(answerer, "那2019年呢？", _meta(first), None) is None

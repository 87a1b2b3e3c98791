"""Number grounding: figures in an answer must come from its evidence or its computations."""

from __future__ import annotations

from service.answer.grounding import ground, mark
from service.answer.models import Computation

# Evidence as the answerers hand it over: passages (p2, p4, p5) and a table chunk, verbatim from the report.
P2 = "项目执行过程中，2020 年度实际使用经费 11076.79 万元，预算执行率为 99.86%。具体情况见表 1:"
P4 = (
    "(1)坐席电话接听率。便民专线服务中心 2020 年度全年累计呼入电话量 1053.2 万次、接听 1012.36 万次，"
    "全年累计接听率 96.12%，计划接听率为 90%，实际接听率高于原设定的计划接听率。"
)
P5 = "便民专线服务中心 2020 年话务员月均流失率为 1.1%；2018-2019 年平均月度人员流失率为 2.72%。"
TABLE3 = (
    "表 3 便民专线运行经费项目成本统计情况表\n指标 \\ 年度\t2020 年\t2019 年\t2018 年\t2018 年-2019 年均值\n"
    "接听量（万次）\t1012.36\t562.05\t544.77\t553.41\n月均人员流失率\t1.10%\t2.96%\t2.42%\t2.72%"
)
P7 = "商品和服务支出全年预算金额为1969.62万元，实际支出为1978.55万元，超预算金额8.93万元。"
EVIDENCE = [P2, P4, P5, TABLE3, P7]

GROWTH = Computation(
    metric="growth_rate",
    name_zh="增长率",
    inputs=[
        {"name": "current", "label": "本期", "value": "1036.39", "unit": "万件"},
        {"name": "previous", "label": "上期", "value": "751.92", "unit": "万件"},
    ],
    formula="(1036.39 − 751.92) ÷ 751.92 × 100% = 37.83%",
    value="37.83338653048196616661347",
    unit="%",
    display="37.83%",
)
OVER = Computation(
    metric="over_budget_amount",
    inputs=[
        {"name": "spent", "value": "1978.55", "unit": "万元"},
        {"name": "budget", "value": "1969.62", "unit": "万元"},
    ],
    formula="1978.55 − 1969.62 = 8.93万元",
    value="8.93",
    unit="万元",
    display="8.93万元",
)


def test_correct_answer_stays_grounded_and_unchanged() -> None:
    text = "根据报告[1]，2020年度实际使用经费11076.79万元，预算执行率为99.86%（第2页）。坐席电话接听率为96.12%[2]。"
    r = ground(text, evidence=EVIDENCE, computations=[])
    assert r.grounded and r.ungrounded == []
    assert r.text == text
    assert r.checked == ["11076.79万元", "99.86%", "96.12%"]


def test_a_wrong_rate_is_marked() -> None:
    text = "2020年坐席电话接听率为95.2%，高于计划接听率90%。"
    r = ground(text, evidence=EVIDENCE, computations=[])
    assert not r.grounded
    assert r.ungrounded == ["95.2%"]
    assert r.text == f"2020年坐席电话接听率为{mark('95.2%')}，高于计划接听率90%。"


def test_an_invented_figure_for_another_year_is_marked() -> None:
    # the report gives 562.05 万次 for 2019; a model that "remembers" 600 万次 is caught
    text = "2019年接听量为600万次，2020年为1012.36万次。"
    r = ground(text, evidence=EVIDENCE, computations=[])
    assert r.ungrounded == ["600万次"]
    assert "⟨未核实：600万次⟩" in r.text and "1012.36万次" in r.text


def test_model_arithmetic_is_not_evidence() -> None:
    # 1036.39 − 751.92 = 284.47: true, but no tool computed it, so it must not pass as a fact
    text = "受理量增长37.83%，增加了284.47万件。"
    r = ground(text, evidence=[], computations=[GROWTH])
    assert r.ungrounded == ["284.47万件"]
    assert r.checked == ["37.83%"]


def test_computation_value_display_and_inputs_ground_numbers() -> None:
    text = "2020年受理量1036.39万件，2019年751.92万件，增长37.83%；超预算8.93万元。"
    r = ground(text, evidence=[], computations=[GROWTH, OVER])
    assert r.grounded, r.ungrounded


def test_computations_as_plain_dicts_work_too() -> None:
    r = ground("增长37.8%。", evidence=[], computations=[GROWTH.model_dump()])
    assert r.grounded


def test_unit_scale_normalisation() -> None:
    r = ground("超预算89300元，约8.9万元。", evidence=[P7], computations=[])
    assert r.grounded, r.ungrounded
    assert not ground("超预算8930元。", evidence=[P7], computations=[]).grounded


def test_percent_rounding_both_ways() -> None:
    assert ground("流失率1.10%。", evidence=[P5], computations=[]).grounded  # evidence says 1.1%
    assert ground("流失率1.1%。", evidence=[TABLE3], computations=[]).grounded  # evidence says 1.10%
    assert ground("执行率约99.9%。", evidence=[P2], computations=[]).grounded
    assert not ground("执行率99.87%。", evidence=[P2], computations=[]).grounded


def test_percent_against_a_fraction_valued_computation() -> None:
    comp = Computation(metric="answer_rate", formula="", value="0.961215", unit="", display="0.9612")
    assert ground("接听率96.12%。", evidence=[], computations=[comp]).grounded


def test_table_cells_without_unit_ground_figures_with_unit() -> None:
    r = ground("2019年接听量为562.05万次。", evidence=[TABLE3], computations=[])
    assert r.grounded


def test_unit_mismatch_is_not_grounded() -> None:
    assert not ground("接听了1012.36万元。", evidence=[P4], computations=[]).grounded


def test_sign_is_stated_in_words() -> None:
    ev = ["每 1 万接听量人工成本较历史均值增长率\t-15.03%"]
    assert ground("较历史均值下降15.03%。", evidence=ev, computations=[]).grounded


def test_years_dates_citations_list_markers_and_references_are_exempt() -> None:
    text = "1. 2020年1-12月[3]，见表1-2及第4页：\n(1)坐席电话接听率96.12%。"
    r = ground(text, evidence=[P4], computations=[])
    assert r.grounded and r.checked == ["96.12%"]


def test_full_width_and_thousands_separators() -> None:
    assert ground("实际使用经费１１，０７６．７９万元。", evidence=[P2], computations=[]).grounded
    assert ground("实际使用经费11,076.79万元。", evidence=[P2], computations=[]).grounded


def test_marking_is_idempotent_and_still_reported() -> None:
    once = ground("接听率为95.2%。", evidence=EVIDENCE, computations=[])
    twice = ground(once.text, evidence=EVIDENCE, computations=[])
    assert twice.text == once.text
    assert not twice.grounded and twice.ungrounded == ["95.2%"]


def test_no_numbers_is_grounded() -> None:
    r = ground("未找到相关内容。", evidence=[], computations=[])
    assert r.grounded and r.text == "未找到相关内容。"


def test_several_hallucinations_marked_in_place() -> None:
    text = "预算执行率为98.5%，实际支出11000万元，接听率96.12%。"
    r = ground(text, evidence=EVIDENCE, computations=[])
    assert r.ungrounded == ["98.5%", "11000万元"]
    assert r.text == f"预算执行率为{mark('98.5%')}，实际支出{mark('11000万元')}，接听率96.12%。"

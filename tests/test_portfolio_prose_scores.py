"""Per-part scores and targets a report states only in sentences, in questions across reports (#13).

Pure tests: sentences written here (the expected figures are the ones typed into them), read into
facts by ingest and into a report's portfolio row. The generated-report test is in
`test_portfolio_report_scores.py` (it shares that file's store)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from ingest.facts import text_facts
from ingest.glossary import load_glossary
from ingest.models import Page
from service.portfolio.facts_rows import rows_from_facts
from service.search.facts import index_fact

PARTS = "其中，决策指标得分18分（满分20分），过程指标得分16.5分（满分20分），产出指标得分34分（满分40分），效益指标得分20分（满分20分）。"


def row_of(text: str, *, year: int = 2023):
    glossary = load_glossary()
    page = Page(number=4, text=text)
    items = [index_fact(f, "", glossary) for f in text_facts("d1", page, start_index=0, doc_year=year)]
    record = SimpleNamespace(
        doc_id="d1", title="某项目绩效评价报告", identity={"unit": "某局", "project": "某项目", "year": year}
    )
    return rows_from_facts({"d1": items}, [record], {"d1": []}, {"d1": [(4, text)]})[0]


def test_part_scores_in_prose_become_indicator_rows_with_their_weights() -> None:
    row = row_of("经评价，该项目综合得分88.5分。" + PARTS)
    parts = {
        i.name: (i.score.value if i.score else None, i.max.value if i.max else None) for i in row.indicators
    }
    assert parts == {
        "决策指标": (Decimal("18"), Decimal("20")),
        "过程指标": (Decimal("16.5"), Decimal("20")),
        "产出指标": (Decimal("34"), Decimal("40")),
        "效益指标": (Decimal("20"), Decimal("20")),
    }
    assert all(i.page == 4 for i in row.indicators)
    # the report states its total: that is its score, not a sum of the parts
    assert row.measures["score"].value == Decimal("88.5") and "score" not in row.derived


def test_a_report_without_a_total_gets_the_sum_of_its_parts_computed_and_cited() -> None:
    row = row_of("评价等级为“良”。" + PARTS)
    score = row.measures["score"]
    assert score.value == Decimal("88.5") and score.page == 4 and "计算" in score.label
    comp = row.derived["score"]
    assert comp.metric == "total_score" and comp.display == "88.5分"
    assert [i["value"] for i in comp.inputs if i["name"].startswith("scores")] == ["18", "16.5", "34", "20"]
    assert all(i["source"] == {"doc_id": "d1", "page": 4} for i in comp.inputs)


def test_parts_that_are_not_the_whole_are_never_summed() -> None:
    # two parts whose 满分 add up to 40, not the whole evaluation
    row = row_of("其中，决策指标得分18分（满分20分），过程指标得分16.5分（满分20分）。")
    assert len(row.indicators) == 2 and "score" not in row.measures
    # a part without its 满分: the whole cannot be told
    row = row_of(
        "其中，决策指标得分18分，过程指标得分16.5分（满分20分），产出指标得分34分（满分40分），效益指标得分20分（满分20分）。"
    )
    assert "score" not in row.measures
    # a part above its 满分 does not add up: no total rather than a wrong one
    row = row_of(
        "其中，决策指标得分22分（满分20分），过程指标得分16.5分（满分20分），产出指标得分34分（满分40分），效益指标得分20分（满分20分）。"
    )
    assert "score" not in row.measures


def test_a_part_stated_with_two_scores_is_not_read_and_weights_deductions_are_no_scores() -> None:
    row = row_of("决策指标得分18分（满分20分）。后经复核，决策指标得分17分。过程指标扣2分。")
    assert [i.name for i in row.indicators] == []
    row = row_of("决策指标满分20分。")
    assert row.indicators == [] and "score" not in row.measures


def test_a_scoring_rule_that_mentions_a_part_is_no_part_score() -> None:
    # a 评分标准 sentence: 过程 is a word of the rule, 15分 what the rule awards
    row = row_of(
        "2、评价工作组人员稳定15在评价过程中保持工作组成员稳定，得15分；不能保持组员稳定并随意更换组员，不得分。"
    )
    assert row.indicators == []
    assert [i.name for i in row_of("项目决策实际得分18分，效益部分得分20分。").indicators] == [
        "项目决策",
        "效益",
    ]


def test_a_satisfaction_target_and_actual_in_one_sentence_is_an_indicator_row() -> None:
    row = row_of("服务对象满意度目标为不低于90%，实际满意度为85.2%。")
    (ind,) = row.indicators
    assert ind.name == "服务对象满意度" and "satisfaction_indicators" in ind.concepts
    assert (ind.comparator, ind.target_value, ind.actual_value) == ("≥", Decimal("90"), Decimal("85.2"))
    assert ind.met is False and ind.page == 4
    met = row_of("群众满意度达到96%，年度目标为≥95%。").indicators
    assert [(i.name, i.met) for i in met] == [("群众满意度", True)]


def test_sentences_that_do_not_pair_a_target_with_an_actual_give_no_row() -> None:
    assert row_of("群众满意度为96%。").indicators == []  # no target
    assert row_of("满意度目标为95%，实际为96%，上年同期为93%。").indicators != []  # last year's left out
    assert row_of("满意度目标为95%，实际为96%，另一项满意度为91%。").indicators == []  # three figures
    assert row_of("预算目标为100万元，实际支出98万元。").indicators == []  # no indicator named

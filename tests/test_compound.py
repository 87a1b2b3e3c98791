"""Questions asking for two figures at once are answered part by part (deterministic/compound.py)."""

from __future__ import annotations

import pytest

from ingest.glossary import load_glossary
from service.answer.deterministic.compound import merge, split_compound, with_subjects
from service.answer.models import Answer, Citation


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "某局2017年三公经费预算多少，实际花了多少？",
            ["某局2017年三公经费预算多少？", "某局2017年三公经费实际花了多少？"],
        ),
        ("项目效益满分多少分，得分率是多少？", ["项目效益满分多少分？", "项目效益得分率是多少？"]),
        ("钱实际花出去多少？按预算算执行率是多少？", ["钱实际花出去多少？", "按预算算执行率是多少？"]),
    ],
)
def test_two_figures_asked_are_two_parts_the_later_keeping_the_subject(question, parts) -> None:
    assert with_subjects(split_compound(question), load_glossary()) == parts


@pytest.mark.parametrize(
    "question",
    [
        "2020年预算执行率是多少？",
        "收入这块，一般公共预算占全部资金的比例是多少？",  # context, then one ask
        "产出指标各项得分加起来是多少？跟一级指标的分数一致吗？",  # a figure and its check
        "编制50人，实际在职51人，按这个指标表在职人员控制率能得几分？",
    ],
)
def test_one_figure_asked_is_one_question(question) -> None:
    assert split_compound(question) == [question]


def test_joined_answers_number_their_citations_as_one_list() -> None:
    c1 = Citation(n=1, doc_id="d", title="t", page=1, quote="甲")
    c2 = Citation(n=1, doc_id="d", title="t", page=2, quote="乙")
    a = Answer(answer="预算为22万元[1]。", citations=[c1])
    b = Answer(answer="支出为8.77万元[1]，见上[1]。", citations=[c2])
    joined = merge([a, b])
    assert joined.answer == "预算为22万元[1]。\n\n支出为8.77万元[2]，见上[2]。"
    assert [(c.n, c.page) for c in joined.citations] == [(1, 1), (2, 2)]
    same = merge([a, Answer(answer="又见[1]。", citations=[c1])])
    assert same.answer.endswith("又见[1]。") and len(same.citations) == 1

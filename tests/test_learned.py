"""What a document's own tables teach the answerer (service/answer/deterministic/learned.py): a rate
or a per-unit figure is learned to be the quotient of two other series only where the table's own
numbers prove it, in at least two columns; and the figures of a "分别" list take their years in
order. Every table here is written for the test, in the words of fields other than the sample's;
each expected relation is checked by hand in the comments."""

from __future__ import annotations

from ingest.models import Cell
from service.answer.deterministic.evidence import number_mentions
from service.answer.deterministic.learned import learn, learn_relations

DOC = "d1"


def _cells(rows: dict[str, list[str]], cols: list[str], *, units: dict[str, str]) -> list[object]:
    out: list[object] = []
    for r, (label, values) in enumerate(rows.items()):
        for c, (col, raw) in enumerate(zip(cols, values, strict=True)):
            percent = raw.endswith("%")
            value = raw.rstrip("%") if raw not in ("-", "") else None
            cell = Cell(r, c + 1, (label,), (col,), raw, value, units.get(label, ""), 1, percent)
            out.append((DOC, cell))
    return out


YEARS = ["2021年", "2022年", "2023年"]


def test_a_rate_the_table_computes_is_learned_with_its_operands() -> None:
    # 合格率 = 合格人数 ÷ 参训人数: 180/200 = 90.00%, 276/300 = 92.00%, 399/420 = 95.00%
    cells = _cells(
        {
            "参训人数（人）": ["200", "300", "420"],
            "合格人数（人）": ["180", "276", "399"],
            "培训合格率": ["90.00%", "92.00%", "95.00%"],
        },
        YEARS,
        units={"参训人数（人）": "人", "合格人数（人）": "人"},
    )
    rel = learn_relations(cells)
    assert set(rel) == {"培训合格率"}
    assert (rel["培训合格率"].op, rel["培训合格率"].numerator, rel["培训合格率"].denominator) == (
        "ratio",
        "合格人数",
        "参训人数",
    )
    concepts, _ = learn(cells, [])
    kinds = {c.key: c.kind for c in concepts}
    assert kinds == {"培训合格率": "rate", "合格人数": "count", "参训人数": "count"}


def test_a_per_unit_figure_and_its_per_ten_thousand_spellings() -> None:
    # 户均支出 = 支出 ÷ 户数: 50/20 = 2.50, 66/24 = 2.75; 每1万人次成本 = 支出 ÷ 服务人次(万人次): 50/4 = 12.50, 66/5.5 = 12.00
    cells = _cells(
        {
            "项目支出（万元）": ["50", "66"],
            "服务户数（户）": ["20", "24"],
            "服务人次（万人次）": ["4", "5.5"],
            "户均支出（万元）": ["2.50", "2.75"],
            "每1万人次服务成本（万元）": ["12.50", "12.00"],
        },
        YEARS[:2],
        units={
            "项目支出（万元）": "万元",
            "服务户数（户）": "户",
            "服务人次（万人次）": "万人次",
            "户均支出（万元）": "万元",
            "每1万人次服务成本（万元）": "万元",
        },
    )
    rel = learn_relations(cells)
    assert (rel["户均支出"].op, rel["户均支出"].numerator, rel["户均支出"].denominator) == (
        "unit_cost",
        "项目支出",
        "服务户数",
    )
    per = rel["每1万人次服务成本"]
    assert (per.op, per.numerator, per.denominator) == ("cost_per_10k", "项目支出", "服务人次")
    concepts, _ = learn(cells, [])
    forms = next(c.synonyms for c in concepts if c.key == "每1万人次服务成本")
    assert {"每万人次服务成本", "每一万人次服务成本"} <= set(forms)


def test_a_rate_by_column_is_learned_from_the_rows() -> None:
    # 执行率 = 执行数 ÷ 预算数 for every row: 45/50 = 90.0%, 19/20 = 95.0%, 64/70 = 91.4%
    cols = ["预算数", "执行数", "执行率"]
    cells: list[object] = []
    for r, (label, values) in enumerate(
        {
            "设备购置": ["50", "45", "90.0%"],
            "维修": ["20", "19", "95.0%"],
            "合计": ["70", "64", "91.4%"],
        }.items()
    ):
        for c, raw in enumerate(values):
            cells.append(
                (DOC, Cell(r, c + 1, (label,), (cols[c],), raw, raw.rstrip("%"), "", 1, raw.endswith("%")))
            )
    rel = learn_relations(cells)
    assert (rel["执行率"].numerator, rel["执行率"].denominator) == ("执行数", "预算数")


def test_two_pairs_that_fit_equally_teach_nothing() -> None:
    # 到位数 equals 预算数 in every column: 执行率 = 执行数 ÷ 预算数 = 执行数 ÷ 到位数; which one the
    # report divided by cannot be told from its numbers
    cells = _cells(
        {
            "预算数（万元）": ["100", "80"],
            "到位数（万元）": ["100", "80"],
            "执行数（万元）": ["90", "76"],
            "执行率": ["90.00%", "95.00%"],
        },
        YEARS[:2],
        units={"预算数（万元）": "万元", "到位数（万元）": "万元", "执行数（万元）": "万元"},
    )
    assert "执行率" not in learn_relations(cells)


def test_one_column_or_a_near_miss_proves_nothing() -> None:
    one = _cells(
        {"参训人数（人）": ["200"], "合格人数（人）": ["180"], "合格率": ["90.00%"]},
        YEARS[:1],
        units={},
    )
    assert learn_relations(one) == {}
    # 181/200 = 90.50%, not the 90.00% stated: a different formula, or none
    near = _cells(
        {"参训人数（人）": ["200", "300"], "合格人数（人）": ["181", "276"], "合格率": ["90.00%", "92.00%"]},
        YEARS[:2],
        units={},
    )
    assert learn_relations(near) == {}


def test_a_respective_list_takes_the_years_in_order() -> None:
    got = number_mentions("2021-2023年实际服务人数分别为120人、135人、150人，均完成目标")
    assert [(n.value, n.year) for n in got] == [("120", 2021), ("135", 2022), ("150", 2023)]
    got = number_mentions("2022年、2023年项目支出分别为50万元和66万元")
    assert [(n.value, n.year) for n in got] == [("50", 2022), ("66", 2023)]
    # three figures for two years: none of them can be given a year
    got = number_mentions("2022年、2023年项目支出分别为50万元、66万元和70万元")
    assert [n.year for n in got] == [None, None, None]

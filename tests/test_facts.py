"""The fact index: every measure of a document with what it measures, never a date or a code."""

from __future__ import annotations

from decimal import Decimal

from ingest.facts import extract_facts, text_facts
from ingest.models import Page, Table


def _facts(text: str):
    return text_facts("d", Page(1, text), start_index=0, doc_year=2023)


def test_a_sentence_number_is_described_by_the_phrase_before_it() -> None:
    facts = _facts("本单位编制人数45人，年末实有人数38人，其中在职人员30人。")
    got = {(f.description, f.value, f.unit) for f in facts}
    assert ("本单位编制人数", "45", "人") in got
    assert ("年末实有人数", "38", "人") in got
    assert ("在职人员", "30", "人") in got  # 其中 is a qualifier, kept in the context
    assert all("其中" in f.context for f in facts if f.value == "30")


def test_points_in_brackets_after_a_label_are_its_weight_not_a_score() -> None:
    facts = _facts("一级指标：产出（40分），得分36分。")
    got = {(f.description, f.value) for f in facts}
    assert ("产出分值", "40") in got  # "产出（40分）" states the group's points
    assert not any(f.value == "40" and "得分" in f.description for f in facts)
    assert any(f.value == "36" and "得分" in f.description for f in facts)


def test_figures_given_respectively_take_their_years_in_order() -> None:
    facts = _facts(
        "2021年、2022年该项目实际支出分别为1,234,567.80元和2,345,678.90元，2023年实际支出3,000,000.00元。"
    )
    got = {(f.value, f.period) for f in facts if f.unit == "元"}
    # the thousands separators are no clause breaks, and the k-th figure after 分别 is the k-th year's
    assert got == {("1234567.80", 2021), ("2345678.90", 2022), ("3000000.00", 2023)}, got
    assert all("实际支出" in f.description for f in facts if f.unit == "元")


def test_a_total_after_its_parts_measures_what_the_parts_share() -> None:
    facts = _facts(
        "本年度累计发放消费券1.2万份、累计发放慰问品0.8万份，共计2万份；其中部门基本支出300万元、项目支出200万元，合计500万元。"
    )
    got = {f.value: f.description for f in facts}
    # never the last part's words ("累计发放慰问品0.8万份" as the name of 2)
    assert got["2"] == "累计发放共计", got
    assert got["500"] == "支出合计", got
    assert got["0.8"] == "累计发放慰问品"


def test_a_total_is_never_named_by_its_last_part() -> None:
    facts = _facts("男性职工120人、女性职工80人，共计200人。")
    got = {f.value: f.description for f in facts}
    assert "职工共计" in got["200"] and "女" not in got["200"] and "80" not in got["200"], got


def test_a_count_is_described_by_the_noun_its_measure_word_counts() -> None:
    facts = _facts(
        "本中心设9个内设机构，分别为办公室、业务股。全年建成5座泵站并投入使用。覆盖3个乡镇的群众1200人。"
    )
    got = {f.value: f.description for f in facts}
    assert "内设机构" in got["9"], got  # the noun after 个, not only "本中心设"
    assert got["5"].endswith("泵站"), got  # cut before 并
    assert "乡镇" not in got["3"] or "群众" not in got["3"], got  # "3个乡镇的…": no noun taken past 的


def test_fillers_are_trimmed_and_rates_keep_their_percent() -> None:
    facts = _facts("全年预算执行率为96.5%，资金到位率达到100%。")
    got = {(f.description, f.value, f.unit) for f in facts}
    assert ("全年预算执行率", "96.5", "%") in got
    assert ("资金到位率", "100", "%") in got


def test_dates_document_numbers_codes_and_clauses_are_not_facts() -> None:
    text = (
        "根据财预〔2020〕10号第十二条，于2021年5月8日完成评价，联系电话0731-84512345，"
        "预算编码906017123456，详见表1-2。项目总投资1,234.56万元。"
    )
    values = [f.value for f in _facts(text)]
    assert values == ["1234.56"]


def test_a_table_cell_is_described_by_the_labels_left_of_it_and_above_it() -> None:
    """A form whose header rows repeat mid-table (funds block, then indicator rows) is read by
    its own labels: the nearest label above a number and the labels to its left."""
    table = Table(
        "d:t00", "d", 0, "项目支出绩效自评表", "单位：万元", [2],
        [["项目名称", "示例项目", "", ""]],
        [
            ["", "年初预算数", "全年预算数", "全年执行数"],
            ["年度资金总额", "90", "100", "86.5"],
            ["其他资金", "", "", ""],
            ["三级指标", "年度指标值", "实际完成值", "分值"],
            ["满意度", "≥95%", "96%", "10"],
        ],
        [],
    )  # fmt: skip
    facts = extract_facts("d", [Page(2, "")], [table], year=2022)
    by_desc = {f.description: f for f in facts}
    f = by_desc["年度资金总额 全年执行数"]
    assert Decimal(f.value) == Decimal("86.5") and f.unit == "万元" and f.page == 2
    assert not any(d.startswith("其他资金") for d in by_desc)  # blank cells stay blank: no fact
    t = by_desc["满意度 年度指标值"]
    assert (t.value, t.unit, t.comparator) == ("95", "%", "≥")
    assert by_desc["满意度 实际完成值"].value == "96"
    assert by_desc["满意度 分值"].unit == ""  # a weight is not in the unit line's 万元
    assert all(f.period == 2022 for f in facts)


def test_a_total_row_is_described_by_the_sentence_that_introduces_its_table() -> None:
    from ingest.tables import caption_and_unit

    caption, unit, _ = caption_and_unit(
        ["（三）“三公”经费情况。2019年“三公”经费支出与上年对比如下（单位：元）："]
    )
    assert (caption, unit) == ("2019年“三公”经费支出与上年对比", "（单位：元）")
    assert (
        caption_and_unit(["表1 2021年项目资金预算及执行情况", "单位：万元"])[0]
        == "表1 2021年项目资金预算及执行情况"
    )
    assert caption_and_unit(["表1 12.5 13.6"])[0] == ""  # a row of figures is no caption
    table = Table(
        "d:t01", "d", 0, caption, unit, [1],
        [["项目", "2018年", "2019年"]],
        [["公务接待费", "102,270.45", "107,281.70"], ["合计", "400,835.18", "407,040.69"]],
        [],
    )  # fmt: skip
    by_value = {f.value: f for f in extract_facts("d", [Page(1, "")], [table], year=2019)}
    # 合计 and a year say nothing of what is totalled: the caption does; a named row keeps its labels
    assert "三公" in by_value["407040.69"].description, by_value["407040.69"]
    assert by_value["107281.70"].description == "公务接待费 2019年"


def test_grounding_never_flags_the_digits_of_dates_codes_and_addresses() -> None:
    """Numbers the glossary knows are not measures are read as references, not as figures to verify."""
    from service.answer.numbers import extract_numbers

    text = "依据财预〔2020〕10号，详见 http://www.x.gov.cn/2021/05/a.html ，电话0731-84512345，执行率96.5%"
    figures = [n.raw for n in extract_numbers(text) if n.checkable]
    assert figures == ["96.5%"]


def test_a_web_banner_is_never_the_title() -> None:
    from ingest.pdf import document_line

    page = "欢迎来到某某县人民政府网站\n当前位置：首页 > 政务公开\n发布时间：2021-05-08\n某县农业农村局2020年度部门整体支出绩效自评报告\n一、基本情况"
    assert document_line(page) == "某县农业农村局2020年度部门整体支出绩效自评报告"
    assert document_line("欢迎来到某某网站\n首页") == ""


def test_a_table_row_a_list_item_or_a_figure_line_is_never_the_title() -> None:
    from ingest.pdf import document_line, plausible_title

    # a form's budget row names 预算 inside it and states 20分: no document is named by it
    page = "单位名称 某镇人民政府\n预算执行情况(万元) (20分) 预算数(A) 执行数(B) 执行率(B/A)\n某镇人民政府2021年部门整体支出绩效自评表（修改）"
    assert document_line(page) == "某镇人民政府2021年部门整体支出绩效自评表（修改）"
    assert not plausible_title("(二)按支出结构分类划分,分为基本支出预算和项目支出预算。")
    assert not plausible_title("1、撰写的报告数据详实")
    assert not plausible_title("经费控制情况2017年决算数2018年预算数合计12.5万元")
    assert plausible_title("2019年度城区保障性住房配套供水管网改造一期工程项目支出绩效评价报告")
    assert plausible_title("关于印发《某某办法》的通知（某财绩〔2020〕10号）")
    assert plausible_title("2023年1-6月项目资金使用情况报告")


def test_a_line_number_column_is_no_fact_and_does_not_hide_the_row_names() -> None:
    """A final-accounts table (收入支出决算总表): 项目 | 行次 | 金额, with a 栏次 row under the header.
    The 行次 numbers are no facts; the 栏次 row's first cell does not make the column of row names
    a line-number column; the table's row read again as text ("…收入 1 440.55一般公共服务支出29423.20",
    its numbers run together) gives no sentence fact."""
    table = Table(
        "d:t00", "d", 0, "收入支出决算总表", "金额单位：万元", [1],
        [["收入", "收入", "收入", "支出", "支出", "支出"], ["项目", "行次", "金额", "项目", "行次", "金额"]],
        [
            ["栏次", "", "1", "栏次", "", "2"],
            ["一、一般公共预算财政拨款收入", "1", "440.55", "一、一般公共服务支出", "29", "423.20"],
            ["三、上级补助收入", "3", "10.00", "三、国防支出", "31", "0.00"],
        ],
        [],
    )  # fmt: skip
    page = Page(1, "一、一般公共预算财政拨款收入 1 440.55一、一般公共服务支出29423.20\n")
    facts = extract_facts("d", [page], [table], year=2019)
    got = {(f.row_path, f.value, f.unit) for f in facts}
    assert (("一、一般公共预算财政拨款收入",), "440.55", "万元") in got
    assert (("一、一般公共服务支出",), "423.20", "万元") in got
    assert not any(f.value in ("1", "2", "3", "29", "31", "29423.20") for f in facts)


def test_a_unit_line_may_follow_the_form_header_on_its_line() -> None:
    from ingest.numbers import units_of_unit_line

    assert units_of_unit_line("部门：某县某中心    金额单位：万元") == ["万元"]
    assert units_of_unit_line("金额单位:元") == ["元"]
    assert units_of_unit_line("实施单位：某局") == []

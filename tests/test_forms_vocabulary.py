"""Form columns are read by their header words (national format words and their variants, units and
(A)/(B) marks in the header), targets by their comparator; a 得分表 becomes a tree. Pure functions."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml

from ingest.errors import ConfigError
from ingest.form_model import fund_column, indicator_column, parse_target, score_tree
from ingest.glossary import DEFAULT_PATH as GLOSSARY
from ingest.glossary import load_glossary


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("年初预算数", "initial"), ("年初预算", "initial"), ("全年预算数", "budget"), ("调整后预算数", "budget"),
        ("全年预算数（万元）", "budget"), ("全年预算数(A)", "budget"), ("预算数 (A)", "budget"),
        ("全年执行数", "spent"), ("全年执行数（B）", "spent"), ("预算执行数", "spent"), ("执行数(B)", "spent"),
        ("分值", "max"), ("权重", "max"), ("执行率", "rate"), ("执行率(B/A)", "rate"), ("预算执行率", "rate"),
        ("得分", "score"), ("自评得分", "score"), ("得分 (20 分*执行率)", "score"), ("项目资金（万元）", ""),
    ],
)  # fmt: skip
def test_fund_columns_by_header_words(header: str, column: str) -> None:
    assert fund_column(header) == column


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("一级指标", "l1"), ("二级指标", "l2"), ("三级指标", "l3"), ("年度指标值", "target"), ("指标值", "target"),
        ("年初目标值(A)", "target"), ("实际完成值", "actual"), ("全年实际值", "actual"), ("完成值", "actual"),
        ("实际完成值 (B)", "actual"), ("分值", "max"), ("权重", "max"), ("权重分", "max"), ("标准分", "max"),
        ("得分", "score"), ("评价得分", "score"), ("偏差原因分析及改进措施", "reason"), ("未完成原因分析", "reason"),
        ("指标性质", "cmp"), ("度量单位", "unit"), ("绩效指标", ""),
    ],
)  # fmt: skip
def test_indicator_columns_by_header_words(header: str, column: str) -> None:
    assert indicator_column(header) == column


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("≥50个", ("≥", "50", "个")), (">=50个", ("≥", "50", "个")), ("不低于90%", ("≥", "90", "%")),
        ("达到95%", ("≥", "95", "%")), ("≤90万元", ("≤", "90", "万元")), ("不超过5%", ("≤", "5", "%")),
        ("=100%", ("=", "100", "%")), ("＝100%", ("=", "100", "%")), ("100%", ("", "100", "%")),
        ("98%以上", ("≥", "98", "%")), ("≥100百分比", ("≥", "100", "%")), ("1,200人次", ("", "1200", "人次")),
        ("健全", ("", None, "")), ("2021年12月完成", ("", None, "")),
    ],
)  # fmt: skip
def test_targets_and_comparators(text: str, parsed: tuple) -> None:
    assert parse_target(text) == parsed


def test_score_table_tree_keeps_leaves_under_their_group() -> None:
    def cell(v: str) -> dict:
        return {"text": v, "value": v}

    nodes = [
        {"path": ["决策", "项目立项", "立项依据"], "kind": "leaf", "max": cell("3"), "score": cell("3"), "stated_max": "5"},
        {"path": ["决策", "项目立项", "立项程序"], "kind": "leaf", "max": cell("2"), "score": cell("1.5"), "stated_max": "5"},
        {"path": ["决策小计"], "kind": "subtotal", "max": cell("5"), "score": cell("4.5"), "stated_max": None},
        {"path": ["效益", "项目效益", "社会效益"], "kind": "leaf", "max": cell("6"), "score": cell("6"), "stated_max": None},
        {"path": ["生态效益"], "kind": "leaf", "max": cell("4"), "score": cell("2"), "stated_max": None},  # labels cut
        {"path": [], "kind": "total", "max": cell("15"), "score": cell("13"), "stated_max": None},
    ]  # fmt: skip
    tree = score_tree(nodes)
    assert [g["name"] for g in tree] == ["决策", "效益"]
    assert tree[0]["stated_max"] == "5" and tree[0]["subtotal"]["score"]["text"] == "4.5"
    assert [leaf["name"] for leaf in tree[1]["children"][0]["children"]] == ["社会效益", "生态效益"]


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Module | ast.FunctionDef | ast.ClassDef)
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


def test_form_words_live_in_the_glossary_not_in_code() -> None:
    """The forms' words are data (glossary.yaml `forms`): no string in the form reader's code spells
    one of them (a bilingual message naming a word, "未找到总分行 / …", is not reading by it)."""
    vocab = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))["forms"]
    words: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            if re.search(r"[\u4e00-\u9fff]", node) and len(node) >= 2:
                words.add(node)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in vocab.items() if k != "questions"})
    assert len(words) > 60
    root = Path(__file__).resolve().parent.parent
    found = [
        f"{name}:{line} {text!r}"
        for name in ("ingest/form_model.py", "ingest/forms.py")
        for line, text in _code_strings(root / name)
        if " / " not in text and any(w in text for w in words)
    ]
    assert not found, "form words in code, move them to ingest/glossary.yaml `forms`:\n" + "\n".join(found)


def test_a_broken_forms_section_is_a_clear_error(tmp_path: Path) -> None:
    data = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8"))
    data["forms"]["fund_columns"].append({"column": "budget"})  # a rule with no words
    bad = tmp_path / "glossary.yaml"
    bad.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_glossary(bad)
    assert "forms.fund_columns" in err.value.message


def test_word_cells_read_from_the_xml_as_python_docx_reads_them(tmp_path: Path) -> None:
    """ingest.office reads a Word table's cells (merges resolved) straight from the XML for speed:
    the same cells, text and merges as python-docx's own `row.cells` and `paragraph.text`."""
    import docx

    from evals.generator.formats import write_docx
    from evals.generator.selfeval import batch
    from ingest.office import _row_tcs, _tc_text

    root = Path(__file__).resolve().parent
    paths = sorted((root / "fixtures" / "forms").glob("*.docx"))
    paths.append(write_docx(batch(5, 6), tmp_path / "generated.docx"))
    tables = 0
    for path in paths:
        for table in docx.Document(str(path)).tables:
            expected = [[c._tc for c in row.cells] for row in table.rows]
            assert _row_tcs(table._tbl) == expected, path.name
            texts = [[_tc_text(tc) for tc in row] for row in expected]
            assert texts == [
                ["\n".join(p.text for p in c.paragraphs) for c in row.cells] for row in table.rows
            ]
            tables += 1
    assert tables >= 3

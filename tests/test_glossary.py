"""The field glossary (ingest/glossary.yaml): schema, cross-references, matching, non-measures, errors."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft202012Validator

from ingest.errors import ConfigError
from ingest.glossary import DEFAULT_PATH, SCHEMA_PATH, _norm, load_glossary

DENYLIST = ["话务", "接听", "坐席", "便民专线", "8890", "热线", "受理量", "工单"]
METRICS = {
    "budget_execution_rate",
    "funds_arrival_rate",
    "completion_rate",
    "target_completion_rate",
    "share",
    "growth_rate",
    "year_on_year_change",
    "difference",
    "over_budget_amount",
    "score_rate",
    "satisfaction_rate",
    "coverage_rate",
    "total_score",
    "grade",
}


@pytest.fixture(scope="module")
def g():
    return load_glossary()


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict) -> Path:
    p = tmp_path / "glossary.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return p


def _entry(data: dict, cid: str) -> dict:
    return next(c for c in data["concepts"] if c["id"] == cid)


# ── the file itself ──


def test_schema_validates_the_file(raw):
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    errors = [e.message for e in Draft202012Validator(schema).iter_errors(raw)]
    assert errors == []


def test_denylist_appears_nowhere_in_the_yaml():
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert [w for w in DENYLIST if w in text] == []


def test_coverage_of_the_field(g):
    assert len(g.concepts) >= 120
    categories = Counter(c.category for c in g.concepts.values())
    for cat in (
        "budget_stage",
        "expenditure_class",
        "funding_source",
        "form_column",
        "indicator_level1",
        "indicator_level2",
        "staffing",
        "rate",
        "score",
        "count",
    ):
        assert categories[cat] >= 3, cat
    for cid in (
        "initial_budget",
        "adjusted_budget",
        "expenditure",
        "funds_arrived",
        "total_funds",
        "basic_expenditure",
        "personnel_expenses",
        "public_expenses",
        "project_expenditure",
        "three_public",
        "overseas_travel",
        "official_vehicle",
        "official_reception",
        "decision",
        "process",
        "output",
        "benefit",
        "output_quantity",
        "service_satisfaction",
        "weight",
        "indicator_score",
        "total_score",
        "target_value",
        "actual_value",
        "authorized_staff",
        "actual_staff",
        "budget_execution_rate",
        "funds_arrival_rate",
        "score_rate",
        "grade",
    ):
        assert cid in g.concepts, cid


def test_every_referenced_id_exists(g):
    for c in g.concepts.values():
        refs = [*c.part_of, *c.excludes]
        if c.formula:
            refs += [*c.formula.numerator, *c.formula.denominator]
            assert c.formula.metric is None or c.formula.metric in METRICS, c.id
        assert [r for r in refs if r not in g.concepts] == [], c.id


def test_no_undeclared_term_collisions(raw):
    owners: dict[str, set[str]] = {}
    for c in raw["concepts"]:
        for t in [c["label"], *c["terms"]]:
            owners.setdefault(_norm(t), set()).add(c["id"])
    declared = {_norm(t): set(ids) for t, ids in (raw.get("ambiguous_terms") or {}).items()}
    shared = {t: ids for t, ids in owners.items() if len(ids) > 1}
    assert shared == declared


def test_no_part_of_cycles(g):
    for cid in g.concepts:
        assert cid not in g.wholes_of(cid), cid


def test_part_whole_relations(g):
    assert {"personnel_expenses", "public_expenses"} <= g.parts_of("basic_expenditure")
    assert {"basic_expenditure", "project_expenditure", "wages_welfare"} <= g.parts_of("expenditure")
    assert g.parts_of("three_public") >= {
        "overseas_travel",
        "official_vehicle",
        "official_reception",
        "vehicle_purchase",
        "vehicle_operation",
    }
    assert "meeting_fees" not in g.parts_of("three_public")
    assert g.parts_of("total_funds") >= {
        "current_year_fiscal_appropriation",
        "prior_year_carryover",
        "other_funds",
        "self_raised_funds",
    }
    assert g.wholes_of("vehicle_operation") == {"official_vehicle", "three_public"}
    assert g.wholes_of("output_quantity") == {"output", "total_score"}


def test_execution_rate_formula_is_the_standard_one(g):
    f = g.concept("budget_execution_rate").formula
    assert f.numerator[0] == "expenditure"  # 全年执行数; a table of 决算数 alone divides its 决算数
    assert set(f.numerator) <= {"expenditure", "final_account_amount"}
    assert f.denominator[0] == "adjusted_budget" and "initial_budget" in f.denominator
    assert f.metric == "budget_execution_rate"
    assert "initial_budget" in g.concept("adjusted_budget").excludes


def test_labels_are_terms_and_every_term_finds_its_concept(g):
    for c in g.concepts.values():
        assert c.label in c.terms
        for t in c.terms:
            hits = g.find(t)
            assert len(hits) == 1 and (hits[0].start, hits[0].end) == (0, len(t)), t
            assert c.id in (hits[0].concept_id, *hits[0].alternatives), t


def test_concept_lookup_error_is_clear(g):
    assert g.concept("surplus").label == "结余资金"
    with pytest.raises(KeyError, match="no_such_concept"):
        g.concept("no_such_concept")


# ── matching ──


def test_find_is_longest_match(g):
    hits = g.find("调整后预算数为1200万元")
    assert [(h.concept_id, h.term, h.start, h.end) for h in hits] == [
        ("adjusted_budget", "调整后预算数", 0, 6)
    ]
    # 全年预算 (adjusted_budget) overlaps the longer 预算执行率 and must give way to it
    assert g.concepts_in("全年预算执行率为95%") == ["budget_execution_rate"]
    assert g.concepts_in("年初预算数与全年预算数") == ["initial_budget", "adjusted_budget"]
    assert g.concepts_in("公务用车购置及运行维护费") == ["official_vehicle"]


def test_find_positions_on_full_width_text(g):
    text = "㈠年初 预算数：１２３．４万元，因公出国（境）费１２万元"  # ㈠ becomes 3 characters under NFKC
    hits = g.find(text)
    assert [h.concept_id for h in hits] == ["initial_budget", "overseas_travel"]
    assert [text[h.start : h.end] for h in hits] == ["年初 预算数", "因公出国（境）费"]
    assert (hits[0].start, hits[0].end) == (1, 7)


def test_find_normalises_quotes_and_orders_hits(g):
    assert g.concepts_in("“三公”经费与三公经费") == ["three_public"]
    assert [h.concept_id for h in g.find("实际支出占调整后预算")] == ["expenditure", "adjusted_budget"]


def test_declared_ambiguous_term_reports_alternatives(g):
    (hit,) = g.find("结转资金")
    assert hit.concept_id == "prior_year_carryover"
    assert hit.alternatives == ("carryover_to_next_year",)
    (hit,) = g.find("上年结转资金")
    assert hit.concept_id == "prior_year_carryover" and hit.alternatives == ()


def test_qualifiers_and_operations(g):
    assert g.qualifiers_in("其中上年结转资金实际到位") == {"part", "previous_year", "actual"}
    assert g.qualifiers_in("调整后预算") == set()
    assert g.operations_in("人员经费占基本支出的比例是多少，比上年增长多少") == ["share", "growth"]
    assert g.operations_in("得分率是多少") == ["score_rate", "rate"]
    assert g.operations_in("项目名称") == []


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("四、存在的问题及原因分析", "problems"),
        ("（三）主要问题", "problems"),
        ("五、主要经验及做法、存在的问题及原因分析", "problems"),
        ("六、有关建议", "suggestions"),
        ("一、基本情况", "basic_info"),
        ("（一）项目概况", "basic_info"),
        ("（二）项目绩效目标", "goals"),
        ("二、绩效评价工作开展情况", "evaluation_work"),
        ("三、综合评价情况及评价结论", "conclusion"),
        ("（三）项目产出情况", "performance"),
        ("四、评价结果应用", "results_use"),
        ("三、资金投入和使用情况", "funds"),
        ("前言", None),
    ],
)
def test_section_kind(g, heading, kind):
    assert g.section_kind(heading) == kind


def test_section_terms(g):
    assert "存在的问题" in g.section_terms("problems")
    with pytest.raises(KeyError):
        g.section_terms("nope")


def test_all_terms_covers_every_vocabulary(g):
    terms = set(g.all_terms())
    assert {"调整后预算数", "其中", "存在的问题", "得分率"} <= terms
    assert len(terms) == len(g.all_terms())


def test_grade_bands(g):
    assert g.grade_source.startswith("财预〔2020〕10号")
    assert [b.grade for b in g.grade_bands] == ["优", "良", "中", "差"]
    assert [g.grade_of(s) for s in (100, 90, 89.9, 80, 60, 59.9)] == ["优", "优", "良", "良", "中", "差"]


# ── non-measures ──


def _span(text: str, sub: str) -> tuple[int, int]:
    i = text.index(sub)
    return i, i + len(sub)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("根据财预〔2020〕10号文件", "2020"),
        ("根据财预〔2020〕10号文件", "10"),
        ("财预［２０２０］１０号", "１０"),
        ("于2021年5月8日召开", "8"),
        ("于2021年5月8日召开", "2021"),
        ("联系电话：0731-12345678", "12345678"),
        ("依据第十二条规定", "十二"),
        ("详见 http://www.mof.gov.cn/2020/123.htm", "2020"),
        ("项目编码510100221234567890", "510100221234567890"),
        ("2020年度预算", "2020"),
        ("见表1-2", "1"),
        ("（2）资金管理", "2"),
    ],
)
def test_is_non_measure_true(g, text, number):
    assert g.is_non_measure(text, *_span(text, number))


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("预算1234.56万元", "1234.56"),
        ("执行率96.5%", "96.5"),
        ("2020年度预算100万元", "100"),
        ("代表3名", "3"),
        ("上年结转2020.5万元", "2020.5"),
    ],
)
def test_is_non_measure_false(g, text, number):
    assert not g.is_non_measure(text, *_span(text, number))


def test_non_measure_spans_name_the_pattern(g):
    text = "财预〔2020〕10号"
    names = {name for s, e, name in g.non_measure_spans(text) if (s, e) == (2, len(text))}
    assert names == {"doc_number"}
    with pytest.raises(ValueError):
        g.is_non_measure(text, 3, 3)


# ── loading and errors ──


def test_load_glossary_is_cached(raw, tmp_path):
    assert load_glossary() is load_glossary()
    p = _write(tmp_path, raw)
    assert load_glossary(p) is not load_glossary(p)  # an explicit path is read every time


def test_bad_kind_names_the_entry(raw, tmp_path):
    data = json.loads(json.dumps(raw))
    _entry(data, "surplus")["kind"] = "money"
    with pytest.raises(ConfigError) as exc:
        load_glossary(_write(tmp_path, data))
    msg = str(exc.value)
    assert "surplus" in msg and "kind" in msg and str(tmp_path) in msg
    assert re.search(r"[\u4e00-\u9fff]", msg)  # Chinese first, then English


def test_dangling_id_names_the_entry(raw, tmp_path):
    data = json.loads(json.dumps(raw))
    _entry(data, "personnel_expenses")["part_of"] = ["basic_expense"]
    with pytest.raises(ConfigError, match=r"personnel_expenses.*part_of.*basic_expense"):
        load_glossary(_write(tmp_path, data))
    data = json.loads(json.dumps(raw))
    _entry(data, "budget_execution_rate")["formula"]["denominator"] = ["adjusted_budgets"]
    with pytest.raises(ConfigError, match=r"budget_execution_rate.*formula\.denominator.*adjusted_budgets"):
        load_glossary(_write(tmp_path, data))


def test_undeclared_collision_fails(raw, tmp_path):
    data = json.loads(json.dumps(raw))
    _entry(data, "surplus")["terms"].append("调整后预算数")
    with pytest.raises(ConfigError, match=r"调整后预算数.*ambiguous_terms"):
        load_glossary(_write(tmp_path, data))
    data = json.loads(json.dumps(raw))
    data["ambiguous_terms"]["结余"] = ["surplus", "adjusted_budget"]  # declared but not shared
    with pytest.raises(ConfigError, match="ambiguous_terms"):
        load_glossary(_write(tmp_path, data))


def test_part_of_cycle_fails(raw, tmp_path):
    data = json.loads(json.dumps(raw))
    _entry(data, "expenditure")["part_of"] = ["personnel_expenses"]
    with pytest.raises(ConfigError, match="cycle"):
        load_glossary(_write(tmp_path, data))


def test_bad_regex_and_duplicate_key_fail(raw, tmp_path):
    data = json.loads(json.dumps(raw))
    data["non_measures"][0]["pattern"] = "(unclosed"
    with pytest.raises(ConfigError, match="doc_number"):
        load_glossary(_write(tmp_path, data))
    p = tmp_path / "dup.yaml"
    p.write_text(
        DEFAULT_PATH.read_text(encoding="utf-8").replace("version: 1\n", "version: 1\nversion: 1\n", 1),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="duplicate key"):
        load_glossary(p)


def test_overlapping_grade_bands_fail(raw, tmp_path):
    data = json.loads(json.dumps(raw))
    data["grades"]["bands"][1]["max_exclusive"] = 95  # 良 would reach into 优
    with pytest.raises(ConfigError, match=r"grades\.bands\[1\]\(良\)"):
        load_glossary(_write(tmp_path, data))


def test_cues_outside_terms(g):
    q = "上年结转资金占年度资金总额的比重"
    assert {"previous_year", "total"} <= g.qualifiers_in(q)
    assert g.qualifiers_in(q, outside_terms=True) == set()
    assert g.operations_in(q, outside_terms=True) == ["share"]
    assert g.qualifiers_in("上年的调整后预算", outside_terms=True) == {"previous_year"}


def test_unit_kinds_say_which_column_a_unit_belongs_to(g, raw, tmp_path):
    """The words that give a column its unit from a unit line listing several live here, in order
    (the catch-all "…量" last); a kind without header words is refused with its place."""
    assert g.unit_kinds[0] == (("人", "名", "万人", "人次", "万人次"), ("人次", "人数", "人员数", "名额"))
    assert g.unit_kinds[-1] == (("次", "万次"), ("次数", "量"))
    data = json.loads(json.dumps(raw))
    del data["unit_kinds"][0]["header_words"]
    with pytest.raises(ConfigError) as exc:
        load_glossary(_write(tmp_path, data))
    assert "unit_kinds" in str(exc.value)

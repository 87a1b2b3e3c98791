"""Questions about loaded 自评表 in chat, the loaded policy's rules, and blank templates — on real
ingested files (real SQLite, Chroma, embedding model, PDF policy). Expected values come from the form
generator (evals.generator.selfeval) and from the hand-written policy text, never from jixiao's
parser or checker."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from pdfgen import make_chinese_pdf

from evals.generator.formats import write_xlsx
from evals.generator.selfeval import GenForm, make_form
from ingest.forms import read_forms
from service.audit import audit_file, audit_store

pytestmark = pytest.mark.slow

POLICY_TITLE = "示例县项目支出绩效自评管理办法"
POLICY = [
    "第一条 为规范项目支出绩效自评工作，制定本办法。",
    "第六条 预算执行率得分＝预算执行率×分值，预算执行率低于60%的，该项不得分。",
    "第八条 评价等级分为四档：85分（含）以上为“优”；75分（含）至85分为“良”；",
    "60分（含）至75分为“中”；60分以下为“差”。",
]


def _first(seeds: range, plant: str | None, ok) -> GenForm:  # type: ignore[no-untyped-def]
    """The first generated form (from fixed seeds) with the property a test needs."""
    return next(f for f in (make_form(s, plant) for s in seeds) if ok(f))


def _not_full(f: GenForm) -> list:
    return [i for i in f.inds if i.score < i.max]


def write_blank_template(path: Path) -> Path:
    """The national 项目支出绩效自评表 as a unit receives it: columns and 分值, nothing filled in."""
    wb = Workbook()
    ws = wb.active
    ws.title = "表1"
    rows = [
        ["项目支出绩效自评表"],
        ["（2024年度）"],
        ["项目名称", None, None, None, None, None, None],
        ["主管部门", None, None, "实施单位", None, None, None],
        ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
        ["年度资金总额", None, None, None, 10, None, None],
        ["其中：当年财政拨款", None, None, None, "—", None, "—"],
        ["上年结转资金", None, None, None, "—", None, "—"],
        ["其他资金", None, None, None, "—", None, "—"],
        ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
        ["产出指标", "数量指标", None, None, None, None, None, None],
        ["产出指标", "质量指标", None, None, None, None, None, None],
        ["效益指标", "社会效益指标", None, None, None, None, None, None],
        ["满意度指标", "服务对象满意度指标", None, None, None, None, None, None],
        ["总分", None, None, None, None, 100, None, None],
    ]  # fmt: skip
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Four forms (correct, missing reason, wrong execution score, correct with points lost), a
    blank template and a policy stating its own rules, ingested once."""
    from ingest.index import ingest_paths
    from ingest.store import Store
    from service.answer.deterministic import DeterministicAnswerer
    from service.config import Settings
    from service.search.retrieval import Retriever
    from service.tools import Toolbox

    root = tmp_path_factory.mktemp("forms-chat")
    seeds = range(4100, 4400)
    good = _first(seeds, None, lambda f: not _not_full(f) and f.kind == "project_form")
    lost = _first(seeds, None, lambda f: len(_not_full(f)) >= 2 and all(i.reason for i in _not_full(f)))
    no_reason = _first(seeds, "missing_reason", lambda f: True)
    wrong_exec = _first(seeds, "fund_score", lambda f: True)
    forms = {"good": good, "lost": lost, "no_reason": no_reason, "wrong_exec": wrong_exec}
    paths = [write_xlsx([f], root / f"{name}.xlsx") for name, f in forms.items()]
    paths.append(write_blank_template(root / "template.xlsx"))
    paths.append(make_chinese_pdf(root / "policy.pdf", title=POLICY_TITLE, paragraphs=POLICY))
    settings = Settings(data_dir=root / "data")
    records = ingest_paths(settings, paths)
    assert all(r.status == "ok" for r in records), [(r.path, r.message) for r in records]
    ids = {Path(r.path).stem: r.doc_id for r in records}
    store = Store.open(settings)
    answerer = DeterministicAnswerer(Toolbox(store, Retriever(store, settings)))
    yield {"forms": forms, "ids": ids, "store": store, "answerer": answerer}
    store.close()


def _ask(loaded, question: str, *docs: str):  # type: ignore[no-untyped-def]
    ids = [loaded["ids"][d] for d in docs] if docs else None
    return loaded["answerer"].answer(question, history=[], document_ids=ids)


def test_total_score_is_cited_and_checked(loaded) -> None:
    f = loaded["forms"]["good"]
    a = _ask(loaded, "这张表的自评总分是多少", "good")
    total = format(f.total, "f")
    assert f"自评总分为{total}分" in a.answer and "与填报一致" in a.answer, a.answer
    assert any(c.quote == total for c in a.citations)
    assert a.grounded and a.computations and a.computations[0].metric == "total_score"


def test_total_and_full_marks_asked_alone_are_the_forms(loaded) -> None:
    # "总分是多少" is the total scored (the 总分 row's 得分), never the row's 分值 (100) nor an
    # indicator's; "满分是多少" is the 总分 row's 分值, never one indicator's 分值
    f = loaded["forms"]["good"]
    a = _ask(loaded, "总分是多少？", "good")
    assert f"自评总分为{format(f.total, 'f')}分" in a.answer, a.answer
    m = _ask(loaded, "满分是多少？", "good")
    assert "满分）为100分" in m.answer, m.answer


def test_indicators_without_full_marks_with_their_reasons(loaded) -> None:
    f = loaded["forms"]["lost"]
    a = _ask(loaded, "哪些指标没有拿满分，原因是什么", "lost")
    for ind in _not_full(f):
        assert f"“{ind.l3}”" in a.answer and ind.reason in a.answer, (ind.l3, a.answer)
    assert any(c.quote == _not_full(f)[0].reason for c in a.citations)

    f = loaded["forms"]["no_reason"]
    a = _ask(loaded, "哪些指标没拿满分？原因呢", "no_reason")
    blank = [i for i in _not_full(f) if not i.reason]
    assert blank and all(f"“{i.l3}”" in a.answer for i in blank)
    assert "未填写偏差原因" in a.answer

    f = loaded["forms"]["good"]  # every indicator full; the budget block as its rate gives
    a = _ask(loaded, "哪些指标没有拿满分", "good")
    if f.fund_score == f.fund_max:
        assert "均为满分" in a.answer, a.answer
    else:
        assert a.answer.startswith("以下一项没有拿满分") and f"“预算执行”得分{f.fund_score}" in a.answer, (
            a.answer
        )
        assert "偏差原因" not in a.answer  # the budget block has no reason column


def test_execution_score_checked_under_the_loaded_policy_rule(loaded) -> None:
    f = loaded["forms"]["wrong_exec"]
    a = _ask(loaded, "执行率得分算得对吗", "wrong_exec")
    assert f"预算执行得分填报{format(f.fund_score, 'f')}分" in a.answer and "请核实" in a.answer, a.answer
    assert f"《{POLICY_TITLE}》第六条" in a.answer  # the rule in force is named
    a = _ask(loaded, "预算执行得分算得对不对", "good")
    assert "与填报一致" in a.answer and "请核实" not in a.answer, a.answer


def test_indicator_completion(loaded) -> None:
    f = loaded["forms"]["good"]
    sat = next(i for i in f.inds if "满意度" in i.l3)
    met = Decimal(sat.actual) >= Decimal(sat.target)
    a = _ask(loaded, "满意度指标完成了吗", "good")
    assert sat.target_text in a.answer and sat.actual_text in a.answer, a.answer
    assert ("已达到年度指标值" if met else "未达到年度指标值") in a.answer
    a = _ask(loaded, "绿化覆盖率指标完成了吗", "good")  # no such indicator: refused, what was searched
    assert "未找到" in a.answer and not a.citations and sat.l3 in a.answer, a.answer


def test_which_forms_have_problems(loaded) -> None:
    a = _ask(loaded, "这批自评表里哪些有问题？")
    forms = loaded["forms"]
    assert "共审核五张表，二张发现问题" in a.answer and "一张为未填写的空白模板" in a.answer, a.answer
    assert "扣分指标未填偏差原因" in a.answer and "预算执行得分与分值×执行率不符" in a.answer
    for name in ("no_reason", "wrong_exec"):  # forms sharing a title are told apart by file
        assert f"{name}.xlsx，{forms[name].name}" in a.answer, a.answer
    for name in ("good", "lost", "template"):
        assert f"{name}.xlsx" not in a.answer
    assert f"所用规则：《{POLICY_TITLE}》第六条" in a.answer  # the execution-score finding's rule
    assert len(a.citations) >= 3 and a.grounded


def test_form_questions_without_forms_are_refused(loaded) -> None:
    a = _ask(loaded, "这批自评表里哪些有问题？", "policy")
    assert a.answer.startswith("未找到") and "已检索" in a.answer and not a.citations


def test_loaded_policy_bands_grade_the_ingested_forms(loaded) -> None:
    """The policy's bands (85/75/60, not the usual 90/80/60) grade the forms, and the rule is named."""
    report = audit_store(loaded["store"])
    for entry in report.forms:
        rules = entry["summary"]["rules"]
        assert rules["grade"].startswith(f"《{POLICY_TITLE}》第八条"), rules
        assert rules["fund_score"].startswith(f"《{POLICY_TITLE}》第六条"), rules
        total = entry["record"]["total_score"]
        if total and total["value"] is not None and not entry["summary"].get("template"):
            score = Decimal(total["value"])
            want = "优" if score >= 85 else "良" if score >= 75 else "中" if score >= 60 else "差"
            assert entry["summary"]["grade"]["value"] == want
    from service.audit_render import to_html

    assert f"规则：《{POLICY_TITLE}》第六条" in to_html(report)  # the reviewer's page names it too


def test_policy_execution_rule_scores_nothing_below_its_threshold(tmp_path: Path) -> None:
    """Below the policy's 60%, a proportional score is a finding naming the policy; the usual rule
    accepts it."""
    from service.metrics._check_forms import check_form
    from service.metrics._check_policy import execution_rule_from_policy

    class Page:
        number, text = 2, "".join(POLICY)

    rule = execution_rule_from_policy([Page()], title=POLICY_TITLE)
    assert rule is not None and rule.zero_below == Decimal(60) and not rule.zero_inclusive
    f = make_form(4242, None)
    rec = read_forms(write_xlsx([f], tmp_path / "f.xlsx"))[0].to_dict()
    total = next(r for r in rec["funds"] if r["kind"] == "total")["cells"]
    budget = Decimal(total["budget"]["value"])
    spent = budget / 2  # 50%: under the policy's 60%
    score = f.fund_max / 2  # what the usual proportional rule gives
    total["spent"].update(text=format(spent, "f"), value=format(spent, "f"))
    total["rate"].update(text="50.00%", value="50.00")
    total["score"].update(text=format(score, "f"), value=format(score, "f"))
    rec["total_score"] = None  # the total no longer adds up: not what this test is about
    usual = check_form(rec)
    assert "fund_score" not in {x["kind"] for x in usual["findings"]}
    ruled = check_form(rec, execution_rule=rule)
    found = [x for x in ruled["findings"] if x["kind"] == "fund_score"]
    assert found and found[0]["expected"] == "0" and found[0]["rule"].startswith(f"《{POLICY_TITLE}》第六条")


def test_blank_template_is_recognised_without_findings(tmp_path: Path) -> None:
    path = write_blank_template(tmp_path / "template.xlsx")
    records = read_forms(path)
    assert len(records) == 1 and records[0].template and records[0].kind == "project_form"
    [entry] = audit_file(path)
    assert entry["findings"] == [] and "空白模板" in entry["row"]["error"]


def test_a_form_cell_by_its_indicator_or_funds_row(loaded) -> None:
    f = loaded["forms"]["good"]
    ind = next(i for i in f.inds if i.cmp)  # a quantitative indicator
    a = _ask(loaded, f"{ind.l3}的年度指标值和实际完成值分别是多少？", "good")
    got = re.findall(r"“([^”]+)”(年度指标值|实际完成值)为([^\[；。]+)\[", a.answer)
    assert [(name, col) for name, col, _ in got] == [(ind.l3, "年度指标值"), (ind.l3, "实际完成值")], a.answer
    numbers = [Decimal(re.sub(r"[^\d.]", "", v)) for *_, v in got]
    assert numbers == [Decimal(ind.target), Decimal(ind.actual)], a.answer
    assert a.grounded and len(a.citations) >= 1

    spent = f.funds["年度资金总额"]["e"]
    a = _ask(loaded, "这个项目全年执行数是多少？", "good")
    value = re.search(r"年度资金总额全年执行数为([\d.,]+)", a.answer)
    assert value and Decimal(value.group(1).replace(",", "")) == spent, a.answer
    assert any(Decimal(re.sub(r"[^\d.]", "", c.quote) or "0") == spent for c in a.citations)


def test_a_follow_up_naming_only_a_column_keeps_the_indicator(loaded) -> None:
    """ "X实际完成了多少？" then "年度指标值定的是多少？": X's 年度指标值 — the indicator just spoken of,
    never another indicator's target (the form has one per indicator)."""
    from service.answer.models import Turn

    f = loaded["forms"]["good"]
    targets = [i.target for i in f.inds if i.cmp]
    ind = next(i for i in f.inds if i.cmp and targets.count(i.target) == 1)
    ids = [loaded["ids"]["good"]]
    first_q = f"{ind.l3}实际完成了多少？"
    first = loaded["answerer"].answer(first_q, history=[], document_ids=ids)
    assert Decimal(ind.actual) in _numbers(first.answer), first.answer
    history = [
        Turn(role="user", content=first_q),
        Turn(role="assistant", content=first.answer, meta=first.meta),
    ]
    a = loaded["answerer"].answer("年度指标值定的是多少？", history=history, document_ids=ids)
    assert ind.l3 in a.answer and Decimal(ind.target) in _numbers(a.answer), a.answer
    others = {Decimal(i.target) for i in f.inds if i.cmp and i is not ind}
    assert not others & _numbers(a.answer), a.answer


def _numbers(text: str) -> set[Decimal]:
    return {Decimal(n) for n in re.findall(r"\d+(?:\.\d+)?", re.sub(r"\[\d+\]", "", text))}

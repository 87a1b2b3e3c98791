"""Many documents in one store (issue #13): identity at ingest, scoping, ambiguity, questions
across documents. Real xlsx forms from the generator (two units × three years) ingested next to the
sample report and policy, real Chroma and SQLite; expected figures are the generator's own arithmetic."""

from __future__ import annotations

import shutil
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from evals.generator import portfolio as gen
from ingest.identity import read_identity

SEED = 7


def q2(v: Decimal) -> Decimal:
    return v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture(scope="module")
def forms() -> list:
    return gen.build(SEED, units=2, years=3)


@pytest.fixture(scope="module")
def portfolio(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory, forms):
    """The sample data dir plus six generated forms; yields (assistant, {file name: doc_id})."""
    from evals.generator.formats import write_xlsx
    from ingest.index import file_identity, ingest_paths
    from service.assistant import build_assistant
    from service.config import Settings

    root = tmp_path_factory.mktemp("portfolio")
    data = root / "data"
    shutil.copytree(sample_data_dir, data)
    paths = [write_xlsx([f], root / name) for name, f in forms]
    settings = Settings(data_dir=data)
    records = ingest_paths(settings, paths)
    assert all(r.status == "ok" for r in records), [(r.path, r.message) for r in records]
    ids = {p.name: file_identity(p)[0] for p in paths}
    assistant = build_assistant(settings)
    yield assistant, ids
    assistant.close()


def doc_of(ids: dict, forms, unit: str, year: int) -> str:
    return next(ids[n] for n, f in forms if f.agency == unit and f.year == year)


# ---- identity ------------------------------------------------------------------------------------


def test_identity_from_title_first_page_and_form_header() -> None:
    ident = read_identity("某县水利局2021年度农田灌溉渠道改造专项资金绩效自评报告", ["一、基本情况"])
    assert (ident.unit, ident.project, ident.year) == ("某县水利局", "农田灌溉渠道改造专项资金", 2021)
    assert (ident.kind, ident.evaluator) == ("project_report", "self")

    ident = read_identity(
        "2022年示例区教育局部门整体支出绩效评价报告",
        ["委托方：示例区财政局\n评价机构：某某会计师事务所有限公司\n一、部门概况"],
    )
    assert (ident.unit, ident.project, ident.year) == ("示例区教育局", "", 2022)
    assert (ident.kind, ident.evaluator) == ("department_report", "third_party")

    # a title that names nothing: the labelled fields of the first page decide
    ident = read_identity(
        "附件2", ["填报单位：乙县民政局 填报日期：2024年3月1日\n项目名称：养老服务补贴\n（2023年度）"]
    )
    assert (ident.unit, ident.project) == ("乙县民政局", "养老服务补贴")

    form = {"kind": "project_form", "year": 2020, "header": {"project": {"text": "学生资助项目"},
            "agency": {"text": "甲市教育局"}, "implementer": {"text": "甲市学生资助中心"}}}  # fmt: skip
    ident = read_identity("项目支出绩效自评表", ["项目名称 学生资助项目"], [form])
    assert (ident.unit, ident.agency, ident.project, ident.year, ident.kind) == (
        "甲市学生资助中心", "甲市教育局", "学生资助项目", 2020, "self_form",
    )  # fmt: skip


def test_documents_listing_carries_identity(portfolio, forms) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    assistant, ids = portfolio
    records = {d.doc_id: d for d in assistant.store.list_documents()}
    for name, f in forms:
        ident = records[ids[name]].identity
        assert (ident["unit"], ident["project"], ident["year"], ident["kind"]) == (
            f.agency, f.name, f.year, "self_form",
        )  # fmt: skip
    out = CliRunner().invoke(app, ["documents", "--json", "--data-dir", str(assistant.settings.data_dir)])
    assert out.exit_code == 0, out.output
    assert forms[0][1].agency in out.output and '"identity"' in out.output


# ---- scope and ambiguity -------------------------------------------------------------------------


def test_question_naming_no_document_is_never_answered_from_one(portfolio) -> None:
    assistant, _ids = portfolio
    for question in ("预算执行率是多少？", "这个项目的自评总分是多少？"):
        answer = assistant.ask(question)
        cited = {c.doc_id for c in answer.citations}
        assert len(cited) >= 2 or "请指明" in answer.answer, (question, answer.answer)
        assert answer.table is not None and len({r["doc_id"] for r in answer.table["rows"]}) >= 2


def test_named_unit_and_year_scope_the_question(portfolio, forms) -> None:
    assistant, ids = portfolio
    name, f = forms[4]
    answer = assistant.ask(f"{f.agency}{f.year}年的预算执行率是多少？")
    assert {c.doc_id for c in answer.citations} == {ids[name]}, answer.answer
    assert f"{gen.rate(f)}%" in answer.answer


def test_search_with_no_scope_goes_to_the_documents_the_query_names(portfolio, forms) -> None:
    """Routing in retrieval (not only in the answerer): a search that names a unit and year is asked
    over that unit's form of that year (and the loaded policy), one that names nothing over all."""
    assistant, ids = portfolio
    retriever = assistant.retriever
    name, f = forms[4]
    hits = retriever.search(f"{f.agency}{f.year}年的预算执行率", k=8)
    policies = {
        d.doc_id for d in assistant.store.list_documents() if (d.identity or {}).get("kind") == "policy"
    }
    assert ids[name] in set(retriever.last_routed or ()) and hits
    assert {h.chunk.doc_id for h in hits} <= {ids[name], *policies}
    assert set(retriever.last_routed or ()) <= {ids[name], *policies}
    everywhere = retriever.search("预算执行率", k=30)
    assert retriever.last_routed is None and len({h.chunk.doc_id for h in everywhere}) >= 3
    # a unit named with no year: every year's form of that unit, no other unit's
    unit_forms = {ids[n] for n, g in forms if g.agency == f.agency}
    retriever.search(f"{f.agency}的预算执行率", k=8)
    assert set(retriever.last_routed or ()) - policies == unit_forms
    # an explicit scope is never re-routed
    other = next(ids[n] for n, g in forms if g.agency != f.agency)
    scoped = retriever.search(f"{f.agency}{f.year}年的预算执行率", k=8, doc_ids=[other])
    assert {h.chunk.doc_id for h in scoped} == {other}


def test_follow_up_keeps_the_scope(portfolio, forms) -> None:
    assistant, ids = portfolio
    name, f = forms[1]
    first = assistant.ask(f"{f.agency}{f.year}年的预算执行率是多少？")
    assert {c.doc_id for c in first.citations} == {ids[name]}, first.answer
    second = assistant.ask("全年执行数是多少？", conversation_id=first.conversation_id)
    assert {c.doc_id for c in second.citations} == {ids[name]}, second.answer
    assert f"{gen.spent(f)}" in second.answer


def test_explicit_document_ids_restrict(portfolio, forms) -> None:
    assistant, ids = portfolio
    name, _f = forms[2]
    answer = assistant.ask("预算执行率是多少？", document_ids=[ids[name]])
    assert {c.doc_id for c in answer.citations} == {ids[name]}
    assert answer.table is None


# ---- across documents ----------------------------------------------------------------------------


def test_filter_lists_exactly_the_forms_below_the_threshold(portfolio, forms) -> None:
    assistant, ids = portfolio
    year = gen.FIRST_YEAR + 1
    of_year = [(n, f) for n, f in forms if f.year == year]
    rates = sorted(gen.rate(f) for _, f in of_year)
    threshold = (rates[0] + rates[1]) / 2  # exactly one form below
    answer = assistant.ask(f"{year}年哪些项目预算执行率低于{threshold}%？")
    expected = {ids[n] for n, f in of_year if gen.rate(f) < threshold}
    assert {r["doc_id"] for r in answer.table["rows"]} == expected
    for row in answer.table["rows"]:
        cite = answer.citations[row["cite"] - 1]
        assert (
            cite.doc_id == row["doc_id"]
            and f"{gen.rate(next(f for n, f in forms if ids[n] == row['doc_id']))}%" in cite.quote
        )
    assert answer.grounded, answer.ungrounded


def test_aggregate_states_ratio_of_totals_and_mean_of_ratios(portfolio, forms) -> None:
    assistant, _ids = portfolio
    year = gen.FIRST_YEAR
    fs = [f for _, f in forms if f.year == year]
    tb, ts = sum(gen.budget(f) for f in fs), sum(gen.spent(f) for f in fs)
    mean = q2(sum(gen.spent(f) / gen.budget(f) for f in fs) / len(fs) * 100)
    answer = assistant.ask(f"{year}年全部项目的预算总额和执行总额是多少？平均执行率？")
    by_metric = {c.metric: c for c in answer.computations}
    assert Decimal(by_metric["budget_execution_rate"].value).quantize(Decimal("0.01")) == q2(ts / tb * 100)
    assert Decimal(by_metric["mean_of_ratios"].value).quantize(Decimal("0.01")) == mean
    assert f"{q2(ts / tb * 100)}%" in answer.answer and f"{mean}%" in answer.answer
    assert "合计口径" in answer.answer and "简单平均" in answer.answer
    assert answer.grounded, answer.ungrounded


def test_rank_trend_and_previous_year(portfolio, forms) -> None:
    assistant, ids = portfolio
    lowest = min((f for _, f in forms), key=lambda f: f.total)
    answer = assistant.ask("自评得分最低的一个项目")
    assert [r["doc_id"] for r in answer.table["rows"]] == [doc_of(ids, forms, lowest.agency, lowest.year)]

    unit = forms[0][1].agency
    answer = assistant.ask(f"{unit}{gen.FIRST_YEAR}—{gen.FIRST_YEAR + 2}年预算执行率的变化")
    series = sorted((f for _, f in forms if f.agency == unit), key=lambda f: f.year)
    assert all(f"{gen.rate(f)}%" in answer.answer for f in series), answer.answer
    assert answer.table["chart"]["type"] == "line"

    cur, prev = series[-1], series[-2]
    answer = assistant.ask(f"{unit}{cur.year}年的预算执行率和上年相比有什么变化？")
    assert {c.doc_id for c in answer.citations} == {
        doc_of(ids, forms, unit, y) for y in (cur.year, prev.year)
    }
    change = next(c for c in answer.computations if c.metric == "year_on_year_change")
    assert Decimal(change.value) == gen.rate(cur) - gen.rate(prev)

"""A portfolio: several units' 项目支出绩效自评表 across several years (one .xlsx each), with
cross-document cases whose expected answers the generator computes from its own drawn figures.

    python -m evals.generator.portfolio --seed 7 --units 34 --years 6 --out /tmp/portfolio   # 204 forms + 24 reports

Writes `forms/<name>.xlsx` and `cases.yaml` (the eval case format; file-level `documents` lists every
form and each case is `unscoped`, so it is asked over the whole portfolio). With `--report-units N`
(default 4) another N units each get a 项目支出绩效评价报告 per year (`report.build_report`, PDF in
`forms/`, rendered by LibreOffice): their 全年预算, 实际支出 and 预算执行率 live in the report's
prose and tables, not in a form, and the `filter`, `aggregate`, `trend` and `previous` cases count
them with the forms (`report` tag on the cases about a report unit). Case kinds (tags):
`filter` (哪些项目预算执行率低于 T%), `rank` (得分最低的五个, forms' 总分 and reports' 评价得分), `aggregate` (预算总额、执行总额、
合计口径执行率和各项目执行率的简单平均), `missed` (满意度指标没完成的单位), `trend` (一个单位历年执行率),
`previous` (和上年相比), `decline` (连续两年得分下降), `compare` (两个单位的成本指标),
`ambiguous` (a question that names no document: never one silent answer). Nothing imports jixiao:
the arithmetic is the generator's own `decimal` (half-up to 2 places).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from evals.generator import report
from evals.generator.common import Doc, draw_ctx
from evals.generator.selfeval import AGENCIES, PLACES, PROJECTS, GenForm, make_form

D = Decimal
FIRST_YEAR = 2019


def q2(v: Decimal) -> Decimal:
    return v.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def units_of(seed: int, count: int) -> list[tuple[str, str]]:
    """`count` distinct (unit, project) pairs."""
    rng = random.Random(seed)
    pairs = [(p + a, "") for p in PLACES for a in AGENCIES]
    rng.shuffle(pairs)
    if count > len(pairs):
        raise ValueError(f"at most {len(pairs)} units")
    return [(u, PROJECTS[i % len(PROJECTS)] + "项目") for i, (u, _) in enumerate(pairs[:count])]


@dataclass
class GenReport:
    """A generated 项目支出绩效评价报告 with the figures the cases need (as the report prints them)."""

    agency: str
    year: int
    doc: Doc
    budget: Decimal  # 全年预算 (调整后)
    spent: Decimal  # 实际支出
    rate: Decimal  # 预算执行率, half-up to 2 places
    score: Decimal  # 绩效评价得分 as printed (the sentence and, when there is one, the score table's 合计)


def build_reports(seed: int, units: int, report_units: int, years: int) -> list[tuple[str, GenReport]]:
    """`report_units` units not among the forms' `units`, one project report per year each."""
    out = []
    pairs = units_of(seed, units + report_units)[units:]
    for i, (unit, project) in enumerate(pairs):
        for j in range(years):
            year = FIRST_YEAR + j
            rng = random.Random(seed * 100_000 + 50_000 + i * 100 + j)
            ctx = replace(draw_ctx(rng), agency=unit, implementer=unit, project=project, year=year,
                          munit="万元", mplaces=2)  # fmt: skip
            name = f"pf{seed}-r{i:02d}-{year}"
            doc = Doc(rng, ctx, name, "project_report", "项目支出绩效评价报告")
            report.build_report(doc, False)
            b, e = doc.true["tot.b1"], doc.true["tot.e"]
            out.append((f"{name}.pdf", GenReport(unit, year, doc, b, e, q2(e / b * 100), doc.v("total"))))
    return out


def build(seed: int, units: int, years: int) -> list[tuple[str, GenForm]]:
    out = []
    for i, (unit, project) in enumerate(units_of(seed, units)):
        for j in range(years):
            year = FIRST_YEAR + j
            form = make_form(
                seed * 100_000 + i * 100 + j, year=year, agency=unit, implementer=unit,
                project=project, dept=False, money_unit="万元",
            )  # fmt: skip
            out.append((f"pf{seed}-u{i:02d}-{year}.xlsx", form))
    return out


# ---- the figures a case is about (the generator's own arithmetic) ----------------------------------


def budget(f: GenForm) -> Decimal:
    return f.funds["年度资金总额"]["b1"] or D(0)


def spent(f: GenForm) -> Decimal:
    return f.funds["年度资金总额"]["e"] or D(0)


def rate(f: GenForm) -> Decimal:
    return q2(spent(f) / budget(f) * 100)


def satisfaction_missed(f: GenForm) -> bool:
    ind = next(i for i in f.inds if i.l1 == "满意度指标")
    return D(ind.actual) < D(ind.target)


def cost_actual(f: GenForm) -> Decimal:
    return D(next(i for i in f.inds if i.l2 == "成本指标").actual)


def _val(v: Decimal, unit: str) -> dict:
    return {"value": float(v), "unit": unit, "tolerance": 0.01}


def cases(
    forms: list[tuple[str, GenForm]], seed: int, reports: list[tuple[str, GenReport]] | None = None
) -> list[dict]:
    rng = random.Random(seed)
    by_year: dict[int, list[GenForm]] = {}
    by_unit: dict[str, list[GenForm]] = {}
    for _name, f in forms:
        by_year.setdefault(f.year, []).append(f)
        by_unit.setdefault(f.agency, []).append(f)
    # budget, spent and rate of every document (forms and reports) by year and by unit
    money_by_year: dict[int, list[tuple[str, Decimal, Decimal, Decimal]]] = {}
    rates_by_unit: dict[str, list[tuple[int, Decimal]]] = {}
    for _name, f in forms:
        money_by_year.setdefault(f.year, []).append((f.agency, budget(f), spent(f), rate(f)))
        rates_by_unit.setdefault(f.agency, []).append((f.year, rate(f)))
    # the total score of every document by year and by unit: a form's 总分, a report's 评价得分
    scores_by_year: dict[int, list[tuple[str, Decimal]]] = {}
    scores_by_unit: dict[str, list[tuple[int, Decimal]]] = {}
    for _name, f in forms:
        scores_by_year.setdefault(f.year, []).append((f.agency, f.total))
        scores_by_unit.setdefault(f.agency, []).append((f.year, f.total))
    report_units: list[str] = []
    for _name, r in reports or []:
        money_by_year.setdefault(r.year, []).append((r.agency, r.budget, r.spent, r.rate))
        rates_by_unit.setdefault(r.agency, []).append((r.year, r.rate))
        scores_by_year.setdefault(r.year, []).append((r.agency, r.score))
        scores_by_unit.setdefault(r.agency, []).append((r.year, r.score))
        if r.agency not in report_units:
            report_units.append(r.agency)
    out: list[dict] = []

    def add(kind: str, question: str, expect: dict, note: str = "") -> None:
        case = {"id": f"pf{seed}-{len(out) + 1:02d}-{kind}", "question": question, "unscoped": True,
                "tags": ["portfolio", kind], "expect": expect}  # fmt: skip
        if note:
            case["note"] = note
        out.append(case)

    for year, fs in sorted(by_year.items()):
        docs = money_by_year[year]
        low = sorted(d[3] for d in docs)
        threshold = D(int(low[len(low) // 3]) + 1)
        below = [d[0] for d in docs if d[3] < threshold]
        above = [d[0] for d in docs if d[3] >= threshold]
        add("filter", f"{year}年哪些项目预算执行率低于{threshold}%？",
            {"contains": below or ["没有"], **({"not_contains": above[:3]} if above else {})},
            f"{len(below)} of {len(docs)} documents below {threshold}%")  # fmt: skip
        ranked = sorted(scores_by_year[year], key=lambda d: d[1])
        if len({d[1] for d in ranked[:6]}) == 6:
            add("rank", f"{year}年得分最低的五个项目", {"contains": [d[0] for d in ranked[:5]],
                "not_contains": [ranked[-1][0]]})  # fmt: skip
            if set(report_units) & {d[0] for d in ranked[:5]}:
                out[-1]["tags"].append("report")
        tb, ts = sum((d[1] for d in docs), D(0)), sum((d[2] for d in docs), D(0))
        mean = q2(sum((d[2] / d[1] for d in docs), D(0)) / len(docs) * 100)
        add("aggregate", f"{year}年全部项目的预算总额和执行总额是多少？平均执行率？",
            {"values": [_val(tb, "万元"), _val(ts, "万元"), _val(q2(ts / tb * 100), "%"), _val(mean, "%")]},
            f"Σ全年预算数 {tb}, Σ全年执行数 {ts}, 合计口径 {q2(ts / tb * 100)}%, 简单平均 {mean}%")  # fmt: skip
        missed = [f.agency for f in fs if satisfaction_missed(f)]
        met = [f.agency for f in fs if not satisfaction_missed(f)]
        add("missed", f"{year}年哪些单位的满意度指标没完成？",
            {"contains": missed or [{"re": "均已达到|没有"}], **({"not_contains": met[:3]} if met else {})})  # fmt: skip

    for unit in report_units:  # the reports' figures are read from prose and tables, not a form
        points = sorted(rates_by_unit[unit])
        (y0, _), (y1, _) = points[0], points[-1]
        add("trend", f"{unit}{y0}—{y1}年预算执行率的变化",
            {"contains": [unit], "values": [_val(r, "%") for _y, r in points]})  # fmt: skip
        out[-1]["tags"].append("report")
        (_yp, rp), (yc, rc) = points[-2], points[-1]
        add("previous", f"{unit}{yc}年的预算执行率和上年相比有什么变化？",
            {"values": [_val(rc, "%"), _val(rp, "%"), _val(rc - rp, "%")]})  # fmt: skip
        out[-1]["tags"].append("report")
        scores = sorted(scores_by_unit[unit])  # the reports' 评价得分, read from a sentence or a score table
        add("trend", f"{unit}{scores[0][0]}—{scores[-1][0]}年评价得分的变化",
            {"contains": [unit], "values": [_val(v, "") for _y, v in scores]})  # fmt: skip
        out[-1]["tags"] += ["report", "score"]
    # two report units' 产出 rows side by side, read from the reports' score tables (分值 and 得分;
    # the 得分 is the answer, never the 分值)
    tabled: dict[int, list[GenReport]] = {}
    for _name, r in reports or []:
        # the score table was drawn (its 合计 row's 得分率) with rules: a table as data; an unruled
        # one is prose to a table reader, and its 产出 row no indicator row
        if "total.rate" in r.doc.figs and r.doc.ctx.ruled:
            tabled.setdefault(r.year, []).append(r)
    for year, rs in sorted(tabled.items()):
        if len(rs) < 2 or sum("indicator" in c["tags"] for c in out) >= 2:
            continue
        got = [
            next(r.doc.v(k) for k, f in r.doc.figs.items() if k.endswith(".got") and "产出" in f.label)
            for r in rs[:2]
        ]
        add("compare", f"{rs[0].agency}和{rs[1].agency}{year}年的产出指标比较",
            {"contains": [rs[0].agency, rs[1].agency], "values": [_val(v, "") for v in got]})  # fmt: skip
        out[-1]["tags"] += ["report", "indicator"]
    units = sorted(by_unit)
    for unit in rng.sample(units, min(6, len(units))):
        fs = sorted(by_unit[unit], key=lambda f: f.year)
        y0, y1 = fs[0].year, fs[-1].year
        add("trend", f"{unit}{y0}—{y1}年预算执行率的变化",
            {"contains": [unit], "values": [_val(rate(f), "%") for f in fs]})  # fmt: skip
    for unit in rng.sample(units, min(4, len(units))):
        fs = sorted(by_unit[unit], key=lambda f: f.year)
        cur, prev = fs[-1], fs[-2]
        add("previous", f"{unit}{cur.year}年的预算执行率和上年相比有什么变化？",
            {"values": [_val(rate(cur), "%"), _val(rate(prev), "%"), _val(rate(cur) - rate(prev), "%")]})  # fmt: skip
    declined = []
    for unit in [*units, *report_units]:
        ts = [v for _y, v in sorted(scores_by_unit[unit])]  # consecutive years: one document a year
        if any(a > b > c for a, b, c in zip(ts, ts[1:], ts[2:], strict=False)):
            declined.append(unit)
    steady = [u for u in [*units, *report_units] if u not in declined]
    add("decline", "连续两年得分下降的项目有哪些？",
        {"contains": declined[:8] or [{"re": "没有"}], **({"not_contains": steady[:3]} if steady else {})},
        f"{len(declined)} units with a total score falling two years running")  # fmt: skip
    year = FIRST_YEAR + 1
    for a, b in [rng.sample(units, 2) for _ in range(2)]:
        fa = next(f for f in by_unit[a] if f.year == year)
        fb = next(f for f in by_unit[b] if f.year == year)
        add("compare", f"{a}和{b}{year}年的成本指标比较",
            {"contains": [a, b], "values": [_val(cost_actual(fa), ""), _val(cost_actual(fb), "")]})  # fmt: skip
    add(
        "ambiguous",
        "预算执行率是多少？",
        {"contains": [{"re": "逐份|请指明|哪一份"}]},
        "names no unit, project or year: a table per document or a clarifying answer, never one silent pick",
    )
    add("ambiguous", "这个项目的自评总分是多少？", {"contains": [{"re": "逐份|请指明|哪一份"}]})
    return out


def write(seed: int, units: int, years: int, out: Path, report_units: int = 0) -> dict:
    from evals.generator.formats import write_xlsx

    forms = build(seed, units, years)
    (out / "forms").mkdir(parents=True, exist_ok=True)
    for name, form in forms:
        write_xlsx([form], out / "forms" / name)
    reports = build_reports(seed, units, report_units, years) if report_units else []
    if reports:
        from evals.corpus.build import render

        src = out / "src"
        src.mkdir(parents=True, exist_ok=True)
        sources = []
        for name, r in reports:
            path = src / name.replace(".pdf", ".html")
            path.write_text(r.doc.html(), encoding="utf-8")
            sources.append(path)
        render(sources, out / "forms")
    described = f"{units} units × {years} years = {len(forms)} forms"
    if reports:
        described += f", {report_units} units × {years} years = {len(reports)} reports"
    data = {
        "description": f"portfolio seed {seed}: {described}",
        "documents": [name for name, _ in forms] + [name for name, _ in reports],
        "doc_type": "project_form",
        "tags": ["generated"],
        "cases": cases(forms, seed, reports),
    }
    (out / "cases.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return data


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m evals.generator.portfolio", description=__doc__.split("\n\n")[0]
    )
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--units", type=int, default=34, help="units (default 34; at most 42)")
    ap.add_argument("--years", type=int, default=6, help="years from 2019 (default 6)")
    ap.add_argument(
        "--report-units",
        type=int,
        default=4,
        help="units with a project report per year (default 4; 0: none)",
    )
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.units < 2 or args.years < 3 or args.report_units < 0:
        ap.error("--units must be ≥ 2, --years ≥ 3 and --report-units ≥ 0")
    data = write(args.seed, args.units, args.years, args.out, args.report_units)
    print(f"{len(data['documents'])} documents, {len(data['cases'])} cases -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

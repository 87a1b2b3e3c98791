"""Self-evaluation forms (项目支出 / 部门整体支出绩效自评表) as a cell layout, with the figures that
fill it and, optionally, one planted error — to render as xlsx, docx or PDF (`evals.generator.formats`).

The layout follows the national format (annex of 财预〔2020〕10号); header words vary by draw
(全年预算数/调整后预算数, 分值/权重, 得分/自评得分, 实际完成值/全年实际值 …), the 年初预算数
column is sometimes left out, units sit in the block title or in the headers, and empty cells are
"", "/" or "—". Nothing imports jixiao: expected values are the generator's own `decimal` arithmetic.

Planted error kinds (one per planted form; `expected` lists the finding kinds it may cause):
rate (执行率 ≠ 全年执行数 ÷ 全年预算数), fund_score (资金得分 ≠ 分值 × min(执行率, 100%)),
score_over_max (得分 > 分值), total (总分 ≠ Σ 得分), weights (Σ 分值 ≠ 100), full_marks_miss (target
missed, full marks), missing_reason (score below 分值, no 偏差原因), blank_required (a required cell blank).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

D = Decimal
ZERO, HUNDRED = D(0), D(100)
KINDS = (
    "rate", "fund_score", "score_over_max", "total", "weights", "full_marks_miss", "missing_reason",
    "blank_required",
)  # fmt: skip

PLACES = ["示例市", "某县", "样本区", "演示市", "甲市", "乙县"]
AGENCIES = ["农业农村局", "交通运输局", "教育局", "卫生健康委员会", "水利局", "民政局", "文化和旅游局"]
PROJECTS = ["高标准农田建设", "农村公路养护", "学生资助", "基层医疗设备购置", "小型水库除险加固",
            "养老服务补贴", "公共文化服务提升", "农村饮水安全巩固"]  # fmt: skip
QUANT = [("完成任务数量", "个", 20, 400), ("培训人次", "人次", 200, 5000), ("覆盖户数", "户", 100, 8000),
         ("建设里程", "公里", 5, 120), ("设备购置数量", "台", 5, 90)]  # fmt: skip
REASONS = ["受天气影响部分任务延后，下年度加快进度", "资金拨付较晚，已督促尽快实施", "部分指标设置偏高，下年度合理设定",
           "项目实施单位配合不足，加强沟通协调"]  # fmt: skip


def q(v: Decimal, places: int = 2) -> Decimal:
    return v.quantize(D(1).scaleb(-places), rounding=ROUND_HALF_UP)


def txt(v: Decimal, places: int) -> str:
    return format(q(v, places), f".{places}f")


@dataclass
class Placed:
    text: str
    cs: int = 1
    rs: int = 1
    number: Decimal | None = None  # a figure (for xlsx: written as a number)
    places: int = 2
    percent: bool = False
    header: bool = False


@dataclass
class Ind:
    l1: str
    l2: str
    l3: str
    cmp: str  # ≥ ≤ = or "" (qualitative)
    target: Decimal | str
    actual: Decimal | str
    unit: str
    max: Decimal
    score: Decimal
    reason: str = ""
    target_text: str = ""
    actual_text: str = ""


@dataclass
class GenForm:
    """One form: its layout rows (HTML-like: cells left to right, row/col spans), the source values
    and the planted error (kind, expected finding kinds) or None."""

    seed: int
    kind: str  # project_form | department_form
    title: str
    year: int
    name: str
    agency: str
    implementer: str
    unit: str
    ncols: int
    rows: list[list[Placed]]
    funds: dict[str, dict[str, Decimal | None]]
    inds: list[Ind]
    fund_max: Decimal
    fund_score: Decimal
    total: Decimal
    total_max: Decimal
    planted: str | None = None
    expected: set[str] = field(default_factory=set)


def _split(rng: random.Random, total: int, n: int) -> list[int]:
    parts = [1] * n
    for _ in range(total - n):
        parts[rng.randrange(n)] += 1
    return parts


def _indicators(rng: random.Random, splaces: int) -> list[Ind]:
    inds: list[Ind] = []
    for name, unit, lo, hi in rng.sample(QUANT, 2):
        t = D(rng.randint(lo, hi))
        a = q(t * D(str(rng.choice([1, 1, 1.05, 1.2, 0.9, 0.8]))), 0)
        inds.append(
            Ind("产出指标", "数量指标", name, rng.choice(["≥", "≥", "不低于"]), t, a, unit, ZERO, ZERO)
        )
    qt = D(rng.choice([90, 95, 98]))
    inds.append(
        Ind(
            "产出指标",
            "质量指标",
            "验收合格率",
            "≥",
            qt,
            q(qt + D(rng.randint(-50, 20)) / 10, 1).min(HUNDRED),
            "%",
            ZERO,
            ZERO,
        )
    )
    ct = D(rng.randint(50, 900))
    inds.append(
        Ind(
            "产出指标",
            "成本指标",
            "单位成本",
            "≤",
            ct,
            q(ct * D(str(rng.choice([0.9, 1, 1.1]))), 0),
            "元",
            ZERO,
            ZERO,
        )
    )
    inds.append(
        Ind(
            "效益指标",
            "社会效益指标",
            "长效管护机制",
            "",
            "健全",
            rng.choice(["健全", "健全", "基本健全"]),
            "",
            ZERO,
            ZERO,
        )
    )
    st = D(rng.choice([85, 90]))
    inds.append(
        Ind(
            "满意度指标",
            "服务对象满意度指标",
            "服务对象满意度",
            rng.choice(["≥", "达到"]),
            st,
            q(st + D(rng.randint(-40, 90)) / 10, 1),
            "%",
            ZERO,
            ZERO,
        )
    )
    groups = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    for g, total in groups.items():
        members = [i for i in inds if i.l1 == g]
        for i, w in zip(members, _split(rng, total // 5, len(members)), strict=True):
            i.max = D(w * 5)
    step = D(1).scaleb(-splaces)
    for i in inds:
        if i.cmp == "":
            i.score = i.max if i.actual == "健全" else q(i.max * D("0.8"), splaces)
        else:
            a, t = D(i.actual), D(i.target)
            met = a <= t if i.cmp == "≤" else a >= t
            if met:
                i.score = i.max if rng.random() < 0.85 else i.max - step * rng.randint(1, 10)
            else:
                i.score = min(q(i.max * (t / a if i.cmp == "≤" else a / t), splaces), i.max - step)
        i.reason = rng.choice(REASONS) if i.score < i.max else ""
        i.target_text = (i.cmp + format(i.target, "f") + i.unit) if i.cmp else str(i.target)
        i.actual_text = (format(i.actual, "f") + i.unit) if i.cmp else str(i.actual)
    return inds


def make_form(
    seed: int,
    plant: str | None = None,
    *,
    year: int | None = None,
    agency: str | None = None,
    project: str | None = None,
    dept: bool | None = None,
    implementer: str | None = None,
    money_unit: str | None = None,
) -> GenForm:
    """One form from `seed`; `plant`: one of KINDS, or None for a correct form. `year`, `agency`,
    `project`, `dept`, `implementer` and `money_unit` fix what is otherwise drawn (a portfolio: one unit's forms across years);
    the draws still happen, so the other figures of a seed do not change."""
    rng = random.Random(seed)
    drawn_dept = rng.random() < 0.25
    dept = drawn_dept if dept is None else dept
    year = rng.randint(2019, 2025) if year is None else (rng.randint(2019, 2025) and year)
    place = rng.choice(PLACES)
    drawn_agency = place + rng.choice(AGENCIES)
    agency = agency or drawn_agency
    drawn_project = rng.choice(PROJECTS) + rng.choice(["项目", "专项资金", "补助资金"])
    project = project or drawn_project
    drawn_implementer = agency if rng.random() < 0.5 else place + rng.choice(["中心", "服务站", "管理所"])
    implementer = implementer or drawn_implementer
    unit = rng.choice(["万元", "万元", "元"])
    unit = money_unit or unit
    mp = 2
    splaces = rng.choice([1, 2])
    scale = D(10000) if unit == "元" else D(1)
    b0 = q(D(rng.randint(50, 3000)) * scale, mp)
    b1 = b0 if rng.random() < 0.5 else q(b0 * D(rng.randint(85, 125)) / 100, mp)
    e = q(b1 * D(rng.randint(800, 1000)) / 1000, mp)
    rows_f: dict[str, dict[str, Decimal | None]] = {}
    if dept:
        basic_b0 = q(b0 * D(rng.randint(30, 70)) / 100, mp)
        basic_b1 = q(b1 * D(rng.randint(30, 70)) / 100, mp)
        basic_e = q(e * D(rng.randint(30, 70)) / 100, mp)
        rows_f["其中：基本支出"] = {"b0": basic_b0, "b1": basic_b1, "e": basic_e}
        rows_f["项目支出"] = {"b0": b0 - basic_b0, "b1": b1 - basic_b1, "e": e - basic_e}
    else:
        carry = rng.random() < 0.4
        cb1 = q(D(rng.randint(5, 200)) * scale, mp) if carry else ZERO
        ce = q(cb1 * D(rng.randint(600, 1000)) / 1000, mp) if carry else ZERO
        rows_f["其中：当年财政拨款"] = {"b0": b0, "b1": b1, "e": e}
        rows_f["上年结转资金"] = {"b0": ZERO, "b1": cb1, "e": ce}
        rows_f["其他资金"] = {"b0": ZERO, "b1": ZERO, "e": ZERO}
        b0, b1, e = b0, b1 + cb1, e + ce
    tot = {"b0": b0, "b1": b1, "e": e}
    fund_max = D(10)
    inds = _indicators(rng, splaces)
    rate = q(e / b1 * HUNDRED, 2)
    stated_rate = rate
    fund_score = q(fund_max * min(rate, HUNDRED) / HUNDRED, splaces)
    expected: set[str] = set()
    step = D(1).scaleb(-splaces)
    blank: str | None = None
    if plant == "rate":
        stated_rate = rate + rng.choice([-1, 1]) * D(rng.randint(50, 800)) / 100
        stated_rate = stated_rate if stated_rate <= HUNDRED else rate - D(rng.randint(50, 800)) / 100
        expected = {"rate"}
    elif plant == "fund_score":
        fund_score = (
            fund_score - D(rng.randint(5, 30)) / 10
            if fund_score > 3
            else fund_score + D(rng.randint(5, 30)) / 10
        )
        fund_score = q(fund_score, splaces)
        expected = {"fund_score", "score_over_max"}
    elif plant == "score_over_max":
        i = rng.choice(inds)
        i.score, i.reason = i.max + step * rng.randint(1, 20), ""
        expected = {"score_over_max"}
    elif plant == "weights":
        i = rng.choice(inds)
        extra = D(rng.choice([1, 2, 5]))
        if i.score == i.max:
            i.score += extra
        i.max += extra
        expected = {"weights"}
    elif plant == "full_marks_miss":
        i = next(x for x in inds if x.cmp in ("≥", "不低于") and x.unit != "%")
        i.actual = q(D(i.target) * D(rng.randint(50, 95)) / 100, 0)
        if i.actual >= D(i.target):  # a small target (8 公里 × 95% rounds back to 8): still a miss
            i.actual = max(D(i.target) - 1, D(0))
        i.actual_text = format(i.actual, "f") + i.unit
        i.score, i.reason = i.max, ""
        expected = {"full_marks_miss"}
    elif plant == "missing_reason":
        below = [x for x in inds if x.score < x.max]
        i = rng.choice(below) if below else rng.choice([x for x in inds if x.cmp == ""])
        if i.score == i.max:
            i.score = i.max - step * rng.randint(1, 10)
        i.reason = ""
        expected = {"missing_reason"}
    elif plant == "blank_required":
        blank = rng.choice(["spent", "budget", "score", "actual", "name"])
        expected = {"blank_required"}
    ind_sum = sum((i.score for i in inds), ZERO)
    total = fund_score + ind_sum
    total_max = fund_max + sum((i.max for i in inds), ZERO)
    if plant == "weights":
        total_max = HUNDRED  # stated as 100 while the weights add up to more
    stated_total = total
    if plant == "total":
        stated_total = total + rng.choice([-1, 1]) * step * rng.randint(5, 40)
        expected = {"total"}
    if blank == "score":
        blank_ind = rng.randrange(len(inds))
    form = GenForm(
        seed=seed, kind="department_form" if dept else "project_form",
        title=("部门整体支出绩效自评表" if dept else rng.choice(["项目支出绩效自评表", "项目支出绩效自评表", "项目绩效自评表"])),
        year=year, name=(agency if dept else project), agency=agency, implementer=implementer, unit=unit,
        ncols=10, rows=[], funds={"年度资金总额": tot, **rows_f}, inds=inds, fund_max=fund_max,
        fund_score=fund_score, total=stated_total, total_max=total_max, planted=plant, expected=expected,
    )  # fmt: skip
    _layout(form, rng, stated_rate, splaces, blank, blank_ind if blank == "score" else -1)
    return form


def _layout(
    f: GenForm, rng: random.Random, rate: Decimal, sp: int, blank: str | None, blank_ind: int
) -> None:
    c = rng.choice
    unit_in_title = rng.random() < 0.6
    hdr = {
        "b0": "年初预算数", "b1": c(["全年预算数", "调整后预算数", "全年预算数（A）"]),
        "e": c(["全年执行数", "全年执行数（B）", "预算执行数"]), "max": c(["分值", "权重"]),
        "rate": c(["执行率", "执行率（B/A）"]), "score": c(["得分", "自评得分"]),
    }  # fmt: skip
    if not unit_in_title:
        for k in ("b0", "b1", "e"):
            hdr[k] = hdr[k] + f"（{f.unit}）" if "（" not in hdr[k] else hdr[k]
    with_initial = rng.random() < 0.75
    dash = c(["—", "/", ""])
    rows: list[list[Placed]] = []
    name_label = "部门（单位）名称" if f.kind == "department_form" else "项目名称"
    rows.append([Placed(name_label, header=True), Placed("" if blank == "name" else f.name, cs=9)])
    if f.kind == "project_form":
        rows.append([Placed("主管部门", header=True), Placed(f.agency, cs=4), Placed("实施单位", cs=2, header=True),
                     Placed(f.implementer, cs=3)])  # fmt: skip
    block = ("年度预算申请" if f.kind == "department_form" else "项目资金") + (
        f"（{f.unit}）" if unit_in_title else ""
    )
    cols = (["b0"] if with_initial else []) + ["b1", "e", "max", "rate", "score"]
    label_cs = 2 if with_initial else 3
    nfund = len(f.funds)
    head = [Placed(block, rs=nfund + 1, header=True), Placed("", cs=label_cs)]
    head += [Placed(hdr[k], header=True, cs=2 if k == "score" else 1) for k in cols]
    rows.append(head)
    for i, (label, vals) in enumerate(f.funds.items()):
        row = [Placed(label, cs=label_cs)]
        for k in cols:
            cs = 2 if k == "score" else 1
            if i == 0:
                if k in ("b0", "b1", "e"):
                    v = vals[k]
                    hide = (blank == "spent" and k == "e") or (blank == "budget" and k == "b1")
                    row.append(Placed("" if hide else txt(v, 2), number=None if hide else v))
                elif k == "max":
                    row.append(Placed(format(f.fund_max, "f"), number=f.fund_max, places=0))
                elif k == "rate":
                    row.append(Placed(txt(rate, 2) + "%", number=rate, percent=True))
                else:
                    row.append(Placed(txt(f.fund_score, sp), cs=cs, number=f.fund_score, places=sp))
            elif k in ("b0", "b1", "e"):
                v = vals[k]
                row.append(Placed(dash if not v else txt(v, 2), number=v if v else None))
            else:
                row.append(Placed(dash, cs=cs))
        rows.append(row)
    goal_words = {"exp": c(["预期目标", "年初设定目标"]), "act": c(["实际完成情况", "年度总体目标完成情况"])}
    rows.append([Placed("年度总体目标", rs=2, header=True), Placed(goal_words["exp"], cs=5, header=True),
                 Placed(goal_words["act"], cs=4, header=True)])  # fmt: skip
    rows.append([Placed(f"完成{f.name}年度任务，各项指标达到预期。", cs=5),
                 Placed("按计划实施，年度目标基本完成。", cs=4)])  # fmt: skip
    if rng.random() < 0.3:
        _split_indicator_block(f, rng, rows, hdr, sp, blank, blank_ind)
        f.rows = rows
        return
    heads = ["一级指标", "二级指标", "三级指标", c(["年度指标值", "年度目标值"]), c(["实际完成值", "全年实际值"]),
             hdr["max"], hdr["score"], c(["偏差原因分析及改进措施", "未完成原因分析"])]  # fmt: skip
    rows.append([Placed("绩效指标", rs=len(f.inds) + 1, header=True)]
                + [Placed(h, header=True, cs=2 if h.endswith(("措施", "分析")) else 1) for h in heads])  # fmt: skip
    seen: set[str] = set()
    for n, i in enumerate(f.inds):
        row: list[Placed] = []
        if i.l1 not in seen:
            seen.add(i.l1)
            row.append(Placed(i.l1, rs=sum(1 for x in f.inds if x.l1 == i.l1)))
        act_blank = blank == "actual" and n == 0
        row += [Placed(i.l2), Placed(i.l3), Placed(i.target_text), Placed("" if act_blank else i.actual_text),
                Placed(format(i.max, "f"), number=i.max, places=0),
                Placed("" if n == blank_ind else txt(i.score, sp), number=None if n == blank_ind else i.score, places=sp),
                Placed(i.reason, cs=2)]  # fmt: skip
        rows.append(row)
    rows.append([Placed("总分", cs=6, header=True), Placed(format(f.total_max, "f"), number=f.total_max, places=0),
                 Placed(txt(f.total, sp), number=f.total, places=sp), Placed("", cs=2)])  # fmt: skip
    f.rows = rows


def _split_indicator_block(
    f: GenForm,
    rng: random.Random,
    rows: list[list[Placed]],
    hdr: dict,
    sp: int,
    blank: str | None,
    blank_ind: int,
) -> None:
    """The other common layout: comparator (指标性质) and unit (度量单位) in columns of their own,
    figures bare, under a banner row instead of a 绩效指标 column — extra columns, other header words."""
    rows.append([Placed(f"绩效指标（{format(f.total_max - f.fund_max, 'f')}分）", cs=10, header=True)])
    heads = ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "完成值", hdr["max"], hdr["score"],
             rng.choice(["未完成原因分析", "偏差原因分析及改进措施"])]  # fmt: skip
    rows.append([Placed(h, header=True) for h in heads])
    seen: set[str] = set()
    for n, i in enumerate(f.inds):
        row: list[Placed] = []
        if i.l1 not in seen:
            seen.add(i.l1)
            row.append(Placed(i.l1, rs=sum(1 for x in f.inds if x.l1 == i.l1)))
        cmp = {"不低于": "≥", "达到": "≥"}.get(i.cmp, i.cmp) or "定性"
        target = format(i.target, "f") if i.cmp else str(i.target)
        actual = "" if (blank == "actual" and n == 0) else (format(i.actual, "f") if i.cmp else str(i.actual))
        row += [Placed(i.l2), Placed(i.l3), Placed(cmp), Placed(target), Placed(i.unit), Placed(actual),
                Placed(format(i.max, "f"), number=i.max, places=0),
                Placed("" if n == blank_ind else txt(i.score, sp), number=None if n == blank_ind else i.score, places=sp),
                Placed(i.reason)]  # fmt: skip
        rows.append(row)
    rows.append([Placed("总分", cs=7, header=True), Placed(format(f.total_max, "f"), number=f.total_max, places=0),
                 Placed(txt(f.total, sp), number=f.total, places=sp), Placed("")])  # fmt: skip


def positions(rows: list[list[Placed]], ncols: int) -> list[tuple[int, int, Placed]]:
    """(row, col, cell) of each cell of HTML-like rows (row spans occupy the rows below)."""
    taken: set[tuple[int, int]] = set()
    out: list[tuple[int, int, Placed]] = []
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            out.append((r, col, cell))
            for dr in range(cell.rs):
                for dc in range(cell.cs):
                    taken.add((r + dr, col + dc))
            col += cell.cs
        assert col <= ncols, (r, col)
    return out


def batch(seed: int, count: int, planted_share: float = 0.5) -> list[GenForm]:
    """`count` forms; about `planted_share` of them carry one planted error, kinds in turn."""
    master = random.Random(seed)
    out: list[GenForm] = []
    for n in range(count):
        plant = KINDS[(n // 2) % len(KINDS)] if master.random() < planted_share else None
        out.append(make_form(master.getrandbits(48), plant))
    return out

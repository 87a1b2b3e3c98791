"""部门整体支出绩效评价报告: staffing, income, spending by 基本支出/项目支出, 三公经费 over two
years, and the evaluation score."""

from __future__ import annotations

from decimal import Decimal

from evals.generator import vocab
from evals.generator.common import (
    ZERO,
    Doc,
    esc,
    grade_of,
    growth,
    hdr,
    pct,
    plain,
    q,
    split,
    table,
    td,
    unit_line,
)

DIMS = [("部门决策", "部门管理", "部门履职", "履职效果"), ("投入", "过程", "产出", "效果")]
SPLITS = [(20, 20, 30, 30), (15, 25, 30, 30), (10, 30, 35, 25)]


def build(doc: Doc, plant: bool) -> None:
    rng, ctx = doc.rng, doc.ctx
    Y, c = ctx.year, rng.choice
    mp = ctx.mplaces
    factor = {"元": Decimal(10000), "万元": Decimal(1), "亿元": Decimal("0.0001")}[ctx.munit]

    def conv(wan: Decimal) -> Decimal:
        """万元 drawn in whole or 1/100 steps -> the document's unit, with ragged low digits."""
        v = wan * factor
        if ctx.munit == "元":
            v += Decimal(rng.randint(0, 999999)) / 100
        return q(v, mp)

    # ---- staff ------------------------------------------------------------------------------
    cats = ["行政编制", "事业编制"] + (["工勤编制"] if rng.random() < 0.4 else [])
    quota = [rng.randint(8, 160) for _ in cats]
    real = [max(x - rng.randint(0, max(x // 8, 1)), 1) for x in quota]
    n_org, n_sub = rng.randint(4, 15), rng.randint(0, 9)
    qh, rh_ = c(vocab.STAFF_QUOTA), c(vocab.STAFF_REAL)
    # ---- spending (drawn in 万元, shown in the document's unit) -----------------------------
    staff_n = sum(real)
    pers = conv(Decimal(staff_n) * Decimal(rng.randint(1200, 2600)) / 100)
    pub = conv(Decimal(staff_n) * Decimal(rng.randint(150, 600)) / 100)
    proj = conv(Decimal(rng.randint(500, 40000)))
    main_proj = q(proj * Decimal(rng.randint(20, 60)) / 100, mp)
    rows = {}
    for key, b1 in (("pers", pers), ("pub", pub), ("proj", proj), ("mproj", main_proj)):
        rows[key] = {"b1": b1}
    for key in ("pers", "pub", "proj"):
        r = rows[key]
        r["b0"] = q(r["b1"] * Decimal(rng.randint(85, 100)) / 100, mp) if rng.random() < 0.6 else r["b1"]
        r["e"] = q(r["b1"] * Decimal(rng.randint(900 if key != "proj" else 750, 1000)) / 1000, mp)
    m = rows["mproj"]
    m["b0"] = q(rows["proj"]["b0"] * main_proj / proj, mp)
    m["e"] = q(rows["proj"]["e"] * main_proj / proj * Decimal(rng.randint(95, 100)) / 100, mp)
    basic = {k: rows["pers"][k] + rows["pub"][k] for k in ("b0", "b1", "e")}
    tot = {k: basic[k] + rows["proj"][k] for k in ("b0", "b1", "e")}
    # income: 财政拨款收入 + 其他收入 (+ 上年结转) = 全年预算
    inc_fin = q(tot["b1"] * Decimal(rng.randint(80, 97)) / 100, mp)
    inc_rest = split(rng, tot["b1"] - inc_fin, 2, mp)
    # 三公经费, always in 万元 (or 元 when the document is in 元)
    sg_unit = "元" if ctx.munit == "元" else "万元"
    sgf = 10000 if sg_unit == "元" else 1

    def sg_amount(lo: int, hi: int) -> Decimal:  # lo..hi hundredths of 万元
        return Decimal(rng.randint(lo * sgf, hi * sgf)) / 100

    abroad_prev = sg_amount(50, 800) if rng.random() < 0.3 else ZERO
    abroad = (
        ZERO
        if abroad_prev == 0 or rng.random() < 0.5
        else q(abroad_prev * Decimal(rng.randint(50, 110)) / 100, 2)
    )
    car_prev = sg_amount(300, 4000)
    car = q(car_prev * Decimal(rng.randint(700, 1100)) / 1000, 2)
    recv_prev = sg_amount(50, 1200)
    recv = q(recv_prev * Decimal(rng.randint(600, 1050)) / 1000, 2)
    sg = {"abroad": (abroad_prev, abroad), "car": (car_prev, car), "recv": (recv_prev, recv)}
    sg_tot = (abroad_prev + car_prev + recv_prev, abroad + car + recv)
    dims, split_ = c(DIMS), c(SPLITS)
    unit_score = Decimal(1).scaleb(-ctx.splaces)
    scores = []
    for dname, mx in zip(dims, split_, strict=True):
        lose = unit_score * rng.randint(0, int(Decimal(mx) * Decimal("0.3") / unit_score))
        scores.append({"name": dname, "max": Decimal(mx), "got": q(Decimal(mx) - lose, ctx.splaces)})
    rate_col = rng.random() < 0.5
    state_rate = rng.random() < 0.5

    if plant:
        doc.option("sum", "tot.e", "支出合计 决算数", {"tot.rate"}, tot["e"], "0.01", "2", "80")
        doc.option("sum", "staff.real", f"{rh_}合计", set(), Decimal(sum(real)), "1", "1", "4")
        doc.option("sum", "sg.tot1", f"{Y}年三公经费合计", set(), sg_tot[1], "0.01", "0.3", "5")
        if rate_col or state_rate:
            doc.option(
                "rate", "tot.rate", "部门预算执行率", set(), pct(tot["e"], tot["b1"]), "0.01", "0.4", "4"
            )
        doc.plant()
    tot_e = doc.shown("tot.e", tot["e"])
    real_tot = int(doc.shown("staff.real", Decimal(sum(real))))
    sg_tot1 = doc.shown("sg.tot1", sg_tot[1])
    total = sum((s["got"] for s in scores), ZERO)
    tot_rate = doc.shown("tot.rate", pct(tot_e, tot["b1"]))

    # ---- html -------------------------------------------------------------------------------
    b0h, b1h, eh, rh = c(vocab.B0), c(vocab.B1), c(vocab.EXEC), c(vocab.RATE)
    doc.title = c(
        [f"{ctx.agency}{Y}年度部门整体支出绩效评价报告", f"{ctx.agency}部门整体支出绩效评价报告（{Y}年度）"]
    )
    doc.add(f"<h1>{esc(doc.title)}</h1>")
    doc.h(2, c(["一、部门基本情况", "一、部门概况"]))
    doc.para(
        f"（一）部门职能。{esc(ctx.agency)}{esc(ctx.sector.duty)}。"
        f"（二）机构设置。部门内设机构{doc.n('org', n_org, '个')}个"
        + (f"，下属事业单位{doc.n('sub', n_sub, '个')}个" if n_sub else "，无下属单位")
        + "。"
    )
    doc.para("（三）人员情况。部门人员编制及实有人数如下表：")
    head = [[td("编制类别", th=True), td(f"{qh}（人）", th=True), td(f"{rh_}（人）", th=True)]]
    body = []
    tot_row = [
        td(c(vocab.TOTAL)),
        td(doc.n("staff.quota", sum(quota), "人", qh + "合计")),
        td(doc.n("staff.real", real_tot, "人", rh_ + "合计")),
    ]
    if ctx.total_first:
        body.append(tot_row)
    for i, cat in enumerate(cats):
        body.append(
            [
                td(cat),
                td(doc.n(f"staff.{i}.quota", quota[i], "人", f"{cat} {qh}")),
                td(doc.n(f"staff.{i}.real", real[i], "人", f"{cat} {rh_}")),
            ]
        )
    if not ctx.total_first:
        body.append(tot_row)
    doc.add(table(head, body, ruled=ctx.ruled, widths=[40, 30, 30]))

    doc.h(2, c(["二、部门预算收支情况", "二、部门收支及预算执行情况"]))
    doc.para(
        f"（一）收入情况。{Y}年部门全年收入预算{doc.mu('tot.b1', tot['b1'])}，其中财政拨款收入{doc.mu('inc.fin', inc_fin)}，"
        f"事业收入{doc.mu('inc.biz', inc_rest[0])}，其他收入{doc.mu('inc.other', inc_rest[1])}。"
    )
    doc.para(
        f"（二）支出情况。{Y}年部门全年支出{c(['决算数', '实际支出'])}{doc.mu('tot.e', tot_e)}"
        + (f"，预算执行率{doc.p('tot.rate', tot_rate)}%" if state_rate else "")
        + "，具体情况见下表。"
    )
    if not ctx.unit_in_header:
        doc.add(unit_line(ctx))
    two_level = rng.random() < 0.5
    cols = [b0h, b1h, eh]
    if two_level:
        head = [[td("项目", rs=2, th=True), td(hdr(ctx, "预算数"), cs=2, th=True), td(hdr(ctx, eh), rs=2, th=True)]
                + ([td(f"{rh}（%）", rs=2, th=True)] if rate_col else []),
                [td(b0h, th=True), td(b1h, th=True)]]  # fmt: skip
    else:
        head = [
            [td("支出类别", th=True)]
            + [td(hdr(ctx, h), th=True) for h in cols]
            + ([td(f"{rh}（%）", th=True)] if rate_col else [])
        ]

    def row(label: str, key: str, r: dict, rate: bool = True) -> list[str]:
        cells = [td(label)] + [
            td(doc.m(f"{key}.{k}", r[k], f"{label} {h}"))
            for k, h in zip(("b0", "b1", "e"), cols, strict=True)
        ]
        if rate_col:
            cells.append(
                td(
                    doc.p(f"{key}.rate", doc.shown(f"{key}.rate", pct(r["e"], r["b1"])), f"{label} {rh}")
                    if rate
                    else ""
                )
            )
        return cells

    body = []
    total_r = row(f"<b>{c(vocab.TOTAL)}</b>", "tot", {**tot, "e": tot_e})
    if ctx.total_first:
        body.append(total_r)
    body.append(row("一、基本支出", "basic", basic))
    body.append(row("　其中：人员经费", "pers", rows["pers"], rate=False))
    body.append(row("　　　　公用经费", "pub", rows["pub"], rate=False))
    body.append(row("二、项目支出", "proj", rows["proj"]))
    body.append(row(f"　其中：{esc(ctx.project)}", "mproj", rows["mproj"], rate=False))
    if not ctx.total_first:
        body.append(total_r)
    doc.add(table(head, body, ruled=ctx.ruled))

    doc.para(f"（三）“三公”经费情况。{Y}年“三公”经费支出与上年对比如下（单位：{sg_unit}）：")
    diff_col = rng.random() < 0.6
    head = [[td(h, th=True) for h in ["项目", f"{Y - 1}年", f"{Y}年"] + (["增减额"] if diff_col else [])]]
    labels = {"abroad": "因公出国（境）费", "car": "公务用车购置及运行费", "recv": "公务接待费"}
    body = []
    sgt = [
        td(c(vocab.TOTAL)),
        td(doc.num("sg.tot0", sg_tot[0], sg_unit, 2)),
        td(doc.num("sg.tot1", sg_tot1, sg_unit, 2)),
    ]
    if diff_col:
        sgt.append(td(doc.num("sg.totd", sg_tot1 - sg_tot[0], sg_unit, 2)))
    for k, (a, b) in sg.items():
        cells = [
            td(labels[k]),
            td(doc.num(f"sg.{k}0", a, sg_unit, 2)),
            td(doc.num(f"sg.{k}1", b, sg_unit, 2)),
        ]
        if diff_col:
            cells.append(td(doc.num(f"sg.{k}d", b - a, sg_unit, 2)))
        body.append(cells)
    body = [sgt, *body] if ctx.total_first else [*body, sgt]
    doc.add(table(head, body, ruled=ctx.ruled))

    doc.h(2, c(["三、绩效评价结论", "三、综合评价情况"]))
    g = grade_of(total)
    doc.para(
        "评价组从"
        + "、".join(s["name"] for s in scores)
        + "四个方面对部门整体支出进行评价，"
        + "，".join(f"{s['name']}得分{doc.s(f'sc{k}.got', s['got'])}分" for k, s in enumerate(scores))
        + f"，综合得分{doc.s('total', total)}分，评价等级为“{g}”。"
    )
    for k, s in enumerate(scores):
        doc.num(f"sc{k}.max", s["max"], "分", 0)
    doc.para("（各部分满分依次为" + "、".join(f"{int(s['max'])}分" for s in scores) + "。）")
    doc.h(2, f"四、{c(vocab.PROBLEMS)}")
    for i, s in enumerate(rng.sample(vocab.PROBLEM_SENTENCES, 2)):
        doc.para(f"（{'一二'[i]}）{esc(s)}")
    doc.h(2, f"五、{c(vocab.ADVICE)}")
    for i, s in enumerate(rng.sample(vocab.ADVICE_SENTENCES, 2)):
        doc.para(f"（{'一二'[i]}）{esc(s)}")

    # ---- cases ------------------------------------------------------------------------------
    A = ctx.agency
    doc.lookup("staff.quota", c([f"{A}一共核定了多少编制？", "部门编制总数是多少？"]))
    first = doc.lookup("staff.real", c(["部门实际有多少在编人员？", "实有人数合计是多少？"]))
    doc.lookup(
        "staff.0.real",
        c([f"其中{cats[0]}实有多少人？", f"那{cats[0]}有多少人？"]),
        prev=first,
        tags=["followup"],
    )
    doc.lookup("org", c(["部门有几个内设机构？", "内设机构数量是多少？"]))
    doc.lookup("pers.e", c(["人员经费全年实际支出了多少？", "人员经费决算是多少？"]))
    first = doc.lookup("proj.b1", c(["项目支出全年预算是多少？", "调整后的项目支出预算有多少？"]))
    doc.lookup("proj.e", c(["实际支出了多少？", "那决算数呢？"]), prev=first, tags=["followup"])
    doc.lookup("inc.fin", c(["财政拨款收入是多少？", f"{Y}年部门收到的财政拨款有多少？"]))
    doc.lookup("sg.tot1", c([f"{Y}年三公经费一共花了多少？", f"{Y}年“三公”经费合计多少？"]))
    doc.lookup("sg.recv0", c([f"{Y - 1}年公务接待费是多少？", "上年公务接待费支出多少？"]))
    doc.lookup("total", c(["部门整体支出绩效评价得了多少分？", "综合得分是多少？"]))
    mu = ctx.munit
    doc.computed(
        c(["部门整体预算执行率是多少？", "全年支出决算占全年预算的比例是多少？"]),
        value=pct(tot_e, tot["b1"]), unit="%", formula="预算执行率 = 支出决算合计 ÷ 全年预算合计 × 100%",
        expr=f"{plain(tot_e)} ÷ {plain(tot['b1'])} × 100%", inputs=["tot.e", "tot.b1"], metric="budget_execution_rate",
        deps=["tot.rate"],
    )  # fmt: skip
    doc.computed(
        c(["基本支出占全部支出决算的比重是多少？", "决算里基本支出占多大比例？"]),
        value=pct(basic["e"], tot_e), unit="%", formula="占比 = 基本支出决算 ÷ 支出决算合计 × 100%",
        expr=f"{plain(basic['e'])} ÷ {plain(tot_e)} × 100%", inputs=["basic.e", "tot.e"], metric="share",
    )  # fmt: skip
    doc.computed(
        c(["财政拨款收入占全年收入预算的比例是多少？", "收入里财政拨款占了多少？"]),
        value=pct(inc_fin, tot["b1"]), unit="%", formula="占比 = 财政拨款收入 ÷ 全年收入预算 × 100%",
        expr=f"{plain(inc_fin)} ÷ {plain(tot['b1'])} × 100%", inputs=["inc.fin", "tot.b1"], metric="share",
    )  # fmt: skip
    doc.computed(
        c(["编制数和实有人数相差多少人（空编多少）？", "还有多少编制空着？"]),
        value=Decimal(sum(quota) - real_tot), unit="人", formula="空编数 = 编制数合计 − 实有人数合计",
        expr=f"{sum(quota)} − {real_tot}", inputs=["staff.quota", "staff.real"], metric="difference",
    )  # fmt: skip
    if mu != "亿元":
        per = q(rows["pers"]["e"] / real_tot, 2)
        doc.computed(
            c(["按实有人数算，人均人员经费是多少？", "平均每个在编人员的人员经费是多少？"]),
            value=per, unit=mu, formula="人均人员经费 = 人员经费决算 ÷ 实有人数合计",
            expr=f"{plain(rows['pers']['e'])} ÷ {real_tot}", inputs=["pers.e", "staff.real"], metric="unit_cost",
        )  # fmt: skip
    if sg_tot[0]:
        doc.computed(
            c([f"三公经费比{Y - 1}年增减了百分之多少？", "“三公”经费合计同比变化幅度是多少？"]),
            value=growth(sg_tot1, sg_tot[0]), unit="%", formula=f"增减率 = ({Y}年合计 − {Y - 1}年合计) ÷ {Y - 1}年合计 × 100%",
            expr=f"({plain(sg_tot1)} − {plain(sg_tot[0])}) ÷ {plain(sg_tot[0])} × 100%", inputs=["sg.tot1", "sg.tot0"],
            metric=["growth_rate", "year_on_year_change"],
        )  # fmt: skip
    doc.computed(
        c(["公务接待费比上年减少（或增加）了多少？", f"公务接待费{Y}年和{Y - 1}年相差多少？"]),
        value=recv - recv_prev, unit=sg_unit, formula=f"差额 = {Y}年公务接待费 − {Y - 1}年公务接待费",
        expr=f"{plain(recv)} − {plain(recv_prev)}", inputs=["sg.recv1", "sg.recv0"], metric="difference",
        deps=["sg.recvd"],
    )  # fmt: skip
    k = rng.randrange(len(scores))
    s = scores[k]
    doc.computed(
        c([f"{s['name']}这一部分的得分率是多少？", f"{s['name']}得了满分的百分之几？"]),
        value=pct(s["got"], s["max"]), unit="%", formula="得分率 = 得分 ÷ 分值 × 100%",
        expr=f"{plain(s['got'])} ÷ {plain(s['max'])} × 100%", inputs=[f"sc{k}.got", f"sc{k}.max"], metric="score_rate",
    )  # fmt: skip
    doc.refuse(c([f"{Y - 3}年的三公经费是多少？", f"{Y - 3}年部门的支出决算是多少？"]), "报告不含该年度")
    doc.refuse(c([f"{Y + 1}年部门预算安排了多少？", "部门下一年度的编制会增加多少？"]), "报告不含该年度")
    for kw, question in rng.sample(vocab.ABSENT, 2):
        doc.refuse(question, f"报告没有“{kw}”", absent=kw)

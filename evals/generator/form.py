"""项目支出绩效自评表 — the national standard form, one table of nine columns."""

from __future__ import annotations

from decimal import Decimal

from evals.generator import vocab
from evals.generator.common import (
    HUNDRED,
    ZERO,
    Doc,
    esc,
    money,
    pct,
    plain,
    q,
    split_int,
    table,
    td,
)

WIDTHS = [8, 8, 10, 15, 13, 13, 7, 10, 16]


def _indicators(doc: Doc) -> list[dict]:
    """Rows of the indicator block: 一级/二级/三级, target and actual (text + figure), max, score."""
    rng, ctx = doc.rng, doc.ctx
    sec = ctx.sector
    outs = rng.sample(list(sec.outputs), 2)
    rows: list[dict] = []
    for o in outs:
        mag = 10 ** max(len(str(o.lo)) - 2, 0)
        target = rng.randint(o.lo // mag, o.hi // mag) * mag
        ratio = rng.choice([1, 1, 1.02, 1.05, 1.1, 0.97, 0.92, 0.88])
        actual = max(int(target * ratio) + rng.randint(0, 9) * (mag > 1), 1)
        rows.append(
            dict(l1="产出指标", l2="数量指标", l3=o.name, unit=o.unit, target=target, actual=actual, cmp="≥")
        )
    qual = rng.choice(sec.quality)
    qt = rng.choice([95, 98, 100])
    qa = q(Decimal(rng.randint(int(qt * 10) - 40, 1000)) / 10, 2) if qt < 100 else Decimal(100)
    rows.append(
        dict(
            l1="产出指标",
            l2="质量指标",
            l3=qual,
            unit="%",
            target=qt,
            actual=qa,
            cmp="≥" if qt < 100 else "=",
        )
    )
    ta = Decimal(rng.choice([100, 100, 95, 90]))
    rows.append(
        dict(l1="产出指标", l2="时效指标", l3="任务按期完成率", unit="%", target=100, actual=ta, cmp="=")
    )
    bname, bunit = sec.beneficiary
    bt = rng.randint(20, 600) * 100
    ba = int(bt * rng.choice([1, 1.03, 1.08, 0.95]))
    rows.append(
        dict(l1="效益指标", l2="社会效益指标", l3=f"{bname}数量", unit=bunit, target=bt, actual=ba, cmp="≥")
    )
    rows.append(
        dict(l1="效益指标", l2="可持续影响指标", l3="长效管护机制", unit="", target="健全",
             actual=rng.choice(["健全", "健全", "基本健全"]), cmp="")
    )  # fmt: skip
    st = rng.choice([85, 90, 90, 95])
    sa = q(Decimal(rng.randint(st * 10 - 30, 990)) / 10, 2)
    rows.append(
        dict(
            l1="满意度指标",
            l2="服务对象满意度指标",
            l3=sec.satisfaction,
            unit="%",
            target=st,
            actual=sa,
            cmp="≥",
        )
    )

    # 分值: 产出 50, 效益 30, 满意度 10 (the usual split of the 90 indicator points)
    groups = {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    for g, total in groups.items():
        members = [r for r in rows if r["l1"] == g]
        for r, w in zip(members, split_int(rng, total // 5, len(members)), strict=True):
            r["max"] = Decimal(w * 5)
    unit_score = Decimal(1).scaleb(-ctx.splaces)
    for r in rows:
        mx = r["max"]
        if r["cmp"] == "":
            r["score"] = mx if r["actual"] == "健全" else q(mx * Decimal("0.8"), ctx.splaces)
        else:
            a, t = Decimal(r["actual"]), Decimal(r["target"])
            if a >= t:
                r["score"] = mx
            else:
                r["score"] = q(mx * a / t, ctx.splaces)
        if r["score"] == mx and rng.random() < 0.15 and r["cmp"] != "":
            r["score"] = mx - unit_score * rng.randint(1, 5) * (5 if ctx.splaces == 1 else 25)
        r["reason"] = rng.choice(vocab.SHORTFALL) if r["score"] < mx else ""
    return rows


def build(doc: Doc, plant: bool) -> None:
    rng, ctx = doc.rng, doc.ctx
    Y = ctx.year
    doc.title = f"项目支出绩效自评表（{Y}年度）"
    # ---- funds ------------------------------------------------------------------------------
    fb0 = money(rng, ctx, 60, 3000)
    adj = rng.choice([ZERO, ZERO, q(fb0 * Decimal(rng.randint(-12, 20)) / 100, ctx.mplaces)])
    fb1 = fb0 + adj
    fe = q(fb1 * Decimal(rng.randint(820, 1000)) / 1000, ctx.mplaces)
    carry = rng.random() < 0.55
    cb0 = ZERO
    cb1 = money(rng, ctx, 5, 300) if carry else ZERO
    ce = q(cb1 * Decimal(rng.randint(700, 1000)) / 1000, ctx.mplaces) if carry else ZERO
    other = rng.random() < 0.3
    ob0 = money(rng, ctx, 5, 200) if other else ZERO
    ob1 = ob0
    oe = q(ob1 * Decimal(rng.randint(600, 1000)) / 1000, ctx.mplaces) if other else ZERO
    rows = {
        "fin": ("其中：当年财政拨款", fb0, fb1, fe),
        "carry": ("上年结转资金", cb0, cb1, ce),
        "other": ("其他资金", ob0, ob1, oe),
    }
    tb0 = fb0 + cb0 + ob0
    tb1 = fb1 + cb1 + ob1
    te = fe + ce + oe
    fund_max = Decimal(10)
    inds = _indicators(doc)
    ind_sum = sum((r["score"] for r in inds), ZERO)

    def fund_score_of(rate: Decimal) -> Decimal:
        return q(fund_max * min(rate, HUNDRED) / HUNDRED, ctx.splaces)

    if plant:
        rate0 = pct(te, tb1)
        doc.option(
            "sum", "tot.e", "年度资金总额 全年执行数", {"tot.rate", "fund.score"}, te, "0.01", "1", "40"
        )
        doc.option("rate", "tot.rate", "年度资金总额 执行率", {"fund.score"}, rate0, "0.01", "0.5", "4")
        doc.option("score_total", "total", "总分", set(), fund_score_of(rate0) + ind_sum, "0.1", "0.5", "3")
        doc.plant()
    # derived figures follow what is shown, so the planted figure is the only inconsistency
    te_s = doc.shown("tot.e", te)
    trate = doc.shown("tot.rate", pct(te_s, tb1))
    fund_score = fund_score_of(trate)
    total = doc.shown("total", fund_score + ind_sum)

    # ---- the table --------------------------------------------------------------------------
    unit = ctx.munit
    money_hdr = f"项目资金（{unit}）"
    body: list[list[str]] = []
    body.append([td("项目名称", th=True), td(esc(ctx.project), cs=8)])
    body.append(
        [
            td("主管部门", th=True),
            td(esc(ctx.agency), cs=3),
            td("实施单位", cs=2, th=True),
            td(esc(ctx.implementer), cs=3),
        ]
    )
    body.append(
        [td(money_hdr, rs=5, th=True), td("", cs=2)]
        + [td(h, th=True) for h in ("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")]
    )
    show_all_rates = rng.random() < 0.5
    dash = rng.choice(["—", "-", ""])

    def zero_or(key: str, v: Decimal) -> str:
        if v == 0 and rng.random() < 0.5:
            return dash
        return doc.m(key, v)

    body.append(
        [td("年度资金总额", cs=2), td(doc.m("tot.b0", tb0, "年度资金总额 年初预算数")),
         td(doc.m("tot.b1", tb1, "年度资金总额 全年预算数")), td(doc.m("tot.e", te, "年度资金总额 全年执行数")),
         td(doc.num("fund.max", fund_max, "分", 0)), td(doc.p("tot.rate", trate, "年度资金总额 执行率") + "%"),
         td(doc.s("fund.score", fund_score, "资金执行得分"))]
    )  # fmt: skip
    for key, (label, b0, b1, e) in rows.items():
        rate = doc.p(f"{key}.rate", pct(e, b1), f"{label} 执行率") + "%" if (b1 and show_all_rates) else dash
        body.append(
            [td(label, cs=2), td(zero_or(f"{key}.b0", b0)), td(zero_or(f"{key}.b1", b1)), td(zero_or(f"{key}.e", e)),
             td(dash), td(rate), td(dash)]
        )  # fmt: skip
    goal_targets = "；".join(f"{r['l3']}{r['cmp']}{r['target']}{r['unit']}" for r in inds[:2])
    body.append(
        [td("年度总体目标", rs=2, th=True), td("预期目标", cs=4, th=True), td("实际完成情况", cs=4, th=True)]
    )
    body.append(
        [td(f"按期完成{esc(ctx.project)}年度建设任务，{esc(goal_targets)}，{esc(ctx.sector.satisfaction)}达到预期。", cs=4),
         td("项目按计划组织实施，年度目标基本完成，具体完成情况见下列指标。", cs=4)]
    )  # fmt: skip
    n = len(inds)
    heads = (
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
        rng.choice(["偏差原因分析及改进措施", "偏差原因分析"]),
    )
    body.append([td("绩效指标", rs=n + 1, th=True)] + [td(h, th=True) for h in heads])
    l1_span = {g: sum(1 for r in inds if r["l1"] == g) for g in ("产出指标", "效益指标", "满意度指标")}
    seen: set[str] = set()
    for i, r in enumerate(inds):
        cells: list[str] = []
        if r["l1"] not in seen:
            seen.add(r["l1"])
            cells.append(td(r["l1"], rs=l1_span[r["l1"]]))
        u = r["unit"]
        if r["cmp"] == "":
            tgt, act = esc(r["target"]), esc(r["actual"])
        elif u == "%":
            tgt = f"{r['cmp'] if r['cmp'] == '≥' else ''}{doc.num(f'i{i}.target', Decimal(r['target']), '%', 0)}%"
            act = doc.p(f"i{i}.actual", Decimal(r["actual"]), r["l3"]) + "%"
        else:
            tgt = f"{r['cmp']}{doc.n(f'i{i}.target', r['target'], u, r['l3'] + ' 年度指标值')}{u}"
            act = doc.n(f"i{i}.actual", r["actual"], u, r["l3"] + " 实际完成值") + u
        cells += [td(r["l2"]), td(esc(r["l3"])), td(tgt), td(act),
                  td(doc.num(f"i{i}.max", r["max"], "分", 0)), td(doc.s(f"i{i}.score", r["score"], r["l3"] + " 得分")),
                  td(esc(r["reason"]))]  # fmt: skip
        body.append(cells)
    body.append([td("总分", cs=6, th=True), td("100"), td(doc.s("total", total, "总分")), td("")])

    doc.add(f"<h1>{esc(rng.choice(['项目支出绩效自评表', '项目支出绩效自评表', '项目绩效自评表']))}</h1>")
    doc.para(f"（{Y}年度）", align="center")
    if rng.random() < 0.5:
        doc.para(f"填报单位：{esc(ctx.implementer)}　　　　单位：{unit}")
    doc.add(table([], body, ruled=True, widths=WIDTHS))
    doc.para(
        f"填表说明：资金执行得分＝分值×执行率（执行率超过100%的按100%计）；{rng.choice(['填报人', '联系人'])}："
        f"{rng.choice(['张某', '李某', '王某', '刘某'])}。"
    )

    _cases(doc, rows, inds, tb0, tb1, te_s, total)


def _cases(
    doc: Doc, rows: dict, inds: list[dict], tb0: Decimal, tb1: Decimal, te: Decimal, total: Decimal
) -> None:
    rng, ctx = doc.rng, doc.ctx
    Y, c = ctx.year, rng.choice
    P = ctx.project
    doc.lookup("tot.b1", c([f"{P}{Y}年调整后的预算总额是多少？", f"{Y}年这个项目全年可用的预算资金一共有多少？",
                             "项目当年全部资金的全年预算是多少？"]))  # fmt: skip
    doc.lookup("tot.e", c([f"{P}全年实际花了多少钱？", f"{Y}年该项目资金总额实际执行了多少？",
                            "这个项目全年一共支出了多少资金？"]))  # fmt: skip
    doc.lookup("tot.b0", c(["项目年初安排的预算总额是多少？", f"{Y}年初批给这个项目的预算一共多少？"]))
    first = doc.lookup(
        "fin.b1", c(["当年财政拨款的全年预算是多少？", "本年财政拨付的资金全年预算数是多少？"])
    )
    if "fin.e" in doc.figs:
        doc.lookup("fin.e", c(["那实际执行了多少？", "其中实际用掉了多少？"]), prev=first, tags=["followup"])
    if rows["carry"][2] and "carry.b1" in doc.figs:
        doc.lookup("carry.b1", c(["上年结转过来的资金有多少？", "从上一年结转的资金是多少？"]))
    for i, r in enumerate(inds):
        if f"i{i}.actual" in doc.figs and r["unit"] != "%":
            first = doc.lookup(f"i{i}.actual", f"{r['l3']}实际完成了多少{r['unit']}？")
            doc.lookup(
                f"i{i}.target",
                c(["那年初定的目标值是多少？", "年度指标值定的是多少？"]),
                prev=first,
                tags=["followup"],
            )
            doc.lookup(f"i{i}.score", c([f"“{r['l3']}”这一项自评得了几分？", f"{r['l3']}指标得分是多少？"]))
        elif f"i{i}.actual" in doc.figs:
            doc.lookup(f"i{i}.actual", c([f"{r['l3']}实际达到了多少？", f"{r['l3']}的实际完成值是多少？"]))
    doc.lookup("total", c(["这张自评表的总分是多少？", "项目自评最后一共得了多少分？", "自评总得分是多少？"]))

    # computed
    doc.computed(
        c(["项目资金总额的预算执行率是多少？", "全年执行数占全年预算数的比例是多少？", "按全年预算算，资金执行率是多少？"]),
        value=pct(te, tb1), unit="%", formula="执行率 = 全年执行数 ÷ 全年预算数 × 100%",
        expr=f"{doc.t('tot.e')} ÷ {doc.t('tot.b1')} × 100%", inputs=["tot.e", "tot.b1"],
        metric="budget_execution_rate", deps=["tot.rate"],
    )  # fmt: skip
    if "fin.e" in doc.figs and "fin.b1" in doc.figs:
        fb1, fe = doc.v("fin.b1"), doc.v("fin.e")
        doc.computed(
            c(["当年财政拨款的执行率是多少？", "财政拨款部分的资金执行率是多少？"]),
            value=pct(fe, fb1), unit="%", formula="执行率 = 当年财政拨款全年执行数 ÷ 全年预算数 × 100%",
            expr=f"{plain(fe)} ÷ {plain(fb1)} × 100%", inputs=["fin.e", "fin.b1"], metric="budget_execution_rate",
            deps=["fin.rate"],
        )  # fmt: skip
        doc.computed(
            c(["当年财政拨款占全年预算总额的比重是多少？", "全年预算里财政拨款占了多大比例？"]),
            value=pct(fb1, tb1), unit="%", formula="占比 = 当年财政拨款全年预算数 ÷ 年度资金总额全年预算数 × 100%",
            expr=f"{plain(fb1)} ÷ {plain(tb1)} × 100%", inputs=["fin.b1", "tot.b1"], metric="share",
        )  # fmt: skip
    doc.computed(
        c(["全年预算还有多少没有执行？", "全年预算数和全年执行数相差多少？", "项目资金结余（未执行）多少？"]),
        value=tb1 - te, unit=ctx.munit, formula="未执行金额 = 全年预算数 − 全年执行数",
        expr=f"{doc.t('tot.b1')} − {doc.t('tot.e')}", inputs=["tot.b1", "tot.e"], metric="difference",
    )  # fmt: skip
    if tb1 != tb0:
        doc.computed(
            c(["年中预算调整了多少？和年初比增加还是减少？", "全年预算数比年初预算数变动了多少？"]),
            value=tb1 - tb0, unit=ctx.munit, formula="调整额 = 全年预算数 − 年初预算数",
            expr=f"{doc.t('tot.b1')} − {doc.t('tot.b0')}", inputs=["tot.b1", "tot.b0"], metric="difference",
        )  # fmt: skip
    for i, r in enumerate(inds):
        if r["unit"] not in ("", "%") and i < 2:
            a, t = Decimal(r["actual"]), Decimal(r["target"])
            doc.computed(
                f"{r['l3']}的完成率是多少（实际完成值相对年度指标值）？",
                value=pct(a, t), unit="%", formula="完成率 = 实际完成值 ÷ 年度指标值 × 100%",
                expr=f"{plain(a)} ÷ {plain(t)} × 100%", inputs=[f"i{i}.actual", f"i{i}.target"],
                metric=["target_completion_rate", "completion_rate"],
            )  # fmt: skip
    out = [i for i, r in enumerate(inds) if r["l1"] == "产出指标"]
    s_sum = sum((inds[i]["score"] for i in out), ZERO)
    m_sum = sum((inds[i]["max"] for i in out), ZERO)
    doc.computed(
        c(["产出指标总体的得分率是多少？", "产出类指标一共得了多少分，得分率多少？"]),
        value=pct(s_sum, m_sum), unit="%", formula="得分率 = 产出指标得分之和 ÷ 产出指标分值之和 × 100%",
        expr=f"({' + '.join(plain(inds[i]['score']) for i in out)}) ÷ ({' + '.join(plain(inds[i]['max']) for i in out)}) × 100%",
        inputs=[f"i{i}.score" for i in out] + [f"i{i}.max" for i in out],
    )  # fmt: skip
    doc.computed(
        c(["自评一共被扣了多少分？", "离满分还差几分？"]),
        value=Decimal(100) - total, unit="分", formula="扣分 = 100 − 总分",
        expr=f"100 − {doc.t('total')}", inputs=["total"], metric="difference",
        metric_inputs=["100", doc.t("total")],
    )  # fmt: skip
    doc.grade_case(
        "total", c(["按百分制等级标准，这个自评结果属于哪个等级？", "自评总分对应的绩效等级是什么？"])
    )

    # unanswerable
    other_year = c([Y - 3, Y - 2, Y + 1])
    doc.refuse(f"{P}{other_year}年度的全年执行数是多少？", f"自评表只有{Y}年度")
    out_name = inds[0]["l3"]
    doc.refuse(f"{out_name}上一年实际完成了多少？", "自评表没有上年数")
    for kw, question in rng.sample(vocab.ABSENT, 2):
        doc.refuse(question, f"自评表没有“{kw}”", absent=kw)

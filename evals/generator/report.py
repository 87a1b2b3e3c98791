"""项目支出绩效评价报告 (prose with tables) and the text-only report (every figure in a sentence).
Both are drawn from the same model of a project year (`_draw`)."""

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
    money,
    pct,
    plain,
    q,
    split,
    table,
    td,
    unit_line,
)

SUBS = [
    ("土建工程", "设备安装"),
    ("市级统筹部分", "乡镇实施部分"),
    ("第一批次", "第二批次"),
    ("材料费", "人工费"),
]
DIMS = [("决策", "过程", "产出", "效益"), ("项目决策", "项目过程", "项目产出", "项目效益")]
SPLITS = [(20, 20, 40, 20), (15, 20, 35, 30), (20, 25, 30, 25), (15, 15, 40, 30)]


def _draw(doc: Doc) -> dict:
    rng, ctx = doc.rng, doc.ctx
    mp = ctx.mplaces
    n = rng.choice([3, 3, 4])
    names = rng.sample(list(ctx.sector.items), n)
    tb0 = money(rng, ctx, 150, 6000)
    b0s = split(rng, tb0, n, mp)
    items = []
    for name, b0 in zip(names, b0s, strict=True):
        adj = q(b0 * Decimal(rng.randint(-15, 25)) / 100, mp) if rng.random() < 0.45 else ZERO
        b1 = b0 + adj
        e = q(b1 * Decimal(rng.randint(760, 1000)) / 1000, mp)
        items.append({"name": name, "b0": b0, "b1": b1, "e": e})
    sub = None
    if rng.random() < 0.5:
        it = items[0]
        sub_names = rng.choice(SUBS)
        cols = {k: split(rng, it[k], 2, mp) for k in ("b0", "b1", "e")}
        sub = [{"name": sub_names[j], **{k: cols[k][j] for k in cols}} for j in range(2)]
    tb1 = sum((i["b1"] for i in items), ZERO)
    te = sum((i["e"] for i in items), ZERO)
    arr = te + q((tb1 - te) * Decimal(rng.randint(0, 100)) / 100, mp)
    y1 = q(te * Decimal(rng.randint(70, 125)) / 100, mp)
    y2 = q(y1 * Decimal(rng.randint(70, 125)) / 100, mp)
    outs = []
    for o in rng.sample(list(ctx.sector.outputs), rng.choice([2, 3])):
        mag = 10 ** max(len(str(o.lo)) - 2, 0)
        target = rng.randint(o.lo // mag, o.hi // mag) * mag
        actual = max(
            int(target * rng.choice([1, 1.02, 1.06, 1.12, 0.96, 0.9])) + rng.randint(0, 9) * (mag > 1), 1
        )
        prev = max(int(actual * rng.randint(60, 115) / 100), 1)
        outs.append({"o": o, "target": target, "actual": actual, "prev": prev})
    sent = rng.randint(15, 120) * 10
    valid = sent - rng.randint(0, sent // 12)
    sat = q(Decimal(rng.randint(850, 995)) / 10, 2)
    dims = rng.choice(DIMS)
    split_ = rng.choice(SPLITS)
    unit_score = Decimal(1).scaleb(-ctx.splaces)
    scores = []
    for d, mx in zip(dims, split_, strict=True):
        lose = unit_score * rng.randint(0, int(Decimal(mx) * Decimal("0.3") / unit_score))
        scores.append({"name": d, "max": Decimal(mx), "got": q(Decimal(mx) - lose, ctx.splaces)})
    return {"items": items, "sub": sub, "tb0": tb0, "tb1": tb1, "te": te, "arr": arr, "y1": y1, "y2": y2,
            "outs": outs, "sent": sent, "valid": valid, "sat": sat, "scores": scores}  # fmt: skip


def _plant_options(doc: Doc, d: dict, *, rate_key: str | None, has_score_table: bool) -> None:
    te, tb1 = d["te"], d["tb1"]
    total = sum((s["got"] for s in d["scores"]), ZERO)
    doc.option("sum", "tot.e", "实际支出合计", {"tot.rate", "y0"}, te, "0.01", "2", "60")
    if rate_key == "tot.rate":
        doc.option("rate", "tot.rate", "预算执行率", set(), pct(te, tb1), "0.01", "0.4", "4")
    elif rate_key:
        k = int(rate_key[2:].split(".")[0])
        it = d["items"][k]
        doc.option(
            "rate", rate_key, f"{it['name']} 执行率", set(), pct(it["e"], it["b1"]), "0.01", "0.4", "4"
        )
    if has_score_table:
        doc.option("score_total", "total", "综合得分（各部分得分之和）", set(), total, "0.1", "0.5", "3")


# ============================================================================================
def build_report(doc: Doc, plant: bool) -> None:
    rng, ctx = doc.rng, doc.ctx
    Y, c = ctx.year, rng.choice
    d = _draw(doc)
    items, sub = d["items"], d["sub"]
    rate_col = rng.random() < 0.5
    state_rate = rng.random() < 0.6
    state_arr_rate = rng.random() < 0.4
    three_years = rng.random() < 0.65
    score_table = rng.random() < 0.7
    if plant:
        rate_key = "tot.rate" if state_rate else (f"it{rng.randrange(len(items))}.rate" if rate_col else None)
        _plant_options(doc, d, rate_key=rate_key, has_score_table=score_table)
        doc.plant()
    te = doc.shown("tot.e", d["te"])
    tb0, tb1, arr = d["tb0"], d["tb1"], d["arr"]
    total = doc.shown("total", sum((s["got"] for s in d["scores"]), ZERO))
    b0h, b1h, eh, rh = c(vocab.B0), c(vocab.B1), c(vocab.EXEC), c(vocab.RATE)

    doc.title = c([f"{ctx.project}{Y}年度绩效评价报告", f"{ctx.agency}{ctx.project}支出绩效评价报告（{Y}年度）",
                   f"关于{Y}年度{ctx.project}的绩效评价报告"])  # fmt: skip
    doc.add(f"<h1>{esc(doc.title)}</h1>")
    doc.para(f"评价组织单位：{esc(ctx.place)}财政局　　项目主管部门：{esc(ctx.agency)}", align="center")

    # 一、基本情况 ---------------------------------------------------------------------------
    doc.h(2, f"一、{c(vocab.BASICS)}")
    doc.h(3, "（一）项目概况")
    outs_txt = "，".join(f"{o['o'].name}{o['target']}{o['o'].unit}" for o in d["outs"])
    doc.para(
        f"{esc(ctx.project)}由{esc(ctx.agency)}主管、{esc(ctx.implementer)}具体实施，实施期为{Y}年1月至{Y}年12月。"
        f"项目年度主要任务为：{esc(outs_txt)}。项目实施惠及{esc(ctx.sector.beneficiary[0])}，有助于提升公共服务水平。"
    )
    doc.h(3, "（二）项目资金情况")
    adj_phrase = (
        "经年中调整，全年预算为"
        if tb1 != tb0
        else c(["全年预算未作调整，仍为", "年内未调整预算，全年预算为"])
    )
    sent = (
        f"{Y}年该项目{b0h}{doc.mu('tot.b0', tb0)}，{adj_phrase}{doc.mu('tot.b1', tb1)}；实际到位资金{doc.mu('arr', arr)}"
        + (f"，资金到位率{doc.p('arr.rate', pct(arr, tb1))}%" if state_arr_rate else "")
        + f"；截至{Y}年12月31日，全年{c(['实际支出', '累计支出'])}{doc.mu('tot.e', te)}"
        + (f"，预算执行率{doc.p('tot.rate', doc.shown('tot.rate', pct(te, tb1)))}%" if state_rate else "")
        + "。资金支出明细见表1。"
    )
    doc.para(sent)
    doc.para(f"<b>表1　{Y}年项目资金预算及执行情况</b>", align="center")
    if not ctx.unit_in_header:
        doc.add(unit_line(ctx))
    two_level = rng.random() < 0.6
    if two_level:
        head = [
            [
                td("项目", rs=2, th=True),
                td(hdr(ctx, "预算数"), cs=2, th=True),
                td(hdr(ctx, eh), rs=2, th=True),
            ]
            + ([td(f"{rh}（%）", rs=2, th=True)] if rate_col else []),
            [td(b0h, th=True), td(b1h, th=True)],
        ]
    else:
        head = [
            [
                td(h, th=True)
                for h in ["支出内容", hdr(ctx, b0h), hdr(ctx, b1h), hdr(ctx, eh)]
                + ([f"{rh}（%）"] if rate_col else [])
            ]
        ]
    body: list[list[str]] = []

    def row(label: str, key: str, b0: Decimal, b1: Decimal, e: Decimal, rate: bool = True) -> list[str]:
        cells = [td(esc(label)), td(doc.m(f"{key}.b0", b0, f"{label} {b0h}")), td(doc.m(f"{key}.b1", b1, f"{label} {b1h}")),
                 td(doc.m(f"{key}.e", e, f"{label} {eh}"))]  # fmt: skip
        if rate_col:
            r = doc.shown(f"{key}.rate", pct(e, b1))
            cells.append(td(doc.p(f"{key}.rate", r, f"{label} {rh}") if rate else ""))
        return cells

    tot_label = c(vocab.TOTAL)
    tot_row = row(tot_label, "tot", tb0, tb1, te)
    tot_row[0] = td(f"<b>{tot_label}</b>")
    if ctx.total_first:
        body.append(tot_row)
    for k, it in enumerate(items):
        body.append(row(it["name"], f"it{k}", it["b0"], it["b1"], it["e"]))
        if k == 0 and sub:
            for j, s in enumerate(sub):
                body.append(
                    row(
                        ("其中：" if j == 0 else "　　　") + s["name"],
                        f"sub{j}",
                        s["b0"],
                        s["b1"],
                        s["e"],
                        rate=False,
                    )
                )
    if not ctx.total_first:
        body.append(tot_row)
    doc.add(table(head, body, ruled=ctx.ruled))
    if three_years:
        doc.h(3, "（三）近三年资金投入情况")
        if rng.random() < 0.5:
            doc.para(
                f"{Y - 2}年、{Y - 1}年该项目实际支出分别为{doc.mu('y2', d['y2'])}和{doc.mu('y1', d['y1'])}，"
                f"{Y}年实际支出{doc.mu('tot.e', te)}。"
            )
        else:
            doc.add(unit_line(ctx))
            doc.add(table([[td("年度", th=True), td(f"{Y - 2}年", th=True), td(f"{Y - 1}年", th=True), td(f"{Y}年", th=True)]],
                          [[td("实际支出"), td(doc.m("y2", d["y2"])), td(doc.m("y1", d["y1"])), td(doc.m("tot.e", te))]],
                          ruled=ctx.ruled))  # fmt: skip

    # 二、绩效目标 ---------------------------------------------------------------------------
    doc.h(2, "二、项目绩效目标")
    doc.para(
        f"总体目标：按期完成{esc(ctx.project)}年度任务，{esc(ctx.sector.satisfaction)}不低于90%。年度绩效目标：{esc(outs_txt)}。"
    )

    # 三、评价工作 ---------------------------------------------------------------------------
    doc.h(2, "三、绩效评价工作开展情况")
    doc.para(
        f"评价工作组于{Y + 1}年{rng.randint(2, 5)}月至{rng.randint(6, 8)}月开展评价，采取资料核查、现场勘查、座谈访谈和问卷调查等方式，"
        f"共发放问卷{doc.n('q.sent', d['sent'], '份')}份，回收有效问卷{doc.n('q.valid', d['valid'], '份')}份。"
    )

    # 四、结论 -------------------------------------------------------------------------------
    doc.h(2, f"四、{c(vocab.CONCLUSION)}")
    g = grade_of(total)
    doc.para(
        f"经综合评价，{esc(ctx.project)}{Y}年度绩效评价得分为{doc.s('total', total)}分，评价等级为“{g}”。"
    )
    if score_table:
        doc.para("<b>表2　绩效评价得分情况</b>", align="center")
        mh, gh = c(vocab.SCORE_MAX), c(vocab.SCORE_GOT)
        head = [[td("一级指标", th=True), td(mh, th=True), td(gh, th=True), td("得分率", th=True)]]
        body = []
        rows_ = [
            [td(s["name"]), td(doc.num(f"sc{k}.max", s["max"], "分", 0)), td(doc.s(f"sc{k}.got", s["got"], s["name"] + " 得分")),
             td(doc.p(f"sc{k}.rate", pct(s["got"], s["max"])) + "%")]
            for k, s in enumerate(d["scores"])
        ]  # fmt: skip
        tot = [
            td(c(vocab.TOTAL)),
            td("100"),
            td(doc.s("total", total)),
            td(doc.p("total.rate", pct(total, Decimal(100))) + "%"),
        ]
        body = [tot, *rows_] if ctx.total_first else [*rows_, tot]
        doc.add(table(head, body, ruled=ctx.ruled))
    else:
        doc.para(
            "其中，"
            + "，".join(
                f"{s['name']}指标得分{doc.s(f'sc{k}.got', s['got'])}分（满分{doc.num(f'sc{k}.max', s['max'], '分', 0)}分）"
                for k, s in enumerate(d["scores"])
            )
            + "。"
        )

    # 五、绩效分析 ---------------------------------------------------------------------------
    doc.h(2, c(["五、绩效指标分析", "五、主要绩效情况", "五、绩效目标实现情况"]))
    doc.para("（一）产出情况。项目主要产出指标完成情况见表3。")
    doc.para("<b>表3　主要产出指标完成情况</b>", align="center")
    done_col = rng.random() < 0.5
    head = [
        [
            td(h, th=True)
            for h in ["指标名称", "年度目标值", f"{Y - 1}年完成值", f"{Y}年完成值"]
            + (["完成率"] if done_col else [])
        ]
    ]
    body = []
    for k, o in enumerate(d["outs"]):
        u = o["o"].unit
        body.append(
            [td(esc(o["o"].name)), td(doc.n(f"o{k}.target", o["target"], u) + u), td(doc.n(f"o{k}.prev", o["prev"], u) + u),
             td(doc.n(f"o{k}.actual", o["actual"], u) + u)]
            + ([td(doc.p(f"o{k}.done", pct(Decimal(o["actual"]), Decimal(o["target"]))) + "%")] if done_col else [])
        )  # fmt: skip
    doc.add(table(head, body, ruled=ctx.ruled))
    doc.para(
        f"（二）效益情况。项目实施后{esc(ctx.sector.beneficiary[0])}普遍受益，问卷调查显示{esc(ctx.sector.satisfaction)}为{doc.p('sat', d['sat'])}%。"
    )

    # 六、问题 七、建议 ------------------------------------------------------------------------
    doc.h(2, f"六、{c(vocab.PROBLEMS)}")
    for i, s in enumerate(rng.sample(vocab.PROBLEM_SENTENCES, 3)):
        doc.para(f"（{'一二三'[i]}）{esc(s)}")
    doc.h(2, f"七、{c(vocab.ADVICE)}")
    for i, s in enumerate(rng.sample(vocab.ADVICE_SENTENCES, 3)):
        doc.para(f"{i + 1}．{esc(s)}")
    _cases(doc, d, te, total, sub_rows=bool(sub), three_years=three_years)


# ============================================================================================
def build_text(doc: Doc, plant: bool) -> None:
    """A report without tables: every figure is in a sentence."""
    rng, ctx = doc.rng, doc.ctx
    Y, c = ctx.year, rng.choice
    d = _draw(doc)
    d["sub"] = None
    items = d["items"]
    if plant:
        _plant_options(doc, d, rate_key="tot.rate", has_score_table=True)
        doc.plant()
    te = doc.shown("tot.e", d["te"])
    tb0, tb1, arr = d["tb0"], d["tb1"], d["arr"]
    total = doc.shown("total", sum((s["got"] for s in d["scores"]), ZERO))
    mu = doc.mu
    doc.title = c([f"{ctx.project}{Y}年度绩效评价报告（摘要）", f"关于{Y}年度{ctx.project}绩效情况的报告"])
    doc.add(f"<h1>{esc(doc.title)}</h1>")
    doc.para(f"{esc(ctx.place)}财政局：")
    doc.para(
        f"根据预算绩效管理工作安排，我们对{esc(ctx.agency)}{Y}年度{esc(ctx.project)}开展了绩效评价。"
        f"项目由{esc(ctx.implementer)}具体实施。现将有关情况报告如下。"
    )
    doc.h(2, "一、项目概况")
    goals = "、".join(f"{o['o'].name}{o['target']}{o['o'].unit}" for o in d["outs"])
    doc.para(
        f"{esc(ctx.project)}是{esc(ctx.agency)}{c(['年度重点民生项目', '本级财政安排的专项项目', '持续实施的经常性项目'])}，"
        f"主要用于{'、'.join(esc(it['name']) for it in items)}等方面。{Y}年度计划{esc(goals)}，{esc(ctx.sector.satisfaction)}不低于90%。"
    )
    doc.h(2, "二、资金安排与使用")
    adj = "年中未作调整" if tb1 == tb0 else f"年中调整后全年预算为{mu('tot.b1', tb1)}"
    doc.para(
        f"{Y}年初，该项目{c(['年初预算安排资金', '年初批复预算', '年初安排预算'])}{mu('tot.b0', tb0)}，{adj}"
        + (f"（全年预算{mu('tot.b1', tb1)}）" if tb1 == tb0 else "")
        + f"。全年实际到位资金{mu('arr', arr)}，实际支出{mu('tot.e', te)}，"
        + f"预算执行率为{doc.p('tot.rate', doc.shown('tot.rate', pct(te, tb1)))}%。"
    )
    parts = "；".join(
        f"{esc(it['name'])}全年预算{mu(f'it{k}.b1', it['b1'])}，实际支出{mu(f'it{k}.e', it['e'])}"
        for k, it in enumerate(items)
    )
    doc.para(f"从支出结构看，{parts}。")
    doc.para(
        f"从历年情况看，该项目{Y - 2}年实际支出{mu('y2', d['y2'])}，{Y - 1}年实际支出{mu('y1', d['y1'])}。"
    )
    doc.h(2, "三、绩效目标完成情况")
    sentences = []
    for k, o in enumerate(d["outs"]):
        u = o["o"].unit
        sentences.append(
            f"{esc(o['o'].name)}年度目标为{doc.n(f'o{k}.target', o['target'], u)}{u}，实际完成{doc.n(f'o{k}.actual', o['actual'], u)}{u}，"
            f"上年同期为{doc.n(f'o{k}.prev', o['prev'], u)}{u}"
        )
    doc.para("。".join(sentences) + "。")
    doc.para(
        f"评价组共发放调查问卷{doc.n('q.sent', d['sent'], '份')}份，收回有效问卷{doc.n('q.valid', d['valid'], '份')}份，"
        f"{esc(ctx.sector.satisfaction)}为{doc.p('sat', d['sat'])}%。"
    )
    doc.h(2, "四、评价结论")
    sc = "，".join(
        f"{s['name']}{doc.s(f'sc{k}.got', s['got'])}分（满分{doc.num(f'sc{k}.max', s['max'], '分', 0)}分）"
        for k, s in enumerate(d["scores"])
    )
    doc.para(
        f"按照评价指标体系评分，各部分得分为：{sc}。项目综合得分{doc.s('total', total)}分，评价等级为“{grade_of(total)}”。"
    )
    doc.h(2, f"五、{c(vocab.PROBLEMS)}")
    doc.para("".join(esc(s) for s in rng.sample(vocab.PROBLEM_SENTENCES, 2)))
    doc.h(2, f"六、{c(vocab.ADVICE)}")
    doc.para("".join(esc(s) for s in rng.sample(vocab.ADVICE_SENTENCES, 2)))
    _cases(doc, d, te, total, sub_rows=False, three_years=True)


# ============================================================================================
def _cases(doc: Doc, d: dict, te: Decimal, total: Decimal, *, sub_rows: bool, three_years: bool) -> None:
    rng, ctx = doc.rng, doc.ctx
    Y, c = ctx.year, rng.choice
    P = ctx.project
    items = d["items"]
    tb1, arr = d["tb1"], d["arr"]
    mu = ctx.munit
    doc.lookup(
        "tot.b1",
        c(
            [
                f"{P}{Y}年调整后的预算是多少？",
                "这个项目全年预算一共多少？",
                f"{Y}年项目全年预算安排了多少资金？",
            ]
        ),
    )
    doc.lookup(
        "tot.e", c([f"{Y}年{P}实际支出了多少？", "项目全年一共花了多少钱？", "截至年底项目累计支出多少？"])
    )
    first = doc.lookup("tot.b0", c(["项目年初预算是多少？", "年初批给这个项目多少预算？"]))
    doc.lookup("tot.b1", c(["调整之后呢？", "那全年预算是多少？"]), prev=first, tags=["followup"])
    doc.lookup("arr", c(["项目资金实际到位了多少？", "实际到位的资金有多少？"]))
    k = rng.randrange(len(items))
    it = items[k]
    if f"it{k}.b1" in doc.figs:
        first = doc.lookup(
            f"it{k}.b1", c([f"{it['name']}的全年预算是多少？", f"{it['name']}调整后预算多少？"])
        )
        doc.lookup(f"it{k}.e", c(["实际花了多少？", "那实际支出呢？"]), prev=first, tags=["followup"])
    if sub_rows:
        doc.lookup("sub0.e", c([f"{items[0]['name']}中{d['sub'][0]['name']}实际支出多少？"]))
    if three_years:
        doc.lookup("y1", c([f"{Y - 1}年这个项目实际支出是多少？", f"上一年（{Y - 1}年）项目花了多少钱？"]))
    for j, o in enumerate(d["outs"]):
        name, u = o["o"].name, o["o"].unit
        first = doc.lookup(f"o{j}.actual", c([f"{Y}年{name}实际完成了多少？", f"{name}全年完成了多少{u}？"]))
        doc.lookup(f"o{j}.prev", c(["上一年呢？", f"那{Y - 1}年完成了多少？"]), prev=first, tags=["followup"])
    doc.lookup("sat", c([f"{ctx.sector.satisfaction}是多少？", "问卷调查的满意度是多少？"]))
    doc.lookup("total", c(["这个项目绩效评价得了多少分？", "评价综合得分是多少？"]))
    doc.lookup("q.valid", c(["收回的有效问卷有多少份？", "有效问卷数量是多少？"]))
    s = c(d["scores"])
    ks = d["scores"].index(s)
    doc.lookup(f"sc{ks}.got", c([f"{s['name']}部分得了多少分？", f"{s['name']}指标的得分是多少？"]))

    # computed
    doc.computed(
        c(["项目全年预算执行率是多少？", "按调整后预算计算，资金执行率是多少？", "实际支出占全年预算的比例是多少？"]),
        value=pct(te, tb1), unit="%", formula="预算执行率 = 实际支出 ÷ 全年预算 × 100%",
        expr=f"{plain(te)} ÷ {plain(tb1)} × 100%", inputs=["tot.e", "tot.b1"], metric="budget_execution_rate",
        deps=["tot.rate"],
    )  # fmt: skip
    if f"it{k}.e" in doc.figs:
        doc.computed(
            c([f"{it['name']}的执行率是多少？", f"{it['name']}预算执行得怎么样，执行率多少？"]),
            value=pct(it["e"], it["b1"]), unit="%", formula=f"执行率 = {it['name']}实际支出 ÷ 全年预算 × 100%",
            expr=f"{plain(it['e'])} ÷ {plain(it['b1'])} × 100%", inputs=[f"it{k}.e", f"it{k}.b1"],
            metric="budget_execution_rate", deps=[f"it{k}.rate"],
        )  # fmt: skip
        doc.computed(
            c([f"{it['name']}占项目全部实际支出的比重是多少？", f"实际支出里{it['name']}占了多少比例？"]),
            value=pct(it["e"], te), unit="%", formula=f"占比 = {it['name']}实际支出 ÷ 实际支出合计 × 100%",
            expr=f"{plain(it['e'])} ÷ {plain(te)} × 100%", inputs=[f"it{k}.e", "tot.e"], metric="share",
        )  # fmt: skip
    doc.computed(
        c(["资金到位率是多少？", "实际到位资金占全年预算的比例是多少？"]),
        value=pct(arr, tb1), unit="%", formula="资金到位率 = 实际到位资金 ÷ 全年预算 × 100%",
        expr=f"{plain(arr)} ÷ {plain(tb1)} × 100%", inputs=["arr", "tot.b1"], metric="funds_arrival_rate",
        deps=["arr.rate"],
    )  # fmt: skip
    if tb1 != te:
        doc.computed(
            c(["全年预算还剩多少没花完？", "全年预算和实际支出差了多少？"]),
            value=tb1 - te, unit=mu, formula="结余 = 全年预算 − 实际支出",
            expr=f"{plain(tb1)} − {plain(te)}", inputs=["tot.b1", "tot.e"], metric="difference",
        )  # fmt: skip
    if three_years:
        doc.computed(
            c([f"{Y}年实际支出比上年增长了多少？", f"和{Y - 1}年相比，{Y}年支出增减幅度是多少？"]),
            value=growth(te, d["y1"]), unit="%", formula=f"增长率 = ({Y}年实际支出 − {Y - 1}年实际支出) ÷ {Y - 1}年实际支出 × 100%",
            expr=f"({plain(te)} − {plain(d['y1'])}) ÷ {plain(d['y1'])} × 100%", inputs=["tot.e", "y1"],
            metric=["growth_rate", "year_on_year_change"],
        )  # fmt: skip
        avg = q((te + d["y1"] + d["y2"]) / 3, ctx.mplaces)
        doc.computed(
            c(["近三年项目年均实际支出是多少？", f"{Y - 2}年到{Y}年平均每年支出多少？"]),
            value=avg, unit=mu, formula="年均支出 = 三年实际支出之和 ÷ 3",
            expr=f"({plain(d['y2'])} + {plain(d['y1'])} + {plain(te)}) ÷ 3", inputs=["y2", "y1", "tot.e"],
            metric="multi_year_average",
        )  # fmt: skip
    j = rng.randrange(len(d["outs"]))
    o = d["outs"][j]
    a, p_, t = Decimal(o["actual"]), Decimal(o["prev"]), Decimal(o["target"])
    doc.computed(
        c([f"{o['o'].name}比上年增长了百分之多少？", f"与上年相比，{o['o'].name}增幅是多少？"]),
        value=growth(a, p_), unit="%", formula="增长率 = (本年完成值 − 上年完成值) ÷ 上年完成值 × 100%",
        expr=f"({plain(a)} − {plain(p_)}) ÷ {plain(p_)} × 100%", inputs=[f"o{j}.actual", f"o{j}.prev"],
        metric=["growth_rate", "year_on_year_change"],
    )  # fmt: skip
    doc.computed(
        c([f"{o['o'].name}目标完成率是多少？", f"{o['o'].name}完成了年度目标的百分之几？"]),
        value=pct(a, t), unit="%", formula="完成率 = 实际完成值 ÷ 年度目标值 × 100%",
        expr=f"{plain(a)} ÷ {plain(t)} × 100%", inputs=[f"o{j}.actual", f"o{j}.target"],
        metric=["target_completion_rate", "completion_rate"], deps=[f"o{j}.done"],
    )  # fmt: skip
    doc.computed(
        c(["问卷的有效回收率是多少？", "有效问卷占发放问卷的比例是多少？"]),
        value=pct(Decimal(d["valid"]), Decimal(d["sent"])), unit="%", formula="有效回收率 = 有效问卷数 ÷ 发放问卷数 × 100%",
        expr=f"{d['valid']} ÷ {d['sent']} × 100%", inputs=["q.valid", "q.sent"], metric="share",
    )  # fmt: skip
    doc.computed(
        c([f"{s['name']}部分的得分率是多少？", f"{s['name']}指标得了满分的百分之多少？"]),
        value=pct(s["got"], s["max"]), unit="%", formula=f"得分率 = {s['name']}得分 ÷ {s['name']}分值 × 100%",
        expr=f"{plain(s['got'])} ÷ {plain(s['max'])} × 100%", inputs=[f"sc{ks}.got", f"sc{ks}.max"], metric="score_rate",
        deps=[f"sc{ks}.rate"],
    )  # fmt: skip

    # unanswerable
    doc.refuse(c([f"{P}{Y - 4}年的实际支出是多少？", f"{Y + 1}年该项目的预算安排了多少？"]), "报告不含该年度")
    doc.refuse(
        c([f"{Y - 4}年{o['o'].name}完成了多少？", f"{o['o'].name}{Y + 1}年的目标值是多少？"]),
        "报告不含该年度",
    )
    for kw, question in rng.sample(vocab.ABSENT, 2):
        doc.refuse(question, f"报告没有“{kw}”", absent=kw)

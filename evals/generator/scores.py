"""绩效评价得分表 — 一级/二级/三级指标 with 分值, 得分, subtotals, 合计 and a grade. A long table
(with a repeated header) that usually crosses a page."""

from __future__ import annotations

from decimal import Decimal

from evals.generator import vocab
from evals.generator.common import ZERO, Doc, esc, grade_of, pct, plain, q, split_int, table, td

# 一级 -> [(二级, [(三级, 评分说明)])]
SYSTEM: list[tuple[str, list[tuple[str, list[tuple[str, str]]]]]] = [
    ("决策", [
        ("项目立项", [("立项依据充分性", "立项符合法律法规、相关政策及发展规划的得满分，每发现一处不符扣1分"),
                      ("立项程序规范性", "按规定程序申请设立、审批文件完备的得满分，否则酌情扣分")]),
        ("绩效目标", [("绩效目标合理性", "目标与实际工作内容相关、与预算相匹配的得满分"),
                      ("绩效指标明确性", "指标细化量化、清晰可衡量的得满分，每缺一项扣0.5分")]),
        ("资金投入", [("预算编制科学性", "预算经过科学论证、内容与项目内容匹配的得满分"),
                      ("资金分配合理性", "分配依据充分、额度合理的得满分")]),
    ]),
    ("过程", [
        ("资金管理", [("资金到位率", "得分＝资金到位率×分值"),
                      ("预算执行率", "得分＝预算执行率×分值，执行率低于60%不得分"),
                      ("资金使用合规性", "资金使用符合财务管理制度规定的得满分，发现违规使用的不得分")]),
        ("组织实施", [("管理制度健全性", "已制定相应管理制度且合法合规完整的得满分"),
                      ("制度执行有效性", "遵守相关法律法规和管理规定、资料齐全并及时归档的得满分")]),
    ]),
    ("产出", [
        ("产出数量", [("实际完成率", "得分＝实际完成率×分值")]),
        ("产出质量", [("质量达标率", "达标率达到100%的得满分，每降低1个百分点扣0.5分")]),
        ("产出时效", [("完成及时性", "按计划时间完成的得满分，每延期一个月扣1分")]),
        ("产出成本", [("成本节约率", "成本控制在预算范围内的得满分")]),
    ]),
    ("效益", [
        ("项目效益", [("社会效益", "项目实施对社会发展的带动作用明显的得满分"),
                      ("生态效益", "项目实施对生态环境改善作用明显的得满分"),
                      ("可持续影响", "建立长效管护机制的得满分"),
                      ("服务对象满意度", "满意度达到90%以上的得满分，每降低1个百分点扣0.5分")]),
    ]),
]  # fmt: skip

SPLITS = [(20, 20, 40, 20), (15, 20, 35, 30), (20, 25, 30, 25), (15, 15, 40, 30), (10, 20, 40, 30)]


def build(doc: Doc, plant: bool) -> None:
    rng, ctx = doc.rng, doc.ctx
    Y, c = ctx.year, rng.choice
    split = c(SPLITS)
    sp = ctx.splaces
    unit_score = Decimal(1).scaleb(-sp)
    groups = []  # (l1, max, [(l2, l3, note, max, score)])
    for (l1, l2s), gmax in zip(SYSTEM, split, strict=True):
        leaves = [(l2, l3, note) for l2, l3s in l2s for l3, note in l3s]
        maxes = split_int(rng, gmax, len(leaves), low=1)
        rows = []
        for (l2, l3, note), mx in zip(leaves, maxes, strict=True):
            r = rng.random()
            if r < 0.5:
                got = Decimal(mx)
            else:
                got = Decimal(mx) - unit_score * rng.randint(
                    1, int(Decimal(mx) * Decimal("0.4") / unit_score) + 1
                )
                got = max(got, ZERO)
            rows.append((l2, l3, note, Decimal(mx), q(got, sp)))
        groups.append((l1, Decimal(gmax), rows))
    subtotals = [sum((r[4] for r in g[2]), ZERO) for g in groups]
    total = sum(subtotals, ZERO)
    show_sub = rng.random() < 0.75
    show_note = rng.random() < 0.6
    total_first = ctx.total_first
    max_h, got_h = c(vocab.SCORE_MAX), c(vocab.SCORE_GOT)
    tot_label = c(vocab.TOTAL)

    if plant:
        doc.option("score_total", "total", f"{tot_label}（总分）", set(), total, "0.1", "0.5", "3")
        doc.plant()

    # ---- html -------------------------------------------------------------------------------
    what = ctx.project
    doc.title = f"{what}绩效评价得分表"
    doc.add(f"<h1>{esc(c(['', f'{Y}年度']) + what)}绩效评价得分表</h1>")
    doc.para(f"评价对象：{esc(ctx.agency)}{esc(ctx.project)}（{Y}年度）")
    doc.para(
        f"评价依据：《项目支出绩效评价管理办法》及{esc(ctx.place)}财政局有关绩效评价工作的通知。评价工作组按照“{c(['决策、过程、产出、效益', '投入、过程、产出、效益'])}”"
        "四个维度设置指标体系，采用资料核查、现场勘查、问卷调查相结合的方式逐项评分。"
    )
    doc.para("各项指标评分情况如下表：")
    ncols = 6 if show_note else 5
    head = [
        [
            td(h, th=True)
            for h in ["一级指标", "二级指标", "三级指标", max_h, got_h] + (["评分说明"] if show_note else [])
        ]
    ]

    def total_row() -> list[str]:
        return [
            td(esc(tot_label), cs=3, th=True),
            td("100"),
            td(doc.s("total", total, "总分")),
            *([td("")] if show_note else []),
        ]

    body: list[list[str]] = []
    if total_first:
        body.append(total_row())
    for gi, (l1, gmax, rows) in enumerate(groups):
        l2_span: dict[str, int] = {}
        for r in rows:
            l2_span[r[0]] = l2_span.get(r[0], 0) + 1
        seen: set[str] = set()
        for ri, (l2, l3, note, mx, got) in enumerate(rows):
            cells = []
            if ri == 0:
                cells.append(td(f"{l1}（{int(gmax)}分）" if rng.random() < 0.3 else l1, rs=len(rows)))
            if l2 not in seen:
                seen.add(l2)
                cells.append(td(l2, rs=l2_span[l2]))
            cells += [
                td(l3),
                td(doc.num(f"g{gi}.{ri}.max", mx, "分", 0)),
                td(doc.s(f"g{gi}.{ri}.score", got, f"{l3} 得分")),
            ]
            if show_note:
                cells.append(td(esc(note)))
            body.append(cells)
        if show_sub:
            body.append([td(f"{l1}小计", cs=3), td(doc.num(f"g{gi}.max", gmax, "分", 0)),
                         td(doc.s(f"g{gi}.score", subtotals[gi], f"{l1} 小计")), *([td("")] if show_note else [])])  # fmt: skip
    if not total_first:
        body.append(total_row())
    grade_in_table = rng.random() < 0.5
    if grade_in_table:
        body.append([td("评价等级", cs=3, th=True), td(grade_of(total), cs=ncols - 3)])
    widths = [11, 13, 20, 8, 9, 39] if show_note else [16, 20, 34, 14, 16]
    doc.add(table(head, body, ruled=ctx.ruled or show_note, widths=widths))
    if not grade_in_table:
        doc.para(
            f"评价结论：综合得分{esc(doc.figs['total'].text)}分，评价等级为“{grade_of(doc.v('total'))}”。"
        )
    doc.para("注：评价等级划分为优（90分及以上）、良（80（含）—90分）、中（60（含）—80分）、差（60分以下）。")
    _cases(doc, groups, subtotals, total, show_sub)


def _cases(doc: Doc, groups: list, subtotals: list[Decimal], total: Decimal, show_sub: bool) -> None:
    rng, ctx = doc.rng, doc.ctx
    Y, c = ctx.year, rng.choice
    leaves = [(gi, ri, r) for gi, g in enumerate(groups) for ri, r in enumerate(g[2])]
    for gi, ri, r in rng.sample(leaves, 4):
        l3 = r[1]
        first = doc.lookup(
            f"g{gi}.{ri}.score",
            c([f"“{l3}”这项指标评了多少分？", f"{l3}实际得分是多少？", f"评价组给{l3}打了几分？"]),
        )
        doc.lookup(
            f"g{gi}.{ri}.max", c(["它的满分是多少？", "这一项的分值是多少？"]), prev=first, tags=["followup"]
        )
    doc.lookup("total", c(["这次评价的总得分是多少？", "综合评分是多少分？", "得分表最后合计多少分？"]))
    for gi, (l1, gmax, rows) in enumerate(groups):
        if show_sub:
            doc.lookup(
                f"g{gi}.score", c([f"{l1}类指标一共得了多少分？", f"“{l1}”这一部分的小计得分是多少？"])
            )
        # computed
        parts = [f"g{gi}.{ri}.score" for ri in range(len(rows))]
        sub = subtotals[gi]
        if not show_sub:
            doc.computed(
                c([f"{l1}部分各项加起来一共得了多少分？", f"“{l1}”一级指标的得分合计是多少？"]),
                value=sub, unit="分", formula=f"{l1}得分 = 各三级指标得分之和",
                expr=" + ".join(plain(r[4]) for r in rows), inputs=parts,
            )  # fmt: skip
        doc.computed(
            c([f"{l1}指标的得分率是多少？", f"“{l1}”这一块拿到了分值的百分之几？"]),
            value=pct(sub, gmax), unit="%", formula=f"得分率 = {l1}得分 ÷ {l1}分值 × 100%",
            expr=f"({' + '.join(plain(r[4]) for r in rows)}) ÷ {plain(gmax)} × 100%",
            inputs=parts + ([f"g{gi}.score"] if show_sub else []), metric="score_rate" if show_sub else None,
            metric_inputs=[plain(sub), plain(gmax)] if show_sub else None, deps=[f"g{gi}.score"],
        )  # fmt: skip
        doc.computed(
            c([f"{l1}部分一共被扣了多少分？", f"“{l1}”维度失分多少？"]),
            value=gmax - sub, unit="分", formula=f"扣分 = {l1}分值 − {l1}得分",
            expr=f"{plain(gmax)} − ({' + '.join(plain(r[4]) for r in rows)})",
            inputs=parts, deps=[f"g{gi}.score"],
        )  # fmt: skip
    gi, ri, r = c(leaves)
    gj, rj, r2 = c([x for x in leaves if x[:2] != (gi, ri)])
    doc.computed(
        f"{r[1]}和{r2[1]}两项加起来得了多少分？",
        value=r[4] + r2[4], unit="分", formula=f"合计 = {r[1]}得分 + {r2[1]}得分",
        expr=f"{plain(r[4])} + {plain(r2[4])}", inputs=[f"g{gi}.{ri}.score", f"g{gj}.{rj}.score"],
    )  # fmt: skip
    doc.grade_case("total", c(["按得分这个项目评为什么等级？", "综合得分对应哪个评价等级？"]))
    doc.refuse(f"{Y - 1}年度同一项目的评价总分是多少？", f"得分表只有{Y}年度")
    doc.refuse(c(["这次评价问卷调查的有效问卷数是多少？", "参加评价的专家组有几名成员？"]), "得分表未给出")
    for kw, question in rng.sample(vocab.ABSENT, 2):
        doc.refuse(question, f"得分表没有“{kw}”", absent=kw)

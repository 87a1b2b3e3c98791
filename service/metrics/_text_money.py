"""Report check, text claims about money: budget arithmetic, funds arrival, execution rate, over-budget."""

from __future__ import annotations

import re

from service.metrics._check_core import CheckItem, call, cannot_verify, judge
from service.metrics._text_base import Ctx, N, last, sentences

_BUDGET = re.compile(
    rf"预算(?:资金|总额)?\s*{N}\s*万元\s*[，,]\s*其中\s*年初预算\s*{N}\s*万元"
    rf"(?:\s*[、，,]\s*追加(?:预算)?\s*{N}\s*万元)?(?:\s*[、，,]\s*调减(?:预算)?\s*{N}\s*万元)?"
)


def budget(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in _BUDGET.finditer(p.text):
            total, initial, add, red = m.groups()
            ctx.take(p, m)
            ctx.budget_total = ctx.budget_total or (total, p.page)
            inputs = {
                "initial_budget": ctx.arg(p, initial, "万元", "年初预算"),
                "additions": ctx.arg(p, add or "0", "万元", "追加预算"),
                "reductions": ctx.arg(p, red or "0", "万元", "调减预算"),
            }
            items.append(
                judge(
                    claim="预算资金（年初预算＋追加预算－调减预算）",
                    page=p.page,
                    stated_raw=total,
                    alternatives=[("exact", call("adjusted_budget", inputs))],
                    kind="text",
                    source=ctx.src(p, "预算资金"),
                )
            )
    if ctx.budget_total is None:
        for p in ctx.paras:
            found = re.search(rf"(?:调整后预算|预算资金|全年预算)(?:金额|总额)?为?\s*{N}\s*万元", p.text)
            if found:
                ctx.budget_total = (found.group(1), p.page)
                break


def funds(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"(?<!及时)到位率为?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            arrived = last(rf"到位(?:财政)?资金\s*(?:为)?\s*{N}\s*万元", p.text[: m.start()])
            if arrived is None or ctx.budget_total is None:
                items.append(
                    cannot_verify(
                        claim="资金到位率",
                        page=p.page,
                        stated_raw=f"{m.group(1)}%",
                        why="报告未给出实际到位资金或预算金额",
                    )
                )
                continue
            inputs = {
                "arrived_funds": ctx.arg(p, arrived.group(1), "万元", "实际到位资金"),
                "budget": {
                    **ctx.arg(p, ctx.budget_total[0], "万元", "预算资金"),
                    "source": {**ctx.src(p, "预算资金"), "page": ctx.budget_total[1]},
                },
            }
            items.append(
                judge(
                    claim="资金到位率",
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    alternatives=[("full_precision", call("funds_arrival_rate", inputs))],
                    source=ctx.src(p, "资金到位率"),
                )
            )
        for m in re.finditer(rf"(?:到位及时率|及时到位率)为?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            on_time = re.search(rf"(?:按时|及时)到位(?:的)?(?:财政)?资金\s*(?:为)?\s*{N}\s*万元", p.text)
            arrived = last(rf"到位(?:财政)?资金\s*(?:为)?\s*{N}\s*万元", p.text[: m.start()])
            if on_time is None or arrived is None:
                items.append(
                    cannot_verify(
                        claim="资金到位及时率",
                        page=p.page,
                        stated_raw=f"{m.group(1)}%",
                        why="报告未列出按时到位的资金金额（到位及时率的分子），无法复算",
                    )
                )
                continue
            inputs = {
                "on_time_funds": ctx.arg(p, on_time.group(1), "万元", "按时到位资金"),
                "due_funds": ctx.arg(p, arrived.group(1), "万元", "应到位资金"),
            }
            items.append(
                judge(
                    claim="资金到位及时率",
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    alternatives=[("full_precision", call("funds_timeliness_rate", inputs))],
                )
            )


def execution(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for m in re.finditer(rf"预算执行率为?\s*{N}\s*%", p.text):
            ctx.take(p, m)
            spent = last(
                rf"(?:实际使用经费|实际支出金额|实际支出|实际使用资金|支出金额|使用经费)\s*(?:为)?\s*{N}\s*万元",
                p.text[: m.start()],
            )
            if spent is None or ctx.budget_total is None:
                items.append(
                    cannot_verify(
                        claim="预算执行率",
                        page=p.page,
                        stated_raw=f"{m.group(1)}%",
                        why="同段未给出实际支出金额，或全文未给出调整后预算",
                    )
                )
                continue
            inputs = {
                "spent": ctx.arg(p, spent.group(1), "万元", "实际支出"),
                "adjusted_budget": {
                    **ctx.arg(p, ctx.budget_total[0], "万元", "调整后预算（预算资金）"),
                    "source": {**ctx.src(p, "预算资金"), "page": ctx.budget_total[1]},
                },
            }
            items.append(
                judge(
                    claim="预算执行率（实际支出÷调整后预算）",
                    page=p.page,
                    stated_raw=f"{m.group(1)}%",
                    kind="text",
                    source=ctx.src(p, "预算执行率"),
                    alternatives=[("full_precision", call("budget_execution_rate", inputs))],
                )
            )


def over_budget(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for off, sentence in sentences(p.text):
            for m in re.finditer(rf"超预算(?:金额)?(?:为)?\s*{N}\s*万元", sentence):
                ctx.consumed.add((p.key, off + m.start(1)))
                budget = last(rf"预算(?:金额)?为?\s*{N}\s*万元", sentence[: m.start()])
                spent = last(rf"实际支出(?:金额)?为?\s*{N}\s*万元", sentence[: m.start()])
                if budget is None or spent is None:
                    items.append(
                        cannot_verify(
                            claim="超预算金额",
                            page=p.page,
                            stated_raw=f"{m.group(1)}万元",
                            why="同句未给出预算金额和实际支出",
                        )
                    )
                    continue
                inputs = {
                    "spent": ctx.arg(p, spent.group(1), "万元", "实际支出"),
                    "budget": ctx.arg(p, budget.group(1), "万元", "预算金额"),
                }
                items.append(
                    judge(
                        claim="超预算金额（实际支出－预算金额）",
                        page=p.page,
                        stated_raw=m.group(1),
                        kind="text",
                        source=ctx.src(p, "超预算金额"),
                        alternatives=[("exact", call("over_budget_amount", inputs))],
                    )
                )

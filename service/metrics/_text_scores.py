"""Report check, text claims about scores and sums: total score, grade, 共计 / 其中 sums."""

from __future__ import annotations

import re

from service.metrics._check_core import CheckItem, cannot_verify, from_sum
from service.metrics._check_policy import PolicyGradeRule
from service.metrics._text_base import COUNT_UNITS, Ctx, N, Para, last, sentences
from service.metrics.errors import MetricError
from service.metrics.grades import grade_rule_from
from service.metrics.registry import compute

# a grade in quotes (any label: 优, 良好, 合格 …) or a usual label unquoted; not "等级为“差”的项目" (a rule)
_GRADE = re.compile(
    r"评价等级为?\s*(?:[“\"「『]([\u4e00-\u9fff]{1,3}?)[”\"」』](?!的)|(优秀|优|良好|良|中等|中|合格|差|不合格)(?![\u4e00-\u9fff]))"
)


def scores(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        total = re.search(rf"(?:得分|评价结果为|总分为?)\s*{N}\s*分", p.text)
        rest = p.text[total.end() :] if total else ""
        k = rest.find("其中")
        if total and k >= 0:
            tail = re.split(r"。", rest[k:], maxsplit=1)[0]
            parts = list(re.finditer(rf"([\u4e00-\u9fff]{{2,8}}?)\s*{N}\s*分", tail))
            if len(parts) >= 2:
                ctx.take(p, total)
                result = compute(
                    "sum_check",
                    {
                        "parts": [ctx.arg(p, q.group(2), "分", q.group(1)) for q in parts],
                        "stated_total": ctx.arg(p, total.group(1), "分", "总分"),
                    },
                )
                items.append(
                    from_sum(
                        claim="总分（各一级指标得分之和）",
                        page=p.page,
                        stated_raw=total.group(1),
                        result=result,
                        kind="text",
                        source=ctx.src(p, "总分"),
                    )
                )
        for off, sentence in sentences(p.text):
            for m in _GRADE.finditer(sentence):
                score = last(rf"{N}\s*分", sentence[: m.start()])
                stated = m.group(1) or m.group(2)
                if score is None:
                    items.append(
                        cannot_verify(
                            claim="评价等级",
                            page=p.page,
                            stated_raw=stated,
                            why="同句未给出总分，无法按评级规则复核",
                        )
                    )
                    continue
                ctx.consumed.add((p.key, off + score.start(1)))
                try:
                    result = compute(
                        "grade_from_score",
                        {"score": ctx.arg(p, score.group(1), "分", "总分"), "bands": ctx.grade_bands},
                    )
                except MetricError as exc:
                    items.append(
                        cannot_verify(claim="评价等级", page=p.page, stated_raw=stated, why=exc.message_zh)
                    )
                    continue
                labels = [b["label"] for b in result.details["rule"]]
                if stated not in labels and stated[:1] not in labels:  # 优秀 / 良好 read as 优 / 良
                    items.append(
                        cannot_verify(
                            claim="评价等级",
                            page=p.page,
                            stated_raw=stated,
                            why=f"等级“{stated}”不在所用评级规则（{'、'.join(labels)}）中，请提供该报告适用的评级档次",
                        )
                    )
                    continue
                ok = result.value in (stated, stated[:1])
                rule = grade_rule_from(ctx.grade_bands)
                words = f"评价等级按档次确定：{rule.describe()}（依据：{rule.source}）"
                computation = {**result.to_computation(), "formula_words": words}
                source = ctx.src(p, "评价等级")
                if isinstance(rule, PolicyGradeRule):
                    source["rule"] = rule.citation()
                items.append(
                    CheckItem(
                        claim=f"评价等级（总分 {score.group(1)} 分）",
                        page=p.page,
                        stated=stated,
                        recomputed=result.display,
                        formula=result.formula,
                        status="ok" if ok else "mismatch",
                        why=("与评级规则一致：" if ok else "与评级规则不符：") + words,
                        convention="exact",
                        metric=result.metric,
                        kind="text",
                        source=source,
                        computation=computation,
                    )
                )


def text_sums(ctx: Ctx, items: list[CheckItem]) -> None:
    for p in ctx.paras:
        for segment_m in re.finditer(r"[^；。]+", p.text):
            segment, off = segment_m.group(0), segment_m.start()
            total = re.search(rf"共计\s*{N}\s*{COUNT_UNITS}", segment)
            if total:
                found = [
                    q
                    for q in re.finditer(rf"{N}\s*{COUNT_UNITS}", segment[: total.start()])
                    if q.group(2) == total.group(2)
                ]
                if len(found) >= 2 and (p.key, off + total.start(1)) not in ctx.consumed:
                    ctx.consumed.add((p.key, off + total.start(1)))
                    items.append(
                        _text_sum(ctx, p, total.group(1), total.group(2), [q.group(1) for q in found], "共计")
                    )
        for off, sentence in sentences(p.text):
            for m in re.finditer(rf"{N}\s*{COUNT_UNITS}\s*[，,（(]?\s*其中[：:，,]?", sentence):
                if (p.key, off + m.start(1)) in ctx.consumed:
                    continue
                parts: list[str] = []
                for clause in re.split(r"[，,、；]", sentence[m.end() :]):
                    if re.search(r"较|比|增加|减少|提高|下降|调减|扣除", clause):
                        break
                    parts += [
                        q.group(1)
                        for q in re.finditer(rf"{N}\s*{COUNT_UNITS}", clause)
                        if q.group(2) == m.group(2)
                    ]
                if len(parts) >= 2:
                    ctx.consumed.add((p.key, off + m.start(1)))
                    items.append(_text_sum(ctx, p, m.group(1), m.group(2), parts, "其中"))


def _text_sum(ctx: Ctx, p: Para, total: str, unit: str, parts: list[str], how: str) -> CheckItem:
    result = compute(
        "sum_check",
        {
            "parts": [ctx.arg(p, v, unit, f"分项{i + 1}") for i, v in enumerate(parts)],
            "stated_total": ctx.arg(p, total, unit, "合计"),
        },
    )
    return from_sum(
        claim=f"{how} {total}{unit}（分项之和）",
        page=p.page,
        stated_raw=f"{total}{unit}",
        result=result,
        kind="text",
        source=ctx.src(p, how),
    )

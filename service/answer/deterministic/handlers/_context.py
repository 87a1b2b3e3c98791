"""What every handler shares: the per-question Context, subjects and years, refusals, citing figures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from service.answer.base import emit
from service.answer.deterministic.analysis import Analysis
from service.answer.deterministic.calculator import Computed
from service.answer.deterministic.evidence import (
    Figure,
)
from service.answer.deterministic.finders import FigureSpec, Finder
from service.answer.deterministic.lexicon import Lexicon
from service.answer.deterministic.render import CitationSet, Draft
from service.answer.models import ProgressEvent

SUBHEAD = re.compile(r"^\s*[（(]([一二三四五六七八九十]+)[）)]\s*(.+)$")


TOPHEAD = re.compile(r"^\s*([一二三四五六七八九十]+)、\s*(.+)$")


CLAUSE_NO = re.compile(r"^第[一二三四五六七八九十百]+条")


SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "存在的主要问题": ("存在的主要问题", "存在问题", "主要问题"),
    "相关建议": ("相关建议", "建议"),
    "绩效目标": ("项目绩效目标", "绩效目标", "总体绩效目标"),
    "评价结论": ("绩效评价结果", "评价结论", "评价结果"),
    "绩效评价方法": ("绩效评价方法", "评价方法"),
}


BASELINE_ASKED = re.compile(
    r"均值|年均|历史|以前年度|往年|(?:19|20)\d{2}\s*年?\s*[-—–至到~]\s*(?:19|20)\d{2}\s*年?\s*(?:的)?平均"
)


@dataclass
class Context:
    finder: Finder
    lexicon: Lexicon
    analysis: Analysis
    cites: CitationSet

    def progress(self, stage: str, detail: str) -> None:
        emit(self.finder.on_event, ProgressEvent(stage=stage, detail=detail))  # type: ignore[arg-type]

    @property
    def report_year(self) -> int | None:
        ids = self.finder.document_ids or self.lexicon.report_doc_ids()
        years = [self.lexicon.doc_years.get(d) for d in ids]
        known = [y for y in years if y]
        return max(known) if known else None

    def concept(self, key: str | None):
        return self.lexicon.concept(key) if key else None

    def spec(
        self,
        *,
        concept: str | None = None,
        year: int | None = None,
        entities: list[str] | None = None,
        columns: tuple[str, ...] = (),
        terms: list[str] | None = None,
        baseline: bool | None = None,
    ) -> FigureSpec:
        a = self.analysis
        q = a.question
        return FigureSpec(
            concept=self.concept(concept if concept is not None else a.concept),
            entities=list(a.entities if entities is None else entities),
            year=year,
            terms=list(a.terms if terms is None else terms),
            baseline=bool(BASELINE_ASKED.search(q)) if baseline is None else baseline,
            qualified=bool(re.search(r"计划|目标|预期", q)),
            columns=columns,
        )


def subject(
    ctx: Context, *, year: int | None = None, concept: str | None = None, entities: list[str] | None = None
) -> str:
    ents = [e for e in (ctx.analysis.entities if entities is None else entities) if e != "合计"]
    key = concept if concept is not None else (ctx.analysis.concept or "")
    parts = ([f"{year}年"] if year else []) + ents + ([key] if key and key not in ents else [])
    return "".join(parts) or "所问数据"


def years_asked(ctx: Context) -> list[int]:
    a = ctx.analysis
    if a.years:
        return a.years
    if a.relative_year and ctx.report_year:
        return [ctx.report_year - 1]
    return []


def refusal(ctx: Context, what: str, *, reason: str = "") -> Draft:
    searched = list(dict.fromkeys(ctx.finder.searched))
    if not ctx.lexicon.titles:
        reason = "尚未收录任何文档，请先用 jixiao ingest（或文档上传接口）导入报告和政策文件"
    covered = sorted(ctx.lexicon.years())
    return Draft(
        "refusal",
        {
            "subject": what,
            "reason": reason,
            "searched": searched,
            "years": [f"{y}年" for y in covered],
            "titles": sorted(
                {
                    t
                    for d, t in ctx.lexicon.titles.items()
                    if not ctx.finder.document_ids or d in ctx.finder.document_ids
                }
            ),
        },
        found=False,
        notes=[f"未找到：{what}；已检索：{'；'.join(searched) or '（无）'}"],
    )


def year_reason(ctx: Context, years: list[int]) -> str:
    covered = ctx.lexicon.years()
    missing = [y for y in years if covered and y not in covered]
    if missing and ctx.report_year:
        return f"所收录报告的评价年度为{ctx.report_year}年，报告中没有{'、'.join(f'{y}年' for y in missing)}的该项数据"
    return ""


def fig_var(ctx: Context, f: Figure, subject_text: str) -> dict[str, Any]:
    """A figure for a template; its citation number is assigned by `cite_all` once the list is final."""
    return {"subject": subject_text, "display": f.display, "n": 0, "figure": f}


def cite_all(ctx: Context, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for v in found:
        v["n"] = ctx.cites.figure(v["figure"])
    return found


def computed_vars(ctx: Context, c: Computed, labels: dict[str, str]) -> dict[str, Any]:
    inputs = [
        {"label": labels.get(role, role), "display": f.display, "n": ctx.cites.figure(f)}
        for role, f in c.figures.items()
    ]
    comp = c.computation
    return {
        "name_zh": comp.name_zh or comp.metric,
        "formula": comp.formula,
        "formula_words": comp.formula_words,
        "display": comp.display,
        "inputs": inputs,
    }


def agrees(stated: Figure, comp_display: str) -> bool:
    m = re.match(r"-?[\d.]+", comp_display.replace(",", ""))
    if not m:
        return False
    try:
        from decimal import Decimal

        return abs(Decimal(m.group(0)) - stated.decimal()) <= Decimal("0.011")
    except Exception:
        return False


def clean_col(column: str) -> str:
    from service.answer.deterministic.lexicon import clean_header

    return clean_header(column.split(" ")[-1]) if column else ""


def as_score(f: Figure) -> Figure:
    return f if f.unit in ("分", "") else Figure(**{**f.__dict__, "unit": ""})

"""Report check, cross-checks: the same figure stated in two places must agree.

A report states many absolute figures more than once — a detail table's 合计 is a row of the summary
table, the personnel cost of 表1-2 is the 人工费用 of 表3, the text repeats the budget, the headcount and
each dimension score. Each stated figure (a table cell or a number with its unit in a sentence) gets a
key — *what* is measured (预算, 到位, 支出, 年末人数, 月均人数, 得分 …, from the header tokens or the words
just before the number), *of what* (a row / column label such as 商品和服务支出 or 项目决策, the subject of
a detail table's caption for its 合计 row, else the whole project), the year, and the kind of unit — and
figures sharing a key are compared pairwise (every pair of different tables, each text figure with each
table figure). No page numbers or values are built in. Private to `service.metrics.check`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from service.metrics._check_core import CheckItem, norm
from service.metrics._check_tables import TOTAL_WORDS, Grid, is_change_label
from service.metrics._text_base import N, Para, paragraphs, sentences
from service.metrics.errors import MetricError
from service.metrics.result import MetricInput, MetricResult, fmt, round_half_up
from service.metrics.units import convert, unit_info

WHOLE = "全部"  # the subject of a figure about the whole project

# what a figure measures: (key, Chinese name, pattern over a header or the words before a number, kind)
MEASURES: tuple[tuple[str, str, str, str], ...] = (
    ("initial_budget", "年初预算", r"年初预算", "money"),
    ("budget_addition", "追加预算", r"追加预算|追加", "money"),
    ("budget_reduction", "调减预算", r"调减预算|调减", "money"),
    ("over_budget", "超预算金额", r"超(?:出)?预算|超支", "money"),
    ("arrived", "到位资金", r"到位", "money"),
    ("budget", "预算", r"预算", "money"),
    ("spent", "支出", r"支出|使用经费|实际使用|费用", "money"),
    ("headcount_end", "年末人数", r"年末\S{0,2}人数|年末人员|员工数量|在岗人数", "person"),
    ("headcount_avg", "月均人数", r"月均总?人(?:数|员数量)|平均人数", "person"),
    ("max_score", "分值", r"分值|满分", "score"),
    ("score", "得分", r"得分|评价结果|总分", "score"),
)
MEASURE_ZH = {key: zh for key, zh, _, _ in MEASURES}

# names of the same budget subject (政府支出经济分类 and the words reports use for it)
SUBJECT_SYNONYMS: dict[str, str] = {
    "人工费用": "工资福利支出",
    "人员经费": "工资福利支出",
    "人员支出": "工资福利支出",
    "公用经费": "商品和服务支出",
}

_TEXT_UNITS = r"(万元|亿元|元|万人次|人次|万次|次|万件|件|人|名|分)"
_SEPARATORS = "，。；、（()：:,;"
_NOT_EXACT_BEFORE = re.compile(r"(不低于|不少于|不超过|超过|低于|高于|达到|约|近|上限|下限|额定|定额)\s*$")
_NOT_EXACT_AFTER = re.compile(r"^\s*(?:[（(]含|以上|以下|及以上|左右|余|多|至|[-—–~～])")
_NOT_A_STATEMENT = re.compile(
    r"计划|目标|预期|预计|均值|平均值|平均每|较|比|增加|减少|提高|下降|降低|上涨|每|单位|人均"
)
_LIST = re.compile(
    rf"((?:19|20)\d{{2}})\s*[-—–至]\s*((?:19|20)\d{{2}})\s*年([^，。；]*?)分别为\s*"
    rf"((?:{N}\s*{_TEXT_UNITS}\s*[、，,和及]?\s*)+)"
)


@dataclass
class Figure:
    """One stated absolute figure and where it is."""

    value: Decimal
    raw: str
    unit: str
    measure: str
    subject: str
    year: int | None
    where: str  # "表1-3 合计 实际支出金额" / "正文“实际支出为1978.55万元”"
    page: int | None
    source: dict[str, Any]
    grid: str = ""  # name of the table, "" for text
    order: int = 0

    @property
    def key(self) -> tuple[str, str, int | None, str]:
        return (self.measure, self.subject, self.year, unit_info(self.unit).kind)


Measure = tuple[str, str, str, str]
_YEAR_LABEL = re.compile(r"(19|20)\d{2}年度?")
_QUANTITY_END = re.compile(r"(?:数量|量|数)$")


def learned_measures(grids: list[Grid]) -> tuple[Measure, ...]:
    """What a document's own tables measure beyond the general measures: a line whose other axis is
    years ("接听量（万次）" under 2020年, 2019年 …) measures what its name says, in its cells' unit. Its
    name without a trailing 量/数 then finds it in sentences ("接听1012.36万次")."""
    out: dict[str, Measure] = {}
    for g in grids:
        for (ri, ci), cell in g.cells.items():
            rlab, clab = _clean_label(g.row_labels.get(ri, "")), _clean_label(g.col_labels.get(ci, ""))
            for own, other in ((rlab, clab), (clab, rlab)):
                stem = _QUANTITY_END.sub("", own)
                if (
                    cell.value is None
                    or cell.is_percent
                    or not _YEAR_LABEL.fullmatch(other)
                    or len(stem) < 2
                    or g.derived(own)
                    or is_change_label(own)
                    or _measure_in(own) is not None
                    or f"line:{stem}" in out
                ):
                    continue
                try:
                    kind = unit_info(cell.unit or "").kind
                except MetricError:
                    continue
                if kind not in ("", "money", "percent", "score") and "/" not in kind:
                    out[f"line:{stem}"] = (f"line:{stem}", own, rf"{re.escape(stem)}(?:数量|量|数)?", kind)
    return tuple(out.values())


def _measure_in(label: str, extra: tuple[Measure, ...] = ()) -> str | None:
    """The measure named last in `label` (the words closest to the number win)."""
    best: tuple[int, str] | None = None
    for key, _, pattern, _ in (*MEASURES, *extra):
        for m in re.finditer(pattern, label):
            if best is None or m.end() > best[0]:
                best = (m.end(), key)
    return best[1] if best else None


def _kind_ok(measure: str, unit: str, extra: tuple[Measure, ...] = ()) -> bool:
    want = next(kind for key, _, _, kind in (*MEASURES, *extra) if key == measure)
    try:
        return unit_info(unit).kind == want
    except MetricError:
        return False


def _clean_label(label: str) -> str:
    return re.sub(r"[（(][^）)]*[）)]", "", norm(label))


def _synonym(label: str) -> str | None:
    return next((canon for word, canon in SUBJECT_SYNONYMS.items() if word in label), None)


def _caption_subject(g: Grid, labels: set[str]) -> str | None:
    """The subject of a detail table's caption ("工资福利支出明细表" -> 工资福利支出) when another table
    names it (its 合计 row is then that subject's total)."""
    caption = re.sub(r"^(续)?表\s*[0-9０-９]+(?:\s*[-－—–.]\s*[0-9０-９]+)*", "", norm(g.table.caption))
    caption = re.sub(r"(明细|情况|统计|汇总|构成)*表$", "", caption)
    if not caption:
        return None
    if caption in labels:
        return caption
    return _synonym(caption)


def _year_in(text: str) -> int | None:
    years = re.findall(r"(?<!\d)((?:19|20)\d{2})\s*年", text)
    return int(years[-1]) if years else None


def doc_year(pages: list[Any], grids: list[Grid]) -> int | None:
    """The report's year: the first year in the first line of the first page (its title), else the
    latest year column of its tables."""
    for page in pages[:1]:
        first = (page.text or "").strip().split("\n")[0]
        m = re.search(r"(?<!\d)((?:19|20)\d{2})\s*年", first)
        if m:
            return int(m.group(1))
    years = [y for g in grids for y in g.year_cols]
    return max(years) if years else None


def table_figures(grids: list[Grid], year: int | None, extra: tuple[Measure, ...] = ()) -> list[Figure]:
    labels = {g.rlabel(ri) for g in grids for ri in g.rows} | {g.clabel(ci) for g in grids for ci in g.cols}
    out: list[Figure] = []
    for g in grids:
        caption_subject = _caption_subject(g, labels - {g.rlabel(ri) for ri in g.rows})
        derived_cols = {ci for ci in g.cols if g.derived(g.clabel(ci)) or is_change_label(g.clabel(ci))}
        for (ri, ci), cell in sorted(g.cells.items()):
            rlab, clab = _clean_label(g.row_labels.get(ri, "")), _clean_label(g.col_labels.get(ci, ""))
            if (
                cell.value is None
                or cell.is_percent
                or ci in derived_cols
                or ci in g.baseline_cols
                or g.derived(g.rlabel(ri))
                or is_change_label(g.rlabel(ri))
            ):
                continue
            measure = _measure_in(clab, extra)
            other = rlab
            if measure is None:
                measure, other = _measure_in(rlab, extra), clab
            unit = cell.unit or ""
            if measure is None or not _kind_ok(measure, unit, extra):
                continue
            is_total = any(w in other for w in TOTAL_WORDS)
            is_year = bool(re.fullmatch(r"(19|20)\d{2}年度?", other))
            subject = _synonym(rlab + clab)
            if subject is None:
                if is_total:
                    money = unit_info(unit).kind == "money"
                    subject = (caption_subject if money else None) or WHOLE
                elif is_year or not other:
                    subject = WHOLE
                else:
                    subject = other
            out.append(
                Figure(
                    value=Decimal(cell.value),
                    raw=cell.raw,
                    unit=unit,
                    measure=measure,
                    subject=subject,
                    year=_year_in(clab) or _year_in(rlab) or year,
                    where=g.claim(ri, ci),
                    page=cell.page,
                    source=g.source(ri, ci),
                    grid=g.name,
                    order=len(out),
                )
            )
    return out


def _clause_before(text: str, end: int) -> str:
    start = max(text.rfind(ch, 0, end) for ch in _SEPARATORS) + 1
    return text[start:end].strip()


def _subject_in(context: str, subjects: set[str], *, min_len: int = 2) -> str | None:
    found = [s for s in subjects if len(s) >= min_len and s in context]
    if not found:
        return _synonym(context)
    return max(found, key=lambda s: (context.rfind(s) + len(s), len(s)))


def text_figures(
    paras: list[Para],
    subjects: dict[str, set[str]],
    doc_id: str,
    year: int | None,
    extra: tuple[Measure, ...] = (),
) -> list[Figure]:
    """Absolute figures stated in sentences: a number with its unit, the measure named just before it
    (or, in a list after 其中, the measure of the figure before), its subject and year."""
    out: list[Figure] = []

    def add(
        p: Para, value: str, unit: str, measure: str, subject: str, fig_year: int | None, ctx: str
    ) -> None:
        snippet = f"{norm(ctx)[-16:]}{value}{unit}"
        out.append(
            Figure(
                value=Decimal(value),
                raw=f"{value}{unit}",
                unit=unit,
                measure=measure,
                subject=subject,
                year=fig_year,
                where=f"正文“{snippet}”",
                page=p.page,
                source={"doc_id": doc_id, "page": p.page, "table": "", "row": snippet, "column": ""},
                order=10**6 + len(out),
            )
        )

    for p in paras:
        taken: set[int] = set()
        for off, sentence in sentences(p.text):
            for m in _LIST.finditer(sentence):  # "2018-2020 年……月均人数分别为 621 人、777 人、909 人"
                first, last_year = int(m.group(1)), int(m.group(2))
                values = list(re.finditer(rf"{N}\s*{_TEXT_UNITS}", m.group(4)))
                measure = _measure_in(m.group(3), extra)
                if measure is None or len(values) != last_year - first + 1:
                    continue
                for y, v in zip(range(first, last_year + 1), values, strict=True):
                    taken.add(off + m.start(4) + v.start(1))
                    if _kind_ok(measure, v.group(2), extra) and not _NOT_A_STATEMENT.search(m.group(3)):
                        subject = _subject_in(m.group(3), subjects.get(measure, set()), min_len=3) or WHOLE
                        add(p, v.group(1), v.group(2), measure, subject, y, f"{y}年{m.group(3)}")
            previous: tuple[str, str] | None = (
                None  # (measure, unit kind) of the figure before, same sentence
            )
            lead = sentence.lstrip("（(")
            if lead.startswith("其中") and out and out[-1].page == p.page:
                previous = (out[-1].measure, unit_info(out[-1].unit).kind)
            for m in re.finditer(rf"(?<![\d.．×*/]){N}\s*{_TEXT_UNITS}", sentence):
                if off + m.start(1) in taken:
                    continue
                value, unit = m.group(1), m.group(2)
                clause = _clause_before(sentence, m.start())
                if sentence[: m.start()].rstrip().endswith(("（", "(")):  # "人数（1030 名）": what is before
                    clause = _clause_before(sentence, sentence[: m.start()].rstrip().rfind("（"))
                if (
                    _NOT_EXACT_BEFORE.search(sentence[: m.start()])
                    or _NOT_EXACT_AFTER.search(sentence[m.end() :])
                    or _NOT_A_STATEMENT.search(clause)
                ):
                    previous = None
                    continue
                measure = _measure_in(clause, extra)
                kind = unit_info(unit).kind
                listed = previous is not None and previous[1] == kind
                if measure is None and listed and previous is not None:
                    inherited = previous[0]
                    label = re.sub(r"^(其中|和|及|以及)", "", clause)
                    if label and _subject_in(label, subjects.get(inherited, set())):
                        measure = inherited
                if measure is None or not _kind_ok(measure, unit, extra):
                    previous = None
                    continue
                known = subjects.get(measure, set())
                subject = (
                    _subject_in(clause, known)
                    or _subject_in(sentence[: m.start()], known, min_len=3)
                    or WHOLE
                )
                add(p, value, unit, measure, subject, _year_in(sentence[: m.start()]) or year, clause)
                previous = (measure, kind)
    return out


def _compare(a: Figure, b: Figure) -> tuple[bool, Decimal, str]:
    """(agree, b's value in a's unit, how): equal, or equal once the more precise figure is rounded
    to the other's decimals (11092.40 and 11092.4; 19.50 and 19.5)."""
    b_value = convert(b.value, b.unit, a.unit)
    if b_value == a.value:
        return True, b_value, "exact"
    pa, pb = _places(a.raw), _places(b.raw)
    if pa != pb:
        coarse, fine, places = (a.value, b_value, pa) if pa < pb else (b_value, a.value, pb)
        if round_half_up(fine, places) == coarse:
            return True, b_value, "rounded_display"
    return False, b_value, ""


def _places(raw: str) -> int:
    m = re.search(r"\.(\d+)", raw)
    return len(m.group(1)) if m else 0


def _item(a: Figure, b: Figure, doc_id: str) -> CheckItem:
    """`b` (the later statement) checked against `a` (the earlier)."""
    agree, b_in_a, how = _compare(a, b)
    a_shown = f"{fmt(a.value)}{a.unit}"
    b_shown = f"{fmt(b.value)}{b.unit}"
    verdict = "一致" if agree else "不一致"
    formula = f"{b.where} {b_shown} ≟ {a.where} {a_shown} → {verdict}"
    words = "同一数字在报告不同位置（表与表、表与正文）的表述应相同；小数位不同时按较少位数舍入后比较"
    result = MetricResult(
        metric="cross_check",
        name_zh="同一数字前后一致性",
        name_en="Same figure stated in two places",
        value=b_in_a,
        unit=a.unit,
        display=a_shown,
        places=_places(a.raw),
        formula=formula,
        formula_symbols="表述₁ ≟ 表述₂",
        formula_words=words,
        inputs=(
            MetricInput("stated", b.where, b.value, b.unit, b.source),
            MetricInput("other", a.where, a.value, a.unit, a.source),
        ),
        details={"agree": agree, "difference": b_in_a - a.value},
    )
    what = (
        MEASURE_ZH.get(a.measure, a.measure.removeprefix("line:"))
        if a.subject == WHOLE
        else f"{a.subject}{MEASURE_ZH[a.measure]}"
    )
    if agree:
        why = f"与{a.where}（第{a.page}页）一致" + (
            "（小数位不同，舍入后相同）" if how == "rounded_display" else ""
        )
    else:
        why = f"同一数字（{what}）两处不一致：第{b.page}页为 {b_shown}，第{a.page}页为 {a_shown}，相差 {fmt(b_in_a - a.value)}{a.unit}"
    return CheckItem(
        claim=f"前后一致：{b.where} ↔ {a.where}（第{a.page}页）",
        page=b.page,
        stated=b.raw,
        recomputed=a.raw + ("" if a.raw.endswith(a.unit) else a.unit),
        formula=formula,
        status="ok" if agree else "mismatch",
        why=why,
        convention=how if agree else "",
        metric="cross_check",
        kind="cross_check",
        table=b.source.get("table", ""),
        source={**b.source, "doc_id": doc_id, "pages": [a.page, b.page], "other": a.source},
        computation=result.to_computation(),
    )


def check_cross(grids: list[Grid], pages: list[Any], doc_id: str) -> list[CheckItem]:
    year = doc_year(pages, grids)
    extra = learned_measures(grids)
    tables = table_figures(grids, year, extra)
    subjects: dict[str, set[str]] = {}
    for f in tables:
        if f.subject != WHOLE:
            subjects.setdefault(f.measure, set()).add(f.subject)
    texts = text_figures(paragraphs(pages), subjects, doc_id, year, extra)
    groups: dict[tuple[str, str, int | None, str], list[Figure]] = {}
    for f in tables + texts:
        groups.setdefault(f.key, []).append(f)
    items: list[CheckItem] = []
    for figures in groups.values():
        per_grid: dict[str, int] = {}
        for f in figures:
            if f.grid:
                per_grid[f.grid] = per_grid.get(f.grid, 0) + 1
        # two cells of one table sharing a key (预算数 and 调整后预算数 …): too coarse to pair that table
        in_tables = [f for f in figures if f.grid and per_grid[f.grid] == 1]
        for i, a in enumerate(in_tables):
            for b in in_tables[i + 1 :]:
                first, second = sorted((a, b), key=lambda f: (f.page or 0, f.order))
                items.append(_item(first, second, doc_id))
        for b in (f for f in figures if not f.grid):
            for a in in_tables:
                items.append(_item(a, b, doc_id))
    return items


__all__ = [
    "MEASURES",
    "SUBJECT_SYNONYMS",
    "Figure",
    "check_cross",
    "doc_year",
    "learned_measures",
    "table_figures",
    "text_figures",
]

"""Who and what a document is about: unit, project, year, kind, evaluator.

Read at ingest from the document's own words — its title (the heading), the labelled fields of
its first pages (单位名称：…, 项目名称：…) and the header of its standard forms — never from the file
name. The words that name kinds, evaluators, unit-name endings and field labels are data
(`portfolio:` in ingest/glossary.yaml). Pure: stdlib and the glossary loader only.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from ingest.glossary import load_glossary

IDENTITY_VERSION = "3"  # 3: table headers and column words are no unit or project names
_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年度|年)")
_PERIOD = re.compile(r"((?:19|20)\d{2})\s*(?:年)?\s*[-－—~～至到]+\s*((?:19|20)\d{2})\s*年")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff（）()·]")
_STOP = re.compile(r"[\s\t:：,，。;；]|日期|时间|联系|电话|评价机构|单位[:：]")


@dataclass
class Identity:
    unit: str = ""  # 单位 / 部门 (a form's 主管部门 when it names no unit)
    project: str = ""  # "" for a 部门整体 document
    year: int | None = None
    period: str = ""  # "2018—2020" when the document covers several years
    kind: str = ""  # project_report | department_report | self_form | score_table | policy | ""
    evaluator: str = ""  # self | third_party | fiscal | ""
    agency: str = ""  # a project form's 主管部门, when it names one

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def label(self) -> str:
        """A short Chinese name for lists and clarifying answers: 单位 · 项目 · 年度."""
        parts = [self.unit, self.project, f"{self.year}年度" if self.year else ""]
        return " · ".join(p for p in parts if p)


def _words(key: str) -> list[str]:
    return list(load_glossary().portfolio.get(key) or [])


def _first_term(text: str, entries: list[dict[str, Any]]) -> str:
    compact = re.sub(r"\s+", "", text)
    for entry in entries:
        if any(t in compact for t in entry["terms"]):
            return str(entry["id"])
    return ""


def _column_words() -> list[str]:
    """Words of table column headers (得分, 分值, 评分标准 …) and the field labels themselves."""
    p = load_glossary().portfolio
    words = [*(p.get("column_words") or []), *_words("unit_labels"), *_words("project_labels")]
    return sorted(set(words), key=len, reverse=True)


def header_like(text: str) -> bool:
    """A table's header row, not a name: two or more distinct column words of the glossary
    (“考核内容 考核指标 评分标准 权数 得分”, “债券性质 发行规模 自评分数”), or a field label."""
    rest = re.sub(r"\s+", "", text or "")
    labels = {*_words("unit_labels"), *_words("project_labels")}
    found = 0
    for word in _column_words():
        if word in rest:
            if word in labels and rest.startswith(word):
                return True
            found += 1
            rest = rest.replace(word, "\0")
            if found >= 2:
                return True
    return False


def _labelled(text: str, labels: list[str]) -> str:
    """The value after the earliest of `labels` printed as a field (“单位名称：X”, “项目名称\tX”);
    not when the label heads a table column (the rest of its line is more column headers)."""
    found: list[tuple[int, int, str]] = []
    for label in labels:
        for m in re.finditer(re.escape(label) + r"\s*[:：]?\s*", text):
            line = text[m.end() : m.end() + 80].split("\n", 1)[0]
            value = _STOP.split(text[m.end() : m.end() + 80], maxsplit=1)[0].strip("（）() ")
            field = ":" in m.group(0) or "：" in m.group(0)  # “单位名称：X” is a field, whatever follows
            if header_like(value) or (not field and header_like(line)):
                continue
            if len(value) >= 2 and _CJK_NAME.match(value) and not any(lb in value for lb in labels):
                found.append((m.start(), -len(label), value))
                break
    return min(found)[2] if found else ""


def _split_unit(text: str) -> tuple[str, str]:
    """("永兴县水利局", rest) from a title part that starts with a unit's name, else ("", text)."""
    suffixes = sorted(_words("unit_suffixes"), key=len, reverse=True)
    # a suffix inside a glossary term is no unit's end (地方政府专项债券: no unit “…地方政府”)
    terms = [(h.start, h.end) for h in load_glossary().find(text)]
    best = -1
    for suffix in suffixes:
        i = text.find(suffix)
        while i >= 0:
            end = i + len(suffix)
            inside = any(a < end < b for a, b in terms)
            if end >= 3 and end <= 40 and not inside and (best < 0 or end < best):
                best = end
                break
            i = text.find(suffix, i + 1)
    if best < 0:
        return "", text
    return text[:best], text[best:]


def _project(rest: str) -> str:
    """What remains of a title after its unit and year, without the document kind's words; "" when
    that is not a name (a table header or a sentence that reached the title line)."""
    cut = re.split(r"绩效|自评|评价|情况说明|编制说明", rest, maxsplit=1)[0]
    cut = cut.strip("（）()“”\"' ").removeprefix("度")
    if cut.startswith("关于") and cut.endswith("的"):  # 关于2021年度某某项目的绩效评价报告
        cut = cut[:-1]
    kind_words = sorted(_words("kind_words"), key=len, reverse=True)
    for word in kind_words:
        if cut.startswith(word) and len(cut) - len(word) < 2:
            return ""
    for word in kind_words:
        if cut.endswith(word) and len(cut) > len(word) + 1:
            cut = cut[: -len(word)]
            break
    cut = cut.removeprefix("关于")
    if header_like(cut):
        return ""
    if len(cut) < 2 or len(cut) > 40 or re.search(r"[0-9０-９。，,；;：:]|[（(][^）)]*分", cut):
        return ""
    return cut


def _from_title(title: str) -> tuple[str, str, int | None]:
    t = re.sub(r"\s+", "", title or "")
    m = _YEAR.search(t)
    year = int(m.group(1)) if m else None
    if m:
        before, after = t[: m.start()], t[m.end() :].removeprefix("度")
    else:
        before, after = "", t
    if before:
        if any(before.endswith(x) for x in _words("unit_suffixes")) and 3 <= len(before) <= 40:
            return before, _project(after), year
        return "", _project(before + after), year
    unit, rest = _split_unit(after)
    return unit, _project(rest), year


def read_identity(title: str, pages: list[str], forms: list[dict[str, Any]] | None = None) -> Identity:
    """A document's identity from its title, the text of its first pages and its form records."""
    glossary_id = load_glossary().portfolio
    head = "\n".join(pages[:2])
    unit, project, year = _from_title(title)
    ident = Identity(unit=unit, project=project, year=year)

    ident.unit = _labelled(head, _words("unit_labels")) or ident.unit
    ident.project = _labelled(head, _words("project_labels")) or ident.project
    if ident.year is None:
        m = _YEAR.search(head[:600])
        ident.year = int(m.group(1)) if m else None
    if p := _PERIOD.search(re.sub(r"\s+", "", title or "")):
        ident.period = f"{p.group(1)}—{p.group(2)}"

    for form in forms or []:
        header = form.get("header") or {}

        def cell(key: str, header: dict[str, Any] = header) -> str:
            return str((header.get(key) or {}).get("text") or "").strip()

        ident.project = cell("project") or ident.project
        ident.agency = cell("agency") or ident.agency
        ident.unit = cell("unit") or cell("implementer") or ident.agency or ident.unit
        ident.year = form.get("year") or ident.year
        ident.kind = (glossary_id.get("form_kinds") or {}).get(str(form.get("kind")), ident.kind)
        break

    if not ident.kind:
        kinds = list(glossary_id.get("kinds") or [])
        ident.kind = _first_term(title, kinds) or _first_term(head[:300], kinds)
    evaluators = list(glossary_id.get("evaluators") or [])
    ident.evaluator = _first_term(title, evaluators) or _first_term(head, evaluators)
    if ident.unit and ident.project.startswith(ident.unit) and len(ident.project) > len(ident.unit) + 1:
        ident.project = ident.project[
            len(ident.unit) :
        ]  # 某局某某项目支出绩效评价报告: the unit leads the title
    if ident.kind == "policy":
        ident.project = ident.evaluator = ""
    if ident.kind == "department_report" and ident.project and ident.project == ident.unit:
        ident.project = ""
    return ident


def label_of(field: str, value: str) -> str:
    """The Chinese label of a `kind` or `evaluator` id (“自评表”, “第三方评价”); the id when unknown."""
    entries = load_glossary().portfolio.get("kinds" if field == "kind" else "evaluators") or []
    return next((str(e["label"]) for e in entries if e["id"] == value), value)

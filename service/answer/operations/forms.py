"""Questions about the loaded self-evaluation forms (自评表, 得分表), answered from the form records
ingest/forms.py stores and the form check (service/metrics/_check_forms.py, through `audit_store`),
every figure cited to its cell or computed by the metrics registry:

- the header: "这个项目的主管部门和实施单位分别是哪家" (`form_fields`, `form_header`);
- "这张表的自评总分是多少" — the printed 总分, checked against Σ 得分;
- "哪些指标没有拿满分，原因是什么" — each score below its 分值 with its 偏差原因 (or that none is given);
- "执行率得分算得对吗" — the budget-execution score against the rule in force (a loaded policy's or
  the usual 分值 × min(执行率, 100%)), the rule named;
- "满意度指标完成了吗" — the named indicators' 实际完成值 against their 年度指标值;
- "这批自评表里哪些有问题？" — the audit's findings over the loaded forms, each cited to its cells.

The question's cue words are data (glossary.yaml `forms.questions`). When no loaded form can answer,
the answer is 未找到 with what was searched, never a figure from elsewhere.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from service.answer.deterministic.render import CitationSet, Draft, zh_count
from service.answer.operations.indicators import named_indicators

_WHICH = re.compile(r"哪|列出|有没有|是否|什么")
_HOW_MUCH = re.compile(r"多少|几分")
_YEARS = re.compile(r"((?:19|20)\d{2})\s*年")
# the form header fields a question can ask for, by glossary concept -> the form record's header key
_HEADER_KEYS = {
    "project_name": "project",
    "competent_department": "agency",
    "implementing_unit": "implementer",
}
_ASKS_NAME = re.compile(r"是什么|叫什么|哪个|哪家|哪一个|是谁|谁|分别是|名称|名字")
_PROJECT_ASKED = re.compile(r"(?:哪个|什么|哪一个)项目|项目(?:叫什么|名字|的名称)")
_LOST = re.compile(r"扣|失分|丢")  # "总分被扣了几分" asks the points lost, not the total
_MAX_LISTED = 12  # findings or indicators listed in one answer; the rest are counted


def form_fields(text: str, glossary: Any) -> list[str]:
    """The header fields a question asks for ("主管部门和实施单位分别是哪家" -> both), in order."""
    if not _ASKS_NAME.search(text):
        return []
    found = [c for c in glossary.concepts_in(text) if c in _HEADER_KEYS]
    if _PROJECT_ASKED.search(text) and "project_name" not in found:
        found.insert(0, "project_name")
    return found


def _forms(owner: Any, document_ids: list[str] | None) -> list[dict[str, Any]] | None:
    store = getattr(owner.toolbox, "store", None)
    if store is None:
        return None
    try:
        forms: list[dict[str, Any]] = store.get_forms(document_ids)
    except Exception:
        return None
    return forms


def _page(cell: dict[str, Any] | None) -> int:
    return int(((cell or {}).get("where") or {}).get("page") or 1)


def form_header(owner: Any, fields: list[str], document_ids: list[str] | None) -> Draft | None:
    """ "这个项目的主管部门和实施单位分别是哪家？": the header cells of the one self-evaluation
    form in scope (a form read by ingest/forms.py), each cited. None when no form, or several
    forms that say different things, are in scope."""
    forms = _forms(owner, document_ids)
    if not forms:
        return None
    titles = {i.fact.doc_id: i.title for i in owner.index.items(document_ids)}
    cites = CitationSet()
    figures = []
    for concept in fields:
        key = _HEADER_KEYS[concept]
        said = {(f["doc_id"], (f.get("header") or {}).get(key, {}).get("text", "")) for f in forms}
        said = {(d, t) for d, t in said if t}
        if len({t for _, t in said}) != 1:
            return None  # no form states it, or forms in scope disagree: not this path's to pick
        form = next(f for f in forms if f["header"].get(key, {}).get("text"))
        cell = form["header"][key]
        label = owner.glossary.concept(concept).label
        n = cites.add(
            form["doc_id"], titles.get(form["doc_id"], form.get("title", "")), _page(cell), cell["text"]
        )
        figures.append({"subject": label, "display": f"“{cell['text']}”", "n": n})
    draft = Draft(
        "answer_lookup",
        {"figures": figures, "missing": [], "check": None},
        meta={"path": "facts", "fact_op": "form"},
    )
    draft.cites = cites
    return draft


# ---- questions on the forms' scores, indicators and findings ----------------------------------------


def form_intent(text: str, glossary: Any) -> str | None:
    """What a question asks of the loaded forms: problems | execution_score | not_full | completed |
    total, or None (not a form question). Cue words: glossary.yaml `forms.questions`."""
    cues = glossary.forms.questions
    t = re.sub(r"\s+", "", text)

    def has(name: str) -> bool:
        return any(w in t for w in cues[name])

    if has("problems") and has("form"):
        return "problems"
    if has("total") and (has("form") or _ONLY_TOTAL.fullmatch(t)) and not _LOST.search(t):
        return "total"  # "执行得分加各项得分，和表上的总分对得上吗", or just "总分是多少？"
    if _ONLY_FULL_MARKS.fullmatch(t):
        return "full_marks"  # "满分是多少": the form's, not an indicator's 分值
    if has("execution_score") and has("check"):
        return "execution_score"
    if has("not_full") and (_WHICH.search(t) or not _HOW_MUCH.search(t)):
        return "not_full"  # "哪些指标扣分了" lists; "效益维度失分多少" is one group's figure
    if has("completed") and "指标" in t:
        return "completed"
    return None


class _Answer:
    """One answer over the forms in scope: citations, listed items, the forms' own names."""

    def __init__(self, owner: Any, forms: list[dict[str, Any]], document_ids: list[str] | None) -> None:
        self.owner, self.forms = owner, forms
        listing = getattr(owner.toolbox.store, "list_documents", None)
        docs = listing(include_failed=False) if listing is not None else []
        self.titles = {d.doc_id: d.title for d in docs} or {f["doc_id"]: f.get("title", "") for f in forms}
        shared = {t for t in self.titles.values() if list(self.titles.values()).count(t) > 1}
        # documents that share a title (every unit's form is a 项目支出绩效自评表) are told by file
        self.files = {d.doc_id: Path(d.path).name for d in docs if d.title in shared}
        self.cites = CitationSet()
        self.computations: list[Any] = []
        self.document_ids = document_ids

    def cite(self, form: dict[str, Any], cell: dict[str, Any] | None) -> int | None:
        if not cell or not (cell.get("text") or "").strip():
            return None
        title = self.titles.get(form["doc_id"], form.get("title", ""))
        return self.cites.add(form["doc_id"], title, _page(cell), cell["text"])

    def name(self, form: dict[str, Any]) -> str:
        """The form as the answer names it: the document, and the project/unit when it has several."""
        header = form.get("header") or {}
        who = next((header[k]["text"] for k in ("project", "unit") if header.get(k, {}).get("text")), "")
        title = self.titles.get(form["doc_id"], form.get("title", ""))
        if len(self.forms) <= 1:
            return ""
        which = "，".join(w for w in (self.files.get(form["doc_id"], ""), who) if w)
        return f"《{title}》" + (f"（{which}）" if which else "")

    def draft(self, intro: str, items: list[dict[str, Any]], *, rule: str = "", op: str) -> Draft:
        for item in items:  # each cell cited once per line, in order
            item["ns"] = list(dict.fromkeys(n for n in item["ns"] if n))
        d = Draft(
            "answer_forms",
            {"intro": intro, "items": items, "rule": rule, "more": ""},
            computations=self.computations,
            meta={"path": "facts", "fact_op": f"form_{op}"},
        )
        d.cites = self.cites
        return d

    def refuse(self, subject: str, reason: str, searched: list[str], op: str) -> Draft:
        titles = sorted({t for d, t in self.titles.items() if any(f["doc_id"] == d for f in self.forms)})
        return Draft(
            "refusal",
            {"subject": subject, "reason": reason, "searched": searched, "titles": titles[:5]},
            found=False,
            meta={"path": "facts", "fact_op": f"form_{op}"},
        )

    def checked(self) -> list[dict[str, Any]]:
        """Each form in scope with its findings and summary, checked by the rules in force."""
        from service.audit import audit_store

        report = audit_store(self.owner.toolbox.store, doc_ids=self.document_ids)
        return [f for f in report.forms if f.get("record") is not None]


def _computation(body: dict[str, Any] | None) -> Any:
    from service.answer.models import Computation

    if not body:
        return None
    return Computation(**{k: v for k, v in body.items() if k in Computation.model_fields})


def _scored(form: dict[str, Any]) -> list[tuple[str, dict[str, Any] | None, dict[str, Any] | None, Any]]:
    """(label, 分值, 得分, 偏差原因) of everything on a form that carries points."""
    out: list[tuple[str, Any, Any, Any]] = []
    funds = form.get("funds") or []
    total = next((r for r in funds if r.get("kind") == "total"), funds[0] if funds else None)
    if total is not None and (total["cells"].get("max") or total["cells"].get("score")):
        out.append(("预算执行", total["cells"].get("max"), total["cells"].get("score"), None))
    for ind in form.get("indicators") or []:
        label = ind.get("level3") or ind.get("level2") or ind.get("level1") or "指标"
        out.append((label, ind.get("max"), ind.get("score"), ind.get("reason")))
    for node in form.get("nodes") or []:
        if node.get("kind") == "leaf":
            out.append(("/".join(node.get("path") or []), node.get("max"), node.get("score"), None))
    return out


def _value(cell: dict[str, Any] | None) -> Decimal | None:
    return None if not cell or cell.get("value") is None else Decimal(cell["value"])


# a question that asks only the form's total score, or only its full marks (no indicator, no other word)
_ONLY_TOTAL = re.compile(
    r"(?:这个项目|该项目|本项目|项目)?的?(?:自评)?(?:总分|总得分|自评得分|自评总分)(?:是多少|为多少|多少分|是几分|有多少|得了多少分)?分?[？?。]?"
)
_ONLY_FULL_MARKS = re.compile(
    r"(?:自评表?|这张表|总分)?的?满分(?:是多少|为多少|多少分|是几分|有多少)分?[？?。]?"
)


def _full_marks(a: _Answer) -> Draft:
    items: list[dict[str, Any]] = []
    for form in a.forms:
        cell = form.get("total_max")
        n = a.cite(form, cell)
        if n is None or not cell or not (cell.get("text") or "").strip():
            continue
        items.append({"text": f"{a.name(form)}总分的分值（满分）为{cell['text']}分", "ns": [n]})
    if not items:
        return a.refuse(
            "自评表的满分", "已入库的自评表的总分行没有填写分值", ["自评表 总分 分值"], "full_marks"
        )
    return a.draft("", items, op="full_marks")


def _total(a: _Answer) -> Draft:
    items: list[dict[str, Any]] = []
    for entry in a.checked():
        form, summary = entry["record"], entry["summary"]
        cell = form.get("total_score")
        n = a.cite(form, cell)
        if n is None:
            items.append({"text": f"{a.name(form)}未填写总分", "ns": []})
            continue
        text = f"{a.name(form)}自评总分为{cell['text']}分"
        ns = [n]
        total = summary.get("total")
        if total:
            a.computations.append(_computation(total))
            agrees = _value(cell) is not None and not any(f["kind"] == "total" for f in entry["findings"])
            verdict = "与填报一致" if agrees else "与填报不一致，请核实"
            text += f"；按各项得分之和复核：{total['formula']}，{verdict}"
        items.append({"text": text, "ns": ns})
    if not items:
        return a.refuse("自评表的总分", "已入库的自评表中没有总分", ["自评表 总分"], "total")
    return a.draft("", items, op="total")


def _not_full(a: _Answer) -> Draft:
    items: list[dict[str, Any]] = []
    judged = 0
    for form in a.forms:
        for label, mx, sc, reason in _scored(form):
            if _value(mx) is None or _value(sc) is None:
                continue
            judged += 1
            if _value(sc) >= _value(mx):  # type: ignore[operator]
                continue
            ns = [n for n in (a.cite(form, sc), a.cite(form, mx)) if n]
            text = f"{a.name(form)}“{label}”得分{sc['text']}（分值{mx['text']}）"  # type: ignore[index]
            if reason is not None and (reason.get("text") or "").strip() not in ("", "/", "—", "-"):
                ns.append(a.cite(form, reason))  # type: ignore[arg-type]
                text += f"，偏差原因：“{reason['text']}”"
            elif reason is not None:  # the form has the column and left it blank
                text += "，表中未填写偏差原因"
            items.append({"text": text, "ns": ns})
    if not judged:
        return a.refuse(
            "可比较的分值和得分", "已入库的自评表中没有同时填写分值和得分的指标，无法判断是否满分",
            ["自评表 分值", "自评表 得分"], "not_full",
        )  # fmt: skip
    if not items:  # cite what was compared: every 得分 and 分值 cell
        for form in a.forms:
            for _label, mx, sc, _reason in _scored(form):
                if _value(mx) is not None and _value(sc) is not None:
                    a.cite(form, sc)
                    a.cite(form, mx)
        return a.draft("表中填写了分值和得分的各项指标均为满分，没有失分项。", [], op="not_full")
    more = len(items) - _MAX_LISTED
    d = a.draft(f"以下{zh_count(len(items))}项没有拿满分：", items[:_MAX_LISTED], op="not_full")
    if more > 0:
        d.variables["more"] = f"另有{zh_count(more)}项未列出，可用 `jixiao audit` 查看全部。"
    return d


def _execution_score(a: _Answer) -> Draft:
    items: list[dict[str, Any]] = []
    rules: list[str] = []
    for entry in a.checked():
        form, summary = entry["record"], entry["summary"]
        funds = form.get("funds") or []
        total = next((r for r in funds if r.get("kind") == "total"), funds[0] if funds else None)
        score = (total or {}).get("cells", {}).get("score")
        computed = summary.get("fund_score")
        finding = next((f for f in entry["findings"] if f["kind"] == "fund_score"), None)
        if total is None or not (score or {}).get("text") or not (computed or finding):
            continue  # neither a recomputation nor a finding: nothing to say about this form
        rule = summary.get("rules", {}).get("fund_score", "")
        ns = [
            a.cite(form, c)
            for c in (score, *(total["cells"].get(k) for k in ("max", "rate", "spent", "budget")))
        ]
        text = f"{a.name(form)}预算执行得分填报{score['text']}分"
        if computed:
            a.computations.append(_computation(computed))
            text += f"；复算：{computed['formula']}"
        if summary.get("rate"):
            a.computations.append(_computation(summary["rate"]))
            text += f"（执行率{summary['rate']['formula']}）"
        text += f"；{finding['message']}，请核实" if finding is not None else "，与填报一致"
        rules.append(rule)
        items.append({"text": text, "ns": ns})
    if not items:
        return a.refuse(
            "可复核的预算执行得分", "已入库的自评表中没有同时填写分值、得分和全年预算数、全年执行数的资金行",
            ["自评表 年度资金总额 分值", "得分", "全年预算数", "全年执行数"], "execution_score",
        )  # fmt: skip
    rule = "；".join(dict.fromkeys(r for r in rules if r))
    return a.draft("", items, rule=rule, op="execution_score")


_COMPLETED_NOISE = re.compile(r"[？?。！!，,、\s]|这张表|该表|本表|表里|表中|这个|的|了|吗|呢|都|是否|有没有")


def _completed(a: _Answer, text: str) -> Draft:
    from service.metrics._check_forms import missed

    t = text
    for w in sorted(a.owner.glossary.forms.questions["completed"], key=len, reverse=True):
        t = t.replace(w, "")
    asked = _COMPLETED_NOISE.sub("", t).replace("指标", "")
    items: list[dict[str, Any]] = []
    names: list[str] = []
    named = {id(i) for _f, i in named_indicators(text, a.forms)}
    for form in a.forms:
        for ind in form.get("indicators") or []:
            path = "".join(ind.get(k) or "" for k in ("level1", "level2", "level3"))
            label = ind.get("level3") or ind.get("level2") or "指标"
            names.append(label)
            if asked and asked not in path and id(ind) not in named:
                continue
            target, actual = ind.get("target"), ind.get("actual")
            nt, na = a.cite(form, target), a.cite(form, actual)
            if nt is None:
                continue
            line = f"{a.name(form)}“{label}”年度指标值{target['text']}"  # type: ignore[index]
            if na is None:
                items.append({"text": line + "，实际完成值未填写，无法判断", "ns": [nt]})
                continue
            line += f"，实际完成值{actual['text']}"  # type: ignore[index]
            verdict = missed(ind)
            line += {
                False: "，已达到年度指标值",
                True: "，未达到年度指标值",
                None: "（定性指标或单位不同，不作数值比较）",
            }[verdict]
            items.append({"text": line, "ns": [nt, na]})
    if not items:
        subject = f"“{asked}”指标" if asked else "指标"
        searched = (
            [f"自评表 三级指标（{'、'.join(dict.fromkeys(names))[:80]}）"] if names else ["自评表 绩效指标"]
        )
        return a.refuse(subject, "已入库的自评表中没有这个指标的年度指标值", searched, "completed")
    more = len(items) - _MAX_LISTED
    d = a.draft("", items[:_MAX_LISTED], op="completed")
    if more > 0:
        d.variables["more"] = f"另有{zh_count(more)}项未列出。"
    return d


def _problems(a: _Answer) -> Draft:
    checked = a.checked()
    bad = [e for e in checked if e["findings"]]
    templates = [e for e in checked if e["summary"].get("template")]
    items: list[dict[str, Any]] = []
    rules: list[str] = []  # the rules the listed findings applied (a policy's, or the usual)
    listed = 0
    for entry in bad:
        form = entry["record"]
        for f in entry["findings"]:
            if listed >= _MAX_LISTED:
                break
            ns = [n for n in (a.cite(form, c) for c in f["cells"]) if n]
            if f.get("computation"):
                a.computations.append(_computation(f["computation"]))
            items.append({"text": f"{a.name(form) or '本表'}{f['kind_zh']}：{f['message']}", "ns": ns})
            rules.append(f.get("rule", ""))
            listed += 1
    found = sum(len(e["findings"]) for e in bad)
    intro = f"共审核{zh_count(len(checked))}张表，{zh_count(len(bad))}张发现问题，共{zh_count(found)}处"
    intro += f"（另有{zh_count(len(templates))}张为未填写的空白模板，未作检查）。" if templates else "。"
    if not bad:
        intro += "未发现执行率、得分、总分、权重、偏差原因、空项或等级方面的问题。"
    d = a.draft(intro, items, op="problems")
    hidden = found - listed
    if hidden > 0:
        d.variables["more"] = f"另有{zh_count(hidden)}处未列出，可用 `jixiao audit --ingested` 查看全部。"
    d.variables["rule"] = "；".join(dict.fromkeys(r for r in rules if r))
    return d


_IND_COLUMNS = (("ask_target", "target", "年度指标值"), ("ask_actual", "actual", "实际完成值"),
                ("ask_max", "max", "分值"), ("ask_score", "score", "得分"))  # fmt: skip
_FUND_COLUMNS = (("ask_initial", "initial", "年初预算数"), ("ask_budget", "budget", "全年预算数"),
                 ("ask_spent", "spent", "全年执行数"), ("ask_max", "max", "分值"), ("ask_score", "score", "得分"))  # fmt: skip
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
_ASKS_VALUE = re.compile(r"多少|几|是什么|哪|各是|分别")
_COMPUTES = re.compile(
    r"比.{0,12}(?:多|少|高|低|超)|相差|差多少|加起来|合计|之和|总和|完成率|达成率|得分率|执行率|占比|比例|比重"
    r"|加上|减去|一共|总共|应该是|应为|应得"  # "甲得分加上乙得分，总分应该是多少": a sum, not one cell
)


def _plain(label: str) -> str:
    return _PAREN.sub("", re.sub(r"\s+", "", label or ""))


def _asked(
    t: str, cues: dict[str, tuple[str, ...]], columns: tuple[tuple[str, str, str], ...]
) -> list[tuple[str, str]]:
    """The columns a question names, in the order it names them (longest words first: 年初预算数
    is not 预算数); each cue's words are cleared once matched."""
    found: list[tuple[int, str, str]] = []
    for cue, col, zh in sorted(columns, key=lambda c: -max(len(w) for w in cues[c[0]])):
        for w in sorted(cues[cue], key=len, reverse=True):
            at = t.find(w)
            if at >= 0:
                found.append((at, col, zh))
                t = t.replace(w, "\0" * len(w))
                break
    return [(col, zh) for _, col, zh in sorted(found)]


def _unit(cell: dict[str, Any], unit: str) -> str:
    text = cell["text"]
    return text + unit if unit and re.fullmatch(r"[\d.,%]+", text) and not text.endswith("%") else text


def _cell(a: _Answer, text: str) -> Draft | None:
    """One form's cells a question names: an indicator's (by its 三级指标 name, units in brackets
    dropped) 年度指标值 / 实际完成值 / 分值 / 得分, or the funds block's (年度资金总额, or the 其中 row
    named) 年初预算数 / 全年预算数 / 全年执行数 / 分值 / 得分 — each cited. None when the question
    names no such cell (or asks for a computation: the metrics path answers that)."""
    g = a.owner.glossary
    t = re.sub(r"\s+", "", text)
    # "实际达到了多少" reads a cell: 达到 compares only in a yes/no question (the completed intent's)
    if not _ASKS_VALUE.search(t) or _COMPUTES.search(t) or set(g.operations_in(t)) - {"list", "compare"}:
        return None  # a computation on the cells ("比年初目标多完成了多少"): the metrics path's
    from service.answer.operations.question import derived_amounts

    if derived_amounts(list(g.concepts_in(t)), g):
        return None  # "还有多少没有执行": 全年预算数 − 全年执行数, computed by the metrics path
    if "previous_year" in g.qualifiers_in(t, outside_terms=True):
        return None  # a form states this year's values; "上一年" is not one of its cells
    cues = g.forms.questions
    figures: list[dict[str, Any]] = []
    missing: list[str] = []
    quoted: list[dict[str, Any]] = []
    for form in a.forms:
        named = named_indicators(t, [form])  # by its name as printed, without brackets, or nearly
        if len(named) == 1:
            ind = named[0][1]
            label = re.sub(r"\s+", "", ind.get("level3") or "")  # its unit stays in its name: 在岸(万美元)
            columns = _asked(t, cues, _IND_COLUMNS) or [("target", "年度指标值"), ("actual", "实际完成值")]
            for col, zh in columns:
                cell = ind.get(col)
                subject = f"{a.name(form)}“{label}”{zh}"
                if not cell or not (cell.get("text") or "").strip():
                    missing.append(subject)
                    continue
                shown = _unit(cell, "分" if col in ("max", "score") else "")
                figures.append({"subject": subject, "display": shown, "n": a.cite(form, cell)})
                quoted.append(_quoted(form, cell, label))
            continue
        if not any(w in t for w in cues["ask_funds"]):
            continue
        columns = _asked(t, cues, _FUND_COLUMNS)
        funds = form.get("funds") or []
        if not columns or not funds:
            continue
        row = next(
            (r for r in funds if r.get("kind") not in ("", "total") and any(
                w in t for kind, words in g.forms.fund_rows if kind == r["kind"] for w in words)),
            next((r for r in funds if r.get("kind") == "total"), None),
        )  # fmt: skip
        if row is None:
            continue
        for col, zh in columns:
            cell = row["cells"].get(col)
            subject = f"{a.name(form)}{re.sub(r'^其中[:：]?', '', _plain(row['label'])).rstrip(':：')}{zh}"
            if not cell or not (cell.get("text") or "").strip():
                missing.append(subject)
                continue
            shown = _unit(cell, "分" if col in ("max", "score") else form.get("money_unit") or "")
            figures.append({"subject": subject, "display": shown, "n": a.cite(form, cell)})
            quoted.append(_quoted(form, cell, _plain(row["label"])))
    if not figures:
        return None  # nothing this path can quote: the other paths look in the text
    d = Draft(
        "answer_lookup",
        {"figures": figures, "missing": missing, "check": None},
        # the cells quoted, so a follow-up ("年度指标值定的是多少？") keeps to their row
        meta={"path": "facts", "fact_op": "form_cell", "figures": quoted},
    )
    d.cites = a.cites
    return d


def _quoted(form: dict[str, Any], cell: dict[str, Any], row: str) -> dict[str, Any]:
    """A quoted form cell as the last answer's figure: its value, page and the row it is on."""
    value = cell.get("value") if cell.get("value") is not None else cell.get("text")
    return {"value": str(value), "unit": cell.get("unit") or "", "page": _page(cell),
            "doc_id": form["doc_id"], "quote": row}  # fmt: skip


def form_answer(owner: Any, text: str, document_ids: list[str] | None) -> Draft | None:
    """The answer to a question about the loaded forms' scores, indicators or findings; None when
    the question is not one (the other paths answer it). No form in scope for a question only forms
    answer ("这批自评表里哪些有问题") is 未找到, with what was searched."""
    intent = form_intent(text, owner.glossary)
    forms = _forms(owner, document_ids)
    if forms is None or (intent is None and not forms):
        return None
    years = {int(y) for y in _YEARS.findall(text)}
    if years and forms:  # "2020年度的全年执行数" of a 2023 form is no answer
        of_year = [f for f in forms if f.get("year") is None or int(f["year"]) in years]
        if not of_year:
            a = _Answer(owner, forms, document_ids)
            if (_cell(a, text) if intent is None else True) is None:
                return None  # not a question about a form's cells
            form_docs = {f["doc_id"] for f in forms}
            if any(i.fact.doc_id not in form_docs for i in owner.index.items(document_ids)):
                return None  # other documents in scope may hold that year: their paths answer
            held = "、".join(sorted({f"{f['year']}年度" for f in forms}))
            asked = "、".join(f"{y}年" for y in sorted(years))
            return a.refuse(
                f"{asked}的自评表数据",
                f"已入库的自评表是{held}的，没有{asked}的",
                [f"{asked}的自评表"],
                "year",
            )
        forms = of_year
    a = _Answer(owner, forms, document_ids)
    if forms:
        from service.answer.operations.indicators import funds_computation, groups_sum, points_lost

        # "实际花的钱比全年预算多出多少", "数量、质量、时效三类指标合计得了多少分", "总分被扣了几分"
        for op in (funds_computation, groups_sum, points_lost):
            done = op(a, text)
            if done is not None:
                return done
    if intent in (None, "completed"):
        from service.answer.operations.indicators import indicator_computation

        computed = indicator_computation(a, text)  # "信访案件按目标算完成率多少": one indicator's cells
        if computed is not None:
            return computed
    if intent is None:
        return _cell(a, text)
    if not forms:
        if intent in ("problems", "execution_score"):
            return a.refuse(
                "已入库的绩效自评表或得分表", "请先入库自评表（PDF、XLSX、DOCX），或用 `jixiao audit` 直接审核文件",
                ["已入库文档中的自评表、得分表"], intent,
            )  # fmt: skip
        return None  # a report's own 总分 or indicators: the other paths answer from its text
    if intent == "total":
        return _total(a)
    if intent == "full_marks":
        return _full_marks(a)
    if intent == "not_full":
        return _not_full(a)
    if intent == "execution_score":
        return _execution_score(a)
    if intent == "completed":
        return _completed(a, text)
    return _problems(a)

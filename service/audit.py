"""Auditing a batch of self-evaluation forms: files and folders (PDF, xlsx, docx) -> one row per form
(unit, project, year, 全年预算数, 全年执行数, 执行率, self-assessed and recomputed 总分, grade,
number of findings) plus each form's findings. A file that cannot be read, or holds no form, is a
row with its error; it never ends the batch. Shared by `jixiao audit`, `POST /api/v1/audit` and MCP."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

AUDIT_SUFFIXES = (".pdf", ".xlsx", ".docx")
ROW_COLUMNS = (
    ("file", "文件"), ("sheet", "表/页"), ("kind", "类型"), ("unit", "单位"), ("project", "项目"),
    ("year", "年度"), ("budget", "全年预算数"), ("spent", "全年执行数"), ("money_unit", "金额单位"),
    ("rate", "执行率"), ("stated_total", "自评总分"), ("recomputed_total", "复算总分"), ("grade", "等级"),
    ("findings", "问题数"), ("error", "错误"),
)  # fmt: skip
KIND_ZH = {
    "project_form": "项目支出绩效自评表",
    "department_form": "部门整体支出绩效自评表",
    "score_table": "得分表",
}


@dataclass
class AuditReport:
    rows: list[dict[str, Any]] = field(default_factory=list)
    forms: list[dict[str, Any]] = field(default_factory=list)  # per form: row, findings, summary, record

    def by_kind(self) -> dict[str, dict[str, Any]]:
        """Findings counted by kind: {kind: {kind_zh, findings, forms}}, most frequent first."""
        return _kind_counts(self.forms)

    def to_dict(self) -> dict[str, Any]:
        return {
            "columns": [{"key": k, "label": zh} for k, zh in ROW_COLUMNS],
            "rows": self.rows,
            "forms": [
                {"row": f["row"], "findings": f["findings"], "summary": f["summary"]} for f in self.forms
            ],
            "totals": {
                "files": len({r["file"] for r in self.rows}),
                "forms": sum(1 for r in self.rows if not r["error"]),
                "errors": sum(1 for r in self.rows if r["error"]),
                "findings": sum(r["findings"] or 0 for r in self.rows),
            },
            "by_kind": self.by_kind(),
        }


def _kind_counts(forms: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    counts: dict[str, dict[str, Any]] = {}
    for form in forms:
        for f in form["findings"]:
            entry = counts.setdefault(f["kind"], {"kind_zh": f["kind_zh"], "findings": 0, "forms": 0})
            entry["findings"] += 1
        for kind in {f["kind"] for f in form["findings"]}:
            counts[kind]["forms"] += 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]["findings"]))


def collect_files(paths: Iterable[Path | str]) -> tuple[list[Path], list[dict[str, Any]]]:
    """Files to audit (folders searched recursively for .pdf/.xlsx/.docx) and an error row for each
    argument that yields nothing."""
    files: list[Path] = []
    problems: list[dict[str, Any]] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw).expanduser()
        if p.is_dir():
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in AUDIT_SUFFIXES and not f.name.startswith("~$")
            )  # fmt: skip
            if not found:
                problems.append(
                    error_row(p, f"目录中没有 PDF/XLSX/DOCX 文件：{p} / no PDF, XLSX or DOCX files in {p}")
                )
        elif p.is_file():
            found = [p]
        else:
            problems.append(error_row(p, f"文件或目录不存在：{p} / no such file or folder: {p}"))
            found = []
        for f in found:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                files.append(f)
    return files, problems


def error_row(path: Path, message: str) -> dict[str, Any]:
    row: dict[str, Any] = {k: "" for k, _ in ROW_COLUMNS}
    row.update(file=str(path), findings=None, error=message)
    return row


def _value(cell: dict[str, Any] | None) -> str:
    return "" if not cell or cell.get("value") is None else str(cell["value"])


def form_row(path: Path, rec: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    header = rec.get("header") or {}
    funds = rec.get("funds") or []
    total = next((r for r in funds if r.get("kind") == "total"), funds[0] if funds else None)
    cells = total["cells"] if total else {}
    s = result["summary"]
    unit = next(
        (header[k]["text"] for k in ("implementer", "unit", "agency") if header.get(k, {}).get("text")), ""
    )
    project = header.get("project", {}).get("text", "") or (rec.get("title") or "")
    return {
        "file": str(path),
        "sheet": rec.get("sheet", ""),
        "kind": KIND_ZH.get(rec.get("kind", ""), rec.get("kind", "")),
        "unit": unit,
        "project": project,
        "year": rec.get("year") or "",
        "budget": _value(cells.get("budget")),
        "spent": _value(cells.get("spent")),
        "money_unit": rec.get("money_unit", ""),
        "rate": s["rate"]["display"] if s.get("rate") else (cells.get("rate") or {}).get("text", ""),
        "stated_total": _value(rec.get("total_score")),
        "recomputed_total": s["total"]["display"] if s.get("total") else "",
        "grade": s["grade"]["value"] if s.get("grade") else "",
        "findings": len(result["findings"]),
        "error": next((n for n in rec.get("notes") or [] if rec.get("template")), ""),
    }


def audit_file(path: Path, *, grade_bands: Any = None, execution_rule: Any = None) -> list[dict[str, Any]]:
    """The forms of one file, each {"row", "findings", "summary", "record"}; one error entry when
    the file cannot be read or holds no form."""
    from ingest.errors import JixiaoError
    from ingest.forms import read_forms
    from service.metrics._check_forms import check_form

    try:
        records = read_forms(path)
    except JixiaoError as err:
        return [{"row": error_row(path, err.message), "findings": [], "summary": {}, "record": None}]
    except Exception as err:  # a damaged file must not end the batch
        message = f"无法读取：{type(err).__name__}: {err} / cannot read the file"
        return [{"row": error_row(path, message), "findings": [], "summary": {}, "record": None}]
    if not records and path.suffix.lower() == ".pdf":
        from ingest.pdf import read_pdf

        try:
            read_pdf(path)  # a scan: say it needs OCR rather than "no form"
        except JixiaoError as err:
            return [{"row": error_row(path, err.message), "findings": [], "summary": {}, "record": None}]
    if not records:
        message = (
            "未识别到绩效自评表或得分表（需要含“年度资金总额/全年预算数”或“一级指标/三级指标”表头的表格）"
            " / no self-evaluation form or score table found"
        )
        return [{"row": error_row(path, message), "findings": [], "summary": {}, "record": None}]
    out = []
    for rec in records:
        data = rec.to_dict()
        result = check_form(data, grade_bands=grade_bands, execution_rule=execution_rule)
        out.append({"row": form_row(path, data, result), "findings": result["findings"],
                    "summary": result["summary"], "record": data})  # fmt: skip
    return out


def audit_paths(
    paths: Iterable[Path | str],
    *,
    grade_bands: Any = None,
    execution_rule: Any = None,
    on_file: Callable[[Path, int, int], None] | None = None,
) -> AuditReport:
    """Audit files and folders; `on_file(path, done, total)` after each file (progress)."""
    files, problems = collect_files(paths)
    report = AuditReport()
    for row in problems:
        report.rows.append(row)
        report.forms.append({"row": row, "findings": [], "summary": {}, "record": None})
    for i, path in enumerate(files, start=1):
        for entry in audit_file(path, grade_bands=grade_bands, execution_rule=execution_rule):
            report.rows.append(entry["row"])
            report.forms.append(entry)
        if on_file is not None:
            on_file(path, i, len(files))
    return report


def audit_uploads(files: list[tuple[str, bytes]], *, grade_bands: Any = None) -> AuditReport:
    """Audit files given as (name, bytes) — an upload or an MCP call — in a private temporary folder;
    rows name the caller's files, never the folder."""
    import re
    import tempfile

    with tempfile.TemporaryDirectory(prefix="jixiao-audit-") as tmp:
        folder = Path(tmp)
        names: list[str] = []
        for i, (raw_name, data) in enumerate(files):
            name = (
                re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", Path(raw_name or f"file{i}").name)[-120:] or f"file{i}"
            )
            if name in names:
                name = f"{i}-{name}"
            (folder / name).write_bytes(data)
            names.append(name)
        report = audit_paths([folder / n for n in names], grade_bands=grade_bands)
    for row in report.rows:
        row["file"] = Path(row["file"]).name
    return report


@dataclass
class PolicyRules:
    """The rules a policy document states for the forms: grade bands (a GradeRule) and the
    budget-execution score (an ExecutionRule); None where it states none (the usual rule then)."""

    grade_bands: Any = None
    execution_rule: Any = None


def policy_rules(store: Any, doc_id: str, title: str = "") -> PolicyRules:
    """What one ingested policy document states (nothing raised: a rule it does not state is None)."""
    from service.metrics._check_policy import execution_rule_from_policy
    from service.metrics.check import grade_rule_from_policy
    from service.metrics.errors import MetricError

    pages = store.get_pages(doc_id)
    try:
        bands = grade_rule_from_policy(pages, title=title, doc_id=doc_id)
    except MetricError:
        bands = None
    return PolicyRules(bands, execution_rule_from_policy(pages, title=title, doc_id=doc_id))


def loaded_policy_rules(store: Any) -> PolicyRules:
    """The rules of the loaded policy documents: for each of grade bands and execution score, the
    first policy (in ingest order) that states one; the usual rules when none does."""
    found = PolicyRules()
    for d in store.list_documents(include_failed=False):
        if getattr(d, "kind", "") != "policy":
            continue
        rules = policy_rules(store, d.doc_id, d.title)
        found.grade_bands = found.grade_bands or rules.grade_bands
        found.execution_rule = found.execution_rule or rules.execution_rule
        if found.grade_bands is not None and found.execution_rule is not None:
            break
    return found


def audit_store(
    store: Any, *, doc_ids: list[str] | None = None, grade_bands: Any = None, execution_rule: Any = None
) -> AuditReport:
    """The forms already ingested (`Store.get_forms`), one row each, checked like files are. Without
    explicit rules, those of the loaded policy documents (`loaded_policy_rules`), else the usual."""
    from service.metrics._check_forms import check_form

    if grade_bands is None and execution_rule is None:
        loaded = loaded_policy_rules(store)
        grade_bands, execution_rule = loaded.grade_bands, loaded.execution_rule
    report = AuditReport()
    paths = {d.doc_id: d.path for d in store.list_documents(include_failed=False)}
    for form in store.get_forms(doc_ids):
        result = check_form(form, grade_bands=grade_bands, execution_rule=execution_rule)
        row = form_row(Path(paths.get(form["doc_id"], form.get("source", ""))), form, result)
        report.rows.append(row)
        report.forms.append(
            {"row": row, "findings": result["findings"], "summary": result["summary"], "record": form}
        )
    return report

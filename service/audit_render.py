"""An audit report (`service.audit.AuditReport`) as CSV, xlsx, JSON or a self-contained HTML page."""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any

from service.audit import ROW_COLUMNS, AuditReport

FINDING_COLUMNS = (
    ("file", "文件"), ("sheet", "表/页"), ("project", "项目"), ("kind_zh", "问题类型"), ("severity", "级别"),
    ("message", "说明"), ("stated", "填报值"), ("expected", "复算/应为"), ("cells", "引用单元格"),
)  # fmt: skip


def where_text(where: dict[str, Any]) -> str:
    """A cell's address for people: "表1!C7", "第3页 第5行第4列", "表2 第5行第4列"."""
    if not where:
        return ""
    if where.get("cell"):
        return f"{where.get('sheet', '')}!{where['cell']}"
    page = f"第{where['page']}页 " if where.get("page") else ""
    if page and str(where.get("sheet", "")).startswith(page.strip()):
        page = ""  # "第3页表1" already names the page
    return f"{page}{where.get('sheet', '')} 第{where.get('row')}行第{where.get('col')}列".strip()


def cells_text(cells: list[dict[str, Any]]) -> str:
    return "；".join(
        f"{c['label']}={c.get('text') or '（空）'}@{where_text(c.get('where') or {})}" for c in cells
    )


def finding_rows(report: AuditReport) -> list[dict[str, Any]]:
    out = []
    for form in report.forms:
        for f in form["findings"]:
            out.append({
                "file": form["row"]["file"], "sheet": form["row"]["sheet"], "project": form["row"]["project"],
                "kind_zh": f["kind_zh"], "severity": f["severity"], "message": f["message"],
                "stated": f["stated"], "expected": f["expected"], "cells": cells_text(f["cells"]),
            })  # fmt: skip
    return out


def to_csv(report: AuditReport) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([zh for _, zh in ROW_COLUMNS])
    for row in report.rows:
        writer.writerow(["" if row[k] is None else row[k] for k, _ in ROW_COLUMNS])
    return "\ufeff" + buf.getvalue()  # BOM: Excel opens UTF-8 CSV correctly


def to_json(report: AuditReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def to_xlsx(report: AuditReport, path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "汇总"
    ws.append([zh for _, zh in ROW_COLUMNS])
    for row in report.rows:
        ws.append(["" if row[k] is None else row[k] for k, _ in ROW_COLUMNS])
    ws2 = wb.create_sheet("问题")
    ws2.append([zh for _, zh in FINDING_COLUMNS])
    for f in finding_rows(report):
        ws2.append([f[k] for k, _ in FINDING_COLUMNS])
    wb.save(path)
    return path


_CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #999;padding:4px 6px}
th{background:#eee}.err{color:#b00}.warn{color:#a60}.ok{color:#070}h2{margin-top:2em;font-size:16px}
.cells{color:#555;font-size:12px}
"""


def to_html(report: AuditReport) -> str:
    e = html.escape
    data = report.to_dict()
    t = data["totals"]
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>绩效自评表审核报告</title>",
        f"<style>{_CSS}</style></head><body><h1>绩效自评表审核报告 / Self-evaluation form audit</h1>",
        f"<p>文件 {t['files']} 个，自评表 {t['forms']} 份，无法读取 {t['errors']} 个，问题 {t['findings']} 项。</p>",
    ]
    if data["by_kind"]:
        parts.append("<p>问题分布 / findings by kind：" + "；".join(
            f"{e(v['kind_zh'])} {v['findings']} 项（{v['forms']} 份表）" for v in data["by_kind"].values()
        ) + "</p>")  # fmt: skip
    parts.append("<table><tr>" + "".join(f"<th>{e(zh)}</th>" for _, zh in ROW_COLUMNS) + "</tr>")
    for row in report.rows:
        cls = " class='err'" if row["error"] else ""
        parts.append(
            f"<tr{cls}>"
            + "".join(f"<td>{e(str('' if row[k] is None else row[k]))}</td>" for k, _ in ROW_COLUMNS)
            + "</tr>"
        )
    parts.append("</table>")
    for n, form in enumerate(report.forms, start=1):
        row = form["row"]
        if row["error"]:
            continue
        title = (
            f"{n}. {row['project'] or row['unit']}（{row['year']}）— {Path(row['file']).name} {row['sheet']}"
        )
        parts.append(f"<h2>{e(title)}</h2>")
        if not form["findings"]:
            parts.append("<p class='ok'>未发现问题 / no findings</p>")
            continue
        parts.append(
            "<table><tr><th>问题类型</th><th>说明</th><th>填报值</th><th>复算/应为</th><th>引用单元格</th></tr>"
        )
        for f in form["findings"]:
            cls = "err" if f["severity"] == "error" else "warn"
            parts.append(
                f"<tr><td class='{cls}'>{e(f['kind_zh'])}</td><td>{e(f['message'])}<br><span class='cells'>"
                f"{e(f['message_en'])}</span>"
                + (f"<br><span class='cells'>规则：{e(f['rule'])}</span>" if f.get("rule") else "")
                + f"</td><td>{e(f['stated'])}</td><td>{e(f['expected'])}</td>"
                f"<td class='cells'>{e(cells_text(f['cells']))}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)

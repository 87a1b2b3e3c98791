"""`jixiao check DOC [--json] [--policy POLICY_DOC]`: re-verify an ingested report's own figures.

Every derived figure the report states (合计 rows and columns, rates next to their inputs, growths,
multi-year baselines, scores, the grade, budget arithmetic) is recomputed by `service.metrics` and
compared, and every figure stated in two places (table and table, table and text) is cross-checked.
The grade is judged by the default bands, or by those a policy document states (`--policy`).
Exit code 0 when nothing is a mismatch, 1 when some figure is, 2 on a usage error (unknown document,
bad configuration, a policy document without grade bands).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from ingest.errors import JixiaoError
from service.commands._options import DataDirOpt, err_console, error_exit, load_settings
from service.metrics.errors import MetricError

STATUS_STYLE = {"ok": "green", "mismatch": "bold red", "cannot_verify": "yellow"}


def run_check(doc: str, data_dir: Path | None = None, policy: str | None = None) -> dict:
    """Open the store, check one report, return the JSON-able result (raises JixiaoError, or
    MetricError when `policy` states no grade bands). `policy`: an ingested policy document whose
    grade bands replace the default ones."""
    from ingest.store import Store
    from service.report_check import check_document

    store = Store.open(load_settings(data_dir))
    try:
        return check_document(store, doc, policy=policy)
    finally:
        store.close()


def _render_forms(forms: list[dict], console: Console) -> None:
    """Each form's recomputed figures and findings (every finding cites its cells)."""
    from service.audit_render import cells_text

    for form in forms:
        s = form["summary"]
        figures = "；".join(
            f"{label} {s[k]['display']}" for k, label in (("rate", "执行率"), ("fund_score", "预算执行得分"),
                                                         ("total", "复算总分"), ("grade", "等级")) if s.get(k)
        )  # fmt: skip
        if s.get("rate_initial_budget"):
            figures += f"；以年初预算数为分母的执行率 {s['rate_initial_budget']['display']}（对比口径）"
        title = form.get("title") or form.get("kind") or ""
        console.print(
            f"\n[bold]{title}（{form.get('year') or ''}）{form.get('sheet') or ''}[/bold]：{figures}",
            soft_wrap=True,
        )
        if not form["findings"]:
            console.print("  [green]未发现问题 / no findings[/green]")
        for f in form["findings"]:
            color = "red" if f["severity"] == "error" else "yellow"
            console.print(f"  [{color}]{f['kind_zh']}[/{color}]：{f['message']}", soft_wrap=True)
            console.print(f"    [dim]{f['message_en']}｜{cells_text(f['cells'])}[/dim]", soft_wrap=True)


def check_file(path: Path) -> dict:
    """Check the forms of a file (PDF, xlsx, docx) without ingesting it."""
    from service.audit import audit_file

    entries = audit_file(path)
    if entries[0]["record"] is None:
        raise BadFile(entries[0]["row"]["error"])
    forms = [{"kind": e["record"]["kind"], "title": e["record"]["title"], "year": e["record"]["year"],
              "sheet": e["record"]["sheet"], "findings": e["findings"], "summary": e["summary"]} for e in entries]  # fmt: skip
    return {"file": str(path), "forms": forms}


class BadFile(Exception):
    pass


def _render(result: dict, console: Console, problems_only: bool) -> None:
    from service.metrics.check import STATUS_ZH

    table = RichTable(
        title=f"报告数字复核 / report check：{escape(result['title'])}（{escape(result['doc_id'])}）",
        show_lines=True,
        expand=True,
    )
    for col, ratio in (
        ("项目 claim", 3),
        ("页 page", 1),
        ("报告值 stated", 2),
        ("复算值 recomputed", 2),
        ("公式 formula", 5),
        ("结论 status", 2),
        ("口径／说明 convention / why", 5),
    ):
        table.add_column(
            col, ratio=ratio, overflow="fold", justify="right" if col.startswith("页") else "left"
        )
    for item in result["items"]:
        if problems_only and item["status"] == "ok":
            continue
        style = STATUS_STYLE.get(item["status"], "white")
        # every text of a check comes from the document: printed as text, never as rich markup
        table.add_row(
            escape(str(item["claim"])),
            str(item["page"] or ""),
            escape(str(item["stated"])),
            escape(str(item["recomputed"])),
            escape(str(item["formula"])),
            f"[{style}]{STATUS_ZH[item['status']]} {item['status']}[/{style}]",
            escape(str(item["why"])),
        )
    console.print(table)
    rule = result["grade_rule"]
    console.print(
        f"评级规则 / grade rule：{escape(str(rule['describe']))}（依据：{escape(str(rule['source']))}）",
        soft_wrap=True,
    )
    s = result["summary"]
    console.print(
        f"共 {s['total']} 项：[green]一致 {s['ok']}[/green]，[bold red]不一致 {s['mismatch']}[/bold red]，"
        f"[yellow]无法复核 {s['cannot_verify']}[/yellow]。不一致的数字只报告、不改写。"
    )


def register(app: typer.Typer) -> None:
    @app.command("check")
    def check(
        doc: Annotated[
            str,
            typer.Argument(
                help="文档 ID（或前缀）、文件名或标题；或自评表文件路径（PDF/XLSX/DOCX）/ doc id, title, or a form file"
            ),
        ],
        json_out: Annotated[bool, typer.Option("--json", help="输出 JSON（供脚本使用）/ print JSON")] = False,
        problems: Annotated[
            bool,
            typer.Option("--problems", help="只列出不一致和无法复核的项 / only mismatches and unverifiable"),
        ] = False,
        policy: Annotated[
            str | None,
            typer.Option(
                "--policy",
                help="按此政策文件（已导入）写明的评级档次复核等级 / grade bands from this ingested policy document",
            ),
        ] = None,
        data_dir: DataDirOpt = None,
    ) -> None:
        """复核报告自身的数字：合计、比率、增长率、多年均值、得分与等级 / re-verify a report's own figures."""
        as_file = Path(doc)
        if as_file.suffix.lower() in (".pdf", ".xlsx", ".docx") and as_file.is_file():
            try:
                checked = check_file(as_file)
            except BadFile as err:
                err_console.print(f"[red]{err}[/red]")
                raise typer.Exit(2) from err
            if json_out:
                typer.echo(json.dumps(checked, ensure_ascii=False, indent=2))
            else:
                _render_forms(checked["forms"], Console())
            if any(f["findings"] for f in checked["forms"]):
                raise typer.Exit(1)
            return
        try:
            result = run_check(doc, data_dir, policy)
        except JixiaoError as err:
            raise error_exit(err, 2) from err
        except MetricError as err:  # the policy document states no grade bands
            err_console.print(f"[red]{escape(err.message_zh)}[/red]\n{escape(err.message_en)}")
            raise typer.Exit(2) from err
        if json_out:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            _render(result, Console(), problems)
            _render_forms(result.get("forms", []), Console())
        if result["summary"]["mismatch"] or any(f["findings"] for f in result.get("forms", [])):
            raise typer.Exit(1)

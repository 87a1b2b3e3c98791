"""`jixiao audit PATH... [--format table|csv|xlsx|json|html] [--out FILE]`: check a batch of
self-evaluation forms (PDF, xlsx, docx; files and folders) without ingesting them.

One row per form (unit, project, year, 全年预算数, 全年执行数, 执行率, self-assessed and recomputed
总分, grade, number of findings) and each form's findings, every one citing its cells. A file that
cannot be read is a row with its error; the batch goes on. Exit code 0 when no form has a finding,
1 when some has, 2 when nothing could be audited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from service.commands._options import DataDirOpt, err_console

FORMATS = ("table", "csv", "xlsx", "json", "html")


def _render_table(report, console: Console) -> None:  # type: ignore[no-untyped-def]
    from service.audit import ROW_COLUMNS
    from service.audit_render import cells_text

    table = RichTable(title="绩效自评表审核 / self-evaluation form audit", show_lines=False)
    shown = [c for c in ROW_COLUMNS if c[0] not in ("sheet", "money_unit", "kind", "error")]
    for key, zh in shown:
        right = key in ("budget", "spent", "rate", "stated_total", "recomputed_total", "findings")
        table.add_column(zh, overflow="fold", justify="right" if right else "left")
    for row in report.rows:
        cells = {k: str("" if row[k] is None else row[k]) for k, _ in shown}
        cells["file"] = Path(row["file"]).name + (f" {row['sheet']}" if row["sheet"] else "")
        if row["error"]:
            cells["project"] = row["error"]
        style = "red" if row["error"] else ("yellow" if row["findings"] else None)
        table.add_row(*[cells[k] for k, _ in shown], style=style)
    console.print(table)
    counts = report.by_kind()
    if counts:
        console.print(
            "问题分布 / findings by kind："
            + "；".join(f"{v['kind_zh']} {v['findings']} 项（{v['forms']} 份表）" for v in counts.values()),
            soft_wrap=True,
        )
    for n, form in enumerate(report.forms, start=1):
        if not form["findings"]:
            continue
        row = form["row"]
        console.print(
            f"\n[bold]{n}. {row['project'] or row['unit']}（{row['year']}）{Path(row['file']).name} {row['sheet']}[/bold]"
        )
        for f in form["findings"]:
            color = "red" if f["severity"] == "error" else "yellow"
            console.print(f"  [{color}]{f['kind_zh']}[/{color}]：{f['message']}", soft_wrap=True)
            console.print(f"    [dim]{f['message_en']}｜{cells_text(f['cells'])}[/dim]", soft_wrap=True)
            if f.get("rule"):
                console.print(f"    [dim]规则 / rule：{f['rule']}[/dim]", soft_wrap=True)


def _policy_rules(policy: str, data_dir: Path | None):  # type: ignore[no-untyped-def]
    """The grade bands and execution-score rule an ingested policy document states (exit 2 when it
    is unknown or states neither)."""
    from ingest.errors import JixiaoError
    from ingest.store import Store
    from service.audit import policy_rules
    from service.commands._options import error_exit, load_settings
    from service.metrics.check import grade_rule_from_policy
    from service.metrics.errors import MetricError

    store = Store.open(load_settings(data_dir))
    try:
        doc = store.resolve_document(policy)
        rules = policy_rules(store, doc.doc_id, doc.title)
        if rules.grade_bands is None and rules.execution_rule is None:  # say why, in its words
            grade_rule_from_policy(store.get_pages(doc.doc_id), title=doc.title, doc_id=doc.doc_id)
        return rules
    except JixiaoError as err:
        raise error_exit(err, 2) from err
    except MetricError as err:
        err_console.print(f"[red]{err.message_zh}[/red]\n{err.message_en}")
        raise typer.Exit(2) from err
    finally:
        store.close()


def _ingested(data_dir: Path | None, rules):  # type: ignore[no-untyped-def]
    """The forms already in the store, audited (by the given policy's rules, else the loaded ones)."""
    from ingest.store import Store
    from service.audit import audit_store
    from service.commands._options import load_settings

    store = Store.open(load_settings(data_dir))
    try:
        if rules is None:
            return audit_store(store)
        return audit_store(store, grade_bands=rules.grade_bands, execution_rule=rules.execution_rule)
    finally:
        store.close()


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit(
        paths: Annotated[
            list[Path] | None, typer.Argument(help="自评表文件或目录（PDF、XLSX、DOCX）/ files or folders")
        ] = None,
        fmt: Annotated[
            str, typer.Option("--format", "-f", help="输出格式 table|csv|xlsx|json|html / output format")
        ] = "table",
        out: Annotated[
            Path | None, typer.Option("--out", "-o", help="写入文件（xlsx 必须指定）/ write to this file")
        ] = None,
        policy: Annotated[
            str | None,
            typer.Option(
                "--policy",
                help="按此已入库政策文件写明的评级档次和预算执行得分规则审核（--ingested 时默认用已入库的政策文件）"
                " / grade bands and execution-score rule from this ingested policy document",
            ),
        ] = None,
        ingested: Annotated[
            bool,
            typer.Option("--ingested", help="审核已入库文档中的自评表 / audit the forms already ingested"),
        ] = False,
        data_dir: DataDirOpt = None,
    ) -> None:
        """批量审核绩效自评表：执行率、得分、总分、权重、偏差原因、空项与等级 / audit a batch of self-evaluation forms.

        文件与目录直接审核（不入库）；--ingested 审核已入库文档中的自评表。
        Files and folders are audited as they are (not ingested); --ingested audits the stored forms.
        """
        from service.audit import audit_paths
        from service.audit_render import to_csv, to_html, to_json, to_xlsx

        fmt = fmt.lower()
        if fmt not in FORMATS:
            err_console.print(
                f"[red]不支持的格式：{fmt}（可用：{'、'.join(FORMATS)}）/ unknown format {fmt!r}[/red]"
            )
            raise typer.Exit(2)
        if fmt == "xlsx" and out is None:
            err_console.print("[red]xlsx 格式需要 --out 文件名 / --format xlsx needs --out FILE[/red]")
            raise typer.Exit(2)
        rules = _policy_rules(policy, data_dir) if policy else None
        if ingested:
            report = _ingested(data_dir, rules)
        elif not paths:
            err_console.print(
                "[red]请给出文件或目录，或用 --ingested / give files or folders, or --ingested[/red]"
            )
            raise typer.Exit(2)
        else:
            progress = Progress(
                TextColumn("[bold]审核 / auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("{task.description}"), console=err_console, transient=True,
            )  # fmt: skip
            with progress:
                task = progress.add_task("", total=None)

                def on_file(path: Path, done: int, total: int) -> None:
                    progress.update(task, completed=done, total=total, description=path.name)

                report = audit_paths(
                    paths, on_file=on_file, grade_bands=rules and rules.grade_bands,
                    execution_rule=rules and rules.execution_rule,
                )  # fmt: skip
        if fmt == "xlsx":
            assert out is not None
            to_xlsx(report, out)
            err_console.print(f"已写入 / written: {out}")
        elif fmt == "table":
            _render_table(
                report,
                Console(file=out.open("w", encoding="utf-8"), width=200)
                if out
                else Console(width=max(Console().width, 160)),
            )
        else:
            text = {"csv": to_csv, "json": to_json, "html": to_html}[fmt](report)
            if out is not None:
                out.write_text(text, encoding="utf-8")
                err_console.print(f"已写入 / written: {out}")
            else:
                typer.echo(text.lstrip("\ufeff") if fmt == "csv" else text)
        totals = report.to_dict()["totals"]
        if totals["forms"] == 0:
            raise typer.Exit(2)
        if totals["findings"]:
            raise typer.Exit(1)

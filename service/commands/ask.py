"""`jixiao ask "问题"`: a cited answer on the terminal (or the JSON contract with --json)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table as RichTable

from ingest.errors import JixiaoError
from service.commands._options import DataDirOpt, load_settings

err_console = Console(stderr=True)


def ask(
    question: Annotated[
        str, typer.Argument(help="问题（中文）/ the question, e.g. “2020年预算执行率是多少？”")
    ],
    json_out: Annotated[
        bool, typer.Option("--json", help="按输出契约打印 JSON / print the JSON contract")
    ] = False,
    conversation: Annotated[
        str | None,
        typer.Option("--conversation", "-c", help="接着某个对话追问 / continue a conversation by id"),
    ] = None,
    doc: Annotated[
        list[str] | None,
        typer.Option("--doc", "-d", help="只在该文档中查找（可多次）/ restrict to a document (repeatable)"),
    ] = None,
    data_dir: DataDirOpt = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="显示检索与工具调用过程 / show tool calls")
    ] = False,
) -> None:
    """提问：回答带页码引用，计算给出公式与输入。Ask a question; the answer cites pages and shows its formulas."""
    from service.assistant import build_assistant

    settings = load_settings(data_dir)
    console = Console()
    events = []

    def on_event(event: Any) -> None:
        events.append(event)
        if verbose and not json_out:
            tool = f"{event.tool} " if event.tool else ""
            err_console.print(f"[dim]· {event.stage} {escape(tool)}{escape(event.detail)}[/dim]")

    try:
        with build_assistant(settings) as assistant:
            if not json_out and assistant.llm_status and verbose:
                err_console.print(f"[dim]{escape(assistant.llm_status)}[/dim]")
            answer = assistant.ask(
                question, conversation_id=conversation, document_ids=doc or None, on_event=on_event
            )
    except JixiaoError as err:
        if json_out:
            sys.stdout.write(json.dumps({"error": err.to_dict()}, ensure_ascii=False) + "\n")
        else:
            err_console.print(f"[red]错误 / error:[/red] {escape(str(err))}")
            if err.hint:
                err_console.print(escape(err.hint))
        raise typer.Exit(1) from err

    if json_out:
        sys.stdout.write(json.dumps(answer.public(), ensure_ascii=False, indent=2) + "\n")
        return
    print_answer(console, answer)


def print_answer(console: Console, answer: Any) -> None:
    """The answer, then numbered sources (title, page, quote), then computations with formulas."""
    console.print(escape(answer.answer))
    if answer.citations:
        console.print()
        console.print("[bold]来源[/bold]")
        for c in answer.citations:
            console.print(f"  [cyan][{c.n}][/cyan] {escape(c.title)}，第{c.page}页：“{escape(c.quote)}”")
    if answer.computations:
        console.print()
        table = RichTable(title="计算", show_lines=False, title_justify="left")
        table.add_column("指标")
        table.add_column("公式")
        table.add_column("输入（出处）")
        table.add_column("结果", justify="right")
        for comp in answer.computations:
            inputs = "；".join(_input_text(i) for i in comp.inputs)
            table.add_row(
                escape(comp.name_zh or comp.metric),
                escape(comp.formula),
                escape(inputs),
                escape(comp.display),
            )
        console.print(table)
    footer = [
        f"回答器：{'大模型' if answer.answerer == 'llm' else '确定性'}",
        f"对话：{answer.conversation_id}",
    ]
    if not answer.grounded:
        footer.append(f"[yellow]有未核实的数字：{escape('、'.join(answer.ungrounded))}[/yellow]")
    console.print()
    console.print("[dim]" + " · ".join(footer) + "[/dim]")


def _input_text(item: dict[str, Any]) -> str:
    label = item.get("label") or item.get("name") or ""
    text = f"{label} {item.get('value', '')}{item.get('unit', '') or ''}".strip()
    src = item.get("source") or {}
    if isinstance(src, dict) and src.get("page"):
        text += f"（第{src['page']}页）"
    return text


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)

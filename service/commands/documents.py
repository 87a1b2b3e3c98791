"""`jixiao ingest`, `jixiao documents`, `jixiao remove`: load PDFs, list and delete documents."""

from __future__ import annotations

import json
import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from ingest.errors import JixiaoError
from ingest.models import DocumentRecord
from service.commands._options import DataDirOpt, JsonOpt, WaitOpt, err_console, error_exit, load_settings

OK_STATUSES = ("ok", "unchanged")
STATUS_STYLE = {"ok": "green", "unchanged": "cyan", "needs_ocr": "yellow", "failed": "red"}
STATUS_ZH = {
    "ok": "已入库",
    "unchanged": "未变化",
    "needs_ocr": "需要OCR",
    "failed": "失败",
    "removed": "已删除",
}


def _status_cell(status: str) -> str:
    style = STATUS_STYLE.get(status, "white")
    return f"[{style}]{status} {STATUS_ZH.get(status, '')}[/{style}]"


def _summary(records: list[DocumentRecord]) -> RichTable:
    table = RichTable(title="入库结果 / ingest summary")
    table.add_column("文件 file", overflow="fold")
    for col in ("页 pages", "段 chunks", "表 tables"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("状态 status", no_wrap=True)
    table.add_column("秒 s", justify="right", no_wrap=True)
    for r in records:
        table.add_row(
            escape(Path(r.path).name or r.path),
            str(r.pages),
            str(r.chunks),
            str(r.tables),
            _status_cell(r.status),
            f"{r.seconds:.1f}",
        )
    return table


def _print_messages(console: Console, records: list[DocumentRecord]) -> None:
    """Messages under the table, full width (a narrow table column would shred them)."""
    for r in records:
        if r.message and r.status not in OK_STATUSES[1:]:
            style = STATUS_STYLE.get(r.status, "white")
            name, message = escape(Path(r.path).name or r.path), escape(r.message)
            console.print(f"[{style}]• {name}[/{style}]：{message}", highlight=False)


class _Bars:
    """Rich progress on stderr: one bar for the batch, one for the current file's embedding."""

    def __init__(self, progress: Progress) -> None:
        self.p = progress
        self.batch: TaskID | None = None
        self.file: TaskID | None = None

    def __call__(self, event) -> None:  # ingest.index.IngestEvent
        p = self.p
        if event.kind in ("wait", "cleanup"):
            p.console.print(f"[yellow]{escape(event.message)}[/yellow]")
        elif event.kind == "batch":
            self.batch = p.add_task("文件 files", total=event.total)
        elif event.kind == "file":
            if self.file is not None:
                p.remove_task(self.file)
            self.file = p.add_task(escape(Path(event.path).name), total=None)
        elif event.kind == "stage" and self.file is not None:
            # page by page while reading text and tables: the bar shows pages done of pages
            p.update(
                self.file,
                description=f"{escape(Path(event.path).name)} · {event.stage}",
                total=event.of or None,
                completed=event.done,
            )
        elif event.kind == "embed" and self.file is not None:
            p.update(
                self.file,
                description=f"{escape(Path(event.path).name)} · 嵌入 embedding",
                total=event.of,
                completed=event.done,
            )
        elif event.kind == "file_done" and self.batch is not None:
            p.advance(self.batch)
            if self.file is not None:
                p.remove_task(self.file)
                self.file = None


class OcrChoice(StrEnum):
    auto = "auto"
    force = "force"
    never = "never"


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="PDF、XLSX、DOCX 文件或目录（递归查找）/ PDF, XLSX or DOCX files or folders (searched recursively)"
        ),
    ],
    password: Annotated[
        str | None, typer.Option("--password", help="加密 PDF 的打开密码 / user password of encrypted PDFs")
    ] = None,
    ocr: Annotated[
        OcrChoice | None,
        typer.Option(
            "--ocr",
            case_sensitive=False,
            help="扫描页：auto 识别没有文字层的页（默认），force 每页都识别，never 不识别（标记 needs_ocr）/ "
            "scanned pages: auto = OCR pages without a text layer (default), force = every page, never = refuse",
            show_default=False,
        ),
    ] = None,
    as_json: JsonOpt = False,
    data_dir: DataDirOpt = None,
    wait: WaitOpt = 30.0,
) -> None:
    """入库：读取 PDF、XLSX、DOCX（文字、表格、章节、自评表），写入检索索引。同一文件再次入库时跳过；同一路径的新版本原子替换旧版本。

    Ingest PDF, XLSX and DOCX files (text, tables, sections, forms). Same file again: skipped; a new version at
    the same path replaces the old one atomically.

    扫描件按页 OCR 识别（约 5 秒/页，显示进度；结果按页缓存在数据目录的 ocr/ 下，中断后再次运行会从断点继续）。
    Scanned pages are OCR'd page by page (about 5 s a page, with progress; cached by page under the data dir's
    ocr/, so an interrupted run continues where it stopped).

    退出码 exit code: 0 全部成功或未变化 all ok/unchanged；1 没有任何文件入库 nothing ingested；
    2 部分失败 some files failed。
    """
    from ingest.index import ingest_paths

    settings = load_settings(data_dir)
    started = time.perf_counter()
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        disable=as_json,
        transient=True,
    )
    try:
        with progress:
            records = ingest_paths(
                settings,
                paths,
                password=password,
                progress=_Bars(progress),
                wait=wait,
                ocr=ocr.value if ocr else None,
            )
    except JixiaoError as err:
        raise error_exit(err) from err
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=2))
    else:
        console = Console()
        console.print(_summary(records))
        _print_messages(console, records)
        ok = sum(r.status in OK_STATUSES for r in records)
        console.print(
            f"{ok}/{len(records)} 个文件可检索，用时 {time.perf_counter() - started:.1f} 秒；数据目录 {escape(str(settings.data_dir))}"
        )
    good = [r for r in records if r.status in OK_STATUSES]
    if not records or not good:
        raise typer.Exit(1)
    if len(good) < len(records):
        raise typer.Exit(2)


def documents(as_json: JsonOpt = False, data_dir: DataDirOpt = None) -> None:
    """列出已入库（及入库失败）的文档和状态。/ List indexed (and refused) documents with their status."""
    from ingest.store import Store

    settings = load_settings(data_dir)
    try:
        with Store.open(settings) as store:
            records = store.list_documents()
    except JixiaoError as err:
        raise error_exit(err) from err
    if as_json:
        rows = [
            {**r.to_json(), "kind": r.kind, "sha256": r.sha256, "ingested_at": r.ingested_at} for r in records
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    console = Console()
    if not records:
        console.print(
            f"数据目录 {escape(str(settings.data_dir))} 里还没有文档。用 jixiao ingest 文件.pdf 入库。/ no documents yet."
        )
        return
    from ingest.identity import label_of

    # the identity columns only where the terminal has room; a narrow one keeps the title whole
    # (`--json` always carries the identity)
    wide = console.width >= 120
    table = RichTable(title=f"文档 / documents — {escape(str(settings.data_dir))}")
    table.add_column("编号 doc_id", no_wrap=True)
    table.add_column("标题 title", overflow="fold", ratio=2)
    if wide:
        table.add_column("单位 unit", overflow="fold", ratio=1)
        table.add_column("项目 project", overflow="fold", ratio=1)
    table.add_column("年", justify="right", no_wrap=True)
    if wide:
        table.add_column("类型 kind", overflow="fold")
        table.add_column("评价 evaluator", overflow="fold")
    for col in ("页", "段", "表"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("状态 status", no_wrap=True)
    for r in records:
        ident = r.identity
        year = str(ident.get("period") or ident.get("year") or r.year or "")
        who = [escape(ident.get("unit") or ""), escape(ident.get("project") or "")] if wide else []
        what = (
            [
                escape(label_of("kind", ident.get("kind") or "")),
                escape(label_of("evaluator", ident.get("evaluator") or "")),
            ]
            if wide
            else []
        )
        table.add_row(
            escape(r.doc_id),
            escape(r.title or Path(r.path).name),
            *who,
            year,
            *what,
            str(r.pages),
            str(r.chunks),
            str(r.tables),
            _status_cell(r.status),
        )
    console.print(table)
    _print_messages(console, records)


def remove(
    doc: Annotated[
        str,
        typer.Argument(help="文档编号、编号前缀、文件名或标题 / document id, id prefix, file name or title"),
    ],
    as_json: JsonOpt = False,
    data_dir: DataDirOpt = None,
    wait: WaitOpt = 30.0,
) -> None:
    """从索引中彻底删除一份文档（记录、表格、向量、存档的 PDF）。/ Delete one document everywhere."""
    from ingest.index import remove_document

    settings = load_settings(data_dir)
    try:
        record = remove_document(settings, doc, wait=wait)
    except JixiaoError as err:
        raise error_exit(err) from err
    if as_json:
        typer.echo(json.dumps(record.to_json(), ensure_ascii=False, indent=2))
    else:
        Console().print(f"已删除 removed: {record.doc_id} {escape(record.title or Path(record.path).name)}")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("documents")(documents)
    app.command("remove")(remove)

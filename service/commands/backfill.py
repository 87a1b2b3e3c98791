"""`jixiao backfill`: copy the vectors of documents ingested before the `chunk_vectors` table
existed from Chroma into it, so document-scoped search reads them from SQL like the rest.

Idempotent and safe to interrupt: each document is one transaction, documents already copied are
skipped, and a rerun does what is left. It holds the writer lock (an ingest waits meanwhile, or it
waits for one with `--wait`). Searching never needs it: until a document is copied, scoped
search reads its vectors from Chroma, only slower.
"""

from __future__ import annotations

import json

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ingest.errors import JixiaoError
from service.commands._options import DataDirOpt, JsonOpt, WaitOpt, err_console, error_exit, load_settings


def register(app: typer.Typer) -> None:
    @app.command("backfill")
    def backfill(
        data_dir: DataDirOpt = None,
        wait: WaitOpt = 0.0,
        as_json: JsonOpt = False,
    ) -> None:
        """补齐旧文档的向量表：把 chunk_vectors 表出现之前入库的文档的向量从 Chroma 复制到 SQL，
        使按文档范围的检索不再访问 Chroma。可重复运行，中断后重跑即可继续 / copy the vectors of
        documents ingested before the chunk_vectors table from Chroma into it (idempotent,
        resumable)."""
        from ingest.lock import store_writer_lock
        from ingest.store import Store

        settings = load_settings(data_dir)
        done_docs = rows = 0
        try:
            with (
                store_writer_lock(
                    settings,
                    wait=wait,
                    on_wait=lambda pid: err_console.print(
                        f"[yellow]等待写入进程（PID {pid}）结束… / waiting for writer {pid}[/yellow]"
                    ),
                ),
                Store.open(settings) as store,
            ):
                store.refresh_vectors()  # another process may have written since it was opened
                todo = store.documents_missing_sql_vectors()
                with Progress(
                    TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, disable=as_json or not todo,
                ) as progress:  # fmt: skip
                    task = progress.add_task("复制向量 copying vectors", total=len(todo))
                    for doc_id in todo:
                        rows += store.backfill_sql_vectors(doc_id)
                        done_docs += 1
                        progress.advance(task)
        except JixiaoError as err:
            raise error_exit(err) from err
        except KeyboardInterrupt:
            err_console.print(
                f"[yellow]已中断：{done_docs} 份文档已完成，重新运行即可继续 / interrupted after "
                f"{done_docs} documents; run again to finish[/yellow]"
            )
            raise typer.Exit(130) from None
        if as_json:
            typer.echo(json.dumps({"documents": done_docs, "vectors": rows}))
        elif not done_docs:
            typer.echo(
                "无需补齐：所有文档的向量都已在 SQL 中 / nothing to do: every document's vectors are in SQL"
            )
        else:
            typer.echo(
                f"已补齐 {done_docs} 份文档的 {rows} 个向量 / copied {rows} vectors of {done_docs} documents"
            )

"""What the CLI commands share: the `--data-dir` option, loading the settings (a configuration error
exits 2 with the reason) and printing a JixiaoError before exiting."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from ingest.errors import JixiaoError
    from service.config import Settings

err_console = Console(stderr=True)

DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="数据目录（覆盖 JIXIAO_DATA_DIR）/ data dir, overrides JIXIAO_DATA_DIR",
        file_okay=False,
    ),
]

JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（供脚本使用）/ print JSON for scripts")]
WaitOpt = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0,
        help="另一个写入进程占用数据目录时最多等待的秒数，0 表示立即放弃 / seconds to wait for another writer",
    ),
]


def load_settings(data_dir: Path | None = None) -> Settings:
    """The settings from the environment, `data_dir` overriding JIXIAO_DATA_DIR."""
    from pydantic import ValidationError

    from service.config import Settings

    try:
        return Settings(data_dir=data_dir) if data_dir is not None else Settings()
    except ValidationError as err:
        err_console.print(f"[red]配置错误 / configuration error:[/red] {escape(str(err))}")
        raise typer.Exit(2) from err


def error_exit(err: JixiaoError, code: int = 1) -> typer.Exit:
    """Print the error's message and hint on stderr; the Exit to raise."""
    err_console.print(f"[red]{escape(err.message)}[/red]")
    if err.hint:
        err_console.print(escape(err.hint))
    return typer.Exit(code)

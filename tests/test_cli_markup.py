"""Untrusted strings (titles, file names, failure messages, check items) are printed through rich as
text: a `[/x]` in a document (seen in a real pdfminer message while fuzzing) is shown, never parsed
as markup (rich raised MarkupError and `jixiao documents` / `jixiao check` crashed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfgen import make_chinese_pdf
from typer.testing import CliRunner

from service.cli import app

pytestmark = pytest.mark.slow

runner = CliRunner()
TITLE = "2021年[/x]项目[bold]绩效评价报告"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("markup-in")
    make_chinese_pdf(
        folder / "[red]报告.pdf",
        title=TITLE,
        paragraphs=["表1 [/y]预算执行情况", "预算执行率为99.86%，[/z]资金到位率为100%。"],
    )
    (folder / "坏[bold].pdf").write_bytes(b"not a pdf")  # a file name cannot hold "/"
    data = tmp_path_factory.mktemp("markup-data")
    result = runner.invoke(app, ["ingest", str(folder), "--data-dir", str(data)])
    assert result.exit_code == 2, result.output  # one ok, one refused
    assert "坏[bold].pdf" in result.output, (result.output, result.exception)
    return data


def test_documents_prints_markup_like_text(data_dir: Path) -> None:
    result = runner.invoke(app, ["documents", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, (result.output, result.exception)
    assert "[/x]" in result.output and "坏[bold].pdf" in result.output


def test_check_prints_markup_like_text(data_dir: Path) -> None:
    result = runner.invoke(app, ["check", "[/x]", "--data-dir", str(data_dir)])
    assert result.exit_code in (0, 1), (result.output, result.exception)
    assert "[/x]" in result.output


def test_errors_print_markup_like_text(data_dir: Path) -> None:
    result = runner.invoke(app, ["check", "没有这个[/x]文档", "--data-dir", str(data_dir)])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "没有这个[/x]文档" in result.output

"""Write generated forms (`evals.generator.selfeval.GenForm`) as .xlsx (openpyxl, merged ranges,
figures as numbers with their display format), .docx (python-docx, merged cells, ruled) and PDF
(the .docx rendered by LibreOffice, one run for many files). Several forms may share one file:
stacked in one sheet or one per sheet (xlsx), one after another with page breaks (docx/PDF)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from evals.generator.selfeval import GenForm, positions


def write_xlsx(forms: list[GenForm], path: Path, *, one_sheet: bool = False) -> Path:
    import openpyxl
    from openpyxl.styles import Alignment

    wb = openpyxl.Workbook()
    ws = wb.active
    top = 1
    for n, f in enumerate(forms):
        if n and not one_sheet:
            ws = wb.create_sheet()
            top = 1
        ws.title = ws.title if one_sheet and n else f"表{n + 1}"
        ws.cell(top, 1, f.title)
        ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=f.ncols)
        ws.cell(top + 1, 1, getattr(f, "subtitle", f"（{f.year}年度）"))
        ws.merge_cells(start_row=top + 1, start_column=1, end_row=top + 1, end_column=f.ncols)
        base = top + 2
        for r, c, cell in positions(f.rows, f.ncols):
            target = ws.cell(base + r, 1 + c)
            if cell.number is not None:
                target.value = (
                    float(cell.number / 100)
                    if cell.percent
                    else (int(cell.number) if cell.places == 0 else float(cell.number))
                )
                target.number_format = (
                    ("0." + "0" * cell.places + "%")
                    if cell.percent
                    else ("0" if cell.places == 0 else "0." + "0" * cell.places)
                )
            elif cell.text:
                target.value = cell.text
            target.alignment = Alignment(wrap_text=True, vertical="center")
            if cell.rs > 1 or cell.cs > 1:
                ws.merge_cells(
                    start_row=base + r,
                    start_column=1 + c,
                    end_row=base + r + cell.rs - 1,
                    end_column=c + cell.cs,
                )
        top = base + len(f.rows) + 2
    wb.save(path)
    return path


def write_docx(forms: list[GenForm], path: Path) -> Path:
    import docx
    from docx.enum.text import WD_BREAK
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(1.5)
    style = document.styles["Normal"]
    style.font.size = Pt(9)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Noto Sans CJK SC")
    for n, f in enumerate(forms):
        if n:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        document.add_paragraph(f.title)
        document.add_paragraph(getattr(f, "subtitle", f"（{f.year}年度）"))
        table = document.add_table(rows=len(f.rows), cols=f.ncols)
        table.style = "Table Grid"
        grid = table._cells  # once: table.cell() recomputes the whole grid on every call
        for r, c, cell in positions(f.rows, f.ncols):
            target = grid[r * f.ncols + c]
            if cell.rs > 1 or cell.cs > 1:
                target = target.merge(grid[(r + cell.rs - 1) * f.ncols + c + cell.cs - 1])
            target.text = cell.text
        # keep rows whole on a page (a form may still run over two pages, row by row)
        for row in table.rows:
            tr_pr = row._tr.get_or_add_trPr()
            cant = OxmlElement("w:cantSplit")
            tr_pr.append(cant)
    document.save(path)
    return path


def docx_to_pdf(paths: list[Path], outdir: Path, *, timeout: int = 180) -> list[Path]:
    """Render .docx files to PDF with LibreOffice (one run, a private profile)."""
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(outdir), *map(str, paths)],
            check=True, capture_output=True, timeout=timeout,
        )  # fmt: skip
    out = [outdir / (p.stem + ".pdf") for p in paths]
    missing = [p for p in out if not p.exists()]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {missing}")
    return out

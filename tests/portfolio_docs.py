"""Generated forms (xlsx) and project reports (PDF, rendered by LibreOffice) of a portfolio, ingested
into one data dir with any other files: the store the portfolio tests ask across."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from evals.generator import portfolio as gen


def ingest_portfolio(
    root: Path, seed: int, *, units: int, report_units: int, years: int, extra: tuple[Path, ...] = ()
) -> tuple[Any, list, list, dict[str, str]]:
    """(assistant, forms, reports, {file name: doc_id}); the caller closes the assistant."""
    from evals.corpus.build import render
    from evals.generator.formats import write_xlsx
    from ingest.index import file_identity, ingest_paths
    from service.assistant import build_assistant
    from service.config import Settings

    forms = gen.build(seed, units=units, years=years)
    reports = gen.build_reports(seed, units=units, report_units=report_units, years=years)
    paths = [write_xlsx([f], root / name) for name, f in forms]
    sources = []
    for name, r in reports:
        src = root / "src" / name.replace(".pdf", ".html")
        src.parent.mkdir(exist_ok=True)
        src.write_text(r.doc.html(), encoding="utf-8")
        sources.append(src)
    render(sources, root / "pdf")
    paths += [root / "pdf" / name for name, _r in reports] + list(extra)
    settings = Settings(data_dir=root / "data")
    records = ingest_paths(settings, paths)
    assert all(r.status == "ok" for r in records), [(r.path, r.message) for r in records]
    ids = {p.name: file_identity(p)[0] for p in paths}
    return build_assistant(settings), forms, reports, ids

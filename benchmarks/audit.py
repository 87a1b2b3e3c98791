"""Audit benchmarks: forms per second for `audit_paths` (read + check) on generated 自评表, per format
(xlsx, docx, PDF rendered by LibreOffice outside the timing), and the process's peak RSS."""

from __future__ import annotations

import resource
import tempfile
import time
from pathlib import Path


def run(count: int = 60, seed: int = 2026) -> list[tuple[str, str]]:
    from evals.generator.formats import docx_to_pdf, write_docx, write_xlsx
    from evals.generator.selfeval import batch
    from service.audit import audit_paths

    rows: list[tuple[str, str]] = []
    forms = batch(seed, count)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-audit-") as tmp:
        root = Path(tmp)
        folders = {fmt: root / fmt for fmt in ("xlsx", "docx", "pdf")}
        for folder in folders.values():
            folder.mkdir()
        for n, f in enumerate(forms):
            write_xlsx([f], folders["xlsx"] / f"{n:03d}.xlsx")
            write_docx([f], folders["docx"] / f"{n:03d}.docx")
        docx_to_pdf(sorted(folders["docx"].glob("*.docx")), folders["pdf"], timeout=900)
        for fmt, folder in folders.items():
            started = time.perf_counter()
            report = audit_paths([folder])
            elapsed = time.perf_counter() - started
            read = sum(1 for r in report.rows if not r["error"])
            rows.append(
                (f"audit {fmt}: forms per second ({read}/{count} forms read)", f"{read / elapsed:.1f}")
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows.append(("peak RSS MB (generation + rendering + audit, this process)", f"{rss:.0f}"))
    return rows


if __name__ == "__main__":
    from benchmarks import print_rows

    print_rows("audit", run())

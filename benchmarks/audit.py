"""Audit benchmarks: forms per second for `audit_paths` (read + check) on 500 generated 自评表 per
format — xlsx and docx one form a file, as units send them; PDF ten forms a file, rendered by
LibreOffice outside the timing — and each format's peak RSS. Each format is audited in a fresh
process so its RSS is its own, not the generator's or the renderer's. Goal (issue #12): ≥ 20 forms/s
for xlsx and docx; PDF is bounded by pdfplumber's table extraction."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from service.audit import audit_paths
started = time.perf_counter()
report = audit_paths([Path(sys.argv[1])])
elapsed = time.perf_counter() - started
read = sum(1 for r in report.rows if not r["error"])
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"read": read, "seconds": elapsed, "rss": rss}))
"""


def _audit(folder: Path) -> dict[str, float]:
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(folder)], capture_output=True, text=True, check=True, env=env
    )
    out: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def run(count: int = 500, seed: int = 2026, per_pdf: int = 10) -> list[tuple[str, str]]:
    from evals.generator.formats import docx_to_pdf, write_docx, write_xlsx
    from evals.generator.selfeval import batch

    rows: list[tuple[str, str]] = []
    forms = batch(seed, count)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-audit-") as tmp:
        root = Path(tmp)
        folders = {fmt: root / fmt for fmt in ("xlsx", "docx", "pdf")}
        for folder in folders.values():
            folder.mkdir()
        staging = root / "pdf-src"
        staging.mkdir()
        for n, f in enumerate(forms):
            write_xlsx([f], folders["xlsx"] / f"{n:03d}.xlsx")
            write_docx([f], folders["docx"] / f"{n:03d}.docx")
        for start in range(0, count, per_pdf):
            write_docx(forms[start : start + per_pdf], staging / f"{start:03d}.docx")
        docx_to_pdf(sorted(staging.glob("*.docx")), folders["pdf"], timeout=1800)
        for fmt, folder in folders.items():
            got = _audit(folder)
            rate = got["read"] / got["seconds"]
            rows.append(
                (f"audit {fmt}: forms per second ({got['read']:.0f}/{count} forms read)", f"{rate:.1f}")
            )
            rows.append((f"audit {fmt}: peak RSS MB", f"{got['rss']:.0f}"))
    return rows


if __name__ == "__main__":
    from benchmarks import print_rows

    print_rows("audit", run(int(sys.argv[1]) if len(sys.argv) > 1 else 500))

"""`jixiao check` on generated reports with one planted inconsistency each (`--inconsistent`):
how many planted errors the checker finds, and how many figures it calls wrong that are right.

    python -m evals.checker --seed 20261202 --count 12

A planted error counts as found when a `mismatch` item of the document's check states exactly
the planted figure. Every other `mismatch` in a generated document is a false alarm (the
generator's documents are consistent except for the planted figure). The figures come from the
generator's own record (`planted.json`), never from the checker.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class CheckerRun:
    seed: int
    documents: int
    planted: int
    found: int
    false_alarms: int
    details: list[dict[str, Any]] = field(default_factory=list)

    @property
    def detection(self) -> float:
        return round(100.0 * self.found / self.planted, 1) if self.planted else 0.0

    def to_json(self) -> dict[str, Any]:
        return {**self.__dict__, "detection_rate": self.detection}


def _same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b))
    except (InvalidOperation, ValueError):
        return False


def run_checker(seed: int, count: int, work: Path) -> CheckerRun:
    from ingest.index import ingest_paths
    from ingest.store import Store
    from service.config import Settings
    from service.report_check import check_document

    out = work / "generated"
    cmd = [sys.executable, "-m", "evals.generator", "--seed", str(seed), "--count", str(count)]
    subprocess.run([*cmd, "--out", str(out), "--inconsistent"], cwd=ROOT, check=True, capture_output=True)
    planted = json.loads((out / "planted.json").read_text(encoding="utf-8"))
    pdfs = sorted((out / "pdf").glob("*.pdf"))
    settings = Settings(data_dir=work / "data")
    ingest_paths(settings, pdfs)
    found = false_alarms = 0
    details = []
    with Store.open(settings) as store:
        for pdf in pdfs:
            report = check_document(store, pdf.name)
            mismatches = [i for i in report["items"] if i.get("status") == "mismatch"]
            mine = [p for p in planted if p["document"] == pdf.name]
            hit = [m for m in mismatches if any(_same(m.get("stated"), p["stated"]) for p in mine)]
            found += min(len(mine), len({str(m.get("stated")) for m in hit}))
            false_alarms += len(mismatches) - len(hit)
            details.append(
                {
                    "document": pdf.name,
                    "planted": [{k: p[k] for k in ("kind", "stated", "expected", "label")} for p in mine],
                    "found": bool(mine) and bool(hit),
                    "mismatches": [{"claim": m.get("claim"), "stated": m.get("stated")} for m in mismatches],
                }
            )
    return CheckerRun(seed, len(pdfs), len(planted), found, false_alarms, details)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="jixiao check on generated reports with planted errors")
    ap.add_argument("--seed", type=int, default=20261202)
    ap.add_argument("--count", type=int, default=12)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="jixiao-checker-"))
    try:
        run = run_checker(args.seed, args.count, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps(run.to_json(), ensure_ascii=False, indent=2))
    else:
        print(
            f"seed {run.seed}: {run.documents} documents, planted {run.planted}, found {run.found} "
            f"({run.detection}%), false alarms {run.false_alarms}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

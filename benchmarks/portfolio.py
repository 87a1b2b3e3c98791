"""Answer latency with 100 documents loaded, no LLM. `python -m benchmarks.portfolio`

A store holding the eval corpus (18 published documents), the sample report and policy and a
generated batch (evals/generator, fixed seed) up to 100 documents; the corpus questions are asked
scoped to their own document (as the widget's picker does), once to warm up, then timed: seconds
per question (median, p95), the time to build the fact index and the portfolio's rows (forms'
cells and, for each report, its 全年预算 / 实际支出 / 预算执行率 from the facts). Ingest time is printed too.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import Rows, print_rows

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = 100
SEED = 20261202


def _p95(samples: list[float]) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def run() -> Rows:
    from evals.sets import corpus_set, load_set
    from ingest.index import file_identity, ingest_paths
    from service.assistant import build_assistant
    from service.config import Settings

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-portfolio-") as tmp:
        corpus = sorted((ROOT / "evals" / "corpus" / "pdf").glob("*.pdf"))
        fixtures = [ROOT / "tests" / "fixtures" / n for n in ("report_2020_8890.pdf", "policy_sample.pdf")]
        count = max(0, DOCUMENTS - len(corpus) - len(fixtures))
        gen = Path(tmp) / "generated"
        started = time.perf_counter()
        cmd = [sys.executable, "-m", "evals.generator", "--seed", str(SEED), "--count", str(count)]
        subprocess.run([*cmd, "--out", str(gen)], cwd=ROOT, check=True, capture_output=True, timeout=1800)
        generate_s = time.perf_counter() - started
        paths = [*corpus, *fixtures, *sorted((gen / "pdf").glob("*.pdf"))]
        settings = Settings(data_dir=Path(tmp) / "data", llm_base_url=None, llm_gguf=None)
        started = time.perf_counter()
        records = ingest_paths(settings, paths)
        ingest_s = time.perf_counter() - started
        ok = sum(r.status in ("ok", "unchanged") for r in records)
        ids = {p.name: file_identity(p)[0] for p in paths}
        cases = [c for c in load_set(corpus_set()) if not c.is_conversation]
        assistant = build_assistant(settings)
        try:
            started = time.perf_counter()
            assistant.deterministic.facts().index.items(None)
            facts_s = time.perf_counter() - started
            started = time.perf_counter()
            rows = assistant.portfolio.rows(None)  # one row per form and per report (facts), once
            rows_s = time.perf_counter() - started
            reports = [r for r in rows if r.source == "facts"]
            found = sum(1 for r in reports if "budget" in r.measures and "spent" in r.measures)
            samples: list[float] = []
            for rnd in range(2):
                for case in cases:
                    scope = [ids[d] for d in case.documents if d in ids]
                    t0 = time.perf_counter()
                    assistant.ask(case.question, document_ids=scope)
                    if rnd:
                        samples.append(time.perf_counter() - t0)
        finally:
            assistant.close()
    return [
        ("documents loaded", f"{ok} of {len(paths)}"),
        ("generate synthetic PDFs", f"{generate_s:.1f} s for {count}"),
        (
            "ingest (embedding dominates)",
            f"{ingest_s:.1f} s ({ingest_s / max(1, len(paths)):.2f} s per document)",
        ),
        ("fact index build (first question)", f"{1000 * facts_s:.0f} ms"),
        (
            "portfolio rows build (first cross-document question)",
            f"{1000 * rows_s:.0f} ms; {len(reports)} reports, {found} with 全年预算 and 实际支出 found",
        ),
        (
            "answer, deterministic, scoped",
            f"median {1000 * statistics.median(samples):.0f} ms, p95 {1000 * _p95(samples):.0f} ms (n={len(samples)})",
        ),
    ]


if __name__ == "__main__":
    print_rows("portfolio", run())

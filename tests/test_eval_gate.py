"""The regression gate `make test` runs: every bundled eval case on the deterministic answerer over
the sample documents (the session's ingested data dir, copied), compared with `evals/baseline.json`.

Fails when the overall or any tag's pass rate drops by more than 5 points against the baseline, or a
`critical` case fails. After an intended change in answers, regenerate the baseline with
`jixiao eval --write-baseline evals/baseline.json` and review its diff."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.gate import DEFAULT_MAX_DROP, compare, load_json
from evals.report import failing, write_outputs
from evals.runner import evaluate
from evals.schema import EVALS_DIR, load_cases


@pytest.mark.slow
def test_eval_gate_against_baseline(data_dir_copy: Path, tmp_path: Path) -> None:
    baseline = load_json(EVALS_DIR / "baseline.json")
    run = evaluate(load_cases(), answerer="deterministic", data_dir=data_dir_copy, progress=False)
    gate = compare(run.to_json(), baseline, max_drop=DEFAULT_MAX_DROP)
    write_outputs(run, tmp_path / "eval-out", gate)

    assert run.summary["errors"] == 0, [r["error"] for r in run.results if r["error"]]
    assert all(t.get("answerer") == "deterministic" for r in run.results for t in r["turns"])
    detail = {
        "failures": gate.failures,
        "newly_failing": {cid: why for cid, why in failing(run.results) if cid in gate.newly_failing},
        "report": str(tmp_path / "eval-out" / "report.md"),
    }
    assert gate.passed, json.dumps(detail, ensure_ascii=False, indent=2)

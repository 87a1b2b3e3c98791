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


@pytest.mark.slow
def test_eval_command_in_process(data_dir_copy: Path, tmp_path: Path) -> None:
    """`jixiao eval FILE --data-dir D --out O` on the real stack: table printed, files written."""
    from typer.testing import CliRunner

    from service.cli import app

    cases = tmp_path / "mini.yaml"
    cases.write_text(
        """
documents: [report_2020_8890.pdf]
cases:
  - id: mini-callcenter-salary
    question: 话务岗全年工资福利支出总额是多少？
    tags: [lookup]
    expect:
      value: {value: 7937.43, unit: 万元}
      citations: [{doc: report_2020_8890.pdf, page: 2}]
  - id: mini-2021
    question: 2021年该项目的预算执行率是多少？
    tags: [unanswerable]
    expect: {refuse: true}
""",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(
        app, ["eval", str(cases), "--data-dir", str(data_dir_copy), "--out", str(out), "--quiet"]
    )
    assert res.exit_code == 0, res.output
    assert "pass rate by tag" in res.output and "hit@5" in res.output
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in data["cases"]] == ["mini-callcenter-salary", "mini-2021"]
    assert data["meta"]["target"] == "in-process (deterministic)"
    first = data["cases"][0]["turns"][0]
    assert first["answer"] and [c["kind"] for c in first["checks"]] == ["value", "citation"]
    assert "mini-2021" in (out / "report.md").read_text(encoding="utf-8")

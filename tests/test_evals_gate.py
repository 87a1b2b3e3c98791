"""The release gate: a deliberately worse results file fails it; equal or better passes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evals.gate import BaselineError, case_map, compare, load_json, make_baseline


def results(flags: dict[str, tuple[bool, list[str]]]) -> dict[str, Any]:
    return {
        "meta": {"started_at": "2026-11-30T00:00:00+00:00", "target": "test", "answerer": "deterministic"},
        "summary": {},
        "cases": [{"id": cid, "passed": ok, "tags": tags} for cid, (ok, tags) in flags.items()],
    }


BASE = (
    {f"lookup-{i}": (True, ["lookup"]) for i in range(10)}
    | {f"trap-{i}": (i < 3, ["trap"]) for i in range(4)}
    | {"crit": (True, ["lookup", "critical"])}
)


def test_same_results_pass() -> None:
    run = results(BASE)
    gate = compare(run, make_baseline(run), max_drop=5)
    assert gate.passed, gate.failures
    assert {r.scope for r in gate.rows} == {"overall", "tag:lookup", "tag:trap", "tag:critical"}


def test_worse_tag_fails() -> None:
    baseline = make_baseline(results(BASE))
    worse = dict(BASE) | {"trap-0": (False, ["trap"])}  # trap 75% -> 50%
    gate = compare(results(worse), baseline, max_drop=5)
    assert not gate.passed
    assert gate.newly_failing == ["trap-0"]
    assert any("tag:trap" in f and "trap-0" in f for f in gate.failures)
    # overall fell 1/15 = 6.67 pp, also beyond 5
    assert any(f.startswith("overall") for f in gate.failures)
    # a generous allowance lets the same drop through
    assert compare(results(worse), baseline, max_drop=30).passed


def test_critical_failure_fails_even_within_allowance() -> None:
    baseline = make_baseline(results(BASE))
    worse = dict(BASE) | {"crit": (False, ["lookup", "critical"])}
    gate = compare(results(worse), baseline, max_drop=100)
    assert not gate.passed and gate.failures == ["关键用例失败 critical case failed: crit"]


def test_new_and_missing_cases_do_not_shift_rates() -> None:
    baseline = make_baseline(results(BASE))
    more = dict(BASE) | {"new-fail": (False, ["lookup"])}
    del more["lookup-9"]
    gate = compare(results(more), baseline, max_drop=0)
    assert gate.passed, gate.failures
    assert gate.new_cases == ["new-fail"] and gate.missing_cases == ["lookup-9"]


def test_better_results_pass_and_are_listed() -> None:
    baseline = make_baseline(results(BASE))
    better = dict(BASE) | {"trap-3": (True, ["trap"])}
    gate = compare(results(better), baseline, max_drop=0)
    assert gate.passed and gate.newly_passing == ["trap-3"]


def test_baseline_round_trip_and_errors(tmp_path: Path) -> None:
    run = results(BASE)
    p = tmp_path / "baseline.json"
    p.write_text(json.dumps(make_baseline(run)), encoding="utf-8")
    assert case_map(load_json(p)) == case_map(run)
    with pytest.raises(BaselineError, match="找不到"):
        load_json(tmp_path / "nope.json")
    (tmp_path / "bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(BaselineError, match="JSON"):
        load_json(tmp_path / "bad.json")
    with pytest.raises(BaselineError):
        case_map({"summary": {}})


def test_committed_baseline_is_well_formed() -> None:
    """The committed baseline holds every set in both modes, and covers exactly each fixed set's cases."""
    from evals.schema import EVALS_DIR
    from evals.sets import corpus_set, dev_set, load_set, sequestered_set

    baseline = load_json(EVALS_DIR / "baseline.json")
    assert baseline["version"] == 2
    for eval_set in (dev_set(), corpus_set(), sequestered_set()):
        ids = {c.id for c in load_set(eval_set)}
        for mode in ("shared", "separate"):
            run = baseline["runs"][f"{eval_set.name}/{mode}"]
            assert run["answerer"] == "deterministic"
            assert set(case_map(run)) == ids, f"baseline {eval_set.name}/{mode} must cover exactly its cases"
    assert baseline["runs"]["generated/shared"]["summary"]["cases"] > 0


def test_worse_results_file_fails_the_cli_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`jixiao eval --baseline` exits non-zero on a regression: the run is scripted to be worse."""
    import evals.runner as runner_mod
    from evals.runner import EvalRun
    from service.cli import app

    base_run = results(BASE)
    (tmp_path / "baseline.json").write_text(json.dumps(make_baseline(base_run)), encoding="utf-8")
    worse = copy.deepcopy(base_run)
    worse["cases"][0]["passed"] = False

    def fake_evaluate(cases: Any, **kw: Any) -> EvalRun:
        from evals.runner import summarize

        rows = [
            {
                **c,
                "source": "",
                "note": "",
                "error": None,
                "seconds": 0.0,
                "refused_unexpectedly": False,
                "turns": [],
                "retrieval": None,
            }
            for c in worse["cases"]
        ]
        return EvalRun(results=rows, summary=summarize(rows), meta={"target": "scripted"})

    monkeypatch.setattr(runner_mod, "evaluate", fake_evaluate)
    cli = CliRunner()
    res = cli.invoke(
        app, ["eval", "--baseline", str(tmp_path / "baseline.json"), "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 1, res.output
    assert "gate FAILED" in res.output
    saved = json.loads((tmp_path / "o" / "results.json").read_text(encoding="utf-8"))
    assert saved["gate"]["passed"] is False and saved["gate"]["newly_failing"] == ["lookup-0"]
    assert "FAILED" in (tmp_path / "o" / "report.md").read_text(encoding="utf-8")

    same = copy.deepcopy(base_run)
    worse["cases"] = same["cases"]
    res = cli.invoke(app, ["eval", "--baseline", str(tmp_path / "baseline.json")])
    assert res.exit_code == 0, res.output

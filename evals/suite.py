"""Run several eval sets in one or both modes, print the per-set table, gate on the baseline.

`make eval` runs all four sets (dev, corpus, generated with a fixed seed, sequestered) in both
modes: `separate` (one data dir per document) and `shared` (every document of every set in one
data dir, each case scoped to its own document unless it is marked unscoped). `make test` gates
on dev, corpus and a freshly seeded generated batch in the shared mode.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from evals.gate import DEFAULT_MAX_DROP, GateResult, compare, make_baseline
from evals.runner import EvalRun, evaluate, summarize
from evals.schema import Case
from evals.sets import EvalSet, load_set, named_set

SUITE_BASELINE_VERSION = 2
# a fresh seed draws different documents every run: its pass rate moves more than a fixed set's
GENERATED_MAX_DROP = 15.0


@dataclass
class SuiteRun:
    runs: dict[str, EvalRun] = field(default_factory=dict)  # "set/mode" -> run
    sets: dict[str, EvalSet] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": SUITE_BASELINE_VERSION,
            "sets": {
                n: {"measures": s.measures, "gated": s.gated, "seed": s.seed} for n, s in self.sets.items()
            },
            "runs": {k: r.to_json() for k, r in self.runs.items()},
        }


def run_suite(
    set_names: list[str],
    modes: list[str],
    *,
    seed: int | None = None,
    answerer: str = "deterministic",
    work_dir: Path | None = None,
    console: Console | None = None,
    progress: bool = True,
    tags: list[str] | None = None,
) -> SuiteRun:
    """Each named set, in each mode. In the shared mode all the sets' documents live in one data
    dir (as a bureau's deployment would hold them); each set is reported on its own."""
    temp = None
    if work_dir is None:
        temp = work_dir = Path(tempfile.mkdtemp(prefix="jixiao-suite-"))
    suite = SuiteRun()
    try:
        loaded: dict[str, list[Case]] = {}
        for name in set_names:
            eval_set = named_set(name, work_dir / "generated", seed=seed)
            suite.sets[name] = eval_set
            loaded[name] = load_set(eval_set, tags=tags)
        dirs = [d for s in suite.sets.values() for d in s.documents_dirs]
        everything = [c for cs in loaded.values() for c in cs]
        for mode in modes:
            if not everything:
                break
            if console:
                console.rule(f"模式 mode: {mode}")
            run = evaluate(
                everything,
                answerer=answerer,
                data_dir=work_dir / f"data-{mode}",
                documents_dirs=dirs,
                mode=mode,
                console=console,
                progress=progress,
            )
            for name, cases in loaded.items():
                ids = {c.id for c in cases}
                part = [r for r in run.results if r["id"] in ids]
                meta = {
                    **run.meta,
                    "set": name,
                    "measures": suite.sets[name].measures,
                    "seed": suite.sets[name].seed,
                }
                suite.runs[f"{name}/{mode}"] = EvalRun(
                    results=part,
                    summary=summarize(part, retrieval_source=meta.get("target_kind", "")),
                    meta=meta,
                )
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    return suite


def suite_rows(suite: SuiteRun) -> list[dict[str, Any]]:
    rows = []
    for key, run in suite.runs.items():
        s = run.summary
        rows.append(
            {
                "run": key,
                "cases": s["cases"],
                "passed": s["passed"],
                "rate": s["pass_rate"],
                "numeric": s["numeric_accuracy"]["rate"],
                "refusal": s["refusal_accuracy"]["rate"],
                "wrong_figures": s["wrong_figures"]["count"],
                "false_refusals": s["false_refusals"]["count"],
                "hit1": s["retrieval"].get("hit_at_1"),
                "hit5": s["retrieval"]["hit_at_5"],
                "all_hit1": (s["retrieval"].get("all_documents") or {}).get("hit_at_1"),
                "all_hit5": (s["retrieval"].get("all_documents") or {}).get("hit_at_5"),
                "measures": run.meta.get("measures", ""),
            }
        )
    return rows


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1f}%"


def suite_markdown(suite: SuiteRun) -> str:
    lines = [
        "| set / mode | cases | passed | pass rate | numeric acc. | refusal acc. | wrong figures | false refusals "
        "| hit@1 | hit@5 | all docs hit@1 | all docs hit@5 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in suite_rows(suite):
        lines.append(
            f"| {r['run']} | {r['cases']} | {r['passed']} | {_pct(r['rate'])} | {_pct(r['numeric'])} | "
            f"{_pct(r['refusal'])} | {r['wrong_figures']} | {r['false_refusals']} | {_pct(r['hit1'])} | "
            f"{_pct(r['hit5'])} | {_pct(r['all_hit1'])} | {_pct(r['all_hit5'])} |"
        )
    return "\n".join(lines) + "\n"


def print_suite(suite: SuiteRun, console: Console) -> None:
    t = Table(title="各评测集 per set (pass rate = cases whose every check passed)")
    cols = ("set / mode", "cases", "pass rate", "numeric", "refusal", "wrong figures", "false refusals")
    for col in (*cols, "hit@1", "hit@5", "all docs 1/5"):
        t.add_column(col, justify="left" if col == "set / mode" else "right")
    for r in suite_rows(suite):
        t.add_row(
            r["run"],
            str(r["cases"]),
            f"{_pct(r['rate'])} ({r['passed']})",
            _pct(r["numeric"]),
            _pct(r["refusal"]),
            str(r["wrong_figures"]),
            str(r["false_refusals"]),
            _pct(r["hit1"]),
            _pct(r["hit5"]),
            "—" if r["all_hit1"] is None else f"{r['all_hit1']:.0f}/{r['all_hit5']:.0f}%",
        )
    console.print(t)
    for name, s in suite.sets.items():
        console.print(f"  [dim]{name}: {s.measures}[/]")
    for key, run in suite.runs.items():
        by_type = run.summary["by_doc_type"]
        if len(by_type) > 1 or key.startswith(("corpus", "sequestered", "generated")):
            parts = ", ".join(
                f"{k} {_pct(v['rate'])} ({v['passed']}/{v['total']})" for k, v in by_type.items()
            )
            console.print(f"  {key} by document type: {parts}")


def write_suite(suite: SuiteRun, out_dir: Path, gates: dict[str, GateResult] | None = None) -> Path:
    from evals.report import write_outputs

    out_dir.mkdir(parents=True, exist_ok=True)
    for key, run in suite.runs.items():
        write_outputs(run, out_dir / key.replace("/", "-"), (gates or {}).get(key))
    summary = out_dir / "summary.md"
    lines = ["# jixiao eval suite", "", suite_markdown(suite)]
    for name, s in suite.sets.items():
        lines.append(f"- **{name}**: {s.measures}")
    for key, run in suite.runs.items():
        lines += ["", f"## {key}: by document", "", "| document | cases | passed | rate | wrong figures |"]
        lines.append("|---|---:|---:|---:|---:|")
        for doc, v in run.summary["by_document"].items():
            lines.append(
                f"| {doc} | {v['total']} | {v['passed']} | {_pct(v['rate'])} | {v['wrong_figures']} |"
            )
        wrong = run.summary["wrong_figures"]["cases"]
        if wrong:
            lines += ["", f"wrong figures ({len(wrong)}):"]
            lines += [f"- `{cid}` stated {', '.join(v)}" for cid, v in wrong.items()]
    summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out_dir / "suite.json").write_text(
        json.dumps(suite.to_json(), ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    return summary


def make_suite_baseline(suite: SuiteRun) -> dict[str, Any]:
    return {
        "version": SUITE_BASELINE_VERSION,
        "runs": {
            key: {**make_baseline(run.to_json()), "seed": run.meta.get("seed")}
            for key, run in suite.runs.items()
        },
    }


def gate_suite(
    suite: SuiteRun, baseline: dict[str, Any], *, max_drop: float = DEFAULT_MAX_DROP
) -> dict[str, GateResult]:
    """Gate each gated run against the same run in the baseline. Sets whose cases are the same
    each time are compared case by case; the generated set (a fresh seed) by its pass rate."""
    gates: dict[str, GateResult] = {}
    base_runs = baseline.get("runs", {})
    for key, run in suite.runs.items():
        name = key.split("/")[0]
        eval_set = suite.sets.get(name)
        if eval_set is None or not eval_set.gated or key not in base_runs:
            continue
        base = base_runs[key]
        if name == "generated":
            gates[key] = _gate_rate(key, run, base)
        else:
            gates[key] = compare(run.to_json(), base, max_drop=max_drop)
    return gates


def _gate_rate(key: str, run: EvalRun, base: dict[str, Any]) -> GateResult:
    from evals.gate import GateRow

    cur = float(run.summary.get("pass_rate") or 0.0)
    was = float(base.get("summary", {}).get("pass_rate") or 0.0)
    ok = was - cur <= GENERATED_MAX_DROP + 1e-9
    result = GateResult(passed=ok, max_drop=GENERATED_MAX_DROP)
    result.rows.append(GateRow("overall", int(run.summary["cases"]), was, cur, ok))
    if not ok:
        result.failures.append(
            f"{key} 通过率从 {was:.1f}% 降到 {cur:.1f}%（种子 {run.meta.get('seed')}，可用 --seed 重放）/ "
            f"{key} pass rate fell from {was:.1f}% to {cur:.1f}% (seed {run.meta.get('seed')}: replay with --seed)"
        )
    return result

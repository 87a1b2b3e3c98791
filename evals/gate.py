"""The release gate: compare a run with a committed baseline.

Fails when the overall pass rate or any tag's pass rate drops by more than `max_drop` percentage
points, or when a case tagged `critical` fails. Rates are compared over the cases both runs share
(recomputed from the per-case results), so adding or removing cases never shifts the comparison;
new cases are listed but only gated when critical.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import JixiaoError

DEFAULT_MAX_DROP = 5.0
BASELINE_VERSION = 1


class BaselineError(JixiaoError):
    code = "eval_baseline_error"


@dataclass
class GateRow:
    scope: str  # "overall" or "tag:<name>"
    cases: int
    baseline: float
    current: float
    ok: bool

    @property
    def delta(self) -> float:
        return round(self.current - self.baseline, 2)


@dataclass
class GateResult:
    passed: bool
    max_drop: float
    rows: list[GateRow] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    newly_failing: list[str] = field(default_factory=list)
    newly_passing: list[str] = field(default_factory=list)
    new_cases: list[str] = field(default_factory=list)
    missing_cases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "max_drop": self.max_drop,
            "failures": self.failures,
            "rows": [{**r.__dict__, "delta": r.delta} for r in self.rows],
            "newly_failing": self.newly_failing,
            "newly_passing": self.newly_passing,
            "new_cases": self.new_cases,
            "missing_cases": self.missing_cases,
        }


def case_map(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{case id: {"passed", "tags"}} from a results.json (cases as a list) or a baseline (a mapping)."""
    cases = doc.get("cases")
    if isinstance(cases, dict):
        return {
            str(k): {
                "passed": bool(v["passed"]),
                "tags": list(v.get("tags", [])),
                "wrong": bool(v.get("wrong")),
            }
            for k, v in cases.items()
        }
    if isinstance(cases, list):
        return {
            str(c["id"]): {
                "passed": bool(c["passed"]),
                "tags": list(c.get("tags", [])),
                "wrong": bool(c.get("wrong_figures")),
            }
            for c in cases
        }
    raise BaselineError("结果文件缺少 cases / results file has no `cases`")


def make_baseline(run: dict[str, Any]) -> dict[str, Any]:
    """The committed summary of a run: its headline figures and each case's pass/fail."""
    meta = run.get("meta", {})
    return {
        "version": BASELINE_VERSION,
        "generated_at": meta.get("started_at"),
        "target": meta.get("target"),
        "answerer": meta.get("answerer"),
        "summary": run.get("summary", {}),
        "cases": {cid: v for cid, v in sorted(case_map(run).items())},
    }


def load_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BaselineError(f"找不到基线文件 {path} / baseline file not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise BaselineError(
            f"基线文件 {path} 不是有效的 JSON：{exc} / baseline {path} is not valid JSON"
        ) from exc


def _pct(flags: list[bool]) -> float:
    return round(100.0 * sum(flags) / len(flags), 2) if flags else 0.0


def compare(
    current: dict[str, Any], baseline: dict[str, Any], *, max_drop: float = DEFAULT_MAX_DROP
) -> GateResult:
    cur, base = case_map(current), case_map(baseline)
    shared = sorted(set(cur) & set(base))
    result = GateResult(passed=True, max_drop=max_drop)
    result.new_cases = sorted(set(cur) - set(base))
    result.missing_cases = sorted(set(base) - set(cur))
    result.newly_failing = [c for c in shared if base[c]["passed"] and not cur[c]["passed"]]
    result.newly_passing = [c for c in shared if not base[c]["passed"] and cur[c]["passed"]]

    scopes: dict[str, list[str]] = {"overall": shared}
    for cid in shared:
        for tag in cur[cid]["tags"]:
            scopes.setdefault(f"tag:{tag}", []).append(cid)
    for scope, ids in scopes.items():
        if not ids:
            continue
        b = _pct([base[c]["passed"] for c in ids])
        n = _pct([cur[c]["passed"] for c in ids])
        ok = b - n <= max_drop + 1e-9
        result.rows.append(GateRow(scope, len(ids), b, n, ok))
        if not ok:
            lost = [c for c in ids if c in result.newly_failing]
            result.failures.append(
                f"{scope} 通过率从 {b:.2f}% 降到 {n:.2f}%（下降 {b - n:.2f} 个百分点 > {max_drop}）：{', '.join(lost)} / "
                f"{scope} pass rate fell {b - n:.2f} pp"
            )
    for cid in sorted(c for c in shared if cur[c]["wrong"] and not base[c]["wrong"]):
        result.failures.append(f"新的错误数字 new wrong figure: {cid}（答案给出了不是所问数量的数字）")
    critical = sorted(c for c, v in cur.items() if "critical" in v["tags"] and not v["passed"])
    for cid in critical:
        result.failures.append(f"关键用例失败 critical case failed: {cid}")
    if not shared:
        result.failures.append("本次结果与基线没有共同用例 / no cases in common with the baseline")
    result.passed = not result.failures
    return result

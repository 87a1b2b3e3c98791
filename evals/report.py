"""Present a run: the console table, `results.json` (everything) and `report.md` (for people)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from evals.gate import GateResult


def _r(x: dict[str, Any]) -> str:
    return "—" if x.get("rate") is None else f"{x['rate']:.1f}% ({x['passed']}/{x['total']})"


def _s(x: float | None) -> str:
    return "—" if x is None else f"{x:.3f}s"


def _hits(x: dict[str, Any]) -> str:
    return f"{x['hit_at_1']:.1f}% / {x['hit_at_5']:.1f}% / {x['mrr']:.3f} ({x['cases']} cases)"


def headline_rows(summary: dict[str, Any]) -> list[tuple[str, str]]:
    r = summary["retrieval"]
    sec = summary["seconds_per_question"]
    fr = summary["false_refusals"]
    rows = [
        (
            "通过率 overall pass rate",
            f"{summary['pass_rate'] or 0:.1f}% ({summary['passed']}/{summary['cases']})",
        ),
        ("数值准确率 numeric accuracy", _r(summary["numeric_accuracy"])),
        ("计算准确率 metric accuracy", _r(summary["metric_accuracy"])),
        ("引用准确率 citation accuracy (doc+page)", _r(summary["citation_accuracy"])),
        ("拒答准确率 refusal accuracy", _r(summary["refusal_accuracy"])),
        ("误拒答 false refusals", f"{fr['count']}/{fr['of']}"),
        ("文本检查 contains/not_contains", _r(summary["text_accuracy"])),
        ("有据率 grounded rate", _r(summary["grounded_rate"])),
        (
            f"检索（按用例的范围）hit@1 / hit@{r['k']} / MRR, as asked ({r['source'] or '—'})",
            "—"
            if r["hit_at_5"] is None
            else f"{r.get('hit_at_1') or 0:.1f}% / {r['hit_at_5']:.1f}% / {r['mrr']:.3f} ({r['cases']} cases)",
        ),
        *[
            (f"检索 {label} hit@1 / hit@{r['k']} / MRR", _hits(x))
            for label, key in (
                ("全部文档、不限定 all documents, no scope", "all_documents"),
                ("其中按身份路由 of which routed by identity", "all_documents_routed"),
                ("其中未点名文档 of which naming no document", "all_documents_unrouted"),
                ("未限定的问题 questions asked unscoped", "unscoped_questions"),
            )
            if (x := r.get(key)) and x.get("cases")
        ],
        (
            "每问耗时 median / p95 seconds",
            f"{_s(sec['median'])} / {_s(sec['p95'])} ({sec['questions']} questions)",
        ),
        ("出错 errors", str(summary["errors"])),
    ]
    if summary["skipped_checks"]:
        skipped = ", ".join(f"{k}×{v}" for k, v in sorted(summary["skipped_checks"].items()))
        rows.append(("跳过的检查 skipped checks", skipped))
    return rows


def failing(results: list[dict[str, Any]]) -> list[tuple[str, str]]:
    out = []
    for r in results:
        if r["passed"]:
            continue
        if r["error"]:
            out.append((r["id"], r["error"]))
            continue
        whys = [
            (f"第{i + 1}轮 " if len(r["turns"]) > 1 else "") + f"{c['kind']}: {c['why']}"
            for i, t in enumerate(r["turns"])
            for c in t["checks"]
            if not c["passed"] and not c["skipped"]
        ]
        out.append((r["id"], "；".join(whys)))
    return out


def print_report(run: Any, console: Console, gate: GateResult | None = None) -> None:
    summary = run.summary
    tags = Table(title="按标签通过率 pass rate by tag", show_lines=False)
    tags.add_column("tag")
    tags.add_column("cases", justify="right")
    tags.add_column("passed", justify="right")
    tags.add_column("rate", justify="right")
    for tag, x in summary["tags"].items():
        tags.add_row(tag, str(x["total"]), str(x["passed"]), f"{x['rate']:.1f}%")
    tags.add_row(
        "[bold]overall[/]",
        str(summary["cases"]),
        str(summary["passed"]),
        f"[bold]{summary['pass_rate'] or 0:.1f}%[/]",
    )
    console.print(tags)
    head = Table(title=f"评测结果 results — {run.meta.get('target', '')}")
    head.add_column("figure")
    head.add_column("value", justify="right")
    for k, v in headline_rows(summary):
        head.add_row(k, v)
    console.print(head)
    if run.meta.get("skipped_check_kinds"):
        console.print(
            f"[yellow]该目标不返回结构化结果，以下检查被跳过：{', '.join(run.meta['skipped_check_kinds'])}[/]"
        )
    fails = failing(run.results)
    if fails:
        t = Table(title=f"未通过的用例 failing cases ({len(fails)})", show_lines=True)
        t.add_column("case")
        t.add_column("why")
        for cid, why in fails:
            t.add_row(cid, why)
        console.print(t)
    if gate is not None:
        if gate.passed:
            console.print(f"[green]门禁通过 gate passed[/] (max drop {gate.max_drop} pp)")
        else:
            console.print("[red bold]门禁未通过 gate FAILED[/]")
            for f in gate.failures:
                console.print(f"  [red]- {f}[/]")


def render_markdown(run: Any, gate: GateResult | None = None) -> str:
    s, meta = run.summary, run.meta
    lines = [
        "# jixiao eval report",
        "",
        f"- target: {meta.get('target')}",
        f"- started: {meta.get('started_at')} ({meta.get('seconds_total')} s in all)",
        f"- retrieval measured on: {meta.get('retrieval_source')}",
    ]
    if meta.get("skipped_check_kinds"):
        lines.append(
            f"- **skipped checks** (the target returns no citation/computation structure): "
            f"{', '.join(meta['skipped_check_kinds'])} — counts: "
            + ", ".join(f"{k}×{v}" for k, v in sorted(s["skipped_checks"].items()))
        )
    lines += ["", "## Headline", "", "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in headline_rows(s)]
    lines += ["", "## Pass rate by tag", "", "| tag | cases | passed | rate |", "|---|---:|---:|---:|"]
    lines += [f"| {t} | {x['total']} | {x['passed']} | {x['rate']:.1f}% |" for t, x in s["tags"].items()]
    lines.append(f"| **overall** | {s['cases']} | {s['passed']} | **{s['pass_rate'] or 0:.1f}%** |")
    fails = failing(run.results)
    lines += ["", f"## Failing cases ({len(fails)})", ""]
    lines += [f"- `{cid}` — {why}" for cid, why in fails] or ["(none)"]
    if gate is not None:
        lines += [
            "",
            f"## Gate against baseline: {'PASSED' if gate.passed else 'FAILED'} (max drop {gate.max_drop} pp)",
            "",
        ]
        lines += [f"- {f}" for f in gate.failures]
        lines += ["", "| scope | cases | baseline | current | Δ pp |", "|---|---:|---:|---:|---:|"]
        lines += [
            f"| {r.scope} | {r.cases} | {r.baseline:.1f}% | {r.current:.1f}% | {r.delta:+.1f} |"
            for r in gate.rows
        ]
        for label, ids in (
            ("newly failing", gate.newly_failing),
            ("newly passing", gate.newly_passing),
            ("new cases (not in baseline)", gate.new_cases),
        ):
            if ids:
                lines.append(f"\n{label}: {', '.join(ids)}")
    lines += [
        "",
        "## All cases",
        "",
        "| case | tags | pass | seconds | answer (first 80 chars) |",
        "|---|---|---|---:|---|",
    ]
    for r in run.results:
        answer = (
            (r["turns"][-1]["answer"] if r["turns"] else r["error"] or "")
            .replace("\n", " ")
            .replace("|", "｜")
        )
        lines.append(
            f"| {r['id']} | {', '.join(r['tags'])} | {'✅' if r['passed'] else '❌'} | {r['seconds']:.2f} | {answer[:80]} |"
        )
    return "\n".join(lines) + "\n"


def write_outputs(run: Any, out_dir: Path, gate: GateResult | None = None) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = run.to_json()
    if gate is not None:
        data["gate"] = gate.to_dict()
    results = out_dir / "results.json"
    results.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    report = out_dir / "report.md"
    report.write_text(render_markdown(run, gate), encoding="utf-8")
    return results, report

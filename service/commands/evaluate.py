"""`jixiao eval` — run the regression evals and (with --baseline) gate on the result."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ingest.errors import JixiaoError


def eval_command(
    cases: Annotated[
        list[Path] | None,
        typer.Argument(help="用例 YAML 文件或目录（默认 evals/cases/）/ case files or dirs"),
    ] = None,
    answerer: Annotated[
        str, typer.Option(help="进程内答题器 in-process answerer: deterministic | llm")
    ] = "deterministic",
    endpoint: Annotated[
        str | None,
        typer.Option(help="评测运行中的服务：…/api/v1/chat（jixiao）或 …/v1/chat/completions（OpenAI 兼容）"),
    ] = None,
    api_key: Annotated[str | None, typer.Option("--api-key", help="endpoint 的 Bearer key")] = None,
    model: Annotated[
        str | None, typer.Option(help="OpenAI 兼容端点的模型 id（默认 /v1/models 的第一个）")
    ] = None,
    baseline: Annotated[
        Path | None, typer.Option(help="与基线比较，回退则退出码非零 / gate against this baseline")
    ] = None,
    max_drop: Annotated[
        float, typer.Option("--max-drop", help="允许的最大下降（百分点）/ allowed drop, pp")
    ] = 5.0,
    out: Annotated[Path | None, typer.Option(help="写出 results.json 与 report.md 的目录")] = None,
    tags: Annotated[
        list[str] | None,
        typer.Option(
            "--tags", help="只跑含这些标签的用例（可重复或逗号分隔）/ only cases with any of these tags"
        ),
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="进程内评测用的数据目录（默认临时目录）")
    ] = None,
    documents_dir: Annotated[
        Path | None, typer.Option("--documents-dir", help="用例文档所在目录（默认 tests/fixtures）")
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option("--write-baseline", help="把本次结果写成基线文件 / write this run as a baseline"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="不显示进度条")] = False,
    sets: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="评测集 dev | corpus | generated | sequestered | all；portfolio（204 份生成的自评表和 24 份生成的项目支出评价报告，不在 all 中）（可重复；给出时忽略 CASES）/ eval sets",
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            help="shared：所有文档在一个数据目录（用例限定在自己的文档，unscoped 除外）；separate：每个文档一个数据目录；both"
        ),
    ] = "shared",
    seed: Annotated[
        int | None,
        typer.Option(help="合成报告的随机种子（默认每次新种子）/ generator seed (replay a failure)"),
    ] = None,
) -> None:
    """运行回归评测：按标签打印通过率、数值/引用/拒答准确率、检索 hit@5 与 MRR、耗时；可与基线比较。"""
    from evals.gate import compare, load_json, make_baseline
    from evals.report import print_report, write_outputs
    from evals.runner import evaluate
    from evals.schema import load_cases

    console = Console()
    if answerer not in ("deterministic", "llm"):
        console.print(f"[red]--answerer 只能是 deterministic 或 llm（收到 {answerer}）[/]")
        raise typer.Exit(2)
    if mode not in ("shared", "separate", "both"):
        console.print(f"[red]--mode 只能是 shared、separate 或 both（收到 {mode}）[/]")
        raise typer.Exit(2)
    if sets:
        _run_sets(sets, mode, seed, answerer, baseline, max_drop, out, write_baseline, tags, quiet, console)
        return
    try:
        wanted = [t.strip() for item in tags or [] for t in item.split(",") if t.strip()]
        selected = load_cases(cases or None, tags=wanted or None)
        if not selected:
            console.print("[red]没有符合条件的用例 / no cases match[/]")
            raise typer.Exit(2)
        base = load_json(baseline) if baseline else None
        tag_note = f"（标签 {', '.join(wanted)}）" if wanted else ""
        console.print(f"评测 {len(selected)} 个用例{tag_note} / running {len(selected)} cases")
        run = evaluate(
            selected,
            answerer=answerer,
            endpoint=endpoint,
            api_key=api_key,
            model=model,
            data_dir=data_dir,
            documents_dir=documents_dir,
            mode="separate" if mode == "separate" else "shared",
            console=console,
            progress=not quiet,
        )
    except JixiaoError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    gate = compare(run.to_json(), base, max_drop=max_drop) if base is not None else None
    print_report(run, console, gate)
    if out:
        results, report = write_outputs(run, out, gate)
        console.print(f"已写出 wrote {results} 与 {report}")
    if write_baseline:
        write_baseline.write_text(
            json.dumps(make_baseline(run.to_json()), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        console.print(f"已写出基线 wrote baseline {write_baseline}")
    if gate is not None and not gate.passed:
        raise typer.Exit(1)


def _run_sets(
    sets: list[str],
    mode: str,
    seed: int | None,
    answerer: str,
    baseline: Path | None,
    max_drop: float,
    out: Path | None,
    write_baseline: Path | None,
    tags: list[str] | None,
    quiet: bool,
    console: Console,
) -> None:
    """Several sets, each reported on its own, in one or both modes (`make eval`, `make test`)."""
    from evals.gate import load_json
    from evals.sets import SET_NAMES
    from evals.suite import gate_suite, make_suite_baseline, print_suite, run_suite, write_suite

    names = [n.strip() for item in sets for n in item.split(",") if n.strip()]
    names = list(SET_NAMES) if "all" in names else list(dict.fromkeys(names))
    modes = ["separate", "shared"] if mode == "both" else [mode]
    wanted = [t.strip() for item in tags or [] for t in item.split(",") if t.strip()]
    try:
        base = load_json(baseline) if baseline else None
        suite = run_suite(
            names,
            modes,
            seed=seed,
            answerer=answerer,
            console=console,
            progress=not quiet,
            tags=wanted or None,
        )
    except JixiaoError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from exc
    print_suite(suite, console)
    gates = gate_suite(suite, base, max_drop=max_drop) if base is not None else {}
    if out:
        console.print(f"已写出 wrote {write_suite(suite, out, gates)}")
    if write_baseline:
        data = make_suite_baseline(suite)
        if write_baseline.is_file():  # keep what other runs recorded there (the checker's figures)
            old = json.loads(write_baseline.read_text(encoding="utf-8"))
            data = {**{k: v for k, v in old.items() if k == "checker"}, **data}
        write_baseline.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        console.print(f"已写出基线 wrote baseline {write_baseline}")
    failed = {k: g for k, g in gates.items() if not g.passed}
    for key, g in gates.items():
        mark = "[green]门禁通过 gate passed[/]" if g.passed else "[red bold]门禁未通过 gate FAILED[/]"
        console.print(f"{key}: {mark}")
        for f in g.failures:
            console.print(f"  [red]- {f}[/]")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command(name="eval")(eval_command)

"""Run eval cases against a target and collect per-case results and the summary figures.

In-process, the documents the cases name are ingested (`ingest.index.ingest_paths`) into a data
dir — a temporary one unless given — and the Assistant answers there with the answerer asked for.
With an endpoint, the endpoint's own documents are used; file names map to doc_ids by content hash.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from evals.checks import STRUCTURED_CHECKS, AnswerView, CheckResult, is_refusal, run_checks, wrong_figures
from evals.schema import EVALS_DIR, Case
from evals.targets import Conversation, InProcessTarget, RetrievedPage, Target, endpoint_target
from ingest.errors import BadDocument, JixiaoError

DEFAULT_DOCUMENTS_DIR = EVALS_DIR.parent / "tests" / "fixtures"
RETRIEVAL_K = 5


@dataclass
class EvalRun:
    results: list[dict[str, Any]]
    summary: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"meta": self.meta, "summary": self.summary, "cases": self.results}


# ---------------------------------------------------------------- documents


def documents_for(cases: Iterable[Case]) -> list[str]:
    return sorted({d for c in cases for d in c.documents})


def resolve_documents(
    names: Iterable[str], documents_dir: Path | None = None, *, documents_dirs: Iterable[Path] = ()
) -> list[Path]:
    """Each named file from the first directory that holds it (`documents_dir` first, then the
    sets' own directories, then tests/fixtures)."""
    bases = [d for d in (documents_dir, *documents_dirs) if d is not None] + [DEFAULT_DOCUMENTS_DIR]
    paths, missing = [], []
    for name in names:
        found = next((b / name for b in bases if (b / name).is_file()), None)
        if found is not None:
            paths.append(found)
        else:
            missing.append(bases[0] / name)
    if missing:
        raise BadDocument(
            f"找不到评测用例需要的文档：{', '.join(map(str, missing))}（用 --documents-dir 指定目录）/ "
            f"documents the cases need are missing: {', '.join(map(str, missing))} (use --documents-dir)"
        )
    return paths


def ingest_documents(settings: Any, paths: list[Path]) -> None:
    from ingest.index import ingest_paths

    records = ingest_paths(settings, paths)
    bad = [r for r in records if r.status not in ("ok", "unchanged")]
    if bad:
        detail = "; ".join(f"{Path(r.path).name}: {r.status} {r.message}" for r in bad)
        raise BadDocument(f"评测文档入库失败：{detail} / ingesting the eval documents failed: {detail}")


# ---------------------------------------------------------------- one case


def _relevant(expect: dict[str, Any], doc_ids: dict[str, str]) -> list[tuple[str, list[int]]]:
    out = []
    for spec in expect.get("citations", []):
        doc_id = doc_ids.get(spec["doc"])
        if doc_id:
            pages = spec["page"] if isinstance(spec["page"], list) else [spec["page"]]
            out.append((doc_id, [int(p) for p in pages]))
    return out


def rank_of_first_relevant(ranked: list[RetrievedPage], relevant: list[tuple[str, list[int]]]) -> int | None:
    """1-based rank of the first passage on a page some expected citation names."""
    for rank, (doc_id, first, last) in enumerate(ranked, 1):
        for want_doc, pages in relevant:
            if doc_id == want_doc and any(first <= p <= last for p in pages):
                return rank
    return None


def _ranks(ranked: list[RetrievedPage], relevant: list[tuple[str, list[int]]]) -> dict[str, Any]:
    rank = rank_of_first_relevant(ranked[:RETRIEVAL_K], relevant)
    return {
        "rank": rank,
        "hit_at_1": rank == 1,
        "hit_at_5": rank is not None,
        "rr": 1.0 / rank if rank else 0.0,
    }


def _retrieval(
    case: Case,
    target: Target,
    last: AnswerView | None,
    doc_ids: dict[str, str],
    document_ids: list[str] | None = None,
) -> dict[str, Any] | None:
    """Where the evidence page ranks in what the answer was built from: the retriever asked with
    the same `document_ids` as the case (its own documents in a scoped run, as the widget's picker
    or a conversation's scope asks; every document for an `unscoped` case), or the answer's own
    citations. With the retriever, `all_documents` also ranks the question over every loaded
    document with no scope: whether the question's words alone find the right document."""
    relevant = _relevant(case.expect, doc_ids)
    if not relevant:
        return None
    ranked: list[RetrievedPage] | None
    everywhere: list[RetrievedPage] | None = None
    if target.retrieval_source == "retriever":
        if case.is_conversation:
            return None  # a follow-up's words alone are not a query; measured on single questions only
        ranked = target.retrieve(case.question, k=RETRIEVAL_K, document_ids=document_ids)
        everywhere = ranked if document_ids is None else target.retrieve(case.question, k=RETRIEVAL_K)
        routed = getattr(target, "routed", None)  # the documents the unscoped search was routed to
    elif target.retrieval_source == "citations" and last is not None and last.citations is not None:
        ordered = sorted(last.citations, key=lambda c: int(c.get("n", 0)))
        ranked = [(str(c.get("doc_id")), int(c.get("page", 0)), int(c.get("page", 0))) for c in ordered]
    else:
        return None
    if ranked is None:
        return None
    return {
        "source": target.retrieval_source,
        "scoped": document_ids is not None,
        "relevant": [{"doc_id": d, "pages": p} for d, p in relevant],
        "ranked": [list(r) for r in ranked[:RETRIEVAL_K]],
        **_ranks(ranked, relevant),
        "all_documents": {**_ranks(everywhere, relevant), "routed": routed}
        if everywhere is not None
        else None,
    }


def case_scope(case: Case, doc_ids: dict[str, str], *, scoped: bool) -> list[str] | None:
    """The document_ids a case is asked with: its own documents (as the widget's document picker
    does) when the run scopes cases or the case says `restrict`; every document when `unscoped`."""
    if case.unscoped or not (scoped or case.restrict):
        return None
    return [doc_ids[d] for d in case.documents if d in doc_ids] or None


def run_case(case: Case, target: Target, doc_ids: dict[str, str], *, scoped: bool = False) -> dict[str, Any]:
    conversation = Conversation()
    document_ids = case_scope(case, doc_ids, scoped=scoped)
    turns: list[dict[str, Any]] = []
    error: str | None = None
    last: AnswerView | None = None
    for i, turn in enumerate(case.turns):
        started = time.perf_counter()
        try:
            view = target.ask(conversation, turn.question, document_ids=document_ids)
        except JixiaoError as exc:
            error = f"第{i + 1}轮出错 / turn {i + 1} failed: {exc}"
            break
        except Exception as exc:
            error = f"第{i + 1}轮异常 / turn {i + 1} raised {type(exc).__name__}: {exc}"
            break
        seconds = time.perf_counter() - started
        checks = run_checks(turn.expect, view, question=turn.question, doc_ids=doc_ids) if turn.expect else []
        if not target.structured:
            checks = [_skip(c) if c.kind in STRUCTURED_CHECKS else c for c in checks]
        turns.append(
            {
                "question": turn.question,
                **view.to_dict(),
                "seconds": round(seconds, 4),
                "checks": [c.to_dict() for c in checks],
            }
        )
        last = view
    all_checks = [c for t in turns for c in t["checks"]]
    passed = error is None and all(c["passed"] for c in all_checks if not c["skipped"])
    try:
        retrieval = _retrieval(case, target, last, doc_ids, document_ids) if error is None else None
    except Exception as exc:
        retrieval = {"source": target.retrieval_source, "error": str(exc)}
    final_checks = [CheckResult(**c) for c in turns[-1]["checks"]] if turns and error is None else []
    wrong = wrong_figures(case.expect, last, case.question, final_checks) if last is not None else []
    return {
        "id": case.id,
        "tags": list(case.tags),
        "set": case.set,
        "doc_type": case.doc_type,
        "documents": list(case.documents),
        "source": case.source,
        "note": case.note,
        "passed": passed,
        "wrong_figures": wrong,
        "error": error,
        "seconds": round(sum(t["seconds"] for t in turns), 4),
        "refused_unexpectedly": bool(
            last is not None and not case.expect.get("refuse") and is_refusal(last.answer)
        ),
        "turns": turns,
        "retrieval": retrieval,
    }


def _skip(check: CheckResult) -> CheckResult:
    return CheckResult(
        check.kind,
        False,
        "该目标不返回结构化结果，跳过 / skipped: target gives no structure",
        check.expected,
        skipped=True,
    )


# ---------------------------------------------------------------- summary


def _rate(passed: int, total: int) -> dict[str, Any]:
    return {"passed": passed, "total": total, "rate": round(100.0 * passed / total, 2) if total else None}


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def _group(results: list[dict[str, Any]], keys: Any) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        for k in keys(r):
            groups.setdefault(str(k), []).append(r)
    return {
        k: {
            **_rate(sum(r["passed"] for r in v), len(v)),
            "wrong_figures": sum(bool(r.get("wrong_figures")) for r in v),
        }
        for k, v in sorted(groups.items())
    }


def _hit_rates(ranks: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(ranks)
    return {
        "cases": n,
        "hit_at_1": round(100.0 * sum(x.get("hit_at_1", x["rank"] == 1) for x in ranks) / n, 2)
        if n
        else None,
        "hit_at_5": round(100.0 * sum(x["hit_at_5"] for x in ranks) / n, 2) if n else None,
        "mrr": round(sum(x["rr"] for x in ranks) / n, 4) if n else None,
    }


def summarize(results: list[dict[str, Any]], *, retrieval_source: str = "") -> dict[str, Any]:
    tags: dict[str, list[bool]] = {}
    for r in results:
        for t in r["tags"]:
            tags.setdefault(t, []).append(r["passed"])
    checks = [c for r in results for t in r["turns"] for c in t["checks"]]

    def kind_rate(*kinds: str) -> dict[str, Any]:
        live = [c for c in checks if c["kind"] in kinds and not c["skipped"]]
        return _rate(sum(c["passed"] for c in live), len(live))

    finals = [r["turns"][-1] for r in results if r["turns"]]
    known = [t for t in finals if t.get("grounded") is not None]
    retr = [r["retrieval"] for r in results if r.get("retrieval") and "hit_at_5" in r["retrieval"]]
    everywhere = [x["all_documents"] for x in retr if x.get("all_documents")]
    seconds = [t["seconds"] for r in results for t in r["turns"]]
    answerable = [
        r for r in results if not any(c["kind"] == "refuse" for t in r["turns"] for c in t["checks"])
    ]
    return {
        "cases": len(results),
        "passed": sum(r["passed"] for r in results),
        "wrong_figures": {
            "count": sum(1 for r in results if r.get("wrong_figures")),
            "cases": {r["id"]: r["wrong_figures"] for r in results if r.get("wrong_figures")},
        },
        "by_set": _group(results, lambda r: [r.get("set") or "—"]),
        "by_doc_type": _group(results, lambda r: [r.get("doc_type") or "—"]),
        "by_document": _group(results, lambda r: r.get("documents") or ["—"]),
        "pass_rate": _rate(sum(r["passed"] for r in results), len(results))["rate"],
        "tags": {t: _rate(sum(v), len(v)) for t, v in sorted(tags.items())},
        "numeric_accuracy": kind_rate("value"),
        "metric_accuracy": kind_rate("metric"),
        "citation_accuracy": kind_rate("citation"),
        "refusal_accuracy": kind_rate("refuse"),
        "false_refusals": {
            "count": sum(r["refused_unexpectedly"] for r in answerable),
            "of": len(answerable),
        },
        "text_accuracy": kind_rate("contains", "not_contains"),
        "grounded_rate": _rate(sum(bool(t["grounded"]) for t in known), len(known)),
        "retrieval": {
            "source": retrieval_source,
            "k": RETRIEVAL_K,
            **_hit_rates(retr),
            # the same questions over every loaded document, none scoped (the retriever only)
            "all_documents": _hit_rates(everywhere),
            # of those, the questions the retriever routed to the documents they name by unit,
            # project or year, and the ones that name none (这个项目…: searched over every document)
            "all_documents_routed": _hit_rates([x for x in everywhere if x.get("routed")]),
            "all_documents_unrouted": _hit_rates([x for x in everywhere if not x.get("routed")]),
            # the questions asked with no scope (`unscoped` cases: they name their document)
            "unscoped_questions": _hit_rates([x for x in retr if x.get("scoped") is False]),
        },
        "seconds_per_question": {
            "questions": len(seconds),
            "median": round(statistics.median(seconds), 4) if seconds else None,
            "p95": round(p, 4) if (p := percentile(seconds, 95)) is not None else None,
        },
        "skipped_checks": dict(Counter(c["kind"] for c in checks if c["skipped"])),
        "errors": sum(1 for r in results if r["error"]),
        "answerers": dict(Counter(t.get("answerer", "") for t in finals)),
    }


# ---------------------------------------------------------------- the whole run


def run_cases(
    cases: list[Case],
    target: Target,
    doc_ids: dict[str, str],
    *,
    console: Console | None = None,
    progress: bool = True,
    scoped: bool = False,
    label: str = "",
) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    bar = Progress(
        TextColumn(f"[bold]评测 eval{(' ' + label) if label else ''}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=not progress,
        transient=False,
    )
    with bar:
        task = bar.add_task("", total=len(cases))
        for case in cases:
            bar.update(task, description=case.id)
            results.append(run_case(case, target, doc_ids, scoped=scoped))
            bar.advance(task)
    return results


def _in_process(paths: list[Path], data_dir: Path, answerer: str, console: Console | None) -> Target:
    from service.config import Settings

    overrides: dict[str, Any] = {"data_dir": data_dir}
    if answerer == "deterministic":
        overrides |= {"llm_base_url": None, "llm_gguf": None}
    settings = Settings(**overrides)
    if paths:
        if console:
            console.print(f"入库评测文档 ingesting {len(paths)} document(s) into {data_dir} …")
        ingest_documents(settings, paths)
    return InProcessTarget(settings, answerer=answerer)


def _warm_up(target: Target) -> float | None:
    if target.retrieval_source != "retriever":
        return None
    # load the embedding model and keyword index before the clock starts on question 1
    t0 = time.perf_counter()
    target.retrieve("预算执行率", k=1)
    return round(time.perf_counter() - t0, 3)


def _groups(cases: list[Case]) -> list[tuple[tuple[str, ...], list[Case]]]:
    groups: dict[tuple[str, ...], list[Case]] = {}
    for c in cases:
        groups.setdefault(tuple(sorted(c.documents)), []).append(c)
    return list(groups.items())


def evaluate(
    cases: list[Case],
    *,
    answerer: str = "deterministic",
    endpoint: str | None = None,
    api_key: str | None = None,
    model: str | None = None,
    data_dir: Path | None = None,
    documents_dir: Path | None = None,
    documents_dirs: Iterable[Path] = (),
    mode: str = "shared",
    console: Console | None = None,
    progress: bool = True,
) -> EvalRun:
    """Run `cases` in-process or against `endpoint`, and return per-case results with the summary.

    `mode="shared"`: every document in one data dir (`data_dir`, a temp dir when None), each case
    scoped to its own documents unless it is `unscoped` — the realistic deployment.
    `mode="separate"`: one data dir per set of documents a case needs (under `data_dir` or a temp
    dir), the case asked over those alone. An endpoint always answers over its own documents."""
    if mode not in ("shared", "separate"):
        raise ValueError(f"mode must be shared or separate, not {mode!r}")
    names = documents_for(cases)
    paths = resolve_documents(names, documents_dir, documents_dirs=documents_dirs) if names else []
    by_name = {p.name: p for p in paths}
    temp: Path | None = None
    target: Target | None = None
    warm_up: float | None = None
    started = datetime.now(UTC)
    results: list[dict[str, Any]] = []
    doc_ids: dict[str, str] = {}
    try:
        if endpoint:
            target = endpoint_target(endpoint, api_key=api_key, model=model)
            try:
                doc_ids = target.doc_ids(paths)
                results = run_cases(cases, target, doc_ids, console=console, progress=progress, scoped=True)
            finally:
                target.close()
        else:
            if data_dir is None:
                temp = data_dir = Path(tempfile.mkdtemp(prefix="jixiao-eval-"))
            groups = [((), cases)] if mode == "shared" else _groups(cases)
            by_id: dict[str, dict[str, Any]] = {}
            for i, (docs, group) in enumerate(groups):
                where = data_dir if mode == "shared" else data_dir / f"doc-{i:03d}"
                group_paths = paths if mode == "shared" else [by_name[d] for d in docs if d in by_name]
                target = _in_process(group_paths, where, answerer, console if progress else None)
                try:
                    ids = target.doc_ids(group_paths)
                    doc_ids.update(ids)
                    if warm_up is None:
                        warm_up = _warm_up(target)
                    label = "" if mode == "shared" else f"{i + 1}/{len(groups)} {', '.join(docs)[:60]}"
                    for r in run_cases(
                        group, target, ids, console=console, progress=progress, scoped=True, label=label
                    ):
                        by_id[r["id"]] = r
                finally:
                    target.close()
            results = [by_id[c.id] for c in cases]
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
    source = target.retrieval_source if target is not None else "none"
    summary = summarize(results, retrieval_source=source)
    skipped = sorted(summary["skipped_checks"])
    meta = {
        "started_at": started.isoformat(timespec="seconds"),
        "seconds_total": round((datetime.now(UTC) - started).total_seconds(), 2),
        "target": target.label if target is not None else "",
        "target_kind": target.kind if target is not None else "",
        "answerer": answerer if not endpoint else "",
        "mode": mode if not endpoint else "endpoint",
        "structured": target.structured if target is not None else False,
        "skipped_check_kinds": skipped,
        "retrieval_source": {
            "retriever": f"the retriever's top {RETRIEVAL_K} passages for each single question (not follow-ups), "
            "asked with the case's documents as its scope (every document for an unscoped case); "
            "'all documents': the same questions with no scope",
            "citations": f"the answer's citations ranked by n (top {RETRIEVAL_K})",
            "none": "not measured: the target returns no citations",
        }[source],
        "documents": {name: doc_ids.get(name) for name in names},
        "warm_up_seconds": warm_up,
    }
    return EvalRun(results=results, summary=summary, meta=meta)

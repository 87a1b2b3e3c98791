"""A cross-document question over 10,000 generated forms, no LLM. `python -m benchmarks portfolio_forms`

The store holds 10,000 项目支出绩效自评表 records (evals/generator: 400 units × 25 years' worth of
seeds, figures drawn per form) written straight into SQLite as ingest would leave them (manifest,
identity, form record; no vectors: the question path reads none). Each question goes through
`Portfolio.route` as `Assistant.ask` calls it (scope, query, rows from the form records, the
operation, the metrics module); the first question is timed on its own (it reads every form record),
then each question once to warm up and twice timed: median per question, p95 over all. Then one form
is added and one document removed (each changes the store's generation): the first question after
each is timed (only what changed is read again; the rest of the rows are kept per document version).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import Rows, print_rows

FORMS = 10_000
UNITS = 400
QUESTIONS = (
    "2021年哪些项目预算执行率低于90%？",
    "自评得分最低的五个项目",
    "2022年全部项目的预算总额和执行总额是多少？平均执行率？",
    "2023年哪些单位的满意度指标没完成？",
    "连续两年得分下降的项目有哪些？",
    "预算执行率是多少？",
)


def _p95(samples: list[float]) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]


def _cell(text: str, value: Any, unit: str = "", *, percent: bool = False) -> dict[str, Any]:
    return {"text": text, "value": None if value is None else str(value), "unit": unit,
            "where": {"sheet": "表1", "cell": "A1"}, "is_percent": percent}  # fmt: skip


def _record(form: Any) -> dict[str, Any]:
    """A generated form as the record `ingest.forms` reads from it (the fields the question path uses)."""
    tot = form.funds["年度资金总额"]
    rate = (tot["e"] / tot["b1"] * 100).quantize(type(tot["e"])("0.01"))
    funds = [{"label": "年度资金总额", "kind": "total", "cells": {
        "budget": _cell(f"{tot['b1']:.2f}", tot["b1"], form.unit), "spent": _cell(f"{tot['e']:.2f}", tot["e"], form.unit),
        "rate": _cell(f"{rate}%", rate, "%", percent=True)}}]  # fmt: skip
    indicators = [
        {"level1": i.l1, "level2": i.l2, "level3": i.l3, "target": _cell(i.target_text, None),
         "actual": _cell(i.actual_text, None), "max": _cell(str(i.max), i.max, "分"), "score": _cell(str(i.score), i.score, "分"),
         "comparator": {"≥": "≥", "不低于": "≥", "达到": "≥", "≤": "≤"}.get(i.cmp, ""),
         "target_value": str(i.target) if i.cmp else None, "actual_value": str(i.actual) if i.cmp else None}
        for i in form.inds
    ]  # fmt: skip
    return {"kind": form.kind, "title": form.title, "year": form.year, "source": "", "sheet": "表1",
            "header": {"project": _cell(form.name, None), "agency": _cell(form.agency, None)},
            "money_unit": form.unit, "funds": funds, "indicators": indicators,
            "total_score": _cell(str(form.total), form.total, "分"), "total_max": _cell("100", 100, "分")}  # fmt: skip


def _units() -> list[tuple[str, str]]:
    from evals.generator.portfolio import units_of

    return [(f"{n:03d}号{u}", p) for n in range(UNITS // 40 + 1) for u, p in units_of(1, 40)][:UNITS]


def _fill(store: Any, first: int = 0, count: int = FORMS, *, bump: bool = False) -> float:
    """Write forms `first`..`first + count - 1` as ingest would leave them (`bump`: and change the
    store's generation, as publishing a document does)."""
    from sqlalchemy import insert

    from evals.generator.selfeval import make_form
    from ingest import _schema as S

    started = time.perf_counter()
    units = _units()
    docs, forms, idents = [], [], []
    for i in range(first, first + count):
        unit, project = units[i % UNITS]
        year = 2000 + i // UNITS
        f = make_form(i, year=year, agency=unit, implementer=unit, project=project, dept=False)
        doc_id = f"{i:016x}"
        docs.append({"doc_id": doc_id, "sha256": doc_id * 4, "path": f"/bench/{doc_id}.xlsx", "title": f.title,
                     "year": year, "kind": "report", "status": "ok", "ingested_at": f"{i:08d}"})  # fmt: skip
        forms.append({"id": f"{doc_id}:f00", "doc_id": doc_id, "index": 0, "kind": f.kind, "name": f.name,
                      "year": year, "record": _record(f)})  # fmt: skip
        idents.append({"doc_id": doc_id, "unit": unit, "project": project, "year": year, "period": "",
                       "kind": "self_form", "evaluator": "self", "agency": unit})  # fmt: skip
    with store.engine.begin() as conn:
        conn.execute(insert(S.documents), docs)
        conn.execute(insert(S.forms), forms)
        conn.execute(insert(S.identities), idents)
        if bump:
            store._bump_generation(conn)
    return time.perf_counter() - started


def _remove(store: Any, i: int) -> None:
    """Hide one document, as `jixiao delete` does first (the store's generation changes)."""
    store.hide(f"{i:016x}")


def run() -> Rows:
    from ingest.store import Store
    from service.config import Settings
    from service.portfolio import Portfolio

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-forms-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", llm_base_url=None, llm_gguf=None)
        store = Store.open(settings)
        try:
            fill_s = _fill(store)
            portfolio = Portfolio(store)

            def ask(q: str) -> Any:
                return portfolio.route(q, history=[], document_ids=None, answer_one=lambda *_: None)  # type: ignore[arg-type,return-value]

            t0 = time.perf_counter()
            ask(QUESTIONS[0])  # the first question reads every form record once
            cold_s = time.perf_counter() - t0
            samples: dict[str, list[float]] = {q: [] for q in QUESTIONS}
            rows_seen = {}
            for rnd in range(3):
                for q in QUESTIONS:
                    t0 = time.perf_counter()
                    routed = ask(q)
                    if rnd:
                        samples[q].append(time.perf_counter() - t0)
                    rows_seen[q] = len((routed.answer.table or {}).get("rows", [])) if routed.answer else 0
            # a change to the store: the next question reads what changed
            _fill(store, FORMS, 1, bump=True)
            t0 = time.perf_counter()
            added = ask(QUESTIONS[1])
            added_s = time.perf_counter() - t0
            _remove(store, 0)
            t0 = time.perf_counter()
            ask(QUESTIONS[1])
            removed_s = time.perf_counter() - t0
            assert added.answer is not None
        finally:
            store.close()
    every = [s for v in samples.values() for s in v]
    out: Rows = [("forms in the store", f"{FORMS} ({UNITS} units), written in {fill_s:.1f} s")]
    out.append(("first question (reads every form record)", f"{cold_s:.1f} s"))
    out.append(("first question after one form is added", f"{1000 * added_s:.0f} ms"))
    out.append(("first question after one document is removed", f"{1000 * removed_s:.0f} ms"))
    for q, s in samples.items():
        out.append((q, f"median {1000 * statistics.median(s):.0f} ms, {rows_seen[q]} rows"))
    out.append(
        (
            "all questions",
            f"median {1000 * statistics.median(every):.0f} ms, p95 {1000 * _p95(every):.0f} ms (n={len(every)})",
        )
    )
    return out


if __name__ == "__main__":
    print_rows("portfolio_forms", run())

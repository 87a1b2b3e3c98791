"""A batch: draw the documents, write their HTML, render the PDFs in one LibreOffice run, find the
page of every cited figure with `pdftotext`, and write cases.yaml and planted.json."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from evals.generator import dept, form, report, scores
from evals.generator.common import Cand, Ctx, Doc, draw_ctx, plain

# doc_type, slug, 中文, builder, big amounts
TYPES = [
    ("project_report", "prj", "项目支出绩效评价报告", report.build_report, False),
    ("department_report", "dept", "部门整体支出绩效评价报告", dept.build, True),
    ("project_form", "form", "项目支出绩效自评表", form.build, False),
    ("score_table", "score", "绩效评价得分表", scores.build, False),
    ("synthetic_report", "text", "绩效评价报告（纯文字）", report.build_text, False),
]


@dataclass
class Generated:
    doc: Doc
    cases: list[Cand]


def plan(seed: int, count: int) -> list[tuple[int, int, int]]:
    """(index, type index, document seed) for each document. Types go round in shuffled blocks of
    five, so any five consecutive documents cover every type; a longer batch starts with the
    documents of a shorter one (same seed)."""
    master = random.Random(seed)
    out: list[tuple[int, int, int]] = []
    block: list[int] = []
    for i in range(count):
        if not block:
            block = list(range(len(TYPES)))
            master.shuffle(block)
        out.append((i, block.pop(0), master.getrandbits(64)))
    return out


def doc_name(seed: int, i: int, type_index: int) -> str:
    return f"gen{seed}-{i + 1:02d}-{TYPES[type_index][1]}"


def make_document(seed: int, i: int, type_index: int, doc_seed: int, plant: bool) -> Generated:
    doc_type, _slug, kind_zh, builder, big = TYPES[type_index]
    rng = random.Random(doc_seed)
    ctx: Ctx = draw_ctx(rng, big=big)
    doc = Doc(rng, ctx, doc_name(seed, i, type_index), doc_type, kind_zh)
    builder(doc, plant)
    if doc.planted:
        doc.planted.stated = doc.figs[doc.planted.key].value
    return Generated(doc, _choose(doc))


def build_documents(seed: int, count: int, inconsistent: bool = False) -> list[Generated]:
    """Every document of a batch, in memory (no rendering). With `inconsistent`, every other
    document (the 1st, 3rd …) gets exactly one planted inconsistency."""
    return [make_document(seed, i, t, s, inconsistent and i % 2 == 0) for i, t, s in plan(seed, count)]


def _choose(doc: Doc) -> list[Cand]:
    """About five cases: lookups, computed, now and then a follow-up, at least one refusal."""
    rng = doc.rng
    html_text = doc.html()
    pool = [c for c in doc.cands if not (c.all_deps() & doc.tainted)]
    pool = [c for c in pool if not (c.absent and c.absent in html_text)]
    refusals = [c for c in pool if c.kind == "refuse"]
    follow = [c for c in pool if c.prev is not None]
    lookups = [c for c in pool if c.kind == "lookup" and c.prev is None]
    computed = [c for c in pool if c.kind == "computed"]
    n_total = rng.choice([5, 5, 6])
    n_ref = 2 if rng.random() < 0.2 else 1
    n_fu = 1 if (follow and rng.random() < 0.45) else 0
    n_comp = min(len(computed), rng.choice([2, 2, 3]))
    n_look = n_total - n_ref - n_fu - n_comp
    chosen: list[Cand] = []
    used: set[str] = set()

    def take(cands: list[Cand], n: int) -> None:
        cands = cands[:]
        rng.shuffle(cands)
        for c in cands:
            if n <= 0:
                return
            keys = set(c.cite) if c.kind == "lookup" else {c.question}
            if c.prev:
                keys |= set(c.prev.cite)
            if keys & used:
                continue
            used.update(keys)
            chosen.append(c)
            n -= 1

    take(refusals, n_ref)
    take(follow, n_fu)
    take(computed, n_comp)
    take(lookups, n_look)
    rng.shuffle(chosen)
    return chosen


# --------------------------------------------------------------------------------------------
def page_texts(pdf: Path) -> list[str]:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    n = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    return [
        subprocess.run(
            ["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for p in range(1, n + 1)
    ]


def _figure_re(text: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\d.,])" + re.escape(text) + r"(?![\d]|[.,]\d)")


def pages_of(text: str, pages: list[str]) -> list[int]:
    pat = _figure_re(text)
    return [i + 1 for i, t in enumerate(pages) if pat.search(t)]


def _value(v, unit: str, tolerance: bool = False) -> dict:
    out: dict = {"value": plain(v), "unit": unit}
    if tolerance:
        out["tolerance"] = 0.01
    return out


def _cite(doc: Doc, keys: list[str], pages: list[str]) -> list[dict] | None:
    found: set[int] = set()
    for k in keys:
        found.update(pages_of(doc.figs[k].text, pages))
    if not found:
        return None
    ps = sorted(found)
    return [{"doc": f"{doc.name}.pdf", "page": ps[0] if len(ps) == 1 else ps}]


def case_dicts(g: Generated, pages: list[str], seed: int) -> list[dict]:
    doc = g.doc
    pdf = f"{doc.name}.pdf"
    out: list[dict] = []
    for n, c in enumerate(g.cases, 1):
        kind_tag = {"lookup": "lookup", "computed": "computed", "refuse": "unanswerable"}[c.kind]
        tags = ["generated", kind_tag, *[t for t in c.tags if t != kind_tag]]
        case: dict = {"id": f"{doc.name}-{n}-{kind_tag}"}
        expect: dict = {}
        if c.kind == "refuse":
            expect["refuse"] = True
        else:
            cites = _cite(doc, c.cite, pages)
            if cites is None:
                print(f"  {pdf}: {c.cite} not found in the PDF text; case dropped", file=sys.stderr)
                continue
            expect["value"] = _value(c.value, c.unit, tolerance=c.kind == "computed")
            if c.metric:
                expect["metric"] = c.metric
            if c.contains:
                expect["contains"] = c.contains
            expect["citations"] = cites
        if c.prev is not None:
            first_cites = _cite(doc, c.prev.cite, pages)
            if first_cites is None:
                continue
            first = {
                "question": c.prev.question,
                "expect": {"value": _value(c.prev.value, c.prev.unit), "citations": first_cites},
            }
            case["turns"] = [first, c.question]
        else:
            case["question"] = c.question
        case["documents"] = [pdf]
        case["doc_type"] = doc.doc_type
        case["tags"] = tags
        if c.note:
            case["note"] = c.note
        case["expect"] = expect
        out.append(case)
    return out


def write_batch(seed: int, count: int, out: Path, inconsistent: bool = False) -> dict:
    """Write src/, pdf/, cases.yaml and planted.json under `out`; return a summary."""
    from evals.corpus.build import render

    docs = build_documents(seed, count, inconsistent)
    src = out / "src"
    src.mkdir(parents=True, exist_ok=True)
    sources = []
    for g in docs:
        path = src / f"{g.doc.name}.html"
        path.write_text(g.doc.html(), encoding="utf-8")
        sources.append(path)
    render(sources, out / "pdf")
    cases: list[dict] = []
    planted: list[dict] = []
    for g in docs:
        pages = page_texts(out / "pdf" / f"{g.doc.name}.pdf")
        cases.extend(case_dicts(g, pages, seed))
        p = g.doc.planted
        if p:
            fig = g.doc.figs[p.key]
            found = pages_of(fig.text, pages)
            planted.append({
                "document": f"{g.doc.name}.pdf",
                "kind": p.kind,
                "stated": plain(fig.value),
                "expected": plain(p.expected),
                "page": found[0] if found else None,
                "label": p.label,
            })  # fmt: skip
    data = {
        "description": f"生成的评价文档与标准答案（seed {seed}，{count} 份{'，含植入的不一致' if inconsistent else ''}）。"
        f"重放：python -m evals.generator --seed {seed} --count {count}{' --inconsistent' if inconsistent else ''} --out DIR",
        "cases": cases,
    }
    (out / "cases.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None),
        encoding="utf-8",
    )
    (out / "planted.json").write_text(
        json.dumps(planted, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return {"documents": [(g.doc.name, g.doc.doc_type) for g in docs], "cases": cases, "planted": planted}

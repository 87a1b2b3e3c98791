"""The synthetic report generator (evals/generator): determinism, the case format, and that every
gold figure is really in the rendered PDF (read back with pypdf, numbers normalised here) and every
computed gold value follows from the inputs its note states. Needs LibreOffice (`soffice`)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
import yaml
from pypdf import PdfReader

from evals.generator import build_documents

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "evals" / "case.schema.json").read_text(encoding="utf-8"))
SEED = 2024


def _generate(out: Path, seed: int, count: int, *extra: str) -> Path:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "evals.generator",
            "--seed",
            str(seed),
            "--count",
            str(count),
            "--out",
            str(out),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"seed: {seed}" in proc.stdout
    assert "dropped" not in proc.stderr, proc.stderr
    return out


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("gen-a"), SEED, 12)


@pytest.fixture(scope="module")
def cases(batch: Path) -> list[dict]:
    return yaml.safe_load((batch / "cases.yaml").read_text(encoding="utf-8"))["cases"]


# ---- our own number reading (not jixiao's) -------------------------------------------------
_NUM = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")


def numbers_in(text: str) -> set[Decimal]:
    text = unicodedata.normalize("NFKC", text)
    return {Decimal(m.group().replace(",", "")) for m in _NUM.finditer(text)}


_pages: dict[Path, list[str]] = {}


def page_text(pdf: Path, page: int) -> str:
    if pdf not in _pages:
        _pages[pdf] = [p.extract_text() or "" for p in PdfReader(pdf).pages]
    return _pages[pdf][page - 1]


def _expects(case: dict) -> list[dict]:
    """Every expect block of a case: its own and those of its turns."""
    out = [case["expect"]]
    for t in case.get("turns", []):
        if isinstance(t, dict) and "expect" in t:
            out.append(t["expect"])
    return out


# ---- tests ----------------------------------------------------------------------------------
def test_help() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "evals.generator", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "--inconsistent" in proc.stdout


def test_same_seed_same_html_and_cases(batch: Path, tmp_path: Path) -> None:
    again = _generate(tmp_path / "again", SEED, 12)
    names = sorted(p.name for p in (batch / "src").iterdir())
    assert names == sorted(p.name for p in (again / "src").iterdir())
    assert len(names) == 12
    for n in names:
        assert (batch / "src" / n).read_bytes() == (again / "src" / n).read_bytes(), n
    assert (batch / "cases.yaml").read_bytes() == (again / "cases.yaml").read_bytes()


def test_different_seeds_differ() -> None:
    a, b = build_documents(1, 3), build_documents(2, 3)
    assert [g.doc.html() for g in a] != [g.doc.html() for g in b]
    assert [c.question for g in a for c in g.cases] != [c.question for g in b for c in g.cases]
    # and a longer batch starts with the documents of a shorter one
    assert [g.doc.html() for g in build_documents(1, 5)[:3]] == [g.doc.html() for g in a]


def test_cases_valid_unique_with_refusals(batch: Path, cases: list[dict]) -> None:
    jsonschema.validate(yaml.safe_load((batch / "cases.yaml").read_text(encoding="utf-8")), SCHEMA)
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids))
    refusals = [c for c in cases if c["expect"].get("refuse")]
    assert len(refusals) / len(cases) >= 0.10
    pdfs = {p.name for p in (batch / "pdf").iterdir()}
    assert len(pdfs) == 12
    per_doc: dict[str, int] = {}
    for c in cases:
        assert "generated" in c["tags"]
        assert c["doc_type"] in {
            "project_report",
            "department_report",
            "project_form",
            "score_table",
            "synthetic_report",
        }
        (doc,) = c["documents"]
        assert doc in pdfs
        per_doc[doc] = per_doc.get(doc, 0) + 1
    assert set(per_doc) == pdfs  # every document has its cases
    assert all(3 <= n <= 7 for n in per_doc.values()), per_doc
    types = {c["doc_type"] for c in cases}
    assert len(types) == 5
    tags = {t for c in cases for t in c["tags"]}
    assert {"lookup", "computed", "unanswerable", "followup"} <= tags


def test_lookup_values_are_on_the_cited_page(batch: Path, cases: list[dict]) -> None:
    checked = 0
    for c in [c for c in cases if "lookup" in c["tags"]]:
        for e in _expects(c):
            want = Decimal(str(e["value"]["value"]))
            for cite in e["citations"]:
                pages = cite["page"] if isinstance(cite["page"], list) else [cite["page"]]
                pdf = batch / "pdf" / cite["doc"]
                for p in pages:
                    assert want in numbers_in(page_text(pdf, p)), (c["id"], want, cite["doc"], p)
            checked += 1
    assert checked >= 20


def _evaluate(expr: str) -> Decimal:
    """The arithmetic of a note (numbers, + − × ÷ and parentheses), in Decimal."""
    expr = expr.replace("%", "").replace("×", "*").replace("÷", "/").replace("−", "-")
    assert re.fullmatch(r"[\d.\s+\-*/()]+", expr), expr
    return eval(
        re.sub(r"\d+(?:\.\d+)?", lambda m: f"D('{m.group()}')", expr), {"__builtins__": {}, "D": Decimal}
    )


def test_computed_values_recompute_from_the_note(cases: list[dict]) -> None:
    bands = [(90, "优"), (80, "良"), (60, "中"), (0, "差")]
    checked = 0
    for c in [c for c in cases if "computed" in c["tags"]]:
        note, value = c["note"], Decimal(str(c["expect"]["value"]["value"]))
        tol = Decimal(str(c["expect"]["value"]["tolerance"]))
        assert tol == Decimal("0.01")
        if "判定为" in note:  # the grade of a total score
            total = Decimal(re.search(r"总分 ([\d.]+) 分", note).group(1))
            grade = re.search(r"判定为“(.)”", note).group(1)
            assert grade == next(g for low, g in bands if total >= low), c["id"]
            assert total == value and re.search(grade, c["expect"]["contains"][0]["re"])
        else:
            m = re.search(r"代入：(.+) = (-?[\d.]+)", note)
            assert m, c["id"]
            assert abs(_evaluate(m.group(1)) - value) <= tol / 2 + Decimal("0.000001"), (c["id"], note)
            assert Decimal(m.group(2)) == value
        checked += 1
    assert checked >= 20


def test_inconsistent_batch_plants_one_per_document(tmp_path: Path) -> None:
    out = _generate(tmp_path / "inc", 99, 5, "--inconsistent")
    planted = json.loads((out / "planted.json").read_text(encoding="utf-8"))
    assert len(planted) == 3  # documents 1, 3 and 5
    assert len({p["document"] for p in planted}) == len(planted)
    for p in planted:
        assert p["kind"] in {"sum", "rate", "score_total"}
        assert Decimal(p["stated"]) != Decimal(p["expected"])
        assert Decimal(p["stated"]) in numbers_in(page_text(out / "pdf" / p["document"], p["page"])), p
    jsonschema.validate(yaml.safe_load((out / "cases.yaml").read_text(encoding="utf-8")), SCHEMA)

"""The code must not know the sample report. Words only the sample uses (its hotline's vocabulary)
may appear in comments and docstrings as examples, never in code: not in string literals, regexes or
word lists of `service/` and `ingest/`, nor in the glossary.

None is left anywhere in `service/` or `ingest/` (124 on 2026-12-02; 90 on 2026-12-03 once the report
checker read the glossary and each document; 0 once the answerer learned a report's own measures
from its tables and the three hotline metrics gave way to the general `ratio`), so the whole of
both is scanned and must stay clean."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ONLY = re.compile(r"话务|接听|坐席|便民专线|8890|热线|呼入|流失率")
CLEAN = ("service", "ingest", "ingest/glossary.yaml")


def _literals(path: Path) -> list[tuple[int, str]]:
    """String literals of a module that are not docstrings (comments are not in the AST)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and SAMPLE_ONLY.search(node.value)
    ]


def _hits(rel: str) -> list[str]:
    base = ROOT / rel
    if base.suffix in (".yaml", ".json"):
        text = base.read_text(encoding="utf-8")
        code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())  # YAML comments are notes
        return [f"{rel}: {m.group(0)}" for m in SAMPLE_ONLY.finditer(code)]
    files = [base] if base.is_file() else sorted(base.rglob("*.py"))
    return [f"{p.relative_to(ROOT)}:{line}: {text[:40]!r}" for p in files for line, text in _literals(p)]


def test_the_general_path_knows_no_sample_words() -> None:
    found = [h for rel in CLEAN for h in _hits(rel)]
    assert not found, "\n".join(found)


def test_the_scanner_sees_a_planted_word(tmp_path: Path) -> None:
    planted = tmp_path / "m.py"
    planted.write_text(
        '"""接听 in a docstring is fine."""\n# 话务 in a comment is fine\nX = "坐席"\n', "utf-8"
    )
    assert [text for _, text in _literals(planted)] == ["坐席"]

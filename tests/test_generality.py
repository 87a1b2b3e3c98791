"""The code must not know the sample report. Words only the sample uses (its hotline's vocabulary)
may appear in comments and docstrings as examples, never in code: not in string literals, regexes or
word lists of `service/` and `ingest/`, nor in the glossary.

The general path (the glossary, the fact index, questions as operations) holds none. The older
search-path answerer and the report checker still hold some (the lexicon, hotline metrics): their
count is a ratchet that may only go down, and is printed so the note can quote it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_ONLY = re.compile(r"话务|接听|坐席|便民专线|8890|热线|呼入|流失率")
# code string literals with sample-only words: 124 on 2026-12-02; 90 on 2026-12-03 once the report
# checker, the number readers and the suggestions read the glossary and each document (all 90 are in
# the answerer's lexicon and handlers and the three hotline metrics of service/metrics/rates.py)
RATCHET = 90
CLEAN = (
    "ingest/glossary.yaml",
    "ingest/glossary.py",
    "ingest/facts.py",
    "ingest/numbers.py",
    "service/search/facts.py",
    "service/answer/operations",
    "service/answer/numbers.py",
    "service/metrics/scoring_rules.py",
    "service/metrics/check.py",
    "service/metrics/vocabulary.py",
    "service/metrics/_definitions.py",
    "service/metrics/_check_core.py",
    "service/metrics/_check_tables.py",
    "service/metrics/_check_text.py",
    "service/metrics/_check_cross.py",
    "service/metrics/_check_forms.py",
    "service/metrics/_check_policy.py",
    "service/metrics/_text_base.py",
    "service/metrics/_text_changes.py",
    "service/metrics/_text_money.py",
    "service/metrics/_text_scores.py",
    "service/metrics/change.py",
    "service/metrics/costs.py",
    "service/report_check.py",
    "service/suggestions.py",
)


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


def test_sample_words_in_code_only_go_down() -> None:
    found = _hits("service") + _hits("ingest")
    print(f"sample-only words in code string literals: {len(found)} (ratchet {RATCHET})")
    assert len(found) <= RATCHET, "\n".join(found)


def test_the_scanner_sees_a_planted_word(tmp_path: Path) -> None:
    planted = tmp_path / "m.py"
    planted.write_text(
        '"""接听 in a docstring is fine."""\n# 话务 in a comment is fine\nX = "坐席"\n', "utf-8"
    )
    assert [text for _, text in _literals(planted)] == ["坐席"]

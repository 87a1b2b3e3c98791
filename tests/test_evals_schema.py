"""The case format: the bundled cases load, and bad files are refused naming the file and case."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from evals.runner import DEFAULT_DOCUMENTS_DIR, documents_for
from evals.schema import CASES_DIR, CaseFormatError, load_case_file, load_cases

REQUIRED_TAGS = {
    "lookup",
    "computed",
    "section",
    "grade",
    "policy",
    "check",
    "unanswerable",
    "trap",
    "followup",
    "critical",
}


def write(tmp_path: Path, text: str, name: str = "cases.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bundled_cases_load_and_cover_every_tag() -> None:
    cases = load_cases()
    assert len(cases) >= 60
    tags = Counter(t for c in cases for t in c.tags)
    assert set(tags) >= REQUIRED_TAGS, REQUIRED_TAGS - set(tags)
    assert all(c.documents for c in cases), "every case names the documents it needs"
    for name in documents_for(cases):
        assert (DEFAULT_DOCUMENTS_DIR / name).is_file(), name
    assert any(c.is_conversation for c in cases)
    assert len({c.id for c in cases}) == len(cases)


def test_file_defaults_merge_into_cases(tmp_path: Path) -> None:
    p = write(
        tmp_path,
        """
documents: [a.pdf]
tags: [smoke]
cases:
  - id: one
    question: 问题？
    documents: [b.pdf]
    tags: [lookup]
    expect: {contains: [答]}
  - id: conv
    turns:
      - 第一问？
      - {question: 第二问？, expect: {contains: [甲]}}
    tags: [followup]
    expect: {refuse: true}
""",
    )
    one, conv = load_case_file(p)
    assert one.documents == ("a.pdf", "b.pdf") and one.tags == ("lookup", "smoke")
    assert one.question == "问题？" and not one.is_conversation
    assert conv.is_conversation and conv.turns[0].expect == {}
    assert conv.expect == {"contains": ["甲"], "refuse": True}


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ("cases:\n  - id: c1\n    tags: [lookup]\n    expect: {contains: [x]}\n", "c1"),  # no question
        ("cases:\n  - id: c2\n    question: q\n    tags: [lookup]\n    expect: {refuse: false}\n", "c2"),
        (
            "cases:\n  - id: c3\n    question: q\n    tags: [lookup]\n    expect: {vaule: {value: 1}}\n",
            "vaule",
        ),
        (
            "cases:\n  - id: c4\n    question: q\n    tags: [lookup]\n"
            "    expect: {citations: [{doc: report.pdf}]}\n",
            "page",
        ),
        ("cases:\n  - id: c5\n    question: q\n    tags: [Bad Tag]\n    expect: {grounded: true}\n", "c5"),
        (
            "cases:\n  - id: c6\n    question: q\n    tags: [x]\n    expect: {value: {value: 1, tolerance: -1}}\n",
            "c6",
        ),
        ("cases: []\n", "cases"),
        ("- just a list\n", "(top)"),
    ],
)
def test_schema_errors_name_file_and_case(tmp_path: Path, body: str, needle: str) -> None:
    p = write(tmp_path, body)
    with pytest.raises(CaseFormatError) as err:
        load_case_file(p)
    msg = str(err.value)
    assert str(p) in msg and needle in msg
    assert "格式错误" in msg and "invalid" in msg  # Chinese and English


def test_yaml_syntax_error_and_missing_file(tmp_path: Path) -> None:
    p = write(tmp_path, "cases: [\n  - id: x\n")
    with pytest.raises(CaseFormatError, match="YAML"):
        load_case_file(p)
    with pytest.raises(CaseFormatError, match="找不到"):
        load_cases([tmp_path / "missing.yaml"])


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    body = "cases:\n  - id: same\n    question: q\n    tags: [lookup]\n    expect: {contains: [x]}\n"
    write(tmp_path, body, "a.yaml")
    write(tmp_path, body, "b.yaml")
    with pytest.raises(CaseFormatError, match="same"):
        load_cases([tmp_path])


def test_tag_filter() -> None:
    traps = load_cases([CASES_DIR], tags=["trap"])
    assert traps and all("trap" in c.tags for c in traps)

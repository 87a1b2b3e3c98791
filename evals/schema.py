"""The eval case format: YAML files validated against `case.schema.json` on load.

A file holds `cases:` (and optional file-level `documents` / `tags` defaults). A bad file is refused
with a `CaseFormatError` naming the file, the case id and the offending field, in Chinese and English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ingest.errors import JixiaoError

EVALS_DIR = Path(__file__).resolve().parent
CASES_DIR = EVALS_DIR / "cases"
SCHEMA_PATH = EVALS_DIR / "case.schema.json"


class CaseFormatError(JixiaoError):
    """An eval case file does not follow the case schema (the operator must fix the file)."""

    code = "eval_case_format"


@dataclass(frozen=True)
class Turn:
    question: str
    expect: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    id: str
    turns: tuple[Turn, ...]  # one turn for a plain question; the last turn carries the case's `expect`
    tags: tuple[str, ...]
    documents: tuple[str, ...] = ()
    restrict: bool = False
    note: str = ""
    source: str = ""  # file the case came from
    doc_type: str = ""  # project_report, department_form … (file-level or per case)
    unscoped: bool = False  # in the shared run: ask over every loaded document
    set: str = ""  # dev | corpus | generated | sequestered (from the set that loaded it)

    @property
    def question(self) -> str:
        return self.turns[-1].question

    @property
    def expect(self) -> dict[str, Any]:
        return self.turns[-1].expect

    @property
    def is_conversation(self) -> bool:
        return len(self.turns) > 1


@lru_cache(maxsize=1)
def case_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _where(path: Any) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path) or "(top)"


def _case_id_at(data: Any, path: list[Any]) -> str | None:
    if isinstance(data, dict) and len(path) >= 2 and path[0] == "cases" and isinstance(path[1], int):
        cases = data.get("cases")
        if isinstance(cases, list) and path[1] < len(cases) and isinstance(cases[path[1]], dict):
            cid = cases[path[1]].get("id")
            return str(cid) if cid is not None else f"#{path[1] + 1}"
    return None


def validate_file_data(data: Any, source: str) -> None:
    """Raise CaseFormatError for the first (most relevant) schema violation in a parsed file."""
    validator = jsonschema.Draft202012Validator(case_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if not errors:
        return
    best = jsonschema.exceptions.best_match(errors) or errors[0]
    path = list(best.absolute_path)
    message = best.message
    if best.validator == "oneOf" and best.context:
        inner = jsonschema.exceptions.best_match(best.context)
        if inner is not None:
            message = f"{inner.message}（须符合其中一种写法 / must match one of the allowed forms）"
            if "question" in str(best.validator_value):
                message = "须有 question 或 turns（只能有其一）/ needs `question` or `turns` (exactly one)"
    cid = _case_id_at(data, path)
    where = _where(path)
    more = len(errors) - 1
    if more > 0:
        message += f"（另有 {more} 处 / {more} more）"
    who = f"用例 {cid} " if cid else ""
    who_en = f"case {cid} " if cid else ""
    raise CaseFormatError(
        f"评测用例文件 {source} 中{who}格式错误（{where}）：{message} / "
        f"eval case file {source}: {who_en}is invalid at {where}: {message}",
        hint="见 evals/case.schema.json / see evals/case.schema.json",
    )


def _turns(raw: dict[str, Any]) -> tuple[Turn, ...]:
    expect = raw["expect"]
    if "question" in raw:
        return (Turn(raw["question"], expect),)
    turns: list[Turn] = []
    items = raw["turns"]
    for i, item in enumerate(items):
        last = i == len(items) - 1
        if isinstance(item, str):
            turns.append(Turn(item, expect if last else {}))
        else:
            own = dict(item.get("expect") or {})
            turns.append(Turn(item["question"], {**own, **expect} if last else own))
    return tuple(turns)


def parse_cases(data: Any, source: str) -> list[Case]:
    validate_file_data(data, source)
    file_docs = list(data.get("documents") or [])
    file_tags = list(data.get("tags") or [])
    cases: list[Case] = []
    for raw in data["cases"]:
        docs = list(dict.fromkeys([*file_docs, *(raw.get("documents") or [])]))
        tags = list(dict.fromkeys([*raw["tags"], *file_tags]))
        cases.append(
            Case(
                id=raw["id"],
                turns=_turns(raw),
                tags=tuple(tags),
                documents=tuple(docs),
                restrict=bool(raw.get("restrict", False)),
                note=str(raw.get("note", "")),
                source=source,
                doc_type=str(raw.get("doc_type") or data.get("doc_type") or ""),
                unscoped=bool(raw.get("unscoped", False)),
            )
        )
    return cases


def load_case_file(path: Path) -> list[Case]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseFormatError(
            f"无法读取评测用例文件 {path}：{exc.strerror} / cannot read eval case file {path}: {exc}"
        ) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CaseFormatError(
            f"评测用例文件 {path} 不是有效的 YAML：{exc} / eval case file {path} is not valid YAML: {exc}"
        ) from exc
    return parse_cases(data, str(path))


def case_files(paths: list[Path] | None = None) -> list[Path]:
    """YAML files named by `paths` (files or directories); default: the bundled `evals/cases/`."""
    files: list[Path] = []
    for p in paths or [CASES_DIR]:
        if p.is_dir():
            files += sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
        elif p.is_file():
            files.append(p)
        else:
            raise CaseFormatError(f"找不到评测用例文件或目录：{p} / no such eval case file or directory: {p}")
    if not files:
        raise CaseFormatError(
            f"没有找到评测用例（*.yaml）：{paths} / no eval case files (*.yaml) found in {paths}"
        )
    return files


def load_cases(paths: list[Path] | None = None, *, tags: list[str] | None = None) -> list[Case]:
    """Load and validate every case; ids must be unique across files. `tags` keeps cases having any."""
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for f in case_files(paths):
        for case in load_case_file(f):
            if case.id in seen:
                raise CaseFormatError(
                    f"评测用例 id 重复：{case.id}（{seen[case.id]} 与 {f}）/ duplicate eval case id {case.id} "
                    f"in {seen[case.id]} and {f}"
                )
            seen[case.id] = str(f)
            cases.append(case)
    if tags:
        wanted = set(tags)
        cases = [c for c in cases if wanted & set(c.tags)]
    return cases

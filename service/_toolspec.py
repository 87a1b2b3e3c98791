"""Google-style docstrings -> (description, {argument: description}) for tool schemas."""

from __future__ import annotations

import inspect
import re

_SECTION = re.compile(r"^(Args|Arguments|Parameters|Returns|Raises|Example|Examples):\s*$")
_ARG = re.compile(r"^(\w+)(?:\s*\([^)]*\))?:\s*(.*)$")


def _join(lines: list[str]) -> str:
    """Join wrapped lines; no space between CJK text and its continuation."""
    out = ""
    for line in (x.strip() for x in lines):
        if not line:
            continue
        if out and (out[-1].isascii() or line[0].isascii()) and not out.endswith(" "):
            out += " "
        out += line
    return out


def parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    lines = inspect.cleandoc(doc).splitlines() if doc else []
    summary: list[str] = []
    args: dict[str, list[str]] = {}
    section = None
    current: str | None = None
    for line in lines:
        m = _SECTION.match(line.strip()) if not line.startswith(" ") else None
        if m:
            section, current = m.group(1), None
            continue
        if section is None:
            summary.append(line)
        elif section in ("Args", "Arguments", "Parameters"):
            am = _ARG.match(line.strip())
            indent = len(line) - len(line.lstrip())
            if am and indent <= 4:
                current = am.group(1)
                args[current] = [am.group(2)]
            elif current and line.strip():
                args[current].append(line)
    return _join(summary), {k: _join(v) for k, v in args.items()}

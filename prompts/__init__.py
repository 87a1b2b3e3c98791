"""Prompt and answer templates as files, loaded by name and rendered strictly.

`render("system", tools=...)` reads `prompts/system.md.j2` (or `system.j2` / `system.md`) and renders
it with Jinja `StrictUndefined`, so a missing variable is an error, never an empty hole.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

PROMPTS_DIR = Path(__file__).resolve().parent
_SUFFIXES = (".md.j2", ".j2", ".md")


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(PROMPTS_DIR)),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )


def template_names() -> list[str]:
    names = set()
    for p in PROMPTS_DIR.iterdir():
        for suf in _SUFFIXES:
            if p.name.endswith(suf):
                names.add(p.name[: -len(suf)])
                break
    return sorted(names)


def _filename(name: str) -> str:
    for suf in _SUFFIXES:
        if (PROMPTS_DIR / f"{name}{suf}").is_file():
            return f"{name}{suf}"
    raise KeyError(
        f"no prompt template named {name!r} in {PROMPTS_DIR} (have: {', '.join(template_names())})"
    )


def render(name: str, **variables: object) -> str:
    """Render template `name` with `variables`; undefined variables raise jinja2.UndefinedError."""
    return _env().get_template(_filename(name)).render(**variables).strip()

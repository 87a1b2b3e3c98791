"""Which OpenAI chat-completion parameters jixiao honours, and a clear refusal for the others.

jixiao is a whole assistant, not a sampler over a model: it runs its own tools, writes one
grounded answer, and its wording is fixed by the grounding check. So:
- `response_format` `{"type": "text"}` (the default) and `{"type": "json_object"}` (the content is
  the answer as JSON: answer, citations with urls, computations, grounded, ...) are honoured;
  `json_schema` is refused (jixiao cannot promise a caller's schema);
- client `tools` / `functions` are refused (jixiao does not call a client's functions; its own tools
  run inside), as is a `tool_choice` / `function_call` other than "none"/"auto";
- `n` above 1 is refused (there is one grounded answer, not several samples).
Each refusal is a 400 in OpenAI's error shape with `param` and code `unsupported_parameter`.
"""

from __future__ import annotations

from typing import Any

from service.errors import BadRequest


class UnsupportedParameter(BadRequest):
    code = "unsupported_parameter"

    def __init__(self, param: str, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.param = param

    def to_dict(self) -> dict[str, str]:
        return {**super().to_dict(), "param": self.param}


def response_format(extra: dict[str, Any]) -> str:
    """ "text" or "json_object"; UnsupportedParameter for anything else."""
    value = extra.get("response_format")
    if value is None:
        return "text"
    kind = value.get("type") if isinstance(value, dict) else None
    if kind in ("text", "json_object"):
        return kind
    raise UnsupportedParameter(
        "response_format",
        f"不支持 response_format {kind or value!r}：只支持 text 和 json_object / response_format "
        f"{kind or value!r} is not supported: jixiao returns its answer as text or, with "
        '{"type": "json_object"}, as a JSON object with answer, citations and computations',
        hint="json_schema 无法保证：jixiao 的回答结构固定 / a caller's json_schema cannot be honoured: "
        "the answer's structure is fixed",
    )


def refuse_unsupported(extra: dict[str, Any]) -> None:
    """Raise UnsupportedParameter for the first parameter jixiao would otherwise silently ignore."""
    for name in ("tools", "functions"):
        if extra.get(name):
            raise UnsupportedParameter(
                name,
                f"不支持 {name}：jixiao 不调用客户端的函数，它在内部使用自己的工具（检索、读表、计算）/ "
                f"`{name}` is not supported: jixiao does not call a client's functions; it runs its "
                "own tools (search, tables, metrics) and returns a cited answer",
                hint="如需单独调用这些工具，请使用 MCP（/mcp）/ to call its tools directly, use MCP at /mcp",
            )
    for name in ("tool_choice", "function_call"):
        choice = extra.get(name)
        if choice is not None and choice not in ("none", "auto"):
            raise UnsupportedParameter(
                name,
                f"不支持 {name}={choice!r}：jixiao 不调用客户端的函数 / `{name}` {choice!r} is not "
                "supported: jixiao does not call a client's functions",
            )
    n = extra.get("n")
    if n is not None and n != 1:
        raise UnsupportedParameter(
            "n",
            f"不支持 n={n!r}：jixiao 每个问题只给一个经过核对的回答 / n={n!r} is not supported: "
            "jixiao gives one grounded answer per question, not several samples",
            hint="请去掉 n 或设为 1 / omit n or set it to 1",
        )

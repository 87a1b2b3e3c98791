"""What the LLM agent saw: evidence items (numbered refs) and computations taken from tool outputs.

The agent's tools are wrapped so that every passage, table cell or figure a tool returns gets a
stable `ref` number before the model sees it; the model cites `[ref]`, and the answer's citations
are rebuilt from these recorded items, never from what the model claims. Likewise computations are
the `compute_metric` results themselves, not the model's retelling of them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool

from service.answer.base import emit
from service.answer.models import Citation, Computation, ProgressEvent

log = logging.getLogger(__name__)

EVIDENCE_TOOLS = frozenset({"search_documents", "get_table", "find_figure", "find_facts"})
COMPUTE_TOOLS = frozenset({"compute_metric"})
QUOTE_CHARS = 400  # a passage longer than this is quoted by the sentences carrying the answer's numbers
TOOL_OUTPUT_CHARS = 12_000  # what one tool result may put into the model's context

_TEXT_KEYS = ("quote", "text", "snippet", "passage", "content")
_COMPUTATION_KEYS = frozenset({"metric", "formula", "value", "display"})
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_YEAR = re.compile(r"(?:19|20)\d\d")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?\n]?")
# a citation marker: [3], [1,2], [1、2], ［3］, 【3】
CITATION_MARK = re.compile(r"[\[［【]\s*(\d{1,3}(?:\s*[,，、;；]\s*\d{1,3})*)\s*[\]］】]")


@dataclass
class EvidenceItem:
    ref: int
    doc_id: str
    title: str
    page: int
    text: str
    tool: str

    def citation(self, n: int, answer: str = "") -> Citation:
        return Citation(n=n, doc_id=self.doc_id, title=self.title, page=self.page, quote=self.quote(answer))

    def quote(self, answer: str = "") -> str:
        """The whole text when short; else the sentences holding the numbers `answer` takes from it
        (so the quote still grounds them), else the opening."""
        if len(self.text) <= QUOTE_CHARS:
            return self.text
        figures = {f for f in _FIGURE.findall(CITATION_MARK.sub("", answer)) if not _YEAR.fullmatch(f)}
        sentences = [x for x in _SENTENCE.findall(self.text) if x.strip()]
        picked = [x.strip() for x in sentences if figures & set(_FIGURE.findall(x))]
        if picked:
            return "…".join(picked)
        return self.text[: QUOTE_CHARS - 1] + "…"


@dataclass
class ToolCallRecord:
    tool: str
    args: dict[str, Any]
    refs: list[int]
    error: str | None = None


@dataclass
class EvidenceCollector:
    """Per question: numbered evidence items, computations and the tool calls that produced them."""

    items: dict[int, EvidenceItem] = field(default_factory=dict)
    computations: list[Computation] = field(default_factory=list)
    calls: list[ToolCallRecord] = field(default_factory=list)
    _by_key: dict[tuple[str, int, str], int] = field(default_factory=dict)

    # -- recording ---------------------------------------------------------------------------

    def record(self, tool: str, args: dict[str, Any], output: Any) -> Any:
        """Note what `tool` returned; returns the output with `ref` numbers added for the model."""
        refs: list[int] = []
        error = _error_text(output)
        if error is None and tool in EVIDENCE_TOOLS:
            output = self._number(output, {}, tool, refs)
        elif error is None and tool in COMPUTE_TOOLS:
            for comp in _find_computations(output):
                if all(c.model_dump() != comp.model_dump() for c in self.computations):
                    self.computations.append(comp)
        self.calls.append(ToolCallRecord(tool, dict(args), refs, error))
        return output

    def _number(self, node: Any, ctx: dict[str, Any], tool: str, refs: list[int]) -> Any:
        """Walk a tool output; a dict with text, a document and a page (own or inherited) is an item."""
        if isinstance(node, list):
            return [self._number(x, ctx, tool, refs) for x in node]
        if not isinstance(node, dict):
            return node
        if "error" in node or node.keys() >= _COMPUTATION_KEYS:
            return node
        here = dict(ctx)
        for key in ("doc_id", "doc"):
            if isinstance(node.get(key), str):
                here["doc_id"] = node[key]
        for key in ("title", "caption", "unit_line"):
            if isinstance(node.get(key), str):
                here[key] = node[key]
        if isinstance(node.get("table"), str):  # find_figure names the table's caption "table"
            here["caption"] = node["table"]
        page = node.get("page")
        if page is None and isinstance(node.get("pages"), list) and node["pages"]:
            page = node["pages"][0]
        if isinstance(page, int):
            here["page"] = page
        before = len(refs)
        out = {k: self._number(v, here, tool, refs) for k, v in node.items()}
        if len(refs) > before:  # the items are further down (a table's cells, a result's hits)
            return out
        text = _item_text(node, here)
        if text and here.get("doc_id") and isinstance(here.get("page"), int):
            ref = self._add(tool, here["doc_id"], str(here.get("title", "")), here["page"], text)
            refs.append(ref)
            out = {"ref": ref, **out}
        return out

    def _add(self, tool: str, doc_id: str, title: str, page: int, text: str) -> int:
        key = (doc_id, page, text)
        if key in self._by_key:
            return self._by_key[key]
        ref = len(self.items) + 1
        self.items[ref] = EvidenceItem(ref, doc_id, title, page, text, tool)
        self._by_key[key] = ref
        return ref

    # -- reading -----------------------------------------------------------------------------

    def cite(self, text: str) -> tuple[str, list[EvidenceItem], list[str]]:
        """Renumber the answer's [ref] markers 1..k in order of first use.

        Returns the rewritten text, the cited items (citation n = position + 1) and the refs the
        model cited that no tool ever returned (removed from the text).
        """
        order: list[int] = []
        unknown: list[str] = []

        def repl(m: re.Match[str]) -> str:
            out = []
            for raw in re.split(r"\s*[,，、;；]\s*", m.group(1)):
                ref = int(raw)
                if ref not in self.items:
                    unknown.append(raw)
                    continue
                if ref not in order:
                    order.append(ref)
                out.append(f"[{order.index(ref) + 1}]")
            return "".join(out)

        rewritten = CITATION_MARK.sub(repl, text)
        return rewritten, [self.items[r] for r in order], unknown


def wrap_tools(
    tools: list[BaseTool],
    collector: EvidenceCollector,
    on_event: Callable[[ProgressEvent], None] | None = None,
) -> list[BaseTool]:
    """The same tools (name, description, argument schema), recording into `collector`."""
    return [_wrap(t, collector, on_event) for t in tools]


def _wrap(
    tool: BaseTool, collector: EvidenceCollector, on_event: Callable[[ProgressEvent], None] | None
) -> BaseTool:
    name = tool.name

    def run(**kwargs: Any) -> str:
        stage = "computing" if name in COMPUTE_TOOLS else "searching"
        emit(on_event, ProgressEvent(stage=stage, detail=name, tool=name, tool_input=kwargs))
        try:
            raw = tool.invoke(kwargs)
        except Exception as exc:  # a tool bug must not kill the answer: the model reads the error
            log.exception("tool %s failed", name)
            raw = {
                "error": {
                    "code": "tool_failed",
                    "message": f"工具 {name} 执行失败：{exc} / tool {name} failed: {exc}",
                }
            }
        output = collector.record(name, kwargs, _as_data(raw))
        emit(
            on_event,
            ProgressEvent(stage="tool", detail=name, tool=name, tool_input=kwargs, tool_output=output),
        )
        text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, default=str)
        if len(text) > TOOL_OUTPUT_CHARS:
            text = text[:TOOL_OUTPUT_CHARS] + "…（结果过长，已截断 / truncated）"
        return text

    return StructuredTool(
        name=name,
        description=tool.description,
        args_schema=tool.args_schema,
        func=run,
        # bad arguments from the model are checked here, before `run`: answer them as the tool would
        handle_validation_error=tool.handle_validation_error,
        handle_tool_error=tool.handle_tool_error,
    )


def _as_data(raw: Any) -> Any:
    content = getattr(raw, "content", raw)  # a ToolMessage, if the tool returned one
    if isinstance(content, str):
        try:
            return json.loads(content)
        except ValueError:
            return content
    if hasattr(content, "model_dump"):
        return content.model_dump()
    return content


def _error_text(output: Any) -> str | None:
    if isinstance(output, dict) and output.get("error"):
        err = output["error"]
        if isinstance(err, dict):
            return str(err.get("message") or err.get("message_zh") or err)
        return str(err)
    return None


def _item_text(node: dict[str, Any], ctx: dict[str, Any]) -> str:
    for key in _TEXT_KEYS:
        if isinstance(node.get(key), str) and node[key].strip():
            return node[key].strip()
    raw = node.get("raw", node.get("value"))
    if not isinstance(raw, str | int | float) or not str(raw).strip():
        return ""
    # a table cell: "表1 预算执行情况明细表（单位：万元）：合计 / 支出金额：11076.79"
    caption = str(ctx.get("caption", ""))
    if ctx.get("unit_line"):
        caption += f"（{ctx['unit_line']}）"
    headers = []
    for key in ("row_header", "col_header"):
        val = node.get(key)
        if isinstance(val, list | tuple):
            headers.append(" ".join(str(v) for v in val if str(v).strip()))
        elif isinstance(val, str):
            headers.append(val)
    label = " / ".join(h for h in headers if h)
    unit = node.get("unit") if isinstance(node.get("unit"), str) else ""
    value = f"{raw}{unit if unit and unit not in str(raw) and unit not in ctx.get('unit_line', '') else ''}"
    return "：".join(p for p in (caption, label, value) if p)


def _find_computations(node: Any) -> list[Computation]:
    found: list[Computation] = []
    if isinstance(node, list):
        for x in node:
            found += _find_computations(x)
    elif isinstance(node, dict):
        if node.keys() >= _COMPUTATION_KEYS:
            fields = {k: node[k] for k in Computation.model_fields if k in node}
            fields["value"] = str(fields["value"])
            try:
                found.append(Computation(**fields))
                return found
            except ValueError:
                log.warning("compute_metric returned an unreadable computation: %r", node)
        for v in node.values():
            found += _find_computations(v)
    return found

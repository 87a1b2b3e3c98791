"""The tool registry: read-only tools over the stores, retrieval and the metrics module.

Every answerer (deterministic and LLM), the HTTP API and MCP use these same tools. Each tool is a
typed method whose signature and Google-style docstring *are* its JSON schema (`tool_specs()`),
and whose arguments are validated against that schema before it runs. Tools never raise to the
caller: bad arguments and failures come back as {"error": {"code", "message"}} with a Chinese and
English message the model can read and act on. Results are JSON-able dicts. The tools are thin:
retrieval lives in `service.search.retrieval`, header matching in `service.search.figures`, formulas in
`service.metrics`.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import threading
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_type_hints

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, create_model

from ingest.errors import JixiaoError, NotFound
from ingest.models import Cell, DocumentRecord, Table
from service._toolspec import parse_docstring
from service.search.figures import find_cells
from service.search.retrieval import Retriever

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., dict[str, Any]])

Query = Annotated[str, Field(min_length=1, max_length=500)]
DocRef = Annotated[str, Field(min_length=1, max_length=300)]


def _one_or_many(value: Any) -> Any:
    """Models often pass one document id as a bare string: accept it as a list of one."""
    return [value] if isinstance(value, str) else value


DocIds = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=300)]] | None,
    Field(max_length=50),
    BeforeValidator(_one_or_many),
]

TOOL_NAMES = (
    "search_documents",
    "find_facts",
    "find_figure",
    "get_table",
    "compute_metric",
    "list_documents",
    "check_report",
)


def tool_error(code: str, zh: str, en: str, **extra: Any) -> dict[str, Any]:
    """The error shape every tool returns: {"error": {"code", "message", ...}}."""
    return {"error": {"code": code, "message": f"{zh} / {en}", **extra}}


def _args_model(func: Callable[..., Any]) -> type[BaseModel]:
    sig = inspect.signature(func)
    hints = get_type_hints(func, include_extras=True)
    _, params = parse_docstring(func.__doc__ or "")
    fields: dict[str, Any] = {}
    for name, p in sig.parameters.items():
        if name == "self":
            continue
        default = ... if p.default is inspect.Parameter.empty else p.default
        fields[name] = (hints[name], Field(default, description=params.get(name, "")))
    model = create_model(
        "".join(part.title() for part in func.__name__.split("_")) + "Args",
        __config__=ConfigDict(extra="forbid"),
        **fields,
    )
    return model


def _validation_message(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "arguments"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


def tool(func: F) -> F:
    """Mark a Toolbox method as a tool: validate its arguments, turn every failure into an error dict."""
    model = _args_model(func)
    sig = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(self: Toolbox, *args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            bound = sig.bind(self, *args, **kwargs)
        except TypeError as exc:
            return tool_error("bad_arguments", f"参数有误：{exc}", f"bad arguments: {exc}")
        raw = {k: v for k, v in bound.arguments.items() if k != "self"}
        try:
            data = model.model_validate(raw)
        except ValidationError as exc:
            msg = _validation_message(exc)
            return tool_error("bad_arguments", f"参数有误：{msg}", f"invalid arguments: {msg}")
        try:
            return func(self, **{name: getattr(data, name) for name in type(data).model_fields})
        except JixiaoError as exc:
            return {"error": exc.to_dict()}
        except Exception as exc:  # a tool never raises to the agent
            if hasattr(exc, "message_zh") and hasattr(exc, "to_dict"):  # service.metrics.MetricError
                return {"error": exc.to_dict()}
            log.exception("tool %s failed", func.__name__)
            return tool_error("internal_error", f"工具执行失败：{exc}", f"tool failed: {exc}")

    wrapper.__tool_args__ = model  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


class Toolbox:
    """The read-only tools over one store. JSON-able dicts in and out; errors as {"error": ...}."""

    def __init__(self, store: Any, retriever: Retriever) -> None:
        self.store = store
        self.retriever = retriever
        # every table cell, read once per store generation (find_figure runs several times a question)
        self._cells: tuple[str, list[tuple[Table, Cell]]] | None = None
        self._cells_lock = threading.Lock()
        self._facts: Any = None
        self._facts_lock = threading.Lock()

    # ---- tools -------------------------------------------------------------------------------
    @tool
    def search_documents(
        self, query: Query, document_ids: DocIds = None, k: Annotated[int, Field(ge=1, le=20)] = 8
    ) -> dict[str, Any]:
        """检索已入库的报告和政策文件，返回最相关的段落（含文档、页码、章节）。Search the ingested reports and
        policies (keyword + semantic) and return the most relevant passages with document, page and section.

        Args:
            query: 检索内容，用中文关键词或问题，例如“资金到位率”。What to look for, in Chinese.
            document_ids: 只在这些文档中检索（doc_id、文件名或标题均可）；不填则检索全部。Restrict to these documents.
            k: 返回段落数，1–20。Number of passages to return.
        """
        ids = self._resolve_many(document_ids)
        hits = self.retriever.search(query, k=k, doc_ids=ids)
        # chunks carry their document's title already; read the manifest only when one does not
        titles = self._titles() if any(not h.chunk.title for h in hits) else {}
        passages = [
            {
                "doc_id": h.chunk.doc_id,
                "title": h.chunk.title or titles.get(h.chunk.doc_id, ""),
                "page": h.chunk.page,
                "end_page": h.chunk.end_page,
                "section": h.chunk.section,
                "kind": h.chunk.kind,
                "chunk_id": h.chunk.id,
                "score": round(h.score, 4),
                "text": h.chunk.text,
            }
            for h in hits
        ]
        out: dict[str, Any] = {"query": query, "passages": passages}
        if not passages:
            out["message"] = f"未找到与“{query}”相关的段落 / no passage found for {query!r}"
        return out

    @tool
    def find_facts(
        self, query: Query, document_ids: DocIds = None, k: Annotated[int, Field(ge=1, le=30)] = 10
    ) -> dict[str, Any]:
        """按含义查找文档中的数字（事实索引）：每个数字带说明（表格的行、列表头或句中所指）、单位、年度、页码与原文。
        Find numbers of the documents by meaning (the fact index built at ingest): each with what it
        measures (a table cell's row and column labels, or the phrase before it in a sentence), exact
        value, unit, year, page and quote. Dates, document numbers, codes and line numbers are not facts.

        Args:
            query: 所问的量，用中文，例如“全年执行数”“编制人数”“满意度 实际完成值”。The quantity asked for.
            document_ids: 只在这些文档中查找；不填则查找全部。Restrict to these documents.
            k: 返回数量，1–30。Number of facts to return.
        """
        from service.answer.operations.operands import bigrams

        ids = self._resolve_many(document_ids)
        index = self.fact_index()
        wanted = set(index.glossary.concepts_in(query))
        grams = bigrams(query)
        scored = []
        for item in index.items(ids):
            overlap = len(grams & item.bigrams) / len(grams) if grams else 0.0
            score = 2.0 * len(wanted & item.concepts) + overlap
            if score > 0.3:
                scored.append((score, item))
        scored.sort(key=lambda x: (-x[0], x[1].fact.page, x[1].fact.id))
        facts = [
            {
                "doc_id": item.fact.doc_id,
                "title": item.title,
                "page": item.fact.page,
                "value": item.fact.value,
                "unit": item.fact.unit,
                "description": item.fact.description,
                "comparator": item.fact.comparator,
                "period": item.fact.period,
                "source": item.fact.source,
                "concepts": sorted(item.concepts),
                "qualifiers": sorted(item.qualifiers),
                "quote": item.fact.quote,
                "score": round(score, 3),
            }
            for score, item in scored[:k]
        ]
        out: dict[str, Any] = {"query": query, "facts": facts}
        if not facts:
            out["message"] = f"未找到与“{query}”相符的数字 / no fact matches {query!r}"
        return out

    def fact_index(self) -> Any:
        """The fact index over this store, read with the glossary, built once."""
        with self._facts_lock:
            if self._facts is None:
                from ingest.glossary import load_glossary
                from service.search.facts import FactIndex

                self._facts = FactIndex(self.store, load_glossary())
            return self._facts

    @tool
    def find_figure(self, query: Query, document_ids: DocIds = None) -> dict[str, Any]:
        """按行、列表头在报告表格中查找数值，例如“基本支出 全年执行数”“2019 年末实有人数”“合计 预算执行率”。
        Find figures in the report tables by row and column header; returns the best matching cells with
        table caption, page, unit and exact value.

        Args:
            query: 行表头和列表头的关键词，空格分隔，例如“项目支出 全年预算数”。Row and column header words.
            document_ids: 只在这些文档的表格中查找；不填则查找全部。Restrict to these documents.
        """
        ids = self._resolve_many(document_ids)
        matches = find_cells(query, self._all_cells(ids), self.retriever.tokenizer)
        titles = self._titles()
        figures = [
            {
                "doc_id": m.table.doc_id,
                "title": titles.get(m.table.doc_id, ""),
                "table_id": m.table.id,
                "table": m.table.caption,
                "unit_line": m.table.unit_line,
                "page": m.cell.page,
                "row_header": list(m.cell.row_header),
                "col_header": list(m.cell.col_header),
                "raw": m.cell.raw,
                "value": m.cell.value,
                "unit": "%" if m.cell.is_percent else m.cell.unit,
                "is_percent": m.cell.is_percent,
                "score": m.score,
                "row_text": _row_text(m.table, m.cell),
            }
            for m in matches
        ]
        out: dict[str, Any] = {"query": query, "figures": figures}
        if not figures:
            out["message"] = (
                f"表格中未找到与“{query}”匹配的数值，可改用 search_documents 检索正文 / "
                f"no table cell matches {query!r}; try search_documents"
            )
        return out

    @tool
    def get_table(
        self, doc: DocRef, caption_or_id: Annotated[str, Field(min_length=1, max_length=200)]
    ) -> dict[str, Any]:
        """读取一张完整的表格（表头、各行、每个单元格及页码）。Read one whole table: caption, unit, pages,
        header rows, body rows and every cell with its headers, value and page.

        Args:
            doc: 文档（doc_id、文件名或标题的一部分）。The document: doc_id, file name or part of the title.
            caption_or_id: 表号或标题，例如“表1-2”“1-2”“工资福利支出明细表”，或表格 id。Table number, caption or id.
        """
        record = self.store.resolve_document(doc)
        tables = self.store.get_tables(record.doc_id)
        table = _pick_table(tables, caption_or_id)
        if isinstance(table, dict):
            return table
        return {
            "doc_id": record.doc_id,
            "title": record.title,
            "table_id": table.id,
            "number": table.number,
            "caption": table.caption,
            "unit_line": table.unit_line,
            "pages": list(table.pages),
            "page": table.page,
            "header": [list(r) for r in table.header],
            "rows": [list(r) for r in table.rows],
            "cells": [
                {
                    "row_header": list(c.row_header),
                    "col_header": list(c.col_header),
                    "raw": c.raw,
                    "value": c.value,
                    "unit": "%" if c.is_percent else c.unit,
                    "page": c.page,
                }
                for c in table.cells
            ],
        }

    @tool
    def compute_metric(
        self, name: Annotated[str, Field(min_length=1, max_length=100)], inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """用指标库计算一个指标（公式、输入、结果均可追溯）；数值请用字符串，如 "11076.79"。Compute a metric from
        the catalogue; returns the value, display, formula and inputs. Pass numbers as strings.

        Args:
            name: 指标名（见下方列表）。The metric's registry name (listed below).
            inputs: 输入参数，参数名 -> 数值（字符串）或 {"value", "unit", "source"}。Argument name -> value.
        """
        from service.metrics import compute

        return compute(name, inputs).to_computation()

    @tool
    def list_documents(self) -> dict[str, Any]:
        """列出已入库的文档（doc_id、标题、年度、页数、类型）。List the ingested documents."""
        docs = [
            _doc_json(r)
            for r in self.store.list_documents(include_failed=False)
            if r.status in ("ok", "unchanged")
        ]
        return {"documents": docs}

    @tool
    def check_report(self, doc: DocRef, policy: DocRef | None = None) -> dict[str, Any]:
        """复核一份报告自身的数字：重算合计、比率、增长率、得分与等级，逐项给出是否一致；文档中的自评表/得分表
        另列问题（执行率、得分、总分、权重、偏差原因、空项），并引用单元格。Re-check a report's own figures
        (totals, rates, growth, scores, grade) and report ok / mismatch / cannot verify for each; its
        self-evaluation forms and score tables get their findings listed, each citing its cells.

        Args:
            doc: 文档（doc_id、文件名或标题的一部分）。The document: doc_id, file name or part of the title.
            policy: 可选：按此政策文件写明的评级档次复核等级。Optional: grade by the bands this policy document states.
        """
        from service.report_check import check_document

        return check_document(self.store, doc, policy=policy)

    # ---- registry ----------------------------------------------------------------------------
    def call(self, name: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run a tool by name with JSON arguments (for the HTTP API and MCP)."""
        if name not in TOOL_NAMES:
            return tool_error(
                "unknown_tool",
                f"没有名为“{name}”的工具；可用：{', '.join(TOOL_NAMES)}",
                f"unknown tool {name!r}",
            )
        if arguments is not None and not isinstance(arguments, dict):
            return tool_error("bad_arguments", "参数应为对象", "arguments must be an object")
        return getattr(self, name)(**(arguments or {}))

    def langchain_tools(self) -> list[Any]:
        """The same tools as LangChain `StructuredTool`s (name, description and schema from `tool_specs()`)."""
        from langchain_core.tools import StructuredTool

        out = []
        for spec in tool_specs():
            method = getattr(self, spec["name"])
            out.append(
                StructuredTool(
                    name=spec["name"],
                    description=spec["description"],
                    args_schema=getattr(type(self), spec["name"]).__tool_args__,
                    func=_call_with_kwargs(method),
                    handle_validation_error=_validation_error_json,
                )
            )
        return out

    # ---- helpers -----------------------------------------------------------------------------
    def _resolve_many(self, refs: list[str] | None) -> list[str] | None:
        if refs is None:
            return None
        return list(dict.fromkeys(self.store.resolve_document(r).doc_id for r in refs))

    def _all_cells(self, doc_ids: list[str] | None) -> list[tuple[Table, Cell]]:
        """`store.all_cells(doc_ids)`, served from one read per store generation."""
        generation = self.store.generation()
        with self._cells_lock:
            if self._cells is None or self._cells[0] != generation:
                serial = self.fact_index().glossary.is_serial_label
                self._cells = (  # a 行次 / 序号 column numbers the lines: never a figure
                    generation,
                    [
                        (t, c)
                        for t, c in self.store.all_cells()
                        if not any(serial(h) for h in (*c.col_header[-1:], *c.row_header[-1:]))
                    ],
                )
            cells = self._cells[1]
        if doc_ids is None:
            return cells
        wanted = set(doc_ids)
        return [(table, cell) for table, cell in cells if table.doc_id in wanted]

    def tables_in(self, doc_ids: list[str] | None) -> list[Table]:
        """The tables (with every cell) of these documents, or of all, from the same one read per
        store generation as `find_figure`."""
        tables: dict[str, Table] = {}
        for table, _cell in self._all_cells(doc_ids):
            tables.setdefault(table.id, table)
        return list(tables.values())

    def _titles(self) -> dict[str, str]:
        return {r.doc_id: r.title for r in self.store.list_documents(include_failed=False)}


def _validation_error_json(exc: Exception) -> str:
    """What the model reads when LangChain's own argument check fails: the same error shape."""
    msg = _validation_message(exc) if isinstance(exc, ValidationError) else str(exc)
    return json.dumps(
        tool_error("bad_arguments", f"参数有误：{msg}", f"invalid arguments: {msg}"), ensure_ascii=False
    )


def _call_with_kwargs(method: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def run(**kwargs: Any) -> dict[str, Any]:
        return method(**kwargs)

    return run


def _doc_json(r: DocumentRecord) -> dict[str, Any]:
    return {
        "doc_id": r.doc_id,
        "title": r.title,
        "year": r.year,
        "pages": r.pages,
        "kind": r.kind,
        "tables": r.tables,
    }


def _row_text(table: Table, cell: Cell) -> str:
    """The cell's whole row as a quotable line: "表 1-2 …（单位：…）：话务岗 780 814 7937.43 …"."""
    row = table.rows[cell.row_index] if 0 <= cell.row_index < len(table.rows) else [cell.raw]
    unit = f"（{table.unit_line}）" if table.unit_line else ""
    return f"{table.caption}{unit}：" + " ".join(x for x in row if x)


def _norm_caption(s: str) -> str:
    from service.search.figures import normalize_label

    return normalize_label(s).replace("表", "").replace("－", "-").replace("—", "-")


def _pick_table(tables: list[Table], ref: str) -> Table | dict[str, Any]:
    by_id = [t for t in tables if t.id == ref]
    if by_id:
        return by_id[0]
    want = _norm_caption(ref)
    by_number = [t for t in tables if t.number and t.number == want]
    if len(by_number) == 1:
        return by_number[0]
    by_caption = [t for t in tables if want and want in _norm_caption(t.caption)]
    exact = [t for t in by_caption if _norm_caption(t.caption) == want]
    if len(exact) == 1:
        return exact[0]
    if len(by_caption) == 1:
        return by_caption[0]
    names = "；".join(t.caption for t in (by_caption or tables))
    if by_caption:
        return tool_error(
            "ambiguous", f"“{ref}”对应多张表：{names}", f"{ref!r} matches several tables: {names}"
        )
    return tool_error(
        "not_found", f"未找到表格“{ref}”；本文档的表格：{names}", f"no table {ref!r}; tables: {names}"
    )


def tool_specs() -> list[dict[str, Any]]:
    """The JSON schema of every tool: [{"name", "description", "parameters"}], in registry order."""
    out = []
    for name in TOOL_NAMES:
        method = getattr(Toolbox, name)
        description, _ = parse_docstring(method.__doc__ or "")
        if name == "compute_metric":
            description += _metric_catalogue()
        out.append(
            {
                "name": name,
                "description": description,
                "parameters": _clean_schema(method.__tool_args__.model_json_schema()),
            }
        )
    return out


def _metric_catalogue() -> str:
    try:
        from service.metrics import registry_schema
    except ImportError:  # the metrics module is not installed: the tool will say so when called
        return ""
    lines = []
    for m in registry_schema():
        props = m["parameters"]["properties"]
        req = set(m["parameters"].get("required", []))
        args = ", ".join(a if a in req else f"{a}?" for a in props)
        lines.append(f"- {m['name']}（{m['name_zh']}）: {args}")
    return "\n可用指标 / metrics:\n" + "\n".join(lines)


def _clean_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Drop pydantic's auto titles (noise for the model); keep everything else."""
    if isinstance(schema, dict):
        return {k: _clean_schema(v) for k, v in schema.items() if not (k == "title" and isinstance(v, str))}
    if isinstance(schema, list):
        return [_clean_schema(x) for x in schema]  # type: ignore[return-value]
    return schema


__all__ = ["TOOL_NAMES", "NotFound", "Toolbox", "tool_error", "tool_specs"]

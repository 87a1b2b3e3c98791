"""The output contract other programs rely on (`jixiao ask --json`, POST /api/v1/chat, evals).

{"conversation_id", "answer",
 "citations": [{"n", "doc_id", "title", "page", "quote", "boxes", "locations", "file_type"}],
 "computations": [{"metric", "inputs", "formula", "value", "unit", "display"}],
 "grounded": bool, "answerer": "llm"|"deterministic", "table": {...} | null}
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class CitedBox(BaseModel):
    """Where the cited text or cell is printed (service.citation_boxes): PDF points, origin top-left."""

    page: int
    kind: Literal["line", "cell"]
    x0: float
    top: float
    x1: float
    bottom: float
    page_width: float
    page_height: float
    focus: bool = Field(default=False, description="the cell of a figure the answer states")


class CitedLocation(BaseModel):
    """Where the cited cell or paragraph is in an xlsx/docx (service.citation_locations), which has no
    page image: the same keys for every kind, null where they do not apply (docs/citations.md)."""

    kind: Literal["cell", "paragraph"]
    page: int = Field(description="the document page: the worksheet's (xlsx), 1 (docx)")
    sheet: str | None = Field(default=None, description="worksheet name (xlsx)")
    table: int | None = Field(default=None, description="1-based number of the Word table (docx)")
    paragraph: int | None = Field(default=None, description="1-based number of the body paragraph (docx)")
    row: int | None = Field(default=None, description="1-based row (of the sheet or Word table)")
    col: int | None = Field(default=None, description="1-based column")
    row_span: int = Field(default=1, description="rows a merged cell covers")
    col_span: int = Field(default=1, description="columns a merged cell covers")
    ref: str | None = Field(default=None, description="the cell as a spreadsheet names it, 'C7' (xlsx)")
    address: str | None = Field(default=None, description="with its sheet, 'Sheet1!C7' (xlsx)")
    label: str = Field(description="for people: '工作表 Sheet1，C7', '第2个表格，第3行第2列', '第5段'")
    text: str = Field(default="", description="the cell's or paragraph's text")
    focus: bool = Field(default=False, description="the cell of a figure the answer states")


class Citation(BaseModel):
    n: int = Field(description="the number used in the answer text, [n]")
    doc_id: str
    title: str
    page: int
    quote: str
    boxes: list[CitedBox] = Field(default_factory=list, description="where the quote is printed on the page")
    locations: list[CitedLocation] = Field(
        default_factory=list, description="where the quote is in an xlsx/docx: sheet or table, row, column"
    )
    file_type: Literal["pdf", "xlsx", "docx"] | None = Field(
        default=None, description="the cited document's format (a PDF has page images)"
    )


class Computation(BaseModel):
    metric: str = Field(description="registry name of the metric, e.g. budget_execution_rate")
    name_zh: str = ""
    inputs: list[dict[str, Any]] = Field(
        default_factory=list,
        description="[{name, label, value, unit, source: {doc_id, page, table, row, column, boxes, locations}}]",
    )
    formula: str = Field(description="formula in symbols with the inputs substituted")
    formula_words: str = ""
    value: str = Field(description="full-precision Decimal text")
    unit: str = ""
    display: str = Field(description="rounded for display, e.g. '99.86%'")


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    # the structured context of an assistant turn, so follow-ups can be resolved
    meta: dict[str, Any] = Field(default_factory=dict)


class Answer(BaseModel):
    conversation_id: str = ""
    answer: str
    citations: list[Citation] = Field(default_factory=list)
    computations: list[Computation] = Field(default_factory=list)
    grounded: bool = True
    answerer: Literal["llm", "deterministic"] = "deterministic"
    # numbers the grounding check could not verify (already removed or marked in `answer`)
    ungrounded: list[str] = Field(default_factory=list)
    # what was searched when nothing was found, tool calls made, fallback reasons ...
    notes: list[str] = Field(default_factory=list)
    # a result across documents as data: {title, columns: [{key, label, type}], rows: [{doc_id,
    # cite, cells}], chart: {type, x, y} | None}; each row's `cite` is its citation's n
    table: dict[str, Any] | None = None
    # structured context for follow-up resolution (intent, metric, years, rows ...); not part of the public contract
    meta: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def public(self) -> dict[str, Any]:
        return self.model_dump(exclude={"meta"})


class ProgressEvent(BaseModel):
    """Emitted while answering, so a slow answer shows progress (searching -> computing -> writing)."""

    stage: Literal["searching", "computing", "writing", "tool"]
    detail: str = ""
    tool: str | None = None
    tool_input: dict[str, Any] | None = None
    tool_output: Any = None

"""The MCP server (Python SDK `mcp` 2.x, streamable HTTP at /mcp): read-only tools for other
assistants — `search_documents`, `get_table`, `compute_metric`, `check_report`, `audit_forms`, `ask` —
and resources for every loaded document, page and table (`service.api.mcp_resources`); citations
carry the `uri` of their page resource.

The tools are the same `service.tools.Toolbox` methods the answerers use, plus the Assistant's
`ask`; nothing here adds logic. Auth: the same Bearer keys as the API (site keys excluded), checked
in front of the SDK's ASGI app, with the same rate limit and body limit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.context import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.streamable_http_manager import StreamableHTTPASGIApp
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, Resource, ToolAnnotations
from pydantic import Field
from starlette.datastructures import Headers
from starlette.types import Receive, Scope, Send

from service.api import mcp_resources
from service.api.answering import AnswerRunner, check_question
from service.api.deps import AssistantLike
from service.api.security import Guard, send_error
from service.errors import JixiaoError
from service.tools import tool_specs

READ_ONLY = ToolAnnotations(
    readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False
)
INSTRUCTIONS = (
    "jixiao 绩效评价报告问答：带页码引用的检索、表格读取、按登记公式计算指标、报告数字自检与完整问答。"
    " / Performance-evaluation reports: cited search, tables, registered metric formulas, report "
    "self-check, and full cited answers. Every figure comes from a document page or a metric formula."
)


def _result(value: Any) -> dict[str, Any]:
    """Toolbox results are JSON-able; errors come back as {"error": {...}} and become tool errors."""
    if isinstance(value, dict) and "error" in value:
        error = value["error"]
        message = error.get("message") if isinstance(error, dict) else str(error)
        hint = error.get("hint") if isinstance(error, dict) else None
        raise ToolError(f"{message}" + (f"（{hint}）" if hint else ""))
    return value if isinstance(value, dict) else {"result": value}


class JixiaoMCPServer(MCPServer):
    """The SDK server with the current spec's error rule for unknown tools and a resource list
    read from the store on each call.

    MCP 2025-11-25, tools / error handling: an unknown tool is a protocol error (JSON-RPC -32602),
    not a tool result; invalid arguments and failures inside a tool stay tool execution errors
    (`isError: true`, SEP-1303) so the calling model can read the message and correct itself."""

    def __init__(self, *args: Any, get_store: Callable[[], Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._get_store = get_store

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> Any:
        if self._tool_manager.get_tool(name) is None:
            known = sorted(t.name for t in self._tool_manager.list_tools())
            raise MCPError(
                code=INVALID_PARAMS,
                message=f"Unknown tool: {name}（没有这个工具；可用：{', '.join(known)}）",
                data={"tool": name, "available": known},
            )
        return await super().call_tool(name, arguments, context)

    async def list_resources(self) -> list[Resource]:
        static = await super().list_resources()
        listed = await asyncio.to_thread(mcp_resources.list_all, self._get_store())
        return static + listed


def build_mcp(
    get_assistant: Callable[[], AssistantLike], get_runner: Callable[[], AnswerRunner]
) -> MCPServer:
    # the SDK calls logging.basicConfig() (a rich handler on the root logger) when constructed;
    # logging belongs to the process owner (`jixiao serve`, pytest), so undo that
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    server = JixiaoMCPServer(
        "jixiao",
        title="绩效 jixiao",
        instructions=INSTRUCTIONS,
        version="0.1.0",
        get_store=lambda: get_assistant().store,
    )
    root.handlers[:] = handlers
    root.setLevel(level)
    # the toolbox's own descriptions (compute_metric's lists the metric catalogue and its inputs)
    described = {spec["name"]: spec["description"] for spec in tool_specs()}
    mcp_resources.register(server, lambda: get_assistant().store, lambda: get_assistant().toolbox)

    async def call(method: str, *args: Any) -> dict[str, Any]:
        try:
            toolbox = get_assistant().toolbox
            return _result(await asyncio.to_thread(getattr(toolbox, method), *args))
        except JixiaoError as exc:
            raise ToolError(str(exc)) from None

    @server.tool(annotations=READ_ONLY, description=described["search_documents"])
    async def search_documents(
        query: Annotated[str, Field(description="检索词或问题，中文为主 / query text")],
        document_ids: Annotated[
            list[str] | None, Field(description="只在这些文档中查 / restrict to documents")
        ] = None,
        k: Annotated[int, Field(ge=1, le=20, description="返回条数 / number of passages")] = 8,
    ) -> dict[str, Any]:
        """检索已入库的报告和政策文件，返回带文档、页码的段落 / search the ingested reports and policies; passages with document and page."""
        return mcp_resources.with_uris(await call("search_documents", query, document_ids, k))

    @server.tool(annotations=READ_ONLY, description=described["get_table"])
    async def get_table(
        doc: Annotated[str, Field(description="文档 id、文件名或标题 / document id, file name or title")],
        caption_or_id: Annotated[
            str, Field(description="表号/表名（如 表1-1 或 预算执行）或表 id / table caption or id")
        ],
    ) -> dict[str, Any]:
        """读取报告中的一张表：表头、行、单元格数值和所在页 / one report table as data (header, rows, cell values, pages)."""
        return await call("get_table", doc, caption_or_id)

    @server.tool(annotations=READ_ONLY, description=described["compute_metric"])
    async def compute_metric(
        name: Annotated[str, Field(description="指标名，如 budget_execution_rate / registered metric name")],
        inputs: Annotated[
            dict[str, Any], Field(description="指标输入，数值用字符串 / inputs, numbers as strings")
        ],
    ) -> dict[str, Any]:
        """按登记的公式计算绩效指标（预算执行率、增长率、得分率、等级等），返回公式、输入和结果 / compute a registered metric with its formula, inputs and value."""
        return await call("compute_metric", name, inputs)

    @server.tool(annotations=READ_ONLY, description=described["check_report"])
    async def check_report(
        doc: Annotated[str, Field(description="文档 id、文件名或标题 / document id, file name or title")],
    ) -> dict[str, Any]:
        """核对报告自身的数字（合计、比率、得分）是否对得上 / re-check a report's own figures (sums, rates, scores)."""
        return await call("check_report", doc)

    @server.tool(annotations=READ_ONLY)
    async def audit_forms(
        files: Annotated[
            list[dict[str, str]],
            Field(
                description="自评表文件：[{name, content_base64}]（PDF/XLSX/DOCX，不入库）/ form files, base64",
                max_length=50,
            ),
        ],
    ) -> dict[str, Any]:
        """审核绩效自评表（不入库）：每张表一行（单位、项目、年度、预算、执行、执行率、自评与复算总分、等级），并列出问题及引用单元格 / audit self-evaluation forms without ingesting them: one row per form and its findings, each citing its cells."""
        import base64
        import binascii

        from service.audit import audit_uploads

        decoded: list[tuple[str, bytes]] = []
        for i, f in enumerate(files):
            try:
                decoded.append(
                    (
                        str(f.get("name") or f"file{i}"),
                        base64.b64decode(f.get("content_base64", ""), validate=True),
                    )
                )
            except (binascii.Error, ValueError) as exc:
                raise ToolError(
                    f"第 {i + 1} 个文件的 content_base64 无法解码 / file {i + 1}: bad base64"
                ) from exc
        report = await asyncio.to_thread(audit_uploads, decoded)
        return report.to_dict()

    @server.tool(annotations=READ_ONLY)
    async def ask(
        question: Annotated[str, Field(description="问题 / the question")],
        document_ids: Annotated[
            list[str] | None, Field(description="只在这些文档中查 / restrict to documents")
        ] = None,
        conversation_id: Annotated[
            str | None, Field(description="续问时带上 / to continue a conversation")
        ] = None,
        ctx: Context[Any] | None = None,
    ) -> dict[str, Any]:
        """完整问答：中文回答，带编号引用（文档、页码、原文）和计算过程 / a full cited answer with numbered citations and computations."""
        assistant = get_assistant()
        try:
            text = check_question(assistant.settings, question)
            answer = await get_runner().ask(
                assistant, text, conversation_id=conversation_id, document_ids=document_ids
            )
        except JixiaoError as exc:
            raise ToolError(str(exc)) from None
        return mcp_resources.with_uris(answer.public(), base_url=_base_url(ctx))

    return server


def _base_url(ctx: Context[Any] | None) -> str:
    """The server's own address as the MCP client reached it ("" when not over HTTP)."""
    try:
        request = ctx.request_context.request if ctx is not None else None
    except ValueError:  # no request context (called directly)
        return ""
    return str(request.base_url).rstrip("/") if request is not None else ""


class MCPEndpoint:
    """The SDK's streamable HTTP handler behind our Bearer check, rate limit and origin check."""

    def __init__(self, server: MCPServer, guard: Guard, *, max_body_bytes: int) -> None:
        # stateless + JSON responses: each call stands alone (read-only tools), easy to load-balance
        if guard.keys.enabled:
            security = TransportSecuritySettings(enable_dns_rebinding_protection=False)
        else:  # local mode: only this machine's names, as the SDK does by default
            security = TransportSecuritySettings(
                enable_dns_rebinding_protection=True,
                allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*", "127.0.0.1", "localhost"],
                allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
            )
        server.streamable_http_app(
            streamable_http_path="/mcp",
            stateless_http=True,
            json_response=True,
            transport_security=security,
            max_request_body_size=max_body_bytes,
        )
        self.session_manager = server.session_manager
        self.app = StreamableHTTPASGIApp(self.session_manager)
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = Headers(scope=scope)
        client = scope.get("client")
        try:
            self.guard.admit(headers, "/mcp", client[0] if client else None)
        except JixiaoError as exc:
            await send_error(scope, receive, send, exc)
            return
        await self.app(scope, receive, send)

"""jixiao through the MCP Python SDK over streamable HTTP (run by tests/test_client_examples.py).

JIXIAO_URL=http://127.0.0.1:8000 python docs/examples/mcp_client.py
"""

import asyncio
import os

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

URL = os.environ.get("JIXIAO_URL", "http://127.0.0.1:8000") + "/mcp"
KEY = os.environ.get("JIXIAO_API_KEY")  # not needed when no keys are configured


async def main() -> None:
    headers = {"Authorization": f"Bearer {KEY}"} if KEY else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=120) as http,
        Client(streamable_http_client(URL, http_client=http)) as client,
    ):
        print([tool.name for tool in (await client.list_tools()).tools])
        print(len((await client.list_resources()).resources), "resources")
        result = await client.call_tool("ask", {"question": "8890项目2020年预算执行率是多少？"})
        answer = result.structured_content
        print(answer["answer"])
        citation = answer["citations"][0]
        page = await client.read_resource(citation["uri"])  # jixiao://documents/<doc_id>/pages/<n>
        print(citation["uri"], page.contents[0].text[:80])


asyncio.run(main())

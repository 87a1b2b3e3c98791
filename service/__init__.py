"""jixiao service: answering (tools, retrieval, metrics, answerers), the HTTP API, MCP, the widget."""

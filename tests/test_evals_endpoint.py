"""`jixiao eval --endpoint` against the real service (uvicorn on localhost, the sample data dir):
through `/api/v1/chat` with every check, and through `/v1/chat/completions` with the structured
checks skipped and said so."""

from __future__ import annotations

from pathlib import Path

import pytest
from api_server import live_server

from evals.report import render_markdown
from evals.runner import evaluate
from evals.schema import load_cases


@pytest.mark.slow
def test_eval_through_both_http_apis(data_dir_copy: Path) -> None:
    from service.api.app import create_app
    from service.config import Settings

    cases = [
        c
        for c in load_cases()
        if c.id in {"lookup-exec-rate-2020", "fu-exec-rate-goods", "unans-2021-exec-rate"}
    ]
    assert len(cases) == 3
    settings = Settings(data_dir=data_dir_copy, llm_base_url=None, llm_gguf=None)
    with live_server(create_app(settings)) as server:
        native = evaluate(cases, endpoint=server.url, progress=False)
        openai = evaluate(cases, endpoint=f"{server.url}/v1/chat/completions", progress=False)

    assert native.meta["target_kind"] == "jixiao" and native.summary["errors"] == 0
    assert native.summary["skipped_checks"] == {}
    assert native.summary["retrieval"]["source"] == "citations" and native.summary["retrieval"]["cases"] == 2
    by_id = {r["id"]: r for r in native.results}
    # the follow-up reached the same conversation: its second turn was resolved against the first
    assert by_id["fu-exec-rate-goods"]["passed"], by_id["fu-exec-rate-goods"]["turns"][-1]
    assert by_id["unans-2021-exec-rate"]["passed"]

    assert openai.meta["target_kind"] == "openai" and openai.summary["errors"] == 0
    assert set(openai.meta["skipped_check_kinds"]) == {"citation", "grounded"}
    assert openai.summary["citation_accuracy"]["total"] == 0 and openai.summary["retrieval"]["cases"] == 0
    fu = next(r for r in openai.results if r["id"] == "fu-exec-rate-goods")
    value = next(c for c in fu["turns"][-1]["checks"] if c["kind"] == "value")
    assert value["passed"], fu["turns"][-1]["answer"]  # history sent as messages carries the context
    assert "skipped checks" in render_markdown(openai)

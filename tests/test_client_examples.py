"""The README's client examples (docs/examples/*.py) run as they are printed, against a live
jixiao in local mode on the real pipeline; tests/test_ai_sdk_client.py runs the AI SDK one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_server import LiveServer

from service.api.app import create_app
from service.config import Settings

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


@pytest.fixture(scope="module")
def server(sample_data_dir, tmp_path_factory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("examples") / "data"
    shutil.copytree(sample_data_dir, data_dir)
    srv = LiveServer(create_app(Settings(data_dir=data_dir))).start()
    yield srv
    srv.stop()


def run_example(name: str, url: str) -> list[str]:
    env = {**os.environ, "JIXIAO_URL": url}
    env.pop("JIXIAO_API_KEY", None)
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def test_openai_example(server: LiveServer) -> None:
    lines = run_example("openai_client.py", server.url)
    assert lines[0] == "['jixiao'] jixiao"
    text = "\n".join(lines)
    assert "来源 / Sources:" in text and "#page=" in text
    assert lines[-1] == "True"


def test_mcp_example(server: LiveServer) -> None:
    lines = run_example("mcp_client.py", server.url)
    assert "'ask'" in lines[0] and lines[1].endswith(" resources") and int(lines[1].split()[0]) > 2
    assert lines[-1].startswith("jixiao://documents/") and "/pages/" in lines[-1]

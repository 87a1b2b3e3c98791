"""`jixiao serve`: one worker by default, --workers only with a Chroma server and a shared SQL URL,
127.0.0.1 only without API keys; and the real command serving the sample on a free port."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from api_server import free_port
from typer.testing import CliRunner

from service.cli import app as cli
from service.commands.serve import plan_serve
from service.config import Settings
from service.errors import ConfigError


def test_no_keys_binds_loopback_and_says_so(tmp_path) -> None:
    plan = plan_serve(Settings(data_dir=tmp_path))
    assert (plan.host, plan.port, plan.workers) == ("127.0.0.1", 8000, 1)
    assert any("127.0.0.1" in note and "密钥" in note for note in plan.notes)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_no_keys_refuses_other_addresses(tmp_path, host: str) -> None:
    with pytest.raises(ConfigError) as refused:
        plan_serve(Settings(data_dir=tmp_path), host=host)
    assert host in refused.value.message and "JIXIAO_API_KEYS" in (refused.value.hint or "")


def test_keys_allow_any_address(tmp_path) -> None:
    plan = plan_serve(
        Settings(data_dir=tmp_path, api_keys=["a-long-random-key-1"]), host="0.0.0.0", port=9000
    )
    assert (plan.host, plan.port) == ("0.0.0.0", 9000) and not plan.notes


@pytest.mark.parametrize(
    "overrides",
    [{}, {"chroma_mode": "http"}, {"database_url": "postgresql://db/jixiao"}],
)
def test_workers_need_chroma_server_and_shared_database(tmp_path, overrides: dict) -> None:
    with pytest.raises(ConfigError) as refused:
        plan_serve(Settings(data_dir=tmp_path, **overrides), workers=2)
    assert "JIXIAO_CHROMA_MODE=http" in (refused.value.hint or "")
    assert "JIXIAO_DATABASE_URL" in (refused.value.hint or "")
    assert "一个写入进程" in refused.value.message


def test_workers_with_chroma_server_and_database(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, chroma_mode="http", database_url="postgresql://db/jixiao")
    assert plan_serve(settings, workers=4).workers == 4


def test_cli_refusals_exit_2_with_the_reason(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    result = runner.invoke(cli, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "0.0.0.0" in result.output
    result = runner.invoke(cli, ["serve", "--workers", "3"])
    assert result.exit_code == 2 and "JIXIAO_CHROMA_MODE" in result.output


@pytest.mark.slow
def test_jixiao_serve_serves_the_sample(sample_data_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(sample_data_dir, data_dir)
    port = free_port()
    env = {**os.environ, "JIXIAO_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("JIXIAO_API_KEYS", None)
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "jixiao serve did not come up"
            time.sleep(0.5)
        assert httpx.get(f"{url}/readyz", timeout=60).json()["status"] == "ok"
        r = httpx.post(
            f"{url}/api/v1/chat", json={"message": "8890项目2020年预算执行率是多少？"}, timeout=120
        )
        assert r.status_code == 200 and r.json()["citations"]
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    output = (tmp_path / "serve.log").read_text()
    assert "未配置 API 密钥：仅监听本机 127.0.0.1" in output
    assert proc.returncode == 0, output

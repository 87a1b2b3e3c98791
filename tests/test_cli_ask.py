"""`jixiao ask` on the real fixture: human output (answer, sources, computations), the --json
contract, --conversation follow-ups, --doc scope, and the installed console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app

CONTRACT = {"conversation_id", "answer", "citations", "computations", "grounded", "answerer"}


@pytest.fixture(scope="module")
def data_dir(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("cli-ask") / "data"
    shutil.copytree(sample_data_dir, dest)
    return dest


def run(data_dir: Path, *args: str):
    result = CliRunner().invoke(app, ["ask", *args, "--data-dir", str(data_dir)])
    return result


def test_json_contract(data_dir):
    r = run(data_dir, "2020年受理量比2019年增长多少？", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    from service.answer.models import Answer

    assert set(out) == set(Answer.model_fields) - {"meta"}
    assert set(out) >= CONTRACT
    assert out["answerer"] == "deterministic" and out["grounded"] is True
    assert "37.83%" in out["answer"]
    assert all({"n", "doc_id", "title", "page", "quote"} <= set(c) for c in out["citations"])
    comp = out["computations"][0]
    assert {"metric", "inputs", "formula", "value", "unit", "display"} <= set(comp)
    assert comp["metric"] == "growth_rate" and comp["display"] == "37.83%"
    assert {i["value"] for i in comp["inputs"]} == {"1036.39", "751.92"}


def test_human_output_has_sources_and_formulas(data_dir):
    r = run(data_dir, "商品和服务支出超预算多少，是否履行了调整程序？")
    assert r.exit_code == 0, r.output
    text = r.stdout
    assert "8.93万元" in text
    assert "来源" in text and "第2页" in text and "第7页" in text
    assert "计算" in text and "1978.55 − 1969.62" in text
    # answer, then sources, then the computations table (the formula also appears in the answer)
    assert (
        text.index("8.93万元") < text.index("来源") < text.rindex("1978.55")
        and "超预算金额" in text[text.index("来源") :]
    )


def test_conversation_across_invocations(data_dir):
    first = json.loads(run(data_dir, "2020年单位人工成本是多少？", "--json").stdout)
    assert "10.01" in first["answer"]
    second = json.loads(
        run(data_dir, "那2019年呢？", "--json", "--conversation", first["conversation_id"]).stdout
    )
    assert second["conversation_id"] == first["conversation_id"]
    assert "8.79" in second["answer"]


def test_doc_scope_and_unanswerable(data_dir):
    out = json.loads(run(data_dir, "坐席电话接听率是多少？", "--json", "--doc", "policy_sample.pdf").stdout)
    assert "未找到" in out["answer"] and not out["citations"]


def test_unknown_doc_is_a_clear_error(data_dir):
    r = run(data_dir, "预算执行率是多少？", "--doc", "nonexistent.pdf")
    assert r.exit_code == 1
    assert "错误" in r.output


def test_empty_question_is_a_clear_error(data_dir):
    r = run(data_dir, "  ", "--json")
    assert r.exit_code == 1
    err = json.loads(r.stdout)["error"]
    assert err["code"] == "bad_request" and "问题" in err["message"]


def test_console_script(data_dir):
    exe = Path(sys.executable).parent / "jixiao"
    env = {**os.environ, "JIXIAO_DATA_DIR": str(data_dir)}
    p = subprocess.run(
        [str(exe), "ask", "项目决策得分率是多少？", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert "88.24%" in out["answer"]
    assert out["computations"][0]["metric"] == "score_rate"

"""Every template in prompts/ renders strictly with sample variables, and what it renders is
snapshot-tested (syrupy), so a prompt edit shows up as a reviewed diff.

A new template must be registered in SAMPLES with the variables its callers pass; an unregistered
template fails `test_every_template_is_registered`. Update snapshots with
`.venv/bin/pytest tests/test_prompts.py --snapshot-update` and review the diff.
"""

from __future__ import annotations

from typing import Any

import jinja2
import pytest

import prompts

SAMPLE_TOOLS = [
    {"name": "search_documents", "description": "检索报告和政策原文（向量 + 关键词混合检索）。"},
    {"name": "get_table", "description": "按行列表头读取表格单元格。"},
    {"name": "compute_metric", "description": "用指标库计算指标，返回公式和结果。"},
]

REPORT = "12345政务服务便民热线2020年度项目支出绩效评价报告"

# template name -> the variables its caller passes (sample values); a list gives several variants
# (e.g. both branches of an {% if %}), each rendered and snapshotted.
SAMPLES: dict[str, dict[str, Any] | list[dict[str, Any]]] = {
    "system": {
        "today": "2026-11-30",
        "tools": SAMPLE_TOOLS,
        "max_steps": 8,
        "documents": [
            {
                "doc_id": "a1b2c3d4e5f60718",
                "title": "12345政务服务便民热线2020年度项目支出绩效评价报告",
                "year": 2020,
            },
            {"doc_id": "0f1e2d3c4b5a6978", "title": "财政支出绩效评价管理办法", "year": None},
        ],
    },
    "agent_style": {},
    # --- the deterministic answerer's templates ---
    "answer_baseline": [
        {
            "span": "2018–2019年",
            "subject": "单位人工成本",
            "numerator": "人工成本",
            "denominator": "人数",
            "formula": "5855.22 ÷ 699 = 8.38",
            "display": "8.38万元/人",
            "inputs": [
                {"label": "2018–2019年人工成本合计", "display": "5855.22万元", "n": 1},
                {"label": "2018–2019年人数合计", "display": "699人", "n": 1},
            ],
            "stated": {"display": "8.38", "n": 1, "agrees": True},
            "alt": {"display": "8.37万元/人", "formula": "(8.21 + 8.53) ÷ 2 = 8.37"},
            "clause": {"title": "《评价细则》", "text": "历史水平按多年合计数之比计算", "n": 2},
        },
        {
            "span": "2018–2019年",
            "subject": "每万接听量人工成本",
            "numerator": "人工成本",
            "denominator": "接听量",
            "formula": "5855.22 ÷ 1148.6 = 5.10",
            "display": "5.10万元",
            "inputs": [{"label": "人工成本合计", "display": "5855.22万元", "n": 1}],
            "stated": None,
            "alt": None,
            "clause": None,
        },
    ],
    "answer_rule_score": [
        {
            "title": "示例指标表",
            "indicator": "政府采购执行率",
            "rule_n": 1,
            "result": "4.8分",
            "rate": {"name": "政府采购执行率", "formula": "485 ÷ 500 × 100% = 97.00%", "n": 2},
            "formula": "97%低于100%共3个百分点，每1个百分点扣0.4分：6 − 3 × 0.4 = 4.8分",
            "max": None,
        },
        {
            "title": "",
            "indicator": "",
            "rule_n": 1,
            "result": "13.5分",
            "rate": None,
            "formula": "15 × 90% = 13.5分",
            "max": {"display": "15分", "n": 2},
        },
    ],
    "answer_forms": [
        {
            "intro": "以下两项没有拿满分：",
            "items": [
                {"text": "“资金拨付及时率”得分8（分值10），偏差原因：“部分资金拨付滞后”", "ns": [1, 2, 3]},
                {"text": "“开工率”得分4（分值5），表中未填写偏差原因", "ns": [4]},
            ],
            "more": "",
            "rule": "",
        },
        {
            "intro": "",
            "items": [
                {"text": "预算执行得分填报10分；复算：10 × min(98%, 100%) = 9.80分，请核实", "ns": [1]}
            ],
            "more": "另有二项未列出。",
            "rule": "《示例办法》第六条（第2页）",
        },
    ],
    "answer_check": [
        {
            "title": REPORT,
            "total": 12,
            "ok": 10,
            "mismatch": 1,
            "unverifiable": 1,
            "mismatches": [
                {"claim": "表1 合计 支出金额", "stated": "11076.79", "recomputed": "11076.80", "n": 1}
            ],
        },
        {"title": REPORT, "total": 12, "ok": 12, "mismatch": 0, "unverifiable": 0, "mismatches": []},
        {
            "title": REPORT,
            "total": "",
            "ok": "",
            "mismatch": "",
            "unverifiable": "",
            "mismatches": [],
            "focus": [
                {
                    "claim": "表1-2 话务岗 工资福利支出总额（其中各项之和）",
                    "stated": "7937.43",
                    "n": 1,
                    "formula": "5127.60 + 1772.42 + 1037.41 = 7937.43万元",
                    "convention": "直接计算",
                    "verdict": "与复算结果一致",
                }
            ],
        },
    ],
    "answer_computation": [
        {
            "subject": "2020年受理量比2019年",
            "verb": "增长",
            "result": "37.83%",
            "name_zh": "增长率",
            "formula": "(1036.39 − 751.92) ÷ 751.92 × 100% = 37.83%",
            "inputs": [
                {"label": "2020年受理量", "display": "1036.39万件", "n": 1},
                {"label": "2019年受理量", "display": "751.92万件", "n": 2},
            ],
            "stated": {"display": "37.83%", "n": 3, "agrees": True},
            "extra": [{"text": "受理量增长主要来自疫情期间的咨询", "n": 3}],
        },
        {
            "subject": "商品和服务支出",
            "verb": "超预算",
            "result": "8.93万元",
            "name_zh": "超预算金额",
            "formula": "1978.55 − 1969.62 = 8.93",
            "inputs": [
                {"label": "实际支出", "display": "1978.55万元", "n": 1},
                {"label": "预算金额", "display": "1969.62万元", "n": 1},
            ],
            "stated": None,
            "extra": [],
        },
    ],
    "answer_documents": [
        {
            "count": 2,
            "documents": [{"title": REPORT, "status": "ok"}, {"title": "扫描件.pdf", "status": "needs_ocr"}],
        },
        {"count": 0, "documents": []},
    ],
    "answer_grade": [
        {
            "score": "92.37",
            "score_n": 1,
            "grade": "优",
            "rule": {"n": 2, "title": "《财政支出绩效评价管理办法》", "text": "评价得分90分（含）以上为优"},
            "rule_source": None,
            "stated": {"grade": "优", "n": 1},
        },
        {
            "score": "85",
            "score_n": None,
            "grade": "良",
            "rule": None,
            "rule_source": "内置评分规则",
            "stated": None,
        },
    ],
    "answer_lookup": [
        {
            "figures": [{"subject": "坐席电话接听率", "display": "96.12%", "n": 1}],
            "missing": [],
            "check": {
                "name_zh": "接听率",
                "formula": "接听量 ÷ 呼入量 × 100%",
                "inputs": [{"label": "接听量", "display": "562.05万次", "n": 1}],
                "agrees": True,
            },
        },
        {
            "figures": [
                {"subject": "话务岗工资福利支出总额", "display": "7937.43万元", "n": 1},
                {"subject": "2019年接听量", "display": "584.73万次", "n": 2},
            ],
            "missing": ["2018年满意度"],
            "check": None,
        },
    ],
    "answer_policy": [
        {
            "topic": "评价等级",
            "clauses": [
                {
                    "title": "《财政支出绩效评价管理办法》",
                    "text": "评价结果采取评分和评级相结合的方式",
                    "n": 1,
                },
                {"title": "《财政支出绩效评价管理办法》", "text": "90分（含）以上为优", "n": 2},
            ],
        },
        {
            "topic": "主管单位",
            "kind": "quote",
            "clauses": [{"title": REPORT, "text": "市政务服务办为项目主管单位", "n": 1}],
        },
    ],
    "answer_section": [
        {
            "section": "存在的主要问题",
            "count": 2,
            "items": [
                {"text": "（一）预算调整程序不规范", "n": 1},
                {"text": "（二）绩效目标设置不够细化", "n": 2},
            ],
            "paragraphs": [],
        },
        {
            "section": "相关建议",
            "count": 0,
            "items": [],
            "paragraphs": [{"text": "建议加强预算执行管理", "n": 1}],
        },
    ],
    "refusal": [
        {
            "subject": "2018年满意度的数据",
            "reason": "报告中没有这一指标",
            "searched": ["2018 满意度", "满意度 调查"],
            "titles": [REPORT],
        },
        {"subject": "相关内容", "reason": "", "searched": [], "titles": []},
    ],
}


def template_names() -> list[str]:
    """`prompts.template_names()`, without the alias "x.md" that "x.md.j2" also yields."""
    names = set(prompts.template_names())
    return sorted(n for n in names if not (n.endswith(".md") and n[: -len(".md")] in names))


def variants(name: str) -> list[dict[str, Any]]:
    sample = SAMPLES[name]
    return sample if isinstance(sample, list) else [sample]


def test_every_template_is_registered() -> None:
    unknown = sorted(set(template_names()) - set(SAMPLES))
    assert not unknown, (
        f"prompt template(s) {unknown} have no sample variables: add them to SAMPLES in tests/test_prompts.py"
    )
    stale = sorted(set(SAMPLES) - set(template_names()))
    assert not stale, f"SAMPLES names templates that no longer exist: {stale}"


@pytest.mark.parametrize("name", template_names())
def test_template_renders(name: str, snapshot: Any) -> None:
    if name not in SAMPLES:
        pytest.fail(f"template {name!r} is not registered in SAMPLES (tests/test_prompts.py)")
    rendered = [prompts.render(name, **variables) for variables in variants(name)]
    for text in rendered:
        assert text.strip(), f"template {name!r} rendered empty"
        assert "{{" not in text and "{%" not in text and "Undefined" not in text
    assert rendered == snapshot


@pytest.mark.parametrize("name", [n for n in template_names() if SAMPLES.get(n)])
def test_template_is_strict(name: str) -> None:
    """Rendering without the variables is an error, never a silent hole in the prompt."""
    with pytest.raises(jinja2.UndefinedError):
        prompts.render(name)


def test_system_prompt_carries_the_rules() -> None:
    text = prompts.render("system", **variants("system")[0])
    for tool in SAMPLE_TOOLS:
        assert f"`{tool['name']}`" in text
    for rule in ("compute_metric", "未找到", "[1]", "8 次", "ref"):
        assert rule in text
    assert "财政支出绩效评价管理办法" in text
    # the style guide is part of the system prompt
    assert prompts.render("agent_style") in text

"""Deterministic answerer speed. `python -m benchmarks.answer`

The sample report + policy ingested into a temp data dir; each sample question answered by the
deterministic answerer (analysis, Toolbox calls, compute_metric, template, grounding) after one warm-up
pass (embedding model loaded, lexicon built): seconds per question, median and p95, plus the
slowest question and the one-off cost of building the lexicon.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from benchmarks import Rows, print_rows

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
QUESTIONS = [
    "8890项目2020年预算执行率是多少？",
    "商品和服务支出超预算多少，是否履行了调整程序？",
    "2020年受理量比2019年增长多少？",
    "坐席电话接听率是多少？",
    "话务岗的工资福利支出是多少？",
    "这个项目的评价得分和等级是什么？",
    "项目决策得分率是多少？",
    "存在的主要问题有哪些？",
    "评价组提了哪些建议？",
    "2021年的预算执行率是多少？",
    "项目的招标金额是多少？",
    "按管理办法，92.37分是什么等级？",
    "2018-2019年均单位人工成本是怎么算出来的？",
    "2019年的接听量是多少？",
    "预算执行率按规定应该怎么算？",
]
ROUNDS = 3


def _stats(samples: list[float]) -> str:
    s = sorted(samples)
    p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
    return f"median {1000 * statistics.median(s):.1f} ms, p95 {1000 * p95:.1f} ms (n={len(s)})"


def run() -> Rows:
    from ingest.index import ingest_paths
    from ingest.store import Store
    from service.answer.deterministic import DeterministicAnswerer
    from service.config import Settings
    from service.search.retrieval import Retriever
    from service.tools import Toolbox

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-answer-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        ingest_paths(settings, [FIXTURES / "report_2020_8890.pdf", FIXTURES / "policy_sample.pdf"])
        with Store.open(settings) as store:
            answerer = DeterministicAnswerer(Toolbox(store, Retriever(store, settings)))
            started = time.perf_counter()
            answerer.lexicon()
            lexicon_s = time.perf_counter() - started
            for q in QUESTIONS:  # warm-up: embedding model, BM25 index, jieba dictionary
                answerer.answer(q, history=[], document_ids=None, on_event=None)
            samples: list[float] = []
            per_question: dict[str, list[float]] = {}
            for _ in range(ROUNDS):
                for q in QUESTIONS:
                    t0 = time.perf_counter()
                    answerer.answer(q, history=[], document_ids=None, on_event=None)
                    dt = time.perf_counter() - t0
                    samples.append(dt)
                    per_question.setdefault(q, []).append(dt)
    slowest = max(per_question, key=lambda q: statistics.median(per_question[q]))
    return [
        ("sample questions", f"{len(QUESTIONS)} × {ROUNDS} rounds (after one warm-up round)"),
        ("deterministic answer, per question", _stats(samples)),
        ("slowest question (median)", f"{slowest} {1000 * statistics.median(per_question[slowest]):.1f} ms"),
        ("lexicon build (concepts + table headers + titles)", f"{1000 * lexicon_s:.0f} ms"),
    ]


if __name__ == "__main__":
    print_rows("answer", run())

"""The four eval sets, and what each pass rate measures.

| set | documents | written by | gated in `make test` |
|---|---|---|---|
| dev | the sample report and sample policy (`tests/fixtures/`) | the team, while building the answerer | yes |
| corpus | published documents (`evals/corpus/pdf/`, forms in `evals/corpus/forms/`) | helpers who saw only the documents | yes |
| generated | synthetic reports drawn afresh from a seed (`evals/generator/`) | the generator | yes |
| sequestered | further published documents (`evals/sequestered/pdf/`) | a helper who saw only the documents; never used to guide a change | no (reported) |
| portfolio | 204 generated 自评表, 34 units × 6 years, and 24 generated 项目支出绩效评价报告 (PDF), 4 more units × 6 years (`evals/generator/portfolio.py`); by name only, not in `all` | the generator | no (reported) |
"""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from evals.schema import CASES_DIR, EVALS_DIR, Case, CaseFormatError, load_cases

ROOT = EVALS_DIR.parent
FIXTURES_DIR = ROOT / "tests" / "fixtures"
CORPUS_DIR = EVALS_DIR / "corpus"
SEQUESTERED_DIR = EVALS_DIR / "sequestered"
GENERATED_FIXED_SEED = 20261202
GENERATED_COUNT = 12


@dataclass(frozen=True)
class EvalSet:
    name: str
    measures: str  # what its pass rate really measures, for the report
    case_paths: tuple[Path, ...]
    documents_dirs: tuple[Path, ...]
    gated: bool
    seed: int | None = None


SET_NAMES = ("dev", "corpus", "generated", "sequestered")  # what `--set all` runs
# asked for by name only: hundreds of documents to ingest (minutes), so not part of `all`
EXTRA_SET_NAMES = ("portfolio",)
PORTFOLIO_UNITS, PORTFOLIO_YEARS = 34, 6  # 204 forms (and the generator's default 4 report units: 24 reports)

_MEASURES = {
    "dev": "样本报告的开发用例（作者构建时可见）/ development cases on the sample report, seen while building",
    "corpus": "已公开文档的语料用例（作者未见文档时写成，但可用于开发）/ published documents, written unseen, used in development",
    "generated": "合成报告（每次新种子）/ synthetic reports drawn from a fresh seed",
    "sequestered": "封存集（只运行和记录，从不据此修改代码）/ sequestered: run and recorded, never used to guide a change",
    "portfolio": "多文档组合：生成的多单位×多年度自评表和项目支出评价报告，跨文档问题（筛选、排名、汇总、趋势、比较、歧义）/ a generated portfolio of forms and reports, questions across documents",
}


def dev_set() -> EvalSet:
    return EvalSet("dev", _MEASURES["dev"], (CASES_DIR,), (FIXTURES_DIR,), gated=True)


def corpus_set() -> EvalSet:
    return EvalSet(
        "corpus",
        _MEASURES["corpus"],
        (CORPUS_DIR / "cases",),
        (CORPUS_DIR / "pdf", CORPUS_DIR / "forms"),
        gated=True,
    )


def sequestered_set() -> EvalSet:
    return EvalSet(
        "sequestered",
        _MEASURES["sequestered"],
        tuple(sorted(SEQUESTERED_DIR.glob("cases*.yaml"))),  # the first batch, and each later one
        (SEQUESTERED_DIR / "pdf",),
        gated=False,
    )


def generated_set(out_dir: Path, *, seed: int | None = None, count: int = GENERATED_COUNT) -> EvalSet:
    """Generate a batch of synthetic reports into `out_dir` (a fresh random seed unless given)."""
    if seed is None:
        seed = random.SystemRandom().randrange(1, 2**31)
    cmd = [sys.executable, "-m", "evals.generator", "--seed", str(seed), "--count", str(count)]
    cmd += ["--out", str(out_dir)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise CaseFormatError(
            f"生成合成报告失败（种子 {seed}）/ generating synthetic reports failed (seed {seed}): "
            f"{(done.stderr or done.stdout)[-2000:]}"
        )
    measures = f"{_MEASURES['generated']} (seed {seed})"
    return EvalSet(
        "generated", measures, (out_dir / "cases.yaml",), (out_dir / "pdf",), gated=True, seed=seed
    )


def portfolio_set(
    out_dir: Path, *, seed: int | None = None, units: int = PORTFOLIO_UNITS, years: int = PORTFOLIO_YEARS
) -> EvalSet:
    """A portfolio of generated forms and reports (`evals.generator.portfolio`) with its cross-document cases."""
    seed = GENERATED_FIXED_SEED if seed is None else seed
    cmd = [sys.executable, "-m", "evals.generator.portfolio", "--seed", str(seed), "--units", str(units)]
    cmd += ["--years", str(years), "--out", str(out_dir)]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise CaseFormatError(
            f"生成组合失败（种子 {seed}）/ generating the portfolio failed (seed {seed}): "
            f"{(done.stderr or done.stdout)[-2000:]}"
        )
    measures = f"{_MEASURES['portfolio']} (seed {seed}, {units}×{years})"
    return EvalSet(
        "portfolio", measures, (out_dir / "cases.yaml",), (out_dir / "forms",), gated=False, seed=seed
    )


def load_set(eval_set: EvalSet, *, tags: list[str] | None = None) -> list[Case]:
    paths = [p for p in eval_set.case_paths if p.exists()]
    if not paths:
        return []
    return [dataclasses.replace(c, set=eval_set.name) for c in load_cases(paths, tags=tags)]


def named_set(name: str, generated_dir: Path, seed: int | None = None) -> EvalSet:
    if name == "dev":
        return dev_set()
    if name == "corpus":
        return corpus_set()
    if name == "sequestered":
        return sequestered_set()
    if name == "generated":
        return generated_set(generated_dir, seed=seed)
    if name == "portfolio":
        return portfolio_set(generated_dir.parent / "portfolio", seed=seed)
    known = ", ".join((*SET_NAMES, *EXTRA_SET_NAMES))
    raise CaseFormatError(f"未知的评测集 / unknown eval set: {name}（可选 {known}）")

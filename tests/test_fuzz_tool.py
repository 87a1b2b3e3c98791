"""`make fuzz` stays runnable: a few cases through tools/fuzz_ingest.py's worker subprocess, counted.
(The fuzzing itself is `make fuzz`, bounded by FUZZ_SECONDS, not part of `make test`.)"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

TOOL = Path(__file__).parents[1] / "tools" / "fuzz_ingest.py"


def _tool():
    spec = importlib.util.spec_from_file_location("fuzz_ingest", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fuzz_runs_seeds_and_counts(tmp_path: Path) -> None:
    fuzz = _tool()
    summary = fuzz.fuzz(seconds=120, seed=7, case_seconds=60, out=tmp_path, max_cases=4)
    assert summary["cases"] == 4
    assert summary["ok"] + summary["refusals"] + summary["crashes"] + summary["hangs"] == 4
    assert summary["crashes"] == 0 and summary["hangs"] == 0, summary["findings"]
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["cases"] == 4


def test_mutations_are_seeded() -> None:
    import random

    fuzz = _tool()
    corpus = [
        b"%PDF-1.4\n1 0 obj << /Length 5 >> stream\nx\x9c\x03\x00\x00\x00\x00\x01\nendstream endobj\n%%EOF\n"
    ]
    first, second = random.Random(3), random.Random(3)
    one = [fuzz.mutate(first, corpus) for _ in range(20)]
    assert one == [fuzz.mutate(second, corpus) for _ in range(20)]
    assert len(set(one)) > 10  # and they do mutate

"""`service/metrics/` imports nothing but the standard library (and itself)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

METRICS = Path(__file__).resolve().parent.parent / "service" / "metrics"


def test_metrics_imports_only_the_stdlib() -> None:
    offenders = []
    for path in sorted(METRICS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if (
                    name.startswith("service.metrics")
                    or top == "__future__"
                    or top in sys.stdlib_module_names
                ):
                    continue
                offenders.append(f"{path.name}: {name}")
    assert not offenders
    assert len(list(METRICS.glob("*.py"))) >= 10

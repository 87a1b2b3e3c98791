"""Synthetic evaluation documents with gold cases.

    python -m evals.generator --seed 7 --count 6 --out /tmp/gen [--inconsistent]

Writes `src/*.html`, `pdf/*.pdf` (one LibreOffice run), `cases.yaml` (the eval case format) and
`planted.json`. Gold values come from the drawn values and the generator's own `decimal`
arithmetic; nothing here imports the answerer or `service.metrics`. See README.md.
"""

from evals.generator.batch import build_documents, write_batch

__all__ = ["build_documents", "write_batch"]
